/**
 * @module The node lifecycle controller (kube-controller-manager's
 * node-lifecycle-controller with the taint-eviction-controller): a node
 * whose Lease in kube-node-lease and Ready heartbeat stop moving for the
 * grace period gets its conditions set to Unknown and its pods' Ready
 * condition set to False; node conditions become taints
 * (TaintNodesByCondition and the NoExecute not-ready/unreachable taints);
 * pods that do not tolerate a NoExecute taint are deleted, at once or after
 * their tolerationSeconds.
 */
import type { KubeObject } from '../api/meta.ts';
import { nowRfc3339 } from '../api/meta.ts';
import { findKind } from '../api/resources.ts';
import { isNotFound, type Client } from '../client/client.ts';
import { Informer, keyOf } from '../client/informer.ts';
import type { EventRecorder } from './events.ts';
import { WorkQueue } from './queue.ts';
import { readyStatus, toleratesTaint, type Taint } from './scheduler-rules.ts';

const nodeDef = findKind('', 'Node')!;
const podDef = findKind('', 'Pod')!;
const SMP = 'application/strategic-merge-patch+json';
export const NOT_READY = 'node.kubernetes.io/not-ready';
export const UNREACHABLE = 'node.kubernetes.io/unreachable';

export interface NodeLifecycleOptions {
  client: Client;
  /** Events are recorded as node-controller and taint-eviction-controller, as upstream. */
  recorder: (component: string) => EventRecorder;
  log: (line: string) => void;
  /** --node-monitor-grace-period (default 40 s). */
  gracePeriodMs?: number;
  /** --node-monitor-period (default 5 s, or an eighth of a shorter grace period). */
  monitorPeriodMs?: number;
  /** --node-startup-grace-period for nodes that never posted Ready (default 1.5 x the grace period: 60 s). */
  startupGracePeriodMs?: number;
}

/** What the controller last saw of a node's heartbeats (nodeHealthData), as times on its own clock. */
export interface Health {
  probe: number;
  heartbeat?: string;
  renew?: string;
}

const readyOf = (node: KubeObject): any => (node.status?.conditions ?? []).filter((c: any) => c?.type === 'Ready').pop();

/**
 * tryUpdateNodeHealth's bookkeeping: the probe time moves when the Ready
 * condition's heartbeat changes or the Lease's renewTime moves forward,
 * measured on the controller's clock (so skewed node clocks do not matter).
 */
export function observeHealth(prev: Health | undefined, node: KubeObject, renewTime: string | undefined, now: number): Health {
  const ready = readyOf(node);
  let h: Health;
  if (!ready) h = prev ? { ...prev, heartbeat: undefined } : { probe: Date.parse(node.metadata.creationTimestamp ?? '') || now };
  else if (!prev || prev.heartbeat === undefined || prev.heartbeat !== ready.lastHeartbeatTime) h = { probe: now, heartbeat: ready.lastHeartbeatTime ?? '', renew: prev?.renew };
  else h = { ...prev };
  if (renewTime && (!h.renew || Date.parse(h.renew) < Date.parse(renewTime))) {
    h.renew = renewTime;
    h.probe = now;
  }
  return h;
}

const monitored = ['Ready', 'MemoryPressure', 'DiskPressure', 'PIDPressure'];

/**
 * The node with its kubelet-owned conditions set to Unknown, or null when
 * the Ready condition would not change (upstream writes only then).
 */
export function markUnknown(node: KubeObject, now: string): KubeObject | null {
  const next = structuredClone(node);
  const conds: any[] = (next.status ??= {}).conditions ?? (next.status.conditions = []);
  for (const type of monitored) {
    const c = conds.find((x) => x?.type === type);
    if (!c) {
      const hb = node.metadata.creationTimestamp;
      conds.push({ type, status: 'Unknown', lastHeartbeatTime: hb, lastTransitionTime: now, reason: 'NodeStatusNeverUpdated', message: 'Kubelet never posted node status.' });
    } else if (c.status !== 'Unknown') Object.assign(c, { status: 'Unknown', reason: 'NodeStatusUnknown', message: 'Kubelet stopped posting node status.', lastTransitionTime: now });
  }
  return JSON.stringify(readyOf(next)) === JSON.stringify(readyOf(node)) ? null : next;
}

/** nodeConditionToTaintKeyStatusMap plus spec.unschedulable: the NoSchedule taints TaintNodesByCondition keeps. */
const byCondition: [string, string, string][] = [
  ['Ready', 'False', NOT_READY],
  ['Ready', 'Unknown', UNREACHABLE],
  ['MemoryPressure', 'True', 'node.kubernetes.io/memory-pressure'],
  ['DiskPressure', 'True', 'node.kubernetes.io/disk-pressure'],
  ['NetworkUnavailable', 'True', 'node.kubernetes.io/network-unavailable'],
  ['PIDPressure', 'True', 'node.kubernetes.io/pid-pressure'],
];
const noScheduleKeys = new Set([...byCondition.map((b) => b[2]), 'node.kubernetes.io/unschedulable']);
const managed = (t: Taint): boolean => (t.effect === 'NoSchedule' && noScheduleKeys.has(t.key)) || (t.effect === 'NoExecute' && (t.key === NOT_READY || t.key === UNREACHABLE));

/**
 * The node's taints as the controller wants them, or null when they are
 * already so: taints it manages come and go with the conditions (new ones
 * carry timeAdded, as SwapNodeControllerTaint sets it); others are kept.
 */
export function desiredTaints(node: KubeObject, now: string): Taint[] | null {
  const current: Taint[] = Array.isArray(node.spec?.taints) ? node.spec.taints : [];
  const want: Taint[] = [];
  for (const c of node.status?.conditions ?? []) for (const [type, status, key] of byCondition) if (c?.type === type && c.status === status) want.push({ key, effect: 'NoSchedule' });
  if (node.spec?.unschedulable === true) want.push({ key: 'node.kubernetes.io/unschedulable', effect: 'NoSchedule' });
  const ready = readyStatus(node);
  if (ready === 'False') want.push({ key: NOT_READY, effect: 'NoExecute' });
  if (ready === 'Unknown') want.push({ key: UNREACHABLE, effect: 'NoExecute' });
  const same = (a: Taint, b: Taint): boolean => a.key === b.key && a.effect === b.effect;
  const next = current.filter((t) => !managed(t) || want.some((w) => same(w, t)));
  for (const w of want) if (!next.some((t) => same(t, w))) next.push({ ...w, timeAdded: now });
  return next.length === current.length && next.every((t, i) => t === current[i]) ? null : next;
}

/**
 * How long a pod may stay on a node with these NoExecute taints
 * (taint_eviction's getMinTolerationTime): 0 when one is not tolerated,
 * the smallest tolerationSeconds otherwise, undefined for ever.
 */
export function tolerationMs(pod: KubeObject, noExecute: Taint[]): number | undefined {
  if (!noExecute.length) return undefined;
  const tols: any[] = Array.isArray(pod.spec?.tolerations) ? pod.spec.tolerations : [];
  let min = Infinity;
  for (const t of noExecute) {
    const tol = tols.find((x) => toleratesTaint(x, t));
    if (!tol) return 0;
    if (typeof tol.tolerationSeconds === 'number') {
      if (tol.tolerationSeconds <= 0) return 0;
      min = Math.min(min, tol.tolerationSeconds * 1000);
    }
  }
  return min === Infinity ? undefined : min;
}

export class NodeLifecycleController {
  readonly #client: Client;
  readonly #events: EventRecorder;
  readonly #evictionEvents: EventRecorder;
  readonly #log: (l: string) => void;
  readonly #graceMs: number;
  readonly #startupGraceMs: number;
  readonly #periodMs: number;
  readonly #nodes: Informer;
  readonly #leases: Informer;
  readonly #pods: Informer;
  readonly #health = new Map<string, Health>();
  readonly #podsByNode = new Map<string, Set<string>>();
  readonly #evictions = new Map<string, NodeJS.Timeout>();
  readonly #taintQueue: WorkQueue;
  readonly #podQueue: WorkQueue;

  constructor(opts: NodeLifecycleOptions) {
    this.#client = opts.client;
    this.#events = opts.recorder('node-controller');
    this.#evictionEvents = opts.recorder('taint-eviction-controller');
    this.#log = opts.log;
    this.#graceMs = opts.gracePeriodMs ?? 40_000;
    this.#startupGraceMs = opts.startupGracePeriodMs ?? this.#graceMs * 1.5;
    this.#periodMs = opts.monitorPeriodMs ?? Math.min(5000, this.#graceMs / 8);
    this.#nodes = new Informer({ client: opts.client, def: nodeDef });
    this.#leases = new Informer({ client: opts.client, def: findKind('coordination.k8s.io', 'Lease')! });
    this.#pods = new Informer({ client: opts.client, def: podDef });
    const onError = (k: string, e: unknown) => this.#log(`node-controller: ${k}: ${(e as Error).message}`);
    this.#taintQueue = new WorkQueue({ work: (k) => this.#syncTaints(k), retryMs: 200, onError });
    this.#podQueue = new WorkQueue({ work: (k) => this.#syncPod(k), retryMs: 200, onError });
    this.#nodes.on((type, node) => this.#onNode(type, node));
    this.#pods.on((type, pod, old) => this.#onPod(type, pod, old));
  }

  ready(): boolean {
    return this.#nodes.ready() && this.#leases.ready() && this.#pods.ready();
  }

  start(signal: AbortSignal): void {
    for (const i of [this.#nodes, this.#leases, this.#pods]) void i.start(signal);
    this.#taintQueue.start(signal);
    this.#podQueue.start(signal);
    signal.addEventListener('abort', () => this.#evictions.forEach((t) => clearTimeout(t)), { once: true });
    void this.#monitorLoop(signal);
  }

  async #monitorLoop(signal: AbortSignal): Promise<void> {
    await Promise.all([this.#nodes.waitSynced(), this.#leases.waitSynced(), this.#pods.waitSynced()]);
    this.#log(`node-controller: synced nodes=${this.#nodes.list().length} grace=${this.#graceMs / 1000}s period=${this.#periodMs / 1000}s`);
    while (!signal.aborted) {
      await this.#monitor().catch((e) => this.#log(`node-controller: monitor: ${(e as Error).message}`));
      await new Promise((r) => setTimeout(r, this.#periodMs).unref());
    }
  }

  /** monitorNodeHealth: one pass over every node. */
  async #monitor(): Promise<void> {
    const now = Date.now();
    for (const node of this.#nodes.list()) {
      const name = node.metadata.name!;
      const lease = this.#leases.get('kube-node-lease', name);
      const health = observeHealth(this.#health.get(name), node, lease?.spec?.renewTime, now);
      this.#health.set(name, health);
      const grace = readyOf(node) ? this.#graceMs : this.#startupGraceMs;
      if (now <= health.probe + grace) continue;
      const next = markUnknown(node, nowRfc3339());
      if (!next) continue;
      try {
        await this.#client.update(nodeDef, next, 'status');
      } catch (e) {
        if (!isNotFound(e)) this.#log(`node-controller: ${name}: marking Unknown: ${(e as Error).message}`);
        continue;
      }
      this.#log(`node-controller: ${name} stopped posting status for ${((now - health.probe) / 1000).toFixed(1)}s, Ready=Unknown`);
      if (readyStatus(node) === 'True') {
        this.#events.event(node, 'Normal', 'NodeNotReady', `Node ${name} status is now: NodeNotReady`);
        for (const key of this.#podsByNode.get(name) ?? []) this.#podQueue.add(key);
      }
    }
  }

  #onNode(type: 'ADDED' | 'MODIFIED' | 'DELETED', node: KubeObject): void {
    const name = node.metadata.name!;
    if (type === 'DELETED') {
      this.#health.delete(name);
      this.#events.event(node, 'Normal', 'RemovingNode', `Node ${name} event: Removing Node ${name} from Controller`);
    } else {
      if (type === 'ADDED' && !this.#health.has(name)) this.#events.event(node, 'Normal', 'RegisteredNode', `Node ${name} event: Registered Node ${name} in Controller`);
      this.#taintQueue.add(name);
    }
    for (const key of this.#podsByNode.get(name) ?? []) this.#podQueue.add(key);
  }

  async #syncTaints(name: string): Promise<void> {
    const node = this.#nodes.get(undefined, name);
    if (!node) return;
    const taints = desiredTaints(node, nowRfc3339());
    if (!taints) return;
    // resourceVersion makes the patch conditional: taints written by others are never lost. No taints
    // left means no field, as upstream's omitempty serialisation shows it.
    const patch = { metadata: { resourceVersion: node.metadata.resourceVersion }, spec: { taints: taints.length ? taints : null } };
    await this.#client.patch(nodeDef, undefined, name, patch).catch((e) => {
      if (!isNotFound(e)) throw e;
    });
  }

  #onPod(type: 'ADDED' | 'MODIFIED' | 'DELETED', pod: KubeObject, old?: KubeObject): void {
    const key = keyOf(pod);
    const prevNode = old?.spec?.nodeName;
    if (prevNode && (type === 'DELETED' || prevNode !== pod.spec?.nodeName)) this.#podsByNode.get(prevNode)?.delete(key);
    if (type === 'DELETED') return this.#cancelEviction(key, false);
    const node = pod.spec?.nodeName;
    if (!node) return;
    let set = this.#podsByNode.get(node);
    if (!set) this.#podsByNode.set(node, (set = new Set()));
    set.add(key);
    this.#podQueue.add(key);
  }

  /** processPod: a pod on a node that is not Ready is not Ready either; and its NoExecute eviction is (re)planned. */
  async #syncPod(key: string): Promise<void> {
    const [ns, name] = key.split('/');
    const pod = this.#pods.get(ns, name);
    const node = pod?.spec?.nodeName ? this.#nodes.get(undefined, pod.spec.nodeName) : undefined;
    if (!pod || !node || pod.metadata.deletionTimestamp) return this.#cancelEviction(key, false);
    this.#planEviction(pod, node);
    const ready = (pod.status?.conditions ?? []).find((c: any) => c?.type === 'Ready');
    const nodeReady = readyStatus(node);
    if (nodeReady === 'True' || nodeReady === 'Missing' || !ready || ready.status === 'False') return;
    const cond = { ...ready, status: 'False', lastTransitionTime: nowRfc3339() };
    try {
      await this.#client.patch(podDef, ns, name, { status: { conditions: [cond] } }, SMP, 'status');
    } catch (e) {
      if (isNotFound(e)) return;
      throw e;
    }
    this.#events.event(pod, 'Warning', 'NodeNotReady', 'Node is not ready');
  }

  #planEviction(pod: KubeObject, node: KubeObject): void {
    const key = keyOf(pod);
    const taints: Taint[] = (node.spec?.taints ?? []).filter((t: Taint) => t?.effect === 'NoExecute');
    const ms = tolerationMs(pod, taints);
    if (ms === undefined) return this.#cancelEviction(key, true);
    // An eviction already planned keeps its time (upstream keeps the first schedule).
    if (this.#evictions.has(key)) return;
    const t = setTimeout(() => void this.#evict(key).catch((e) => this.#log(`taint-eviction-controller: ${key}: ${(e as Error).message}`)), ms);
    t.unref();
    this.#evictions.set(key, t);
  }

  #cancelEviction(key: string, withEvent: boolean): void {
    const t = this.#evictions.get(key);
    if (!t) return;
    clearTimeout(t);
    this.#evictions.delete(key);
    const [ns, name] = key.split('/');
    const pod = this.#pods.get(ns, name);
    if (withEvent && pod) this.#evictionEvents.event(pod, 'Normal', 'TaintManagerEviction', `Cancelling deletion of Pod ${key}`);
  }

  /** addConditionAndDeletePod: DisruptionTarget=True, then delete. */
  async #evict(key: string): Promise<void> {
    this.#evictions.delete(key);
    const [ns, name] = key.split('/');
    const pod = this.#pods.get(ns, name);
    if (!pod || pod.metadata.deletionTimestamp) return;
    this.#evictionEvents.event(pod, 'Normal', 'TaintManagerEviction', `Marking for deletion Pod ${key}`);
    const cond = { type: 'DisruptionTarget', status: 'True', reason: 'DeletionByTaintManager', message: 'Taint manager: deleting due to NoExecute taint', lastTransitionTime: nowRfc3339() };
    try {
      await this.#client.patch(podDef, ns, name, { status: { conditions: [cond] } }, SMP, 'status');
      await this.#client.delete(podDef, ns, name);
    } catch (e) {
      if (!isNotFound(e)) throw e;
    }
  }
}
