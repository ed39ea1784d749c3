/**
 * @module Reads a container's CRI log file the way the kubelet's ReadLogs
 * does (pkg/kubelet/kuberuntime/logs): start at the last N lines, skip
 * lines before `since`, prefix timestamps, stop at limitBytes, and with
 * follow keep reading appended lines (across rotation) until the container
 * stops or the client goes away.
 */
import { watch, type FSWatcher } from 'node:fs';
import { open, stat, type FileHandle } from 'node:fs/promises';
import { parseCriLine, type LogOptions } from './cri-log.ts';
import { StreamError } from './types.ts';

const BLOCK = 64 * 1024;

export interface LogSink {
  /** Writes a chunk; the returned promise resolves when more may be written (backpressure). */
  write(chunk: Buffer): Promise<void> | void;
}

export interface FollowControl {
  /** Whether the container still runs; following ends once it does not. */
  running(): boolean;
  /** Aborted when the client goes away. */
  signal: AbortSignal;
  /** How often to look for new lines when no file event arrives (ms). */
  pollMs?: number;
}

/**
 * The offset where the last n lines start: just after the (n+1)-th newline
 * from the end (upstream's FindTailLineStartIndex; an unterminated last
 * line is not counted but is read).
 */
export async function tailStart(fh: FileHandle, size: number, n: number): Promise<number> {
  let need = n + 1;
  const buf = Buffer.allocUnsafe(BLOCK);
  for (let right = size; right > 0; ) {
    const left = Math.max(0, right - BLOCK);
    const len = right - left;
    await fh.read(buf, 0, len, left);
    for (let i = len - 1; i >= 0; i--) if (buf[i] === 0x0a && --need === 0) return left + i + 1;
    right = left;
  }
  return 0;
}

async function openLog(path: string): Promise<FileHandle> {
  try {
    return await open(path, 'r');
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    const why = err.code === 'ENOENT' ? 'no such file or directory' : err.code === 'EACCES' ? 'permission denied' : err.message;
    throw new StreamError('BAD_REQUEST', `failed to try resolving symlinks in path "${path}": lstat ${path}: ${why}`);
  }
}

/** Turns CRI lines into output bytes, honouring stream, since, timestamps and limitBytes. */
class LineFormatter {
  readonly #opts: LogOptions;
  #remaining: number;
  constructor(opts: LogOptions) {
    this.#opts = opts;
    this.#remaining = opts.limitBytes ?? Number.POSITIVE_INFINITY;
  }

  get exhausted(): boolean {
    return this.#remaining <= 0;
  }

  /** Appends the output of one line to `out`. */
  format(line: Buffer, out: Buffer[]): void {
    if (this.exhausted) return;
    const msg = parseCriLine(line);
    if (!msg) return;
    if (this.#opts.stream && msg.stream !== this.#opts.stream) return;
    if (this.#opts.sinceNs !== undefined && msg.ns < this.#opts.sinceNs) return;
    let chunk = this.#opts.timestamps ? Buffer.concat([Buffer.from(msg.time + ' '), msg.content]) : Buffer.from(msg.content);
    if (chunk.length > this.#remaining) chunk = chunk.subarray(0, this.#remaining);
    this.#remaining -= chunk.length;
    out.push(chunk);
  }
}

/** Wakes a follower when the file changes, or after pollMs at the latest. */
class ChangeWaiter {
  #watcher?: FSWatcher;
  #wake?: () => void;
  constructor(path: string) {
    try {
      this.#watcher = watch(path, { persistent: false }, () => this.#wake?.());
      this.#watcher.on('error', () => {});
    } catch {
      // No inotify (or the file is gone): polling alone still works.
    }
  }
  wait(ms: number, signal: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.#wake = undefined;
        signal.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.#wake = done;
      signal.addEventListener('abort', done, { once: true });
    });
  }
  close(): void {
    this.#watcher?.close();
  }
}

export async function readLogs(path: string, opts: LogOptions, sink: LogSink, ctl: FollowControl): Promise<void> {
  let fh = await openLog(path);
  let waiter: ChangeWaiter | undefined;
  try {
    const fmt = new LineFormatter(opts);
    let pos = opts.tailLines !== undefined ? await tailStart(fh, (await fh.stat()).size, opts.tailLines) : 0;
    let pending: Buffer[] = [];
    let sawStopped = false;
    let drained = false;
    const buf = Buffer.allocUnsafe(BLOCK);
    while (!ctl.signal.aborted) {
      const { bytesRead } = await fh.read(buf, 0, BLOCK, pos);
      if (bytesRead > 0) {
        pos += bytesRead;
        const out: Buffer[] = [];
        let start = 0;
        for (let nl = buf.indexOf(0x0a, 0); nl >= 0 && nl < bytesRead; nl = buf.indexOf(0x0a, start)) {
          const piece = buf.subarray(start, nl + 1);
          fmt.format(pending.length ? Buffer.concat([...pending, piece]) : piece, out);
          pending = [];
          start = nl + 1;
        }
        if (start < bytesRead) pending.push(Buffer.from(buf.subarray(start, bytesRead)));
        if (out.length) await sink.write(Buffer.concat(out));
        if (fmt.exhausted) return;
        continue;
      }
      // At the end of the file. Without follow, an unterminated last line is still a line.
      if (!opts.follow) break;
      const [onDisk, mine] = await Promise.all([stat(path).catch(() => undefined), fh.stat()]);
      if (onDisk && onDisk.ino !== mine.ino) {
        // Rotated. Lines may have reached the old file between our last read and the rename:
        // read it to its end once more before continuing with the new one.
        if (!drained) {
          drained = true;
          continue;
        }
        drained = false;
        await fh.close();
        fh = await openLog(path);
        pos = 0;
        waiter?.close();
        waiter = undefined;
        continue;
      }
      if (mine.size < pos) pos = 0; // truncated in place (copytruncate)
      if (!ctl.running()) {
        // One more pass after seeing the container stopped, for lines written just before it did.
        if (sawStopped) break;
        sawStopped = true;
        continue;
      }
      waiter ??= new ChangeWaiter(path);
      await waiter.wait(ctl.pollMs ?? 500, ctl.signal);
    }
    if (pending.length && !ctl.signal.aborted) {
      const out: Buffer[] = [];
      fmt.format(Buffer.concat(pending), out);
      if (out.length) await sink.write(Buffer.concat(out));
    }
  } finally {
    waiter?.close();
    await fh.close().catch(() => {});
  }
}
