/**
 * @module The remotecommand channel protocols kubectl speaks over WebSocket
 * (k8s.io/apimachinery/pkg/util/remotecommand, wsstream): every binary
 * message starts with a channel byte; v5 adds the CLOSE signal
 * `[255, channel]` that half-closes stdin. The error channel carries one
 * metav1.Status, as the kubelet writes it.
 */
import { constants as osConstants } from 'node:os';

export const STDIN = 0;
export const STDOUT = 1;
export const STDERR = 2;
export const ERROR = 3;
export const RESIZE = 4;
/** v5 only: `[255, channel]` closes the sender's side of that channel. */
export const CLOSE = 255;

export const PROTOCOL_V5 = 'v5.channel.k8s.io';
export const PROTOCOL_V4 = 'v4.channel.k8s.io';
/** SPDY tunnelled in WebSocket binary messages, kubectl's port-forward since 1.31. */
export const PORT_FORWARD_TUNNEL = 'SPDY/3.1+portforward.k8s.io';

/** Picks the protocol the server prefers among the ones the client offered. */
export function selectProtocol(offered: Iterable<string>, supported: readonly string[] = [PROTOCOL_V5, PROTOCOL_V4]): string | undefined {
  const set = new Set(offered);
  return supported.find((p) => set.has(p));
}

export function frame(channel: number, data: Buffer | string): Buffer {
  const body = typeof data === 'string' ? Buffer.from(data) : data;
  const out = Buffer.allocUnsafe(body.length + 1);
  out[0] = channel;
  body.copy(out, 1);
  return out;
}

export type ChannelMessage = { kind: 'data'; channel: number; data: Buffer } | { kind: 'close'; channel: number } | { kind: 'invalid'; reason: string };

/** Decodes one message from the client; `closeSignal` is true for v5. */
export function parseMessage(msg: Buffer, closeSignal: boolean): ChannelMessage {
  if (msg.length === 0) return { kind: 'invalid', reason: 'empty message' };
  if (closeSignal && msg[0] === CLOSE) {
    if (msg.length !== 2) return { kind: 'invalid', reason: `close signal of ${msg.length} bytes` };
    return { kind: 'close', channel: msg[1] };
  }
  return { kind: 'data', channel: msg[0], data: msg.subarray(1) };
}

/** A resize message (`{"Width":80,"Height":24}`, remotecommand.TerminalSize); undefined when malformed. */
export function parseResize(data: Buffer): { width: number; height: number } | undefined {
  try {
    const v = JSON.parse(data.toString('utf8')) as { Width?: unknown; Height?: unknown };
    const width = Number(v.Width);
    const height = Number(v.Height);
    if (!Number.isInteger(width) || !Number.isInteger(height) || width < 0 || height < 0 || width > 0xffff || height > 0xffff) return undefined;
    return { width, height };
  } catch {
    return undefined;
  }
}

/** The metav1.Status of the error channel, as encoding/json writes it (no kind, empty metadata). */
export interface ChannelStatus {
  metadata: Record<string, never>;
  status: 'Success' | 'Failure';
  message?: string;
  reason?: string;
  details?: { causes: { reason?: string; message: string }[] };
  code?: number;
}

export function successStatus(): ChannelStatus {
  return { metadata: {}, status: 'Success' };
}

/** A process's end: exit 0 is success; a signal counts as 128+n, as runc reports it. */
export function exitStatus(argv: string[], code: number | null, signal: NodeJS.Signals | null): ChannelStatus {
  const rc = code ?? 128 + (signal ? (osConstants.signals[signal] ?? 0) : 0);
  if (rc === 0) return successStatus();
  return {
    metadata: {},
    status: 'Failure',
    message: `command terminated with non-zero exit code: error executing command [${argv.join(' ')}], exit code ${rc}`,
    reason: 'NonZeroExitCode',
    details: { causes: [{ reason: 'ExitCode', message: String(rc) }] },
  };
}

/** apierrors.NewInternalError as the kubelet writes it when a command cannot run at all. */
export function internalErrorStatus(message: string): ChannelStatus {
  return {
    metadata: {},
    status: 'Failure',
    message: `Internal error occurred: ${message}`,
    reason: 'InternalError',
    details: { causes: [{ message }] },
    code: 500,
  };
}

export function statusFrame(status: ChannelStatus): Buffer {
  return frame(ERROR, JSON.stringify(status));
}
