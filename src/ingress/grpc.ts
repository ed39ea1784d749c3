/**
 * @module backend-protocol GRPC and GRPCS: the request goes to the endpoint
 * over HTTP/2 (cleartext prior knowledge, or TLS without verification, as
 * nginx's grpc_pass grpc:// and grpcs://), one multiplexed session per
 * endpoint, trailers passed back. A connect failure moves to another
 * endpoint (up to 3 tries); the body is sent only on a live session so
 * that such a retry still has it.
 */
import { connect, constants, type ClientHttp2Session, type ClientHttp2Stream, type IncomingHttpHeaders, type OutgoingHttpHeaders } from 'node:http2';
import type { Readable } from 'node:stream';
import { MAX_TRIES, type UpstreamAttempt } from './forward.ts';

export interface GrpcOptions {
  method: string;
  path: string;
  /** Lower-case request headers without pseudo-headers; `host` becomes :authority. */
  headers: Record<string, string>;
  body: Readable;
  hasBody: boolean;
  tls: boolean;
  connectTimeoutMs: number;
  readTimeoutMs: number;
  next: (tried: ReadonlySet<string>) => string | undefined;
}

export type GrpcOutcome =
  | { ok: true; status: number; headers: IncomingHttpHeaders; stream: ClientHttp2Stream; attempts: UpstreamAttempt[] }
  | { ok: false; status: 502 | 504; attempts: UpstreamAttempt[] };

export class GrpcClient {
  readonly #sessions = new Map<string, ClientHttp2Session>();

  #session(ep: string, tls: boolean): ClientHttp2Session {
    const key = `${tls ? 's' : 'c'}${ep}`;
    const old = this.#sessions.get(key);
    if (old && !old.closed && !old.destroyed) return old;
    const s = connect(`${tls ? 'https' : 'http'}://${ep}`, tls ? { rejectUnauthorized: false } : {});
    const drop = () => {
      if (this.#sessions.get(key) === s) this.#sessions.delete(key);
    };
    s.on('error', drop);
    s.on('close', drop);
    s.on('goaway', drop);
    this.#sessions.set(key, s);
    return s;
  }

  forward(o: GrpcOptions, done: (r: GrpcOutcome) => void): { abort(): void } {
    const attempts: UpstreamAttempt[] = [];
    const tried = new Set<string>();
    let finished = false;
    let current: ClientHttp2Stream | undefined;
    const finish = (r: GrpcOutcome) => {
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
      const t0 = performance.now();
      const rec: UpstreamAttempt = { addr: ep, status: '-', seconds: 0 };
      attempts.push(rec);
      const session = this.#session(ep, o.tls);
      let connected = !session.connecting;
      let timedOut = false;
      const { host, ...rest } = o.headers;
      const headers: OutgoingHttpHeaders = { ...rest, ':method': o.method, ':path': o.path, ':authority': host, ':scheme': o.tls ? 'https' : 'http' };
      const fail = () => {
        if (finished) return;
        rec.seconds = (performance.now() - t0) / 1000;
        rec.status = timedOut ? 504 : 502;
        if (!connected) tryNext(timedOut);
        else finish({ ok: false, status: timedOut ? 504 : 502, attempts });
      };
      const connectTimer = connected
        ? undefined
        : setTimeout(() => {
            timedOut = true;
            session.destroy();
          }, o.connectTimeoutMs);
      let stream: ClientHttp2Stream;
      try {
        stream = session.request(headers, { endStream: !o.hasBody });
      } catch {
        clearTimeout(connectTimer);
        return fail();
      }
      current = stream;
      const send = () => {
        clearTimeout(connectTimer);
        connected = true;
        if (o.hasBody) o.body.pipe(stream);
      };
      if (connected) send();
      else session.once('connect', send);
      stream.setTimeout(o.readTimeoutMs, () => {
        timedOut = true;
        stream.close(constants.NGHTTP2_CANCEL);
      });
      stream.on('response', (h) => {
        rec.status = Number(h[':status']);
        rec.seconds = (performance.now() - t0) / 1000;
        finish({ ok: true, status: rec.status, headers: h, stream, attempts });
      });
      stream.on('error', () => {
        clearTimeout(connectTimer);
        fail();
      });
      stream.on('close', () => {
        clearTimeout(connectTimer);
        fail();
      });
    };
    tryNext(false);
    return {
      abort() {
        finished = true;
        current?.close(constants.NGHTTP2_CANCEL);
      },
    };
  }

  close(): void {
    for (const s of this.#sessions.values()) s.destroy();
    this.#sessions.clear();
  }
}
