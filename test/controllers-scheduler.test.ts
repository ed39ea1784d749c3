/**
 * End-to-end: the scheduler and the node lifecycle controller in a real
 * `nanokube server`, driven by the real kubectl. There is no node agent
 * here: the test plays the kubelets through the API (Node objects with
 * status, Lease renewals, pod status).
 *
 * Plan (loopback API only; nodes are API objects, no addresses are used):
 *   node-a, node-b, node-c  cpu 4, memory 8Gi, pods 110, Ready, leases
 *                           renewed every 400 ms
 *   node-d                  cpu 8, added by the insufficient-cpu test
 *   grace period            2 s (--node-monitor-grace-period 2)
 * The harness runs kubectl synchronously, which blocks this thread, so the
 * leases are renewed from a worker thread that keeps its own event loop.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { stringify } from 'yaml';
import { Client } from '../src/client/client.ts';
import { findKind } from '../src/api/resources.ts';
import { removeDir, startCluster, type Cluster } from './harness.ts';

const podDef = findKind('', 'Pod')!;

async function waitFor<T>(what: string, get: () => T | undefined | false | Promise<T | undefined | false>, ms = 15_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await get();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Renews the Leases of the nodes it is told are alive, every 300 ms, on its own thread. */
const leaseWorker = `
const { parentPort, workerData } = require('node:worker_threads');
const alive = new Set();
parentPort.on('message', (m) => (m.alive ? alive.add(m.name) : alive.delete(m.name)));
(async () => {
  const { Client } = await import(workerData.client);
  const { findKind } = await import(workerData.resources);
  const def = findKind('coordination.k8s.io', 'Lease');
  const c = new Client(workerData.opts);
  const renew = (name) => {
    const spec = { holderIdentity: name, leaseDurationSeconds: 40, renewTime: new Date().toISOString().replace(/Z$/, '000Z') };
    return c.patch(def, 'kube-node-lease', name, { spec })
      .catch(() => c.create(def, { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name, namespace: 'kube-node-lease' }, spec }))
      .catch(() => undefined);
  };
  setInterval(() => void Promise.all([...alive].map(renew)), 300);
})();
`;

/** The kubelets' side: Node objects, their Leases, pod status. */
class FakeKubelets {
  readonly #c: Cluster;
  readonly #client: Client;
  readonly #worker: Worker;
  constructor(c: Cluster) {
    this.#c = c;
    const opts = { server: c.server, token: c.token, caCert: readFileSync(join(c.dataDir, 'tls/ca.crt'), 'utf8'), userAgent: 'fake-kubelet' };
    this.#client = new Client(opts);
    const url = (p: string) => new URL(p, import.meta.url).href;
    this.#worker = new Worker(leaseWorker, { eval: true, workerData: { opts, client: url('../src/client/client.ts'), resources: url('../src/api/resources.ts') } });
  }

  addNode(name: string, cpu: string): void {
    const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
    const ready = { type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'kubelet is posting ready status', lastHeartbeatTime: now, lastTransitionTime: now };
    const node = {
      apiVersion: 'v1',
      kind: 'Node',
      metadata: { name, labels: { 'kubernetes.io/hostname': name, 'kubernetes.io/os': 'linux' } },
      status: { capacity: { cpu, memory: '8Gi', pods: '110' }, allocatable: { cpu, memory: '8Gi', pods: '110' }, conditions: [ready], addresses: [{ type: 'Hostname', address: name }] },
    };
    this.#c.kubectl(['create', '-f', '-'], { input: JSON.stringify(node) });
    this.setAlive(name, true);
  }

  /** A live kubelet renews its node's Lease; a dead one stops. */
  setAlive(name: string, alive: boolean): void {
    this.#worker.postMessage({ name, alive });
  }

  /** The kubelet reports Ready again: a fresh heartbeat and Ready=True. */
  async postReady(name: string): Promise<void> {
    const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
    const cond = { type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'kubelet is posting ready status', lastHeartbeatTime: now, lastTransitionTime: now };
    await this.#client.patch(findKind('', 'Node')!, undefined, name, { status: { conditions: [cond] } }, 'application/strategic-merge-patch+json', 'status');
  }

  /** The kubelet runs a pod: Running and Ready. */
  async runPod(name: string): Promise<void> {
    const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
    const conditions = ['PodScheduled', 'Initialized', 'ContainersReady', 'Ready'].map((type) => ({ type, status: 'True', lastProbeTime: null, lastTransitionTime: now }));
    await this.#client.patch(podDef, 'default', name, { status: { phase: 'Running', conditions } }, 'application/merge-patch+json', 'status');
  }

  async stop(): Promise<void> {
    this.#client.close();
    await this.#worker.terminate();
  }
}

describe('scheduler and node lifecycle (e2e, kubectl)', () => {
  let c: Cluster;
  let kubelets: FakeKubelets;
  const k = (...args: string[]): string => c.kubectl(args).stdout;
  const nodeOf = (pod: string): string => k('get', 'pod', pod, '-o', 'jsonpath={.spec.nodeName}');
  const podYaml = (name: string, spec: object, labels: object = {}): string => JSON.stringify({ apiVersion: 'v1', kind: 'Pod', metadata: { name, labels }, spec: { containers: [{ name: 'c', image: 'nginx' }], ...spec } });
  const cleanup = () => k('delete', 'pods', '--all', '--grace-period=0', '--force', '--wait=false');

  before(async () => {
    c = await startCluster({ args: ['--node-monitor-grace-period', '2'] });
    kubelets = new FakeKubelets(c);
    for (const n of ['node-a', 'node-b', 'node-c']) kubelets.addNode(n, '4');
  });
  after(async () => {
    await kubelets?.stop();
    await c?.stop();
    if (c) removeDir(c.dataDir);
  });

  it('spreads the replicas behind a Service over the three nodes and records Scheduled', async () => {
    const svc = { apiVersion: 'v1', kind: 'Service', metadata: { name: 'spread' }, spec: { selector: { app: 'spread' }, ports: [{ port: 80 }] } };
    const pods = [0, 1, 2, 3, 4, 5].map((i) => JSON.parse(podYaml(`spread-${i}`, {}, { app: 'spread' })));
    c.kubectl(['apply', '-f', '-'], { input: [svc, ...pods].map((o) => stringify(o)).join('---\n') });
    const out = await waitFor('6 bound pods', () => {
      const s = k('get', 'pods', '-l', 'app=spread', '-o', 'jsonpath={range .items[*]}{.spec.nodeName}{"\\n"}{end}').trim().split('\n');
      return s.length === 6 && s.every((n) => n) && s;
    });
    for (const n of ['node-a', 'node-b', 'node-c']) assert.equal(out.filter((x) => x === n).length, 2, `${n}: ${out.join(',')}`);
    const events = k('get', 'events', '--field-selector', 'reason=Scheduled,involvedObject.name=spread-0');
    assert.match(events, /Successfully assigned default\/spread-0 to node-[abc]/);
    assert.match(k('describe', 'pod', 'spread-0'), /Normal\s+Scheduled\s+\S+\s+default-scheduler\s+Successfully assigned default\/spread-0 to node-/);
    cleanup();
  });

  it('nodeSelector picks the labelled node; a selector no node has leaves the pod Pending with the upstream text', async () => {
    k('label', 'node', 'node-b', 'disk=ssd');
    c.kubectl(['apply', '-f', '-'], { input: podYaml('ssd', { nodeSelector: { disk: 'ssd' } }) });
    c.kubectl(['apply', '-f', '-'], { input: podYaml('nvme', { nodeSelector: { disk: 'nvme' } }) });
    assert.equal(await waitFor('ssd bound', () => nodeOf('ssd')), 'node-b');
    const msg = "0/3 nodes are available: 3 node(s) didn't match Pod's node affinity/selector. preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling.";
    await waitFor('FailedScheduling', () => k('get', 'events', '--field-selector', 'involvedObject.name=nvme,reason=FailedScheduling', '-o', 'jsonpath={.items[*].message}') === msg);
    assert.equal(k('get', 'pod', 'nvme', '-o', 'jsonpath={.status.phase}'), 'Pending');
    cleanup();
  });

  it('hostPort: one pod per node and protocol; the fourth waits', async () => {
    const hp = (name: string, protocol = 'TCP') => podYaml(name, { containers: [{ name: 'c', image: 'nginx', ports: [{ containerPort: 80, hostPort: 8080, protocol }] }] });
    for (const n of ['hp-1', 'hp-2', 'hp-3']) c.kubectl(['apply', '-f', '-'], { input: hp(n) });
    const nodes = await waitFor('3 bound', () => {
      const ns = ['hp-1', 'hp-2', 'hp-3'].map(nodeOf);
      return ns.every((n) => n) && ns;
    });
    assert.deepEqual([...nodes].sort(), ['node-a', 'node-b', 'node-c']);
    c.kubectl(['apply', '-f', '-'], { input: hp('hp-4') });
    c.kubectl(['apply', '-f', '-'], { input: hp('hp-udp', 'UDP') });
    await waitFor('udp bound', () => nodeOf('hp-udp'));
    const msg = "0/3 nodes are available: 3 node(s) didn't have free ports for the requested pod ports. preemption: 0/3 nodes are available: 3 No preemption victims found for incoming pod.";
    await waitFor('PodScheduled=False', () => k('get', 'pod', 'hp-4', '-o', 'jsonpath={.status.conditions[?(@.type=="PodScheduled")].message}') === msg);
    assert.equal(nodeOf('hp-4'), '');
    cleanup();
  });

  it('insufficient cpu: FailedScheduling in describe and get events, then scheduled once a node with room appears', async () => {
    c.kubectl(['apply', '-f', '-'], { input: podYaml('big', { containers: [{ name: 'c', image: 'nginx', resources: { requests: { cpu: '6' } } }] }) });
    const msg = '0/3 nodes are available: 3 Insufficient cpu. preemption: 0/3 nodes are available: 3 No preemption victims found for incoming pod.';
    const cond = await waitFor('PodScheduled=False', () => {
      const s = k('get', 'pod', 'big', '-o', 'jsonpath={.status.conditions[?(@.type=="PodScheduled")].status}/{.status.conditions[?(@.type=="PodScheduled")].reason}');
      return s !== '/' && s;
    });
    assert.equal(cond, 'False/Unschedulable');
    assert.match(k('describe', 'pod', 'big'), new RegExp(`Warning\\s+FailedScheduling\\s+\\S+\\s+default-scheduler\\s+${msg.replace(/[.()]/g, '\\$&')}`));
    assert.ok(k('get', 'events').includes(msg));
    kubelets.addNode('node-d', '8');
    assert.equal(await waitFor('big bound', () => nodeOf('big')), 'node-d');
    await waitFor('Scheduled event', () => k('get', 'events', '--field-selector', 'involvedObject.name=big,reason=Scheduled').includes('Successfully assigned default/big to node-d'));
    cleanup();
  });

  it("a node whose lease stops turns NotReady, its pods' Ready turns False, taints follow, intolerant pods go; it comes back", async () => {
    const on = (name: string, extra: object = {}) => podYaml(name, { nodeSelector: { 'kubernetes.io/hostname': 'node-c' }, ...extra });
    c.kubectl(['apply', '-f', '-'], { input: on('stays') });
    const shortTol = [{ key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 1 }];
    c.kubectl(['apply', '-f', '-'], { input: on('leaves', { tolerations: shortTol }) });
    for (const p of ['stays', 'leaves']) await waitFor(`${p} bound`, () => nodeOf(p) === 'node-c');
    for (const p of ['stays', 'leaves']) await kubelets.runPod(p);
    assert.equal(k('get', 'pod', 'stays', '-o', 'jsonpath={.status.conditions[?(@.type=="Ready")].status}'), 'True');

    kubelets.setAlive('node-c', false);
    const t0 = Date.now();
    await waitFor('node-c NotReady', () => /node-c\s+NotReady/.test(k('get', 'nodes')), 10_000);
    assert.ok(Date.now() - t0 >= 1500, 'not before the grace period');
    assert.match(k('get', 'nodes'), /node-a\s+Ready/);
    const ready = JSON.parse(k('get', 'node', 'node-c', '-o', 'jsonpath={.status.conditions[?(@.type=="Ready")]}'));
    assert.equal(ready.reason, 'NodeStatusUnknown');
    assert.equal(ready.message, 'Kubelet stopped posting node status.');
    await waitFor("stays' Ready=False", () => k('get', 'pod', 'stays', '-o', 'jsonpath={.status.conditions[?(@.type=="Ready")].status}') === 'False');
    const taints = await waitFor('taints', () => {
      const t = k('get', 'node', 'node-c', '-o', 'jsonpath={range .spec.taints[*]}{.key}:{.effect} {end}').trim();
      return t.split(' ').length === 2 && t;
    });
    assert.equal(taints, 'node.kubernetes.io/unreachable:NoSchedule node.kubernetes.io/unreachable:NoExecute');
    assert.match(k('describe', 'node', 'node-c'), /NodeNotReady\s+\S+\s+node-controller\s+Node node-c status is now: NodeNotReady/);
    assert.match(k('get', 'events', '--field-selector', 'involvedObject.name=stays'), /NodeNotReady\s+pod\/stays\s+Node is not ready/);

    // tolerationSeconds: 1 on the unreachable NoExecute taint: evicted; the default 300 s keeps the other.
    await waitFor('leaves evicted', () => {
      const r = c.kubectl(['get', 'pod', 'leaves', '-o', 'jsonpath={.metadata.deletionTimestamp}'], { allowFail: true });
      return r.status !== 0 || r.stdout !== '';
    });
    assert.match(k('get', 'events', '--field-selector', 'reason=TaintManagerEviction'), /Marking for deletion Pod default\/leaves/);
    assert.equal(k('get', 'pod', 'stays', '-o', 'jsonpath={.metadata.deletionTimestamp}'), '');

    // The scheduler keeps new pods off the unreachable node.
    c.kubectl(['apply', '-f', '-'], { input: on('late') });
    const msg =
      "0/4 nodes are available: 1 node(s) had untolerated taint {node.kubernetes.io/unreachable: }, 3 node(s) didn't match Pod's node affinity/selector. preemption: 0/4 nodes are available: 4 Preemption is not helpful for scheduling.";
    await waitFor('late unschedulable', () => k('get', 'pod', 'late', '-o', 'jsonpath={.status.conditions[?(@.type=="PodScheduled")].message}') === msg);

    // The kubelet comes back: lease and Ready; the taints go and the pending pod lands.
    kubelets.setAlive('node-c', true);
    await kubelets.postReady('node-c');
    await waitFor('node-c Ready', () => /node-c\s+Ready/.test(k('get', 'nodes')));
    await waitFor('taints removed', () => k('get', 'node', 'node-c', '-o', 'jsonpath={.spec.taints}') === '');
    assert.equal(await waitFor('late bound', () => nodeOf('late')), 'node-c');
    cleanup();
  });
});
