/**
 * @module One pod on this node, from admission to cleanup, as the kubelet's
 * pod worker lives it: the sandbox (network namespace, IP, DNS files,
 * hostname), the volumes, the init containers in order, then every
 * container at once, each under its restart policy; then either the pod
 * completes (every container done for good: the sandbox goes, the logs
 * stay) or it is terminated (SIGTERM, SIGKILL after the grace period,
 * sandbox and files removed). The kubelet turns runtimeState() into the
 * pod's status.
 */
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { KubeObject } from '../../api/meta.ts';
import type { ResolveOptions } from '../images/catalog.ts';
import type { BackoffConfig } from '../runtime/backoff.ts';
import type { ContainerRuntime } from '../runtime/container-runtime.ts';
import type { ProbeCheckResult, ProbeTarget } from '../runtime/probe-checks.ts';
import type { ProbeSpec } from '../runtime/probes.ts';
import type { RestartPolicy } from '../runtime/restart-manager.ts';
import type { Kernel, NodeNetwork, Sandbox, SandboxManager, SandboxSpec } from '../types.ts';
import type { ContainerPids } from './container-pids.ts';
import { ContainerWorker, restartCountFromLogs } from './container-worker.ts';
import { podDns, type ClusterDns } from './dns.ts';
import type { ContainerInfo, PodRuntimeState } from './status.ts';
import { prepareVolumes, VolumeError, type PreparedVolume } from './volumes.ts';
import { nowRfc3339 } from '../../api/meta.ts';

export interface PodWorkerDeps {
  node: NodeNetwork;
  sandboxes: SandboxManager;
  runtime: ContainerRuntime;
  kernel: Kernel;
  pids: ContainerPids;
  dns: ClusterDns;
  resolve: ResolveOptions;
  /** Node allocatable, for the downward API's resource defaults. */
  facts: { cpus: number; memoryBytes: number };
  probeCheck: (spec: ProbeSpec, target: ProbeTarget, timeoutMs: number) => Promise<ProbeCheckResult>;
  services(): KubeObject[];
  get(namespace: string, kind: 'ConfigMap' | 'Secret', name: string): Promise<KubeObject | undefined>;
  /** The pod's folder: `<agent dir>/pods/<uid>` (the sandbox's dir). */
  podDir(uid: string): string;
  event(pod: KubeObject, type: 'Normal' | 'Warning', reason: string, message: string): void;
  log(line: string): void;
  backoff?: BackoffConfig;
}

const nowSeconds = () => nowRfc3339();
const MAX_RETRY_MS = 30_000;
/**
 * How often the configMap, secret, downwardAPI and projected volumes of a running pod are written
 * again from the API (the kubelet does it on its pod sync, about once a minute plus its cache TTL;
 * nanokube is quicker so a tutorial's `kubectl edit configmap` shows within seconds).
 */
export const VOLUME_REFRESH_MS = 5_000;

/** A DNS-1123 label: the kubelet truncates a hostname to 63 characters (truncatePodHostnameIfNeeded). */
export function podHostname(pod: KubeObject): string {
  const h = String(pod.spec?.hostname || pod.metadata.name || '');
  return h.length <= 63 ? h : h.slice(0, 63).replace(/[-.]+$/, '');
}

export function sandboxSpec(pod: KubeObject, dns: ClusterDns): SandboxSpec {
  return {
    namespace: pod.metadata.namespace ?? 'default',
    name: pod.metadata.name!,
    uid: pod.metadata.uid!,
    hostname: podHostname(pod),
    hostAliases: pod.spec?.hostAliases ?? [],
    dns: podDns(pod, dns),
    hostNetwork: pod.spec?.hostNetwork === true,
  };
}

function waiting(name: string, image: string, reason: string, restartCount = 0): ContainerInfo {
  return { name, image, state: { waiting: { reason } }, restartCount, ready: false, started: false };
}

export class PodWorker {
  readonly uid: string;
  readonly #deps: PodWorkerDeps;
  readonly #onChange: () => void;
  #pod: KubeObject;
  #sandbox: Sandbox | undefined;
  #sandboxUp = false;
  #podIP: string | undefined;
  readonly #startTime: string;
  readonly #inits: ContainerWorker[] = [];
  /** Init container statuses taken over from the API when an adopted sandbox had finished them. */
  #doneInits: ContainerInfo[] | undefined;
  readonly #containers = new Map<string, ContainerWorker>();
  readonly #runs: Promise<unknown>[] = [];
  #initsDone = false;
  #stopping = false;
  #completed = false;
  #lifecycle: Promise<void> = Promise.resolve();
  #terminating: Promise<void> | undefined;
  #wake: (() => void) | undefined;

  constructor(pod: KubeObject, deps: PodWorkerDeps, onChange: () => void) {
    this.#pod = pod;
    this.uid = pod.metadata.uid!;
    this.#deps = deps;
    this.#onChange = onChange;
    this.#startTime = pod.status?.startTime ?? nowSeconds();
    this.#podIP = pod.status?.podIP;
  }

  get pod(): KubeObject {
    return this.#pod;
  }

  get sandbox(): Sandbox | undefined {
    return this.#sandboxUp ? this.#sandbox : undefined;
  }

  /** Every container worker started so far (init containers first). */
  containers(): ContainerWorker[] {
    return [...this.#inits, ...this.#containers.values()];
  }

  /** True once every container is done for good (the pod is Succeeded or Failed). */
  completed(): boolean {
    return this.#completed;
  }

  start(): void {
    this.#lifecycle = this.#run().catch((e: Error) => this.#deps.log(`kubelet: pod ${this.#key()}: ${e.stack ?? e.message}`));
  }

  /** A newer version of the pod object (labels, annotations, deletion). */
  update(pod: KubeObject): void {
    this.#pod = pod;
  }

  #key(): string {
    return `${this.#pod.metadata.namespace}/${this.#pod.metadata.name}`;
  }

  #event(type: 'Normal' | 'Warning', reason: string, message: string): void {
    this.#deps.event(this.#pod, type, reason, message);
  }

  #sleep(ms: number): Promise<void> {
    if (this.#stopping) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.#wake = undefined;
        resolve();
      }, ms);
      this.#wake = () => {
        clearTimeout(timer);
        this.#wake = undefined;
        resolve();
      };
    });
  }

  async #run(): Promise<void> {
    const d = this.#deps;
    const known = (await d.sandboxes.list()).some((s) => s.uid === this.uid);
    for (let attempt = 0; !this.#stopping; attempt++) {
      try {
        this.#sandbox = await d.sandboxes.ensure(sandboxSpec(this.#pod, d.dns));
        break;
      } catch (e) {
        this.#event('Warning', 'FailedCreatePodSandBox', `Failed to create pod sandbox: ${(e as Error).message}`);
        await this.#sleep(Math.min(1000 * 2 ** attempt, MAX_RETRY_MS));
      }
    }
    if (this.#stopping || !this.#sandbox) return;
    this.#sandboxUp = true;
    this.#podIP = this.#sandbox.podIP;
    this.#onChange();
    // Processes a crashed agent left in this pod hold its ports and lost their output pipes.
    const leftovers = await d.pids.killLeftovers(this.uid);
    if (leftovers) d.log(`kubelet: pod ${this.#key()}: ended ${leftovers} container process(es) left by the previous agent`);
    const volumes = await this.#volumes();
    if (!volumes) return;
    const policy = (this.#pod.spec?.restartPolicy ?? 'Always') as RestartPolicy;
    const inits: any[] = this.#pod.spec?.initContainers ?? [];
    const apiInits: any[] = this.#pod.status?.initContainerStatuses ?? [];
    if (known && inits.length > 0 && inits.every((c) => apiInits.some((s) => s.name === c.name && s.state?.terminated?.exitCode === 0))) {
      // The sandbox survived an agent restart and had finished its init containers: they do not run again.
      this.#doneInits = inits.map((c) => ({ ...waiting(c.name, c.image, ''), ...apiInits.find((s) => s.name === c.name), ready: false, started: false }));
    } else {
      for (const c of inits) {
        if (this.#stopping) return;
        const sidecar = c.restartPolicy === 'Always';
        const cw = this.#worker(c, sidecar ? 'Always' : policy === 'Always' ? 'OnFailure' : policy, volumes);
        this.#inits.push(cw);
        if (sidecar) {
          // A sidecar (restartable init container) keeps running; the next one starts once it has started.
          this.#runs.push(cw.run());
          while (!this.#stopping && !cw.info().started) await this.#sleep(50);
          continue;
        }
        const last = await cw.run();
        if (this.#stopping) return;
        if (!last || last.exitCode !== 0) {
          // restartPolicy Never: the pod has failed; its containers never start.
          await this.#complete();
          return;
        }
      }
    }
    if (this.#stopping) return;
    this.#initsDone = true;
    for (const c of this.#pod.spec?.containers ?? []) {
      const cw = this.#worker(c, policy, volumes);
      this.#containers.set(c.name, cw);
      this.#runs.push(cw.run());
    }
    this.#onChange();
    void this.#refreshVolumes();
    await Promise.allSettled(this.#runs);
    if (!this.#stopping) await this.#complete();
  }

  /** Writes the volumes, retrying (FailedMount) until they can be or the pod goes. */
  async #volumes(): Promise<PreparedVolume[] | undefined> {
    const d = this.#deps;
    const ns = this.#pod.metadata.namespace ?? 'default';
    for (let attempt = 0; !this.#stopping; attempt++) {
      try {
        return await prepareVolumes(this.#pod, d.podDir(this.uid), (kind, name) => d.get(ns, kind, name), this.#facts());
      } catch (e) {
        if (!(e instanceof VolumeError)) throw e;
        this.#event('Warning', 'FailedMount', e.message);
        await this.#sleep(Math.min(1000 * 2 ** attempt, MAX_RETRY_MS));
      }
    }
    return undefined;
  }

  /** Writes the API-backed volumes again while the pod runs (files are replaced atomically; subPath mounts keep the old file, as upstream). */
  async #refreshVolumes(): Promise<void> {
    const refreshable = ((this.#pod.spec?.volumes ?? []) as any[]).some((v) => v.configMap || v.secret || v.downwardAPI || v.projected);
    if (!refreshable) return;
    const d = this.#deps;
    const ns = this.#pod.metadata.namespace ?? 'default';
    while (!this.#stopping) {
      await this.#sleep(VOLUME_REFRESH_MS);
      if (this.#stopping) return;
      // A failure (a ConfigMap deleted meanwhile) keeps the files as they are, as the kubelet does.
      await prepareVolumes(this.#pod, d.podDir(this.uid), (kind, name) => d.get(ns, kind, name), this.#facts()).catch(() => {});
    }
  }

  #facts() {
    return { podIP: this.#podIP ?? '', hostIP: this.#deps.node.nodeIP, ...this.#deps.facts };
  }

  #worker(c: any, restartPolicy: RestartPolicy, volumes: PreparedVolume[]): ContainerWorker {
    const d = this.#deps;
    const podDir = d.podDir(this.uid);
    const ns = this.#pod.metadata.namespace ?? 'default';
    return new ContainerWorker({
      container: c,
      pod: () => this.#pod,
      restartPolicy,
      sandbox: this.#sandbox!,
      runtime: d.runtime,
      kernel: d.kernel,
      podDir,
      firstRestartCount: restartCountFromLogs(join(podDir, 'logs', c.name)),
      services: d.services,
      get: (kind, name) => d.get(ns, kind, name),
      facts: () => this.#facts(),
      volumes,
      resolve: d.resolve,
      probeCheck: d.probeCheck,
      deleting: () => this.#stopping || this.#pod.metadata.deletionTimestamp !== undefined,
      onChange: this.#onChange,
      event: (type, reason, message) => this.#event(type, reason, message),
      onProcess: (pid) => void d.pids.record(this.uid, c.name, pid),
      backoff: d.backoff,
    });
  }

  /** Every container is done for good: sidecars stop, the sandbox goes (the IP stays in the status, the logs on disk). */
  async #complete(): Promise<void> {
    await Promise.all(this.#inits.map((cw) => cw.stop(this.#pod.spec?.terminationGracePeriodSeconds ?? 30)));
    this.#completed = true;
    this.#sandboxUp = false;
    await this.#deps.sandboxes.remove(this.uid).catch((e: Error) => this.#deps.log(`kubelet: pod ${this.#key()}: removing the sandbox: ${e.message}`));
    await this.#deps.pids.forget(this.uid);
    this.#onChange();
  }

  /**
   * Stops every container (SIGTERM, SIGKILL after graceSeconds), removes the sandbox and the pod's
   * files. Idempotent: later calls wait for the first.
   */
  terminate(graceSeconds: number): Promise<void> {
    this.#terminating ??= (async () => {
      this.#stopping = true;
      this.#wake?.();
      await Promise.all(this.containers().map((cw) => cw.stop(graceSeconds)));
      await this.#lifecycle;
      await Promise.allSettled(this.#runs);
      this.#sandboxUp = false;
      const d = this.#deps;
      await d.sandboxes.remove(this.uid).catch((e: Error) => d.log(`kubelet: pod ${this.#key()}: removing the sandbox: ${e.message}`));
      await d.pids.forget(this.uid);
      // Logs, volumes and generated files: nothing of a deleted pod stays on the node.
      await rm(d.podDir(this.uid), { recursive: true, force: true });
      this.#onChange();
    })();
    return this.#terminating;
  }

  runtimeState(): PodRuntimeState {
    const spec = this.#pod.spec ?? {};
    const inits: any[] = spec.initContainers ?? [];
    const pending = inits.length > 0 && !this.#initsDone;
    return {
      sandboxReady: this.#sandboxUp,
      podIP: this.#podIP,
      hostIP: this.#deps.node.nodeIP,
      startTime: this.#startTime,
      initContainers: inits.map((c, i) => this.#doneInits?.[i] ?? this.#inits[i]?.info() ?? waiting(c.name, c.image, 'PodInitializing')),
      containers: (spec.containers ?? []).map((c: any) => this.#containers.get(c.name)?.info() ?? waiting(c.name, c.image, pending ? 'PodInitializing' : 'ContainerCreating')),
    };
  }
}
