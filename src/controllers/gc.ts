/**
 * @module The garbage collector (upstream's garbagecollector controller):
 * watches every served kind but Events, keeps the owner/dependent graph,
 * and acts on it. Dependents of a deleted owner go (background); an owner
 * deleted in foreground (`foregroundDeletion` finalizer) loses that
 * finalizer once its blocking dependents are gone; an owner deleted with
 * orphan propagation (`orphan` finalizer) has its ownerReferences removed
 * from its dependents, then the finalizer. The apiserver adds those
 * finalizers from propagationPolicy and completes the deletion when the last
 * one goes.
 */
import type { KubeObject, OwnerReference } from '../api/meta.ts';
import { resources, type ResourceDef } from '../api/resources.ts';
import { isConflict, isNotFound, type Client } from '../client/client.ts';
import { Backoff } from './backoff.ts';
import type { EventRecorder } from './events.ts';
import { FOREGROUND, ORPHAN, OwnerGraph, decide, defOfRef, isDeletingDependents, isOrphaning, type OwnerState } from './gc-model.ts';
import { WorkQueue } from './queue.ts';
import { sharedInformer, startShared } from './shared-informers.ts';

/** DefaultIgnoredResources: events are never owners worth tracking. */
const ignored = new Set(['Event']);

export class GarbageCollector {
  readonly #client: Client;
  readonly #log: (l: string) => void;
  readonly #recorder?: EventRecorder;
  readonly #defs = resources.filter((d) => !ignored.has(d.kind));
  readonly #graph = new OwnerGraph();
  readonly #attemptToDelete: WorkQueue;
  readonly #attemptToOrphan: WorkQueue;

  constructor(opts: { client: Client; log: (l: string) => void; recorder?: EventRecorder }) {
    this.#client = opts.client;
    this.#log = opts.log;
    this.#recorder = opts.recorder;
    const log = (k: string, e: unknown, n: number) => this.#log(`garbage-collector: ${this.#describe(k)} (failure ${n}): ${(e as Error).message}`);
    const deleteBackoff = new Backoff({ requeue: (k, ms) => this.#attemptToDelete.addAfter(k, ms), log });
    const orphanBackoff = new Backoff({ requeue: (k, ms) => this.#attemptToOrphan.addAfter(k, ms), log });
    this.#attemptToDelete = new WorkQueue({ work: (uid) => deleteBackoff.run(uid, () => this.#attemptToDeleteItem(uid)) });
    this.#attemptToOrphan = new WorkQueue({ work: (uid) => orphanBackoff.run(uid, () => this.#orphanDependents(uid)) });
    for (const def of this.#defs) sharedInformer(opts.client, def, (type, obj) => this.#observe(def, type, obj));
  }

  ready(): boolean {
    return this.#defs.every((d) => sharedInformer(this.#client, d).ready());
  }

  start(signal: AbortSignal): void {
    // Acting before every kind is listed would take owners not yet seen for gone ones.
    void Promise.all(this.#defs.map((d) => startShared(this.#client, d, signal))).then(() => {
      this.#log(`garbage-collector: synced objects=${this.#graph.size}`);
      this.#attemptToDelete.start(signal);
      this.#attemptToOrphan.start(signal);
    });
  }

  /** GraphBuilder.processGraphChanges: update the graph, queue what the change may have unblocked. */
  #observe(def: ResourceDef, type: 'ADDED' | 'MODIFIED' | 'DELETED', obj: KubeObject): void {
    const uid = obj.metadata.uid;
    if (!uid) return;
    if (type === 'DELETED') {
      this.#graph.remove(uid);
      for (const dep of this.#graph.dependents(uid)) this.#attemptToDelete.add(dep.uid);
      for (const r of obj.metadata.ownerReferences ?? []) if (this.#graph.get(r.uid)?.deletingDependents) this.#attemptToDelete.add(r.uid);
      return;
    }
    for (const r of this.#graph.upsert(def, obj)) if (this.#graph.get(r.uid)?.deletingDependents) this.#attemptToDelete.add(r.uid);
    for (const r of obj.metadata.ownerReferences ?? []) {
      // An owner not in the graph (upstream's virtual node) is verified against the API; one deleting its dependents takes this one too.
      const owner = this.#graph.get(r.uid);
      if (!owner || owner.deletingDependents) this.#attemptToDelete.add(uid);
    }
    if (isOrphaning(obj)) this.#attemptToOrphan.add(uid);
    if (isDeletingDependents(obj)) {
      this.#attemptToDelete.add(uid);
      for (const dep of this.#graph.dependents(uid)) this.#attemptToDelete.add(dep.uid);
    }
  }

  #describe(uid: string): string {
    const n = this.#graph.get(uid);
    return n ? `${n.def.kind} ${n.namespace ? n.namespace + '/' : ''}${n.name}` : uid;
  }

  /** The live object of a graph node, or undefined when it is gone or replaced. */
  async #latest(uid: string): Promise<{ def: ResourceDef; obj: KubeObject } | undefined> {
    const node = this.#graph.get(uid);
    if (!node) return undefined;
    try {
      const obj = await this.#client.get(node.def, node.namespace, node.name);
      return obj.metadata.uid === uid ? { def: node.def, obj } : undefined;
    } catch (e) {
      if (isNotFound(e)) return undefined;
      throw e;
    }
  }

  async #attemptToDeleteItem(uid: string): Promise<void> {
    const latest = await this.#latest(uid);
    if (!latest) return;
    const { def, obj } = latest;
    if (obj.metadata.deletionTimestamp && !isDeletingDependents(obj)) return; // on its way out: its deletion event brings the rest
    if (isDeletingDependents(obj)) {
      // processDeletingDependentsItem
      const blocking = this.#graph.blockingDependents(uid);
      if (!blocking.length) return this.#removeFinalizer(def, obj, FOREGROUND);
      for (const dep of blocking) if (!dep.deletingDependents) this.#attemptToDelete.add(dep.uid);
      return;
    }
    const refs = obj.metadata.ownerReferences ?? [];
    if (!refs.length) return;
    const states = new Map<string, OwnerState>();
    for (const r of refs) states.set(r.uid, await this.#ownerState(r, obj));
    const deps = this.#graph.dependents(uid);
    const action = decide(obj, states, { hasDependents: deps.length > 0, dependentDeletingDependents: deps.some((d) => d.deletingDependents) });
    if (action.kind === 'none') return;
    if (action.kind === 'patchOwners') {
      await this.#patch(def, obj, { ownerReferences: action.ownerReferences.length ? action.ownerReferences : null });
      return;
    }
    let rv = obj.metadata.resourceVersion;
    if (action.unblock) rv = (await this.#patch(def, obj, { ownerReferences: action.unblock })).metadata.resourceVersion;
    this.#log(`garbage-collector: deleting ${def.kind} ${obj.metadata.namespace ? obj.metadata.namespace + '/' : ''}${obj.metadata.name} propagationPolicy=${action.policy}`);
    try {
      await this.#client.delete(def, obj.metadata.namespace, obj.metadata.name!, { propagationPolicy: action.policy, preconditions: { uid, resourceVersion: rv } });
    } catch (e) {
      if (!isNotFound(e)) throw e; // a conflict means it changed: the retry looks again
    }
  }

  /** isDangling plus the waiting check of classifyReferences: the graph first, the API when the graph does not know the owner. */
  async #ownerState(ref: OwnerReference, dependent: KubeObject): Promise<OwnerState> {
    const def = defOfRef(ref);
    if (!def) return 'unresolvable';
    const ns = def.namespaced ? dependent.metadata.namespace : undefined;
    if (def.namespaced && !ns) {
      this.#recorder?.event(dependent, 'Warning', 'OwnerRefInvalidNamespace', `ownerRef [${ref.apiVersion}/${ref.kind}, namespace: , name: ${ref.name}, uid: ${ref.uid}] does not exist in namespace ""`);
      return 'unresolvable';
    }
    const known = this.#graph.get(ref.uid);
    if (known && known.def === def && known.name === ref.name && known.namespace === ns) return known.deletingDependents ? 'waiting' : 'solid';
    try {
      const owner = await this.#client.get(def, ns, ref.name);
      if (owner.metadata.uid !== ref.uid) return 'dangling';
      return isDeletingDependents(owner) ? 'waiting' : 'solid';
    } catch (e) {
      if (isNotFound(e)) return 'dangling';
      throw e;
    }
  }

  /** attemptToOrphanWorker: drop the owner from every dependent, then the `orphan` finalizer. */
  async #orphanDependents(uid: string): Promise<void> {
    const latest = await this.#latest(uid);
    if (!latest || !isOrphaning(latest.obj)) return;
    for (const dep of this.#graph.dependents(uid)) {
      for (let attempt = 0; ; attempt++) {
        try {
          const cur = await this.#client.get(dep.def, dep.namespace, dep.name);
          const refs = cur.metadata.ownerReferences ?? [];
          if (cur.metadata.uid !== dep.uid || !refs.some((r) => r.uid === uid)) break;
          const rest = refs.filter((r) => r.uid !== uid);
          await this.#patch(dep.def, cur, { ownerReferences: rest.length ? rest : null });
          break;
        } catch (e) {
          if (isNotFound(e)) break;
          if (!isConflict(e) || attempt >= 5) throw e;
        }
      }
    }
    await this.#removeFinalizer(latest.def, latest.obj, ORPHAN);
  }

  async #removeFinalizer(def: ResourceDef, obj: KubeObject, finalizer: string): Promise<void> {
    let cur = obj;
    for (let attempt = 0; ; attempt++) {
      const rest = (cur.metadata.finalizers ?? []).filter((f) => f !== finalizer);
      if (rest.length === (cur.metadata.finalizers ?? []).length) return;
      try {
        await this.#patch(def, cur, { finalizers: rest.length ? rest : null });
        return;
      } catch (e) {
        if (isNotFound(e)) return;
        if (!isConflict(e) || attempt >= 5) throw e;
        cur = await this.#client.get(def, obj.metadata.namespace, obj.metadata.name!);
        if (cur.metadata.uid !== obj.metadata.uid) return;
      }
    }
  }

  /** A JSON merge patch of metadata, pinned to the resourceVersion it was computed from. */
  #patch(def: ResourceDef, obj: KubeObject, metadata: Record<string, unknown>): Promise<KubeObject> {
    return this.#client.patch(def, obj.metadata.namespace, obj.metadata.name!, { metadata: { ...metadata, resourceVersion: obj.metadata.resourceVersion } });
  }
}
