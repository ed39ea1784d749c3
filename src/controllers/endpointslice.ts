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
import type { Informer } from '../client/informer.ts';
import { computeTriggerTime, podChangedForEndpoints, selects, serviceBackends, serviceSelector, type TriggerState } from './endpoints-model.ts';
import { SLICE_CONTROLLER, ZONE_LABEL, planServiceSlices, type SlicePlan } from './endpointslice-model.ts';
import { Backoff } from './backoff.ts';
import type { EventRecorder } from './events.ts';
import { NamespaceIndex, SliceIndex } from './ns-index.ts';
import { WorkQueue } from './queue.ts';
import { sharedInformer, startShared } from './shared-informers.ts';
import { WriteTracker } from './write-tracker.ts';

const sliceDef = findKind('discovery.k8s.io', 'EndpointSlice')!;
const defs = [findKind('', 'Service')!, findKind('', 'Pod')!, findKind('', 'Node')!, sliceDef];

/** Applies a slice plan in upstream's order (creates, updates, deletes), recording each write. */
export async function applySlicePlan(client: Client, plan: SlicePlan, written: WriteTracker): Promise<void> {
  for (const s of plan.create) written.wrote(await client.create(sliceDef, s));
  // managedFields left out: the apiserver keeps the stored ones, and the body stays small.
  for (const s of plan.update) written.wrote(await client.update(sliceDef, { ...s, metadata: { ...s.metadata, managedFields: undefined } }));
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
  readonly #queue: WorkQueue;
  readonly #podsByNs = new NamespaceIndex();
  readonly #servicesByNs = new NamespaceIndex();
  readonly #slices = new SliceIndex({ managedBy: SLICE_CONTROLLER });
  readonly #written = new WriteTracker({ groupOf: SliceIndex.serviceOf });
  readonly #triggers = new Map<string, TriggerState>();
  readonly #missingLogged = new Map<string, string>();

  constructor(opts: { client: Client; log: (l: string) => void; recorder?: EventRecorder }) {
    this.#client = opts.client;
    this.#log = opts.log;
    this.#recorder = opts.recorder;
    const backoff = new Backoff({ requeue: (k, ms) => this.#queue.addAfter(k, ms), log: (k, e, n) => this.#log(`endpointslice-controller: sync ${k} (failure ${n}): ${(e as Error).message}`) });
    this.#queue = new WorkQueue({ work: (k) => backoff.run(k, () => this.#sync(k)) });
    this.#services = sharedInformer(opts.client, defs[0], (type, svc) => {
      this.#servicesByNs.apply(type, svc);
      this.#queue.add(keyOf(svc));
    });
    this.#pods = sharedInformer(opts.client, defs[1], (type, pod, old) => {
      this.#podsByNs.apply(type, pod);
      if (type === 'MODIFIED' && old && !podChangedForEndpoints(old, pod)) return;
      this.#enqueueServicesOf(pod, old);
    });
    this.#nodes = sharedInformer(opts.client, defs[2], (type, node, old) => {
      // A pod on a node not yet known was left out; a zone label feeds every endpoint on the node.
      if (type === 'MODIFIED' && old?.metadata.labels?.[ZONE_LABEL] === node.metadata.labels?.[ZONE_LABEL]) return;
      for (const pod of this.#pods.list()) if (pod.spec?.nodeName === node.metadata.name) this.#enqueueServicesOf(pod, undefined);
    });
    sharedInformer(opts.client, sliceDef, (type, slice, old) => {
      const touched = this.#slices.apply(type, slice, old);
      // Someone else's change to one of our slices (or its deletion) is put right.
      if (touched.length && this.#written.observe(type, slice)) for (const k of touched) this.#queue.add(k);
    });
  }

  ready(): boolean {
    return defs.every((d) => sharedInformer(this.#client, d).ready());
  }

  start(signal: AbortSignal): void {
    void Promise.all(defs.map((d) => startShared(this.#client, d, signal))).then(() => this.#queue.start(signal));
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
    const cached = this.#slices.list(key);
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
