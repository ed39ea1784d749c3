/**
 * @module Running a command inside a pod: the argv goes behind the
 * sandbox's enterPrefix() (nsenter into the pause process's namespaces), in
 * its own process group so a stop or a timeout reaches everything it
 * started. Used by containers, exec probes and `kubectl exec`.
 */
import { spawn, type ChildProcess, type StdioOptions } from 'node:child_process';
import { constants as osConstants } from 'node:os';
import type { Sandbox } from '../types.ts';

export interface ExecOptions {
  /** Keep stdin open as a pipe (kubectl exec -i); otherwise stdin is /dev/null. */
  stdin?: boolean;
  /** Give the command a terminal (kubectl exec -t), through util-linux `script`. */
  tty?: boolean;
  /** The process environment, complete (nothing is inherited from the agent). */
  env?: Record<string, string>;
  workingDir?: string;
}

export interface SandboxProcess {
  child: ChildProcess;
  pid: number;
}

/** POSIX shell quoting, for the one place a command line must be a string (`script -c`). */
export function shellQuote(argv: string[]): string {
  return argv.map((a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`)).join(' ');
}

/**
 * The argv that runs `argv` in the sandbox: the enter prefix, then the
 * working directory (`env -C`, because nsenter's mount namespace switch
 * resets the directory a spawn option would set), then a pty when asked.
 */
export function sandboxArgv(sandbox: Pick<Sandbox, 'enterPrefix'>, argv: string[], opts: { tty?: boolean; workingDir?: string } = {}): { argv: string[]; cwd?: string } {
  const prefix = sandbox.enterPrefix();
  let cmd = argv;
  // `script` allocates a pseudo-terminal and relays it over pipes: -q quiet, -e child's exit code, -f flush at once.
  if (opts.tty) cmd = ['script', '-qefc', shellQuote(argv), '/dev/null'];
  if (opts.workingDir && prefix.length > 0) return { argv: [...prefix, 'env', '-C', opts.workingDir, '--', ...cmd] };
  return { argv: [...prefix, ...cmd], cwd: opts.workingDir };
}

/** Starts argv in the sandbox, detached into its own process group. */
export function execInSandbox(sandbox: Pick<Sandbox, 'enterPrefix'>, argv: string[], opts: ExecOptions = {}): SandboxProcess {
  if (argv.length === 0) throw new Error('exec: no command given');
  const run = sandboxArgv(sandbox, argv, opts);
  const stdio: StdioOptions = [opts.stdin || opts.tty ? 'pipe' : 'ignore', 'pipe', 'pipe'];
  const child = spawn(run.argv[0], run.argv.slice(1), {
    stdio,
    detached: true,
    env: opts.env ?? { PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' },
    cwd: run.cwd,
  });
  // A failed spawn (ENOENT) still yields a ChildProcess; its pid is undefined and 'error' follows.
  child.on('error', () => {});
  return { child, pid: child.pid ?? -1 };
}

/** Sends a signal to the process group of pid; false when there is none left. */
export function signalGroup(pid: number, signal: NodeJS.Signals): boolean {
  if (pid <= 0) return false;
  try {
    process.kill(-pid, signal);
    return true;
  } catch {
    return false;
  }
}

export interface RunResult {
  exitCode: number;
  output: string;
  timedOut: boolean;
}

/**
 * Runs argv in the sandbox to completion (exec probes): combined output
 * capped at maxOutput bytes (the kubelet keeps 10 KiB), the whole group
 * killed at the timeout.
 */
export function runInSandbox(sandbox: Pick<Sandbox, 'enterPrefix'>, argv: string[], opts: ExecOptions & { timeoutMs: number; maxOutput?: number; signal?: AbortSignal }): Promise<RunResult> {
  const max = opts.maxOutput ?? 10 * 1024;
  return new Promise((resolve) => {
    let proc: SandboxProcess;
    try {
      proc = execInSandbox(sandbox, argv, opts);
    } catch (err) {
      resolve({ exitCode: 126, output: (err as Error).message, timedOut: false });
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    const collect = (c: Buffer) => {
      if (size < max) chunks.push(c.subarray(0, max - size));
      size += c.length;
    };
    proc.child.stdout?.on('data', collect);
    proc.child.stderr?.on('data', collect);
    let timedOut = false;
    const kill = () => {
      timedOut = true;
      signalGroup(proc.pid, 'SIGKILL');
    };
    const timer = setTimeout(kill, opts.timeoutMs);
    opts.signal?.addEventListener('abort', kill, { once: true });
    let spawnError: Error | undefined;
    proc.child.once('error', (e) => (spawnError = e));
    let exit: { code: number | null; sig: NodeJS.Signals | null } | undefined;
    proc.child.once('exit', (code, sig) => {
      exit = { code, sig };
      clearTimeout(timer);
      // Whatever the command left behind in its group goes with it, which also closes the output pipes.
      signalGroup(proc.pid, 'SIGKILL');
    });
    proc.child.once('close', (code, sig) => {
      clearTimeout(timer);
      opts.signal?.removeEventListener('abort', kill);
      const { code: c, sig: s } = exit ?? { code, sig };
      const output = spawnError ? spawnError.message : Buffer.concat(chunks).toString();
      const exitCode = c ?? (s ? 128 + (signalNumber(s) ?? 0) : 1);
      resolve({ exitCode: spawnError ? 127 : exitCode, output, timedOut });
    });
  });
}

export function signalNumber(sig: string): number | undefined {
  return (osConstants.signals as Record<string, number>)[sig];
}
