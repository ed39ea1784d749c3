/**
 * @module The proxy servers of one worker: plain HTTP/1.1 on the HTTP port,
 * and on the HTTPS port one TLS server speaking HTTP/2 and HTTP/1.1 (ALPN
 * h2, http/1.1) with the certificate chosen by SNI from the table's TLS
 * hosts, the default certificate otherwise (also when the client sends no
 * SNI). A new route table replaces the old one in one assignment: requests
 * in flight keep the table they started with and open connections stay.
 */
import { createServer as createHttpServer, type IncomingMessage, type Server as HttpServer } from 'node:http';
import { createSecureServer, type Http2SecureServer, type ServerHttp2Session } from 'node:http2';
import { createServer as createNetServer, type AddressInfo, type Server as NetServer, type Socket } from 'node:net';
import { createSecureContext, type SecureContext } from 'node:tls';
import type { Duplex } from 'node:stream';
import { Balancer } from './balancer.ts';
import { UpstreamClient } from './forward.ts';
import { GrpcClient } from './grpc.ts';
import { closeIdleFast, fastConnection, type FrontDeps } from './h1-front.ts';
import { H1Pool } from './h1-pool.ts';
import { handleRequest, handleUpgrade, type HandlerState } from './handler.ts';
import { serverFor } from './match.ts';
import { RequestCounts } from './metrics.ts';
import { IngressError, type RouteTable, type TlsCert } from './types.ts';

export interface ProxyOptions {
  httpPort: number;
  httpsPort: number;
  /** Listen address; undefined = every address (as ingress-nginx). */
  address?: string;
  defaultCert: TlsCert;
  /** Several workers each bind their own socket (SO_REUSEPORT); the kernel spreads connections. */
  reusePort?: boolean;
  accessLog?: (line: string) => void;
}

export function emptyTable(): RouteTable {
  return { version: 0, servers: [], upstreams: {}, certs: {} };
}

export class IngressProxy {
  readonly #opts: ProxyOptions;
  readonly #state: HandlerState;
  readonly #contexts = new Map<string, { pem: string; ctx: SecureContext }>();
  /** The plain-HTTP port: the raw fast path, which hands unusual connections to #http. */
  readonly #front: NetServer;
  readonly #deps: FrontDeps;
  readonly #http: HttpServer;
  readonly #https: Http2SecureServer;
  readonly #pool = new H1Pool();
  readonly #sockets = new Set<Socket>();
  readonly #sessions = new Set<ServerHttp2Session>();
  #listening = false;
  #closing = false;

  constructor(opts: ProxyOptions) {
    this.#opts = opts;
    this.#state = { table: emptyTable(), balancer: new Balancer(), http1: new UpstreamClient(), grpc: new GrpcClient(), counts: new RequestCounts(), accessLog: opts.accessLog };
    const st = this.#state;
    // nginx's keepalive_timeout as ingress-nginx sets it (keep-alive: 75 s).
    this.#http = createHttpServer({ keepAliveTimeout: 75_000, headersTimeout: 80_000 }, (req, res) => handleRequest(st, req, res, 'http'));
    this.#http.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => handleUpgrade(st, req, socket, head, 'http'));
    const deps: FrontDeps = {
      st,
      pool: this.#pool,
      closing: () => this.#closing,
      fallback: (sock: Socket, unread: Buffer) => {
        this.#http.emit('connection', sock);
        if (unread.length > 0) sock.emit('data', unread);
      },
    };
    this.#deps = deps;
    this.#front = createNetServer({ noDelay: true }, (sock) => fastConnection(deps, sock));
    this.#https = createSecureServer(
      {
        allowHTTP1: true,
        cert: opts.defaultCert.cert,
        key: opts.defaultCert.key,
        SNICallback: (name, cb) => cb(null, this.#contextFor(name)),
        settings: { enableConnectProtocol: false },
      },
      (req, res) => handleRequest(st, req, res, 'https'),
    );
    this.#https.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => handleUpgrade(st, req, socket, head, 'https'));
    for (const s of [this.#front, this.#https]) {
      s.on('connection', (sock: Socket) => {
        this.#sockets.add(sock);
        sock.once('close', () => this.#sockets.delete(sock));
      });
    }
    this.#https.on('session', (sess: ServerHttp2Session) => {
      this.#sessions.add(sess);
      sess.once('close', () => this.#sessions.delete(sess));
    });
    // A TLS handshake that fails (bad client, port scan) is the client's problem, never the worker's.
    this.#https.on('tlsClientError', () => undefined);
  }

  get counts(): RequestCounts {
    return this.#state.counts;
  }

  table(): RouteTable {
    return this.#state.table;
  }

  /** Swaps the route table; TLS contexts are rebuilt only for certificates that changed. */
  setTable(t: RouteTable): void {
    for (const [k, c] of Object.entries(t.certs)) {
      const have = this.#contexts.get(k);
      if (have && have.pem === c.cert + c.key) continue;
      try {
        this.#contexts.set(k, { pem: c.cert + c.key, ctx: createSecureContext({ cert: c.cert, key: c.key }) });
      } catch {
        this.#contexts.delete(k);
      }
    }
    for (const k of this.#contexts.keys()) if (!(k in t.certs)) this.#contexts.delete(k);
    this.#state.table = t;
  }

  #contextFor(servername: string): SecureContext | undefined {
    const s = serverFor(this.#state.table, servername.toLowerCase());
    if (!s || s.host === '' || !s.tlsSecret) return undefined;
    return this.#contexts.get(s.tlsSecret)?.ctx;
  }

  ready(): boolean {
    return this.#listening;
  }

  async start(signal: AbortSignal): Promise<void> {
    const listen = (srv: NetServer | Http2SecureServer, port: number) =>
      new Promise<void>((resolve, reject) => {
        srv.once('error', (e: NodeJS.ErrnoException) => reject(new IngressError('LISTEN', `listen on port ${port}: ${e.code ?? e.message}`)));
        srv.listen({ port, host: this.#opts.address, reusePort: this.#opts.reusePort ?? false, exclusive: this.#opts.reusePort ?? false }, () => resolve());
      });
    await listen(this.#front, this.#opts.httpPort);
    await listen(this.#https, this.#opts.httpsPort);
    this.#listening = true;
    signal.addEventListener('abort', () => void this.close(), { once: true });
  }

  ports(): { http: number; https: number } {
    return { http: (this.#front.address() as AddressInfo).port, https: (this.#https.address() as AddressInfo).port };
  }

  /** Stops accepting, lets requests in flight finish for up to graceMs, then cuts what is left. */
  async close(graceMs = 0): Promise<void> {
    if (!this.#listening) return;
    this.#listening = false;
    this.#closing = true;
    const closed = Promise.all([new Promise((r) => this.#front.close(r)), new Promise((r) => this.#https.close(r))]);
    this.#http.closeIdleConnections();
    closeIdleFast(this.#deps);
    // GOAWAY: streams in flight finish, no new ones start.
    for (const sess of this.#sessions) sess.close();
    const t = setTimeout(() => {
      for (const s of this.#sockets) s.destroy();
    }, graceMs);
    await closed;
    clearTimeout(t);
    this.#state.http1.close();
    this.#state.grpc.close();
    this.#pool.close();
  }
}
