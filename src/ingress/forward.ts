/**
 * @module One request to an upstream over HTTP/1.1 (backend-protocol HTTP
 * or HTTPS, the latter without certificate verification as nginx's
 * proxy_ssl_verify off), through keep-alive pools straight to endpoint
 * addresses, with nginx's `proxy_next_upstream error timeout` and
 * `proxy_next_upstream_tries 3`: a failed connect moves to another
 * endpoint; a failure after the request went out moves on only for an
 * idempotent request without a body. The request body is piped only once
 * the connection is up, so that a refused connect can still be retried.
 */
import { Agent as HttpAgent, request as httpRequest, type ClientRequest, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import type { Readable } from 'node:stream';

/** ingress-nginx's proxy-next-upstream-tries default. */
export const MAX_TRIES = 3;

/** One try of one request, for the access log (`$upstream_addr`, `$upstream_status`, `$upstream_response_time`). */
export interface UpstreamAttempt {
  addr: string;
  status: number | string;
  seconds: number;
}

export interface ForwardOptions {
  method: string;
  /** The request target sent upstream (after rewrite-target). */
  path: string;
  /** Raw header pairs, Host first. */
  headers: string[];
  /** The client's request, read only when it has a body. */
  body: Readable;
  hasBody: boolean;
  /** Bytes allowed when the body has no Content-Length (chunked); 0 = unlimited. */
  streamLimit: number;
  tls: boolean;
  connectTimeoutMs: number;
  readTimeoutMs: number;
  /** The endpoint for the next try, undefined when none is left. */
  next: (tried: ReadonlySet<string>) => string | undefined;
}

export type ForwardOutcome =
  | { ok: true; res: IncomingMessage; attempts: UpstreamAttempt[] }
  | { ok: false; status: 413 | 502 | 504; attempts: UpstreamAttempt[] };

/** nginx retries non-idempotent methods only if nothing was sent (proxy_next_upstream's `non_idempotent` is off). */
const IDEMPOTENT = new Set(['GET', 'HEAD', 'OPTIONS', 'TRACE', 'PUT', 'DELETE']);

export interface InFlight {
  /** The client went away: stop the upstream request. */
  abort(): void;
}

export class UpstreamClient {
  // ingress-nginx keeps 320 idle connections per worker for 60 s (upstream-keepalive-connections/-timeout).
  readonly #http = new HttpAgent({ keepAlive: true, maxFreeSockets: 320, timeout: 60_000, scheduling: 'lifo' });
  readonly #https = new HttpsAgent({ keepAlive: true, maxFreeSockets: 320, timeout: 60_000, scheduling: 'lifo', rejectUnauthorized: false });

  forward(o: ForwardOptions, done: (r: ForwardOutcome) => void): InFlight {
    const attempts: UpstreamAttempt[] = [];
    const tried = new Set<string>();
    let current: ClientRequest | undefined;
    let finished = false;
    let aborted = false;
    let bodyStarted = false;
    let resent = false;
    const finish = (r: ForwardOutcome) => {
      if (finished) return;
      finished = true;
      done(r);
    };
    const tryNext = (timedOut: boolean) => {
      const ep = attempts.length < MAX_TRIES ? o.next(tried) : undefined;
      if (ep === undefined) return finish({ ok: false, status: timedOut ? 504 : 502, attempts });
      attempt(ep);
    };
    const attempt = (ep: string) => {
      tried.add(ep);
      const colon = ep.lastIndexOf(':');
      const t0 = performance.now();
      const rec: UpstreamAttempt = { addr: ep, status: '-', seconds: 0 };
      attempts.push(rec);
      let connected = false;
      let timedOut = false;
      let responded = false;
      let connectTimer: NodeJS.Timeout | undefined;
      const req = (o.tls ? httpsRequest : httpRequest)({
        host: ep.slice(0, colon),
        port: Number(ep.slice(colon + 1)),
        method: o.method,
        path: o.path,
        headers: o.headers as unknown as Record<string, string>,
        setHost: false,
        agent: o.tls ? this.#https : this.#http,
      });
      current = req;
      const startBody = () => {
        connected = true;
        if (!o.hasBody || bodyStarted) return;
        bodyStarted = true;
        if (o.streamLimit > 0) {
          let n = 0;
          o.body.on('data', (c: Buffer) => {
            n += c.length;
            if (n > o.streamLimit && !finished) {
              req.destroy();
              finish({ ok: false, status: 413, attempts });
            }
          });
        }
        o.body.pipe(req);
      };
      if (!o.hasBody) req.end();
      req.on('socket', (s) => {
        if (!s.connecting) return startBody();
        connectTimer = setTimeout(() => {
          timedOut = true;
          req.destroy();
        }, o.connectTimeoutMs);
        s.once('connect', () => {
          clearTimeout(connectTimer);
          startBody();
        });
      });
      // proxy_read_timeout up to the response header (the handler watches the body). A timer of our own:
      // the socket's idle timeout belongs to the keep-alive agent.
      const readTimer = setTimeout(() => {
        timedOut = true;
        req.destroy();
      }, o.readTimeoutMs);
      req.on('response', (res) => {
        clearTimeout(readTimer);
        responded = true;
        rec.status = res.statusCode ?? 0;
        rec.seconds = (performance.now() - t0) / 1000;
        finish({ ok: true, res, attempts });
      });
      req.on('error', (err: NodeJS.ErrnoException) => {
        clearTimeout(connectTimer);
        clearTimeout(readTimer);
        // After the response started, its own stream reports the failure to the handler.
        if (responded || aborted || finished) return;
        rec.seconds = (performance.now() - t0) / 1000;
        rec.status = timedOut ? 504 : 502;
        // A kept-alive connection the upstream closed just as it was reused: send again once, same endpoint.
        if (req.reusedSocket && !timedOut && !resent && !bodyStarted && IDEMPOTENT.has(o.method) && (err.code === 'ECONNRESET' || err.code === 'EPIPE')) {
          resent = true;
          attempts.pop();
          return attempt(ep);
        }
        const safe = !connected || (!o.hasBody && IDEMPOTENT.has(o.method));
        if (safe) tryNext(timedOut);
        else finish({ ok: false, status: timedOut ? 504 : 502, attempts });
      });
    };
    tryNext(false);
    return {
      abort() {
        aborted = true;
        current?.destroy();
      },
    };
  }

  close(): void {
    this.#http.destroy();
    this.#https.destroy();
  }
}
