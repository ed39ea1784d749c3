/**
 * @module The one door to the host: every `ip`, `nft`, `unshare`, `nsenter`
 * call of the node agent goes through a Kernel (commands that run to
 * completion) or Daemons (long-lived processes such as a pod's pause
 * process). `realKernel()`/`realDaemons()` exec argv directly, never through
 * a shell; `fakeKernel()` records every argv so unit tests compare the exact
 * commands.
 */
import { spawn } from 'node:child_process';
import { readFile, readdir, stat } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { KernelError, type Kernel } from './types.ts';

export { KernelError };
export type { Kernel };

type RunOpts = { input?: string; allowFail?: boolean };
type RunResult = { stdout: string; stderr: string; code: number };

/** Runs argv with execve semantics: no shell, so no word splitting or globbing of arguments. */
export function realKernel(): Kernel {
  return {
    run: function run(argv: string[], opts: RunOpts = {}): Promise<RunResult> {
      return new Promise((resolve, reject) => {
        const child = spawn(argv[0], argv.slice(1), { stdio: ['pipe', 'pipe', 'pipe'] });
        let stdout = '';
        let stderr = '';
        child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
        child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
        // A command that exits before reading its input makes the write fail with EPIPE; the exit code tells.
        child.stdin.on('error', () => {});
        child.stdin.end(opts.input ?? '');
        let spawnError: Error | undefined;
        child.once('error', (e) => (spawnError = e));
        child.once('close', (exit) => {
          // ENOENT and friends: reported like a shell would (127), with the cause in stderr.
          const code = spawnError ? 127 : (exit ?? 128);
          if (spawnError) stderr += spawnError.message;
          if (code !== 0 && !opts.allowFail) reject(new KernelError(argv, code, stderr));
          else resolve({ stdout, stderr, code });
        });
      });
    },
  };
}

/** Long-lived processes, addressed only by the PID they were started with. */
export interface Daemons {
  /**
   * Starts argv in its own session (so the agent's Ctrl-C or exit does not reach it) and resolves
   * with its PID once /proc/PID/comm is `readyComm`, i.e. once every exec in its chain is done.
   */
  start(argv: string[], opts: { readyComm: string; timeoutMs?: number }): Promise<number>;
  /** True when pid is alive (not a zombie) and its network namespace is the named one (/run/netns/NAME). */
  holds(pid: number, netns: string): Promise<boolean>;
  /** SIGKILL to pid, then waits until it is gone. */
  kill(pid: number): Promise<void>;
  /** Live processes whose argv[0] starts with `tagPrefix` (a pause process names its pod in argv[0]). */
  list(tagPrefix: string): Promise<{ pid: number; tag: string }[]>;
}

async function gone(pid: number): Promise<boolean> {
  try {
    const st = await readFile(`/proc/${pid}/stat`, 'utf8');
    // Field 3, after the parenthesised comm (which may itself contain spaces or parentheses).
    return st.slice(st.lastIndexOf(')') + 2, st.lastIndexOf(')') + 3) === 'Z';
  } catch {
    return true;
  }
}

export function realDaemons(opts: { netnsDir?: string } = {}): Daemons {
  const netnsDir = opts.netnsDir ?? '/run/netns';
  return {
    start: function start(argv, { readyComm, timeoutMs = 5000 }) {
      return new Promise((resolve, reject) => {
        const child = spawn(argv[0], argv.slice(1), { detached: true, stdio: ['ignore', 'ignore', 'pipe'] });
        let stderr = '';
        let settled = false;
        child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
        const fail = (code: number) => {
          if (settled) return;
          settled = true;
          reject(new KernelError(argv, code, stderr));
        };
        child.once('error', (e) => {
          stderr += e.message;
          fail(127);
        });
        child.once('exit', (code) => fail(code ?? 128));
        const deadline = Date.now() + timeoutMs;
        const poll = async () => {
          while (!settled) {
            const comm = await readFile(`/proc/${child.pid}/comm`, 'utf8').catch(() => '');
            if (comm.trim() === readyComm) {
              settled = true;
              // The pipe would keep the agent's event loop alive; the daemon writes nothing more.
              child.stderr!.destroy();
              child.unref();
              resolve(child.pid!);
              return;
            }
            if (Date.now() > deadline) {
              stderr += `not ${readyComm} after ${timeoutMs}ms`;
              if (child.pid) process.kill(child.pid, 'SIGKILL');
              fail(124);
              return;
            }
            await sleep(2);
          }
        };
        child.once('spawn', () => void poll());
      });
    },
    holds: async function holds(pid, netns) {
      if (!Number.isInteger(pid) || pid <= 0 || (await gone(pid))) return false;
      try {
        // Both paths resolve to the namespace's nsfs inode; equal dev+ino means the same namespace.
        const [a, b] = await Promise.all([stat(`/proc/${pid}/ns/net`), stat(`${netnsDir}/${netns}`)]);
        return a.ino === b.ino && a.dev === b.dev;
      } catch {
        return false;
      }
    },
    kill: async function kill(pid) {
      if (!Number.isInteger(pid) || pid <= 0) return;
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        return;
      }
      // A killed child of ours is a zombie until libuv reaps it; an adopted one is reaped by init.
      for (let i = 0; i < 2500 && !(await gone(pid)); i++) await sleep(2);
    },
    list: async function list(tagPrefix) {
      const out: { pid: number; tag: string }[] = [];
      for (const name of await readdir('/proc')) {
        if (!/^\d+$/.test(name)) continue;
        const cmdline = await readFile(`/proc/${name}/cmdline`, 'utf8').catch(() => '');
        const tag = cmdline.split('\0')[0];
        if (tag.startsWith(tagPrefix) && !(await gone(Number(name)))) out.push({ pid: Number(name), tag });
      }
      return out;
    },
  };
}

export interface FakeCall {
  argv: string[];
  input?: string;
}

export interface FakeKernel extends Kernel {
  /** Every command in order; daemons appear as ['<start>', ...argv] and ['<kill>', pid]. */
  calls: FakeCall[];
  /** The calls as one line each (argv joined by spaces), for readable assertions. */
  lines(): string[];
  /** Fake daemons: `running` maps each live PID to the netns it holds and its argv. */
  daemons: Daemons & { running: Map<number, { netns: string; argv: string[] }> };
}

export type FakeResponder = (argv: string[], input?: string) => Partial<RunResult> | undefined;

/**
 * Records every argv and answers from `responder` (default: exit 0, empty output). A non-zero
 * code rejects with KernelError unless allowFail, as the real kernel does.
 */
export function fakeKernel(responder: FakeResponder = () => undefined): FakeKernel {
  const calls: FakeCall[] = [];
  const running = new Map<number, { netns: string; argv: string[] }>();
  let nextPid = 1000;
  const kernel: FakeKernel = {
    calls,
    lines: () => calls.map((c) => c.argv.join(' ')),
    run: async function run(argv, opts = {}) {
      calls.push(opts.input === undefined ? { argv: [...argv] } : { argv: [...argv], input: opts.input });
      const r = responder(argv, opts.input) ?? {};
      const out = { stdout: r.stdout ?? '', stderr: r.stderr ?? '', code: r.code ?? 0 };
      if (out.code !== 0 && !opts.allowFail) throw new KernelError(argv, out.code, out.stderr);
      return out;
    },
    daemons: {
      running,
      start: async function start(argv) {
        calls.push({ argv: ['<start>', ...argv] });
        const r = responder(['<start>', ...argv]) ?? {};
        if (r.code) throw new KernelError(argv, r.code, r.stderr ?? '');
        const pid = nextPid++;
        // The fake pause process is taken to hold the netns that `ip netns exec NAME` entered.
        const i = argv.indexOf('exec');
        running.set(pid, { netns: argv[0] === 'ip' && argv[1] === 'netns' && i === 2 ? argv[3] : '', argv: [...argv] });
        return pid;
      },
      holds: async (pid, netns) => running.get(pid)?.netns === netns,
      // The fake has no exec -a: the tag is the first argument that carries the prefix.
      list: async (prefix) =>
        [...running].flatMap(([pid, r]) => {
          const tag = r.argv.find((a) => a.startsWith(prefix));
          return tag ? [{ pid, tag }] : [];
        }),
      kill: async function kill(pid) {
        calls.push({ argv: ['<kill>', String(pid)] });
        running.delete(pid);
      },
    },
  };
  return kernel;
}
