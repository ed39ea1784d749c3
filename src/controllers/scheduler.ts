/**
 * @module The scheduler (kube-scheduler's default profile): pending pods
 * with schedulerName default-scheduler are taken one at a time from a
 * priority queue, run through the pure rules in scheduler-rules.ts against
 * an in-memory snapshot, assumed onto the chosen node and bound through
 * pods/binding in the background. A pod that fits nowhere gets a
 * FailedScheduling event and PodScheduled=False, and waits until a node or
 * pod change could make it fit (a QueueingHint), with backoff.
 */
import type { KubeObject } from '../api/meta.ts';
import { nowRfc3339 } from '../api/meta.ts';
import { findKind } from '../api/resources.ts';
import { isConflict, isNotFound, resourcePath, type Client } from '../client/client.ts';
import { Informer, keyOf } from '../client/informer.ts';
import type { EventRecorder } from './events.ts';
import { affinityNodeNames, filterNode, nodeInfo, podInfo, schedulePod, type NodeInfo, type PodInfo } from './scheduler-rules.ts';
import { defaultSelector, spreadConstraints } from './scheduler-spread.ts';

const podDef = findKind('', 'Pod')!;
const SMP = 'application/strategic-merge-patch+json';

export interface SchedulerOptions {
  client: Client;
  recorder: EventRecorder;
  log: (line: string) => void;
  /** podInitialBackoffSeconds and podMaxBackoffSeconds (1 s and 10 s upstream). */
  initialBackoffMs?: number;
  maxBackoffMs?: number;
  /** Tie-breaking between equal scores; random as upstream unless a test fixes it. */
  rng?: () => number;
}

interface Entry {
  key: string;
  pod: KubeObject;
  priority: number;
  attempts: number;
  lastTry: number;
  /** When it was parked as unschedulable (flushed after 5 minutes, podMaxInUnschedulablePodsDuration). */
  parkedAt: number;
}

/** The scheduling queue: activeQ ordered by priority, backoffQ on timers, unschedulablePods parked until an event. */
class SchedulingQueue {
  readonly #entries = new Map<string, Entry>();
  readonly #active: Entry[] = [];
  readonly #backoff = new Map<string, NodeJS.Timeout>();
  readonly #parked = new Set<string>();
  readonly #initialMs: number;
  readonly #maxMs: number;
  #wake?: () => void;

  constructor(initialMs: number, maxMs: number) {
    this.#initialMs = initialMs;
    this.#maxMs = maxMs;
  }

  get size(): number {
    return this.#entries.size;
  }

  /** A new or changed pending pod; a parked pod whose scheduling inputs changed gets another try. */
  add(key: string, pod: KubeObject, inputsChanged: boolean, backoff = false): void {
    const e = this.#entries.get(key);
    if (!e) {
      const entry: Entry = { key, pod, priority: Number(pod.spec?.priority ?? 0) || 0, attempts: 0, lastTry: 0, parkedAt: 0 };
      this.#entries.set(key, entry);
      if (backoff) this.retry(entry);
      else this.#push(entry);
      return;
    }
    e.pod = pod;
    if (inputsChanged && this.#parked.has(key)) this.#unpark(e);
  }

  delete(key: string): void {
    if (!this.#entries.delete(key)) return;
    this.#parked.delete(key);
    clearTimeout(this.#backoff.get(key));
    this.#backoff.delete(key);
    const i = this.#active.findIndex((e) => e.key === key);
    if (i >= 0) this.#active.splice(i, 1);
  }

  pop(): Entry | undefined {
    return this.#active.shift();
  }

  wait(signal: AbortSignal): Promise<void> {
    return new Promise((ok) => {
      this.#wake = ok;
      signal.addEventListener('abort', () => ok(), { once: true });
    });
  }

  /** The pod fit nowhere: park it until an event may help. */
  failed(e: Entry): void {
    e.attempts++;
    e.lastTry = e.parkedAt = Date.now();
    if (this.#entries.get(e.key) === e) this.#parked.add(e.key);
  }

  /** An error (not a misfit): straight to backoff, as upstream's error handling does. */
  retry(e: Entry): void {
    this.failed(e);
    this.#unpark(e);
  }

  /** Moves the parked pods for which `hint` says the event may help (MoveAllToActiveOrBackoffQueue with hints). */
  moveIf(hint: (pod: KubeObject) => boolean, olderThan = Infinity): void {
    const now = Date.now();
    for (const key of this.#parked) {
      const e = this.#entries.get(key)!;
      if (now - e.parkedAt >= olderThan || hint(e.pod)) this.#unpark(e);
    }
  }

  #unpark(e: Entry): void {
    this.#parked.delete(e.key);
    const wait = e.lastTry + Math.min(this.#initialMs * 2 ** Math.max(0, e.attempts - 1), this.#maxMs) - Date.now();
    if (wait <= 0) return this.#push(e);
    if (this.#backoff.has(e.key)) return;
    const t = setTimeout(() => {
      this.#backoff.delete(e.key);
      if (this.#entries.get(e.key) === e) this.#push(e);
    }, wait);
    t.unref();
    this.#backoff.set(e.key, t);
  }

  /** PrioritySort: higher priority first, first come first served among equals. */
  #push(e: Entry): void {
    let i = this.#active.length;
    while (i > 0 && this.#active[i - 1].priority < e.priority) i--;
    this.#active.splice(i, 0, e);
    this.#wake?.();
    this.#wake = undefined;
  }

  done(key: string): void {
    this.delete(key);
  }

  clear(): void {
    for (const t of this.#backoff.values()) clearTimeout(t);
  }
}

export class Scheduler {
  readonly #client: Client;
  readonly #recorder: EventRecorder;
  readonly #log: (l: string) => void;
  readonly #rng?: () => number;
  readonly #pods: Informer;
  readonly #nodes: Informer;
  readonly #services: Informer;
  readonly #rcs: Informer;
  readonly #replicaSets: Informer;
  readonly #queue: SchedulingQueue;
  /** The scheduler cache: per node, the pods bound or assumed there. */
  readonly #nodePods = new Map<string, Map<string, PodInfo>>();
  readonly #podNode = new Map<string, string>();
  /** Pods sent for binding whose nodeName the informer has not shown yet. */
  readonly #assumed = new Set<string>();
  readonly #infos = new Map<string, NodeInfo>();
  #synced = false;

  constructor(opts: SchedulerOptions) {
    this.#client = opts.client;
    this.#recorder = opts.recorder;
    this.#log = opts.log;
    this.#rng = opts.rng;
    this.#queue = new SchedulingQueue(opts.initialBackoffMs ?? 1000, opts.maxBackoffMs ?? 10_000);
    const client = opts.client;
    // Terminal pods hold nothing on a node; they leave the cache as DELETED.
    this.#pods = new Informer({ client, def: podDef, fieldSelector: 'status.phase!=Succeeded,status.phase!=Failed' });
    this.#nodes = new Informer({ client, def: findKind('', 'Node')! });
    this.#services = new Informer({ client, def: findKind('', 'Service')! });
    this.#rcs = new Informer({ client, def: findKind('', 'ReplicationController')! });
    this.#replicaSets = new Informer({ client, def: findKind('apps', 'ReplicaSet')! });
    this.#pods.on((type, pod, old) => this.#onPod(type, pod, old));
    this.#nodes.on((type, node) => this.#onNode(type, node));
  }

  ready(): boolean {
    return this.#synced;
  }

  start(signal: AbortSignal): void {
    for (const i of [this.#pods, this.#nodes, this.#services, this.#rcs, this.#replicaSets]) void i.start(signal);
    // flushUnschedulablePodsLeftover: every 30 s, pods parked for 5 minutes get another try.
    const flush = setInterval(() => this.#queue.moveIf(() => false, 300_000), 30_000);
    flush.unref();
    signal.addEventListener('abort', () => (clearInterval(flush), this.#queue.clear()), { once: true });
    void this.#run(signal);
  }

  async #run(signal: AbortSignal): Promise<void> {
    await Promise.all([this.#pods, this.#nodes, this.#services, this.#rcs, this.#replicaSets].map((i) => i.waitSynced()));
    this.#synced = true;
    this.#log(`default-scheduler: synced nodes=${this.#nodes.list().length} pending=${this.#queue.size}`);
    while (!signal.aborted) {
      const e = this.#queue.pop();
      if (!e) {
        await this.#queue.wait(signal);
        continue;
      }
      try {
        this.#scheduleOne(e);
      } catch (err) {
        this.#log(`default-scheduler: ${e.key}: ${(err as Error).message}`);
        this.#queue.retry(e);
      }
      // Let watch events and binding responses in between two pods.
      await new Promise((r) => setImmediate(r));
    }
  }

  #scheduleOne(e: Entry): void {
    const [ns, name] = e.key.split('/');
    const pod = this.#pods.get(ns, name);
    if (!pod || !this.#wants(pod) || this.#assumed.has(e.key)) return this.#queue.done(e.key);
    const p = podInfo(pod);
    const nodes = this.#snapshot();
    const selector = defaultSelector(pod, { services: this.#services.list(), rcs: this.#rcs.list(), replicaSets: this.#replicaSets.list() });
    const result = schedulePod(p, nodes, spreadConstraints(pod, selector), this.#rng);
    if (result.node) {
      this.#queue.done(e.key);
      this.#assumed.add(e.key);
      this.#count(e.key, result.node, p);
      void this.#bind(pod, result.node);
      return;
    }
    this.#queue.failed(e);
    this.#fail(pod, 'Unschedulable', result.message!);
  }

  /** Pods this scheduler owns: unbound, not terminating, schedulerName default-scheduler, no scheduling gates. */
  #wants(pod: KubeObject): boolean {
    return (
      !pod.spec?.nodeName &&
      !pod.metadata.deletionTimestamp &&
      (pod.spec?.schedulerName ?? 'default-scheduler') === 'default-scheduler' &&
      !(pod.spec?.schedulingGates ?? []).length
    );
  }

  /** FailedScheduling event and the PodScheduled condition (handleSchedulingFailure + updatePod). */
  #fail(pod: KubeObject, reason: string, message: string): void {
    // truncateMessage: an event note holds 1024 bytes; the condition keeps the whole text.
    this.#recorder.event(pod, 'Warning', 'FailedScheduling', message.length > 1024 ? `${message.slice(0, 1020)} ...` : message);
    const old = (pod.status?.conditions ?? []).find((c: any) => c?.type === 'PodScheduled');
    if (old?.status === 'False' && old.reason === reason && old.message === message) return;
    const cond = { type: 'PodScheduled', status: 'False', lastProbeTime: null, lastTransitionTime: old?.status === 'False' ? old.lastTransitionTime : nowRfc3339(), reason, message };
    this.#client
      .patch(podDef, pod.metadata.namespace, pod.metadata.name!, { status: { conditions: [cond] } }, SMP, 'status')
      .catch((err) => isNotFound(err) || this.#log(`default-scheduler: status of ${keyOf(pod)}: ${(err as Error).message}`));
  }

  async #bind(pod: KubeObject, node: string): Promise<void> {
    const key = keyOf(pod);
    const { namespace, name, uid } = pod.metadata;
    try {
      await this.#client.request('POST', resourcePath(podDef, namespace, name, 'binding'), {
        apiVersion: 'v1',
        kind: 'Binding',
        metadata: { name, namespace, uid },
        target: { apiVersion: 'v1', kind: 'Node', name: node },
      });
      this.#recorder.event(pod, 'Normal', 'Scheduled', `Successfully assigned ${namespace}/${name} to ${node}`);
    } catch (err) {
      this.#assumed.delete(key);
      const live = this.#pods.get(namespace, name!);
      // ForgetPod, unless the informer already shows the pod bound (by us or another scheduler).
      if (!live?.spec?.nodeName && this.#podNode.get(key) === node) this.#uncount(key);
      if (isNotFound(err) || (isConflict(err) && /already assigned/.test((err as Error).message)) || !live || !this.#wants(live)) return;
      this.#log(`default-scheduler: binding ${key} to ${node}: ${(err as Error).message}`);
      this.#fail(live, 'SchedulerError', `running Bind plugin "DefaultBinder": ${(err as Error).message}`);
      this.#queue.add(key, live, false, true);
    }
  }

  #snapshot(): NodeInfo[] {
    const out: NodeInfo[] = [];
    for (const node of this.#nodes.list()) out.push(this.#info(node));
    return out;
  }

  #info(node: KubeObject): NodeInfo {
    const name = node.metadata.name!;
    let info = this.#infos.get(name);
    if (!info || info.node !== node) {
      info = nodeInfo(node, [...(this.#nodePods.get(name)?.values() ?? [])]);
      this.#infos.set(name, info);
    }
    return info;
  }

  #count(key: string, node: string, p: PodInfo): void {
    const prev = this.#podNode.get(key);
    if (prev && prev !== node) this.#uncount(key);
    let pods = this.#nodePods.get(node);
    if (!pods) this.#nodePods.set(node, (pods = new Map()));
    pods.set(key, p);
    this.#podNode.set(key, node);
    this.#infos.delete(node);
  }

  #uncount(key: string): string | undefined {
    const node = this.#podNode.get(key);
    if (!node) return undefined;
    this.#podNode.delete(key);
    this.#nodePods.get(node)?.delete(key);
    this.#infos.delete(node);
    return node;
  }

  #onPod(type: 'ADDED' | 'MODIFIED' | 'DELETED', pod: KubeObject, old?: KubeObject): void {
    const key = keyOf(pod);
    if (type === 'DELETED') {
      this.#queue.delete(key);
      this.#assumed.delete(key);
      const node = this.#uncount(key);
      if (node) this.#podChanged(node);
      return;
    }
    const node = pod.spec?.nodeName;
    if (node) {
      this.#queue.delete(key);
      this.#assumed.delete(key);
      const known = this.#podNode.get(key) === node;
      this.#count(key, node, podInfo(pod));
      if (!known) this.#podChanged(undefined);
      return;
    }
    if (this.#assumed.has(key)) return;
    if (!this.#wants(pod)) return this.#queue.delete(key);
    // Our own status patches change neither spec nor labels: they must not wake the pod.
    const inputs = (o?: KubeObject): string => JSON.stringify([o?.spec, o?.metadata.labels]);
    this.#queue.add(key, pod, type === 'ADDED' || inputs(pod) !== inputs(old));
  }

  /** An assigned pod came or went: pods that may now fit that node, or whose hard spread constraints may now hold, retry. */
  #podChanged(nodeName: string | undefined): void {
    const node = nodeName ? this.#nodes.get(undefined, nodeName) : undefined;
    const info = node ? this.#info(node) : undefined;
    this.#queue.moveIf((pod) => (info !== undefined && this.#fits(pod, info)) || (pod.spec?.topologySpreadConstraints ?? []).length > 0);
  }

  #onNode(type: 'ADDED' | 'MODIFIED' | 'DELETED', node: KubeObject): void {
    this.#infos.delete(node.metadata.name!);
    if (type === 'DELETED') return;
    const info = this.#info(node);
    this.#queue.moveIf((pod) => this.#fits(pod, info));
  }

  /** The QueueingHint: would the pod pass the node filters on this node now? */
  #fits(pod: KubeObject, info: NodeInfo): boolean {
    const names = affinityNodeNames(pod);
    if (names === 'conflict' || (names && !names.has(info.name))) return false;
    return filterNode(podInfo(pod), info) === null;
  }
}
