/**
 * @module A fake API server for the controller program's tests: HTTPS on
 * 127.0.0.1 with its own certificate, lists and watches (JSON lines) of
 * whatever objects the test puts, merge patches of Ingress status, and
 * Event creation. Just the calls the ingress controller makes.
 */
import { createServer, type Server } from 'node:https';
import type { ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { KubeObject } from '../api/meta.ts';
import { selfSignedCert } from './certs.ts';

const PLURALS: Record<string, string> = {
  Ingress: 'ingresses',
  IngressClass: 'ingressclasses',
  Service: 'services',
  EndpointSlice: 'endpointslices',
  Secret: 'secrets',
  Node: 'nodes',
  Event: 'events',
};

export class FakeApi {
  rv = 1;
  readonly objects = new Map<string, KubeObject>();
  readonly patches: { path: string; body: any }[] = [];
  readonly events: KubeObject[] = [];
  readonly #watchers = new Map<string, Set<ServerResponse>>();
  #server: Server | undefined;
  ca = '';
  url = '';

  #key(o: KubeObject): string {
    return `${PLURALS[o.kind!]}/${o.metadata.namespace ?? ''}/${o.metadata.name}`;
  }

  put(o: KubeObject): void {
    const k = this.#key(o);
    const type = this.objects.has(k) ? 'MODIFIED' : 'ADDED';
    const obj = structuredClone(o);
    obj.metadata.resourceVersion = String(++this.rv);
    obj.metadata.uid ??= `uid-${obj.metadata.name}`;
    this.objects.set(k, obj);
    for (const w of this.#watchers.get(PLURALS[o.kind!]) ?? []) w.write(JSON.stringify({ type, object: obj }) + '\n');
  }

  get(kind: string, ns: string, name: string): KubeObject | undefined {
    return this.objects.get(`${PLURALS[kind]}/${ns}/${name}`);
  }

  async start(): Promise<void> {
    const tls = await selfSignedCert({ cn: '127.0.0.1', dns: ['localhost'], ips: ['127.0.0.1'] });
    this.ca = tls.cert;
    this.#server = createServer({ cert: tls.cert, key: tls.key }, (req, res) => {
      const u = new URL(req.url!, 'https://x');
      const parts = u.pathname.split('/').filter(Boolean);
      // /api/v1/... or /apis/GROUP/VERSION/...; [namespaces, NS], PLURAL, [NAME, [SUB]]
      const rest = parts[0] === 'api' ? parts.slice(2) : parts.slice(3);
      const ns = rest[0] === 'namespaces' && rest.length > 2 ? rest[1] : undefined;
      const [plural, name, sub] = ns !== undefined ? rest.slice(2) : rest;
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = chunks.length ? JSON.parse(Buffer.concat(chunks).toString()) : undefined;
        const json = (code: number, o: unknown) => {
          res.writeHead(code, { 'Content-Type': 'application/json' });
          res.end(JSON.stringify(o));
        };
        if ((req.method === 'POST' || req.method === 'PATCH') && plural === 'events') {
          this.events.push(body);
          return json(201, body);
        }
        if (req.method === 'PATCH' && plural === 'ingresses' && sub === 'status') {
          this.patches.push({ path: u.pathname, body });
          const o = this.objects.get(`ingresses/${ns}/${name}`);
          if (!o) return json(404, { kind: 'Status', message: 'not found' });
          this.put({ ...o, status: body.status });
          return json(200, this.objects.get(`ingresses/${ns}/${name}`));
        }
        if (req.method !== 'GET') return json(405, { kind: 'Status', message: 'unsupported' });
        const field = u.searchParams.get('fieldSelector');
        const items = [...this.objects.entries()]
          .filter(([k, o]) => k.startsWith(`${plural}/`) && (field !== 'type=kubernetes.io/tls' || o.type === 'kubernetes.io/tls'))
          .map(([, o]) => o);
        if (u.searchParams.get('watch') === 'true') {
          res.writeHead(200, { 'Content-Type': 'application/json' });
          res.flushHeaders();
          const set = this.#watchers.get(plural) ?? new Set();
          this.#watchers.set(plural, set);
          set.add(res);
          res.on('close', () => set.delete(res));
          return;
        }
        json(200, { kind: 'List', apiVersion: 'v1', metadata: { resourceVersion: String(this.rv) }, items });
      });
    });
    await new Promise<void>((r) => this.#server!.listen(0, '127.0.0.1', r));
    this.url = `https://127.0.0.1:${(this.#server.address() as AddressInfo).port}`;
  }

  async close(): Promise<void> {
    for (const s of this.#watchers.values()) for (const r of s) r.end();
    this.#server?.closeAllConnections();
    await new Promise((r) => this.#server?.close(r));
  }
}
