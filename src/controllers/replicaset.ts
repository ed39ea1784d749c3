/**
 * @module The ReplicaSet controller, also serving ReplicationControllers
 * through the ReplicaKind adapter (upstream's replication controller is
 * this controller behind a conversion): it claims matching pods, creates
 * or deletes pods until spec.replicas active pods exist, and writes the
 * status. Events: SuccessfulCreate, FailedCreate, SuccessfulDelete,
 * FailedDelete.
 */
import { parseApiVersion, type KubeObject } from '../api/meta.ts';
import { findKind, type ResourceDef } from '../api/resources.ts';
import { ClientError, isConflict, isNotFound, type Client } from '../client/client.ts';
import { Informer, keyOf } from '../client/informer.ts';
import type { Controller, ControllerContext, EventRecorder } from './events.ts';
import { WorkQueue } from './queue.ts';
import {
  Expectations,
  podFromTemplate,
  replicaPlan,
  replicaSetKind,
  replicaStatus,
  replicationControllerKind,
  selects,
  statusChanged,
  type ReplicaKind,
} from './replicaset-rules.ts';
import { Backoff, isPodActive, isPodReady, namespaceTerminating, slowStartBatch } from './workload-pods.ts';
import { adoptPatch, claim, controllerRefOf, releasePatch, strategicMergePatch } from './workload-ownership.ts';

const podKey = (p: KubeObject) => `${p.metadata.namespace}/${p.metadata.name}`;

export class ReplicaSetController implements Controller {
  readonly #client: Client;
  readonly #kind: ReplicaKind;
  readonly #def: ResourceDef;
  readonly #podDef = findKind('', 'Pod')!;
  readonly #owners: Informer;
  readonly #pods: Informer;
  readonly #queue: WorkQueue;
  readonly #backoff = new Backoff();
  readonly #expectations = new Expectations();
  readonly #recorder: EventRecorder;
  readonly #log: (l: string) => void;

  constructor(opts: { client: Client; recorder: EventRecorder; log: (l: string) => void; kind: ReplicaKind }) {
    this.#client = opts.client;
    this.#kind = opts.kind;
    this.#recorder = opts.recorder;
    this.#log = opts.log;
    this.#def = findKind(opts.kind.group, opts.kind.kind)!;
    this.#owners = new Informer({ client: opts.client, def: this.#def });
    this.#pods = new Informer({ client: opts.client, def: this.#podDef });
    this.#queue = new WorkQueue({ work: (k) => this.#work(k) });
    this.#owners.on((type, o) => {
      if (type === 'DELETED') this.#expectations.forget(keyOf(o));
      this.#queue.add(keyOf(o));
    });
    this.#pods.on((type, pod, old) => this.#onPod(type, pod, old));
  }

  ready(): boolean {
    return this.#owners.ready() && this.#pods.ready();
  }

  start(signal: AbortSignal): void {
    void this.#owners.start(signal);
    void this.#pods.start(signal);
    void Promise.all([this.#owners.waitSynced(), this.#pods.waitSynced()]).then(() => this.#queue.start(signal));
  }

  /** The owner a pod's controller reference names, if it is one of ours and still the same object. */
  #ownerOf(pod: KubeObject): KubeObject | undefined {
    const ref = controllerRefOf(pod);
    if (!ref || ref.kind !== this.#kind.kind || parseApiVersion(ref.apiVersion).group !== this.#kind.group) return undefined;
    const owner = this.#owners.get(pod.metadata.namespace, ref.name);
    return owner?.metadata.uid === ref.uid ? owner : undefined;
  }

  #enqueueMatching(pod: KubeObject): void {
    for (const o of this.#owners.list()) {
      if (o.metadata.namespace === pod.metadata.namespace && selects(this.#kind, o, pod)) this.#queue.add(keyOf(o));
    }
  }

  /** addPod, updatePod and deletePod: feed the expectations, then wake the owner (or every owner that could adopt an orphan). */
  #onPod(type: 'ADDED' | 'MODIFIED' | 'DELETED', pod: KubeObject, old?: KubeObject): void {
    const owner = this.#ownerOf(pod);
    if (type === 'DELETED' || (pod.metadata.deletionTimestamp && !old?.metadata.deletionTimestamp)) {
      if (owner) {
        this.#expectations.deletionObserved(keyOf(owner), podKey(pod));
        this.#queue.add(keyOf(owner));
      }
      if (type === 'DELETED') return;
    } else if (type === 'ADDED') {
      if (owner) {
        this.#expectations.creationObserved(keyOf(owner));
        this.#queue.add(keyOf(owner));
      } else if (!controllerRefOf(pod)) this.#enqueueMatching(pod);
      return;
    }
    if (!old || old.metadata.resourceVersion === pod.metadata.resourceVersion) return;
    const oldOwner = this.#ownerOf(old);
    if (oldOwner && oldOwner !== owner) this.#queue.add(keyOf(oldOwner));
    if (owner) {
      this.#queue.add(keyOf(owner));
      // A pod that just turned ready becomes available minReadySeconds later; look again then.
      const minReady = owner.spec?.minReadySeconds ?? 0;
      if (minReady > 0 && !isPodReady(old) && isPodReady(pod)) this.#queue.addAfter(keyOf(owner), minReady * 1000 + 1000);
      return;
    }
    if (!controllerRefOf(pod)) {
      const labelsChanged = JSON.stringify(old.metadata.labels ?? {}) !== JSON.stringify(pod.metadata.labels ?? {});
      if (labelsChanged || controllerRefOf(old)) this.#enqueueMatching(pod);
    }
  }

  async #work(key: string): Promise<void> {
    try {
      await this.#sync(key);
      this.#backoff.forget(key);
    } catch (e) {
      // A conflict only means the cache was behind; the retry sorts it out.
      if (!isConflict(e)) this.#log(`${this.#kind.component}: sync ${key}: ${(e as Error).message}`);
      this.#queue.addAfter(key, this.#backoff.next(key));
    }
  }

  async #sync(key: string): Promise<void> {
    const [ns, name] = key.split('/');
    const owner = this.#owners.get(ns, name);
    if (!owner) {
      this.#expectations.forget(key);
      return;
    }
    const needsSync = this.#expectations.satisfied(key);
    const inNamespace = this.#pods.list().filter((p) => p.metadata.namespace === ns && isPodActive(p));
    const pods = await this.#claimPods(owner, inNamespace);
    let manageError: unknown;
    if (needsSync && !owner.metadata.deletionTimestamp) manageError = await this.#manageReplicas(key, owner, pods);
    const now = new Date();
    const status = replicaStatus(owner, pods, manageError === undefined ? undefined : (manageError as Error).message, now);
    if (statusChanged(owner, status)) await this.#writeStatus(owner, status);
    const replicas = owner.spec?.replicas ?? 1;
    const minReady = owner.spec?.minReadySeconds ?? 0;
    if (manageError === undefined && minReady > 0 && status.readyReplicas === replicas && (status.availableReplicas ?? 0) !== replicas) {
      this.#queue.addAfter(key, minReady * 1000);
    }
    if (manageError !== undefined) throw manageError;
  }

  /** claimPods: adopt matching orphans and release owned pods that stopped matching; returns the pods this owner controls. */
  async #claimPods(owner: KubeObject, pods: KubeObject[]): Promise<KubeObject[]> {
    const c = claim(owner, pods, (p) => selects(this.#kind, owner, p));
    if (c.adopt.length) {
      // RecheckDeletionTimestamp: adopt only for the live, undeleted owner, checked against the API rather than the cache.
      const fresh = await this.#client.get(this.#def, owner.metadata.namespace, owner.metadata.name!).catch((e) => (isNotFound(e) ? undefined : Promise.reject(e)));
      const canAdopt = fresh?.metadata.uid === owner.metadata.uid && !fresh?.metadata.deletionTimestamp;
      if (!canAdopt) {
        const adopting = new Set(c.adopt);
        c.owned = c.owned.filter((p) => !adopting.has(p));
        c.adopt = [];
      }
    }
    const failed = new Set<KubeObject>();
    await Promise.all([
      ...c.adopt.map((p) =>
        this.#client.patch(this.#podDef, p.metadata.namespace, p.metadata.name!, adoptPatch(owner, p), strategicMergePatch).catch((e) => {
          failed.add(p);
          if (!isNotFound(e)) throw e;
        }),
      ),
      ...c.release.map((p) =>
        this.#client.patch(this.#podDef, p.metadata.namespace, p.metadata.name!, releasePatch(owner, p), strategicMergePatch).catch((e) => {
          // Gone, or no longer ours (422): nothing left to release.
          if (!(e instanceof ClientError && (e.code === 404 || e.code === 422))) throw e;
        }),
      ),
    ]);
    return c.owned.filter((p) => !failed.has(p));
  }

  /** Pods of replica sets with the same controller (a Deployment's other replica sets), for the deletion ranking. */
  #relatedPods(owner: KubeObject): KubeObject[] {
    const ref = controllerRefOf(owner);
    if (!ref) return [];
    const seen = new Set<string>();
    const out: KubeObject[] = [];
    const ns = owner.metadata.namespace;
    const siblings = this.#owners.list().filter((o) => o.metadata.namespace === ns && controllerRefOf(o)?.uid === ref.uid);
    for (const s of siblings) {
      for (const p of this.#pods.list()) {
        if (p.metadata.namespace !== ns || seen.has(p.metadata.uid!) || !selects(this.#kind, s, p)) continue;
        seen.add(p.metadata.uid!);
        out.push(p);
      }
    }
    return out;
  }

  /** manageReplicas: returns the first error (upstream's manageReplicasErr) rather than throwing, so status is still written. */
  async #manageReplicas(key: string, owner: KubeObject, pods: KubeObject[]): Promise<unknown> {
    const plan = replicaPlan(owner, pods, this.#relatedPods(owner));
    if (plan.create > 0) {
      this.#expectations.expectCreations(key, plan.create);
      const r = await slowStartBatch(plan.create, 1, async () => {
        try {
          const pod = await this.#client.create(this.#podDef, podFromTemplate(owner));
          this.#recorder.event(owner, 'Normal', 'SuccessfulCreate', `Created pod: ${pod.metadata.name}`);
        } catch (e) {
          // Not a failure (no event), as upstream: the namespace is going away.
          if (namespaceTerminating(e)) return;
          this.#recorder.event(owner, 'Warning', 'FailedCreate', `Error creating: ${(e as Error).message}`);
          throw e;
        }
      });
      // Pods never created will never be observed.
      for (let i = r.successes; i < plan.create; i++) this.#expectations.creationObserved(key);
      if (r.successes) this.#log(`${this.#kind.component}: ${key}: created ${r.successes} pods`);
      return r.error;
    }
    if (!plan.delete.length) return undefined;
    this.#expectations.expectDeletions(key, plan.delete.map(podKey));
    const errors: unknown[] = [];
    await Promise.all(
      plan.delete.map(async (p) => {
        try {
          await this.#client.delete(this.#podDef, p.metadata.namespace, p.metadata.name!);
          this.#recorder.event(owner, 'Normal', 'SuccessfulDelete', `Deleted pod: ${p.metadata.name}`);
        } catch (e) {
          this.#expectations.deletionObserved(key, podKey(p));
          if (isNotFound(e)) return;
          this.#recorder.event(owner, 'Warning', 'FailedDelete', `Error deleting: ${(e as Error).message}`);
          errors.push(new Error(`unable to delete pods: ${(e as Error).message}`));
        }
      }),
    );
    this.#log(`${this.#kind.component}: ${key}: deleted ${plan.delete.length - errors.length} pods`);
    return errors[0];
  }

  /** updateReplicaSetStatus: PUT /status, and once more against a fresh copy after a conflict. */
  async #writeStatus(owner: KubeObject, status: Record<string, any>): Promise<void> {
    let cur = owner;
    for (let i = 0; ; i++) {
      try {
        await this.#client.update(this.#def, { ...cur, status }, 'status');
        return;
      } catch (e) {
        if (i >= 1 || !isConflict(e)) throw e;
        cur = await this.#client.get(this.#def, owner.metadata.namespace, owner.metadata.name!);
      }
    }
  }
}

export function newReplicaSetController(ctx: ControllerContext): Controller {
  return new ReplicaSetController({ client: ctx.client, recorder: ctx.recorder(replicaSetKind.component), log: ctx.log, kind: replicaSetKind });
}

export function newReplicationController(ctx: ControllerContext): Controller {
  return new ReplicaSetController({ client: ctx.client, recorder: ctx.recorder(replicationControllerKind.component), log: ctx.log, kind: replicationControllerKind });
}
