/**
 * @module One sync of a Deployment as a pure function: from the
 * deployment, its replica sets and their pods, the writes upstream's
 * syncDeployment would make (sync.go, rolling.go, recreate.go,
 * progress.go) in the order it makes them. The controller applies them
 * and stops at the first failure; the next sync starts again from the
 * informers, as upstream does after an error.
 */
import type { KubeObject } from '../api/meta.ts';
import * as u from './deployment-util.ts';
import { calculateStatus, compactStatus, rolloutStatus } from './deployment-progress.ts';
import { newControllerRef } from './workload-ownership.ts';

export interface PlannedEvent {
  type: 'Normal' | 'Warning';
  reason: string;
  message: string;
}

/**
 * A write to a replica set. `base` is the object the new state was derived
 * from: when that object was itself written earlier in the plan, the write
 * goes against the resourceVersion that write returned (upstream chains the
 * returned objects); otherwise against the base's own version, so a stale
 * cache still ends in a conflict.
 */
export type Action =
  | { op: 'createRS'; rs: KubeObject; event?: PlannedEvent }
  | { op: 'updateRS'; rs: KubeObject; base: KubeObject; event?: PlannedEvent }
  | { op: 'deleteRS'; rs: KubeObject };

export interface Plan {
  actions: Action[];
  /** Deployment-level events not tied to an action. */
  events: PlannedEvent[];
  /** The new deployment.kubernetes.io/revision annotation, when it moved. */
  revision?: string;
  /** The status to write, when it differs from the stored one. */
  status?: Record<string, any>;
  /** Upstream returned this error part-way; the actions before it still apply. */
  error?: Error;
  /** Look again after this long (progress deadline, minimum availability). */
  requeueAfterMs?: number;
}

interface Ctx {
  d: KubeObject;
  rsList: KubeObject[];
  podMap: Map<string, KubeObject[]>;
  now: Date;
  actions: Action[];
  events: PlannedEvent[];
  status?: Record<string, any>;
  requeueAfterMs?: number;
}

/** Plans one sync. `podMap` groups the deployment's pods by the uid of the replica set controlling them. */
export function planDeployment(d0: KubeObject, rsList: KubeObject[], podMap: Map<string, KubeObject[]>, now: Date): Plan {
  const d = structuredClone(d0);
  d.status ??= {};
  const c: Ctx = { d, rsList, podMap, now, actions: [], events: [] };
  let error: Error | undefined;
  try {
    const sel = d.spec?.selector ?? {};
    if (!Object.keys(sel.matchLabels ?? {}).length && !(sel.matchExpressions ?? []).length) {
      c.events.push({ type: 'Warning', reason: 'SelectingAll', message: 'This deployment is selecting all pods. A non-empty selector is required.' });
      if ((d.status.observedGeneration ?? 0) < (d.metadata.generation ?? 0)) c.status = { ...d.status, observedGeneration: d.metadata.generation };
    } else if (d.metadata.deletionTimestamp) {
      const { newRS, oldRSs } = getAllReplicaSets(c, false);
      c.status = calculateStatus(c.d, [...oldRSs, newRS], newRS, c.now);
    } else {
      checkPausedConditions(c);
      if (d.spec?.paused || isScalingEvent(c)) sync(c);
      else if (d.spec?.strategy?.type === 'Recreate') rolloutRecreate(c);
      else rolloutRolling(c);
    }
  } catch (e) {
    error = e as Error;
  }
  const plan: Plan = { actions: c.actions, events: c.events, error, requeueAfterMs: c.requeueAfterMs };
  const rev = d.metadata.annotations?.[u.revisionAnnotation];
  if (rev !== undefined && rev !== d0.metadata.annotations?.[u.revisionAnnotation]) plan.revision = rev;
  const status = compactStatus(c.status ?? d.status);
  if (!u.semanticEqual(status, compactStatus(d0.status ?? {}))) plan.status = status;
  return plan;
}

function setDeploymentRevision(d: KubeObject, revision: string | undefined): void {
  if (revision === undefined) return;
  (d.metadata.annotations ??= {})[u.revisionAnnotation] = revision;
}

/** getAllReplicaSetsAndSyncRevision. */
function getAllReplicaSets(c: Ctx, create: boolean): { newRS?: KubeObject; oldRSs: KubeObject[] } {
  const oldRSs = u.findOldReplicaSets(c.d, c.rsList);
  return { newRS: getNewReplicaSet(c, oldRSs, create), oldRSs };
}

/** getNewReplicaSet: syncs an existing new replica set's annotations, or (when asked) creates it. */
function getNewReplicaSet(c: Ctx, oldRSs: KubeObject[], create: boolean): KubeObject | undefined {
  const { d, now } = c;
  const existing = u.findNewReplicaSet(d, c.rsList);
  const newRevision = String(u.maxRevision(oldRSs) + 1);
  if (existing) {
    const copy = structuredClone(existing);
    const annotationsUpdated = u.setNewReplicaSetAnnotations(d, copy, newRevision, true);
    if (annotationsUpdated || (copy.spec.minReadySeconds ?? 0) !== (d.spec.minReadySeconds ?? 0)) {
      if (d.spec.minReadySeconds) copy.spec.minReadySeconds = d.spec.minReadySeconds;
      else delete copy.spec.minReadySeconds;
      c.actions.push({ op: 'updateRS', rs: copy, base: existing });
      // Later lookups in this sync see the written copy (upstream would write it twice and meet a conflict).
      c.rsList = c.rsList.map((rs) => (rs === existing ? copy : rs));
      return copy;
    }
    setDeploymentRevision(d, existing.metadata.annotations?.[u.revisionAnnotation]);
    if (u.hasProgressDeadline(d) && !u.getCondition(d.status, 'Progressing')) {
      u.setCondition(d.status, u.newCondition('Progressing', 'True', 'FoundNewReplicaSet', `Found new replica set "${existing.metadata.name}"`, now));
    }
    // Nothing to write: hand back the object itself, so writes built on it chain to any earlier write of it.
    return existing;
  }
  if (!create) return undefined;
  const template = structuredClone(d.spec.template ?? {});
  const hash = u.computeHash(template, d.status.collisionCount);
  template.metadata = { ...(template.metadata ?? {}), labels: { ...(template.metadata?.labels ?? {}), [u.hashLabel]: hash } };
  const selector = structuredClone(d.spec.selector ?? {});
  selector.matchLabels = { ...(selector.matchLabels ?? {}), [u.hashLabel]: hash };
  const name = `${d.metadata.name}-${hash}`;
  const newRS: KubeObject = {
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: { name, namespace: d.metadata.namespace, labels: { ...template.metadata.labels }, ownerReferences: [newControllerRef(d)] },
    spec: { replicas: 0, selector, template, ...(d.spec.minReadySeconds ? { minReadySeconds: d.spec.minReadySeconds } : {}) },
  };
  const replicas = u.newRSNewReplicas(d, [...oldRSs, newRS], newRS);
  newRS.spec.replicas = replicas;
  u.setNewReplicaSetAnnotations(d, newRS, newRevision, false);
  const event = replicas > 0 ? { type: 'Normal' as const, reason: 'ScalingReplicaSet', message: `Scaled up replica set ${name} from 0 to ${replicas}` } : undefined;
  c.actions.push({ op: 'createRS', rs: newRS, event });
  setDeploymentRevision(d, newRevision);
  if (u.hasProgressDeadline(d)) u.setCondition(d.status, u.newCondition('Progressing', 'True', 'NewReplicaSetCreated', `Created new replica set "${name}"`, now));
  return newRS;
}

/** scaleReplicaSet: writes size and replicas annotations; the event only when the size moved. */
function scaleReplicaSet(c: Ctx, rs: KubeObject, newScale: number, operation: string): { scaled: boolean; rs: KubeObject } {
  const desired = u.replicasOf(c.d);
  const max = desired + u.maxSurge(c.d);
  const sizeNeedsUpdate = u.replicasOf(rs) !== newScale;
  if (!sizeNeedsUpdate && !u.replicasAnnotationsNeedUpdate(rs, desired, max)) return { scaled: false, rs };
  const copy = structuredClone(rs);
  copy.spec.replicas = newScale;
  u.setReplicasAnnotations(copy, desired, max);
  const event = sizeNeedsUpdate
    ? { type: 'Normal' as const, reason: 'ScalingReplicaSet', message: `Scaled ${operation} replica set ${rs.metadata.name} from ${u.replicasOf(rs)} to ${newScale}` }
    : undefined;
  c.actions.push({ op: 'updateRS', rs: copy, base: rs, event });
  return { scaled: sizeNeedsUpdate, rs: copy };
}

function scaleAndRecord(c: Ctx, rs: KubeObject, newScale: number): { scaled: boolean; rs: KubeObject } {
  if (u.replicasOf(rs) === newScale) return { scaled: false, rs };
  return scaleReplicaSet(c, rs, newScale, u.replicasOf(rs) < newScale ? 'up' : 'down');
}

/** isScalingEvent: an active replica set's desired-replicas annotation disagrees with spec.replicas. */
function isScalingEvent(c: Ctx): boolean {
  const { newRS, oldRSs } = getAllReplicaSets(c, false);
  return u.activeReplicaSets([...oldRSs, newRS]).some((rs) => {
    const desired = u.intAnnotation(rs, u.desiredReplicasAnnotation);
    return desired !== undefined && desired !== u.replicasOf(c.d);
  });
}

/** checkPausedConditions: Progressing Unknown with DeploymentPaused / DeploymentResumed. */
function checkPausedConditions(c: Ctx): void {
  const { d } = c;
  if (!u.hasProgressDeadline(d)) return;
  const cond = u.getCondition(d.status, 'Progressing');
  if (cond?.reason === 'ProgressDeadlineExceeded') return;
  const pausedExists = cond?.reason === 'DeploymentPaused';
  if (d.spec.paused && !pausedExists) u.setCondition(d.status, u.newCondition('Progressing', 'Unknown', 'DeploymentPaused', 'Deployment is paused', c.now));
  else if (!d.spec.paused && pausedExists) u.setCondition(d.status, u.newCondition('Progressing', 'Unknown', 'DeploymentResumed', 'Deployment is resumed', c.now));
}

/** sync: scaling events and paused deployments only resize, then record status. */
function sync(c: Ctx): void {
  const { newRS, oldRSs } = getAllReplicaSets(c, false);
  scale(c, newRS, oldRSs);
  if (c.d.spec.paused) cleanupDeployment(c, oldRSs);
  c.status = calculateStatus(c.d, [...oldRSs, newRS], newRS, c.now);
}

/** scale: the one active (or newest) set takes all replicas; otherwise a rolling deployment spreads the change proportionally. */
function scale(c: Ctx, newRS: KubeObject | undefined, oldRSs: KubeObject[]): void {
  const { d } = c;
  const only = u.findActiveOrLatest(newRS, oldRSs);
  if (only) {
    if (u.replicasOf(only) !== u.replicasOf(d)) scaleAndRecord(c, only, u.replicasOf(d));
    return;
  }
  if (u.isSaturated(d, newRS)) {
    for (const old of u.activeReplicaSets(oldRSs)) scaleAndRecord(c, old, 0);
    return;
  }
  if (!u.isRollingUpdate(d)) return;
  const all = u.activeReplicaSets([...oldRSs, newRS]);
  const allowed = u.replicasOf(d) > 0 ? u.replicasOf(d) + u.maxSurge(d) : 0;
  const toAdd = allowed - u.specReplicas(all);
  let operation = '';
  if (toAdd > 0) {
    all.sort(u.bySizeNewer);
    operation = 'up';
  } else if (toAdd < 0) {
    all.sort(u.bySizeOlder);
    operation = 'down';
  }
  let added = 0;
  const size = new Map<KubeObject, number>();
  for (const rs of all) {
    const p = toAdd !== 0 ? u.proportion(rs, d, toAdd, added) : 0;
    size.set(rs, u.replicasOf(rs) + p);
    added += p;
  }
  if (toAdd !== 0 && all.length) size.set(all[0], Math.max(0, size.get(all[0])! + toAdd - added));
  for (const rs of all) scaleReplicaSet(c, rs, size.get(rs)!, operation);
}

/** rolloutRolling: grow the new set within maxSurge, shrink old ones within maxUnavailable. */
function rolloutRolling(c: Ctx): void {
  const { newRS, oldRSs } = getAllReplicaSets(c, true);
  const all = [...oldRSs, newRS!];
  if (reconcileNewReplicaSet(c, all, newRS!)) return syncRolloutStatus(c, all, newRS);
  if (reconcileOldReplicaSets(c, all, u.activeReplicaSets(oldRSs), newRS!)) return syncRolloutStatus(c, all, newRS);
  if (u.deploymentComplete(c.d, c.d.status)) cleanupDeployment(c, oldRSs);
  syncRolloutStatus(c, all, newRS);
}

function reconcileNewReplicaSet(c: Ctx, all: KubeObject[], newRS: KubeObject): boolean {
  const want = u.replicasOf(c.d);
  if (u.replicasOf(newRS) === want) return false;
  if (u.replicasOf(newRS) > want) return scaleAndRecord(c, newRS, want).scaled;
  return scaleAndRecord(c, newRS, u.newRSNewReplicas(c.d, all, newRS)).scaled;
}

function reconcileOldReplicaSets(c: Ctx, all: KubeObject[], oldRSs: KubeObject[], newRS: KubeObject): boolean {
  if (u.specReplicas(oldRSs) === 0) return false;
  const minAvailable = u.replicasOf(c.d) - u.maxUnavailable(c.d);
  const newUnavailable = u.replicasOf(newRS) - (newRS.status?.availableReplicas ?? 0);
  const maxScaledDown = u.specReplicas(all) - minAvailable - newUnavailable;
  if (maxScaledDown <= 0) return false;
  const cleaned = cleanupUnhealthyReplicas(c, oldRSs, maxScaledDown);
  const scaledDown = scaleDownOldForRollingUpdate(c, [...cleaned.oldRSs, newRS], cleaned.oldRSs);
  return cleaned.count + scaledDown > 0;
}

/** cleanupUnhealthyReplicas: old sets first lose the replicas that are not available anyway, oldest first. */
function cleanupUnhealthyReplicas(c: Ctx, oldRSs: KubeObject[], maxCleanup: number): { oldRSs: KubeObject[]; count: number } {
  const sorted = [...oldRSs].sort(u.byCreation);
  let total = 0;
  for (let i = 0; i < sorted.length; i++) {
    const rs = sorted[i];
    if (total >= maxCleanup) break;
    const available = rs.status?.availableReplicas ?? 0;
    if (u.replicasOf(rs) === 0 || u.replicasOf(rs) === available) continue;
    const n = Math.min(maxCleanup - total, u.replicasOf(rs) - available);
    const next = u.replicasOf(rs) - n;
    if (next > u.replicasOf(rs)) {
      throw new Error(`when cleaning up unhealthy replicas, got invalid request to scale down ${rs.metadata.namespace}/${rs.metadata.name} ${u.replicasOf(rs)} -> ${next}`);
    }
    sorted[i] = scaleAndRecord(c, rs, next).rs;
    total += n;
  }
  return { oldRSs: sorted, count: total };
}

/** scaleDownOldReplicaSetsForRollingUpdate: shrink old sets only while more than minAvailable pods are available. */
function scaleDownOldForRollingUpdate(c: Ctx, all: KubeObject[], oldRSs: KubeObject[]): number {
  const minAvailable = u.replicasOf(c.d) - u.maxUnavailable(c.d);
  const available = u.availableReplicas(all);
  if (available <= minAvailable) return 0;
  const want = available - minAvailable;
  let total = 0;
  for (const rs of [...oldRSs].sort(u.byCreation)) {
    if (total >= want) break;
    if (u.replicasOf(rs) === 0) continue;
    const n = Math.min(u.replicasOf(rs), want - total);
    scaleAndRecord(c, rs, u.replicasOf(rs) - n);
    total += n;
  }
  return total;
}

/** rolloutRecreate: old sets to zero, wait until their pods are gone, then the new set to full size. */
function rolloutRecreate(c: Ctx): void {
  let { newRS, oldRSs } = getAllReplicaSets(c, false);
  let all = [...oldRSs, newRS];
  let scaledDown = false;
  for (const rs of u.activeReplicaSets(oldRSs)) if (scaleAndRecord(c, rs, 0).scaled) scaledDown = true;
  if (scaledDown || oldPodsRunning(c, newRS, oldRSs)) return syncRolloutStatus(c, all, newRS);
  if (!newRS) {
    ({ newRS, oldRSs } = getAllReplicaSets(c, true));
    all = [...oldRSs, newRS];
  }
  scaleAndRecord(c, newRS!, u.replicasOf(c.d));
  if (u.deploymentComplete(c.d, c.d.status)) cleanupDeployment(c, oldRSs);
  syncRolloutStatus(c, all, newRS);
}

/** oldPodsRunning: old sets report replicas, or a pod of an old set is not yet terminal (terminating pods count). */
function oldPodsRunning(c: Ctx, newRS: KubeObject | undefined, oldRSs: KubeObject[]): boolean {
  if (u.statusReplicas(oldRSs) > 0) return true;
  for (const [uid, pods] of c.podMap) {
    if (newRS && newRS.metadata.uid === uid) continue;
    if (pods.some((p) => p.status?.phase !== 'Failed' && p.status?.phase !== 'Succeeded')) return true;
  }
  return false;
}

/** cleanupDeployment: delete the oldest fully scaled-down sets beyond revisionHistoryLimit. */
function cleanupDeployment(c: Ctx, oldRSs: KubeObject[]): void {
  const limit = c.d.spec?.revisionHistoryLimit;
  if (limit === undefined || limit === null) return;
  const cleanable = oldRSs.filter((rs) => !rs.metadata.deletionTimestamp);
  const diff = cleanable.length - limit;
  if (diff <= 0) return;
  for (const rs of cleanable.sort(u.byRevision).slice(0, diff)) {
    if ((rs.status?.replicas ?? 0) !== 0 || u.replicasOf(rs) !== 0 || (rs.metadata.generation ?? 0) > (rs.status?.observedGeneration ?? 0)) continue;
    c.actions.push({ op: 'deleteRS', rs });
  }
}

/** syncRolloutStatus, recording its result in the plan. */
function syncRolloutStatus(c: Ctx, all: (KubeObject | undefined)[], newRS: KubeObject | undefined): void {
  const r = rolloutStatus(c.d, all, newRS, c.now);
  c.status = r.status;
  c.requeueAfterMs = r.requeueAfterMs;
}
