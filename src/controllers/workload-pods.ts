/**
 * @module Pod rules the workload controllers share, as upstream's
 * pkg/api/v1/pod (IsPodReady, IsPodAvailable) and pkg/controller
 * controller_utils.go (IsPodActive, ActivePodsWithRanks, slowStartBatch)
 * define them, and the retry and error helpers of their work queues.
 */
import type { KubeObject } from '../api/meta.ts';

type Condition = { type: string; status: string; lastTransitionTime?: string };

const readyCondition = (pod: KubeObject): Condition | undefined => (pod.status?.conditions as Condition[] | undefined)?.find((c) => c.type === 'Ready');

/** podutil.IsPodReady: the Ready condition is True. */
export function isPodReady(pod: KubeObject): boolean {
  return readyCondition(pod)?.status === 'True';
}

/** podutil.IsPodAvailable: ready, and ready for at least minReadySeconds (strictly before now). */
export function isPodAvailable(pod: KubeObject, minReadySeconds: number, now: Date): boolean {
  if (!isPodReady(pod)) return false;
  if (!minReadySeconds) return true;
  const t = Date.parse(readyCondition(pod)?.lastTransitionTime ?? '');
  return Number.isFinite(t) && t + minReadySeconds * 1000 < now.getTime();
}

/** controller.IsPodActive: not terminal and not being deleted. */
export function isPodActive(pod: KubeObject): boolean {
  const phase = pod.status?.phase;
  return phase !== 'Succeeded' && phase !== 'Failed' && !pod.metadata.deletionTimestamp;
}

const phaseOrdinal = (pod: KubeObject): number => ({ Pending: 0, Unknown: 1, Running: 2 })[pod.status?.phase as string] ?? 0;

/** helper.GetDeletionCostFromPodAnnotations: an int32, 0 when absent or invalid. */
function deletionCost(pod: KubeObject): number {
  const v = pod.metadata.annotations?.['controller.kubernetes.io/pod-deletion-cost'];
  if (v === undefined || !/^[-+]?\d+$/.test(v.trim())) return 0;
  const n = Number(v.trim());
  return n >= -2147483648 && n <= 2147483647 ? n : 0;
}

const maxRestarts = (pod: KubeObject): number => Math.max(0, ...((pod.status?.containerStatuses ?? []) as { restartCount?: number }[]).map((c) => c.restartCount ?? 0));

const readyTime = (pod: KubeObject): number => {
  const c = readyCondition(pod);
  return c?.status === 'True' ? Date.parse(c.lastTransitionTime ?? '') || 0 : 0;
};

/** afterOrZero: a zero time sorts first, otherwise the later time does. */
const afterOrZero = (t1: number, t2: number): boolean => (t1 === 0 || t2 === 0 ? t1 === 0 : t1 > t2);

/** logarithmicRankDiff: compares ages on a log2 scale (nanoseconds, as upstream), so pods of similar age tie. */
function logRankDiff(t1: number, t2: number, now: number): number {
  const rank = (t: number) => {
    const d = (now - t) * 1e6;
    return d > 0 ? Math.floor(Math.log2(d)) : -1;
  };
  return rank(t1) - rank(t2);
}

/**
 * ActivePodsWithRanks.Less with the v1.32 default feature gates
 * (PodDeletionCost and LogarithmicScaleDown on): true when `a` should be
 * deleted before `b`. `rank` counts active related pods on the pod's node.
 */
export function deletesBefore(a: { pod: KubeObject; rank: number }, b: { pod: KubeObject; rank: number }, now: number): boolean {
  const pa = a.pod;
  const pb = b.pod;
  const na = pa.spec?.nodeName ?? '';
  const nb = pb.spec?.nodeName ?? '';
  // 1. Unassigned < assigned.
  if (na !== nb && (na === '' || nb === '')) return na === '';
  // 2. Pending < Unknown < Running.
  if (phaseOrdinal(pa) !== phaseOrdinal(pb)) return phaseOrdinal(pa) < phaseOrdinal(pb);
  // 3. Not ready < ready.
  if (isPodReady(pa) !== isPodReady(pb)) return !isPodReady(pa);
  // 4. Lower pod-deletion-cost < higher.
  if (deletionCost(pa) !== deletionCost(pb)) return deletionCost(pa) < deletionCost(pb);
  // 5. Doubled up (more related pods on the same node) < not doubled up.
  if (a.rank !== b.rank) return a.rank > b.rank;
  // 6. Ready for a shorter time < longer, on a log scale; ties broken by UID.
  if (isPodReady(pa) && isPodReady(pb)) {
    const ra = readyTime(pa);
    const rb = readyTime(pb);
    if (ra !== rb) {
      if (ra === 0 || rb === 0) return afterOrZero(ra, rb);
      const d = logRankDiff(ra, rb, now);
      return d === 0 ? (pa.metadata.uid ?? '') < (pb.metadata.uid ?? '') : d < 0;
    }
  }
  // 7. More container restarts < fewer.
  if (maxRestarts(pa) !== maxRestarts(pb)) return maxRestarts(pa) > maxRestarts(pb);
  // 8. Newer < older, on a log scale; ties broken by UID.
  const ca = Date.parse(pa.metadata.creationTimestamp ?? '') || 0;
  const cb = Date.parse(pb.metadata.creationTimestamp ?? '') || 0;
  if (ca !== cb) {
    if (ca === 0 || cb === 0) return afterOrZero(ca, cb);
    const d = logRankDiff(ca, cb, now);
    return d === 0 ? (pa.metadata.uid ?? '') < (pb.metadata.uid ?? '') : d < 0;
  }
  return false;
}

/**
 * getPodsToDelete: the `diff` pods to delete first. Ranks count the active
 * related pods (pods of replica sets with the same controller) per node,
 * as getPodsRankedByRelatedPodsOnSameNode does.
 */
export function podsToDelete(pods: KubeObject[], related: KubeObject[], diff: number, now = Date.now()): KubeObject[] {
  if (diff >= pods.length) return pods.slice(0, diff);
  const onNode = new Map<string, number>();
  for (const p of related) if (isPodActive(p)) onNode.set(p.spec?.nodeName ?? '', (onNode.get(p.spec?.nodeName ?? '') ?? 0) + 1);
  const ranked = pods.map((pod) => ({ pod, rank: onNode.get(pod.spec?.nodeName ?? '') ?? 0 }));
  ranked.sort((a, b) => (deletesBefore(a, b, now) ? -1 : deletesBefore(b, a, now) ? 1 : 0));
  return ranked.slice(0, diff).map((r) => r.pod);
}

/**
 * slowStartBatch: calls fn `count` times in batches of 1, 2, 4, ... and
 * stops at the first batch with an error, so a failing create (quota, a
 * bad template) costs one call rather than `count`.
 */
export async function slowStartBatch(count: number, initial: number, fn: () => Promise<void>): Promise<{ successes: number; error?: unknown }> {
  let remaining = count;
  let successes = 0;
  for (let batch = Math.min(remaining, initial); batch > 0; batch = Math.min(2 * batch, remaining)) {
    const results = await Promise.allSettled(Array.from({ length: batch }, () => fn()));
    const failed = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    successes += batch - failed.length;
    if (failed.length) return { successes, error: failed[0].reason };
    remaining -= batch;
  }
  return { successes };
}

/**
 * HasStatusCause(err, NamespaceTerminatingCause): a create refused because
 * the namespace is going away. The cause's type travels as `reason`, as in
 * metav1.StatusCause.
 */
export function namespaceTerminating(e: unknown): boolean {
  const status = (e as { status?: { details?: { causes?: { reason?: string }[] } } })?.status;
  return !!status?.details?.causes?.some((c) => c.reason === 'NamespaceTerminating');
}

/**
 * Per-key retry delay of client-go's default controller rate limiter (the
 * exponential part): 5 ms doubling per failure up to 1000 s; forget()
 * after a success.
 */
export class Backoff {
  readonly #failures = new Map<string, number>();
  next(key: string): number {
    const n = this.#failures.get(key) ?? 0;
    this.#failures.set(key, n + 1);
    return Math.min(5 * 2 ** n, 1_000_000);
  }
  forget(key: string): void {
    this.#failures.delete(key);
  }
}
