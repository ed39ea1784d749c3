/**
 * main.ts as the add-on pod runs it, against a real API server (in-memory
 * store, no controllers, no nodes): a child process with the env and flags
 * of the manifest, Services and EndpointSlices created through the API,
 * the Corefile ConfigMap changed through the API, SIGTERM.
 *
 * Address plan: the API server on 127.0.0.1 (ephemeral port); the DNS
 * program on 127.0.0.1 with free ports picked by the test; an upstream stub
 * on 127.0.0.5. Service IPs from the API's allocator in 10.96.0.0/12.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findKind } from '../api/resources.ts';
import { bootstrap } from '../apiserver/bootstrap.ts';
import { loadOrCreatePki } from '../apiserver/certs.ts';
import { ApiServer } from '../apiserver/server.ts';
import { typeSystem } from '../apiserver/type-system-impl.ts';
import { Client } from '../client/client.ts';
import { MemoryStore } from '../store/memory.ts';
import { StubUpstream } from './stub-upstream.ts';
import { ask } from './test-client.ts';

const H = '127.0.0.1';
const TOKEN = 'dns-test-token';
const dir = mkdtempSync(join(tmpdir(), 'nanokube-dns-'));
const stop = new AbortController();
const upstream = new StubUpstream({ host: '127.0.0.5', records: { 'www.example.test': [{ type: 'A', data: '192.0.2.10' }] } });
const svcDef = findKind('', 'Service')!;
const sliceDef = findKind('discovery.k8s.io', 'EndpointSlice')!;
const cmDef = findKind('', 'ConfigMap')!;
let client: Client;
let child: ChildProcess;
let output = '';
const ports = { dns: 0, health: 0, ready: 0, metrics: 0 };

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((ok) => s.listen(0, H, () => ok()));
  const p = (s.address() as { port: number }).port;
  await new Promise((ok) => s.close(ok));
  return p;
}

const waitFor = async (what: string, cond: () => Promise<boolean>, ms = 10_000) => {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await cond().catch(() => false)) return;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`timed out waiting for ${what}; output:\n${output}`);
};
const corefile = (ttl: number) => `.:53 {\n  errors\n  ready\n  kubernetes cluster.local in-addr.arpa ip6.arpa {\n    pods insecure\n    ttl ${ttl}\n  }\n  forward . 127.0.0.5:${upstream.port}\n  cache 30\n}\n`;

before(async () => {
  await upstream.start();
  const pki = await loadOrCreatePki(dir, { dns: ['localhost'], ips: [H] });
  const types = typeSystem();
  const api = new ApiServer({ store: new MemoryStore(), types, tls: { cert: pki.cert, key: pki.key }, token: TOKEN, host: H, port: 0, serviceCidr: '10.96.0.0/12', nodePortRange: [30000, 32767], log: () => {} });
  await api.start(stop.signal);
  await bootstrap(api, types, { advertiseAddress: H, port: api.port });
  const server = `https://${H}:${api.port}`;
  client = new Client({ server, token: TOKEN, caCert: pki.caCert, userAgent: 'dns-test' });
  await client.create(cmDef, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { namespace: 'kube-system', name: 'coredns' }, data: { Corefile: corefile(5) } });
  await client.create(svcDef, { apiVersion: 'v1', kind: 'Service', metadata: { namespace: 'default', name: 'my-nginx' }, spec: { ports: [{ port: 80 }], selector: { run: 'my-nginx' } } });
  for (const k of Object.keys(ports) as (keyof typeof ports)[]) ports[k] = await freePort();
  child = spawn(
    process.execPath,
    [join(import.meta.dirname, 'main.ts'), '--bind', H, '--dns-port', String(ports.dns), '--health-port', String(ports.health), '--ready-port', String(ports.ready), '--metrics-port', String(ports.metrics)],
    { env: { ...process.env, NANOKUBE_API_SERVER: server, NANOKUBE_API_TOKEN: TOKEN, NANOKUBE_API_CA: pki.caCert }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  child.stdout!.on('data', (d) => (output += d));
  child.stderr!.on('data', (d) => (output += d));
  await waitFor('/ready', async () => (await fetch(`http://${H}:${ports.ready}/ready`)).status === 200);
});

after(async () => {
  if (child.exitCode === null) child.kill('SIGKILL');
  client?.close();
  stop.abort();
  await upstream.close();
  rmSync(dir, { recursive: true, force: true });
});

const data = async (name: string, type = 'A') => ((await ask(H, ports.dns, name, type)).answers ?? []).map((a) => String((a as { data: unknown }).data));

test('serves the Services of the API once ready, and logs its sync and config', async () => {
  const svc = await client.get(svcDef, 'default', 'my-nginx');
  assert.deepEqual(await data('my-nginx.default.svc.cluster.local'), [svc.spec.clusterIP]);
  assert.match(output, /dns: synced services=\d+ endpointslices=\d+ took=\d+\.\d+s/);
  assert.match(output, /dns: config loaded from kube-system\/coredns zones=cluster.local,in-addr.arpa,ip6.arpa pods=insecure ttl=5 upstreams=127\.0\.0\.5:\d+/);
  assert.deepEqual(await data('www.example.test'), ['192.0.2.10']);
});

// No timing threshold here (tests check behaviour; the time is printed, and bench/README.md has the figures).
test('a new Service answers right after its creation through the API (time printed)', async (t) => {
  const t0 = performance.now();
  const svc = await client.create(svcDef, { apiVersion: 'v1', kind: 'Service', metadata: { namespace: 'default', name: 'fresh' }, spec: { ports: [{ port: 80 }] } });
  let got: string[] = [];
  while (performance.now() - t0 < 2000) {
    got = await data('fresh.default.svc.cluster.local');
    if (got.length > 0) break;
    await new Promise((r) => setTimeout(r, 2));
  }
  const took = performance.now() - t0;
  assert.deepEqual(got, [svc.spec.clusterIP]);
  t.diagnostic(`answered ${took.toFixed(1)} ms after the create call`);
});

test('a headless Service answers from its EndpointSlice', async () => {
  await client.create(svcDef, { apiVersion: 'v1', kind: 'Service', metadata: { namespace: 'default', name: 'hl' }, spec: { clusterIP: 'None', ports: [{ name: 'http', port: 80 }] } });
  await client.create(sliceDef, {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: { namespace: 'default', name: 'hl-1', labels: { 'kubernetes.io/service-name': 'hl' } },
    addressType: 'IPv4',
    endpoints: [{ addresses: ['10.244.0.5'], conditions: { ready: true }, hostname: 'web-0' }],
    ports: [{ name: 'http', port: 8080, protocol: 'TCP' }],
  });
  await waitFor('the headless records', async () => (await data('hl.default.svc.cluster.local')).length === 1, 2000);
  assert.deepEqual(await data('web-0.hl.default.svc.cluster.local'), ['10.244.0.5']);
});

test('a ConfigMap change through the API is applied without restart', async () => {
  const cm = await client.get(cmDef, 'kube-system', 'coredns');
  await client.update(cmDef, { ...cm, data: { Corefile: corefile(30) } });
  await waitFor('ttl 30', async () => (await ask(H, ports.dns, 'my-nginx.default.svc.cluster.local', 'A')).answers?.map((a) => (a as { ttl?: number }).ttl)[0] === 30, 3000);
  assert.equal((await fetch(`http://${H}:${ports.health}/health`)).status, 200);
  assert.match(await (await fetch(`http://${H}:${ports.metrics}/metrics`)).text(), /coredns_dns_requests_total\{server="dns:\/\/:\d+",zone="\.",proto="udp",family="1",type="A"\}/);
});

test('SIGTERM: a clean exit', async () => {
  const exited = new Promise<number | null>((ok) => child.once('exit', (code) => ok(code)));
  child.kill('SIGTERM');
  assert.equal(await exited, 0);
  assert.match(output, /dns: SIGTERM, shutting down/);
});
