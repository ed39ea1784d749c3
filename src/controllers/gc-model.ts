/**
 * @module The rules of upstream's garbage collector
 * (pkg/controller/garbagecollector): the owner/dependent graph built from
 * every object's ownerReferences, the classification of an object's owners
 * (solid, dangling, waiting for its dependents), and what to do with the
 * object: nothing, drop some ownerReferences, or delete it with a policy.
 */
import type { KubeObject, OwnerReference } from '../api/meta.ts';
import { parseApiVersion } from '../api/meta.ts';
import { findKind, type ResourceDef } from '../api/resources.ts';

export const FOREGROUND = 'foregroundDeletion';
export const ORPHAN = 'orphan';

export type Policy = 'Orphan' | 'Foreground' | 'Background';
/** solid: exists; dangling: gone (or another uid); waiting: being deleted in foreground; unresolvable: kind not served or invalid scope. */
export type OwnerState = 'solid' | 'dangling' | 'waiting' | 'unresolvable';

export type GcAction =
  | { kind: 'none' }
  | { kind: 'patchOwners'; ownerReferences: OwnerReference[] }
  | { kind: 'delete'; policy: Policy; unblock?: OwnerReference[] };

export function hasFinalizer(o: KubeObject, f: string): boolean {
  return (o.metadata.finalizers ?? []).includes(f);
}

/** isDeletingDependents: deleted in foreground, waiting for its blocking dependents. */
export function isDeletingDependents(o: KubeObject): boolean {
  return !!o.metadata.deletionTimestamp && hasFinalizer(o, FOREGROUND);
}

export function isOrphaning(o: KubeObject): boolean {
  return !!o.metadata.deletionTimestamp && hasFinalizer(o, ORPHAN);
}

/** The served resource an ownerReference names (any version of the group serves it). */
export function defOfRef(ref: OwnerReference): ResourceDef | undefined {
  return findKind(parseApiVersion(ref.apiVersion ?? '').group, ref.kind);
}

/**
 * attemptToDeleteItem's decision for an object with ownerReferences, given
 * the state of each owner (by uid). With a solid owner, only dangling and
 * waiting references go; with none, the object goes: in foreground when an
 * owner waits for it and it has dependents of its own, otherwise with the
 * policy its own finalizers ask for, background by default.
 */
export function decide(item: KubeObject, states: Map<string, OwnerState>, opts: { hasDependents: boolean; dependentDeletingDependents: boolean }): GcAction {
  const refs = item.metadata.ownerReferences ?? [];
  if (!refs.length) return { kind: 'none' };
  const of = (s: OwnerState) => refs.filter((r) => states.get(r.uid) === s);
  const dangling = of('dangling');
  const waiting = of('waiting');
  // An owner we cannot resolve keeps the object, as upstream, which never deletes on an unresolvable reference.
  if (of('solid').length || of('unresolvable').length) {
    if (!dangling.length && !waiting.length) return { kind: 'none' };
    const drop = new Set([...dangling, ...waiting].map((r) => r.uid));
    return { kind: 'patchOwners', ownerReferences: refs.filter((r) => !drop.has(r.uid)) };
  }
  if (waiting.length && opts.hasDependents) {
    // A dependent that itself waits on its dependents could close a cycle: unblock our owners first.
    const unblock = opts.dependentDeletingDependents ? refs.map((r) => (r.blockOwnerDeletion ? { ...r, blockOwnerDeletion: false } : r)) : undefined;
    return { kind: 'delete', policy: 'Foreground', ...(unblock ? { unblock } : {}) };
  }
  const policy: Policy = hasFinalizer(item, ORPHAN) ? 'Orphan' : hasFinalizer(item, FOREGROUND) ? 'Foreground' : 'Background';
  return { kind: 'delete', policy };
}

/** One object as the graph knows it. */
export interface GraphNode {
  uid: string;
  def: ResourceDef;
  namespace?: string;
  name: string;
  owners: OwnerReference[];
  deletingDependents: boolean;
}

/**
 * The dependency graph (upstream's GraphBuilder uidToNode): nodes by uid,
 * and for every owner uid the dependents that name it, also while the owner
 * itself is unknown or gone (those are the dependents to collect).
 */
export class OwnerGraph {
  readonly #nodes = new Map<string, GraphNode>();
  readonly #dependents = new Map<string, Set<string>>();

  get(uid: string): GraphNode | undefined {
    return this.#nodes.get(uid);
  }

  /** Records an object; returns the owner references it lost or unblocked (their owners may be done waiting). */
  upsert(def: ResourceDef, o: KubeObject): OwnerReference[] {
    const uid = o.metadata.uid!;
    const prev = this.#nodes.get(uid);
    const owners = o.metadata.ownerReferences ?? [];
    const node: GraphNode = { uid, def, namespace: o.metadata.namespace, name: o.metadata.name!, owners, deletingDependents: isDeletingDependents(o) };
    this.#nodes.set(uid, node);
    for (const r of prev?.owners ?? []) this.#unlink(r.uid, uid);
    for (const r of owners) {
      let s = this.#dependents.get(r.uid);
      if (!s) this.#dependents.set(r.uid, (s = new Set()));
      s.add(uid);
    }
    // addUnblockedOwnersToDeleteQueue: references removed, or no longer blocking.
    return (prev?.owners ?? []).filter((r) => r.blockOwnerDeletion && !owners.some((n) => n.uid === r.uid && n.blockOwnerDeletion));
  }

  remove(uid: string): GraphNode | undefined {
    const node = this.#nodes.get(uid);
    if (!node) return undefined;
    this.#nodes.delete(uid);
    for (const r of node.owners) this.#unlink(r.uid, uid);
    return node;
  }

  #unlink(owner: string, dep: string): void {
    const s = this.#dependents.get(owner);
    s?.delete(dep);
    if (s?.size === 0) this.#dependents.delete(owner);
  }

  dependents(ownerUid: string): GraphNode[] {
    return [...(this.#dependents.get(ownerUid) ?? [])].map((u) => this.#nodes.get(u)).filter((n): n is GraphNode => !!n);
  }

  /** blockingDependents: dependents whose reference to the owner has blockOwnerDeletion. */
  blockingDependents(ownerUid: string): GraphNode[] {
    return this.dependents(ownerUid).filter((d) => d.owners.some((r) => r.uid === ownerUid && r.blockOwnerDeletion));
  }

  get size(): number {
    return this.#nodes.size;
  }
}
