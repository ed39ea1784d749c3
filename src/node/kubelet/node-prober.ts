/**
 * @module Probes from the node's point of view. Exec probes run inside the
 * pod (the runtime's nsenter prefix) from the agent; httpGet and tcpSocket
 * probes must leave from the node's network namespace, which in isolated
 * mode is not the agent's: they go to one long-lived child per node
 * (prober-child.ts) started with the node's exec prefix. In host mode (no
 * node namespace) they run in the agent itself.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { runProbeCheck, type ProbeCheckResult, type ProbeTarget } from '../runtime/probe-checks.ts';
import type { ProbeSpec } from '../runtime/probes.ts';
import { helperEnv } from '../spawner.ts';
import type { NodeNetwork } from '../types.ts';

const CHILD = join(import.meta.dirname, 'prober-child.ts');
/** Extra time the child gets beyond the probe's own timeout before the attempt counts as failed. */
const CHILD_SLACK_MS = 2000;

export class NodeProber {
  readonly #node: NodeNetwork;
  #child: ChildProcess | undefined;
  #seq = 0;
  readonly #pending = new Map<number, (r: ProbeCheckResult) => void>();
  #closed = false;

  constructor(opts: { node: NodeNetwork }) {
    this.#node = opts.node;
  }

  /** The `check` a ProbeWorker takes. */
  readonly check = (spec: ProbeSpec, target: ProbeTarget, timeoutMs: number): Promise<ProbeCheckResult> => {
    if (spec.exec || !this.#node.netns) return runProbeCheck(spec, target, timeoutMs);
    return this.#viaChild(spec, target, timeoutMs);
  };

  #spawn(): ChildProcess {
    const argv = [...this.#node.execPrefix(), process.execPath, '--no-warnings', CHILD];
    const child = spawn(argv[0], argv.slice(1), { stdio: ['pipe', 'pipe', 'ignore'], env: helperEnv() });
    child.on('error', () => {});
    child.stdin!.on('error', () => {});
    createInterface({ input: child.stdout! }).on('line', (line) => {
      try {
        const r = JSON.parse(line) as ProbeCheckResult & { id: number };
        this.#pending.get(r.id)?.({ result: r.result, message: r.message });
        this.#pending.delete(r.id);
      } catch {}
    });
    child.once('exit', () => {
      if (this.#child === child) this.#child = undefined;
      for (const [id, done] of this.#pending) {
        done({ result: 'failure', message: 'probe runner exited' });
        this.#pending.delete(id);
      }
    });
    // The child must not keep the agent alive, nor the agent's shutdown wait for it.
    child.unref();
    (child.stdout as unknown as { unref?: () => void }).unref?.();
    return child;
  }

  #viaChild(spec: ProbeSpec, target: ProbeTarget, timeoutMs: number): Promise<ProbeCheckResult> {
    if (this.#closed) return Promise.resolve({ result: 'failure', message: 'prober stopped' });
    this.#child ??= this.#spawn();
    const id = ++this.#seq;
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.#pending.delete(id);
        resolve({ result: 'failure', message: `probe timed out after ${timeoutMs}ms` });
      }, timeoutMs + CHILD_SLACK_MS);
      this.#pending.set(id, (r) => {
        clearTimeout(timer);
        resolve(r);
      });
      const req = { id, handler: { httpGet: spec.httpGet, tcpSocket: spec.tcpSocket, grpc: spec.grpc }, podIP: target.podIP, ports: target.ports, timeoutMs };
      this.#child!.stdin!.write(JSON.stringify(req) + '\n');
    });
  }

  /** Ends the child (its stdin closes, it exits); pending probes fail. */
  close(): void {
    this.#closed = true;
    const child = this.#child;
    this.#child = undefined;
    if (!child) return;
    child.stdin!.end();
    if (child.pid) {
      try {
        process.kill(child.pid, 'SIGTERM');
      } catch {}
    }
  }
}
