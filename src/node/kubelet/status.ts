/**
 * @module The pod status kubelet reports, computed from what the runtime
 * knows: phase (kubelet's getPhase), conditions (PodReadyToStartContainers,
 * Initialized, ContainersReady, Ready, PodScheduled), container statuses
 * with state, lastState, ready, started and restartCount, IPs and startTime.
 * Pure: the syncer patches whatever this returns.
 */
import type { KubeObject } from '../../api/meta.ts';

export type ContainerState =
  | { waiting: { reason: string; message?: string } }
  | { running: { startedAt: string } }
  | { terminated: { exitCode: number; reason: string; message?: string; startedAt?: string; finishedAt: string; signal?: number } };

export interface ContainerInfo {
  name: string;
  image: string;
  state: ContainerState;
  lastState?: ContainerState;
  restartCount: number;
  /** Readiness probe result (true when there is no probe and it runs). */
  ready: boolean;
  /** Startup probe passed (or none). */
  started: boolean;
  containerID?: string;
}

export interface PodRuntimeState {
  sandboxReady: boolean;
  podIP?: string;
  hostIP: string;
  startTime?: string;
  initContainers: ContainerInfo[];
  containers: ContainerInfo[];
}

const isRunning = (s: ContainerState) => 'running' in s;
const isTerminated = (s: ContainerState): s is Extract<ContainerState, { terminated: unknown }> => 'terminated' in s;

export function podPhase(pod: KubeObject, st: PodRuntimeState): string {
  const policy = pod.spec?.restartPolicy ?? 'Always';
  const inits = st.initContainers;
  const initsDone = inits.every((c) => isTerminated(c.state) && c.state.terminated.exitCode === 0);
  const initFailed = inits.some((c) => isTerminated(c.state) && c.state.terminated.exitCode !== 0);
  if (initFailed && policy === 'Never') return 'Failed';
  if (!initsDone) return 'Pending';
  let running = 0;
  let waiting = 0;
  let stopped = 0;
  let succeeded = 0;
  for (const c of st.containers) {
    if (isRunning(c.state)) running++;
    else if (isTerminated(c.state)) {
      stopped++;
      if (c.state.terminated.exitCode === 0) succeeded++;
    } else if (c.lastState && isTerminated(c.lastState)) stopped++;
    else waiting++;
  }
  if (waiting > 0) return 'Pending';
  if (running > 0) return 'Running';
  if (stopped === st.containers.length && st.containers.length > 0) {
    if (policy === 'Always') return 'Running';
    if (succeeded === stopped) return 'Succeeded';
    return policy === 'OnFailure' ? 'Running' : 'Failed';
  }
  return 'Pending';
}

function condition(type: string, ok: boolean, now: string, prev: any[] | undefined, reason?: string, message?: string): object {
  const old = prev?.find((c) => c.type === type);
  const status = ok ? 'True' : 'False';
  const lastTransitionTime = old && old.status === status ? old.lastTransitionTime : now;
  return { type, status, lastProbeTime: null, lastTransitionTime, ...(reason && !ok ? { reason } : {}), ...(message && !ok ? { message } : {}) };
}

function containerStatus(c: ContainerInfo): object {
  return {
    name: c.name,
    state: c.state,
    lastState: c.lastState ?? {},
    ready: c.ready && isRunning(c.state),
    restartCount: c.restartCount,
    image: c.image,
    imageID: `nanokube://${c.image}`,
    ...(c.containerID ? { containerID: c.containerID } : {}),
    started: isRunning(c.state) && c.started,
  };
}

export function podStatus(pod: KubeObject, st: PodRuntimeState, now: string): Record<string, unknown> {
  const prev = pod.status?.conditions;
  const phase = podPhase(pod, st);
  const initsDone = st.initContainers.every((c) => isTerminated(c.state) && c.state.terminated.exitCode === 0);
  const notReady = st.containers.filter((c) => !(c.ready && isRunning(c.state))).map((c) => c.name);
  const containersReady = notReady.length === 0 && st.containers.length > 0;
  const terminal = phase === 'Succeeded' || phase === 'Failed';
  const notReadyMsg = `containers with unready status: [${notReady.join(' ')}]`;
  const pendingInits = st.initContainers.filter((c) => !(isTerminated(c.state) && c.state.terminated.exitCode === 0)).map((c) => c.name);
  const conditions = [
    condition('PodReadyToStartContainers', st.sandboxReady, now, prev),
    condition('Initialized', initsDone, now, prev, 'ContainersNotInitialized', `containers with incomplete status: [${pendingInits.join(' ')}]`),
    condition('Ready', containersReady && !terminal, now, prev, terminal ? 'PodCompleted' : 'ContainersNotReady', terminal ? undefined : notReadyMsg),
    condition('ContainersReady', containersReady && !terminal, now, prev, terminal ? 'PodCompleted' : 'ContainersNotReady', terminal ? undefined : notReadyMsg),
    condition('PodScheduled', true, now, prev),
  ];
  const out: Record<string, unknown> = {
    phase,
    conditions,
    hostIP: st.hostIP,
    hostIPs: [{ ip: st.hostIP }],
    ...(st.podIP ? { podIP: st.podIP, podIPs: [{ ip: st.podIP }] } : {}),
    ...(st.startTime ? { startTime: st.startTime } : {}),
    containerStatuses: st.containers.map(containerStatus),
    qosClass: pod.status?.qosClass ?? 'BestEffort',
  };
  // The prober manager's UpdatePodStatus: an init container that completed is ready (a running sidecar by its probe).
  if (st.initContainers.length) {
    out.initContainerStatuses = st.initContainers.map((c) => ({ ...containerStatus(c), ...(isTerminated(c.state) ? { ready: c.state.terminated.exitCode === 0 } : {}) }));
  }
  return out;
}
