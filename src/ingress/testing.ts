/**
 * @module Test helpers for the proxy: small backends on 127.0.0.x that
 * answer with what they received, a proxy started on 127.0.0.1 with
 * ephemeral ports and a table computed from fixture Ingresses, and a
 * one-call HTTP client. Loopback only.
 */
import { createServer, request, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { KubeObject } from '../api/meta.ts';
import { selfSignedCert } from './certs.ts';
import { service, slice } from './fixtures.ts';
import { IngressProxy } from './proxy.ts';
import { ingressesToRoutes } from './routes.ts';
import type { TlsCert } from './types.ts';

export interface Backend {
  name: string;
  ip: string;
  port: number;
  server: Server;
  /** Requests seen, in order. */
  seen: { method: string; url: string; headers: IncomingHttpHeaders; body: string }[];
  close(): Promise<void>;
}

export type BackendHandler = (req: import('node:http').IncomingMessage, res: import('node:http').ServerResponse, body: string) => boolean | void;

/** A backend answering JSON `{name, method, url, headers, body}`; `handler` may answer instead (return true). */
export async function backend(name: string, ip: string, handler?: BackendHandler): Promise<Backend> {
  const seen: Backend['seen'] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString();
      seen.push({ method: req.method!, url: req.url!, headers: req.headers, body });
      if (handler?.(req, res, body)) return;
      const out = JSON.stringify({ name, method: req.method, url: req.url, headers: req.headers, body });
      res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(out), Server: 'backend' });
      res.end(out);
    });
  });
  await new Promise<void>((r) => server.listen(0, ip, r));
  const port = (server.address() as AddressInfo).port;
  return {
    name,
    ip,
    port,
    server,
    seen,
    close: () =>
      new Promise((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

/** A Service `name` (port 80) and one EndpointSlice per backend (each listens on its own port). */
export function serviceFor(name: string, backends: { ip: string; port: number }[], ns = 'default'): KubeObject[] {
  return [service(name, [{ port: 80 }], ns), ...backends.map((b) => slice(name, [{ ip: b.ip }], [{ port: b.port }], ns))];
}

let defaultCert: Promise<TlsCert> | undefined;

export function testDefaultCert(): Promise<TlsCert> {
  return (defaultCert ??= selfSignedCert());
}

export interface Harness {
  proxy: IngressProxy;
  http: number;
  https: number;
  /** Recomputes the table from these objects and swaps it in. */
  apply(ingresses: KubeObject[], objects: KubeObject[], secrets?: KubeObject[]): void;
  close(): Promise<void>;
}

let version = 0;

export async function startProxy(opts: { accessLog?: (l: string) => void } = {}): Promise<Harness> {
  const proxy = new IngressProxy({ httpPort: 0, httpsPort: 0, address: '127.0.0.1', defaultCert: await testDefaultCert(), accessLog: opts.accessLog });
  const ac = new AbortController();
  await proxy.start(ac.signal);
  const { http, https } = proxy.ports();
  return {
    proxy,
    http,
    https,
    apply(ingresses, objects, secrets = []) {
      const services = objects.filter((o) => o.kind === 'Service');
      const slices = objects.filter((o) => o.kind === 'EndpointSlice');
      const r = ingressesToRoutes(ingresses, services, slices, secrets, { version: ++version });
      proxy.setTable(r.table);
    },
    async close() {
      ac.abort();
      await proxy.close();
    },
  };
}

export interface Reply {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
  /** The client's port: equal ports mean one kept-alive connection. */
  localPort: number;
  json(): any;
}

export function get(
  port: number,
  path: string,
  o: { host?: string; method?: string; headers?: Record<string, string>; body?: string; agent?: import('node:http').Agent | false } = {},
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method: o.method ?? 'GET', agent: o.agent ?? false, headers: { ...(o.host ? { Host: o.host } : {}), ...o.headers } }, (res) => {
      const chunks: Buffer[] = [];
      const localPort = res.socket.localPort!;
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const body = Buffer.concat(chunks).toString();
        resolve({ status: res.statusCode!, headers: res.headers, body, localPort, json: () => JSON.parse(body) });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(o.body);
  });
}
