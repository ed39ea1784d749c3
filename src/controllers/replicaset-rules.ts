/**
 * @module The rules of the ReplicaSet controller as pure functions: the
 * adapter that lets one controller serve ReplicaSets and
 * ReplicationControllers (upstream's replication controller is the
 * ReplicaSet controller behind a conversion), the pod a template makes,
 * how many pods to create or which to delete, and the status.
 */
import type { KubeObject } from '../api/meta.ts';
import { nowRfc3339 } from '../api/meta.ts';
import { matchLabelSelector, type LabelSelector } from '../api/selectors.ts';
import { isPodAvailable, isPodReady, podsToDelete } from './workload-pods.ts';
import { newControllerRef } from './workload-ownership.ts';

/** What differs between the two kinds the controller serves. */
export interface ReplicaKind {
  group: string;
  kind: 'ReplicaSet' | 'ReplicationController';
  /** The event source component, as kube-controller-manager names it. */
  component: string;
  /** The selector as a metav1.LabelSelector; null selects nothing. */
  selector(obj: KubeObject): LabelSelector | null;
}

export const replicaSetKind: ReplicaKind = {
  group: 'apps',
  kind: 'ReplicaSet',
  component: 'replicaset-controller',
  selector: (rs) => rs.spec?.selector ?? null,
};

/** The RC's map selector is converted the way upstream's RC→RS conversion does (matchLabels). */
export const replicationControllerKind: ReplicaKind = {
  group: '',
  kind: 'ReplicationController',
  component: 'replication-controller',
  selector: (rc) => (rc.spec?.selector ? { matchLabels: rc.spec.selector } : null),
};

export function selects(kind: ReplicaKind, owner: KubeObject, pod: KubeObject): boolean {
  return matchLabelSelector(kind.selector(owner), pod.metadata.labels);
}

/** Upstream's burstReplicas: at most this many creates or deletes per sync. */
export const burstReplicas = 500;

export type ReplicaPlan = { create: number; delete: KubeObject[] };

/**
 * manageReplicas' arithmetic: create the missing pods, or delete the
 * surplus (best candidates first), capped at burstReplicas either way.
 */
export function replicaPlan(owner: KubeObject, active: KubeObject[], related: KubeObject[], now = Date.now()): ReplicaPlan {
  const diff = active.length - (owner.spec?.replicas ?? 1);
  if (diff < 0) return { create: Math.min(-diff, burstReplicas), delete: [] };
  if (diff > 0) return { create: 0, delete: podsToDelete(active, related, Math.min(diff, burstReplicas), now) };
  return { create: 0, delete: [] };
}

/**
 * GetPodFromTemplate: labels, annotations and finalizers from the template,
 * generateName `<owner>-`, the controller reference, the template's spec.
 */
export function podFromTemplate(owner: KubeObject): KubeObject {
  const t = owner.spec?.template ?? {};
  const meta = t.metadata ?? {};
  const pod: KubeObject = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      generateName: `${owner.metadata.name}-`,
      namespace: owner.metadata.namespace,
      ownerReferences: [newControllerRef(owner)],
    },
    spec: structuredClone(t.spec ?? {}),
  };
  if (meta.labels) pod.metadata.labels = { ...meta.labels };
  if (meta.annotations) pod.metadata.annotations = { ...meta.annotations };
  if (meta.finalizers?.length) pod.metadata.finalizers = [...meta.finalizers];
  return pod;
}

export interface ReplicaCondition {
  type: string;
  status: string;
  lastTransitionTime: string;
  reason: string;
  message: string;
}

/** SetCondition: a condition with the same status and reason is kept as it is (its message too). */
function setCondition(conds: ReplicaCondition[], c: ReplicaCondition): ReplicaCondition[] {
  const cur = conds.find((x) => x.type === c.type);
  if (cur && cur.status === c.status && cur.reason === c.reason) return conds;
  return [...conds.filter((x) => x.type !== c.type), c];
}

/**
 * calculateStatus. `active` is the pod list the sync started from (pods
 * created or deleted by this sync show up in the next one, as upstream).
 * A ReplicaFailure condition carries the first create/delete error.
 */
export function replicaStatus(owner: KubeObject, active: KubeObject[], manageError: string | undefined, now: Date): Record<string, any> {
  const minReady = owner.spec?.minReadySeconds ?? 0;
  const templateLabels = owner.spec?.template?.metadata?.labels ?? {};
  let fullyLabeled = 0;
  let ready = 0;
  let available = 0;
  for (const p of active) {
    const labels = p.metadata.labels ?? {};
    if (Object.entries(templateLabels).every(([k, v]) => Object.hasOwn(labels, k) && labels[k] === v)) fullyLabeled++;
    if (isPodReady(p)) {
      ready++;
      if (isPodAvailable(p, minReady, now)) available++;
    }
  }
  let conditions: ReplicaCondition[] = [...(owner.status?.conditions ?? [])];
  const failure = conditions.find((c) => c.type === 'ReplicaFailure');
  if (manageError !== undefined && !failure) {
    const diff = active.length - (owner.spec?.replicas ?? 1);
    const reason = diff < 0 ? 'FailedCreate' : diff > 0 ? 'FailedDelete' : '';
    conditions = setCondition(conditions, { type: 'ReplicaFailure', status: 'True', lastTransitionTime: nowRfc3339(now), reason, message: manageError });
  } else if (manageError === undefined && failure) {
    conditions = conditions.filter((c) => c.type !== 'ReplicaFailure');
  }
  return omitEmpty({
    replicas: active.length,
    fullyLabeledReplicas: fullyLabeled,
    readyReplicas: ready,
    availableReplicas: available,
    observedGeneration: owner.metadata.generation ?? 0,
    conditions,
  });
}

/** Drops the zero values Go's `omitempty` drops; `replicas` is always written for both kinds. */
function omitEmpty(s: Record<string, any>): Record<string, any> {
  const out: Record<string, any> = { replicas: s.replicas };
  for (const [k, v] of Object.entries(s)) {
    if (k === 'replicas' || v === 0 || (Array.isArray(v) && !v.length)) continue;
    out[k] = v;
  }
  return out;
}

/** updateReplicaSetStatus' short cut: nothing to write when counts, conditions and observedGeneration agree. */
export function statusChanged(owner: KubeObject, next: Record<string, any>): boolean {
  const cur = owner.status ?? {};
  const keys = ['replicas', 'fullyLabeledReplicas', 'readyReplicas', 'availableReplicas', 'observedGeneration'];
  if (keys.some((k) => (cur[k] ?? 0) !== (next[k] ?? 0))) return true;
  return JSON.stringify(cur.conditions ?? []) !== JSON.stringify(next.conditions ?? []);
}

/** ExpectationsTimeout: a sync waits at most this long for the informer to show its own creates and deletes. */
const expectationsTimeoutMs = 5 * 60 * 1000;

/**
 * ControllerExpectations (UIDTrackingControllerExpectations for deletes):
 * after creating or deleting pods, a controller does not manage replicas
 * again until its informer has seen those changes, so a stale cache never
 * makes it create or delete twice.
 */
export class Expectations {
  readonly #m = new Map<string, { add: number; del: Set<string>; at: number }>();
  readonly #now: () => number;
  constructor(opts: { now?: () => number } = {}) {
    this.#now = opts.now ?? Date.now;
  }
  satisfied(key: string): boolean {
    const e = this.#m.get(key);
    return !e || (e.add <= 0 && e.del.size === 0) || this.#now() - e.at > expectationsTimeoutMs;
  }
  expectCreations(key: string, n: number): void {
    this.#m.set(key, { add: n, del: new Set(), at: this.#now() });
  }
  expectDeletions(key: string, podKeys: string[]): void {
    this.#m.set(key, { add: 0, del: new Set(podKeys), at: this.#now() });
  }
  creationObserved(key: string): void {
    const e = this.#m.get(key);
    if (e) e.add--;
  }
  deletionObserved(key: string, podKey: string): void {
    this.#m.get(key)?.del.delete(podKey);
  }
  forget(key: string): void {
    this.#m.delete(key);
  }
}
