/**
 * @module The endpoints controller (upstream's endpoint-controller): every
 * Service with a selector has an Endpoints object of the same name listing
 * the pods behind each port, ready or not ready. Pod, Service and Endpoints
 * events go straight to a work queue keyed by Service; a sync computes the
 * desired object from the caches (endpoints-subsets.ts) and writes it only
 * when it differs. Endpoints of selector-less and ExternalName Services are
 * the user's and are left alone.
 */
import type { KubeObject } from '../api/meta.ts';
import { findKind } from '../api/resources.ts';
import { ClientError, isConflict, isNotFound, type Client } from '../client/client.ts';
import type { Informer } from '../client/informer.ts';
import { computeTriggerTime, podChangedForEndpoints, selects, serviceBackends, serviceSelector, type TriggerState } from './endpoints-model.ts';
import { desiredEndpoints } from './endpoints-subsets.ts';
import { Backoff } from './backoff.ts';
import type { EventRecorder } from './events.ts';
import { NamespaceIndex } from './ns-index.ts';
import { WorkQueue } from './queue.ts';
import { sharedInformer, startShared } from './shared-informers.ts';
import { WriteTracker } from './write-tracker.ts';

const defs = [findKind('', 'Service')!, findKind('', 'Pod')!, findKind('', 'Endpoints')!];
const LEADER_ANNOTATION = 'control-plane.alpha.kubernetes.io/leader';

export class EndpointsController {
  readonly #client: Client;
  readonly #log: (l: string) => void;
  readonly #recorder?: EventRecorder;
  readonly #services: Informer;
  readonly #pods: Informer;
  readonly #endpoints: Informer;
  readonly #queue: WorkQueue;
  readonly #podsByNs = new NamespaceIndex();
  readonly #servicesByNs = new NamespaceIndex();
  readonly #written = new WriteTracker();
  readonly #triggers = new Map<string, TriggerState>();
  readonly #def = defs[2];

  constructor(opts: { client: Client; log: (l: string) => void; recorder?: EventRecorder }) {
    this.#client = opts.client;
    this.#log = opts.log;
    this.#recorder = opts.recorder;
    const backoff = new Backoff({ requeue: (k, ms) => this.#queue.addAfter(k, ms), log: (k, e, n) => this.#log(`endpoints-controller: sync ${k} (failure ${n}): ${(e as Error).message}`) });
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
    this.#endpoints = sharedInformer(opts.client, defs[2], (type, ep) => {
      // Upstream reacts to deletions only (onEndpointsDelete); other changes wait for the next Service or pod change.
      if (this.#written.observe(type, ep) && type === 'DELETED') this.#queue.add(keyOf(ep));
    });
  }

  ready(): boolean {
    return this.#services.ready() && this.#pods.ready() && this.#endpoints.ready();
  }

  start(signal: AbortSignal): void {
    void Promise.all(defs.map((d) => startShared(this.#client, d, signal))).then(() => {
      // checkLeftoverEndpoints: Endpoints whose Service went while we were down are found and deleted.
      for (const ep of this.#endpoints.list()) if (!(ep.metadata.annotations && LEADER_ANNOTATION in ep.metadata.annotations)) this.#queue.add(keyOf(ep));
      this.#queue.start(signal);
    });
  }

  /** GetServicesToUpdateOnPodChange: the Services that select the pod now or selected it before. */
  #enqueueServicesOf(pod: KubeObject, old: KubeObject | undefined): void {
    for (const svc of this.#servicesByNs.list(pod.metadata.namespace ?? '')) {
      const sel = serviceSelector(svc);
      if (sel && (selects(sel, pod.metadata.labels) || (old && selects(sel, old.metadata.labels)))) this.#queue.add(keyOf(svc));
    }
  }

  async #sync(key: string): Promise<void> {
    const [ns, name] = key.split('/');
    const svc = this.#services.get(ns, name);
    let current = this.#written.current(this.#endpoints.get(ns, name), key);
    if (!svc) {
      this.#triggers.delete(key);
      if (!current || (current.metadata.annotations && LEADER_ANNOTATION in current.metadata.annotations)) return;
      try {
        const gone = await this.#client.delete(this.#def, ns, name);
        this.#written.deleted(current, Number(gone?.metadata?.resourceVersion) || undefined);
      } catch (e) {
        if (!isNotFound(e)) throw e;
      }
      return;
    }
    if (svc.spec?.type === 'ExternalName' || !serviceSelector(svc)) return;
    const backends = serviceBackends(svc, this.#podsByNs.list(ns));
    const { time, state } = computeTriggerTime(this.#triggers.get(key), svc, backends);
    this.#triggers.set(key, state);
    for (let attempt = 0; ; attempt++) {
      const desired = desiredEndpoints(svc, backends, current, time);
      if (!desired) return;
      try {
        // managedFields left out: the apiserver keeps the stored ones, and the body stays small.
        delete desired.metadata.managedFields;
        const written = current ? await this.#client.update(this.#def, desired) : await this.#client.create(this.#def, desired);
        this.#written.wrote(written);
        return;
      } catch (e) {
        if (!current && e instanceof ClientError && e.code === 403) return; // namespace terminating: creates keep failing, drop the key
        // Someone else wrote it in between (or it exists already): read it once and try again at once.
        if ((isConflict(e) || (isNotFound(e) && current)) && attempt === 0) {
          current = await this.#client.get(this.#def, ns, name).catch((err) => (isNotFound(err) ? undefined : Promise.reject(err)));
          continue;
        }
        const reason = current ? 'FailedToUpdateEndpoint' : 'FailedToCreateEndpoint';
        const msg = current ? `Failed to update endpoint ${ns}/${name}: ${(e as Error).message}` : `Failed to create endpoint for service ${ns}/${name}: ${(e as Error).message}`;
        this.#recorder?.event(desired, 'Warning', reason, msg);
        throw e;
      }
    }
  }
}

function keyOf(o: KubeObject): string {
  return `${o.metadata.namespace}/${o.metadata.name}`;
}
