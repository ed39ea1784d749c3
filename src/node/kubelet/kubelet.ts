/**
 * @module The kubelet of one node: watches the pods bound to it
 * (`fieldSelector=spec.nodeName=<node>`) and the Services (for the service
 * environment), runs one PodWorker per pod, posts each pod's status to
 * `pods/<name>/status` (merge patch, only when it changed), ends graceful
 * deletions (containers stopped, sandbox removed, then DELETE with
 * gracePeriodSeconds 0 and a uid precondition), stops pods deleted from the
 * API, and after an agent restart adopts the sandboxes of its pods and
 * removes the ones no pod owns.
 */
import { readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { KubeObject } from '../../api/meta.ts';
import { findKind } from '../../api/resources.ts';
import { ClientError, isNotFound, type Client } from '../../client/client.ts';
import { Informer } from '../../client/informer.ts';
import type { EventRecorder } from '../../controllers/events.ts';
import type { ResolveOptions } from '../images/catalog.ts';
import type { NodeSandboxManager } from '../network/sandbox.ts';
import type { BackoffConfig } from '../runtime/backoff.ts';
import type { ContainerRuntime } from '../runtime/container-runtime.ts';
import type { Kernel, NodeNetwork } from '../types.ts';
import { ContainerPids } from './container-pids.ts';
import type { ClusterDns } from './dns.ts';
import { NodeProber } from './node-prober.ts';
import { PodWorker } from './pod-worker.ts';
import { podStatus } from './status.ts';
import { nowRfc3339 } from '../../api/meta.ts';

const podDef = findKind('', 'Pod')!;
const serviceDef = findKind('', 'Service')!;
const kindDefs = { ConfigMap: findKind('', 'ConfigMap')!, Secret: findKind('', 'Secret')! };
const nowSeconds = () => nowRfc3339();
/** Status changes closer together than this go out as one patch. */
const STATUS_BATCH_MS = 5;
/**
 * Sandboxes set up at once. Each is a few host commands bound by the kernel's locks and the CPU: with
 * more at once a burst of pods all finish late together; first in, first out, the first are up first.
 */
const SANDBOX_CONCURRENCY = 4;

/** The sandbox manager with ensure() limited to `n` at once, in arrival order. */
export function limitEnsure(m: NodeSandboxManager, n: number): NodeSandboxManager {
  let active = 0;
  const waiting: (() => void)[] = [];
  return {
    ...m,
    ensure: async (spec) => {
      if (active >= n) await new Promise<void>((go) => waiting.push(go));
      active++;
      try {
        return await m.ensure(spec);
      } finally {
        active--;
        waiting.shift()?.();
      }
    },
  };
}

export interface KubeletOptions {
  client: Client;
  recorder: EventRecorder;
  node: NodeNetwork;
  sandboxes: NodeSandboxManager;
  runtime: ContainerRuntime;
  kernel: Kernel;
  /** The agent's data dir: containers.json, pods/<uid>/. */
  dataDir: string;
  dns: ClusterDns;
  resolve: ResolveOptions;
  facts: { cpus: number; memoryBytes: number };
  backoff?: BackoffConfig;
  log: (line: string) => void;
}

interface StatusSlot {
  /** The last status sent (also the `prev` of the next one, so transition times stay put). */
  sent?: Record<string, unknown>;
  sentJson?: string;
  timer?: NodeJS.Timeout;
  inflight?: Promise<void>;
  again?: boolean;
}

export class Kubelet {
  readonly #o: KubeletOptions;
  readonly #pods: Informer;
  readonly #services: Informer;
  readonly #workers = new Map<string, PodWorker>();
  readonly #status = new Map<string, StatusSlot>();
  /** Pods whose graceful deletion this kubelet is carrying out. */
  readonly #deleting = new Set<string>();
  readonly #prober: NodeProber;
  readonly #limited: NodeSandboxManager;
  #pids: ContainerPids | undefined;
  readonly #stop = new AbortController();
  #ready = false;
  #shuttingDown = false;

  constructor(o: KubeletOptions) {
    this.#o = o;
    this.#pods = new Informer({ client: o.client, def: podDef, fieldSelector: `spec.nodeName=${o.node.nodeName}` });
    this.#services = new Informer({ client: o.client, def: serviceDef });
    this.#prober = new NodeProber({ node: o.node });
    this.#limited = limitEnsure(o.sandboxes, SANDBOX_CONCURRENCY);
  }

  ready(): boolean {
    return this.#ready;
  }

  /** The worker of a pod by namespace and name (for the stream server). */
  worker(namespace: string, name: string): PodWorker | undefined {
    for (const w of this.#workers.values()) if (w.pod.metadata.name === name && w.pod.metadata.namespace === namespace) return w;
    return undefined;
  }

  /** Resolves once the caches are synced and the pods found are being started or adopted. */
  async start(signal: AbortSignal): Promise<void> {
    const o = this.#o;
    signal.addEventListener('abort', () => this.#stop.abort(), { once: true });
    this.#pids = await ContainerPids.open(join(o.dataDir, 'containers.json'));
    // Service variables are fixed when a container starts: the services must be known first.
    void this.#services.start(this.#stop.signal);
    await this.#services.waitSynced();
    this.#pods.on((type, pod) => {
      if (this.#shuttingDown) return;
      if (type === 'DELETED') void this.#gone(pod);
      else this.#sync(pod);
    });
    void this.#pods.start(this.#stop.signal);
    await this.#pods.waitSynced();
    await this.#removeOrphans();
    this.#ready = true;
  }

  #deps() {
    const o = this.#o;
    return {
      node: o.node,
      sandboxes: this.#limited,
      runtime: o.runtime,
      kernel: o.kernel,
      pids: this.#pids!,
      dns: o.dns,
      resolve: o.resolve,
      facts: o.facts,
      probeCheck: this.#prober.check,
      services: () => this.#services.list(),
      get: (ns: string, kind: 'ConfigMap' | 'Secret', name: string) =>
        o.client.get(kindDefs[kind], ns, name).catch((e) => {
          if (isNotFound(e)) return undefined;
          throw e;
        }),
      podDir: (uid: string) => join(o.dataDir, 'pods', uid),
      // Not while shutting down: the agent's client is about to close and the node is going away.
      event: (pod: KubeObject, type: 'Normal' | 'Warning', reason: string, message: string) => this.#shuttingDown || o.recorder.event(pod, type, reason, message),
      log: o.log,
      backoff: o.backoff,
    };
  }

  #sync(pod: KubeObject): void {
    const uid = pod.metadata.uid!;
    let w = this.#workers.get(uid);
    if (!w) {
      const phase = pod.status?.phase;
      // A pod that finished before this agent started (an agent restart) is not run again.
      if (phase === 'Succeeded' || phase === 'Failed') {
        if (pod.metadata.deletionTimestamp) void this.#finishDeletion(pod);
        return;
      }
      w = new PodWorker(pod, this.#deps(), () => this.#statusChanged(uid));
      this.#workers.set(uid, w);
      w.start();
    } else w.update(pod);
    if (pod.metadata.deletionTimestamp) void this.#terminate(w);
  }

  /** Grace period of a deletion: the one the API recorded, else the pod's. */
  static grace(pod: KubeObject): number {
    return pod.metadata.deletionGracePeriodSeconds ?? pod.spec?.terminationGracePeriodSeconds ?? 30;
  }

  /** A graceful deletion: stop, clean, post the final status, then delete the object for good. */
  async #terminate(w: PodWorker): Promise<void> {
    if (this.#deleting.has(w.uid)) return;
    this.#deleting.add(w.uid);
    await w.terminate(Kubelet.grace(w.pod));
    if (this.#shuttingDown) return;
    await this.#flushStatus(w.uid, true);
    await this.#finishDeletion(w.pod);
    this.#forget(w.uid);
  }

  async #finishDeletion(pod: KubeObject): Promise<void> {
    try {
      await this.#o.client.delete(podDef, pod.metadata.namespace, pod.metadata.name!, { gracePeriodSeconds: 0, preconditions: { uid: pod.metadata.uid } });
    } catch (e) {
      // Gone already, or a new pod of the same name (the uid precondition failed): nothing to do.
      if (!(e instanceof ClientError && (e.code === 404 || e.code === 409))) this.#o.log(`kubelet: deleting pod ${pod.metadata.namespace}/${pod.metadata.name}: ${(e as Error).message}`);
    }
  }

  /** Deleted from the API (force delete, or our own final delete): whatever still runs is stopped. */
  async #gone(pod: KubeObject): Promise<void> {
    const w = this.#workers.get(pod.metadata.uid!);
    if (!w) return;
    w.update(pod);
    await w.terminate(pod.metadata.deletionGracePeriodSeconds ?? 0);
    this.#forget(w.uid);
  }

  #forget(uid: string): void {
    this.#workers.delete(uid);
    this.#deleting.delete(uid);
    const slot = this.#status.get(uid);
    clearTimeout(slot?.timer);
    this.#status.delete(uid);
  }

  /** After a restart: sandboxes, leftover processes and folders of pods that are no longer here. */
  async #removeOrphans(): Promise<void> {
    const o = this.#o;
    const live = new Set(this.#workers.keys());
    for (const s of await o.sandboxes.list()) {
      if (live.has(s.uid)) continue;
      await this.#pids!.killLeftovers(s.uid);
      await o.sandboxes.remove(s.uid).catch((e: Error) => o.log(`kubelet: removing orphaned sandbox ${s.uid}: ${e.message}`));
    }
    for (const uid of this.#pids!.pods()) if (!live.has(uid)) await this.#pids!.killLeftovers(uid);
    const kept = new Set(this.#pods.list().map((p) => p.metadata.uid));
    for (const uid of await readdir(join(o.dataDir, 'pods')).catch(() => [] as string[])) {
      if (!kept.has(uid)) await rm(join(o.dataDir, 'pods', uid), { recursive: true, force: true });
    }
  }

  #statusChanged(uid: string): void {
    if (this.#shuttingDown) return;
    const slot = this.#status.get(uid) ?? {};
    this.#status.set(uid, slot);
    if (slot.timer) return;
    slot.timer = setTimeout(() => {
      slot.timer = undefined;
      void this.#flushStatus(uid);
    }, STATUS_BATCH_MS);
  }

  /** Patches pods/<name>/status when what the runtime reports differs from what was sent last. */
  async #flushStatus(uid: string, wait = false): Promise<void> {
    const slot = this.#status.get(uid) ?? {};
    this.#status.set(uid, slot);
    if (slot.inflight) {
      slot.again = true;
      if (wait) await slot.inflight;
      return;
    }
    const w = this.#workers.get(uid);
    if (!w) return;
    const pod = w.pod;
    const status = podStatus({ ...pod, status: slot.sent ?? pod.status }, w.runtimeState(), nowSeconds());
    const json = JSON.stringify(status);
    if (json === slot.sentJson) return;
    slot.inflight = this.#o.client
      .patch(podDef, pod.metadata.namespace, pod.metadata.name!, { status }, 'application/merge-patch+json', 'status')
      .then(
        () => {
          slot.sent = status;
          slot.sentJson = json;
        },
        (e: unknown) => {
          if (!isNotFound(e) && !this.#stop.signal.aborted) this.#o.log(`kubelet: status of ${pod.metadata.namespace}/${pod.metadata.name}: ${(e as Error).message}`);
        },
      )
      .finally(() => {
        slot.inflight = undefined;
        if (slot.again) {
          slot.again = false;
          this.#statusChanged(uid);
        }
      });
    await slot.inflight;
  }

  /**
   * Agent shutdown: every pod is stopped (its own grace period, at most maxGraceSeconds) and its
   * sandbox removed; the API objects stay as they are (the node goes NotReady).
   */
  async shutdown(maxGraceSeconds: number): Promise<void> {
    this.#shuttingDown = true;
    this.#stop.abort();
    for (const slot of this.#status.values()) clearTimeout(slot.timer);
    await Promise.all([...this.#workers.values()].map((w) => w.terminate(Math.min(Kubelet.grace(w.pod), maxGraceSeconds))));
    this.#workers.clear();
    await this.#o.sandboxes.removeAll();
    this.#prober.close();
  }
}
