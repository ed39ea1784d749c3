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
import type { Informer } from '../client/informer.ts';
import { serviceSelector } from './endpoints-model.ts';
import { MAX_ENDPOINTS_PER_SUBSET, MIRROR_CONTROLLER, planMirror, shouldMirror } from './endpointslice-mirroring-model.ts';
import { applySlicePlan } from './endpointslice.ts';
import { Backoff } from './backoff.ts';
import type { EventRecorder } from './events.ts';
import { SliceIndex } from './ns-index.ts';
import { WorkQueue } from './queue.ts';
import { sharedInformer, startShared } from './shared-informers.ts';
import { WriteTracker } from './write-tracker.ts';

const defs = [findKind('', 'Service')!, findKind('', 'Endpoints')!, findKind('discovery.k8s.io', 'EndpointSlice')!];

export class EndpointSliceMirroringController {
  readonly #client: Client;
  readonly #log: (l: string) => void;
  readonly #recorder?: EventRecorder;
  readonly #services: Informer;
  readonly #endpoints: Informer;
  readonly #queue: WorkQueue;
  readonly #slices = new SliceIndex({ managedBy: MIRROR_CONTROLLER });
  readonly #written = new WriteTracker({ groupOf: SliceIndex.serviceOf });

  constructor(opts: { client: Client; log: (l: string) => void; recorder?: EventRecorder }) {
    this.#client = opts.client;
    this.#log = opts.log;
    this.#recorder = opts.recorder;
    const backoff = new Backoff({ requeue: (k, ms) => this.#queue.addAfter(k, ms), log: (k, e, n) => this.#log(`endpointslice-mirroring-controller: sync ${k} (failure ${n}): ${(e as Error).message}`) });
    this.#queue = new WorkQueue({ work: (k) => backoff.run(k, () => this.#sync(k)) });
    // Both the Service and the Endpoints decide; the key is their shared namespace/name.
    this.#services = sharedInformer(opts.client, defs[0], (_t, svc) => this.#queue.add(keyOf(svc)));
    this.#endpoints = sharedInformer(opts.client, defs[1], (_t, ep) => this.#queue.add(keyOf(ep)));
    sharedInformer(opts.client, defs[2], (type, slice, old) => {
      const touched = this.#slices.apply(type, slice, old);
      if (touched.length && this.#written.observe(type, slice)) for (const k of touched) this.#queue.add(k);
    });
  }

  ready(): boolean {
    return defs.every((d) => sharedInformer(this.#client, d).ready());
  }

  start(signal: AbortSignal): void {
    void Promise.all(defs.map((d) => startShared(this.#client, d, signal))).then(() => this.#queue.start(signal));
  }

  async #sync(key: string): Promise<void> {
    const [ns, name] = key.split('/');
    const ep = this.#endpoints.get(ns, name);
    const svc = this.#services.get(ns, name);
    const cached = this.#slices.list(key);
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
