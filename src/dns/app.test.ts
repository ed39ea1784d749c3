/**
 * The app's wiring with the informers faked: readiness, health, metrics,
 * records from Service/EndpointSlice events, Corefile reloads; and main's
 * flag and environment reading.
 *
 * Address plan: every listener on 127.0.0.1 with ephemeral ports; the
 * upstream stub on 127.0.0.4. Services 10.96.0.0/12, pods 10.244.0.0/16.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../api/meta.ts';
import type { Handler } from '../client/informer.ts';
import { DnsApp, type Source } from './app.ts';
import { readConfig } from './main.ts';
import { StubUpstream } from './stub-upstream.ts';
import { ask } from './test-client.ts';

class FakeSource implements Source {
  readonly items = new Map<string, KubeObject>();
  readonly #handlers: Handler[] = [];
  #synced = false;
  #waiters: (() => void)[] = [];
  on(h: Handler): void {
    this.#handlers.push(h);
  }
  waitSynced(): Promise<void> {
    return this.#synced ? Promise.resolve() : new Promise((ok) => this.#waiters.push(ok));
  }
  start(signal: AbortSignal): Promise<void> {
    return new Promise((ok) => signal.addEventListener('abort', () => ok(), { once: true }));
  }
  list(): KubeObject[] {
    return [...this.items.values()];
  }
  emit(type: 'ADDED' | 'MODIFIED' | 'DELETED', obj: KubeObject): void {
    const key = `${obj.metadata.namespace}/${obj.metadata.name}`;
    const old = this.items.get(key);
    if (type === 'DELETED') this.items.delete(key);
    else this.items.set(key, obj);
    for (const h of this.#handlers) h(type, obj, old);
  }
  sync(): void {
    this.#synced = true;
    for (const w of this.#waiters.splice(0)) w();
  }
}

const service = (name: string, ip: string, extra: Record<string, unknown> = {}): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { namespace: 'default', name, resourceVersion: '1' },
  spec: { type: 'ClusterIP', clusterIP: ip, clusterIPs: ip === 'None' ? ['None'] : [ip], ports: [{ name: 'http', port: 80, protocol: 'TCP' }], ...extra },
});

const corefile = (ttl: number, up: string) => `.:53 {
    kubernetes cluster.local in-addr.arpa ip6.arpa {
       pods insecure
       ttl ${ttl}
    }
    forward . ${up}
    cache 30
    frobnicate
}
`;
const configMap = (text: string): KubeObject => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { namespace: 'kube-system', name: 'coredns' }, data: { Corefile: text } });

const upstream = new StubUpstream({ host: '127.0.0.4', records: { 'www.example.test': [{ type: 'A', data: '192.0.2.10' }] } });
const services = new FakeSource();
const slices = new FakeSource();
const configMaps = new FakeSource();
const logs: string[] = [];
const stop = new AbortController();
let app: DnsApp;
let started: Promise<void>;
const H = '127.0.0.1';

const get = async (port: number, path: string) => {
  const r = await fetch(`http://${H}:${port}${path}`);
  return { status: r.status, body: await r.text() };
};

before(async () => {
  await upstream.start();
  app = new DnsApp({
    services,
    slices,
    configMaps,
    configMap: { namespace: 'kube-system', name: 'coredns' },
    host: H,
    dnsPort: 0,
    healthPort: 0,
    readyPort: 0,
    metricsPort: 0,
    log: (l) => logs.push(l),
  });
  started = app.start(stop.signal);
  // start() registers its handlers at once, as it does before starting the real informers
  services.emit('ADDED', service('kubernetes', '10.96.0.1'));
  configMaps.emit('ADDED', configMap(corefile(5, `127.0.0.4:${upstream.port}`)));
  // the HTTP listeners come up before the informers sync
  while (app.ports.ready === 0) await new Promise((r) => setTimeout(r, 5));
});

after(async () => {
  stop.abort();
  await app.close();
  await upstream.close();
});

test('/ready is 503 until the informers synced, then 200; /health is 200 OK throughout', async () => {
  assert.equal((await get(app.ports.ready, '/ready')).status, 503);
  assert.deepEqual(await get(app.ports.health, '/health'), { status: 200, body: 'OK' });
  services.sync();
  slices.sync();
  configMaps.sync();
  await started;
  assert.deepEqual(await get(app.ports.ready, '/ready'), { status: 200, body: 'OK' });
  assert.equal((await get(app.ports.health, '/nope')).status, 404);
  assert.ok(logs.some((l) => /^dns: synced services=1 endpointslices=0 took=\d+\.\d{3}s$/.test(l)), logs.join('\n'));
  assert.ok(logs.some((l) => l.startsWith('dns: config loaded from kube-system/coredns zones=cluster.local,in-addr.arpa,ip6.arpa pods=insecure ttl=5 ') && l.includes('ignored=frobnicate')), logs.join('\n'));
});

test('records from the informers; a new Service answers on the very next query', async () => {
  await started;
  const r = await ask(H, app.ports.dns, 'kubernetes.default.svc.cluster.local', 'A');
  assert.equal((r.answers![0] as { data: string }).data, '10.96.0.1');
  const nx = await ask(H, app.ports.dns, 'fresh.default.svc.cluster.local', 'A');
  assert.equal((nx as { rcode?: string }).rcode, 'NXDOMAIN');
  services.emit('ADDED', service('fresh', '10.96.0.50'));
  const fresh = await ask(H, app.ports.dns, 'fresh.default.svc.cluster.local', 'A');
  assert.equal((fresh.answers![0] as { data: string }).data, '10.96.0.50');
});

test('a headless Service follows its EndpointSlices, with the trigger time in the programming latency', async () => {
  await started;
  services.emit('ADDED', service('hl', 'None'));
  const slice = (ready: boolean): KubeObject => ({
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: { namespace: 'default', name: 'hl-abc', labels: { 'kubernetes.io/service-name': 'hl' }, annotations: { 'endpoints.kubernetes.io/last-change-trigger-time': new Date(Date.now() - 20).toISOString() } },
    addressType: 'IPv4',
    endpoints: [{ addresses: ['10.244.0.5'], conditions: { ready } }, { addresses: ['10.244.0.6'], conditions: { ready: true } }],
    ports: [{ name: 'http', port: 8080, protocol: 'TCP' }],
  });
  slices.emit('ADDED', slice(false));
  const one = await ask(H, app.ports.dns, 'hl.default.svc.cluster.local', 'A');
  assert.deepEqual(
    one.answers!.map((a) => (a as { data: string }).data),
    ['10.244.0.6'],
  );
  slices.emit('MODIFIED', slice(true));
  const two = await ask(H, app.ports.dns, 'hl.default.svc.cluster.local', 'A');
  assert.deepEqual(
    two.answers!.map((a) => (a as { data: string }).data),
    ['10.244.0.5', '10.244.0.6'],
  );
  assert.equal(app.metrics.programming.count('endpointslice'), 2);
  const text = (await get(app.ports.metrics, '/metrics')).body;
  assert.match(text, /nanokube_dns_programming_latency_seconds_bucket\{kind="endpointslice",le="0.025"\} 2/);
});

test('/metrics has CoreDNS names and labels', async () => {
  await started;
  await ask(H, app.ports.dns, 'www.example.test', 'A');
  await ask(H, app.ports.dns, 'www.example.test', 'A');
  const m = await get(app.ports.metrics, '/metrics');
  assert.equal(m.status, 200);
  assert.match(m.body, /coredns_dns_requests_total\{server="dns:\/\/:0",zone="\.",proto="udp",family="1",type="A"\} \d+/);
  assert.match(m.body, /coredns_dns_responses_total\{server="dns:\/\/:0",zone="\.",rcode="NOERROR"\} \d+/);
  assert.match(m.body, /coredns_dns_responses_total\{server="dns:\/\/:0",zone="\.",rcode="NXDOMAIN"\} \d+/);
  assert.match(m.body, /coredns_dns_request_duration_seconds_bucket\{server="dns:\/\/:0",zone="\.",type="A",le="\+Inf"\} \d+/);
  assert.match(m.body, /coredns_cache_hits_total\{server="dns:\/\/:0",type="success"\} 1/);
  assert.match(m.body, /coredns_cache_misses_total\{server="dns:\/\/:0"\} \d+/);
});

test('a changed Corefile applies without restart; one that does not parse keeps the previous config', async () => {
  await started;
  configMaps.emit('MODIFIED', configMap(corefile(30, `127.0.0.4:${upstream.port}`)));
  const r = await ask(H, app.ports.dns, 'kubernetes.default.svc.cluster.local', 'A');
  assert.equal((r.answers![0] as { ttl: number }).ttl, 30);
  configMaps.emit('MODIFIED', configMap('.:53 {\n  kubernetes cluster.local {\n    ttl lots\n  }\n}\n'));
  assert.equal(logs.at(-1), 'dns: config kept (previous one still in force): kube-system/coredns: Corefile line 3: ttl: bad ttl lots');
  configMaps.emit('MODIFIED', configMap('.:53 {\n  kubernetes cluster.local {\n    ttl 5\n  }\n'));
  assert.equal(logs.at(-1), 'dns: config kept (previous one still in force): kube-system/coredns: Corefile line 1: unclosed "{"');
  const still = await ask(H, app.ports.dns, 'kubernetes.default.svc.cluster.local', 'A');
  assert.equal((still.answers![0] as { ttl: number }).ttl, 30);
  configMaps.emit('DELETED', configMap(''));
  assert.match(logs.at(-1)!, /config kept: ConfigMap kube-system\/coredns was deleted/);
});

test('main: flags and environment, defaults as the add-on manifest expects', () => {
  const env = { NANOKUBE_API_SERVER: 'https://10.96.0.1:443', NANOKUBE_API_TOKEN: 't', NANOKUBE_API_CA: '-----BEGIN CERTIFICATE-----\nx\n-----END CERTIFICATE-----\n' };
  const c = readConfig([], env);
  assert.deepEqual(c.app, { configMap: { namespace: 'kube-system', name: 'coredns' }, host: '0.0.0.0', dnsPort: 53, healthPort: 8080, readyPort: 8181, metricsPort: 9153, reusePort: false });
  const d = readConfig(['--dns-port', '1053', '--configmap', 'dns/cfg'], env);
  assert.equal(d.app.dnsPort, 1053);
  assert.deepEqual(d.app.configMap, { namespace: 'dns', name: 'cfg' });
  assert.throws(() => readConfig(['--dns-port', 'x'], env), /--dns-port: not a port/);
  assert.throws(() => readConfig([], { ...env, NANOKUBE_API_SERVER: 'http://x' }), /https/);
  assert.throws(() => readConfig([], { ...env, NANOKUBE_API_TOKEN: '' }), /TOKEN/);
});
