/**
 * @module One container of a pod on this node, as the kubelet's
 * kuberuntime starts it: image from the catalog (`Pulled`), environment
 * from the API (envFrom, valueFrom, service variables), volume mounts,
 * `Created`, then the process through the runtime, restarted by the
 * RestartManager per restartPolicy with CrashLoopBackOff, and watched by its
 * readiness, liveness and startup probes. It reports its status in the
 * shape podStatus() takes.
 */
import { existsSync } from 'node:fs';
import { getCompileCacheDir } from 'node:module';
import { basename, dirname, join } from 'node:path';
import type { KubeObject } from '../../api/meta.ts';
import { ImageError, resolveImage, type ResolvedImage, type ResolveOptions } from '../images/catalog.ts';
import type { BackoffConfig } from '../runtime/backoff.ts';
import { MINIMUM_GRACE_PERIOD_SECONDS, type ContainerRuntime, type ContainerSpec, type ExitStatus, type RunningContainer } from '../runtime/container-runtime.ts';
import { expandCommandAndArgs, makeEnvironment, processEnvironment, type EnvVar } from '../runtime/env.ts';
import type { ProbeCheckResult, ProbeTarget } from '../runtime/probe-checks.ts';
import { ProbeWorker, type ProbeKind, type ProbeResult, type ProbeSpec } from '../runtime/probes.ts';
import { RestartManager, type ContainerState, type ContainerStatusView, type RestartPolicy } from '../runtime/restart-manager.ts';
import type { Kernel, Sandbox } from '../types.ts';
import { envFromVars, fetchEnvSources, valueFromResolver, type EnvFacts } from './container-env.ts';
import { serviceEnv } from './service-env.ts';
import type { ContainerInfo } from './status.ts';
import { mountVolumes, type PreparedVolume } from './volumes.ts';

type Getter = (kind: 'ConfigMap' | 'Secret', name: string) => Promise<KubeObject | undefined>;

export interface ContainerWorkerOptions {
  /** v1.Container (or an init container). */
  container: any;
  /** The newest pod object (labels and annotations may change). */
  pod: () => KubeObject;
  restartPolicy: RestartPolicy;
  sandbox: Sandbox;
  runtime: ContainerRuntime;
  kernel: Kernel;
  /** The pod's folder: logs in `logs/<container>/<n>.log`, generated image files in `containers/<container>`. */
  podDir: string;
  /** restartCount of the first instance (an agent restart continues the count, as the kubelet does from its log dir). */
  firstRestartCount: number;
  services: () => KubeObject[];
  get: Getter;
  facts: () => EnvFacts;
  volumes: PreparedVolume[];
  resolve: ResolveOptions;
  probeCheck: (spec: ProbeSpec, target: ProbeTarget, timeoutMs: number) => Promise<ProbeCheckResult>;
  /** The pod is being deleted (liveness and startup probes stop). */
  deleting: () => boolean;
  onChange(): void;
  event(type: 'Normal' | 'Warning', reason: string, message: string): void;
  /** A new instance runs with this PID (recorded for crash recovery). */
  onProcess?(pid: number): void;
  backoff?: BackoffConfig;
}

/** restartCount of the next instance from the log files a previous agent left (calcRestartCountByLogDir). */
export function restartCountFromLogs(logDir: string): number {
  let n = 0;
  while (existsSync(join(logDir, `${n}.log`))) n++;
  return n;
}

/**
 * A built-in image's program runs on the agent's own Node: it gets the launcher's compile cache, so
 * that it neither strips its TypeScript again nor loads the type stripper (half the CPU and 25 MB
 * less memory per container). The variable is nanokube's, for nanokube's own code: it is not part
 * of the container's environment as exec and the API see it.
 */
function withCompileCache(image: ResolvedImage): ResolvedImage {
  let cache = getCompileCacheDir?.();
  if (!cache || image.argv[0] !== process.execPath) return image;
  // Node reports its versioned subfolder; the variable names the folder above it (shared with the launcher).
  if (basename(cache).startsWith(`${process.version}-`)) cache = dirname(cache);
  return { ...image, env: { ...image.env, NODE_COMPILE_CACHE: cache } };
}

const toMs = (iso: string | undefined) => (iso ? Date.parse(iso) : undefined);

export class ContainerWorker {
  readonly name: string;
  /** Instance n logs to `<logDir>/<n>.log`, as the kubelet's `<container>/<restartCount>.log`. */
  readonly logDir: string;
  readonly #o: ContainerWorkerOptions;
  readonly #rm: RestartManager;
  readonly #probes = new Map<ProbeKind, ProbeWorker>();
  readonly #probeStop = new AbortController();
  #status: ContainerStatusView;
  #image: string;
  #stopping = false;
  #lastContainerID: string | undefined;
  /** The environment of the running instance, for `kubectl exec`. */
  #processEnv: Record<string, string> | undefined;
  #unmountedWarned = false;

  constructor(o: ContainerWorkerOptions) {
    this.#o = o;
    const c = o.container;
    this.name = c.name;
    this.logDir = join(o.podDir, 'logs', c.name);
    this.#image = c.image;
    const pod = o.pod();
    this.#rm = new RestartManager({
      containerName: c.name,
      pod: `${pod.metadata.name}_${pod.metadata.namespace}(${pod.metadata.uid})`,
      image: c.image,
      restartPolicy: o.restartPolicy,
      backoff: o.backoff,
      start: (n) => this.#start(o.firstRestartCount + n),
      stop: (rc, grace) => o.runtime.stop(rc, Math.max(grace, MINIMUM_GRACE_PERIOD_SECONDS)),
      onStatus: (s) => this.#onStatus(s),
      onEvent: (e) => o.event(e.type, e.reason, e.message),
    });
    this.#status = { ...this.#rm.status(), restartCount: o.firstRestartCount };
    for (const kind of ['startup', 'liveness', 'readiness'] as const) {
      const spec = c[`${kind}Probe`] as ProbeSpec | undefined;
      if (!spec) continue;
      this.#probes.set(
        kind,
        new ProbeWorker({
          kind,
          containerName: c.name,
          spec,
          container: () => this.#view(),
          target: () => ({ podIP: o.sandbox.podIP, ports: c.ports, sandbox: o.sandbox, env: this.#processEnv }),
          check: o.probeCheck,
          onResult: () => o.onChange(),
          onUnhealthy: (message) => o.event('Warning', 'Unhealthy', message),
          onKill: (message) => {
            const grace = spec.terminationGracePeriodSeconds ?? o.pod().spec?.terminationGracePeriodSeconds ?? 30;
            void this.#rm.kill(grace, message);
          },
        }),
      );
    }
  }

  /** Runs the container until it is done for good (policy) or stopped; returns the last exit. */
  async run(): Promise<ExitStatus | undefined> {
    for (const p of this.#probes.values()) void p.start(this.#probeStop.signal);
    try {
      return await this.#rm.run();
    } finally {
      this.#probeStop.abort();
    }
  }

  /** Stops for good: SIGTERM, SIGKILL after the grace period. */
  async stop(graceSeconds: number): Promise<void> {
    this.#stopping = true;
    this.#probeStop.abort();
    await this.#rm.stop(graceSeconds);
  }

  current(): RunningContainer | undefined {
    return this.#rm.current();
  }

  running(): boolean {
    return 'running' in this.#status.state && this.#rm.current() !== undefined;
  }

  env(): Record<string, string> | undefined {
    return this.#processEnv;
  }

  logPath(restartCount = this.#status.restartCount): string {
    return join(this.logDir, `${restartCount}.log`);
  }

  /** The container's status for podStatus(). */
  info(): ContainerInfo {
    const s = this.#status;
    const running = 'running' in s.state;
    const startup = this.#probes.get('startup');
    const readiness = this.#probes.get('readiness');
    const started = running && (!startup || startup.result() === 'success');
    const ready = started && (!readiness || readiness.result() === 'success');
    return {
      name: this.name,
      image: this.#image,
      state: s.state as ContainerInfo['state'],
      ...('terminated' in s.lastState || 'waiting' in s.lastState || 'running' in s.lastState ? { lastState: s.lastState as ContainerInfo['state'] } : {}),
      restartCount: s.restartCount,
      ready,
      started,
      ...(s.containerID ? { containerID: s.containerID } : {}),
    };
  }

  /** The result each probe holds (for tests and logs). */
  probeResults(): Partial<Record<ProbeKind, ProbeResult>> {
    return Object.fromEntries([...this.#probes].map(([k, p]) => [k, p.result()]));
  }

  #onStatus(s: ContainerStatusView): void {
    this.#status = { ...s, restartCount: s.restartCount + this.#o.firstRestartCount };
    if ('running' in s.state && s.containerID !== this.#lastContainerID) {
      this.#lastContainerID = s.containerID;
      // A new instance: probes start over at once instead of waiting out their period.
      for (const p of this.#probes.values()) p.trigger();
    }
    this.#o.onChange();
  }

  #view() {
    const s = this.#status;
    const running = 'running' in s.state;
    const startup = this.#probes.get('startup');
    return {
      containerID: s.containerID,
      running,
      startedAt: running ? toMs((s.state as Required<ContainerState>).running.startedAt) : undefined,
      started: !startup || startup.result() === 'success',
      terminated: 'terminated' in s.state,
      restartPolicy: this.#o.restartPolicy,
      deleting: this.#o.deleting(),
    };
  }

  /** kuberuntime's startContainer: image, config (env), mounts, Created, start. */
  async #start(restartCount: number): Promise<RunningContainer> {
    const o = this.#o;
    const c = o.container;
    const pod = o.pod();
    const ports = c.ports ?? [];
    const first = resolveImage(c.image, { command: c.command, args: c.args, ports }, o.resolve);
    if (first instanceof ImageError) throw first;
    this.#image = first.image;
    o.event('Normal', 'Pulled', `Container image "${c.image}" already present on machine`);
    const sources = await fetchEnvSources(c, o.get);
    const facts = o.facts();
    const env: EnvVar[] = makeEnvironment({
      env: c.env,
      envFrom: envFromVars(c, pod.metadata.namespace ?? 'default', sources),
      serviceEnv: Object.fromEntries(serviceEnv(pod, o.services())),
      resolveValueFrom: valueFromResolver(pod, c, sources, facts),
    });
    const image = resolveImage(c.image, { ...expandCommandAndArgs(c, env), ports }, { ...o.resolve, stateDir: join(o.podDir, 'containers', c.name) });
    if (image instanceof ImageError) throw image;
    const mounts = await mountVolumes(o.kernel, o.sandbox, o.volumes, c.volumeMounts ?? []);
    if (mounts.skipped.length && !this.#unmountedWarned) {
      this.#unmountedWarned = true;
      o.event('Warning', 'FailedMount', `nanokube did not mount ${mounts.skipped.join(', ')}: the mount point does not exist on this node and is not created (containers share the host's filesystem); the volume files are under ${join(o.podDir, 'volumes')}`);
    }
    o.event('Normal', 'Created', `Created container: ${c.name}`);
    const spec: ContainerSpec = { name: c.name, image: c.image, command: c.command, args: c.args, workingDir: c.workingDir, ports, stdin: c.stdin, stdinOnce: c.stdinOnce, tty: c.tty };
    const hostname = pod.spec?.hostNetwork ? undefined : pod.spec?.hostname || pod.metadata.name;
    this.#processEnv = processEnvironment(image.env, env, { hostname, tty: c.tty });
    const rc = await o.runtime.start({ sandbox: o.sandbox, container: spec, image: withCompileCache(image), env, logPath: this.logPath(restartCount), hostname });
    o.onProcess?.(rc.pid);
    // stop() came while the process was being started: it must not outlive the stop.
    if (this.#stopping) void o.runtime.stop(rc, 0);
    return rc;
  }
}
