/**
 * @module The container runtime: starts a container's process inside its
 * pod's sandbox with the environment and working directory Kubernetes
 * gives it, writes its output to a CRI log file, and stops it the way the
 * kubelet does (SIGTERM to the whole process group, SIGKILL when the grace
 * period runs out). A container is one process group: when its main
 * process exits, whatever it left behind is killed, as a container's PID
 * namespace would take it down.
 */
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { accessSync, constants, mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Writable } from 'node:stream';
import type { ContainerPortLike, ResolvedImage } from '../images/catalog.ts';
import { lookPath } from '../images/catalog.ts';
import type { ContainerProcess, Sandbox } from '../types.ts';
import { CriLogWriter } from './cri-log.ts';
import { processEnvironment, type EnvVar } from './env.ts';
import { execInSandbox, runInSandbox, signalGroup, signalNumber } from './exec.ts';

/** The parts of a v1.Container the runtime reads. */
export interface ContainerSpec {
  name: string;
  image: string;
  command?: string[];
  args?: string[];
  workingDir?: string;
  ports?: ContainerPortLike[];
  stdin?: boolean;
  stdinOnce?: boolean;
  tty?: boolean;
}

export interface StartContainerOptions {
  sandbox: Sandbox;
  container: ContainerSpec;
  /** From resolveImage, with the container's command/args already $(VAR)-expanded. */
  image: ResolvedImage;
  /** From makeEnvironment. */
  env: EnvVar[];
  /** The CRI log file of this run (`<pod log dir>/<container>/<restartCount>.log`). */
  logPath: string;
  /** The pod's hostname, exported as HOSTNAME as containerd does. */
  hostname?: string;
}

export type TerminationReason = 'Completed' | 'Error' | 'StartError';

export interface ExitStatus {
  exitCode: number;
  /** The signal that ended the process, when one did. */
  signal?: NodeJS.Signals;
  reason: TerminationReason;
  message?: string;
  startedAt: Date;
  finishedAt: Date;
}

export interface RunningContainer extends ContainerProcess {
  /** 64 hex digits, as containerd's ids; the status shows `containerd://<id>`. */
  id: string;
  name: string;
  startedAt: Date;
  logPath: string;
  /** The process's stdin when the container has `stdin: true` (for attach), else null. */
  stdin: Writable | null;
  /** Settles when the process has exited and its output is in the log file. */
  exited: Promise<ExitStatus>;
  /** Set once exited. */
  exitStatus?: ExitStatus;
}

/** The process could not be started (the kubelet's StartError); nothing ran. */
export class RuntimeError extends Error {
  readonly code = 'START';
  readonly reason = 'StartError';
  constructor(message: string) {
    super(message);
    this.name = 'RuntimeError';
  }
}

/** How long output is still read after the main process exited. */
const OUTPUT_DRAIN_MS = 2000;

/** The kubelet never gives a container less than this to stop (minimumGracePeriodInSeconds). */
export const MINIMUM_GRACE_PERIOD_SECONDS = 2;

export class ContainerRuntime {
  #running = new Map<string, RunningContainer>();

  /** Containers whose process has not exited yet. */
  list(): RunningContainer[] {
    return [...this.#running.values()];
  }

  async start(o: StartContainerOptions): Promise<RunningContainer> {
    const { sandbox, container, image } = o;
    const env = processEnvironment(image.env, o.env, { hostname: o.hostname, tty: container.tty });
    const workingDir = container.workingDir || image.workingDir || '/';
    await checkExecutable(sandbox, image.argv[0], env.PATH ?? '');
    for (const f of image.files ?? []) {
      mkdirSync(dirname(f.path), { recursive: true });
      writeFileSync(f.path, f.content);
    }
    const log = new CriLogWriter(o.logPath);
    const proc = execInSandbox(sandbox, image.argv, { env, workingDir, stdin: container.stdin, tty: container.tty });
    const startedAt = new Date();
    const spawnFailure = await spawned(proc.child);
    if (spawnFailure) {
      log.note('stderr', spawnFailure);
      await log.close();
      throw new RuntimeError(spawnFailure);
    }
    log.attach(proc.child.stdout!, 'stdout');
    log.attach(proc.child.stderr!, 'stderr');
    const id = randomBytes(32).toString('hex');
    const rc: RunningContainer = {
      id,
      name: container.name,
      child: proc.child,
      pid: proc.pid,
      startedAt,
      logPath: o.logPath,
      stdin: container.stdin ? proc.child.stdin : null,
      exited: undefined as unknown as Promise<ExitStatus>,
    };
    // Nobody may be writing to stdin; a closed pipe must not crash the agent.
    proc.child.stdin?.on('error', () => {});
    this.#running.set(id, rc);
    rc.exited = new Promise((resolve) => {
      proc.child.once('exit', (code, signal) => {
        // The main process is gone: the rest of the group goes too (the container's PID namespace would end).
        signalGroup(proc.pid, 'SIGKILL');
        const finishedAt = new Date();
        const exitCode = code ?? 128 + (signalNumber(signal ?? '') ?? 0);
        const status: ExitStatus = { exitCode, reason: exitCode === 0 ? 'Completed' : 'Error', startedAt, finishedAt };
        if (signal) status.signal = signal;
        // A process that left the group (setsid) may still hold the pipes: stop reading after a moment.
        const drain = setTimeout(() => {
          proc.child.stdout?.destroy();
          proc.child.stderr?.destroy();
        }, OUTPUT_DRAIN_MS);
        void log.close().finally(() => {
          clearTimeout(drain);
          rc.exitStatus = status;
          this.#running.delete(id);
          resolve(status);
        });
      });
    });
    return rc;
  }

  /**
   * Stops a container as the kubelet does: SIGTERM to its process group,
   * SIGKILL after graceSeconds. The caller applies the kubelet's minimum.
   */
  async stop(rc: RunningContainer, graceSeconds: number): Promise<ExitStatus> {
    if (rc.exitStatus) return rc.exitStatus;
    let timer: NodeJS.Timeout | undefined;
    if (graceSeconds <= 0) {
      signalGroup(rc.pid, 'SIGKILL');
    } else {
      signalGroup(rc.pid, 'SIGTERM');
      timer = setTimeout(() => signalGroup(rc.pid, 'SIGKILL'), graceSeconds * 1000);
    }
    try {
      return await rc.exited;
    } finally {
      clearTimeout(timer);
    }
  }

  /** Stops every running container (agent shutdown), each with the same grace period. */
  async stopAll(graceSeconds: number): Promise<void> {
    await Promise.all(this.list().map((rc) => this.stop(rc, graceSeconds)));
  }
}

/** Resolves to an error message when the spawn failed (ENOENT of the enter prefix), undefined once it runs. */
function spawned(child: ChildProcess): Promise<string | undefined> {
  if (child.pid !== undefined) return Promise.resolve(undefined);
  return new Promise((resolve) => {
    child.once('spawn', () => resolve(undefined));
    child.once('error', (e) => resolve(`failed to start container process: ${e.message}`));
  });
}

/**
 * runc's check before it starts anything: argv[0] must be an executable,
 * found in PATH when it has no slash. The host's view is asked first; a
 * miss is confirmed inside the sandbox, where volumes are mounted.
 */
async function checkExecutable(sandbox: Sandbox, argv0: string | undefined, path: string): Promise<void> {
  if (!argv0) throw new RuntimeError('failed to start container process: no command specified');
  if (lookPath(argv0, path)) return;
  if (sandbox.enterPrefix().length > 0) {
    const probe = argv0.includes('/') ? ['test', '-x', argv0] : ['sh', '-c', 'command -v "$1" >/dev/null', 'sh', argv0];
    const r = await runInSandbox(sandbox, probe, { timeoutMs: 5000, env: { PATH: path } });
    if (r.exitCode === 0) return;
  }
  if (argv0.includes('/')) {
    let why = 'no such file or directory';
    try {
      accessSync(argv0, constants.F_OK);
      why = 'permission denied';
    } catch {}
    throw new RuntimeError(`failed to start container process: exec: "${argv0}": stat ${argv0}: ${why}`);
  }
  throw new RuntimeError(`failed to start container process: exec: "${argv0}": executable file not found in $PATH`);
}
