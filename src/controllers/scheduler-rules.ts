/**
 * @module The scheduler's rules, pure: kube-scheduler v1.32's default
 * filters (NodeUnschedulable, NodeName, TaintToleration, NodeAffinity,
 * NodePorts, NodeResourcesFit, PodTopologySpread), its default scores, and
 * the FailedScheduling text (FitError plus DefaultPreemption's PostFilter).
 * PodTopologySpread lives in scheduler-spread.ts.
 */
import type { KubeObject } from '../api/meta.ts';
import { parseQuantity, quantityMilliValue, quantityValue } from '../api/validation/quantity.ts';
import { spreadFilter, spreadScores, type SpreadConstraint } from './scheduler-spread.ts';

export const MAX_NODE_SCORE = 100;
export type Code = 'Unschedulable' | 'UnschedulableAndUnresolvable';
/** framework.Status of a failed filter: Unschedulable may be fixed by preemption, the other not. */
export interface Status {
  code: Code;
  reasons: string[];
}
export interface Resources {
  milliCPU: number;
  memory: number;
  ephemeralStorage: number;
  scalar: Record<string, number>;
}
export interface HostPort {
  ip: string;
  protocol: string;
  port: number;
}
export interface PodInfo {
  pod: KubeObject;
  priority: number;
  requests: Resources;
  /** Requests with 100m cpu / 200Mi memory for containers that name none (schedutil.DefaultMilliCPURequest), for scoring. */
  nonZero: Resources;
  hostPorts: HostPort[];
}
export interface NodeInfo {
  name: string;
  node: KubeObject;
  pods: PodInfo[];
  allocatable: Resources;
  allowedPods: number;
  requested: Resources;
  nonZeroRequested: Resources;
  usedPorts: HostPort[];
}
export interface Taint {
  key: string;
  value?: string;
  effect: string;
  timeAdded?: string;
}

const unresolvable = (reason: string): Status => ({ code: 'UnschedulableAndUnresolvable', reasons: [reason] });
export const REASON = {
  unschedulable: 'node(s) were unschedulable',
  nodeName: "node(s) didn't match the requested node name",
  affinity: "node(s) didn't match Pod's node affinity/selector",
  ports: "node(s) didn't have free ports for the requested pod ports",
  notHelpful: 'Preemption is not helpful for scheduling',
  noVictims: 'No preemption victims found for incoming pod',
  noNodes: 'no nodes available to schedule pods',
};

// ---- resources (k8s.io/component-helpers/resource.PodRequests) ----

const emptyResources = (): Resources => ({ milliCPU: 0, memory: 0, ephemeralStorage: 0, scalar: {} });

/** schedutil.IsScalarResourceName: extended (domain-prefixed), hugepages and attachable-volumes resources. */
const isScalar = (name: string): boolean => name.includes('/') || name.startsWith('hugepages-') || name.startsWith('attachable-volumes-');

/** A resource list as whole numbers: millicores for cpu, Value() for the rest; a bad quantity counts as 0. */
function toNumbers(list: unknown): Record<string, number> {
  const out: Record<string, number> = {};
  if (!list || typeof list !== 'object') return out;
  for (const [k, v] of Object.entries(list)) {
    try {
      const q = parseQuantity(v as string);
      out[k] = Number(k === 'cpu' ? quantityMilliValue(q) : quantityValue(q));
    } catch {
      out[k] = 0;
    }
  }
  return out;
}

export function toResources(list: Record<string, number>): Resources {
  const r = emptyResources();
  for (const [k, v] of Object.entries(list)) {
    if (k === 'cpu') r.milliCPU = v;
    else if (k === 'memory') r.memory = v;
    else if (k === 'ephemeral-storage') r.ephemeralStorage = v;
    else if (isScalar(k)) r.scalar[k] = v;
  }
  return r;
}

function addInto(a: Record<string, number>, b: Record<string, number>): void {
  for (const [k, v] of Object.entries(b)) a[k] = (a[k] ?? 0) + v;
}
function maxInto(a: Record<string, number>, b: Record<string, number>): void {
  for (const [k, v] of Object.entries(b)) if (!(k in a) || v > a[k]) a[k] = v;
}

/**
 * PodRequests: the sum of the containers, raised to the largest init
 * container step (a restartable "sidecar" init container keeps its requests
 * for the pod's life), plus spec.overhead. `nonMissing` fills cpu/memory a
 * container leaves out, as the scoring plugins do.
 */
export function podRequests(pod: KubeObject, nonMissing = false): Resources {
  const list = (c: any): Record<string, number> => {
    const r = toNumbers(c?.resources?.requests);
    if (nonMissing) {
      if (!('cpu' in r)) r.cpu = 100;
      if (!('memory' in r)) r.memory = 200 * 1024 * 1024;
    }
    return r;
  };
  const reqs: Record<string, number> = {};
  for (const c of pod.spec?.containers ?? []) addInto(reqs, list(c));
  const sidecars: Record<string, number> = {};
  const initMax: Record<string, number> = {};
  for (const c of pod.spec?.initContainers ?? []) {
    let step = list(c);
    if (c?.restartPolicy === 'Always') {
      addInto(reqs, step);
      addInto(sidecars, step);
      step = { ...sidecars };
    } else addInto(step, sidecars);
    maxInto(initMax, step);
  }
  maxInto(reqs, initMax);
  addInto(reqs, toNumbers(pod.spec?.overhead));
  return toResources(reqs);
}

function sum(a: Resources, b: Resources): Resources {
  const scalar = { ...a.scalar };
  addInto(scalar, b.scalar);
  return { milliCPU: a.milliCPU + b.milliCPU, memory: a.memory + b.memory, ephemeralStorage: a.ephemeralStorage + b.ephemeralStorage, scalar };
}

export function podInfo(pod: KubeObject): PodInfo {
  const hostPorts: HostPort[] = [];
  for (const c of pod.spec?.containers ?? [])
    for (const p of c?.ports ?? []) if (p?.hostPort > 0) hostPorts.push({ ip: p.hostIP || '0.0.0.0', protocol: p.protocol || 'TCP', port: p.hostPort });
  return { pod, priority: Number(pod.spec?.priority ?? 0) || 0, requests: podRequests(pod), nonZero: podRequests(pod, true), hostPorts };
}

/** NodeInfo: the node with what its pods (bound and assumed) already take. */
export function nodeInfo(node: KubeObject, pods: PodInfo[]): NodeInfo {
  // SetDefaults_NodeStatus: allocatable defaults to capacity.
  const alloc = toNumbers(node.status?.allocatable ?? node.status?.capacity);
  let requested = emptyResources();
  let nonZeroRequested = emptyResources();
  const usedPorts: HostPort[] = [];
  for (const p of pods) {
    requested = sum(requested, p.requests);
    nonZeroRequested = sum(nonZeroRequested, p.nonZero);
    usedPorts.push(...p.hostPorts);
  }
  return { name: node.metadata.name!, node, pods, allocatable: toResources(alloc), allowedPods: alloc.pods ?? 0, requested, nonZeroRequested, usedPorts };
}

// ---- taints and tolerations (k8s.io/api/core/v1 Toleration.ToleratesTaint) ----

export function toleratesTaint(tol: any, taint: Taint): boolean {
  if (tol?.effect && tol.effect !== taint.effect) return false;
  if (tol?.key && tol.key !== taint.key) return false;
  if (!tol?.operator || tol.operator === 'Equal') return (tol?.value ?? '') === (taint.value ?? '');
  return tol.operator === 'Exists';
}
export const tolerated = (tols: any[], taint: Taint): boolean => tols.some((t) => toleratesTaint(t, taint));

export function readyStatus(node: KubeObject): string {
  const c = (node.status?.conditions ?? []).filter((x: any) => x?.type === 'Ready').pop();
  return c?.status ?? 'Missing';
}

/**
 * The node's taints, plus the not-ready/unreachable NoSchedule taint its
 * Ready condition calls for when the node lifecycle controller has not put
 * it there yet: upstream filters not-ready nodes through that taint only
 * (TaintNodesByCondition), which leaves a window after the condition
 * changes; nanokube closes it. A node without a Ready condition counts as
 * not ready (upstream schedules on it until its startup grace ends).
 */
export function effectiveTaints(node: KubeObject): Taint[] {
  const taints: Taint[] = Array.isArray(node.spec?.taints) ? node.spec.taints : [];
  const ready = readyStatus(node);
  if (ready === 'True') return taints;
  const key = ready === 'Unknown' ? 'node.kubernetes.io/unreachable' : 'node.kubernetes.io/not-ready';
  return taints.some((t) => t.key === key && t.effect === 'NoSchedule') ? taints : [...taints, { key, effect: 'NoSchedule' }];
}

// ---- node affinity (k8s.io/component-helpers/scheduling/corev1/nodeaffinity) ----

function matchRequirement(r: any, value: string | undefined): boolean {
  const vals: string[] = Array.isArray(r?.values) ? r.values : [];
  switch (r?.operator) {
    case 'In':
      return value !== undefined && vals.includes(value);
    case 'NotIn':
      return value === undefined || !vals.includes(value);
    case 'Exists':
      return value !== undefined;
    case 'DoesNotExist':
      return value === undefined;
    case 'Gt':
    case 'Lt': {
      // The label and the single value must both be integers, or the requirement does not match.
      if (value === undefined || vals.length !== 1 || !/^-?\d+$/.test(value) || !/^-?\d+$/.test(vals[0])) return false;
      return r.operator === 'Gt' ? BigInt(value) > BigInt(vals[0]) : BigInt(value) < BigInt(vals[0]);
    }
  }
  return false;
}

/** A NodeSelectorTerm: its expressions and fields are ANDed; an empty term matches nothing. */
export function matchTerm(term: any, node: KubeObject): boolean {
  const exprs: any[] = term?.matchExpressions ?? [];
  const fields: any[] = term?.matchFields ?? [];
  if (!exprs.length && !fields.length) return false;
  const labels = node.metadata.labels ?? {};
  const labelOf = (k: string): string | undefined => (Object.hasOwn(labels, k) ? labels[k] : undefined);
  return (
    exprs.every((r) => matchRequirement(r, labelOf(r?.key))) &&
    fields.every((r) => r?.key === 'metadata.name' && (r.operator === 'In' || r.operator === 'NotIn') && matchRequirement(r, node.metadata.name))
  );
}

/** GetRequiredNodeAffinity(pod).Match: spec.nodeSelector and the required terms (ORed). */
export function matchesRequiredAffinity(pod: KubeObject, node: KubeObject): boolean {
  const labels = node.metadata.labels ?? {};
  for (const [k, v] of Object.entries(pod.spec?.nodeSelector ?? {})) if (!Object.hasOwn(labels, k) || labels[k] !== v) return false;
  const required = pod.spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution;
  if (!required) return true;
  return (required.nodeSelectorTerms ?? []).some((t: any) => matchTerm(t, node));
}

/**
 * NodeAffinity's PreFilter: when every required term names nodes through
 * matchFields metadata.name In, only those nodes are tried; an empty
 * intersection within a term is a conflict.
 */
export function affinityNodeNames(pod: KubeObject): Set<string> | 'conflict' | undefined {
  const terms: any[] = pod.spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms ?? [];
  if (!terms.length) return undefined;
  let names: Set<string> | undefined;
  for (const t of terms) {
    let termNames: Set<string> | undefined;
    for (const r of t?.matchFields ?? []) {
      if (r?.key !== 'metadata.name' || r.operator !== 'In') continue;
      const s = new Set<string>(r.values ?? []);
      termNames = termNames ? new Set([...termNames].filter((n) => s.has(n))) : s;
    }
    if (!termNames) return undefined;
    names = new Set([...(names ?? []), ...termNames]);
  }
  return names && names.size === 0 ? 'conflict' : names;
}

// ---- filters ----

/** HostPortInfo.CheckConflict: 0.0.0.0 conflicts with every address of the same protocol and port. */
function portConflict(used: HostPort[], p: HostPort): boolean {
  return used.some((u) => u.port === p.port && u.protocol === p.protocol && (p.ip === '0.0.0.0' || u.ip === '0.0.0.0' || u.ip === p.ip));
}

/** NodeResourcesFit's fitsRequest (v1.32: always Unschedulable, so preemption is tried). */
export function insufficientResources(p: PodInfo, n: NodeInfo): string[] {
  const out: string[] = [];
  if (n.pods.length + 1 > n.allowedPods) out.push('Too many pods');
  const r = p.requests;
  const free = (alloc: number, used: number): number => alloc - used;
  if (r.milliCPU > 0 && r.milliCPU > free(n.allocatable.milliCPU, n.requested.milliCPU)) out.push('Insufficient cpu');
  if (r.memory > 0 && r.memory > free(n.allocatable.memory, n.requested.memory)) out.push('Insufficient memory');
  if (r.ephemeralStorage > 0 && r.ephemeralStorage > free(n.allocatable.ephemeralStorage, n.requested.ephemeralStorage)) out.push('Insufficient ephemeral-storage');
  for (const [name, v] of Object.entries(r.scalar))
    if (v > 0 && v > free(n.allocatable.scalar[name] ?? 0, n.requested.scalar[name] ?? 0)) out.push(`Insufficient ${name}`);
  return out;
}

/** The default profile's node filters in upstream order; the first that fails decides the node's status. */
export function filterNode(p: PodInfo, n: NodeInfo): Status | null {
  const pod = p.pod;
  const tols: any[] = Array.isArray(pod.spec?.tolerations) ? pod.spec.tolerations : [];
  if (n.node.spec?.unschedulable === true && !tolerated(tols, { key: 'node.kubernetes.io/unschedulable', effect: 'NoSchedule' })) return unresolvable(REASON.unschedulable);
  if (pod.spec?.nodeName && pod.spec.nodeName !== n.name) return unresolvable(REASON.nodeName);
  const taint = effectiveTaints(n.node).find((t) => (t.effect === 'NoSchedule' || t.effect === 'NoExecute') && !tolerated(tols, t));
  if (taint) return unresolvable(`node(s) had untolerated taint {${taint.key}: ${taint.value ?? ''}}`);
  if (!matchesRequiredAffinity(pod, n.node)) return unresolvable(REASON.affinity);
  if (p.hostPorts.some((hp) => portConflict(n.usedPorts, hp))) return { code: 'Unschedulable', reasons: [REASON.ports] };
  const short = insufficientResources(p, n);
  if (short.length) return { code: 'Unschedulable', reasons: short };
  return null;
}

// ---- scores (weights of the v1.32 default profile) ----

/** helper.DefaultNormalizeScore. */
export function normalize(scores: number[], reverse: boolean): number[] {
  const max = Math.max(0, ...scores);
  if (max === 0) return scores.map(() => (reverse ? MAX_NODE_SCORE : 0));
  return scores.map((s) => {
    const v = Math.trunc((MAX_NODE_SCORE * s) / max);
    return reverse ? MAX_NODE_SCORE - v : v;
  });
}

/** NodeResourcesFit, LeastAllocated over cpu and memory (weight 1 each), from the non-zero requests. */
export function leastAllocated(p: PodInfo, n: NodeInfo): number {
  const one = (req: number, cap: number): number => (cap === 0 || req > cap ? 0 : Math.trunc(((cap - req) * MAX_NODE_SCORE) / cap));
  const cpu = one(n.nonZeroRequested.milliCPU + p.nonZero.milliCPU, n.allocatable.milliCPU);
  const mem = one(n.nonZeroRequested.memory + p.nonZero.memory, n.allocatable.memory);
  return Math.trunc((cpu + mem) / 2);
}

/** NodeResourcesBalancedAllocation over cpu and memory, from the real requests. */
export function balancedAllocation(p: PodInfo, n: NodeInfo): number {
  const fractions: number[] = [];
  const add = (req: number, cap: number): void => void (cap > 0 && fractions.push(Math.min(1, req / cap)));
  add(n.requested.milliCPU + p.requests.milliCPU, n.allocatable.milliCPU);
  add(n.requested.memory + p.requests.memory, n.allocatable.memory);
  const std = fractions.length === 2 ? Math.abs((fractions[0] - fractions[1]) / 2) : 0;
  return Math.trunc((1 - std) * MAX_NODE_SCORE);
}

/** The weighted sum of every score plugin for each feasible node. */
export function scoreNodes(p: PodInfo, feasible: NodeInfo[], all: NodeInfo[], spread: SpreadConstraint[], systemDefaulted: boolean): Map<string, number> {
  const pod = p.pod;
  const tols: any[] = (pod.spec?.tolerations ?? []).filter((t: any) => !t?.effect || t.effect === 'PreferNoSchedule');
  const taintCounts = feasible.map((n) => effectiveTaints(n.node).filter((t) => t.effect === 'PreferNoSchedule' && !tolerated(tols, t)).length);
  const preferred: any[] = pod.spec?.affinity?.nodeAffinity?.preferredDuringSchedulingIgnoredDuringExecution ?? [];
  const affinity = feasible.map((n) => preferred.reduce((acc, t) => acc + (t?.weight && matchTerm(t.preference, n.node) ? t.weight : 0), 0));
  const taintScore = normalize(taintCounts, true);
  const affinityScore = normalize(affinity, false);
  // Best-effort pods skip BalancedAllocation (kubernetes#129138, in the v1.32 patch releases).
  const bestEffort = p.requests.milliCPU === 0 && p.requests.memory === 0;
  const spreadScore = spreadScores(p, feasible, all, spread, systemDefaulted);
  const out = new Map<string, number>();
  feasible.forEach((n, i) => {
    const total = 3 * taintScore[i] + 2 * affinityScore[i] + leastAllocated(p, n) + (bestEffort ? 0 : balancedAllocation(p, n)) + 2 * (spreadScore[i] ?? 0);
    out.set(n.name, total);
  });
  return out;
}

/** selectHost: the best score, ties broken at random (reservoir sampling). */
export function selectHost(scores: Map<string, number>, rng: () => number = Math.random): string {
  let best = '';
  let bestScore = -Infinity;
  let ties = 0;
  for (const [name, s] of scores) {
    if (s > bestScore) [best, bestScore, ties] = [name, s, 1];
    else if (s === bestScore && rng() * ++ties < 1) best = name;
  }
  return best;
}

// ---- the FailedScheduling message ----

/** FitError.Error(): "0/N nodes are available: <prefilter>. <sorted histogram>. <postfilter>". */
export function fitErrorMessage(numAllNodes: number, statuses: Iterable<Status>, opts: { preFilterMsg?: string; postFilterMsg?: string } = {}): string {
  let msg = `0/${numAllNodes} nodes are available:`;
  if (opts.preFilterMsg) msg += ` ${opts.preFilterMsg}.`;
  else {
    const counts = new Map<string, number>();
    for (const s of statuses) for (const r of s.reasons) counts.set(r, (counts.get(r) ?? 0) + 1);
    // sort.Strings on "<count> <reason>": byte order, so "10 x" sorts before "2 y" as upstream.
    const parts = [...counts].map(([r, c]) => `${c} ${r}`).sort();
    if (parts.length) msg += ` ${parts.join(', ')}.`;
  }
  if (opts.postFilterMsg) msg += ` ${opts.postFilterMsg}`;
  return msg;
}

/**
 * DefaultPreemption's PostFilter message when no victims can be found:
 * nodes that failed a resolvable filter are tried without their
 * lower-priority pods. Returns undefined when removing pods would make
 * room: upstream then preempts and adds no text; nanokube does not preempt.
 */
export function preemptionMessage(p: PodInfo, nodes: NodeInfo[], statuses: Map<string, Status>): string | undefined {
  if (p.pod.spec?.preemptionPolicy === 'Never') return 'preemption: not eligible due to preemptionPolicy=Never.';
  const out: Status[] = [];
  for (const n of nodes) {
    const s = statuses.get(n.name);
    if (s?.code !== 'Unschedulable') {
      out.push(unresolvable(REASON.notHelpful));
      continue;
    }
    const keep = n.pods.filter((q) => q.priority >= p.priority);
    if (keep.length === n.pods.length) {
      out.push(unresolvable(REASON.noVictims));
      continue;
    }
    const without = filterNode(p, nodeInfo(n.node, keep));
    if (!without) return undefined;
    out.push(without);
  }
  return `preemption: ${fitErrorMessage(nodes.length, out)}`;
}

export interface ScheduleResult {
  node?: string;
  /** Set when the pod fits nowhere: the FailedScheduling message. */
  message?: string;
  statuses?: Map<string, Status>;
}

/** One scheduling cycle for one pod over a snapshot of the nodes. */
export function schedulePod(p: PodInfo, nodes: NodeInfo[], spread: { constraints: SpreadConstraint[]; systemDefaulted: boolean }, rng?: () => number): ScheduleResult {
  if (!nodes.length) return { message: REASON.noNodes, statuses: new Map() };
  const statuses = new Map<string, Status>();
  const pre = affinityNodeNames(p.pod);
  if (pre === 'conflict') {
    for (const n of nodes) statuses.set(n.name, unresolvable('pod affinity terms conflict'));
    const post = preemptionMessage(p, nodes, statuses);
    return { message: fitErrorMessage(nodes.length, [], { preFilterMsg: 'pod affinity terms conflict', postFilterMsg: post }), statuses };
  }
  const hard = spread.constraints.filter((c) => c.whenUnsatisfiable === 'DoNotSchedule');
  const spreadCheck = hard.length ? spreadFilter(p, nodes, hard) : undefined;
  const feasible: NodeInfo[] = [];
  for (const n of nodes) {
    const s = pre && !pre.has(n.name) ? unresolvable("node(s) didn't satisfy plugin(s) [NodeAffinity]") : (filterNode(p, n) ?? spreadCheck?.(n) ?? null);
    if (s) statuses.set(n.name, s);
    else feasible.push(n);
  }
  if (!feasible.length) {
    const post = preemptionMessage(p, nodes, statuses);
    return { message: fitErrorMessage(nodes.length, statuses.values(), { postFilterMsg: post }), statuses };
  }
  if (feasible.length === 1) return { node: feasible[0].name };
  const soft = spread.constraints.filter((c) => c.whenUnsatisfiable === 'ScheduleAnyway');
  return { node: selectHost(scoreNodes(p, feasible, nodes, soft, spread.systemDefaulted), rng) };
}
