/**
 * @module One container's life in a pod, as the kubelet's sync loop lives
 * it: start, wait for the exit, decide by restartPolicy (Always, OnFailure,
 * Never) whether to start again, and wait out the CrashLoopBackOff between
 * restarts. It keeps the container's status in the API's shape (state,
 * lastState, restartCount) and reports every change. Image errors
 * (ErrImagePull and friends) leave the container waiting and are retried
 * with the same back-off, shown as ImagePullBackOff.
 */
import { backoffRemaining, goDuration, KUBELET_BACKOFF, nextBackoff, type BackoffConfig, type BackoffEntry } from './backoff.ts';
import type { ExitStatus, RunningContainer } from './container-runtime.ts';
import { signalNumber } from './exec.ts';
import { nowRfc3339 } from '../../api/meta.ts';

export type RestartPolicy = 'Always' | 'OnFailure' | 'Never';

/** v1.ContainerState. */
export interface ContainerState {
  waiting?: { reason: string; message?: string };
  running?: { startedAt: string };
  terminated?: { exitCode: number; signal?: number; reason: string; message?: string; startedAt: string; finishedAt: string; containerID?: string };
}

export interface ContainerStatusView {
  state: ContainerState;
  lastState: ContainerState;
  restartCount: number;
  /** `containerd://<id>` of the latest instance. */
  containerID?: string;
}

export interface ContainerEvent {
  type: 'Normal' | 'Warning';
  reason: string;
  message: string;
}

export interface RestartManagerOptions {
  containerName: string;
  /** format.Pod: `name_namespace(uid)`, used in the back-off message as the kubelet writes it. */
  pod: string;
  image: string;
  restartPolicy: RestartPolicy;
  /** Starts instance number `restartCount`; throws with a `reason` (ErrImagePull, StartError, CreateContainerConfigError...) when it cannot. */
  start(restartCount: number): Promise<RunningContainer>;
  /** Stops an instance (the runtime's stop). */
  stop(rc: RunningContainer, graceSeconds: number): Promise<ExitStatus>;
  backoff?: BackoffConfig;
  onStatus?(status: ContainerStatusView): void;
  onEvent?(event: ContainerEvent): void;
}

/** metav1.Time: RFC 3339 in seconds. */
export function apiTime(d: Date): string {
  return nowRfc3339(d);
}

export function terminatedState(s: ExitStatus, containerID?: string): ContainerState {
  const t: NonNullable<ContainerState['terminated']> = { exitCode: s.exitCode, reason: s.reason, startedAt: apiTime(s.startedAt), finishedAt: apiTime(s.finishedAt) };
  if (s.signal) t.signal = signalNumber(s.signal);
  if (s.message) t.message = s.message;
  if (containerID) t.containerID = containerID;
  return { terminated: t };
}

/** Whether the kubelet starts the container again after this exit (ShouldContainerBeRestarted). */
export function shouldRestart(policy: RestartPolicy, exitCode: number): boolean {
  return policy === 'Always' || (policy === 'OnFailure' && exitCode !== 0);
}

export class RestartManager {
  #o: RestartManagerOptions;
  #cfg: BackoffConfig;
  #status: ContainerStatusView = { state: { waiting: { reason: 'ContainerCreating' } }, lastState: {}, restartCount: 0 };
  #current: RunningContainer | undefined;
  /** The CrashLoopBackOff entry (keyed per container in the kubelet). */
  #crash: BackoffEntry | undefined;
  /** The image pull entry (keyed per pod and image in the kubelet); also paces other creation errors. */
  #pull: BackoffEntry | undefined;
  #stopping = false;
  #wake: (() => void) | undefined;

  constructor(o: RestartManagerOptions) {
    this.#o = o;
    this.#cfg = o.backoff ?? KUBELET_BACKOFF;
  }

  status(): ContainerStatusView {
    return structuredClone(this.#status);
  }

  /** The running instance, if any. */
  current(): RunningContainer | undefined {
    return this.#current;
  }

  /**
   * Runs until the container is done for good: it exited and the policy
   * says no restart, or stop() was called. Returns the last exit.
   */
  async run(): Promise<ExitStatus | undefined> {
    let instance = 0;
    let last: ExitStatus | undefined;
    while (!this.#stopping) {
      const ended = await this.#runOnce(instance);
      if (ended === null) continue;
      last = ended;
      if (this.#stopping || !shouldRestart(this.#o.restartPolicy, ended.exitCode)) break;
      // doBackOff: measured from when the last instance finished.
      const finished = ended.finishedAt.getTime();
      const wait = backoffRemaining(this.#crash, finished, Date.now(), this.#cfg);
      const terminated = this.#status.state;
      if (wait > 0) {
        const message = `back-off ${goDuration(this.#crash!.backoffMs)} restarting failed container=${this.#o.containerName} pod=${this.#o.pod}`;
        this.#set({ ...this.#status, lastState: terminated, state: { waiting: { reason: 'CrashLoopBackOff', message } } });
        this.#event('Warning', 'BackOff', `Back-off restarting failed container ${this.#o.containerName} in pod ${this.#o.pod}`);
        await this.#sleep(wait);
        if (this.#stopping) break;
      }
      this.#crash = nextBackoff(this.#crash, finished, Date.now(), this.#cfg);
      this.#status.lastState = terminated;
      instance++;
    }
    return last;
  }

  /** Starts one instance and waits for its end; null when it could not be created (retry after the back-off). */
  async #runOnce(instance: number): Promise<ExitStatus | null> {
    let rc: RunningContainer;
    try {
      rc = await this.#o.start(instance);
    } catch (err) {
      const reason = (err as { reason?: string }).reason ?? 'CreateContainerError';
      const message = (err as Error).message;
      if (reason === 'StartError') {
        // Created but never ran (runc's StartError): it counts as an instance that ended, with 128 and a zero start time.
        this.#event('Warning', 'Failed', `Error: ${message}`);
        const status: ExitStatus = { exitCode: 128, reason: 'StartError', message, startedAt: new Date(0), finishedAt: new Date() };
        this.#set({ ...this.#status, restartCount: instance, state: terminatedState(status) });
        return status;
      }
      await this.#creationFailed(reason, message);
      return null;
    }
    this.#current = rc;
    const containerID = `containerd://${rc.id}`;
    this.#set({ ...this.#status, restartCount: instance, containerID, state: { running: { startedAt: apiTime(rc.startedAt) } } });
    this.#event('Normal', 'Started', `Started container ${this.#o.containerName}`);
    const status = await rc.exited;
    this.#current = undefined;
    this.#set({ ...this.#status, state: terminatedState(status, containerID) });
    return status;
  }

  /**
   * Nothing was created (image error, bad config): the container waits with
   * the reason, then with the back-off (ImagePullBackOff for images), as
   * the image manager's IsInBackOffSinceUpdate paces pulls.
   */
  async #creationFailed(reason: string, message: string): Promise<void> {
    const pull = reason === 'ErrImagePull';
    this.#set({ ...this.#status, state: { waiting: { reason, message } } });
    if (pull) this.#event('Warning', 'Failed', `Failed to pull image "${this.#o.image}": ${message}`);
    this.#event('Warning', 'Failed', `Error: ${pull ? reason : message}`);
    const now = Date.now();
    this.#pull = nextBackoff(this.#pull, now, now, this.#cfg);
    const wait = this.#pull.backoffMs;
    // The reason stays visible for a moment before the back-off replaces it, as between two kubelet syncs.
    const shown = Math.min(2000, wait / 2);
    await this.#sleep(shown);
    if (this.#stopping) return;
    if (pull) {
      this.#set({ ...this.#status, state: { waiting: { reason: 'ImagePullBackOff', message: `Back-off pulling image "${this.#o.image}"` } } });
      this.#event('Normal', 'BackOff', `Back-off pulling image "${this.#o.image}"`);
      this.#event('Warning', 'Failed', 'Error: ImagePullBackOff');
    }
    await this.#sleep(wait - shown);
  }

  /** Kills the running instance (a failed liveness or startup probe); run() restarts it per policy. */
  async kill(graceSeconds: number, message: string): Promise<void> {
    const rc = this.#current;
    if (!rc) return;
    this.#event('Normal', 'Killing', message);
    await this.#o.stop(rc, graceSeconds);
  }

  /** Stops the container for good (pod deletion); run() returns once the instance has stopped. */
  async stop(graceSeconds: number): Promise<void> {
    this.#stopping = true;
    this.#wake?.();
    const rc = this.#current;
    if (rc) {
      this.#event('Normal', 'Killing', `Stopping container ${this.#o.containerName}`);
      await this.#o.stop(rc, graceSeconds);
    }
  }

  #sleep(ms: number): Promise<void> {
    if (ms <= 0 || this.#stopping) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.#wake = undefined;
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.#wake = done;
    });
  }

  #set(s: ContainerStatusView): void {
    this.#status = s;
    this.#o.onStatus?.(this.status());
  }

  #event(type: ContainerEvent['type'], reason: string, message: string): void {
    this.#o.onEvent?.({ type, reason, message });
  }
}
