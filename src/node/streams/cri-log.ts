/**
 * @module The CRI log line format (`<RFC3339Nano> <stdout|stderr> <P|F> <text>`,
 * k8s.io/cri-api logging) and the kubelet's reading of it
 * (pkg/kubelet/kuberuntime/logs): parsing, timestamps re-rendered with Go's
 * RFC3339Nano (trailing zeros dropped), and the query of /containerLogs.
 */
import { StreamError } from './types.ts';

export interface CriLine {
  /** Nanoseconds since the epoch, for `since` comparisons. */
  ns: bigint;
  /** The timestamp as Go's time.RFC3339Nano formats it. */
  time: string;
  stream: 'stdout' | 'stderr';
  partial: boolean;
  /** The text: with its newline for a full line, without for a partial one. */
  content: Buffer;
}

const TS = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:\d{2})$/;

/** Parses an RFC3339 timestamp with up to nanosecond precision. */
export function parseTimestamp(s: string): { ns: bigint; time: string } | undefined {
  const m = TS.exec(s);
  if (!m) return undefined;
  const [, y, mo, d, h, mi, se, frac = '', zone] = m;
  const ms = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(se));
  if (Number.isNaN(ms)) return undefined;
  let offsetMin = 0;
  if (zone !== 'Z') offsetMin = (zone[0] === '-' ? -1 : 1) * (Number(zone.slice(1, 3)) * 60 + Number(zone.slice(4, 6)));
  const secs = BigInt(ms / 1000 - offsetMin * 60);
  const ns = secs * 1_000_000_000n + BigInt(frac.padEnd(9, '0') || '0');
  const trimmed = frac.replace(/0+$/, '');
  const z = zone === '+00:00' || zone === '-00:00' ? 'Z' : zone;
  return { ns, time: `${y}-${mo}-${d}T${h}:${mi}:${se}${trimmed ? '.' + trimmed : ''}${z}` };
}

/** Parses one line of a CRI log file (with or without its newline); undefined when malformed (the kubelet skips those). */
export function parseCriLine(line: Buffer): CriLine | undefined {
  const sp1 = line.indexOf(0x20);
  if (sp1 < 0) return undefined;
  const ts = parseTimestamp(line.toString('latin1', 0, sp1));
  if (!ts) return undefined;
  const sp2 = line.indexOf(0x20, sp1 + 1);
  if (sp2 < 0) return undefined;
  const stream = line.toString('latin1', sp1 + 1, sp2);
  if (stream !== 'stdout' && stream !== 'stderr') return undefined;
  const sp3 = line.indexOf(0x20, sp2 + 1);
  if (sp3 < 0) return undefined;
  const tag = line.toString('latin1', sp2 + 1, sp3).split(':')[0];
  const partial = tag === 'P';
  let end = line.length;
  if (partial && end > sp3 + 1 && line[end - 1] === 0x0a) end--;
  return { ns: ts.ns, time: ts.time, stream, partial, content: line.subarray(sp3 + 1, end) };
}

export interface LogOptions {
  follow: boolean;
  previous: boolean;
  timestamps: boolean;
  tailLines?: number;
  limitBytes?: number;
  /** Lines older than this (ns since the epoch) are skipped: sinceSeconds or sinceTime. */
  sinceNs?: bigint;
  /** Only this stream (the `stream` parameter of PodLogsQuerySplitStreams); undefined: both. */
  stream?: 'stdout' | 'stderr';
}

/** strconv.ParseBool, which the query parameter codec uses. */
export function parseBool(v: string | null): boolean | undefined {
  if (v === null) return undefined;
  if (['1', 't', 'T', 'true', 'TRUE', 'True'].includes(v)) return true;
  if (['0', 'f', 'F', 'false', 'FALSE', 'False'].includes(v)) return false;
  throw new StreamError('BAD_REQUEST', `{"message": "Unable to decode query."}`);
}

function parseInt64(v: string | null): number | undefined {
  if (v === null) return undefined;
  if (!/^[+-]?\d+$/.test(v)) throw new StreamError('BAD_REQUEST', `{"message": "Unable to decode query."}`);
  return Number(v);
}

/** The kubelet's /containerLogs query (v1.PodLogOptions), `tail` kept for old clients; `now` in ms. */
export function parseLogQuery(q: URLSearchParams, now = Date.now()): LogOptions {
  const tail = q.get('tail');
  const tailLines = tail !== null ? (tail === 'all' ? undefined : parseInt64(tail)) : parseInt64(q.get('tailLines'));
  const limitBytes = parseInt64(q.get('limitBytes'));
  const sinceSeconds = parseInt64(q.get('sinceSeconds'));
  const sinceTimeText = q.get('sinceTime');
  let sinceNs: bigint | undefined;
  if (sinceTimeText !== null) {
    const t = parseTimestamp(sinceTimeText);
    if (!t) throw new StreamError('BAD_REQUEST', `{"message": "Unable to decode query."}`);
    sinceNs = t.ns;
  }
  const invalid = (tailLines !== undefined && tailLines < 0) || (limitBytes !== undefined && limitBytes < 1) || (sinceSeconds !== undefined && (sinceSeconds < 1 || sinceTimeText !== null));
  if (invalid) throw new StreamError('UNPROCESSABLE', `{"message": "Invalid request."}`);
  if (sinceSeconds !== undefined) sinceNs = (BigInt(now) - BigInt(sinceSeconds) * 1000n) * 1_000_000n;
  const stream = q.get('stream');
  if (stream !== null && !['All', 'Stdout', 'Stderr'].includes(stream)) throw new StreamError('UNPROCESSABLE', `{"message": "Invalid request."}`);
  return {
    follow: parseBool(q.get('follow')) ?? false,
    previous: parseBool(q.get('previous')) ?? false,
    timestamps: parseBool(q.get('timestamps')) ?? false,
    tailLines,
    limitBytes,
    sinceNs,
    stream: stream === 'Stdout' ? 'stdout' : stream === 'Stderr' ? 'stderr' : undefined,
  };
}
