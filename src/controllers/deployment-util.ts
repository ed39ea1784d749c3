/**
 * @module The rules of upstream's pkg/controller/deployment/util
 * (deployment_util.go) and controller.ComputeHash as pure functions:
 * pod-template-hash, maxSurge/maxUnavailable, revisions and the
 * annotations that carry them, finding the new and old replica sets,
 * proportional scaling, conditions and status.
 */
import type { KubeObject } from '../api/meta.ts';
import { nowRfc3339 } from '../api/meta.ts';

export const hashLabel = 'pod-template-hash';
export const revisionAnnotation = 'deployment.kubernetes.io/revision';
export const revisionHistoryAnnotation = 'deployment.kubernetes.io/revision-history';
export const desiredReplicasAnnotation = 'deployment.kubernetes.io/desired-replicas';
export const maxReplicasAnnotation = 'deployment.kubernetes.io/max-replicas';
/** maxRevHistoryLengthInChars of the deployment controller. */
const maxRevHistoryLength = 2000;

/** annotationsToSkip: annotations a Deployment never copies to its replica sets. */
const skipAnnotations = new Set([
  'kubectl.kubernetes.io/last-applied-configuration',
  revisionAnnotation,
  revisionHistoryAnnotation,
  desiredReplicasAnnotation,
  maxReplicasAnnotation,
  'deprecated.deployment.rollback.to',
]);

const sortedJson = (v: unknown): string =>
  Array.isArray(v) ? `[${v.map(sortedJson).join(',')}]` : v && typeof v === 'object' ? `{${Object.keys(v).sort().map((k) => `${JSON.stringify(k)}:${sortedJson((v as any)[k])}`).join(',')}}` : JSON.stringify(v);

/** rand.SafeEncodeString: each byte maps into an alphabet without vowels or look-alike digits. */
export function safeEncodeString(s: string): string {
  const alphanums = 'bcdfghjklmnpqrstvwxz2456789';
  return [...Buffer.from(s)].map((b) => alphanums[b % alphanums.length]).join('');
}

/**
 * controller.ComputeHash: FNV-32a over the template, then the collision
 * count as 8 little-endian bytes, the decimal sum rendered through
 * SafeEncodeString. Upstream feeds FNV with a spew dump of the Go struct;
 * that rendering is not reproduced here (it needs every Go field and zero
 * value), so the input is the template's key-sorted JSON: names look like
 * upstream's (`web-5d9c7b8f64`) but are not byte-equal to them.
 */
export function computeHash(template: unknown, collisionCount?: number): string {
  let h = fnv32a(Buffer.from(sortedJson(template ?? {})));
  if (collisionCount !== undefined && collisionCount !== null) {
    const b = Buffer.alloc(8);
    b.writeUInt32LE(collisionCount >>> 0);
    h = fnv32a(b, h);
  }
  return safeEncodeString(String(h));
}

/** hash/fnv New32a, continuing from `h`. */
export function fnv32a(bytes: Iterable<number>, h = 0x811c9dc5): number {
  for (const b of bytes) h = Math.imul(h ^ b, 0x01000193) >>> 0;
  return h >>> 0;
}

const emptyish = (v: unknown) => v === undefined || v === null || (Array.isArray(v) && !v.length) || (typeof v === 'object' && !Array.isArray(v) && !Object.keys(v as object).length);

/** apiequality.Semantic.DeepEqual on JSON: empty and absent maps and lists are equal. */
export function semanticEqual(a: unknown, b: unknown): boolean {
  if (emptyish(a) && emptyish(b)) return true;
  if (Array.isArray(a) || Array.isArray(b)) return Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((x, i) => semanticEqual(x, b[i]));
  if (a && b && typeof a === 'object' && typeof b === 'object') {
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    return [...keys].every((k) => semanticEqual((a as any)[k], (b as any)[k]));
  }
  return a === b;
}

/** EqualIgnoreHash: templates equal apart from the pod-template-hash label. */
export function equalIgnoreHash(t1: any, t2: any): boolean {
  const strip = (t: any) => {
    const c = structuredClone(t ?? {});
    if (c.metadata?.labels) delete c.metadata.labels[hashLabel];
    return c;
  };
  return semanticEqual(strip(t1), strip(t2));
}

/** intstr.GetScaledValueFromIntOrPercent. */
export function scaledValue(v: number | string | undefined, total: number, roundUp: boolean): number {
  if (v === undefined || v === null) return 0;
  if (typeof v === 'number') return v;
  if (!v.endsWith('%')) throw new Error(`invalid value for IntOrString: invalid type: string is not a percentage`);
  const p = v.slice(0, -1);
  if (!/^[-+]?\d+$/.test(p)) throw new Error(`invalid value for IntOrString: invalid value "${v}": strconv.Atoi: parsing "${p}": invalid syntax`);
  const x = (Number(p) * total) / 100;
  return roundUp ? Math.ceil(x) : Math.floor(x);
}

export const replicasOf = (o: KubeObject | undefined): number => o?.spec?.replicas ?? 1;
export const isRollingUpdate = (d: KubeObject): boolean => (d.spec?.strategy?.type ?? 'RollingUpdate') === 'RollingUpdate';

/** ResolveFenceposts: surge rounds up, unavailability rounds down, and both zero means one unavailable. */
export function resolveFenceposts(d: KubeObject): { surge: number; unavailable: number } {
  const ru = d.spec?.strategy?.rollingUpdate ?? {};
  const desired = replicasOf(d);
  const surge = scaledValue(ru.maxSurge ?? '25%', desired, true);
  let unavailable = scaledValue(ru.maxUnavailable ?? '25%', desired, false);
  if (surge === 0 && unavailable === 0) unavailable = 1;
  return { surge, unavailable };
}

export function maxSurge(d: KubeObject): number {
  return isRollingUpdate(d) ? resolveFenceposts(d).surge : 0;
}

export function maxUnavailable(d: KubeObject): number {
  if (!isRollingUpdate(d) || replicasOf(d) === 0) return 0;
  return Math.min(resolveFenceposts(d).unavailable, replicasOf(d));
}

/** Revision: the revision annotation as a number, 0 when absent or unparsable. */
export function revisionOf(rs: KubeObject): number {
  const v = rs.metadata.annotations?.[revisionAnnotation];
  return v !== undefined && /^\d+$/.test(v) ? Number(v) : 0;
}

export const maxRevision = (rss: KubeObject[]): number => Math.max(0, ...rss.map(revisionOf));

const created = (o: KubeObject) => Date.parse(o.metadata.creationTimestamp ?? '') || 0;

/** ReplicaSetsByCreationTimestamp: older first, then by name. */
export function byCreation(a: KubeObject, b: KubeObject): number {
  return created(a) - created(b) || (a.metadata.name! < b.metadata.name! ? -1 : a.metadata.name! > b.metadata.name! ? 1 : 0);
}

/** ReplicaSetsByRevision: lower revision first, then by creation. */
export const byRevision = (a: KubeObject, b: KubeObject): number => revisionOf(a) - revisionOf(b) || byCreation(a, b);

/** ReplicaSetsBySizeOlder: larger first; ties older first. */
export const bySizeOlder = (a: KubeObject, b: KubeObject): number => replicasOf(b) - replicasOf(a) || byCreation(a, b);

/** ReplicaSetsBySizeNewer: larger first; ties newer first. */
export const bySizeNewer = (a: KubeObject, b: KubeObject): number => replicasOf(b) - replicasOf(a) || byCreation(b, a);

/** FindNewReplicaSet: the oldest replica set whose template equals the deployment's. */
export function findNewReplicaSet(d: KubeObject, rsList: KubeObject[]): KubeObject | undefined {
  return [...rsList].sort(byCreation).find((rs) => equalIgnoreHash(rs.spec?.template, d.spec?.template));
}

/** FindOldReplicaSets: every other replica set. */
export function findOldReplicaSets(d: KubeObject, rsList: KubeObject[]): KubeObject[] {
  const n = findNewReplicaSet(d, rsList);
  return rsList.filter((rs) => rs.metadata.uid !== n?.metadata.uid);
}

export const activeReplicaSets = (rss: (KubeObject | undefined)[]): KubeObject[] => rss.filter((rs): rs is KubeObject => !!rs && replicasOf(rs) > 0);

const sum = (rss: (KubeObject | undefined)[], f: (rs: KubeObject) => number) => rss.reduce((n, rs) => n + (rs ? f(rs) : 0), 0);
export const specReplicas = (rss: (KubeObject | undefined)[]) => sum(rss, replicasOf);
export const statusReplicas = (rss: (KubeObject | undefined)[]) => sum(rss, (rs) => rs.status?.replicas ?? 0);
export const readyReplicas = (rss: (KubeObject | undefined)[]) => sum(rss, (rs) => rs.status?.readyReplicas ?? 0);
export const availableReplicas = (rss: (KubeObject | undefined)[]) => sum(rss, (rs) => rs.status?.availableReplicas ?? 0);

/** getNonNegativeIntFromAnnotation. */
export function intAnnotation(rs: KubeObject, key: string): number | undefined {
  const v = rs.metadata.annotations?.[key];
  if (v === undefined || !/^\d+$/.test(v) || Number(v) > 2147483647) return undefined;
  return Number(v);
}

/** SetReplicasAnnotations: true when something changed. */
export function setReplicasAnnotations(rs: KubeObject, desired: number, max: number): boolean {
  const a = (rs.metadata.annotations ??= {});
  const changed = replicasAnnotationsNeedUpdate(rs, desired, max);
  a[desiredReplicasAnnotation] = String(desired);
  a[maxReplicasAnnotation] = String(max);
  return changed;
}

export function replicasAnnotationsNeedUpdate(rs: KubeObject, desired: number, max: number): boolean {
  const a = rs.metadata.annotations ?? {};
  return a[desiredReplicasAnnotation] !== String(desired) || a[maxReplicasAnnotation] !== String(max);
}

/**
 * SetNewReplicaSetAnnotations: copies the deployment's annotations, moves
 * the revision forward (keeping the old one in revision-history when a
 * replica set is brought back by a rollback), and on creation sets the
 * replicas annotations. True when something changed.
 */
export function setNewReplicaSetAnnotations(d: KubeObject, rs: KubeObject, newRevision: string, exists: boolean): boolean {
  const a = (rs.metadata.annotations ??= {});
  let changed = false;
  for (const [k, v] of Object.entries(d.metadata.annotations ?? {})) {
    if (skipAnnotations.has(k) || a[k] === v) continue;
    a[k] = v;
    changed = true;
  }
  const had = Object.hasOwn(a, revisionAnnotation);
  const old = a[revisionAnnotation];
  if (had && !/^\d+$/.test(old)) return changed;
  const oldRev = had ? Number(old) : 0;
  const newRev = Number(newRevision);
  if (oldRev < newRev) {
    a[revisionAnnotation] = newRevision;
    changed = true;
    if (had) {
      const history = a[revisionHistoryAnnotation] ?? '';
      if (!history) a[revisionHistoryAnnotation] = old;
      else {
        const revs = history.split(',');
        let total = history.length + old.length + 1;
        let start = 0;
        while (total > maxRevHistoryLength && start < revs.length) total -= revs[start++].length + 1;
        if (total <= maxRevHistoryLength) a[revisionHistoryAnnotation] = [...revs.slice(start), old].join(',');
      }
    }
  }
  if (!exists && setReplicasAnnotations(rs, replicasOf(d), replicasOf(d) + maxSurge(d))) changed = true;
  return changed;
}

/** NewRSNewReplicas: how far the new replica set may grow now. */
export function newRSNewReplicas(d: KubeObject, allRSs: (KubeObject | undefined)[], newRS: KubeObject): number {
  if (!isRollingUpdate(d)) return replicasOf(d);
  const surge = scaledValue(d.spec?.strategy?.rollingUpdate?.maxSurge ?? '25%', replicasOf(d), true);
  const current = specReplicas(allRSs);
  const maxTotal = replicasOf(d) + surge;
  if (current >= maxTotal) return replicasOf(newRS);
  return replicasOf(newRS) + Math.min(maxTotal - current, replicasOf(d) - replicasOf(newRS));
}

/** IsSaturated: the new replica set runs all the deployment's replicas, all available. */
export function isSaturated(d: KubeObject, rs: KubeObject | undefined): boolean {
  if (!rs) return false;
  const desired = rs.metadata.annotations?.[desiredReplicasAnnotation];
  if (desired === undefined || !/^[-+]?\d+$/.test(desired)) return false;
  return replicasOf(rs) === replicasOf(d) && Number(desired) === replicasOf(d) && (rs.status?.availableReplicas ?? 0) === replicasOf(d);
}

/** FindActiveOrLatest: the only active replica set, or the newest when none is active; undefined when several are. */
export function findActiveOrLatest(newRS: KubeObject | undefined, oldRSs: KubeObject[]): KubeObject | undefined {
  if (!newRS && !oldRSs.length) return undefined;
  const olds = [...oldRSs].sort((a, b) => byCreation(b, a));
  const active = activeReplicaSets([...olds, newRS]);
  if (active.length === 0) return newRS ?? olds[0];
  return active.length === 1 ? active[0] : undefined;
}

/** GetProportion: this replica set's share of a scaling event, rounded as integer.RoundToInt32. */
export function proportion(rs: KubeObject | undefined, d: KubeObject, toAdd: number, added: number): number {
  if (!rs || replicasOf(rs) === 0 || toAdd === 0 || toAdd === added) return 0;
  let fraction: number;
  if (replicasOf(d) === 0) fraction = -replicasOf(rs);
  else {
    const deploymentReplicas = replicasOf(d) + maxSurge(d);
    const annotated = intAnnotation(rs, maxReplicasAnnotation) ?? d.status?.replicas ?? 0;
    // Upstream divides by zero here (an unannotated set of a deployment whose status shows no replicas); give no share instead.
    const size = annotated ? (replicasOf(rs) * deploymentReplicas) / annotated : replicasOf(rs);
    // math.Round rounds halves away from zero.
    fraction = Math.sign(size) * Math.round(Math.abs(size)) - replicasOf(rs);
  }
  const allowed = toAdd - added;
  return toAdd > 0 ? Math.min(fraction, allowed) : Math.max(fraction, allowed);
}

export interface DeploymentCondition {
  type: string;
  status: string;
  lastUpdateTime: string;
  lastTransitionTime: string;
  reason: string;
  message: string;
}

export function newCondition(type: string, status: string, reason: string, message: string, now: Date): DeploymentCondition {
  const t = nowRfc3339(now);
  return { type, status, lastUpdateTime: t, lastTransitionTime: t, reason, message };
}

export const getCondition = (status: any, type: string): DeploymentCondition | undefined => (status?.conditions ?? []).find((c: DeploymentCondition) => c.type === type);

/** SetDeploymentCondition: same status and reason keeps the old one; same status keeps its transition time. */
export function setCondition(status: any, c: DeploymentCondition): void {
  const cur = getCondition(status, c.type);
  if (cur && cur.status === c.status && cur.reason === c.reason) return;
  if (cur && cur.status === c.status) c = { ...c, lastTransitionTime: cur.lastTransitionTime };
  status.conditions = [...(status.conditions ?? []).filter((x: DeploymentCondition) => x.type !== c.type), c];
}

export function removeCondition(status: any, type: string): void {
  status.conditions = (status.conditions ?? []).filter((x: DeploymentCondition) => x.type !== type);
}

/** HasProgressDeadline: set and not MaxInt32. */
export const hasProgressDeadline = (d: KubeObject): boolean => d.spec?.progressDeadlineSeconds !== undefined && d.spec.progressDeadlineSeconds !== 2147483647;

/** DeploymentComplete. */
export function deploymentComplete(d: KubeObject, s: any): boolean {
  const r = replicasOf(d);
  return (s.updatedReplicas ?? 0) === r && (s.replicas ?? 0) === r && (s.availableReplicas ?? 0) === r && (s.observedGeneration ?? 0) >= (d.metadata.generation ?? 0);
}

/** DeploymentProgressing: more updated, fewer old, more ready or more available replicas than the stored status says. */
export function deploymentProgressing(d: KubeObject, s: any): boolean {
  const o = d.status ?? {};
  const n = (x: any, k: string) => x[k] ?? 0;
  return (
    n(s, 'updatedReplicas') > n(o, 'updatedReplicas') ||
    n(s, 'replicas') - n(s, 'updatedReplicas') < n(o, 'replicas') - n(o, 'updatedReplicas') ||
    n(s, 'readyReplicas') > n(o, 'readyReplicas') ||
    n(s, 'availableReplicas') > n(o, 'availableReplicas')
  );
}

/** DeploymentTimedOut: the Progressing condition has not moved for progressDeadlineSeconds. */
export function deploymentTimedOut(d: KubeObject, s: any, now: Date): boolean {
  if (!hasProgressDeadline(d)) return false;
  const c = getCondition(s, 'Progressing');
  if (!c || c.reason === 'NewReplicaSetAvailable') return false;
  if (c.reason === 'ProgressDeadlineExceeded') return true;
  return Date.parse(c.lastUpdateTime) + d.spec.progressDeadlineSeconds * 1000 < now.getTime();
}
