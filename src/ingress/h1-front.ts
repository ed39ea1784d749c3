/**
 * @module The fast path of the plain-HTTP port: HTTP/1.1 parsed and relayed
 * on raw sockets, because node:http's server and client cost ~100 µs a
 * request on this machine where a socket relay costs ~30 µs and nginx ~20.
 * It takes the common case, an HTTP/1.1 request without a body or with a
 * Content-Length body, to an HTTP backend, with the same routing, policy,
 * headers, retries, timeouts, access log and counts as handler.ts; the
 * response body is relayed as received (Content-Length, chunked, or until
 * close). Anything else (HTTP/1.0, chunked uploads, Upgrade, Expect,
 * HTTPS/gRPC backends, parse surprises) hands the connection, with the
 * bytes already read, to node:http at a request boundary.
 */
import type { Socket } from 'node:net';
import { CRLF2, EMPTY, Exchange, LogRec, httpDate, pick, type ExchangeClient } from './h1-exchange.ts';
import { MAX_HEAD, parseRequestHead, type RequestHead } from './h1-parse.ts';
import type { H1Pool } from './h1-pool.ts';
import type { HandlerState } from './handler.ts';
import { plainAddress } from './headers.ts';
import { match } from './match.ts';
import { errorPage, pageTitle } from './pages.ts';
import { decide } from './policy.ts';

export interface FrontDeps {
  st: HandlerState;
  pool: H1Pool;
  /** Hands a connection, and the bytes read from it but not handled, to node:http. */
  fallback: (sock: Socket, unread: Buffer) => void;
  /** True once the proxy is closing: connections end after their current request. */
  closing: () => boolean;
}

const CLIENT_IDLE_MS = 75_000;

// keepalive_timeout by a sweep over idle connections rather than a socket timeout, which would re-arm a
// timer on every read and write.
const live = new Set<ClientConn>();
let sweeper: NodeJS.Timeout | undefined;

function sweep(): void {
  const old = Date.now() - CLIENT_IDLE_MS;
  for (const c of live) if (!c.ex && c.lastActive < old) c.sock.destroy();
  if (live.size === 0) {
    clearInterval(sweeper);
    sweeper = undefined;
  }
}

/** At shutdown: idle kept-alive connections of this front close now (busy ones after their request, as nginx does). */
export function closeIdleFast(deps: FrontDeps): void {
  for (const c of live) if (c.deps === deps && !c.ex) c.sock.destroy();
}

export function fastConnection(deps: FrontDeps, sock: Socket): void {
  live.add(new ClientConn(deps, sock));
  sweeper ??= setInterval(sweep, 5000).unref();
}

class ClientConn implements ExchangeClient {
  readonly deps: FrontDeps;
  readonly sock: Socket;
  readonly remote: string;
  buf: Buffer = EMPTY;
  ex: Exchange | undefined;
  close = false;
  gone = false;
  lastActive = Date.now();
  readonly #onData = (b: Buffer) => this.onData(b);
  readonly #onClose = () => this.onClose();
  readonly #onDrain = () => this.ex?.onClientDrain();
  readonly #onError = () => undefined;

  constructor(deps: FrontDeps, sock: Socket) {
    this.deps = deps;
    this.sock = sock;
    this.remote = plainAddress(sock.remoteAddress);
    sock.setNoDelay(true);
    sock.on('data', this.#onData);
    sock.on('close', this.#onClose);
    sock.on('drain', this.#onDrain);
    sock.on('error', this.#onError);
  }

  onData(b: Buffer): void {
    this.lastActive = Date.now();
    if (this.ex) {
      const rest = this.ex.onClientData(b);
      if (rest.length > 0) {
        this.buf = this.buf.length === 0 ? rest : Buffer.concat([this.buf, rest]);
        // A pipelining client waits while its earlier request is answered.
        if (this.buf.length > 65536) this.sock.pause();
      }
      return;
    }
    this.buf = this.buf.length === 0 ? b : Buffer.concat([this.buf, b]);
    this.next();
  }

  onClose(): void {
    live.delete(this);
    this.gone = true;
    this.ex?.onClientClose();
  }

  /** Handles buffered requests until one is in flight or the buffer has no whole head. */
  next(): void {
    while (!this.ex && !this.gone && this.buf.length > 0) {
      const i = this.buf.indexOf(CRLF2);
      if (i < 0) {
        if (this.buf.length > MAX_HEAD) this.handOver();
        return;
      }
      const req = parseRequestHead(this.buf.toString('latin1', 0, i));
      if (!req) return this.handOver();
      if (!this.handle(req, i + 4)) return this.handOver();
    }
    if (this.sock.isPaused() && !this.ex) this.sock.resume();
  }

  handOver(): void {
    const s = this.sock;
    s.removeListener('data', this.#onData);
    s.removeListener('close', this.#onClose);
    s.removeListener('drain', this.#onDrain);
    s.removeListener('error', this.#onError);
    live.delete(this);
    const unread = this.buf;
    this.buf = EMPTY;
    this.gone = true;
    this.deps.fallback(s, unread);
  }

  /** One request whose head ends at `bodyAt`; false = leave it (and the connection) to node:http. */
  handle(req: RequestHead, bodyAt: number): boolean {
    const st = this.deps.st;
    const table = st.table;
    const q = req.target.indexOf('?');
    const path = q < 0 ? req.target : req.target.slice(0, q);
    const m = match(table, req.host, path);
    const route = m.route;
    const up = route.upstream === '' ? undefined : table.upstreams[route.upstream];
    const h = pick(req.raw);
    const d = decide(m, { method: req.method, scheme: 'http', host: req.host, path, uri: req.target, remoteAddr: this.remote, origin: h.origin, contentLength: req.contentLength }, up?.endpoints.length ?? 0);
    if (d.kind === 'proxy' && route.config.backendProtocol !== 'HTTP') return false;
    const log = new LogRec(this, req, route, m.server?.host || '_', h, bodyAt);
    this.close = req.connectionClose || this.deps.closing();
    if (d.kind === 'respond' || !up) {
      const status = d.kind === 'respond' ? d.status : 404;
      // A body we do not read would be taken for the next request: answer, then close.
      if (req.contentLength > 0) this.close = true;
      this.buf = this.buf.subarray(bodyAt);
      log.bytes = this.writeLocal(status, req.method, d.kind === 'respond' ? d.headers : undefined, d.kind === 'respond' && d.empty);
      log.done(status);
      if (this.close) {
        this.buf = EMPTY;
        this.sock.end();
      }
      return true;
    }
    const rest = this.buf.subarray(bodyAt);
    const bodyNow = rest.subarray(0, req.contentLength);
    this.buf = rest.subarray(bodyNow.length);
    const ex = new Exchange(this, req, route, up, path, q < 0 ? '' : req.target.slice(q), h, log, d.cors);
    this.ex = ex;
    ex.start(bodyNow);
    return true;
  }

  /** nginx's own page for a status (or an empty answer), keep-alive unless closing. Returns the body length. */
  writeLocal(status: number, method: string, extra?: string[], empty = false): number {
    const body = empty || status === 204 || method === 'HEAD' ? undefined : errorPage(status);
    if (this.deps.closing()) this.close = true;
    let head = `HTTP/1.1 ${pageTitle(status)}\r\nServer: nginx\r\nDate: ${httpDate()}\r\n`;
    if (!empty) head += `Content-Type: text/html\r\nContent-Length: ${errorPage(status).length}\r\n`;
    if (extra) for (let i = 0; i < extra.length; i += 2) head += `${extra[i]}: ${extra[i + 1]}\r\n`;
    if (this.close) head += 'Connection: close\r\n';
    this.sock.write(body ? head + '\r\n' + body.toString('latin1') : head + '\r\n', 'latin1');
    return body?.length ?? 0;
  }

  exchangeDone(): void {
    this.ex = undefined;
    if (this.close || this.gone) {
      if (!this.gone) this.sock.end();
      return;
    }
    this.next();
  }
}

