/**
 * Unit tests of the scheduler controller against an in-memory API (list,
 * watch, pods/binding, status patches), so queueing, assuming, binding,
 * events and retries are checked without a server.
 *
 * Plan: nodes are 2 cpu / 4Gi / 110 pods, Ready, named n1..n3; pods live in
 * "default"; "big" pods request 3 cpu, which no 2-cpu node holds.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../api/meta.ts';
import type { ResourceDef } from '../api/resources.ts';
import { ClientError, type Client, type WatchEventMsg } from '../client/client.ts';
import type { EventRecorder } from './events.ts';
import { Scheduler } from './scheduler.ts';

const keyOf = (o: KubeObject) => `${o.metadata.namespace ?? ''}/${o.metadata.name}`;

/** Just enough of the API for informers and the scheduler's writes. */
class FakeApi {
  readonly store = new Map<string, Map<string, KubeObject>>();
  readonly watchers: { plural: string; cb: (e: WatchEventMsg) => void }[] = [];
  readonly bindings: string[] = [];
  readonly patches: any[] = [];
  failBindings = 0;
  /** A slow apiserver: the informer sees bindings only after this delay. */
  bindDelayMs = 0;
  #rv = 1;

  put(plural: string, obj: KubeObject, type: 'ADDED' | 'MODIFIED' | 'DELETED' = 'ADDED'): void {
    const m = this.store.get(plural) ?? new Map();
    this.store.set(plural, m);
    obj.metadata.resourceVersion = String(++this.#rv);
    if (type === 'DELETED') m.delete(keyOf(obj));
    else m.set(keyOf(obj), obj);
    for (const w of this.watchers) if (w.plural === plural) w.cb({ type, object: structuredClone(obj) });
  }

  asClient(): Client {
    return {
      list: async (def: ResourceDef) => {
        return { apiVersion: 'v1', kind: def.listKind, metadata: { resourceVersion: String(this.#rv) }, items: [...(this.store.get(def.plural)?.values() ?? [])].map((o) => structuredClone(o)) };
      },
      watch: (def: ResourceDef, _q: string, cb: (e: WatchEventMsg) => void, signal: AbortSignal) => {
        this.watchers.push({ plural: def.plural, cb });
        return new Promise<void>((ok) => signal.addEventListener('abort', () => ok()));
      },
      request: async (method: string, path: string, body: any) => {
        const m = /namespaces\/([^/]+)\/pods\/([^/]+)\/binding$/.exec(path);
        assert.ok(method === 'POST' && m, `unexpected ${method} ${path}`);
        if (this.bindDelayMs) await new Promise((r) => setTimeout(r, this.bindDelayMs));
        if (this.failBindings > 0 && this.failBindings--) throw new ClientError(500, 'etcd is sad');
        const pod = this.store.get('pods')!.get(`${m[1]}/${m[2]}`)!;
        if (pod.spec.nodeName) throw new ClientError(409, `pod ${m[2]} is already assigned to node "${pod.spec.nodeName}"`);
        this.bindings.push(`${m[2]}->${body.target.name}`);
        this.put('pods', { ...pod, spec: { ...pod.spec, nodeName: body.target.name } }, 'MODIFIED');
        return {};
      },
      patch: async (_def: ResourceDef, _ns: string, name: string, patch: any, type: string, sub: string) => {
        this.patches.push({ name, patch, type, sub });
        return {};
      },
    } as unknown as Client;
  }
}

function recorder(): EventRecorder & { events: string[] } {
  const events: string[] = [];
  return { events, event: (obj, type, reason, message) => events.push(`${type} ${reason} ${obj.metadata.name}: ${message}`) };
}

const node = (name: string, cpu = '2'): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Node',
  metadata: { name, labels: { 'kubernetes.io/hostname': name } },
  status: { allocatable: { cpu, memory: '4Gi', pods: '110' }, conditions: [{ type: 'Ready', status: 'True' }] },
});
const pod = (name: string, cpu?: string, spec: any = {}): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, namespace: 'default', uid: `uid-${name}`, labels: { app: 'web' } },
  spec: { schedulerName: 'default-scheduler', containers: [{ name: 'c', ...(cpu ? { resources: { requests: { cpu } } } : {}) }], ...spec },
  status: { phase: 'Pending' },
});

async function waitFor(cond: () => boolean, what: string, ms = 3000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

async function withScheduler(fn: (api: FakeApi, rec: ReturnType<typeof recorder>) => Promise<void>): Promise<void> {
  const api = new FakeApi();
  const rec = recorder();
  const ac = new AbortController();
  const s = new Scheduler({ client: api.asClient(), recorder: rec, log: () => {}, initialBackoffMs: 20, maxBackoffMs: 40, rng: () => 0.5 });
  s.start(ac.signal);
  try {
    await waitFor(() => s.ready(), 'informers');
    await fn(api, rec);
  } finally {
    ac.abort();
  }
}

describe('Scheduler', () => {
  it('binds a pending pod through pods/binding and records Scheduled', () =>
    withScheduler(async (api, rec) => {
      api.put('nodes', node('n1'));
      api.put('nodes', node('n2', '8'));
      api.put('pods', pod('p', '3'));
      await waitFor(() => api.bindings.length === 1, 'binding');
      assert.deepEqual(api.bindings, ['p->n2']);
      await waitFor(() => rec.events.length === 1, 'event');
      assert.deepEqual(rec.events, ['Normal Scheduled p: Successfully assigned default/p to n2']);
    }));

  it('leaves alone pods of other schedulers, bound pods and gated pods', () =>
    withScheduler(async (api) => {
      api.put('nodes', node('n1'));
      api.put('pods', pod('other', undefined, { schedulerName: 'my-scheduler' }));
      api.put('pods', pod('bound', undefined, { nodeName: 'n1' }));
      api.put('pods', pod('gated', undefined, { schedulingGates: [{ name: 'wait' }] }));
      api.put('pods', pod('mine'));
      await waitFor(() => api.bindings.length === 1, 'binding');
      await new Promise((r) => setTimeout(r, 50));
      assert.deepEqual(api.bindings, ['mine->n1']);
    }));

  it('a pod that fits nowhere gets FailedScheduling and PodScheduled=False, then binds once a node with room appears', () =>
    withScheduler(async (api, rec) => {
      for (const n of ['n1', 'n2', 'n3']) api.put('nodes', node(n));
      api.put('pods', pod('big', '3'));
      const msg = '0/3 nodes are available: 3 Insufficient cpu. preemption: 0/3 nodes are available: 3 No preemption victims found for incoming pod.';
      await waitFor(() => api.patches.length === 1, 'status patch');
      assert.deepEqual(rec.events, [`Warning FailedScheduling big: ${msg}`]);
      const p = api.patches[0];
      assert.equal(p.sub, 'status');
      assert.equal(p.type, 'application/strategic-merge-patch+json');
      assert.deepEqual({ ...p.patch.status.conditions[0], lastTransitionTime: 'T' }, { type: 'PodScheduled', status: 'False', lastProbeTime: null, lastTransitionTime: 'T', reason: 'Unschedulable', message: msg });
      // Nothing changed: the pod stays parked (no retry storm).
      await new Promise((r) => setTimeout(r, 100));
      assert.equal(rec.events.length, 1);
      api.put('nodes', node('n4', '4'));
      await waitFor(() => api.bindings.length === 1, 'binding after the node came');
      assert.deepEqual(api.bindings, ['big->n4']);
    }));

  it('a pod waiting for room binds when an assigned pod on a full node goes away', () =>
    withScheduler(async (api) => {
      api.put('nodes', node('n1'));
      api.put('pods', pod('first', '1500m'));
      await waitFor(() => api.bindings.length === 1, 'first binding');
      api.put('pods', pod('second', '1'));
      await waitFor(() => api.patches.length === 1, 'second is unschedulable');
      api.put('pods', api.store.get('pods')!.get('default/first')!, 'DELETED');
      await waitFor(() => api.bindings.length === 2, 'second binding');
      assert.deepEqual(api.bindings, ['first->n1', 'second->n1']);
    }));

  it('assumed pods count at once: five 1-cpu pods on two 2-cpu nodes bind 2 + 2 while bindings are slow; the fifth waits', () =>
    withScheduler(async (api) => {
      api.bindDelayMs = 100;
      api.put('nodes', node('n1'));
      api.put('nodes', node('n2'));
      for (const n of ['a', 'b', 'c', 'd', 'e']) api.put('pods', pod(n, '1'));
      await waitFor(() => api.bindings.length === 4 && api.patches.length === 1, 'bindings');
      const perNode = (n: string) => api.bindings.filter((b) => b.endsWith(n)).length;
      assert.deepEqual([perNode('n1'), perNode('n2')], [2, 2]);
      assert.equal(api.patches[0].name, 'e');
    }));

  it('a failed binding is reported, forgotten and retried after backoff', () =>
    withScheduler(async (api, rec) => {
      api.failBindings = 1;
      api.put('nodes', node('n1'));
      api.put('pods', pod('p'));
      await waitFor(() => api.bindings.length === 1, 'binding on the second try');
      assert.equal(rec.events[0], 'Warning FailedScheduling p: running Bind plugin "DefaultBinder": etcd is sad');
      assert.equal(api.patches[0].patch.status.conditions[0].reason, 'SchedulerError');
    }));

  it('replicas behind a Service spread over the nodes', () =>
    withScheduler(async (api) => {
      for (const n of ['n1', 'n2', 'n3']) api.put('nodes', node(n, '64'));
      api.put('services', { apiVersion: 'v1', kind: 'Service', metadata: { name: 'web', namespace: 'default' }, spec: { selector: { app: 'web' } } });
      for (let i = 0; i < 9; i++) api.put('pods', pod(`web-${i}`));
      await waitFor(() => api.bindings.length === 9, 'bindings');
      for (const n of ['n1', 'n2', 'n3']) assert.equal(api.bindings.filter((b) => b.endsWith(`->${n}`)).length, 3, n);
    }));
});
