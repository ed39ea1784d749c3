/**
 * @module `kubectl exec`: runs a command inside the pod's namespaces
 * (`[...sandbox.enterPrefix(), ...command]`, what CRI ExecSync/Exec does
 * for a container), on a pseudo-terminal with `-t`, and ends the session
 * with the kubelet's Status: Success, or NonZeroExitCode with the exit code.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import type { Readable } from 'node:stream';
import { exitStatus, internalErrorStatus, STDERR, STDOUT } from './channel.ts';
import { ptyArgv, PtyResizer } from './pty.ts';
import type { ChannelSession } from './session.ts';
import type { ContainerView } from './types.ts';

export const DEFAULT_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/** After the process exits, how long its output may still drain before the session ends anyway (ms). */
const OUTPUT_GRACE_MS = 1000;
/** With a terminal, how long to wait for kubectl's first window size before starting the command (ms). */
const FIRST_SIZE_WAIT_MS = 300;

export interface StdioRequest {
  stdin: boolean;
  stdout: boolean;
  stderr: boolean;
  tty: boolean;
}

export interface ExecRequest extends StdioRequest {
  command: string[];
}

/** The container's environment; TERM=xterm with a terminal, as containerd's CRI exec adds it. */
export function execEnv(view: ContainerView, tty: boolean): Record<string, string> {
  const env: Record<string, string> = { ...(view.env ?? { PATH: DEFAULT_PATH }) };
  if (tty) {
    env.TERM ??= 'xterm';
    delete env.SHELL; // script(1) would run the command with it instead of /bin/sh
  }
  return env;
}

/** Sends a readable's chunks on a channel, pausing it while the client is congested. */
export function pump(src: Readable, session: ChannelSession, channel: number): void {
  src.on('data', (chunk: Buffer) => {
    session.send(channel, chunk);
    if (session.congested) {
      src.pause();
      void session.whenDrained().then(() => src.resume());
    }
  });
  src.on('error', () => {});
}

function describeSpawnError(e: NodeJS.ErrnoException, argv: string[]): string {
  if (e.code === 'ENOENT') return `exec: "${argv[0]}": executable file not found in $PATH`;
  if (e.code === 'EACCES') return `exec: "${argv[0]}": permission denied`;
  return e.message;
}

/**
 * Runs the command for one session. With a terminal the start waits for
 * the client's first window size (kubectl sends it right after connecting),
 * keeping what arrives on stdin meanwhile, so that the command starts with
 * its real size rather than racing a resize.
 */
export function runExec(view: ContainerView, req: ExecRequest, session: ChannelSession): void {
  if (!req.tty) return startExec(view, req, session);
  const early: Buffer[] = [];
  let stdinClosed = false;
  let started = false;
  const start = (size?: { width: number; height: number }) => {
    if (started) return;
    started = true;
    clearTimeout(timer);
    session.onStdin = session.onStdinClose = session.onResize = session.onClose = undefined;
    if (session.closed) return;
    startExec(view, req, session, size);
    const live: Pick<ChannelSession, 'onStdin' | 'onStdinClose'> = session;
    for (const d of early) live.onStdin?.(d);
    if (stdinClosed) live.onStdinClose?.();
  };
  const timer = setTimeout(start, FIRST_SIZE_WAIT_MS);
  session.onResize = (size) => start(size);
  session.onStdin = (d) => early.push(d);
  session.onStdinClose = () => (stdinClosed = true);
  session.onClose = () => start();
}

function startExec(view: ContainerView, req: ExecRequest, session: ChannelSession, size?: { width: number; height: number }): void {
  const target = [...view.sandbox.enterPrefix(), ...req.command];
  const argv = req.tty ? ptyArgv(target, size) : target;
  let child: ChildProcess;
  try {
    child = spawn(argv[0], argv.slice(1), {
      stdio: [req.stdin || req.tty ? 'pipe' : 'ignore', req.stdout || req.tty ? 'pipe' : 'ignore', req.stderr || req.tty ? 'pipe' : 'ignore'],
      env: execEnv(view, req.tty),
      cwd: view.workingDir,
    });
  } catch (e) {
    session.finish(internalErrorStatus(`error executing command in container: ${describeSpawnError(e as NodeJS.ErrnoException, argv)}`));
    return;
  }
  const resizer = req.tty && child.pid !== undefined ? new PtyResizer({ scriptPid: child.pid }) : undefined;
  let done = false;
  let grace: NodeJS.Timeout | undefined;
  const end = (status: Parameters<ChannelSession['finish']>[0]) => {
    if (done) return;
    done = true;
    clearTimeout(grace);
    resizer?.close();
    session.finish(status);
  };

  if (child.stdout) pump(child.stdout, session, STDOUT);
  // With a terminal everything the command writes arrives on the pty; script's own errors go to stdout too.
  if (child.stderr) pump(child.stderr, session, req.tty ? STDOUT : STDERR);
  if (child.stdin) {
    const stdin = child.stdin;
    stdin.on('error', () => {}); // EPIPE when the command exits without reading
    session.onStdin = (data) => {
      if (!req.stdin) return;
      if (!stdin.write(data)) {
        session.pauseInput();
        stdin.once('drain', () => session.resumeInput());
      }
    };
    session.onStdinClose = () => stdin.end();
  }
  session.onResize = (size) => resizer?.resize(size);
  session.onClose = () => {
    // The client went away: nanokube ends the command rather than leaving it behind (upstream leaves it running).
    if (!done) child.kill('SIGKILL');
    done = true;
    resizer?.close();
  };

  child.on('error', (e) => end(internalErrorStatus(`error executing command in container: ${describeSpawnError(e, req.command)}`)));
  child.on('exit', (code, signal) => {
    grace = setTimeout(() => {
      child.stdout?.destroy();
      child.stderr?.destroy();
      end(exitStatus(req.command, code, signal));
    }, OUTPUT_GRACE_MS);
  });
  child.on('close', (code, signal) => end(exitStatus(req.command, code, signal)));
}
