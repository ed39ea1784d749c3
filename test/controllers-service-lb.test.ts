/**
 * End-to-end: the service-lb controller in a real `nanokube server` (host
 * mode, no node agent), driven by the real kubectl. The test plays the
 * kubelets: Node objects with a Ready condition and an InternalIP, created
 * and changed through the API. No traffic is sent anywhere but the loopback
 * API; the addresses below are documentation ranges, never contacted.
 *
 * Address plan:
 *   nodes   node-a 192.0.2.11, node-b 192.0.2.12 (Ready), node-c 192.0.2.13 (added later)
 *   pool    198.51.100.200/30 (.200-.203), second cluster only
 *   grace   --node-monitor-grace-period 3600: the nodes stay Ready without Leases
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { removeDir, startCluster, type Cluster } from './harness.ts';

const GRACE = ['--node-monitor-grace-period', '3600'];

async function waitFor<T>(what: string, get: () => T | undefined | false, ms = 10_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = get();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

function addNode(c: Cluster, name: string, ip: string): void {
  const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
  const ready = { type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'kubelet is posting ready status', lastHeartbeatTime: now, lastTransitionTime: now };
  const node = {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name, labels: { 'kubernetes.io/hostname': name } },
    status: { conditions: [ready], addresses: [{ type: 'InternalIP', address: ip }, { type: 'Hostname', address: name }] },
  };
  c.kubectl(['create', '-f', '-'], { input: JSON.stringify(node) });
}

function setNodeReady(c: Cluster, name: string, ready: boolean): void {
  const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
  const cond = { type: 'Ready', status: ready ? 'True' : 'False', reason: ready ? 'KubeletReady' : 'KubeletNotReady', message: 'set by the test', lastHeartbeatTime: now, lastTransitionTime: now };
  c.kubectl(['patch', 'node', name, '--subresource=status', '--type=merge', '-p', JSON.stringify({ status: { conditions: [cond] } })]);
}

/** Helpers bound to one cluster. */
function tools(get: () => Cluster) {
  const k = (...args: string[]) => get().kubectl(args).stdout;
  /** EXTERNAL-IP as `kubectl get svc` prints it. */
  const externalIP = (name: string) => k('get', 'svc', name, '--no-headers').trim().split(/\s+/)[3];
  const svcJson = (name: string) => JSON.parse(k('get', 'svc', name, '-o', 'json'));
  const eventsOf = (name: string) => (JSON.parse(k('get', 'events', '-o', 'json')).items as any[]).filter((e) => e.involvedObject?.name === name && e.involvedObject?.kind === 'Service');
  const lbService = (name: string, spec: object) => get().kubectl(['apply', '-f', '-'], { input: JSON.stringify({ apiVersion: 'v1', kind: 'Service', metadata: { name }, spec: { type: 'LoadBalancer', selector: { app: name }, ...spec } }) });
  const toClusterIP = (name: string) => k('patch', 'svc', name, '--type=merge', '-p', '{"spec":{"type":"ClusterIP"}}');
  return { k, externalIP, svcJson, eventsOf, lbService, toClusterIP };
}

describe('service-lb: node addresses (k3s ServiceLB)', () => {
  let c: Cluster;
  const { k, externalIP, svcJson, eventsOf, lbService, toClusterIP } = tools(() => c);

  before(async () => {
    c = await startCluster({ args: GRACE });
    addNode(c, 'node-a', '192.0.2.11');
    addNode(c, 'node-b', '192.0.2.12');
  });
  after(async () => {
    await c?.stop();
    if (c) removeDir(c.dataDir);
  });

  it('S4.6: kubectl create service loadbalancer gets the node addresses as EXTERNAL-IP, with Ensuring/Ensured events', async () => {
    k('create', 'service', 'loadbalancer', 'numbers-web', '--tcp=8080:80');
    await waitFor('EXTERNAL-IP', () => externalIP('numbers-web') !== '<pending>');
    assert.match(k('get', 'svc', 'numbers-web'), /^numbers-web\s+LoadBalancer\s+10\.\d+\.\d+\.\d+\s+192\.0\.2\.11,192\.0\.2\.12\s+8080:3\d{4}\/TCP\s+\d+s$/m);
    assert.deepEqual(svcJson('numbers-web').status.loadBalancer, {
      ingress: [
        { ip: '192.0.2.11', ipMode: 'VIP' },
        { ip: '192.0.2.12', ipMode: 'VIP' },
      ],
    });
    const events = await waitFor('events', () => {
      const ev = eventsOf('numbers-web');
      return ev.some((e) => e.reason === 'EnsuredLoadBalancer') && ev;
    });
    const ensuring = events.find((e) => e.reason === 'EnsuringLoadBalancer');
    assert.deepEqual([ensuring?.type, ensuring?.message, ensuring?.source?.component], ['Normal', 'Ensuring load balancer', 'service-lb-controller']);
    assert.equal(events.find((e) => e.reason === 'EnsuredLoadBalancer').message, 'Ensured load balancer');
  });

  it('follows the nodes: a new Ready node joins, a NotReady one leaves', async () => {
    addNode(c, 'node-c', '192.0.2.13');
    await waitFor('node-c to join', () => externalIP('numbers-web') === '192.0.2.11,192.0.2.12,192.0.2.13');
    setNodeReady(c, 'node-b', false);
    await waitFor('node-b to leave', () => externalIP('numbers-web') === '192.0.2.11,192.0.2.13');
    setNodeReady(c, 'node-b', true);
    await waitFor('node-b back', () => externalIP('numbers-web') === '192.0.2.11,192.0.2.12,192.0.2.13');
  });

  it('leaves a later Service on the same port pending with a Warning naming the other, until the port is free', async () => {
    k('create', 'service', 'loadbalancer', 'clash', '--tcp=8080:80');
    const warning = await waitFor('SyncLoadBalancerFailed', () => eventsOf('clash').find((e) => e.reason === 'SyncLoadBalancerFailed'));
    assert.equal(warning.type, 'Warning');
    assert.match(warning.message, /^Error syncing load balancer: no ports available for service: port 8080\/TCP is already served on the node addresses by Service default\/numbers-web/);
    assert.equal(externalIP('clash'), '<pending>');
    k('delete', 'svc', 'numbers-web');
    await waitFor('clash to get the addresses', () => externalIP('clash') === '192.0.2.11,192.0.2.12,192.0.2.13');
  });

  it('leaves a Service with a loadBalancerClass alone', async () => {
    lbService('classy', { loadBalancerClass: 'example.com/other', ports: [{ port: 9090 }] });
    lbService('after-classy', { ports: [{ port: 9091 }] });
    // One sync handles every Service: once the later one has its address, the first was seen too.
    await waitFor('after-classy', () => externalIP('after-classy') !== '<pending>');
    assert.equal(externalIP('classy'), '<pending>');
    assert.deepEqual(svcJson('classy').status, { loadBalancer: {} });
  });

  it('clears status.loadBalancer when the Service becomes ClusterIP', async () => {
    toClusterIP('clash');
    await waitFor('status cleared', () => JSON.stringify(svcJson('clash').status) === '{"loadBalancer":{}}');
    assert.match(k('get', 'svc', 'clash'), /^clash\s+ClusterIP\s+\S+\s+<none>\s+8080\/TCP\s/m);
  });
});

describe('service-lb: --lb-pool (MetalLB layer 2)', () => {
  let c: Cluster;
  const { k, externalIP, svcJson, eventsOf, lbService, toClusterIP } = tools(() => c);
  const args = [...GRACE, '--lb-pool', '198.51.100.200/30'];

  before(async () => {
    c = await startCluster({ args });
    addNode(c, 'node-a', '192.0.2.11');
  });
  after(async () => {
    await c?.stop();
    if (c) removeDir(c.dataDir);
  });

  it('gives each LoadBalancer Service its own pool address, also on the same port', async () => {
    k('create', 'service', 'loadbalancer', 'pool-a', '--tcp=80:8080');
    await waitFor('pool-a', () => externalIP('pool-a') !== '<pending>');
    k('create', 'service', 'loadbalancer', 'pool-b', '--tcp=80:8080');
    await waitFor('pool-b', () => externalIP('pool-b') !== '<pending>');
    assert.deepEqual([externalIP('pool-a'), externalIP('pool-b')], ['198.51.100.200', '198.51.100.201']);
    assert.deepEqual(svcJson('pool-a').status.loadBalancer, { ingress: [{ ip: '198.51.100.200', ipMode: 'VIP' }] });
  });

  it('honours spec.loadBalancerIP in the pool, and refuses one outside it with a Warning', async () => {
    lbService('pinned', { loadBalancerIP: '198.51.100.203', ports: [{ port: 80 }] });
    await waitFor('pinned', () => externalIP('pinned') === '198.51.100.203');
    lbService('outside', { loadBalancerIP: '192.0.2.99', ports: [{ port: 80 }] });
    const warning = await waitFor('Warning', () => eventsOf('outside').find((e) => e.reason === 'SyncLoadBalancerFailed'));
    assert.equal(warning.message, 'Error syncing load balancer: spec.loadBalancerIP 192.0.2.99 is not in --lb-pool 198.51.100.200/30');
    assert.equal(externalIP('outside'), '<pending>');
  });

  it('keeps every address across a restart, then hands out the last free one and reports exhaustion', async () => {
    await c.stop();
    c = await startCluster({ dataDir: c.dataDir, args });
    lbService('pool-c', { ports: [{ port: 80 }] });
    await waitFor('pool-c', () => externalIP('pool-c') !== '<pending>');
    assert.deepEqual(
      ['pool-a', 'pool-b', 'pinned', 'pool-c'].map(externalIP),
      ['198.51.100.200', '198.51.100.201', '198.51.100.203', '198.51.100.202'],
    );
    lbService('pool-d', { ports: [{ port: 80 }] });
    const warning = await waitFor('exhausted', () => eventsOf('pool-d').find((e) => e.reason === 'SyncLoadBalancerFailed'));
    assert.equal(warning.message, 'Error syncing load balancer: no available IP in --lb-pool 198.51.100.200/30: all 4 addresses are assigned');
    assert.equal(externalIP('pool-d'), '<pending>');
  });

  it('a type change to ClusterIP clears the status and frees the address for a pending Service', async () => {
    toClusterIP('pool-b');
    await waitFor('status cleared', () => JSON.stringify(svcJson('pool-b').status) === '{"loadBalancer":{}}');
    await waitFor('pool-d gets the freed address', () => externalIP('pool-d') === '198.51.100.201');
  });

  it('a garbage --lb-pool stops the server with a clear error', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'nanokube-e2e-'));
    try {
      // A server that starts anyway is stopped at once, so the failure is an assertion, not a hang.
      const outcome = await startCluster({ dataDir: dir, args: [...GRACE, '--lb-pool', '198.51.100.300/30'] }).then(
        async (started) => `started: ${await started.stop()}`,
        (e: Error) => e.message,
      );
      assert.match(outcome, /invalid --lb-pool "198\.51\.100\.300\/30"/);
    } finally {
      removeDir(dir);
    }
  });
});
