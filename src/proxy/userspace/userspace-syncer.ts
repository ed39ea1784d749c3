/**
 * @module The userspace proxy mode's ProxySyncer: turns a ProxyState into a
 * listener table (table.ts) and hands it to the relay child (relay-child.ts),
 * one long-lived process per node started with the node's exec prefix so its
 * sockets live in the node's network namespace (as node-prober.ts does for
 * probes). The child is spawned at the first sync; if it dies, the last table
 * is replayed into a new one after a short backoff (and the next sync would
 * start one anyway), so a crash costs the open connections, not the service.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { helperEnv } from '../../node/spawner.ts';
import type { ProxyState, ProxySyncer, SyncResult } from '../types.ts';
import { RelayError } from './errors.ts';
import type { RelayMetrics } from './metrics.ts';
import type { RelayBindError } from './relays.ts';
import { relayTable, type RelaySpec } from './table.ts';

const CHILD = join(import.meta.dirname, 'relay-child.ts');
/** A child that does not answer a table within this is killed (binding is milliseconds; start-up well under 1 s). */
const ANSWER_TIMEOUT_MS = 10_000;
/** close(): time the child gets to exit after its stdin closes, before SIGKILL. */
const CLOSE_GRACE_MS = 1000;
/** Restart backoff after an unexpected exit, doubling while the child keeps dying young. */
const RESTART_MIN_MS = 1000;
const RESTART_MAX_MS = 30_000;
const STDERR_TAIL = 2000;

interface Answer {
  id: number;
  ok: boolean;
  listeners: number;
  errors: RelayBindError[];
  metrics: RelayMetrics;
}

interface Child {
  proc: ChildProcess;
  pending: Map<number, { resolve: (a: Answer) => void; reject: (e: Error) => void }>;
  stderr: string;
  startedAt: number;
  exited: boolean;
  exit: Promise<void>;
}

export class UserspaceSyncer implements ProxySyncer {
  readonly mode = 'userspace' as const;
  readonly #execPrefix: string[];
  readonly #log: (line: string) => void;
  #child: Child | undefined;
  #seq = 0;
  #closed = false;
  #queue: Promise<unknown> = Promise.resolve();
  /** The last table asked for, replayed into a restarted child. */
  #last: { table: RelaySpec[] } | undefined;
  #restartTimer: NodeJS.Timeout | undefined;
  #restartDelay = RESTART_MIN_MS;
  #lastErrors = '';
  #metrics: RelayMetrics | undefined;

  constructor(opts: { execPrefix: string[]; log: (line: string) => void }) {
    this.#execPrefix = opts.execPrefix;
    this.#log = opts.log;
  }

  /** The relay child's PID, when one runs. */
  get pid(): number | undefined {
    return this.#child?.proc.pid;
  }

  /** The child's counters as of its last answer (for the agent to log or export). */
  get metrics(): RelayMetrics | undefined {
    return this.#metrics;
  }

  sync(state: ProxyState): Promise<SyncResult> {
    if (this.#closed) return Promise.reject(new RelayError('CLOSED', 'userspace proxy is closed'));
    const table = relayTable(state);
    this.#last = { table };
    return this.#serial(() => this.#apply(table));
  }

  /** Ends the child: its stdin closes (it closes its sockets and exits), SIGKILL if it lingers. */
  async close(): Promise<void> {
    this.#closed = true;
    clearTimeout(this.#restartTimer);
    const c = this.#child;
    this.#child = undefined;
    if (!c || c.exited) return;
    c.proc.stdin?.end();
    let timer: NodeJS.Timeout | undefined;
    const exited = await Promise.race([c.exit.then(() => true), new Promise<boolean>((r) => (timer = setTimeout(r, CLOSE_GRACE_MS, false)))]);
    clearTimeout(timer);
    if (!exited) {
      kill(c);
      await c.exit;
    }
  }

  #serial<T>(fn: () => Promise<T>): Promise<T> {
    const p = this.#queue.then(fn);
    this.#queue = p.catch(() => {});
    return p;
  }

  async #apply(table: RelaySpec[]): Promise<SyncResult> {
    if (this.#closed) throw new RelayError('CLOSED', 'userspace proxy is closed');
    const full = !this.#child;
    this.#child ??= this.#spawn();
    const a = await this.#call(this.#child, table);
    if (!a.ok) throw new RelayError('REJECTED', `relay child refused the table: ${a.errors.map((e) => e.message).join('; ')}`);
    // The "synced" line is the proxier's (it logs every mode alike); this layer only says what
    // the proxier cannot see: listeners that failed, and child restarts.
    this.#metrics = a.metrics;
    this.#logErrors(a.errors);
    return { full, rules: a.listeners };
  }

  /** Bind errors are logged when they change, not at every sync. */
  #logErrors(errors: RelayBindError[]): void {
    const text = errors.map((e) => `${e.listener} (${e.service}): ${e.code} ${e.message}`).join('\n');
    if (text === this.#lastErrors) return;
    this.#lastErrors = text;
    for (const line of text ? text.split('\n') : []) this.#log(`proxy: userspace listener failed: ${line}`);
  }

  #call(c: Child, table: RelaySpec[]): Promise<Answer> {
    if (c.exited) return Promise.reject(gone(c, this.#closed));
    const id = ++this.#seq;
    return new Promise((resolve, reject) => {
      // A ref'd timer: it also keeps the event loop alive while the (unref'd) child answers.
      const timer = setTimeout(() => {
        c.pending.delete(id);
        kill(c);
        reject(new RelayError('TIMEOUT', `relay child did not answer within ${ANSWER_TIMEOUT_MS / 1000}s`));
      }, ANSWER_TIMEOUT_MS);
      c.pending.set(id, {
        resolve: (a) => {
          clearTimeout(timer);
          resolve(a);
        },
        reject: (e) => {
          clearTimeout(timer);
          reject(e);
        },
      });
      c.proc.stdin!.write(JSON.stringify({ id, table }) + '\n');
    });
  }

  #spawn(): Child {
    const argv = [...this.#execPrefix, process.execPath, '--no-warnings', CHILD];
    const proc = spawn(argv[0], argv.slice(1), { stdio: ['pipe', 'pipe', 'pipe'], env: helperEnv() });
    let onExit!: () => void;
    const c: Child = { proc, pending: new Map(), stderr: '', startedAt: Date.now(), exited: false, exit: new Promise((r) => (onExit = r)) };
    const ended = (why: string): void => {
      if (c.exited) return;
      c.exited = true;
      if (why) c.stderr = (c.stderr + why).slice(-STDERR_TAIL);
      for (const p of c.pending.values()) p.reject(gone(c, this.#closed));
      c.pending.clear();
      if (this.#child === c) this.#child = undefined;
      onExit();
      this.#scheduleRestart(c);
    };
    proc.on('error', (err) => ended(`${err.message}\n`));
    proc.once('exit', (code, signal) => ended(code === null ? `killed by ${signal}` : `exit ${code}`));
    proc.stdin!.on('error', () => {});
    proc.stderr!.on('data', (d: Buffer) => (c.stderr = (c.stderr + d.toString()).slice(-STDERR_TAIL)));
    createInterface({ input: proc.stdout! }).on('line', (line) => {
      let a: Answer;
      try {
        a = JSON.parse(line) as Answer;
      } catch {
        return;
      }
      const p = c.pending.get(a.id);
      c.pending.delete(a.id);
      p?.resolve(a);
    });
    // The child must not keep the agent alive; when the agent ends, its stdin closes and it exits.
    proc.unref();
    for (const s of [proc.stdin, proc.stdout, proc.stderr]) (s as unknown as { unref?: () => void }).unref?.();
    return c;
  }

  #scheduleRestart(c: Child): void {
    if (this.#closed || !this.#last) return;
    // A child that ran for a minute starts the backoff over.
    const young = Date.now() - c.startedAt < 60_000;
    const delay = young ? this.#restartDelay : RESTART_MIN_MS;
    this.#restartDelay = Math.min(delay * 2, RESTART_MAX_MS);
    this.#log(`proxy: userspace relay child ended (${c.stderr.trim().split('\n').pop()}); restarting in ${delay / 1000}s`);
    clearTimeout(this.#restartTimer);
    this.#restartTimer = setTimeout(() => {
      const last = this.#last;
      if (this.#closed || this.#child || !last) return;
      this.#serial(() => (this.#child ? Promise.resolve(undefined) : this.#apply(last.table))).catch((err: Error) => this.#log(`proxy: userspace restart failed: ${err.message}`));
    }, delay);
    this.#restartTimer.unref();
  }
}

function gone(c: Child, closed: boolean): RelayError {
  if (closed) return new RelayError('CLOSED', 'userspace proxy is closed');
  const tail = c.stderr.trim();
  return new RelayError('CHILD_EXITED', `relay child exited${tail ? `: ${tail}` : ''}`);
}

/** SIGKILL by the child's own PID (never by name). */
function kill(c: Child): void {
  if (c.exited || !c.proc.pid) return;
  try {
    process.kill(c.proc.pid, 'SIGKILL');
  } catch {}
}
