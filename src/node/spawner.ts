/**
 * @module A Kernel and Daemons that spawn from a small helper process
 * (spawner-child.ts) instead of the caller. Node's spawn() forks the calling
 * process, so its cost grows with the caller's memory: from the server
 * (API server, controllers and agents, 150+ MB) one spawn blocks the event
 * loop for 15-20 ms, and a burst of pods (four host commands per sandbox)
 * stalls everything for seconds. The helper is lean, and its forks run
 * beside the server instead of in it. holds/kill/list never spawn and run
 * here. The helper starts on first use and ends when close() is called or
 * this process exits (its stdin closes).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { getCompileCacheDir } from 'node:module';
import { basename, dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { realDaemons, type Daemons } from './kernel.ts';
import { KernelError, type Kernel } from './types.ts';

const CHILD = join(import.meta.dirname, 'spawner-child.ts');

interface Reply {
  id: number;
  stdout?: string;
  stderr?: string;
  code?: number;
  pid?: number;
  error?: { code: number; stderr: string };
}

export interface Spawner {
  kernel: Kernel;
  daemons: Daemons;
  /** Starts the helper now (its start-up then overlaps the caller's instead of delaying the first pod). */
  warm(): void;
  close(): void;
}

/** The environment of a helper child: PATH, and the launcher's compile cache so that it starts warm. */
export function helperEnv(): Record<string, string> {
  let cache = getCompileCacheDir?.();
  if (cache && basename(cache).startsWith(`${process.version}-`)) cache = dirname(cache);
  return { PATH: process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin', ...(cache ? { NODE_COMPILE_CACHE: cache } : {}) };
}

export function openSpawner(): Spawner {
  let child: ChildProcess | undefined;
  let seq = 0;
  const pending = new Map<number, (r: Reply) => void>();
  const local = realDaemons();

  const start = (): ChildProcess => {
    const c = spawn(process.execPath, ['--no-warnings', CHILD], { stdio: ['pipe', 'pipe', 'ignore'], env: helperEnv() });
    c.on('error', () => {});
    c.stdin!.on('error', () => {});
    createInterface({ input: c.stdout! }).on('line', (line) => {
      try {
        const r = JSON.parse(line) as Reply;
        pending.get(r.id)?.(r);
        pending.delete(r.id);
      } catch {}
    });
    c.once('exit', (code) => {
      if (child === c) child = undefined;
      for (const [id, done] of pending) {
        done({ id, error: { code: 127, stderr: `spawner exited (${code})` } });
        pending.delete(id);
      }
    });
    // It must not keep this process alive; when this process ends, its stdin closes and it exits.
    c.unref();
    (c.stdout as unknown as { unref?: () => void }).unref?.();
    (c.stdin as unknown as { unref?: () => void }).unref?.();
    return c;
  };

  const call = (req: object): Promise<Reply> => {
    child ??= start();
    const id = ++seq;
    return new Promise((resolve) => {
      pending.set(id, resolve);
      child!.stdin!.write(JSON.stringify({ id, ...req }) + '\n');
    });
  };

  return {
    kernel: {
      run: async function run(argv, opts = {}) {
        const r = await call({ op: 'run', argv, input: opts.input });
        if (r.error) throw new KernelError(argv, r.error.code, r.error.stderr);
        const out = { stdout: r.stdout ?? '', stderr: r.stderr ?? '', code: r.code ?? 0 };
        if (out.code !== 0 && !opts.allowFail) throw new KernelError(argv, out.code, out.stderr);
        return out;
      },
    },
    daemons: {
      start: async function start(argv, opts) {
        const r = await call({ op: 'start', argv, readyComm: opts.readyComm, timeoutMs: opts.timeoutMs });
        if (r.error) throw new KernelError(argv, r.error.code, r.error.stderr);
        return r.pid!;
      },
      holds: local.holds,
      kill: local.kill,
      list: local.list,
    },
    warm() {
      child ??= start();
    },
    close() {
      child?.stdin?.end();
      child = undefined;
    },
  };
}
