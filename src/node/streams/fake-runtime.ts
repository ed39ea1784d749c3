/**
 * @module A PodRuntimeView for tests: "pods" whose commands run directly on
 * the host (enterPrefix() is empty), log files the test writes, and an
 * optional main process per container for attach (on a pseudo-terminal
 * with tty). Every process it starts is stopped by stop().
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { PassThrough } from 'node:stream';
import { ptyArgv, PtyResizer } from './pty.ts';
import type { ContainerView, OutputListener, PodRuntimeView, PodView } from './types.ts';

export interface FakeContainerSpec {
  name: string;
  logPath: string;
  previousLogPath?: string;
  /** The main process, started by addPod (attach connects to it); without one the container counts as running. */
  command?: string[];
  tty?: boolean;
  stdin?: boolean;
  stdinOnce?: boolean;
  env?: Record<string, string>;
}

export interface FakePodSpec {
  namespace: string;
  name: string;
  uid?: string;
  containers: FakeContainerSpec[];
}

interface FakeContainer {
  view: ContainerView;
  child?: ChildProcess;
  exited: boolean;
  resizer?: PtyResizer;
}

export class FakeRuntime implements PodRuntimeView {
  readonly #pods = new Map<string, { pod: PodView; containers: Map<string, FakeContainer> }>();

  addPod(spec: FakePodSpec): PodView {
    const uid = spec.uid ?? `uid-${spec.name}`;
    const pod: PodView = {
      namespace: spec.namespace,
      name: spec.name,
      uid,
      sandbox: { id: `fake-${uid}`, podIP: '127.0.0.1', pausePid: process.pid, dir: '/tmp', enterPrefix: () => [] },
    };
    const containers = new Map<string, FakeContainer>();
    for (const c of spec.containers) containers.set(c.name, this.#start(pod, c));
    this.#pods.set(`${spec.namespace}/${spec.name}`, { pod, containers });
    return pod;
  }

  /** The main process of a container (to assert on it, or to end it). */
  process(namespace: string, pod: string, container: string): ChildProcess | undefined {
    return this.#pods.get(`${namespace}/${pod}`)?.containers.get(container)?.child;
  }

  findPod(namespace: string, pod: string): PodView | undefined {
    return this.#pods.get(`${namespace}/${pod}`)?.pod;
  }

  findContainer(namespace: string, pod: string, container: string): ContainerView | undefined {
    return this.#pods.get(`${namespace}/${pod}`)?.containers.get(container)?.view;
  }

  /** Kills every main process (by the PID it started) and waits for them to exit. */
  async stop(): Promise<void> {
    const waits: Promise<unknown>[] = [];
    for (const { containers } of this.#pods.values()) {
      for (const c of containers.values()) {
        c.resizer?.close();
        if (c.child && !c.exited) {
          waits.push(new Promise((r) => c.child!.once('exit', r)));
          c.child.kill('SIGKILL');
        }
      }
    }
    this.#pods.clear();
    await Promise.all(waits);
  }

  #start(pod: PodView, spec: FakeContainerSpec): FakeContainer {
    const listeners = new Set<OutputListener>();
    const fc: FakeContainer = { exited: false, view: undefined as unknown as ContainerView };
    let stdin: PassThrough | undefined;
    if (spec.command) {
      const argv = spec.tty ? ptyArgv(spec.command) : spec.command;
      const child = spawn(argv[0], argv.slice(1), { stdio: ['pipe', 'pipe', 'pipe'], env: { PATH: process.env.PATH ?? '/usr/bin:/bin', TERM: 'xterm', ...spec.env } });
      fc.child = child;
      if (spec.tty && child.pid) fc.resizer = new PtyResizer({ scriptPid: child.pid });
      child.stdin!.on('error', () => {});
      if (spec.stdin) {
        // A PassThrough in front of the pipe, so that stdinOnce can end it like a runtime would.
        stdin = new PassThrough();
        stdin.pipe(child.stdin!);
      }
      child.stdout!.on('data', (c: Buffer) => listeners.forEach((l) => l.output('stdout', c)));
      child.stderr!.on('data', (c: Buffer) => listeners.forEach((l) => l.output(spec.tty ? 'stdout' : 'stderr', c)));
      child.on('exit', (code) => {
        fc.exited = true;
        fc.resizer?.close();
        for (const l of [...listeners]) l.exit(code);
      });
    }
    fc.view = {
      pod,
      sandbox: pod.sandbox,
      containerName: spec.name,
      logPath: spec.logPath,
      previousLogPath: spec.previousLogPath,
      running: () => !fc.exited,
      tty: spec.tty ?? false,
      stdin,
      stdinOnce: spec.stdinOnce,
      env: spec.env,
      subscribe(l) {
        listeners.add(l);
        return () => listeners.delete(l);
      },
      resize: fc.resizer ? (size) => fc.resizer!.resize(size) : undefined,
    };
    return fc;
  }
}
