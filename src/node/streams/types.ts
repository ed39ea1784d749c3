/**
 * @module The narrow interface between the kubelet and the agent's stream
 * server (logs, exec, attach, port-forward): the kubelet hands the server a
 * PodRuntimeView; the server never reads pod objects or the runtime itself.
 */
import type { Writable } from 'node:stream';
import type { Sandbox } from '../types.ts';

/** What the stream server may know of a pod the kubelet runs. */
export interface PodView {
  namespace: string;
  name: string;
  uid: string;
  sandbox: Sandbox;
}

/** A listener for the live output of a container's main process (kubectl attach). */
export interface OutputListener {
  /** With a TTY the runtime reports everything as stdout, as upstream does. */
  output(stream: 'stdout' | 'stderr', chunk: Buffer): void;
  /** The process ended (exit code, or null when killed by a signal). */
  exit(code: number | null): void;
}

/** What the stream server may know of one container of a pod. */
export interface ContainerView {
  pod: PodView;
  /** The sandbox the container runs in; its enterPrefix() runs a command in the pod's namespaces. */
  sandbox: Sandbox;
  containerName: string;
  /** CRI-format log file of the current instance (`2026-11-22T02:00:00.123456789Z stdout F message`). */
  logPath: string;
  /** Log file of the previous (last terminated) instance; absent when there was none. */
  previousLogPath?: string;
  /** The current instance runs: `logs -f` follows only while it does, attach needs it. */
  running(): boolean;
  /** spec.tty: the main process has a terminal (attach then carries one stream). */
  tty: boolean;
  /** The main process's stdin when spec.stdin is true (written by `attach -i`). */
  stdin?: Writable;
  /** spec.stdinOnce: the stream server closes `stdin` when the first attach session ends. */
  stdinOnce?: boolean;
  /** Subscribes to the main process's output and exit; returns the unsubscribe function. */
  subscribe(listener: OutputListener): () => void;
  /** Resizes the main process's terminal (attach -t); optional. */
  resize?(size: { width: number; height: number }): void;
  /** Environment and working directory for `kubectl exec` (the container's, as CRI exec uses). */
  env?: Record<string, string>;
  workingDir?: string;
}

/**
 * The kubelet's side of the contract. A lookup returns undefined when the
 * pod or container is unknown on this node; the server then answers with
 * the kubelet's text (logs: 404 `pod "p" does not exist` / `container "c"
 * not found in pod "p"`; exec and attach: 404 `pod does not exist` / 500
 * `container not found ("c")`). It may instead throw a StreamError to answer
 * with a specific status and message, e.g. 400 `container "c" in pod "p" is
 * waiting to start: ContainerCreating`. The container name is always given:
 * the apiserver defaults and validates it against the pod spec first.
 */
export interface PodRuntimeView {
  findPod(namespace: string, pod: string): PodView | undefined;
  findContainer(namespace: string, pod: string, container: string): ContainerView | undefined;
}

/** An error the stream server turns into an HTTP status with a plain-text body, as the kubelet does. */
export class StreamError extends Error {
  readonly code: 'BAD_REQUEST' | 'UNAUTHORIZED' | 'NOT_FOUND' | 'UNPROCESSABLE' | 'INTERNAL';
  readonly httpStatus: number;
  constructor(code: StreamError['code'], message: string) {
    super(message);
    this.name = 'StreamError';
    this.code = code;
    this.httpStatus = { BAD_REQUEST: 400, UNAUTHORIZED: 401, NOT_FOUND: 404, UNPROCESSABLE: 422, INTERNAL: 500 }[code];
  }
}
