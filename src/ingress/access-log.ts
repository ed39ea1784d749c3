/**
 * @module The access log: one line per request in ingress-nginx's default
 * `upstreaminfo` format, written in batches (one write per tick) so that
 * logging does not cost a syscall per request.
 *
 * `$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_referer" "$http_user_agent"
 *  $request_length $request_time [$proxy_upstream_name] [$proxy_alternative_upstream_name] $upstream_addr
 *  $upstream_response_length $upstream_response_time $upstream_status $req_id`
 */

export interface AccessRecord {
  remoteAddr: string;
  method: string;
  url: string;
  httpVersion: string;
  status: number;
  bodyBytes: number;
  referer?: string;
  userAgent?: string;
  requestLength: number;
  /** Seconds. */
  requestTime: number;
  upstreamName: string;
  /** Tried endpoints in order, `-` when none. */
  upstreamAddrs: string[];
  upstreamLength?: number;
  upstreamTimes: number[];
  upstreamStatuses: (number | string)[];
  requestId: string;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
let lastSec = -1;
let lastStamp = '';

/** nginx's $time_local (Common Log Format), in UTC; computed once per second. */
export function timeLocal(now = Date.now()): string {
  const sec = Math.floor(now / 1000);
  if (sec !== lastSec) {
    const d = new Date(sec * 1000);
    const p = (n: number) => String(n).padStart(2, '0');
    lastStamp = `${p(d.getUTCDate())}/${MONTHS[d.getUTCMonth()]}/${d.getUTCFullYear()}:${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())} +0000`;
    lastSec = sec;
  }
  return lastStamp;
}

const dash = (v: string | undefined) => (v === undefined || v === '' ? '-' : v);

export function formatAccess(r: AccessRecord, now = Date.now()): string {
  const ups = r.upstreamAddrs.length > 0;
  return (
    `${r.remoteAddr} - - [${timeLocal(now)}] "${r.method} ${r.url} HTTP/${r.httpVersion}" ${r.status} ${r.bodyBytes} ` +
    `"${dash(r.referer)}" "${dash(r.userAgent)}" ${r.requestLength} ${r.requestTime.toFixed(3)} [${r.upstreamName}] [] ` +
    `${ups ? r.upstreamAddrs.join(', ') : '-'} ${ups ? (r.upstreamLength ?? 0) : '-'} ` +
    `${ups ? r.upstreamTimes.map((t) => t.toFixed(3)).join(', ') : '-'} ${ups ? r.upstreamStatuses.join(', ') : '-'} ${r.requestId}`
  );
}

/** A line sink that batches writes to a stream (stdout by default). */
export function batchedWriter(write: (chunk: string) => void = (c) => process.stdout.write(c)): (line: string) => void {
  let buf: string[] = [];
  let scheduled = false;
  const flush = () => {
    scheduled = false;
    const out = buf.join('\n') + '\n';
    buf = [];
    write(out);
  };
  return (line) => {
    buf.push(line);
    if (!scheduled) {
      scheduled = true;
      setImmediate(flush);
    }
  };
}
