/**
 * @module Reads a CRI log file the way the kubelet serves `kubectl logs`
 * (pkg/kubelet/kuberuntime/logs): `--tail` counts records from the end of
 * the file, `--since`/`--since-time` skip older records, `--timestamps`
 * prefixes each record with its stamp (nine fraction digits), `--limit-bytes`
 * cuts the output, `-f` keeps reading until the container stops or the
 * caller aborts. Partial (`P`) records are written without a newline.
 */
import { watch, type FSWatcher } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { formatTimestamp, parseTimestamp, type LogStream } from './cri-log.ts';

export interface ReadLogsOptions {
  /** Records from the end; undefined or negative: all. */
  tail?: number;
  /** Skip records stamped before this time (kubectl --since-time; --since is now minus the duration). */
  sinceTime?: Date;
  timestamps?: boolean;
  limitBytes?: number;
  follow?: boolean;
  signal?: AbortSignal;
  /** With follow: reading stops at the end of the file once this says the container has stopped. */
  stillRunning?: () => boolean;
  /** Only this stream (the kubelet API allows it; kubectl asks for both). */
  stream?: LogStream;
  /** How often to look for new data when the file watcher says nothing (ms). */
  pollMs?: number;
}

export interface LogRecord {
  nanos: bigint;
  stream: LogStream;
  partial: boolean;
  content: Buffer;
}

/** parseCRILog: `<stamp> <stream> <tag> <content>`; null for a line that is not a record. */
export function parseRecord(line: Buffer): LogRecord | null {
  const s1 = line.indexOf(0x20);
  if (s1 < 0) return null;
  const nanos = parseTimestamp(line.subarray(0, s1).toString());
  if (nanos === null) return null;
  const s2 = line.indexOf(0x20, s1 + 1);
  if (s2 < 0) return null;
  const stream = line.subarray(s1 + 1, s2).toString();
  if (stream !== 'stdout' && stream !== 'stderr') return null;
  const s3 = line.indexOf(0x20, s2 + 1);
  const tag = line.subarray(s2 + 1, s3 < 0 ? line.length : s3).toString().split(':')[0];
  if (tag !== 'P' && tag !== 'F') return null;
  return { nanos, stream, partial: tag === 'P', content: s3 < 0 ? Buffer.alloc(0) : line.subarray(s3 + 1) };
}

/** The byte offset where the last `n` lines of the file begin (tail.FindTailLineStartIndex). */
export async function tailStart(fh: FileHandle, size: number, n: number): Promise<number> {
  if (n < 0) return 0;
  if (n === 0) return size;
  const block = 64 * 1024;
  const buf = Buffer.alloc(block);
  let pos = size;
  let count = 0;
  while (pos > 0) {
    const len = Math.min(block, pos);
    pos -= len;
    await fh.read(buf, 0, len, pos);
    for (let i = len - 1; i >= 0; i--) {
      // The newline that ends the file closes the last line; it does not start one.
      if (buf[i] !== 0x0a || pos + i === size - 1) continue;
      if (++count === n) return pos + i + 1;
    }
  }
  return 0;
}

/** Yields kubectl's output for one container log file. */
export async function* readLogs(path: string, opts: ReadLogsOptions = {}): AsyncGenerator<Buffer> {
  const fh = await open(path, 'r');
  let watcher: FSWatcher | undefined;
  try {
    const { size } = await fh.stat();
    let pos = opts.tail !== undefined && opts.tail >= 0 ? await tailStart(fh, size, opts.tail) : 0;
    const since = opts.sinceTime ? BigInt(opts.sinceTime.getTime()) * 1_000_000n : null;
    let budget = opts.limitBytes !== undefined && opts.limitBytes > 0 ? opts.limitBytes : Infinity;
    let carry = Buffer.alloc(0);
    const buf = Buffer.alloc(64 * 1024);
    let wake: (() => void) | undefined;
    const poke = () => wake?.();
    if (opts.follow) {
      try {
        watcher = watch(path, poke);
        watcher.on('error', () => {});
      } catch {}
      opts.signal?.addEventListener('abort', poke, { once: true });
    }
    while (!opts.signal?.aborted) {
      const { bytesRead } = await fh.read(buf, 0, buf.length, pos);
      if (bytesRead > 0) {
        pos += bytesRead;
        const data = carry.length ? Buffer.concat([carry, buf.subarray(0, bytesRead)]) : Buffer.from(buf.subarray(0, bytesRead));
        let start = 0;
        for (let nl = data.indexOf(0x0a); nl >= 0; nl = data.indexOf(0x0a, start)) {
          const rec = parseRecord(data.subarray(start, nl));
          start = nl + 1;
          if (!rec || (since !== null && rec.nanos < since) || (opts.stream && rec.stream !== opts.stream)) continue;
          let out = render(rec, opts.timestamps === true);
          if (out.length >= budget) out = out.subarray(0, budget);
          budget -= out.length;
          yield out;
          if (budget <= 0) return;
        }
        carry = Buffer.from(data.subarray(start));
        continue;
      }
      if (!opts.follow) return;
      // At the end of the file: the kubelet stops following once the container is no longer running.
      if (opts.stillRunning && !opts.stillRunning()) {
        const more = await fh.read(buf, 0, 1, pos);
        if (more.bytesRead === 0) return;
        continue;
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, opts.pollMs ?? 250);
        function done() {
          clearTimeout(timer);
          wake = undefined;
          resolve();
        }
        wake = done;
      });
    }
  } finally {
    watcher?.close();
    await fh.close();
  }
}

function render(rec: LogRecord, timestamps: boolean): Buffer {
  const parts: Buffer[] = [];
  if (timestamps) parts.push(Buffer.from(`${formatTimestamp(rec.nanos)} `));
  parts.push(rec.content);
  if (!rec.partial) parts.push(Buffer.from('\n'));
  return Buffer.concat(parts);
}
