/**
 * @module Upgrade pass-through (WebSocket and any other HTTP/1.1 Upgrade):
 * the request head is written to an endpoint connection as nginx sends it
 * (`Upgrade: $http_upgrade`, `Connection: upgrade`, the X-Forwarded set),
 * and from then on bytes flow both ways untouched. A refused connect moves
 * to another endpoint (up to 3 tries); the tunnel closes after
 * proxy-read-timeout without traffic, as nginx's proxy_read_timeout does
 * (users raise it with the annotation for long-lived sockets).
 */
import { connect as netConnect, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import type { Duplex } from 'node:stream';
import { MAX_TRIES, type UpstreamAttempt } from './forward.ts';

export interface TunnelOptions {
  /** The request line and headers, ending with the blank line. */
  head: string;
  /** Bytes the client sent after its head. */
  early: Buffer;
  client: Duplex;
  tls: boolean;
  connectTimeoutMs: number;
  idleTimeoutMs: number;
  next: (tried: ReadonlySet<string>) => string | undefined;
}

export type TunnelOutcome =
  | { ok: true; attempts: UpstreamAttempt[]; /** Resolves with the upstream's status code once its first bytes arrive (0 if none). */ status: Promise<number> }
  | { ok: false; status: 502 | 504; attempts: UpstreamAttempt[] };

/** Builds the request head of an upgrade request from raw header pairs. */
export function requestHead(method: string, path: string, headers: string[]): string {
  let s = `${method} ${path} HTTP/1.1\r\n`;
  for (let i = 0; i < headers.length; i += 2) s += `${headers[i]}: ${headers[i + 1]}\r\n`;
  return s + '\r\n';
}

export function tunnel(o: TunnelOptions, done: (r: TunnelOutcome) => void): void {
  const attempts: UpstreamAttempt[] = [];
  const tried = new Set<string>();
  let clientGone = false;
  o.client.once('close', () => (clientGone = true));
  const tryNext = (lastTimedOut: boolean) => {
    const ep = attempts.length < MAX_TRIES && !clientGone ? o.next(tried) : undefined;
    if (ep === undefined) return done({ ok: false, status: lastTimedOut ? 504 : 502, attempts });
    tried.add(ep);
    const colon = ep.lastIndexOf(':');
    const t0 = performance.now();
    const rec: UpstreamAttempt = { addr: ep, status: '-', seconds: 0 };
    attempts.push(rec);
    const host = ep.slice(0, colon);
    const port = Number(ep.slice(colon + 1));
    const up: Socket = o.tls ? tlsConnect({ host, port, rejectUnauthorized: false }) : netConnect({ host, port });
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      up.destroy();
    }, o.connectTimeoutMs);
    const onConnectError = () => {
      clearTimeout(timer);
      rec.status = timedOut ? 504 : 502;
      rec.seconds = (performance.now() - t0) / 1000;
      tryNext(timedOut);
    };
    up.once('error', onConnectError);
    up.once(o.tls ? 'secureConnect' : 'connect', () => {
      clearTimeout(timer);
      up.removeListener('error', onConnectError);
      up.setNoDelay(true);
      up.write(o.head);
      if (o.early.length > 0) up.write(o.early);
      const status = new Promise<number>((resolve) => {
        up.once('data', (c: Buffer) => {
          const m = /^HTTP\/1\.[01] (\d{3})/.exec(c.toString('latin1', 0, Math.min(c.length, 16)));
          rec.status = m ? Number(m[1]) : '-';
          rec.seconds = (performance.now() - t0) / 1000;
          resolve(m ? Number(m[1]) : 0);
        });
        up.once('close', () => resolve(0));
      });
      up.setTimeout(o.idleTimeoutMs, () => up.destroy());
      const end = () => {
        up.destroy();
        o.client.destroy();
      };
      up.on('error', end);
      o.client.on('error', end);
      up.on('close', end);
      o.client.on('close', end);
      up.pipe(o.client);
      o.client.pipe(up);
      done({ ok: true, attempts, status });
    });
  };
  tryNext(false);
}
