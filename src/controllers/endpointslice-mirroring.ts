/**
 * @module The EndpointSlice mirroring controller (upstream's
 * endpointslice-mirroring-controller): hand-made Endpoints of a Service
 * without a selector are mirrored into EndpointSlices managed by
 * `endpointslicemirroring-controller.k8s.io`, so consumers of slices see
 * them too. Endpoints labelled `endpointslice.kubernetes.io/skip-mirror:
 * "true"`, Endpoints without a Service, and Services with a selector have
 * their mirrored slices removed.
 */
import type { KubeObject } from '../api/meta.ts';
import { findKind } from '../api/resources.ts';
import type { Client } from '../client/client.ts';
import { Informer } from '../client/informer.ts';
import { serviceSelector } from './endpoints-model.ts';
import { MAX_ENDPOINTS_PER_SUBSET, MIRROR_CONTROLLER, planMirror, shouldMirror } from './endpointslice-mirroring-model.ts';
import { LABEL_MANAGED_BY, LABEL_SERVICE_NAME } from './endpointslice-model.ts';
import { applySlicePlan } from './endpointslice.ts';
import type { EventRecorder } from './events.ts';
import { WorkQueue } from './queue.ts';
import { WriteTracker } from './write-tracker.ts';

const serviceOf = (s: KubeObject) => `${s.metadata.namespace}/${s.metadata.labels?.[LABEL_SERVICE_NAME] ?? ''}`;

export class EndpointSliceMirroringController {
  readonly #client: Client;
  readonly #log: (l: string) => void;
  readonly #recorder?: EventRecorder;
  readonly #services: Informer;
  readonly #endpoints: Informer;
  readonly #slices: Informer;
  readonly #queue: WorkQueue;
  readonly #slicesByService = new Map<string, Map<string, KubeObject>>();
  readonly #written = new WriteTracker({ groupOf: serviceOf });

  constructor(opts: { client: Client; log: (l: string) => void; recorder?: EventRecorder }) {
    this.#client = opts.client;
    this.#log = opts.log;
    this.#recorder = opts.recorder;
    this.#services = new Informer({ client: opts.client, def: findKind('', 'Service')! });
    this.#endpoints = new Informer({ client: opts.client, def: findKind('', 'Endpoints')! });
    this.#slices = new Informer({ client: opts.client, def: findKind('discovery.k8s.io', 'EndpointSlice')!, labelSelector: `${LABEL_MANAGED_BY}=${MIRROR_CONTROLLER}` });
    this.#queue = new WorkQueue({ work: (k) => this.#sync(k), retryMs: 200, onError: (k, e) => this.#log(`endpointslice-mirroring-controller: sync ${k}: ${(e as Error).message}`) });
    // Both the Service and the Endpoints decide; the key is their shared namespace/name.
    this.#services.on((_t, svc) => this.#queue.add(keyOf(svc)));
    this.#endpoints.on((_t, ep) => this.#queue.add(keyOf(ep)));
    this.#slices.on((type, slice) => {
      const key = serviceOf(slice);
      let m = this.#slicesByService.get(key);
      if (type === 'DELETED') {
        m?.delete(slice.metadata.name!);
        if (m?.size === 0) this.#slicesByService.delete(key);
      } else {
        if (!m) this.#slicesByService.set(key, (m = new Map()));
        m.set(slice.metadata.name!, slice);
      }
      if (this.#written.observe(type, slice)) this.#queue.add(key);
    });
  }

  ready(): boolean {
    return this.#services.ready() && this.#endpoints.ready() && this.#slices.ready();
  }

  start(signal: AbortSignal): void {
    const all = [this.#services, this.#endpoints, this.#slices];
    for (const i of all) void i.start(signal);
    void Promise.all(all.map((i) => i.waitSynced())).then(() => this.#queue.start(signal));
  }

  async #sync(key: string): Promise<void> {
    const [ns, name] = key.split('/');
    const ep = this.#endpoints.get(ns, name);
    const svc = this.#services.get(ns, name);
    const cached = [...(this.#slicesByService.get(key)?.values() ?? [])];
    const existing = this.#written.group(cached, key).filter((s) => !s.metadata.deletionTimestamp);
    if (!ep || !shouldMirror(ep) || !svc || serviceSelector(svc)) {
      // deleteMirroredSlices
      if (existing.length) await applySlicePlan(this.#client, { create: [], update: [], delete: existing }, this.#written);
      return;
    }
    const plan = planMirror(ep, existing);
    if (plan.invalid > 0) this.#recorder?.event(ep, 'Warning', 'InvalidIPAddress', `Skipped ${plan.invalid} invalid IP addresses when mirroring to EndpointSlices`);
    if (plan.skipped > plan.invalid) {
      this.#recorder?.event(
        ep,
        'Warning',
        'TooManyAddressesToMirror',
        `A max of ${MAX_ENDPOINTS_PER_SUBSET} addresses can be mirrored to EndpointSlices per Endpoints subset. ${plan.skipped} addresses were skipped`,
      );
    }
    await applySlicePlan(this.#client, plan, this.#written);
  }
}

function keyOf(o: KubeObject): string {
  return `${o.metadata.namespace}/${o.metadata.name}`;
}
