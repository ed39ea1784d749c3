/**
 * @module Container log files in the CRI format the kubelet reads
 * (`2026-11-22T02:00:00.123456789Z stdout F line`): one record per line of
 * output, `F` for a full line, `P` for a piece of a line longer than the
 * 16 KiB buffer (as containerd's cio logger splits them), the trailing
 * newline dropped. Output without a final newline is written as `F` when
 * the stream ends, as containerd does at EOF.
 */
import { once } from 'node:events';
import { createWriteStream, mkdirSync, type WriteStream } from 'node:fs';
import { dirname } from 'node:path';
import type { Readable } from 'node:stream';

export type LogStream = 'stdout' | 'stderr';

/** containerd's maximum record size (defaultBufSize in cri's io/logger.go). */
export const MAX_LOG_LINE = 16 * 1024;

const NS_PER_MS = 1_000_000n;
// Date has milliseconds; hrtime adds the nanoseconds, anchored once so that stamps never go backwards.
const anchorWall = BigInt(Date.now()) * NS_PER_MS;
const anchorMono = process.hrtime.bigint();

/** Wall-clock time in nanoseconds since the epoch. */
export function nowNanos(): bigint {
  return anchorWall + (process.hrtime.bigint() - anchorMono);
}

/** RFC 3339 with nine fraction digits, UTC: the stamp kubelet writes (timeFormatOut) and reads. */
export function formatTimestamp(nanos: bigint): string {
  const ms = nanos / NS_PER_MS;
  const iso = new Date(Number(ms)).toISOString();
  const frac = String(nanos % 1_000_000_000n).padStart(9, '0');
  return `${iso.slice(0, 19)}.${frac}Z`;
}

/** Parses an RFC 3339 stamp (any fraction length, any offset) to nanoseconds; null when it does not parse. */
export function parseTimestamp(s: string): bigint | null {
  const m = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:\d{2})$/.exec(s);
  if (!m) return null;
  const secs = Date.parse(`${m[1]}${m[3]}`);
  if (Number.isNaN(secs)) return null;
  return BigInt(secs) * NS_PER_MS + BigInt((m[2] ?? '').padEnd(9, '0'));
}

export function formatRecord(nanos: bigint, stream: LogStream, partial: boolean, content: Buffer | string): Buffer {
  return Buffer.concat([Buffer.from(`${formatTimestamp(nanos)} ${stream} ${partial ? 'P' : 'F'} `), Buffer.from(content), Buffer.from('\n')]);
}

/**
 * Splits one output stream into CRI records. Feed it chunks; it emits
 * complete records through `write` and keeps an unterminated line until a
 * newline, the size limit or `end()`.
 */
export class LineSplitter {
  #stream: LogStream;
  #write: (record: Buffer) => void;
  #clock: () => bigint;
  #pending: Buffer[] = [];
  #pendingLength = 0;

  constructor(opts: { stream: LogStream; write: (record: Buffer) => void; clock?: () => bigint }) {
    this.#stream = opts.stream;
    this.#write = opts.write;
    this.#clock = opts.clock ?? nowNanos;
  }

  push(chunk: Buffer): void {
    let start = 0;
    while (start < chunk.length) {
      const nl = chunk.indexOf(0x0a, start);
      const end = nl < 0 ? chunk.length : nl;
      let piece = chunk.subarray(start, end);
      while (this.#pendingLength + piece.length > MAX_LOG_LINE) {
        const room = MAX_LOG_LINE - this.#pendingLength;
        this.#add(piece.subarray(0, room));
        this.#flush(true);
        piece = piece.subarray(room);
      }
      this.#add(piece);
      if (nl < 0) break;
      this.#flush(false);
      start = nl + 1;
    }
  }

  /** The stream ended: what is left is a full line (containerd writes it with F at EOF). */
  end(): void {
    if (this.#pendingLength > 0) this.#flush(false);
  }

  #add(piece: Buffer): void {
    if (piece.length === 0) return;
    this.#pending.push(piece);
    this.#pendingLength += piece.length;
  }

  #flush(partial: boolean): void {
    const content = Buffer.concat(this.#pending);
    this.#pending = [];
    this.#pendingLength = 0;
    this.#write(formatRecord(this.#clock(), this.#stream, partial, content));
  }
}

/**
 * Appends a process's stdout and stderr to one CRI log file. `done` settles
 * when both streams have ended and every record is on disk.
 */
export class CriLogWriter {
  #file: WriteStream;
  #open = 0;
  #ended: Promise<void>;
  #endResolve!: () => void;

  constructor(path: string) {
    mkdirSync(dirname(path), { recursive: true });
    this.#file = createWriteStream(path, { flags: 'a' });
    this.#ended = new Promise((r) => (this.#endResolve = r));
  }

  /** Attaches a stream; its data is split into records of the given stream name. */
  attach(source: Readable, stream: LogStream): void {
    this.#open++;
    const splitter = new LineSplitter({ stream, write: (rec) => this.#file.write(rec) });
    source.on('data', (chunk: Buffer) => splitter.push(chunk));
    const finish = () => {
      splitter.end();
      if (--this.#open === 0) this.#endResolve();
    };
    let finished = false;
    const onceFinish = () => {
      if (!finished) {
        finished = true;
        finish();
      }
    };
    source.once('end', onceFinish);
    source.once('close', onceFinish);
    source.once('error', onceFinish);
  }

  /** Writes a record directly (the runtime's own notes, such as a start error). */
  note(stream: LogStream, line: string): void {
    this.#file.write(formatRecord(nowNanos(), stream, false, line));
  }

  async close(): Promise<void> {
    if (this.#open > 0) await this.#ended;
    this.#file.end();
    if (!this.#file.closed) await once(this.#file, 'close');
  }
}
