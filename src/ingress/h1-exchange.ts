/**
 * @module One request of the HTTP/1.1 fast path at the endpoints: tries
 * (proxy_next_upstream error timeout, 3 tries, a resend on a kept-alive
 * connection the upstream had just closed), connect and read timeouts,
 * the response head rewritten as nginx sends it (Server: nginx, its own
 * Date, hop-by-hop headers gone) and the body relayed as received, with
 * backpressure both ways; plus the request's access-log line and count.
 */
import type { Socket } from 'node:net';
import { formatAccess } from './access-log.ts';
import { affinityCookie, cookieValue } from './balancer.ts';
import { MAX_TRIES, type UpstreamAttempt } from './forward.ts';
import { MAX_HEAD, newChunkScan, parseResponseHead, scanChunked, type ChunkScan, type RequestHead, type ResponseHead } from './h1-parse.ts';
import type { H1Pool, UpConn, UpstreamOwner } from './h1-pool.ts';
import type { HandlerState } from './handler.ts';
import { forwardedFor, newRequestId, upstreamHeaders } from './headers.ts';
import { rewriteUri } from './match.ts';
import type { Route, Upstream } from './types.ts';
import { requestHead } from './websocket.ts';

/** What an exchange needs of its client connection (h1-front.ts's ClientConn). */
export interface ExchangeClient {
  readonly sock: Socket;
  readonly remote: string;
  readonly deps: { st: HandlerState; pool: H1Pool; closing: () => boolean };
  /** Close the connection after the current response. */
  close: boolean;
  readonly gone: boolean;
  writeLocal(status: number, method: string, extra?: string[], empty?: boolean): number;
  exchangeDone(): void;
}

export const CRLF2 = Buffer.from('\r\n\r\n');
export const EMPTY = Buffer.alloc(0);
const IDEMPOTENT = new Set(['GET', 'HEAD', 'OPTIONS', 'TRACE', 'PUT', 'DELETE']);
const DROP_RESPONSE = new Set(['server', 'date', 'connection', 'keep-alive', 'proxy-connection', 'upgrade']);

let dateSec = -1;
let dateStr = '';
/** nginx's Date header value, computed once a second. */
export function httpDate(): string {
  const s = Math.floor(Date.now() / 1000);
  if (s !== dateSec) {
    dateSec = s;
    dateStr = new Date(s * 1000).toUTCString();
  }
  return dateStr;
}

/** The request headers the front needs, found in one pass. */
export function pick(raw: string[]) {
  let origin, cookie, requestId, referer, userAgent: string | undefined;
  for (let i = 0; i < raw.length; i += 2) {
    const n = raw[i];
    if (n.length === 6 && n.toLowerCase() === 'origin') origin = raw[i + 1];
    else if (n.length === 6 && n.toLowerCase() === 'cookie') cookie = cookie === undefined ? raw[i + 1] : `${cookie}; ${raw[i + 1]}`;
    else if (n.length === 12 && n.toLowerCase() === 'x-request-id') requestId = raw[i + 1];
    else if (n.length === 7 && n.toLowerCase() === 'referer') referer = raw[i + 1];
    else if (n.length === 10 && n.toLowerCase() === 'user-agent') userAgent = raw[i + 1];
  }
  return { origin, cookie, requestId, referer, userAgent };
}

/** The access-log line and the count of one request. */
export class LogRec {
  readonly c: ExchangeClient;
  readonly req: RequestHead;
  readonly route: Route;
  readonly host: string;
  readonly h: ReturnType<typeof pick>;
  readonly headLen: number;
  readonly t0 = performance.now();
  readonly requestId: string;
  attempts: UpstreamAttempt[] = [];
  bytes = 0;

  constructor(c: ExchangeClient, req: RequestHead, route: Route, host: string, h: ReturnType<typeof pick>, headLen: number) {
    this.c = c;
    this.req = req;
    this.route = route;
    this.host = host;
    this.h = h;
    this.headLen = headLen;
    this.requestId = h.requestId || newRequestId();
  }

  done(status: number): void {
    const st = this.c.deps.st;
    st.counts.add(this.host, status);
    if (!st.accessLog) return;
    st.accessLog(
      formatAccess({
        remoteAddr: this.c.remote,
        method: this.req.method,
        url: this.req.target,
        httpVersion: '1.1',
        status,
        bodyBytes: this.bytes,
        referer: this.h.referer,
        userAgent: this.h.userAgent,
        requestLength: this.headLen + this.req.contentLength,
        requestTime: (performance.now() - this.t0) / 1000,
        upstreamName: this.route.upstream === '' ? 'upstream-default-backend' : this.route.upstream,
        upstreamAddrs: this.attempts.map((a) => a.addr),
        upstreamLength: this.bytes,
        upstreamTimes: this.attempts.map((a) => a.seconds),
        upstreamStatuses: this.attempts.map((a) => a.status),
        requestId: this.requestId,
      }),
    );
  }
}

/** One request to the endpoints: tries, the response relayed to the client. */
export class Exchange implements UpstreamOwner {
  readonly c: ExchangeClient;
  readonly req: RequestHead;
  readonly route: Route;
  readonly up: Upstream;
  readonly log: LogRec;
  readonly head: string;
  readonly tried = new Set<string>();
  extra: string[] | undefined;
  readonly affinityCookie: string | undefined;
  uc: UpConn | undefined;
  rec: UpstreamAttempt | undefined;
  t0 = 0;
  bodyLeft: number;
  queue: Buffer[] = [];
  bodyStarted = false;
  sent = false;
  timedOut = false;
  resent = false;
  connectTimer: NodeJS.Timeout | undefined;
  readTimer: NodeJS.Timeout | undefined;
  respBuf: Buffer = EMPTY;
  resp: ResponseHead | undefined;
  /** The response head not yet written (it leaves with the first body bytes). */
  respHead = '';
  left = 0;
  scan: ChunkScan | undefined;
  finished = false;

  constructor(c: ExchangeClient, req: RequestHead, route: Route, up: Upstream, path: string, query: string, h: ReturnType<typeof pick>, log: LogRec, cors: string[] | undefined) {
    this.c = c;
    this.req = req;
    this.route = route;
    this.up = up;
    this.log = log;
    this.extra = cors;
    this.bodyLeft = req.contentLength;
    const aff = route.config.affinity;
    this.affinityCookie = aff ? cookieValue(h.cookie, aff.name) : undefined;
    const headers = upstreamHeaders(req.raw, {
      host: req.host,
      remoteAddr: c.remote,
      scheme: 'http',
      port: String(c.sock.localPort ?? 80),
      requestId: log.requestId,
      originalForwardedFor: forwardedFor(req.raw),
    });
    this.head = requestHead(req.method, rewriteUri(route, path, query), headers);
  }

  start(bodyNow: Buffer): void {
    if (bodyNow.length > 0) {
      this.queue.push(bodyNow);
      this.bodyLeft -= bodyNow.length;
    }
    this.tryNext();
  }

  tryNext(): void {
    const aff = this.route.config.affinity;
    const p = this.log.attempts.length < MAX_TRIES ? this.c.deps.st.balancer.pick(this.up, this.tried, aff ? { config: aff, cookie: this.affinityCookie } : undefined) : undefined;
    if (!p) return this.fail(this.timedOut ? 504 : 502);
    if (p.setCookie && aff) this.extra = [...(this.extra ?? []), 'Set-Cookie', affinityCookie(aff, this.route, p.setCookie, false)];
    this.attempt(p.endpoint);
  }

  attempt(ep: string): void {
    this.tried.add(ep);
    this.timedOut = false;
    this.sent = false;
    this.t0 = performance.now();
    this.rec = { addr: ep, status: '-', seconds: 0 };
    this.log.attempts.push(this.rec);
    const uc = this.c.deps.pool.acquire(ep);
    this.uc = uc;
    uc.owner = this;
    if (uc.ready) this.send();
    else this.connectTimer = setTimeout(() => this.upFailed(true), this.route.config.proxyConnectTimeoutSeconds * 1000);
  }

  onUpConnect(): void {
    clearTimeout(this.connectTimer);
    this.send();
  }

  send(): void {
    const s = this.uc!.sock;
    this.sent = true;
    s.write(this.head, 'latin1');
    for (const b of this.queue) s.write(b);
    if (this.queue.length > 0) this.bodyStarted = true;
    this.queue = [];
    this.readTimer = setTimeout(() => this.onReadTimeout(), this.route.config.proxyReadTimeoutSeconds * 1000);
  }

  /** Body bytes of this request from the client; returns what belongs to the next request. */
  onClientData(b: Buffer): Buffer {
    if (this.bodyLeft === 0) return b;
    const part = b.subarray(0, this.bodyLeft);
    this.bodyLeft -= part.length;
    if (this.uc && this.sent) {
      this.bodyStarted = true;
      if (!this.uc.sock.write(part)) this.c.sock.pause();
    } else {
      this.queue.push(part);
      if (this.queue.length > 16) this.c.sock.pause();
    }
    return b.subarray(part.length);
  }

  onUpDrain(): void {
    if (!this.c.gone) this.c.sock.resume();
  }

  onClientDrain(): void {
    this.uc?.sock.resume();
  }

  onReadTimeout(): void {
    if (this.resp) {
      // Silent mid-body: nothing sensible can reach the client any more.
      this.abandon();
      return;
    }
    this.upFailed(true);
  }

  /** The attempt failed before a response head: another endpoint, a resend, or an error page. */
  upFailed(timedOut: boolean): void {
    clearTimeout(this.connectTimer);
    clearTimeout(this.readTimer);
    const uc = this.uc;
    this.uc = undefined;
    if (uc) this.c.deps.pool.discard(uc);
    if (this.finished || this.c.gone) return;
    this.timedOut = timedOut;
    const rec = this.rec!;
    rec.status = timedOut ? 504 : 502;
    rec.seconds = (performance.now() - this.t0) / 1000;
    const idempotent = IDEMPOTENT.has(this.req.method);
    // A kept-alive connection the upstream closed just as it was reused: send again once, same endpoint.
    if (uc?.reused && this.sent && !timedOut && !this.resent && !this.bodyStarted && idempotent && this.respBuf.length === 0) {
      this.resent = true;
      this.log.attempts.pop();
      return this.attempt(rec.addr);
    }
    if (!this.sent || (idempotent && this.req.contentLength === 0)) return this.tryNext();
    this.fail(timedOut ? 504 : 502);
  }

  onUpClose(): void {
    if (this.resp?.framing.kind === 'close') return this.complete(false);
    if (this.resp) return this.abandon();
    this.upFailed(false);
  }

  onUpData(b: Buffer): void {
    this.readTimer?.refresh();
    if (!this.resp) {
      this.respBuf = this.respBuf.length === 0 ? b : Buffer.concat([this.respBuf, b]);
      for (;;) {
        const i = this.respBuf.indexOf(CRLF2);
        if (i < 0) {
          if (this.respBuf.length > MAX_HEAD) this.abandonUpstream();
          return;
        }
        const resp = parseResponseHead(this.respBuf.toString('latin1', 0, i), this.req.method === 'HEAD');
        if (!resp || resp.status === 101) return this.abandonUpstream();
        const rest = this.respBuf.subarray(i + 4);
        // Interim responses (100, 103) are not passed on, as nginx does not.
        if (resp.status < 200) {
          this.respBuf = rest;
          continue;
        }
        this.respBuf = EMPTY;
        // Head and the first body bytes leave in one write, as nginx sends them.
        this.begin(resp);
        this.relay(rest);
        return;
      }
    }
    this.relay(b);
  }

  /** A response head the proxy cannot use: the attempt counts as failed (502), as nginx's "upstream sent invalid header". */
  abandonUpstream(): void {
    this.sent = true;
    this.bodyStarted = true;
    this.upFailed(false);
  }

  begin(resp: ResponseHead): void {
    this.resp = resp;
    const rec = this.rec!;
    rec.status = resp.status;
    rec.seconds = (performance.now() - this.t0) / 1000;
    if (resp.framing.kind === 'close' || this.c.deps.closing()) this.c.close = true;
    let h = `HTTP/1.1 ${resp.status} ${resp.reason}\r\nServer: nginx\r\nDate: ${httpDate()}\r\n`;
    const raw = resp.raw;
    for (let i = 0; i < raw.length; i += 2) {
      const n = raw[i];
      if (n.length <= 16 && DROP_RESPONSE.has(n.toLowerCase())) continue;
      h += `${n}: ${raw[i + 1]}\r\n`;
    }
    const x = this.extra;
    if (x) for (let i = 0; i < x.length; i += 2) h += `${x[i]}: ${x[i + 1]}\r\n`;
    if (this.c.close) h += 'Connection: close\r\n';
    // Written with the first body bytes by relay() (one Buffer: cheaper than a corked writev).
    this.respHead = h + '\r\n';
    if (resp.framing.kind === 'length') this.left = resp.framing.n;
    else if (resp.framing.kind === 'chunked') this.scan = newChunkScan();
  }

  /** The pending response head and the first body bytes in one Buffer. */
  withHead(body: Buffer): Buffer {
    const n = this.respHead.length;
    const out = Buffer.allocUnsafe(n + body.length);
    out.write(this.respHead, 0, 'latin1');
    body.copy(out, n);
    this.respHead = '';
    return out;
  }

  relay(b: Buffer): void {
    const f = this.resp!.framing.kind;
    let end = b.length;
    let done = false;
    if (f === 'none') done = true;
    else if (f === 'length') {
      end = Math.min(this.left, b.length);
      this.left -= end;
      done = this.left === 0;
    } else if (f === 'chunked') {
      const e = scanChunked(this.scan!, b, 0);
      if (e === -2) return this.abandon();
      if (e >= 0) {
        end = e;
        done = true;
      }
    }
    if (end > 0) {
      this.log.bytes += end;
      const body = end === b.length ? b : b.subarray(0, end);
      if (!this.c.sock.write(this.respHead === '' ? body : this.withHead(body))) this.uc?.sock.pause();
    } else if (this.respHead !== '') {
      this.c.sock.write(this.respHead, 'latin1');
      this.respHead = '';
    }
    if (done) this.complete(end === b.length);
  }

  /** The response ended; the connection goes back to the pool when the exchange was clean. */
  complete(clean: boolean): void {
    if (this.finished) return;
    this.finished = true;
    clearTimeout(this.readTimer);
    const uc = this.uc;
    this.uc = undefined;
    if (uc) {
      if (clean && !this.resp!.close && this.bodyLeft === 0) this.c.deps.pool.release(uc);
      else this.c.deps.pool.discard(uc);
    }
    // The client still sending a body the upstream did not wait for: close after this response.
    if (this.bodyLeft > 0) this.c.close = true;
    this.log.done(this.resp!.status);
    this.c.exchangeDone();
  }

  /** Failure after the response head went out: cut both sides (nginx cannot fix the status either). */
  abandon(): void {
    if (this.finished) return;
    this.finished = true;
    clearTimeout(this.readTimer);
    const uc = this.uc;
    this.uc = undefined;
    if (uc) this.c.deps.pool.discard(uc);
    this.log.done(this.resp?.status ?? 502);
    this.c.sock.destroy();
  }

  fail(status: number): void {
    if (this.finished) return;
    this.finished = true;
    clearTimeout(this.readTimer);
    if (this.bodyLeft > 0) this.c.close = true;
    this.log.bytes = this.c.writeLocal(status, this.req.method);
    this.log.done(status);
    this.c.exchangeDone();
  }

  onClientClose(): void {
    if (this.finished) return;
    this.finished = true;
    clearTimeout(this.connectTimer);
    clearTimeout(this.readTimer);
    const uc = this.uc;
    this.uc = undefined;
    if (uc) this.c.deps.pool.discard(uc);
    // nginx logs 499 for a client that went away before the answer.
    this.log.done(this.resp?.status ?? 499);
  }
}
