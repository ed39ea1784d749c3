/**
 * @module The kubelet's restart back-off (client-go flowcontrol.Backoff as
 * kuberuntime's doBackOff uses it), as pure functions. A container that
 * exits is restarted at once the first time; each later exit waits out the
 * current back-off counted from when it finished, and every restart doubles
 * it (10 s, 20 s, 40 s ... capped at 300 s). A container that ran longer
 * than twice the cap (10 minutes) since its last restart starts over at the
 * initial back-off. The same rules pace image pull retries (ImagePullBackOff).
 */

export interface BackoffConfig {
  /** kubelet: 10 s (MaxContainerBackOff's initial). */
  initialMs: number;
  /** kubelet: 300 s (MaxContainerBackOff). */
  maxMs: number;
  /** An entry idle this long is forgotten (flowcontrol's hasExpired: 2 × max). */
  resetMs: number;
}

export const KUBELET_BACKOFF: BackoffConfig = { initialMs: 10_000, maxMs: 300_000, resetMs: 600_000 };

/** A back-off config scaled from an initial delay, keeping the kubelet's ratios (max 30×, reset 60×). */
export function scaledBackoff(initialMs: number): BackoffConfig {
  return { initialMs, maxMs: initialMs * 30, resetMs: initialMs * 60 };
}

export interface BackoffEntry {
  backoffMs: number;
  /** When Next was last called (the last restart). */
  lastUpdate: number;
}

/** flowcontrol.Backoff.Next: called when the container is restarted after an exit at `eventTime`. */
export function nextBackoff(entry: BackoffEntry | undefined, eventTime: number, now: number, cfg: BackoffConfig): BackoffEntry {
  if (!entry || eventTime - entry.lastUpdate > cfg.resetMs) return { backoffMs: cfg.initialMs, lastUpdate: now };
  return { backoffMs: Math.min(entry.backoffMs * 2, cfg.maxMs), lastUpdate: now };
}

/**
 * IsInBackOffSince: how long the container that finished at `eventTime`
 * must still wait before it may restart; 0 when it may restart now.
 */
export function backoffRemaining(entry: BackoffEntry | undefined, eventTime: number, now: number, cfg: BackoffConfig): number {
  if (!entry || now - entry.lastUpdate > cfg.resetMs) return 0;
  return Math.max(0, entry.backoffMs - (now - eventTime));
}

/** Go's time.Duration.String for whole milliseconds: `10s`, `1m20s`, `5m0s`, `500ms`. */
export function goDuration(ms: number): string {
  if (ms === 0) return '0s';
  if (ms < 1000) return `${ms}ms`;
  const totalSec = ms / 1000;
  const h = Math.floor(totalSec / 3600);
  const m = Math.floor((totalSec % 3600) / 60);
  const s = totalSec - h * 3600 - m * 60;
  const sec = `${Number.isInteger(s) ? s : s.toFixed(3).replace(/0+$/, '')}s`;
  if (h > 0) return `${h}h${m}m${sec}`;
  if (m > 0) return `${m}m${sec}`;
  return sec;
}
