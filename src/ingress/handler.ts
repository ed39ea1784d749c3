/**
 * @module The request path of a proxy worker: match the route in the
 * current table (read once per request, so a swap never changes a request
 * halfway), apply the location's policy, then proxy over HTTP/1.1, HTTP/2
 * (gRPC) or an upgrade tunnel, and write one access-log line and one count
 * per request. HTTP/1.1 and HTTP/2 clients share it through node's
 * compatibility API.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Http2ServerRequest, Http2ServerResponse } from 'node:http2';
import type { Duplex } from 'node:stream';
import { formatAccess } from './access-log.ts';
import { Balancer, affinityCookie, cookieValue } from './balancer.ts';
import type { UpstreamAttempt, UpstreamClient } from './forward.ts';
import type { GrpcClient } from './grpc.ts';
import { forwardedFor, newRequestId, plainAddress, responseHeadersH1, responseHeadersH2, upstreamHeaders } from './headers.ts';
import { match, rewriteUri, type Match } from './match.ts';
import type { RequestCounts } from './metrics.ts';
import { errorPage, rawResponse } from './pages.ts';
import { decide, type RequestFacts } from './policy.ts';
import type { Route, RouteTable, Upstream } from './types.ts';
import { requestHead, tunnel } from './websocket.ts';

export interface HandlerState {
  /** The live table; replaced whole by the proxy on every change. */
  table: RouteTable;
  balancer: Balancer;
  http1: UpstreamClient;
  grpc: GrpcClient;
  counts: RequestCounts;
  /** Access-log sink; undefined = off. */
  accessLog?: (line: string) => void;
}

type Req = IncomingMessage | Http2ServerRequest;
type Res = ServerResponse | Http2ServerResponse;

const NO_DROP: ReadonlySet<string> = new Set();

interface Ctx {
  st: HandlerState;
  req: Req;
  t0: number;
  h2: boolean;
  host: string;
  remote: string;
  route: Route;
  serverHost: string;
  upstreamName: string;
  attempts: UpstreamAttempt[];
  bytes: number;
  requestId: string;
}

function upstreamLabel(route: Route): string {
  return route.upstream === '' ? 'upstream-default-backend' : route.upstream;
}

function finishLog(c: Ctx, status: number): void {
  c.st.counts.add(c.serverHost, status);
  if (!c.st.accessLog) return;
  const r = c.req;
  c.st.accessLog(
    formatAccess({
      remoteAddr: c.remote,
      method: r.method ?? '-',
      url: r.url ?? '-',
      httpVersion: r.httpVersion,
      status,
      bodyBytes: c.bytes,
      referer: r.headers.referer,
      userAgent: r.headers['user-agent'],
      requestLength: (r.url?.length ?? 0) + 16 + Number(r.headers['content-length'] ?? 0),
      requestTime: (performance.now() - c.t0) / 1000,
      upstreamName: c.upstreamName,
      upstreamAddrs: c.attempts.map((a) => a.addr),
      upstreamLength: c.bytes,
      upstreamTimes: c.attempts.map((a) => a.seconds),
      upstreamStatuses: c.attempts.map((a) => a.status),
      requestId: c.requestId,
    }),
  );
}

/** A response the proxy writes itself: nginx's page for the status, or an empty body. */
function respondLocal(c: Ctx, res: Res, status: number, headers: string[] = [], empty = false): void {
  const body = empty || status === 204 || c.req.method === 'HEAD' ? undefined : errorPage(status);
  const list = empty ? headers : ['Content-Type', 'text/html', 'Content-Length', String(errorPage(status).length), ...headers];
  c.bytes = body?.length ?? 0;
  if (c.h2) {
    const h = responseHeadersH2([], list);
    // HTTP/2 forbids a content-length on a 204.
    if (status === 204) delete h['content-length'];
    (res as Http2ServerResponse).writeHead(status, h);
  } else (res as ServerResponse).writeHead(status, responseHeadersH1([], list));
  if (body) res.end(body);
  else res.end();
  finishLog(c, status);
}

function picker(st: HandlerState, c: Ctx, up: Upstream, req: Req, secure: boolean, onCookie: (v: string) => void) {
  const aff = c.route.config.affinity;
  const cookie = aff ? cookieValue(req.headers.cookie, aff.name) : undefined;
  return (tried: ReadonlySet<string>) => {
    const p = st.balancer.pick(up, tried, aff ? { config: aff, cookie } : undefined);
    if (p?.setCookie && aff) onCookie(affinityCookie(aff, c.route, p.setCookie, secure));
    return p?.endpoint;
  };
}

function context(st: HandlerState, req: Req, h2: boolean): { c: Ctx; m: Match; facts: RequestFacts; query: string } {
  const url = req.url ?? '/';
  const q = url.indexOf('?');
  const path = q < 0 ? url : url.slice(0, q);
  const host = ((h2 ? req.headers[':authority'] : undefined) ?? req.headers.host ?? '') as string;
  const table = st.table;
  const m = match(table, host, path);
  const remote = plainAddress(req.socket?.remoteAddress);
  const cl = req.headers['content-length'];
  const c: Ctx = {
    st,
    req,
    t0: performance.now(),
    h2,
    host,
    remote,
    route: m.route,
    serverHost: m.server?.host || '_',
    upstreamName: upstreamLabel(m.route),
    attempts: [],
    bytes: 0,
    requestId: (req.headers['x-request-id'] as string | undefined) || newRequestId(),
  };
  const facts: RequestFacts = {
    method: req.method ?? 'GET',
    scheme: 'http',
    host,
    path,
    uri: url,
    remoteAddr: remote,
    origin: req.headers.origin,
    contentLength: cl === undefined ? undefined : Number(cl),
  };
  return { c, m, facts, query: q < 0 ? '' : url.slice(q) };
}

/** Raw header pairs of the client request; HTTP/2's pseudo-headers are skipped later, its split cookies joined here. */
function rawOf(req: Req, h2: boolean): string[] {
  if (!h2) return req.rawHeaders;
  const out: string[] = [];
  for (const [k, v] of Object.entries(req.headers)) {
    if (v === undefined || k.charCodeAt(0) === 58) continue;
    out.push(k, Array.isArray(v) ? v.join(k === 'cookie' ? '; ' : ', ') : v);
  }
  return out;
}

export function handleRequest(st: HandlerState, req: Req, res: Res, scheme: 'http' | 'https'): void {
  const h2 = req.httpVersionMajor === 2;
  const { c, m, facts, query } = context(st, req, h2);
  facts.scheme = scheme;
  const table = st.table;
  const up = c.route.upstream === '' ? undefined : table.upstreams[c.route.upstream];
  const d = decide(m, facts, up?.endpoints.length ?? 0);
  if (d.kind === 'respond' || !up) return respondLocal(c, res, d.kind === 'respond' ? d.status : 404, d.kind === 'respond' ? d.headers : undefined, d.kind === 'respond' && d.empty);

  const cfg = c.route.config;
  const raw = rawOf(req, h2);
  const port = scheme === 'https' ? '443' : String(req.socket?.localPort ?? 80);
  const fwd = { host: c.host, remoteAddr: c.remote, scheme, port, requestId: c.requestId, originalForwardedFor: forwardedFor(raw) };
  const path = rewriteUri(c.route, facts.path, query);
  let extra: string[] | undefined = d.cors;
  const next = picker(st, c, up, req, scheme === 'https', (v) => (extra = [...(d.cors ?? []), 'Set-Cookie', v]));
  const hasBody = h2 ? !(req as Http2ServerRequest).stream.endAfterHeaders : facts.contentLength !== undefined ? facts.contentLength > 0 : req.headers['transfer-encoding'] !== undefined;
  const connectTimeoutMs = cfg.proxyConnectTimeoutSeconds * 1000;
  const readTimeoutMs = cfg.proxyReadTimeoutSeconds * 1000;
  const streamLimit = facts.contentLength === undefined ? cfg.proxyBodySize : 0;

  if (cfg.backendProtocol === 'GRPC' || cfg.backendProtocol === 'GRPCS') {
    const headers: Record<string, string> = {};
    const lines = upstreamHeaders(raw, fwd, NO_DROP);
    for (let i = 0; i < lines.length; i += 2) headers[lines[i].toLowerCase()] = lines[i + 1];
    headers.te = 'trailers';
    const flight = st.grpc.forward(
      { method: facts.method, path, headers, body: req, hasBody, tls: cfg.backendProtocol === 'GRPCS', connectTimeoutMs, readTimeoutMs, next },
      (r) => {
        c.attempts = r.attempts;
        if (!r.ok) return respondLocal(c, res, r.status);
        const list: string[] = [];
        for (const [k, v] of Object.entries(r.headers)) {
          if (k.charCodeAt(0) === 58 || v === undefined) continue;
          for (const x of Array.isArray(v) ? v : [String(v)]) list.push(k, x);
        }
        if (h2) (res as Http2ServerResponse).writeHead(r.status, responseHeadersH2(list, extra));
        else (res as ServerResponse).writeHead(r.status, responseHeadersH1(list, extra));
        r.stream.on('trailers', (t) => {
          const tr: Record<string, string> = {};
          for (const [k, v] of Object.entries(t)) if (k.charCodeAt(0) !== 58 && v !== undefined) tr[k] = String(v);
          res.addTrailers(tr);
        });
        r.stream.on('data', (b: Buffer) => (c.bytes += b.length));
        r.stream.on('error', () => res.destroy());
        r.stream.pipe(res as NodeJS.WritableStream);
        res.once('close', () => finishLog(c, r.status));
      },
    );
    res.once('close', () => {
      if (!res.writableFinished) flight.abort();
    });
    return;
  }

  const flight = st.http1.forward(
    { method: facts.method, path, headers: upstreamHeaders(raw, fwd), body: req, hasBody, streamLimit, tls: cfg.backendProtocol === 'HTTPS', connectTimeoutMs, readTimeoutMs, next },
    (r) => {
      c.attempts = r.attempts;
      if (!r.ok) {
        if (!res.headersSent) respondLocal(c, res, r.status);
        return;
      }
      const ures = r.res;
      const status = ures.statusCode ?? 502;
      if (h2) (res as Http2ServerResponse).writeHead(status, responseHeadersH2(ures.rawHeaders, extra));
      else (res as ServerResponse).writeHead(status, responseHeadersH1(ures.rawHeaders, extra));
      // proxy_read_timeout between two reads of the body.
      const idle = setTimeout(() => {
        ures.destroy();
        res.destroy();
      }, readTimeoutMs);
      ures.on('data', (b: Buffer) => {
        c.bytes += b.length;
        idle.refresh();
      });
      ures.once('end', () => clearTimeout(idle));
      ures.once('close', () => clearTimeout(idle));
      // An upstream that dies mid-body: the client connection is cut, as nginx does (it cannot fix the status any more).
      ures.on('aborted', () => res.destroy());
      ures.on('error', () => res.destroy());
      ures.pipe(res as NodeJS.WritableStream);
      res.once('close', () => finishLog(c, status));
    },
  );
  res.once('close', () => {
    if (!res.writableFinished) flight.abort();
  });
}

/** An HTTP/1.1 Upgrade request (WebSocket): policy as for any request, then a byte tunnel to an endpoint. */
export function handleUpgrade(st: HandlerState, req: IncomingMessage, socket: Duplex, early: Buffer, scheme: 'http' | 'https'): void {
  const { c, m, facts, query } = context(st, req, false);
  facts.scheme = scheme;
  socket.on('error', () => socket.destroy());
  const up = c.route.upstream === '' ? undefined : st.table.upstreams[c.route.upstream];
  const d = decide(m, facts, up?.endpoints.length ?? 0);
  const refuse = (status: number, headers: string[] = []) => {
    const extra: Record<string, string> = {};
    for (let i = 0; i < headers.length; i += 2) extra[headers[i]] = headers[i + 1];
    socket.end(rawResponse(status, extra));
    c.bytes = errorPage(status).length;
    finishLog(c, status);
  };
  if (d.kind === 'respond' || !up) return refuse(d.kind === 'respond' ? d.status : 404, d.kind === 'respond' ? d.headers : undefined);
  const cfg = c.route.config;
  const raw = req.rawHeaders;
  const fwd = {
    host: c.host,
    remoteAddr: c.remote,
    scheme,
    port: scheme === 'https' ? '443' : String(req.socket.localPort ?? 80),
    requestId: c.requestId,
    originalForwardedFor: forwardedFor(raw),
    upgrade: req.headers.upgrade ?? 'websocket',
  };
  const headers = upstreamHeaders(raw, fwd);
  const next = picker(st, c, up, req, scheme === 'https', () => undefined);
  tunnel(
    {
      head: requestHead(facts.method, rewriteUri(c.route, facts.path, query), headers),
      early,
      client: socket,
      tls: cfg.backendProtocol === 'HTTPS',
      connectTimeoutMs: cfg.proxyConnectTimeoutSeconds * 1000,
      idleTimeoutMs: cfg.proxyReadTimeoutSeconds * 1000,
      next,
    },
    (r) => {
      c.attempts = r.attempts;
      if (!r.ok) return refuse(r.status);
      void r.status.then((s) => finishLog(c, s || 502));
    },
  );
}
