/**
 * @module PodTopologySpread, pure: a pod's spread constraints (its own, or
 * the cluster defaults with the selector of the Services and controller
 * that select it, helper.DefaultSelector), the DoNotSchedule filter and the
 * ScheduleAnyway score with upstream's normalisation.
 */
import type { KubeObject } from '../api/meta.ts';
import { labelSelectorRequirements, matchLabels, type Requirement } from '../api/selectors.ts';
import { effectiveTaints, matchesRequiredAffinity, tolerated, type NodeInfo, type PodInfo, type Status } from './scheduler-rules.ts';

export interface SpreadConstraint {
  maxSkew: number;
  topologyKey: string;
  whenUnsatisfiable: string;
  /** null: a constraint without labelSelector, which matches no pod. */
  selector: Requirement[] | null;
  minDomains: number;
  nodeAffinityPolicy: string;
  nodeTaintsPolicy: string;
}

export const HOSTNAME = 'kubernetes.io/hostname';
const ZONE = 'topology.kubernetes.io/zone';
const has = (labels: Record<string, string>, k: string): boolean => Object.hasOwn(labels, k);
const labelsOf = (o: KubeObject): Record<string, string> => o.metadata.labels ?? {};

/**
 * helper.DefaultSelector: the selectors of the Services that select the
 * pod, merged with those of its controlling ReplicationController or
 * ReplicaSet. Empty when nothing selects the pod (then it does not spread).
 */
export function defaultSelector(pod: KubeObject, objs: { services: KubeObject[]; rcs: KubeObject[]; replicaSets: KubeObject[] }): Requirement[] {
  const ns = pod.metadata.namespace;
  const set: Record<string, string> = {};
  for (const svc of objs.services) {
    const sel = svc.spec?.selector;
    // A Service without a selector selects nothing (GetPodServices).
    if (svc.metadata.namespace !== ns || !sel || typeof sel !== 'object' || !Object.keys(sel).length) continue;
    if (Object.entries(sel).every(([k, v]) => labelsOf(pod)[k] === v)) Object.assign(set, sel);
  }
  const owner = (pod.metadata.ownerReferences ?? []).find((o) => o.controller);
  const find = (list: KubeObject[]): KubeObject | undefined => list.find((o) => o.metadata.namespace === ns && o.metadata.name === owner?.name);
  if (owner?.kind === 'ReplicationController' && owner.apiVersion === 'v1') Object.assign(set, find(objs.rcs)?.spec?.selector ?? {});
  const reqs: Requirement[] = Object.entries(set).map(([key, v]) => ({ key, op: '=' as const, values: [v] }));
  if (owner?.kind === 'ReplicaSet' && owner.apiVersion === 'apps/v1') {
    try {
      const sel = find(objs.replicaSets)?.spec?.selector;
      if (sel) reqs.push(...labelSelectorRequirements(sel));
    } catch {}
  }
  return reqs;
}

/** The pod's constraints; without its own, the system defaults (hostname maxSkew 3, zone maxSkew 5, ScheduleAnyway). */
export function spreadConstraints(pod: KubeObject, defaults: Requirement[]): { constraints: SpreadConstraint[]; systemDefaulted: boolean } {
  const own: any[] = Array.isArray(pod.spec?.topologySpreadConstraints) ? pod.spec.topologySpreadConstraints : [];
  const base = { minDomains: 1, nodeAffinityPolicy: 'Honor', nodeTaintsPolicy: 'Ignore' };
  if (!own.length) {
    if (!defaults.length) return { constraints: [], systemDefaulted: true };
    const mk = (maxSkew: number, topologyKey: string): SpreadConstraint => ({ ...base, maxSkew, topologyKey, whenUnsatisfiable: 'ScheduleAnyway', selector: defaults });
    return { constraints: [mk(3, HOSTNAME), mk(5, ZONE)], systemDefaulted: true };
  }
  const constraints = own.map((c): SpreadConstraint => {
    let selector: Requirement[] | null = null;
    try {
      if (c?.labelSelector) selector = labelSelectorRequirements(c.labelSelector);
    } catch {}
    // matchLabelKeys (beta, on in v1.32): the pod's own values for those keys narrow the selector.
    for (const k of c?.matchLabelKeys ?? []) if (selector && has(labelsOf(pod), k)) selector.push({ key: k, op: '=', values: [labelsOf(pod)[k]] });
    return {
      maxSkew: Number(c?.maxSkew) || 1,
      topologyKey: String(c?.topologyKey ?? ''),
      whenUnsatisfiable: c?.whenUnsatisfiable ?? 'DoNotSchedule',
      selector,
      minDomains: Number(c?.minDomains) || 1,
      nodeAffinityPolicy: c?.nodeAffinityPolicy ?? 'Honor',
      nodeTaintsPolicy: c?.nodeTaintsPolicy ?? 'Ignore',
    };
  });
  return { constraints, systemDefaulted: false };
}

/** countPodsMatchSelector: same namespace, not terminating, matching the selector. */
function countMatching(pods: PodInfo[], sel: Requirement[] | null, ns: string | undefined): number {
  if (!sel) return 0;
  let n = 0;
  for (const q of pods) if (q.pod.metadata.namespace === ns && !q.pod.metadata.deletionTimestamp && matchLabels(sel, q.pod.metadata.labels)) n++;
  return n;
}

/** matchNodeInclusionPolicies: node affinity honoured and taints ignored unless the constraint says otherwise. */
function included(c: SpreadConstraint, pod: KubeObject, node: KubeObject): boolean {
  if (c.nodeAffinityPolicy !== 'Ignore' && !matchesRequiredAffinity(pod, node)) return false;
  if (c.nodeTaintsPolicy === 'Honor') {
    const tols = pod.spec?.tolerations ?? [];
    if (effectiveTaints(node).some((t) => (t.effect === 'NoSchedule' || t.effect === 'NoExecute') && !tolerated(tols, t))) return false;
  }
  return true;
}

const notMatch = "node(s) didn't match pod topology spread constraints";

/** The DoNotSchedule filter: matching pods in the node's domain + self - the global minimum must not exceed maxSkew. */
export function spreadFilter(p: PodInfo, nodes: NodeInfo[], hard: SpreadConstraint[]): (n: NodeInfo) => Status | null {
  const pod = p.pod;
  const ns = pod.metadata.namespace;
  const counts = hard.map(() => new Map<string, number>());
  for (const n of nodes) {
    const labels = labelsOf(n.node);
    if (!hard.every((c) => has(labels, c.topologyKey))) continue;
    hard.forEach((c, i) => {
      if (!included(c, pod, n.node)) return;
      const v = labels[c.topologyKey];
      counts[i].set(v, (counts[i].get(v) ?? 0) + countMatching(n.pods, c.selector, ns));
    });
  }
  // Fewer domains than minDomains make the global minimum 0.
  const mins = hard.map((c, i) => (counts[i].size < c.minDomains ? 0 : Math.min(...counts[i].values())));
  return (n) => {
    const labels = labelsOf(n.node);
    for (const [i, c] of hard.entries()) {
      if (!has(labels, c.topologyKey)) return { code: 'UnschedulableAndUnresolvable', reasons: [`${notMatch} (missing required label)`] };
      const self = c.selector && matchLabels(c.selector, pod.metadata.labels) ? 1 : 0;
      if ((counts[i].get(labels[c.topologyKey]) ?? 0) + self - mins[i] > c.maxSkew) return { code: 'Unschedulable', reasons: [notMatch] };
    }
    return null;
  };
}

/**
 * The ScheduleAnyway score, normalised so the emptiest domain gets 100:
 * each constraint adds count * log(domains + 2) + maxSkew - 1. With the
 * system defaults a node missing a topology label is still scored; with
 * the pod's own constraints it is ignored (scores 0).
 */
export function spreadScores(p: PodInfo, feasible: NodeInfo[], all: NodeInfo[], soft: SpreadConstraint[], systemDefaulted: boolean): number[] {
  if (!soft.length) return feasible.map(() => 0);
  const pod = p.pod;
  const ns = pod.metadata.namespace;
  const requireAll = !systemDefaulted;
  const ignored = new Set<string>();
  const domains = soft.map(() => new Set<string>());
  for (const n of feasible) {
    const labels = labelsOf(n.node);
    if (requireAll && !soft.every((c) => has(labels, c.topologyKey))) {
      ignored.add(n.name);
      continue;
    }
    soft.forEach((c, i) => void (c.topologyKey !== HOSTNAME && has(labels, c.topologyKey) && domains[i].add(labels[c.topologyKey])));
  }
  const weights = soft.map((c, i) => Math.log((c.topologyKey === HOSTNAME ? feasible.length - ignored.size : domains[i].size) + 2));
  const pairCounts = soft.map(() => new Map<string, number>());
  for (const n of all) {
    const labels = labelsOf(n.node);
    if (requireAll && !soft.every((c) => has(labels, c.topologyKey))) continue;
    soft.forEach((c, i) => {
      const v = labels[c.topologyKey];
      if (c.topologyKey === HOSTNAME || !has(labels, c.topologyKey) || !domains[i].has(v) || !included(c, pod, n.node)) return;
      pairCounts[i].set(v, (pairCounts[i].get(v) ?? 0) + countMatching(n.pods, c.selector, ns));
    });
  }
  const raw = feasible.map((n) => {
    if (ignored.has(n.name)) return -1;
    const labels = labelsOf(n.node);
    let s = 0;
    soft.forEach((c, i) => {
      if (!has(labels, c.topologyKey)) return;
      const cnt = c.topologyKey === HOSTNAME ? countMatching(n.pods, c.selector, ns) : (pairCounts[i].get(labels[c.topologyKey]) ?? 0);
      s += cnt * weights[i] + (c.maxSkew - 1);
    });
    return Math.round(s);
  });
  const valid = raw.filter((s) => s >= 0);
  const min = Math.min(...valid);
  const max = Math.max(0, ...valid);
  return raw.map((s) => (s < 0 ? 0 : max === 0 ? 100 : Math.trunc((100 * (max + min - s)) / max)));
}
