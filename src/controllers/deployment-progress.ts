/**
 * @module A Deployment's status as upstream's sync.go (calculateStatus) and
 * progress.go (syncRolloutStatus, requeueStuckDeployment) compute it: the
 * counts from the replica sets, the Available and Progressing conditions,
 * ReplicaFailure carried over from a replica set, and when to look again
 * for the progress deadline.
 */
import type { KubeObject } from '../api/meta.ts';
import * as u from './deployment-util.ts';

/** DeploymentStatus fields are all omitempty except the collisionCount pointer. */
export function compactStatus(s: Record<string, any>): Record<string, any> {
  const out: Record<string, any> = {};
  for (const [k, v] of Object.entries(s)) {
    if (v === undefined || v === null || (v === 0 && k !== 'collisionCount') || (Array.isArray(v) && !v.length)) continue;
    out[k] = v;
  }
  return out;
}

/** calculateStatus: counts from the replica sets, and the Available condition. */
export function calculateStatus(d: KubeObject, all: (KubeObject | undefined)[], newRS: KubeObject | undefined, now: Date): Record<string, any> {
  const available = u.availableReplicas(all);
  const s: Record<string, any> = {
    observedGeneration: d.metadata.generation ?? 0,
    replicas: u.statusReplicas(all),
    updatedReplicas: u.statusReplicas([newRS]),
    readyReplicas: u.readyReplicas(all),
    availableReplicas: available,
    unavailableReplicas: Math.max(0, u.specReplicas(all) - available),
    collisionCount: d.status?.collisionCount,
    conditions: [...(d.status?.conditions ?? [])],
  };
  if (available >= u.replicasOf(d) - u.maxUnavailable(d)) {
    u.setCondition(s, u.newCondition('Available', 'True', 'MinimumReplicasAvailable', 'Deployment has minimum availability.', now));
  } else {
    u.setCondition(s, u.newCondition('Available', 'False', 'MinimumReplicasUnavailable', 'Deployment does not have minimum availability.', now));
  }
  return s;
}

/**
 * syncRolloutStatus: calculateStatus plus the Progressing condition
 * (NewReplicaSetAvailable, ReplicaSetUpdated, ProgressDeadlineExceeded)
 * and ReplicaFailure. `d.status` is the status as this sync has seen it so
 * far (with the conditions set earlier in the sync).
 */
export function rolloutStatus(d: KubeObject, all: (KubeObject | undefined)[], newRS: KubeObject | undefined, now: Date): { status: Record<string, any>; requeueAfterMs?: number } {
  const s = calculateStatus(d, all, newRS, now);
  if (!u.hasProgressDeadline(d)) u.removeCondition(s, 'Progressing');
  const cur = u.getCondition(d.status, 'Progressing');
  const complete = s.replicas === s.updatedReplicas && cur?.reason === 'NewReplicaSetAvailable';
  if (u.hasProgressDeadline(d) && !complete) {
    const what = newRS ? `ReplicaSet "${newRS.metadata.name}"` : `Deployment "${d.metadata.name}"`;
    if (u.deploymentComplete(d, s)) {
      u.setCondition(s, u.newCondition('Progressing', 'True', 'NewReplicaSetAvailable', `${what} has successfully progressed.`, now));
    } else if (u.deploymentProgressing(d, s)) {
      let cond = u.newCondition('Progressing', 'True', 'ReplicaSetUpdated', `${what} is progressing.`, now);
      if (cur) {
        // Progress moves lastUpdateTime (the deadline's clock) but not the transition time.
        if (cur.status === 'True') cond = { ...cond, lastTransitionTime: cur.lastTransitionTime };
        u.removeCondition(s, 'Progressing');
      }
      u.setCondition(s, cond);
    } else if (u.deploymentTimedOut(d, s, now)) {
      u.setCondition(s, u.newCondition('Progressing', 'False', 'ProgressDeadlineExceeded', `${what} has timed out progressing.`, now));
    }
  }
  const failure = replicaFailure(all, newRS);
  if (failure) u.setCondition(s, failure);
  else u.removeCondition(s, 'ReplicaFailure');
  if (!u.semanticEqual(compactStatus(d.status ?? {}), compactStatus(s))) return { status: s };
  return { status: s, requeueAfterMs: requeueStuck(d, s, now) };
}

/** getReplicaFailures: the new set's ReplicaFailure condition first, else any set's. */
function replicaFailure(all: (KubeObject | undefined)[], newRS: KubeObject | undefined): u.DeploymentCondition | undefined {
  for (const rs of [newRS, ...all]) {
    const f = (rs?.status?.conditions ?? []).find((x: any) => x.type === 'ReplicaFailure');
    if (f) return { type: 'ReplicaFailure', status: f.status, lastUpdateTime: f.lastTransitionTime, lastTransitionTime: f.lastTransitionTime, reason: f.reason, message: f.message };
  }
  return undefined;
}

/** requeueStuckDeployment: when nothing changed, look again once the progress deadline would pass. */
function requeueStuck(d: KubeObject, s: Record<string, any>, now: Date): number | undefined {
  const cur = u.getCondition(d.status, 'Progressing');
  if (!u.hasProgressDeadline(d) || !cur || u.deploymentComplete(d, s) || cur.reason === 'ProgressDeadlineExceeded') return undefined;
  const after = Date.parse(cur.lastUpdateTime) + d.spec.progressDeadlineSeconds * 1000 - now.getTime();
  // Upstream re-adds a deadline already (nearly) due through the rate limiter: a few milliseconds.
  return after < 1000 ? 5 : after + 1000;
}
