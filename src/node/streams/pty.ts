/**
 * @module Terminals for `kubectl exec -t` without native modules: util-linux
 * `script` (Essential on Debian, in every distribution) allocates the
 * pseudo-terminal and runs the command on its slave side; the agent talks
 * to it through pipes. Resizing sets the slave's window size with
 * `stty -F /proc/<pid>/fd/0` on the command's process, which makes the
 * kernel send SIGWINCH to the foreground process group, as TIOCSWINSZ on a
 * real terminal does.
 */
import { execFile } from 'node:child_process';
import { readFile, readdir } from 'node:fs/promises';

/** POSIX shell quoting of one word. */
export function shellQuote(word: string): string {
  if (/^[A-Za-z0-9_/.,:=@%+-]+$/.test(word)) return word;
  return `'${word.replace(/'/g, `'\\''`)}'`;
}

/**
 * The argv that runs `argv` on a new pseudo-terminal: `script -q` (no
 * banners), `-f` (flush every write), `-e` (exit with the command's status,
 * 128+n for a signal), `-c` (the command, run by `sh -c`, which execs it),
 * typescript to /dev/null; with a first window size, `stty` sets it on the
 * slave before the command starts. SHELL must not be set in the environment, or
 * script runs the command with that shell instead of /bin/sh.
 */
export function ptyArgv(argv: string[], size?: { width: number; height: number }): string[] {
  // The first size is set by the shell on the slave before the command starts, so the command never sees 0x0.
  const stty = size && size.width > 0 && size.height > 0 ? `stty rows ${size.height} cols ${size.width} 2>/dev/null; ` : '';
  return ['script', '-q', '-f', '-e', '-c', `${stty}exec ${argv.map(shellQuote).join(' ')}`, '/dev/null'];
}

async function childPids(pid: number): Promise<number[]> {
  try {
    const text = await readFile(`/proc/${pid}/task/${pid}/children`, 'utf8');
    return text.split(/\s+/).filter(Boolean).map(Number);
  } catch {
    // Kernels without CONFIG_PROC_CHILDREN: scan for the parent pid.
    const out: number[] = [];
    for (const name of await readdir('/proc').catch(() => [] as string[])) {
      if (!/^\d+$/.test(name)) continue;
      const stat = await readFile(`/proc/${name}/stat`, 'utf8').catch(() => '');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === pid) out.push(Number(name));
    }
    return out;
  }
}

export type Runner = (argv: string[]) => Promise<void>;

const runCommand: Runner = (argv) =>
  new Promise((resolve, reject) => {
    execFile(argv[0], argv.slice(1), { timeout: 5000 }, (err) => (err ? reject(err) : resolve()));
  });

/**
 * Applies window sizes to the terminal of a `script` process, one at a
 * time and only the latest, waiting for script's child to exist.
 */
export class PtyResizer {
  readonly #scriptPid: number;
  readonly #run: Runner;
  #latest?: { width: number; height: number };
  #busy = false;
  #closed = false;

  constructor(opts: { scriptPid: number; run?: Runner }) {
    this.#scriptPid = opts.scriptPid;
    this.#run = opts.run ?? runCommand;
  }

  resize(size: { width: number; height: number }): void {
    this.#latest = size;
    if (!this.#busy) void this.#drain();
  }

  close(): void {
    this.#closed = true;
  }

  async #drain(): Promise<void> {
    this.#busy = true;
    try {
      while (this.#latest && !this.#closed) {
        const size = this.#latest;
        this.#latest = undefined;
        const child = await this.#slaveHolder();
        if (child === undefined) return;
        await this.#run(['stty', '-F', `/proc/${child}/fd/0`, 'rows', String(size.height), 'cols', String(size.width)]).catch(() => {});
      }
    } finally {
      this.#busy = false;
    }
  }

  /** script's child, which holds the slave as its stdin; it appears a moment after script starts. */
  async #slaveHolder(): Promise<number | undefined> {
    for (let i = 0; i < 50 && !this.#closed; i++) {
      const [child] = await childPids(this.#scriptPid);
      if (child !== undefined) return child;
      await new Promise((r) => setTimeout(r, 20));
    }
    return undefined;
  }
}
