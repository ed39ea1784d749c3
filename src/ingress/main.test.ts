/**
 * The controller program end to end, as the add-on pod runs it, against a
 * fake API server: two proxy workers, routing and rewrite (S2), the 404
 * backend, a route added through a watch event, status ADDRESS, Events,
 * /healthz and /metrics, and a clean exit on SIGTERM. Address plan: fake
 * API, proxy and healthz on 127.0.0.1 (free ports picked first); backend
 * web on 127.0.0.2; node n1 InternalIP 192.0.2.11 (data only).
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { FakeApi } from './fake-api.ts';
import { ingress, ingressClass } from './fixtures.ts';
import { backend, get, serviceFor, type Backend } from './testing.ts';

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const p = (s.address() as AddressInfo).port;
  await new Promise((r) => s.close(r));
  return p;
}

const api = new FakeApi();
let web: Backend;
let proc: ChildProcess;
let stderr = '';
const ports = { http: 0, https: 0, healthz: 0 };

async function until<T>(what: string, f: () => Promise<T | undefined> | T | undefined, ms = 10_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    try {
      const v = await f();
      if (v !== undefined && v !== false) return v;
    } catch {}
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}; controller stderr:\n${stderr}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

before(async () => {
  web = await backend('web', '127.0.0.2');
  await api.start();
  api.put(ingressClass('nginx', 'k8s.io/ingress-nginx', true));
  for (const o of serviceFor('my-nginx', [web])) api.put(o);
  api.put({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'ingress-nginx-controller', namespace: 'ingress-nginx' }, spec: { type: 'NodePort', ports: [{ port: 80 }] } });
  api.put({ apiVersion: 'v1', kind: 'Node', metadata: { name: 'n1' }, status: { addresses: [{ type: 'InternalIP', address: '192.0.2.11' }] } });
  api.put(ingress('minimal-ingress', { annotations: { 'nginx.ingress.kubernetes.io/rewrite-target': '/' }, rules: [{ paths: [{ path: '/testpath', service: 'my-nginx' }] }] }));
  ports.http = await freePort();
  ports.https = await freePort();
  ports.healthz = await freePort();
  proc = spawn(
    process.execPath,
    [
      'src/ingress/main.ts',
      '/nginx-ingress-controller',
      '--publish-service=$(POD_NAMESPACE)/ingress-nginx-controller',
      '--bind-address=127.0.0.1',
      `--http-port=${ports.http}`,
      `--https-port=${ports.https}`,
      `--healthz-port=${ports.healthz}`,
      '--workers=2',
    ],
    { env: { ...process.env, POD_NAMESPACE: 'ingress-nginx', NANOKUBE_API_SERVER: api.url, NANOKUBE_API_TOKEN: 'tok', NANOKUBE_API_CA: api.ca }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  proc.stderr!.on('data', (c: Buffer) => (stderr += c));
  proc.stdout!.resume();
  await until('healthz', async () => (await get(ports.healthz, '/healthz')).status === 200);
});

after(async () => {
  if (proc.exitCode === null) proc.kill('SIGKILL');
  await api.close();
  await web.close();
});

test('S2 through the program: /testpath reaches the backend rewritten to /, /other is the 404 backend', async () => {
  const r = await get(ports.http, '/testpath', { host: '192.0.2.11:31080' });
  assert.equal(r.status, 200);
  assert.equal(r.json().url, '/');
  assert.equal((await get(ports.http, '/other')).status, 404);
});

test('status ADDRESS is the node InternalIP, patched once; a Sync Event is recorded', async () => {
  await until('status', () => api.get('Ingress', 'default', 'minimal-ingress')?.status?.loadBalancer?.ingress?.[0]?.ip === '192.0.2.11');
  assert.equal(api.patches.length, 1);
  assert.ok(api.events.some((e) => e.reason === 'Sync' && e.involvedObject.name === 'minimal-ingress' && e.source.component === 'nginx-ingress-controller'));
});

test('a new Ingress from a watch event is served by every worker (time printed)', async (t) => {
  const t0 = performance.now();
  api.put(ingress('late', { rules: [{ host: 'late.test', paths: [{ path: '/', service: 'my-nginx' }] }] }));
  await until('route', async () => (await get(ports.http, '/x', { host: 'late.test' })).status === 200, 10_000);
  const took = performance.now() - t0;
  t.diagnostic(`served ${took.toFixed(0)} ms after the watch event`);
  // New connections land on either worker; all must have the route.
  for (let i = 0; i < 10; i++) assert.equal((await get(ports.http, '/y', { host: 'late.test' })).status, 200);
});

test('/metrics counts requests by host and status and reports the programming latency', async () => {
  await new Promise((r) => setTimeout(r, 1200));
  const m = (await get(ports.healthz, '/metrics')).body;
  assert.match(m, /nanokube_ingress_requests_total\{host="late\.test",status="200"\} \d+/);
  assert.match(m, /nanokube_ingress_requests_total\{host="_",status="404"\} \d+/);
  assert.match(m, /nanokube_ingress_programming_latency_seconds_count [1-9]/);
  assert.match(m, /nanokube_ingress_workers 2/);
});

test('SIGTERM: a clean exit', async () => {
  const code = new Promise<number | null>((r) => proc.once('exit', (c) => r(c)));
  proc.kill('SIGTERM');
  assert.equal(await code, 0);
  assert.match(stderr, /ingress: SIGTERM: shutting down/);
});
