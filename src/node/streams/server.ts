/**
 * @module The agent's stream server, the kubelet API subset the apiserver
 * proxies to: GET /containerLogs/{ns}/{pod}/{container}, and the upgrades
 * /exec/{ns}/{pod}/{container}, /attach/{ns}/{pod}/{container} (WebSocket
 * v5/v4 channel protocols) and /portForward/{ns}/{pod} (SPDY/3.1, raw or
 * tunnelled in a WebSocket). Plain HTTP on loopback, authenticated with the
 * cluster's bearer token; errors carry the kubelet's status codes and
 * wording (plain text for logs, a Status for refused upgrades).
 */
import { createServer, STATUS_CODES, type IncomingMessage, type ServerResponse } from 'node:http';
import { timingSafeEqual } from 'node:crypto';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { PORT_FORWARD_TUNNEL, PROTOCOL_V4, PROTOCOL_V5, selectProtocol } from './channel.ts';
import { parseLogQuery } from './cri-log.ts';
import { runAttach } from './attach.ts';
import { runExec, type StdioRequest } from './exec.ts';
import { readLogs } from './log-reader.ts';
import { servePortForward } from './port-forward.ts';
import { ChannelSession } from './session.ts';
import { SpdyConnection } from './spdy.ts';
import { socketTransport, wsTransport } from './transport.ts';
import { StreamError, type ContainerView, type PodRuntimeView, type PodView } from './types.ts';

export interface StreamServerOptions {
  runtime: PodRuntimeView;
  /** The cluster token the apiserver presents as `Authorization: Bearer`. */
  token: string;
  /** Listen address; loopback, the apiserver reaches the agent on the same host. */
  host?: string;
  /** 0 picks a free port (see `port` after start). */
  port?: number;
  log?: (line: string) => void;
}

type Route = { kind: 'containerLogs' | 'exec' | 'attach'; namespace: string; pod: string; container: string } | { kind: 'portForward'; namespace: string; pod: string };

export function parseRoute(pathname: string): Route | undefined {
  let parts: string[];
  try {
    parts = pathname.split('/').filter(Boolean).map(decodeURIComponent);
  } catch {
    return undefined;
  }
  const [kind, namespace, pod, container] = parts;
  if ((kind === 'containerLogs' || kind === 'exec' || kind === 'attach') && parts.length === 4) return { kind, namespace, pod, container };
  if (kind === 'portForward' && parts.length === 3) return { kind, namespace, pod };
  return undefined;
}

/** The kubelet's stream options (remotecommand NewOptions): input/output/error/tty = "1". */
export function stdioOptions(q: URLSearchParams): StdioRequest {
  const on = (k: string) => q.get(k) === '1' || q.get(k) === 'true';
  const tty = on('tty');
  const req = { stdin: on('input'), stdout: on('output'), stderr: on('error') && !tty, tty };
  if (!req.stdin && !req.stdout && !req.stderr) throw new StreamError('BAD_REQUEST', 'you must specify at least 1 of stdin, stdout, stderr');
  return req;
}

const REASONS: Record<number, string> = { 400: 'BadRequest', 401: 'Unauthorized', 404: 'NotFound', 422: 'Invalid', 500: 'InternalError' };

/**
 * Refuses an upgrade. The body is a metav1.Status rather than the kubelet's
 * plain text: kubectl decodes a Status from a failed WebSocket or SPDY
 * handshake (and makes nothing readable of plain text in the SPDY case).
 */
function rejectUpgrade(socket: Duplex, status: number, text: string): void {
  const body = JSON.stringify({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: text.trim(), reason: REASONS[status] ?? '', code: status });
  socket.end(`HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
}

export class StreamServer {
  readonly #opts: StreamServerOptions;
  readonly #token: Buffer;
  readonly #wss: WebSocketServer;
  readonly #upgraded = new Set<Duplex>();
  #port = 0;
  #ready = false;

  constructor(opts: StreamServerOptions) {
    this.#opts = opts;
    this.#token = Buffer.from(opts.token);
    this.#wss = new WebSocketServer({
      noServer: true,
      perMessageDeflate: false,
      handleProtocols: (offered, req) => selectProtocol(offered, this.#protocolsFor(req)) ?? false,
    });
  }

  get port(): number {
    return this.#port;
  }

  ready(): boolean {
    return this.#ready;
  }

  async start(signal: AbortSignal): Promise<void> {
    const server = createServer((req, res) => {
      this.#handle(req, res).catch((e) => this.#fail(res, e));
    });
    server.requestTimeout = 0; // logs -f lasts as long as the client wants
    server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
      socket.on('error', () => {});
      try {
        this.#upgrade(req, socket, head);
      } catch (e) {
        const err = e instanceof StreamError ? e : new StreamError('INTERNAL', (e as Error).message);
        rejectUpgrade(socket, err.httpStatus, err.message);
      }
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.#opts.port ?? 0, this.#opts.host ?? '127.0.0.1', () => resolve());
    });
    const addr = server.address();
    this.#port = typeof addr === 'object' && addr ? addr.port : 0;
    this.#ready = true;
    const stop = () => {
      this.#ready = false;
      server.close();
      server.closeAllConnections();
      for (const s of this.#upgraded) s.destroy();
      this.#wss.close();
    };
    if (signal.aborted) stop();
    else signal.addEventListener('abort', stop, { once: true });
  }

  #authenticated(req: IncomingMessage): boolean {
    const h = String(req.headers.authorization ?? '');
    if (!h.startsWith('Bearer ')) return false;
    const given = Buffer.from(h.slice(7).trim());
    return given.length === this.#token.length && timingSafeEqual(given, this.#token);
  }

  #protocolsFor(req: IncomingMessage): string[] {
    return parseRoute(new URL(req.url ?? '/', 'http://x').pathname)?.kind === 'portForward' ? [PORT_FORWARD_TUNNEL] : [PROTOCOL_V5, PROTOCOL_V4];
  }

  #pod(namespace: string, name: string): PodView {
    const pod = this.#opts.runtime.findPod(namespace, name);
    if (!pod) throw new StreamError('NOT_FOUND', 'pod does not exist');
    return pod;
  }

  #container(namespace: string, pod: string, container: string): ContainerView {
    this.#pod(namespace, pod);
    const view = this.#opts.runtime.findContainer(namespace, pod, container);
    // The kubelet's GetExec/GetAttach text, answered with 500 as streaming.WriteError does.
    if (!view) throw new StreamError('INTERNAL', `container not found ("${container}")`);
    return view;
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (!this.#authenticated(req)) throw new StreamError('UNAUTHORIZED', 'Unauthorized');
    const url = new URL(req.url ?? '/', 'http://x');
    const route = parseRoute(url.pathname);
    if (!route) return void res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' }).end('404 page not found\n');
    if (route.kind !== 'containerLogs') throw new StreamError('BAD_REQUEST', 'Upgrade request required');
    if (req.method !== 'GET' && req.method !== 'HEAD') throw new StreamError('BAD_REQUEST', `method ${req.method} not allowed`);
    const opts = parseLogQuery(url.searchParams);
    if (!this.#opts.runtime.findPod(route.namespace, route.pod)) throw new StreamError('NOT_FOUND', `pod "${route.pod}" does not exist\n`);
    const view = this.#opts.runtime.findContainer(route.namespace, route.pod, route.container);
    if (!view) throw new StreamError('NOT_FOUND', `container "${route.container}" not found in pod "${route.pod}"\n`);
    const path = opts.previous ? view.previousLogPath : view.logPath;
    if (!path) throw new StreamError('BAD_REQUEST', `previous terminated container "${route.container}" in pod "${route.pod}" not found`);

    const abort = new AbortController();
    res.on('close', () => abort.abort());
    const head = () => {
      if (!res.headersSent) res.writeHead(200, { 'Content-Type': 'text/plain' });
    };
    await readLogs(path, opts, {
      write(chunk) {
        head();
        if (res.write(chunk)) return;
        return new Promise<void>((resolve) => {
          const done = () => {
            res.off('drain', done);
            res.off('close', done);
            resolve();
          };
          res.on('drain', done);
          res.on('close', done);
        });
      },
    }, { running: opts.previous ? () => false : () => view.running(), signal: abort.signal });
    head();
    res.end();
  }

  #fail(res: ServerResponse, e: unknown): void {
    const err = e instanceof StreamError ? e : new StreamError('INTERNAL', (e as Error)?.message ?? String(e));
    if (res.headersSent) return void res.destroy();
    res.writeHead(err.httpStatus, { 'Content-Type': 'text/plain; charset=utf-8' }).end(err.message);
  }

  #upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    if (!this.#authenticated(req)) return rejectUpgrade(socket, 401, 'Unauthorized');
    const url = new URL(req.url ?? '/', 'http://x');
    const route = parseRoute(url.pathname);
    if (!route || route.kind === 'containerLogs') return rejectUpgrade(socket, 404, '404 page not found\n');
    const upgrade = String(req.headers.upgrade ?? '').toLowerCase();
    this.#upgraded.add(socket);
    socket.once('close', () => this.#upgraded.delete(socket));

    if (route.kind === 'portForward') {
      const pod = this.#pod(route.namespace, route.pod);
      if (upgrade === 'websocket') {
        if (!selectProtocol(String(req.headers['sec-websocket-protocol'] ?? '').split(',').map((s) => s.trim()), [PORT_FORWARD_TUNNEL])) {
          throw new StreamError('BAD_REQUEST', `unable to upgrade: the port-forward WebSocket protocol needs ${PORT_FORWARD_TUNNEL}`);
        }
        return this.#wss.handleUpgrade(req, socket, head, (ws) => this.#tunnel(ws, pod));
      }
      if (upgrade.startsWith('spdy/3.1')) return this.#spdy(req, socket, head, pod);
      throw new StreamError('BAD_REQUEST', `unable to upgrade: unsupported protocol "${upgrade}"`);
    }

    const view = this.#container(route.namespace, route.pod, route.container);
    const stdio = stdioOptions(url.searchParams);
    const command = url.searchParams.getAll('command');
    if (route.kind === 'exec' && command.length === 0) throw new StreamError('BAD_REQUEST', 'command is required');
    if (upgrade !== 'websocket') {
      // SPDY remotecommand is what kubectl falls back to when a WebSocket upgrade fails; nanokube speaks only the WebSocket protocols.
      throw new StreamError('BAD_REQUEST', `unable to upgrade: nanokube serves ${route.kind} over WebSocket (${PROTOCOL_V5}, ${PROTOCOL_V4}) only`);
    }
    const offered = String(req.headers['sec-websocket-protocol'] ?? '').split(',').map((s) => s.trim());
    if (!selectProtocol(offered)) throw new StreamError('BAD_REQUEST', `unable to upgrade: none of the protocols ${JSON.stringify(offered)} is supported (${PROTOCOL_V5}, ${PROTOCOL_V4})`);
    this.#wss.handleUpgrade(req, socket, head, (ws) => {
      const session = new ChannelSession(ws, ws.protocol);
      if (route.kind === 'exec') runExec(view, { ...stdio, command }, session);
      else runAttach(view, stdio, session);
    });
  }

  #tunnel(ws: WebSocket, pod: PodView): void {
    const conn = new SpdyConnection(wsTransport(ws));
    servePortForward(conn, pod);
    ws.on('message', (data: Buffer, isBinary: boolean) => {
      if (isBinary) conn.receive(data);
      else conn.close();
    });
    ws.on('error', () => {});
    ws.on('close', () => conn.transportClosed());
  }

  #spdy(req: IncomingMessage, socket: Duplex, head: Buffer, pod: PodView): void {
    const versions = req.headersDistinct['x-stream-protocol-version'] ?? [];
    if (!versions.flatMap((v) => v.split(',')).some((v) => v.trim() === 'portforward.k8s.io')) {
      throw new StreamError('BAD_REQUEST', `unable to upgrade: unable to negotiate protocol: client supports ${JSON.stringify(versions)}, server supports ["portforward.k8s.io"]`);
    }
    socket.write('HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: SPDY/3.1\r\nX-Stream-Protocol-Version: portforward.k8s.io\r\n\r\n');
    const conn = new SpdyConnection(socketTransport(socket));
    servePortForward(conn, pod);
    socket.on('data', (c: Buffer) => conn.receive(c));
    socket.on('close', () => conn.transportClosed());
    if (head.length) conn.receive(head);
  }
}
