/**
 * The service-lb controller's syncer against an in-memory API (list, watch,
 * merge patch of services/status): what it writes, when it writes nothing,
 * and which events it records. Address plan: node-a 192.0.2.11 (Ready),
 * pool 198.51.100.200/31. Nothing is contacted.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../api/meta.ts';
import type { ResourceDef } from '../api/resources.ts';
import type { Client, WatchEventMsg } from '../client/client.ts';
import type { EventRecorder } from './events.ts';
import { ServiceLBController } from './service-lb.ts';
import { ServiceLBError } from './service-lb-model.ts';

/** Just enough of the API for two informers and status patches. */
class FakeApi {
  rv = 1;
  readonly objs = new Map<string, Map<string, KubeObject>>();
  readonly watchers = new Map<string, Set<(e: WatchEventMsg) => void>>();
  readonly patches: { name: string; body: any }[] = [];

  put(obj: KubeObject): void {
    const m = this.objs.get(obj.kind!) ?? new Map<string, KubeObject>();
    this.objs.set(obj.kind!, m);
    const type = m.has(obj.metadata.name!) ? 'MODIFIED' : 'ADDED';
    obj = { ...structuredClone(obj), metadata: { ...obj.metadata, resourceVersion: String(++this.rv) } };
    m.set(obj.metadata.name!, obj);
    for (const w of this.watchers.get(obj.kind!) ?? []) w({ type, object: structuredClone(obj) });
  }

  get(kind: string, name: string): KubeObject {
    return structuredClone(this.objs.get(kind)!.get(name)!);
  }

  client(): Client {
    const list = async (def: ResourceDef) => ({ apiVersion: 'v1', kind: `${def.kind}List`, metadata: { resourceVersion: String(this.rv) }, items: [...(this.objs.get(def.kind)?.values() ?? [])].map((o) => structuredClone(o)) });
    const watch = (def: ResourceDef, _q: string, onEvent: (e: WatchEventMsg) => void, signal: AbortSignal) =>
      new Promise<void>((resolve) => {
        const set = this.watchers.get(def.kind) ?? new Set();
        this.watchers.set(def.kind, set);
        set.add(onEvent);
        signal.addEventListener('abort', () => (set.delete(onEvent), resolve()), { once: true });
      });
    const patch = async (def: ResourceDef, _ns: string, name: string, body: any, type: string, sub: string) => {
      assert.deepEqual([def.kind, type, sub], ['Service', 'application/merge-patch+json', 'status']);
      this.patches.push({ name, body });
      const svc = this.get('Service', name);
      const lb = body.status.loadBalancer;
      svc.status = { loadBalancer: lb.ingress ? { ingress: lb.ingress } : {} };
      this.put(svc);
      return this.get('Service', name);
    };
    return { list, watch, patch } as unknown as Client;
  }
}

const node = (name: string, ip: string, ready = true): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Node',
  metadata: { name },
  status: { conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }], addresses: [{ type: 'InternalIP', address: ip }] },
});
const service = (name: string, spec: object = {}, created = '2025-01-01T00:00:00Z'): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name, namespace: 'default', uid: `uid-${name}`, creationTimestamp: created },
  spec: { type: 'LoadBalancer', ports: [{ port: 80, protocol: 'TCP' }], ipFamilies: ['IPv4'], ...spec },
  status: { loadBalancer: {} },
});

function recorder(): EventRecorder & { seen: string[] } {
  const seen: string[] = [];
  return { seen, event: (obj, type, reason, message) => void seen.push(`${obj.metadata.name} ${type} ${reason}: ${message}`) };
}

const settle = () => new Promise((r) => setTimeout(r, 30));

async function run(api: FakeApi, pool: string | undefined, body: (rec: ReturnType<typeof recorder>, lines: string[]) => Promise<void>): Promise<void> {
  const ac = new AbortController();
  const rec = recorder();
  const lines: string[] = [];
  const ctl = new ServiceLBController({ client: api.client(), log: (l) => lines.push(l), recorder: rec, pool });
  ctl.start(ac.signal);
  try {
    await settle();
    assert.ok(ctl.ready());
    await body(rec, lines);
  } finally {
    ac.abort();
  }
}

describe('ServiceLBController', () => {
  it('refuses a garbage pool when constructed', () => {
    assert.throws(() => new ServiceLBController({ client: new FakeApi().client(), log: () => {}, pool: '10.0.0.0/40' }), (e: unknown) => e instanceof ServiceLBError && e.code === 'INVALID_POOL');
  });

  it('patches the status once, with Ensuring/Ensured events, and writes nothing when nothing changed', async () => {
    const api = new FakeApi();
    api.put(node('node-a', '192.0.2.11'));
    api.put(service('web'));
    await run(api, undefined, async (rec, lines) => {
      assert.deepEqual(api.patches, [{ name: 'web', body: { status: { loadBalancer: { ingress: [{ ip: '192.0.2.11', ipMode: 'VIP' }] } } } }]);
      assert.deepEqual(rec.seen, ['web Normal EnsuringLoadBalancer: Ensuring load balancer', 'web Normal EnsuredLoadBalancer: Ensured load balancer']);
      assert.match(lines[0], /^service-lb: synced services=1 loadbalancers=1 pending=0 written=1 failed=0 took=\d+\.\d{3}s$/);
      // A heartbeat (same readiness and addresses) and an unrelated Service change: no write, no event.
      api.put({ ...node('node-a', '192.0.2.11'), metadata: { name: 'node-a', labels: { x: 'y' } } });
      api.put(service('other', { type: 'ClusterIP' }));
      await settle();
      assert.equal(api.patches.length, 1);
      assert.equal(rec.seen.length, 2);
      // The node goes NotReady: the Service is left pending (ingress removed) with one Warning.
      api.put(node('node-a', '192.0.2.11', false));
      await settle();
      assert.deepEqual(api.patches[1], { name: 'web', body: { status: { loadBalancer: { ingress: null } } } });
      assert.match(rec.seen[3], /^web Warning SyncLoadBalancerFailed: Error syncing load balancer: no Ready, schedulable node/);
      // Another Service change resyncs; the pending Service is not announced again.
      api.put(service('other', { type: 'NodePort' }));
      await settle();
      assert.equal(rec.seen.length, 4);
      assert.equal(api.patches.length, 2);
    });
  });

  it('keeps pool addresses found in statuses at start, and clears a Service that left LoadBalancer', async () => {
    const api = new FakeApi();
    const held = service('held', {}, '2025-01-02T00:00:00Z');
    held.status = { loadBalancer: { ingress: [{ ip: '198.51.100.201', ipMode: 'VIP' }] } };
    api.put(held);
    api.put(service('fresh', {}, '2025-01-01T00:00:00Z'));
    await run(api, '198.51.100.200/31', async (rec) => {
      assert.deepEqual(api.patches, [{ name: 'fresh', body: { status: { loadBalancer: { ingress: [{ ip: '198.51.100.200', ipMode: 'VIP' }] } } } }]);
      api.put({ ...api.get('Service', 'held'), spec: { type: 'ClusterIP', ports: [{ port: 80 }] } });
      await settle();
      assert.deepEqual(api.patches[1], { name: 'held', body: { status: { loadBalancer: { ingress: null } } } });
      assert.deepEqual(api.get('Service', 'held').status, { loadBalancer: {} });
      assert.deepEqual(rec.seen.slice(2), ['held Normal DeletingLoadBalancer: Deleting load balancer', 'held Normal DeletedLoadBalancer: Deleted load balancer']);
    });
  });
});
