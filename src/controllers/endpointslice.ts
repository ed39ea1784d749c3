/**
 * @module The EndpointSlice controller (upstream's endpointslice-controller):
 * every Service with a selector has EndpointSlices `<service>-<random>`
 * holding its pods, at most 100 per slice, with ready/serving/terminating
 * conditions, node name and zone. The slices are owned by the Service, so
 * the garbage collector removes them with it. A sync plans creates, updates
 * and deletes from the caches (endpointslice-model.ts) and applies them.
 */
import type { KubeObject } from '../api/meta.ts';
import { findKind } from '../api/resources.ts';
import { isNotFound, type Client } from '../client/client.ts';
import { Informer } from '../client/informer.ts';
import { computeTriggerTime, podChangedForEndpoints, selects, serviceBackends, serviceSelector, type TriggerState } from './endpoints-model.ts';
import { LABEL_MANAGED_BY, LABEL_SERVICE_NAME, SLICE_CONTROLLER, ZONE_LABEL, planServiceSlices, type SlicePlan } from './endpointslice-model.ts';
import type { EventRecorder } from './events.ts';
import { NamespaceIndex } from './ns-index.ts';
import { WorkQueue } from './queue.ts';
import { WriteTracker } from './write-tracker.ts';

const sliceDef = findKind('discovery.k8s.io', 'EndpointSlice')!;
const serviceOf = (s: KubeObject) => `${s.metadata.namespace}/${s.metadata.labels?.[LABEL_SERVICE_NAME] ?? ''}`;

/** Applies a slice plan in upstream's order (creates, updates, deletes), recording each write. */
export async function applySlicePlan(client: Client, plan: SlicePlan, written: WriteTracker): Promise<void> {
  for (const s of plan.create) written.wrote(await client.create(sliceDef, s));
  for (const s of plan.update) written.wrote(await client.update(sliceDef, s));
  for (const s of plan.delete) {
    try {
      const gone = await client.delete(sliceDef, s.metadata.namespace, s.metadata.name!);
      written.deleted(s, Number(gone?.metadata?.resourceVersion) || undefined);
    } catch (e) {
      if (!isNotFound(e)) throw e;
      written.deleted(s);
    }
  }
}

export class EndpointSliceController {
  readonly #client: Client;
  readonly #log: (l: string) => void;
  readonly #recorder?: EventRecorder;
  readonly #services: Informer;
  readonly #pods: Informer;
  readonly #nodes: Informer;
  readonly #slices: Informer;
  readonly #queue: WorkQueue;
  readonly #podsByNs = new NamespaceIndex();
  readonly #servicesByNs = new NamespaceIndex();
  readonly #slicesByService = new Map<string, Map<string, KubeObject>>();
  readonly #written = new WriteTracker({ groupOf: serviceOf });
  readonly #triggers = new Map<string, TriggerState>();
  readonly #missingLogged = new Map<string, string>();

  constructor(opts: { client: Client; log: (l: string) => void; recorder?: EventRecorder }) {
    this.#client = opts.client;
    this.#log = opts.log;
    this.#recorder = opts.recorder;
    this.#services = new Informer({ client: opts.client, def: findKind('', 'Service')! });
    this.#pods = new Informer({ client: opts.client, def: findKind('', 'Pod')! });
    this.#nodes = new Informer({ client: opts.client, def: findKind('', 'Node')! });
    this.#slices = new Informer({ client: opts.client, def: sliceDef, labelSelector: `${LABEL_MANAGED_BY}=${SLICE_CONTROLLER}` });
    this.#queue = new WorkQueue({ work: (k) => this.#sync(k), retryMs: 200, onError: (k, e) => this.#log(`endpointslice-controller: sync ${k}: ${(e as Error).message}`) });
    this.#services.on((type, svc) => {
      this.#servicesByNs.apply(type, svc);
      this.#queue.add(keyOf(svc));
    });
    this.#pods.on((type, pod, old) => {
      this.#podsByNs.apply(type, pod);
      if (type === 'MODIFIED' && old && !podChangedForEndpoints(old, pod)) return;
      this.#enqueueServicesOf(pod, old);
    });
    this.#nodes.on((type, node, old) => {
      // A pod on a node not yet known was left out; a zone label feeds every endpoint on the node.
      if (type === 'MODIFIED' && old?.metadata.labels?.[ZONE_LABEL] === node.metadata.labels?.[ZONE_LABEL]) return;
      for (const pod of this.#pods.list()) if (pod.spec?.nodeName === node.metadata.name) this.#enqueueServicesOf(pod, undefined);
    });
    this.#slices.on((type, slice) => {
      const svc = serviceOf(slice);
      let m = this.#slicesByService.get(svc);
      if (type === 'DELETED') {
        m?.delete(slice.metadata.name!);
        if (m?.size === 0) this.#slicesByService.delete(svc);
      } else {
        if (!m) this.#slicesByService.set(svc, (m = new Map()));
        m.set(slice.metadata.name!, slice);
      }
      // Someone else's change to one of our slices (or its deletion) is put right.
      if (this.#written.observe(type, slice)) this.#queue.add(svc);
    });
  }

  ready(): boolean {
    return [this.#services, this.#pods, this.#nodes, this.#slices].every((i) => i.ready());
  }

  start(signal: AbortSignal): void {
    const all = [this.#services, this.#pods, this.#nodes, this.#slices];
    for (const i of all) void i.start(signal);
    void Promise.all(all.map((i) => i.waitSynced())).then(() => this.#queue.start(signal));
  }

  #enqueueServicesOf(pod: KubeObject, old: KubeObject | undefined): void {
    for (const svc of this.#servicesByNs.list(pod.metadata.namespace ?? '')) {
      const sel = serviceSelector(svc);
      if (sel && (selects(sel, pod.metadata.labels) || (old && selects(sel, old.metadata.labels)))) this.#queue.add(keyOf(svc));
    }
  }

  async #sync(key: string): Promise<void> {
    const [ns, name] = key.split('/');
    const svc = this.#services.get(ns, name);
    if (!svc) {
      // The slices carry an ownerReference to the Service: the garbage collector deletes them.
      this.#triggers.delete(key);
      this.#missingLogged.delete(key);
      return;
    }
    if (svc.spec?.type === 'ExternalName' || !serviceSelector(svc)) return;
    const cached = [...(this.#slicesByService.get(key)?.values() ?? [])];
    const existing = this.#written.group(cached, key).filter((s) => !s.metadata.deletionTimestamp);
    const backends = serviceBackends(svc, this.#podsByNs.list(ns));
    const { time, state } = computeTriggerTime(this.#triggers.get(key), svc, backends);
    this.#triggers.set(key, state);
    const plan = planServiceSlices({ svc, backends, existing, nodeOf: (n) => this.#nodes.get(undefined, n), triggerTime: time });
    const missing = plan.missingNodes.map((n) => n || '(none)').join(',');
    // Logged when the set changes, not on every pod event.
    if (missing !== (this.#missingLogged.get(key) ?? '')) {
      if (missing) this.#log(`endpointslice-controller: ${key}: pods left out, node not found: ${missing}`);
      this.#missingLogged.set(key, missing);
    }
    try {
      await applySlicePlan(this.#client, plan, this.#written);
    } catch (e) {
      this.#recorder?.event(svc, 'Warning', 'FailedToUpdateEndpointSlices', `Error updating Endpoint Slices for Service ${key}: ${(e as Error).message}`);
      throw e;
    }
  }
}

function keyOf(o: KubeObject): string {
  return `${o.metadata.namespace}/${o.metadata.name}`;
}
