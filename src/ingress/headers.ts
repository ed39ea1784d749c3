/**
 * @module Header rewriting between client and upstream, as ingress-nginx's
 * location template sets them: Host passed through, X-Request-ID (kept or
 * generated), X-Real-IP and X-Forwarded-For as the client address (nginx's
 * `$the_real_ip` without use-forwarded-headers), X-Forwarded-Host/-Port/
 * -Proto, X-Scheme, X-Original-Forwarded-For with the client's own list,
 * `Proxy` dropped (httpoxy); hop-by-hop headers never cross. Works on flat
 * raw header arrays (`[name, value, ...]`) so that nothing is parsed twice.
 */
import { randomFillSync } from 'node:crypto';

/** Request headers that never go upstream as received (hop-by-hop, or ones the proxy sets itself). */
const DROP_REQUEST = new Set([
  'connection', 'keep-alive', 'proxy-connection', 'te', 'trailer', 'transfer-encoding', 'upgrade', 'expect', 'proxy',
  'http2-settings', 'host', 'x-request-id', 'x-real-ip', 'x-forwarded-for', 'x-forwarded-host', 'x-forwarded-port',
  'x-forwarded-proto', 'x-forwarded-scheme', 'x-scheme', 'x-original-forwarded-for',
]);

/** Response headers nginx does not pass (hop-by-hop, plus Server and Date, which it writes itself). */
const DROP_RESPONSE = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade', 'server', 'date', 'http2-settings']);

let pool = Buffer.alloc(0);
let poolAt = 0;

/** nginx's `$request_id`: 32 hex digits of randomness (drawn from a pool, one syscall per 256 ids). */
export function newRequestId(): string {
  if (poolAt + 16 > pool.length) {
    pool = randomFillSync(Buffer.alloc(4096));
    poolAt = 0;
  }
  poolAt += 16;
  return pool.toString('hex', poolAt - 16, poolAt);
}

export interface ForwardFacts {
  /** The Host to send ($best_http_host): the client's Host or :authority. */
  host: string;
  remoteAddr: string;
  scheme: 'http' | 'https';
  /** X-Forwarded-Port: the port the client connected to, the HTTPS port reported as 443 as ingress-nginx maps it. */
  port: string;
  requestId: string;
  /** The client's X-Forwarded-For, '' when none. */
  originalForwardedFor: string;
  /** For a WebSocket (or other) upgrade: the client's Upgrade value, sent with `Connection: upgrade`. */
  upgrade?: string;
}

/** The client address without the IPv4-mapped IPv6 prefix (a dual-stack socket reports `::ffff:a.b.c.d`). */
export function plainAddress(a: string | undefined): string {
  if (!a) return '';
  return a.startsWith('::ffff:') && a.includes('.') ? a.slice(7) : a;
}

/** The raw header list sent upstream. Pseudo-headers of HTTP/2 requests are skipped. */
export function upstreamHeaders(raw: string[], f: ForwardFacts, extraDrop?: ReadonlySet<string>): string[] {
  // Names listed in Connection are hop-by-hop too (RFC 9110 7.6.1).
  let listed: Set<string> | undefined;
  for (let i = 0; i < raw.length; i += 2) {
    if (raw[i].length === 10 && raw[i].toLowerCase() === 'connection') {
      for (const n of raw[i + 1].split(',')) {
        const t = n.trim().toLowerCase();
        if (t && t !== 'close' && t !== 'keep-alive' && t !== 'upgrade') (listed ??= new Set()).add(t);
      }
    }
  }
  const out: string[] = ['Host', f.host];
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i];
    if (name.charCodeAt(0) === 58) continue; // ':'
    const lower = name.toLowerCase();
    if (DROP_REQUEST.has(lower) || listed?.has(lower) || extraDrop?.has(lower)) continue;
    out.push(name, raw[i + 1]);
  }
  if (f.upgrade !== undefined) out.push('Upgrade', f.upgrade, 'Connection', 'upgrade');
  out.push(
    'X-Request-ID', f.requestId,
    'X-Real-IP', f.remoteAddr,
    'X-Forwarded-For', f.remoteAddr,
    'X-Forwarded-Host', f.host,
    'X-Forwarded-Port', f.port,
    'X-Forwarded-Proto', f.scheme,
    'X-Forwarded-Scheme', f.scheme,
    'X-Scheme', f.scheme,
  );
  if (f.originalForwardedFor !== '') out.push('X-Original-Forwarded-For', f.originalForwardedFor);
  return out;
}

/** The client's X-Forwarded-For values joined, '' when none. */
export function forwardedFor(raw: string[]): string {
  let v = '';
  for (let i = 0; i < raw.length; i += 2) {
    if (raw[i].length === 15 && raw[i].toLowerCase() === 'x-forwarded-for') v = v ? `${v}, ${raw[i + 1]}` : raw[i + 1];
  }
  return v;
}

/** The response's raw headers for an HTTP/1.1 client, with `Server: nginx` and extra pairs appended. */
export function responseHeadersH1(raw: string[], extra?: string[]): string[] {
  const out: string[] = ['Server', 'nginx'];
  for (let i = 0; i < raw.length; i += 2) {
    if (DROP_RESPONSE.has(raw[i].toLowerCase())) continue;
    out.push(raw[i], raw[i + 1]);
  }
  if (extra) out.push(...extra);
  return out;
}

/** The same for an HTTP/2 client: lower-case names, repeated names as arrays, no connection-specific field (RFC 9113 8.2.2). */
export function responseHeadersH2(raw: string[], extra?: string[]): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = { server: 'nginx' };
  const add = (name: string, value: string) => {
    const n = name.toLowerCase();
    if (DROP_RESPONSE.has(n) || n.charCodeAt(0) === 58 || n === 'te') return;
    const prev = out[n];
    if (prev === undefined) out[n] = value;
    else if (Array.isArray(prev)) prev.push(value);
    else out[n] = [prev, value];
  };
  for (let i = 0; i < raw.length; i += 2) add(raw[i], raw[i + 1]);
  if (extra) for (let i = 0; i < extra.length; i += 2) add(extra[i], extra[i + 1]);
  return out;
}
