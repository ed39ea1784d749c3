/**
 * @module Liveness, readiness and startup probes as the kubelet's prober
 * worker runs them (pkg/kubelet/prober/worker.go). The rules are a pure
 * state machine: a result counts only after successThreshold or
 * failureThreshold equal results in a row; nothing runs before
 * initialDelaySeconds or, for liveness and readiness, before the startup
 * probe has passed; a failed liveness or startup probe asks for the
 * container to be killed and holds until a new container appears; readiness
 * starts as failure, liveness as success, startup as unknown. ProbeWorker
 * drives it on a timer (periodSeconds) with a manual trigger, which the
 * kubelet pulls when a container starts.
 */
import { runProbeCheck, type ProbeCheckResult, type ProbeHandler, type ProbeOutcome, type ProbeTarget } from './probe-checks.ts';

export type ProbeKind = 'liveness' | 'readiness' | 'startup';
export type ProbeResult = ProbeOutcome | 'unknown';

/** v1.Probe. */
export interface ProbeSpec extends ProbeHandler {
  initialDelaySeconds?: number;
  timeoutSeconds?: number;
  periodSeconds?: number;
  successThreshold?: number;
  failureThreshold?: number;
  terminationGracePeriodSeconds?: number;
}

export interface ProbeTiming {
  initialDelaySeconds: number;
  timeoutSeconds: number;
  periodSeconds: number;
  successThreshold: number;
  failureThreshold: number;
}

/** The API defaults (SetDefaults_Probe): 0, 1, 10, 1, 3. */
export function probeTiming(spec: ProbeSpec): ProbeTiming {
  return {
    initialDelaySeconds: spec.initialDelaySeconds ?? 0,
    timeoutSeconds: spec.timeoutSeconds || 1,
    periodSeconds: spec.periodSeconds || 10,
    successThreshold: spec.successThreshold || 1,
    failureThreshold: spec.failureThreshold || 3,
  };
}

export function initialResult(kind: ProbeKind): ProbeResult {
  return kind === 'readiness' ? 'failure' : kind === 'liveness' ? 'success' : 'unknown';
}

export interface ProbeState {
  /** The container the results belong to; a new id resets them. */
  containerID?: string;
  /** What the results manager holds, which status and restarts follow. */
  result: ProbeResult;
  lastResult?: ProbeOutcome;
  resultRun: number;
  onHold: boolean;
}

export function initialProbeState(kind: ProbeKind): ProbeState {
  return { result: initialResult(kind), resultRun: 0, onHold: false };
}

/** What the worker knows of the container from the pod status. */
export interface ContainerView {
  containerID?: string;
  running: boolean;
  /** ms since the epoch, when running. */
  startedAt?: number;
  /** containerStatus.started: the startup probe passed (or there is none). */
  started: boolean;
  terminated: boolean;
  restartPolicy: 'Always' | 'OnFailure' | 'Never';
  /** The pod is being deleted: liveness and startup no longer run. */
  deleting?: boolean;
}

export type TickDecision = 'probe' | 'skip' | 'stop';

/** doProbe up to the point where a probe is sent: returns the new state and whether to probe. */
export function probeTick(state: ProbeState, kind: ProbeKind, timing: ProbeTiming, c: ContainerView, now: number): { state: ProbeState; decision: TickDecision } {
  if (!c.containerID) return { state, decision: 'skip' };
  let s = state;
  if (s.containerID !== c.containerID) {
    // A new container: its results start over and probing resumes.
    s = { containerID: c.containerID, result: initialResult(kind), resultRun: 0, onHold: false };
  }
  if (s.onHold) return { state: s, decision: 'skip' };
  if (!c.running) {
    s = { ...s, result: 'failure' };
    // The worker ends when the container will not be started again.
    return { state: s, decision: c.terminated && c.restartPolicy === 'Never' ? 'stop' : 'skip' };
  }
  if (c.deleting && kind !== 'readiness') {
    // A quiet shutdown: the last result is success and probing ends.
    return { state: { ...s, result: 'success' }, decision: 'stop' };
  }
  if (c.startedAt !== undefined && Math.floor((now - c.startedAt) / 1000) < timing.initialDelaySeconds) return { state: s, decision: 'skip' };
  if (c.started ? kind === 'startup' : kind !== 'startup') return { state: s, decision: 'skip' };
  return { state: s, decision: 'probe' };
}

/**
 * The rest of doProbe: count the outcome; the held result changes only at
 * the threshold. `kill` asks for the container to be restarted.
 */
export function applyProbeResult(state: ProbeState, kind: ProbeKind, timing: ProbeTiming, outcome: ProbeOutcome): { state: ProbeState; changed: boolean; kill: boolean } {
  const s = { ...state };
  if (s.lastResult === outcome) s.resultRun++;
  else {
    s.lastResult = outcome;
    s.resultRun = 1;
  }
  if ((outcome === 'failure' && s.resultRun < timing.failureThreshold) || (outcome === 'success' && s.resultRun < timing.successThreshold)) {
    return { state: s, changed: false, kill: false };
  }
  const changed = s.result !== outcome;
  s.result = outcome;
  let kill = false;
  if (kind !== 'readiness' && outcome === 'failure') {
    s.onHold = true;
    s.resultRun = 0;
    kill = true;
  }
  return { state: s, changed, kill };
}

export interface ProbeWorkerOptions {
  kind: ProbeKind;
  containerName: string;
  spec: ProbeSpec;
  container: () => ContainerView;
  target: () => ProbeTarget;
  /** The result held for the container changed. */
  onResult?(result: ProbeResult): void;
  /** A single attempt failed: the kubelet's `Unhealthy` event (`Liveness probe failed: ...`). */
  onUnhealthy?(message: string): void;
  /** Liveness or startup failed past the threshold: restart the container. */
  onKill?(message: string): void;
  /** Replaces the real check (tests). */
  check?: (spec: ProbeSpec, target: ProbeTarget, timeoutMs: number) => Promise<ProbeCheckResult>;
}

const TITLE: Record<ProbeKind, string> = { liveness: 'Liveness', readiness: 'Readiness', startup: 'Startup' };

/** One probe of one container, on a timer. */
export class ProbeWorker {
  #o: ProbeWorkerOptions;
  #timing: ProbeTiming;
  #state: ProbeState;
  #wake: (() => void) | undefined;
  #triggered = false;
  /** Quick retries done for the current container (see #delayMs), and the container they are for. */
  #quick = 0;
  #quickFor: string | undefined;
  #readyOnce: string | undefined;

  constructor(o: ProbeWorkerOptions) {
    this.#o = o;
    this.#timing = probeTiming(o.spec);
    this.#state = initialProbeState(o.kind);
  }

  result(): ProbeResult {
    return this.#state.result;
  }

  /** Runs a probe now (the container just started), without waiting for the period. */
  trigger(): void {
    this.#triggered = true;
    this.#wake?.();
  }

  /** Probes every periodSeconds until the signal aborts or the container is gone for good. */
  async start(signal: AbortSignal): Promise<void> {
    const onAbort = () => this.#wake?.();
    signal.addEventListener('abort', onAbort, { once: true });
    try {
      while (!signal.aborted) {
        if (!(await this.#once(signal))) return;
        if (this.#triggered) {
          this.#triggered = false;
          continue;
        }
        await new Promise<void>((resolve) => {
          const done = () => {
            clearTimeout(timer);
            this.#wake = undefined;
            resolve();
          };
          const timer = setTimeout(done, this.#delayMs());
          this.#wake = done;
        });
      }
    } finally {
      signal.removeEventListener('abort', onAbort);
    }
  }

  /**
   * The wait before the next probe: periodSeconds, except (nanokube differs on purpose) while a
   * readiness probe has not yet succeeded for the current container: then a failure is retried
   * after 100 ms, doubling up to the period, so a pod turns Ready soon after its server listens
   * rather than up to a whole period later. These quick retries record no Unhealthy event.
   */
  #delayMs(): number {
    const period = this.#timing.periodSeconds * 1000;
    const id = this.#state.containerID;
    if (this.#state.result === 'success') this.#readyOnce = id;
    if (this.#o.kind !== 'readiness' || id === undefined || this.#readyOnce === id) return period;
    if (this.#quickFor !== id) {
      this.#quickFor = id;
      this.#quick = 0;
    }
    return Math.min(period, 100 * 2 ** this.#quick++);
  }

  async #once(signal: AbortSignal): Promise<boolean> {
    const before = this.#state.result;
    const tick = probeTick(this.#state, this.#o.kind, this.#timing, this.#o.container(), Date.now());
    this.#state = tick.state;
    if (tick.state.result !== before) this.#o.onResult?.(tick.state.result);
    if (tick.decision === 'stop') return false;
    if (tick.decision === 'skip') return true;
    const containerID = this.#state.containerID;
    const check = this.#o.check ?? ((spec, target, timeoutMs) => runProbeCheck(spec, target, timeoutMs));
    const r = await check(this.#o.spec, this.#o.target(), this.#timing.timeoutSeconds * 1000);
    // The container changed or the worker stopped while the probe ran: the result is for nobody.
    if (signal.aborted || this.#o.container().containerID !== containerID) return true;
    // A failure that will be retried quickly (see #delayMs) records no event.
    const retries = this.#quickFor === containerID ? this.#quick : 0;
    const quick = this.#o.kind === 'readiness' && this.#readyOnce !== containerID && 100 * 2 ** retries < this.#timing.periodSeconds * 1000;
    if (r.result === 'failure' && !quick) this.#o.onUnhealthy?.(`${TITLE[this.#o.kind]} probe failed: ${r.message}`);
    const applied = applyProbeResult(this.#state, this.#o.kind, this.#timing, r.result);
    this.#state = applied.state;
    if (applied.changed) this.#o.onResult?.(applied.state.result);
    if (applied.kill) this.#o.onKill?.(`Container ${this.#o.containerName} failed ${this.#o.kind} probe, will be restarted`);
    return true;
  }
}
