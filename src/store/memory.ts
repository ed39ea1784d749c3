/**
 * @module MemoryStore: the store contract in memory, for tests. It keeps the whole log until
 * compacted, like the SQLite backend, and shares its rules (mvcc.ts) and watch fan-out.
 */
import {
  checkCompact, checkText, checkWatchStart, closedError, compareKeys, planWrite, readRevision,
  rowToEvent, rowToKeyValue,
} from './mvcc.ts';
import type { LogRow, WriteOp } from './mvcc.ts';
import type { KeyValue, ListOptions, ListResult, Store, WatchEvent, WatchOptions } from './types.ts';
import { WatchHub } from './watch-hub.ts';

export interface MemoryStoreOptions {
  /** Page size for history replay in watches (tests lower it to exercise the hand-over). */
  historyPage?: number;
}

/** Index of the first row with revision > after, rows being in revision order. */
function firstAfter(rows: LogRow[], after: number): number {
  let lo = 0;
  let hi = rows.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (rows[mid].revision <= after) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The key's latest row with revision <= revision. */
function rowAt(versions: LogRow[] | undefined, revision: number): LogRow | undefined {
  if (!versions) return undefined;
  const i = firstAfter(versions, revision);
  return i > 0 ? versions[i - 1] : undefined;
}

export class MemoryStore implements Store {
  /** Every row above the compact revision, in revision order: the source of watch history. */
  #log: LogRow[] = [];
  /** Each key's rows, oldest first: the source of reads. */
  #versions = new Map<string, LogRow[]>();
  #revision = 0;
  #compacted = 0;
  #closed = false;
  #hub: WatchHub;

  constructor(opts: MemoryStoreOptions = {}) {
    this.#hub = new WatchHub({ readHistory: (p, a, l) => this.#history(p, a, l), historyPage: opts.historyPage });
  }

  async currentRevision(): Promise<number> {
    this.#checkOpen();
    return this.#revision;
  }

  async compactRevision(): Promise<number> {
    this.#checkOpen();
    return this.#compacted;
  }

  async get(key: string, opts: { revision?: number } = {}): Promise<KeyValue | undefined> {
    this.#checkOpen();
    checkText('key', key);
    const revision = readRevision(opts.revision, this.#revision, this.#compacted);
    const row = rowAt(this.#versions.get(key), revision);
    return row && !row.deleted ? rowToKeyValue(row) : undefined;
  }

  async list(prefix: string, opts: ListOptions = {}): Promise<ListResult> {
    this.#checkOpen();
    checkText('prefix', prefix);
    if (opts.startKey !== undefined) checkText('key', opts.startKey);
    const revision = readRevision(opts.revision, this.#revision, this.#compacted);
    const start = opts.startKey !== undefined && compareKeys(opts.startKey, prefix) > 0 ? opts.startKey : prefix;
    const keys = [...this.#versions.keys()]
      .filter((k) => k.startsWith(prefix) && compareKeys(k, start) >= 0)
      .sort(compareKeys);
    const limit = opts.limit && opts.limit > 0 ? opts.limit : Infinity;
    const items: KeyValue[] = [];
    for (const key of keys) {
      const row = rowAt(this.#versions.get(key), revision);
      if (!row || row.deleted) continue;
      if (items.length === limit) return { items, revision, more: true };
      items.push(rowToKeyValue(row));
    }
    return { items, revision, more: false };
  }

  async count(prefix: string): Promise<number> {
    this.#checkOpen();
    checkText('prefix', prefix);
    let n = 0;
    for (const [key, versions] of this.#versions) {
      if (key.startsWith(prefix) && !versions[versions.length - 1].deleted) n++;
    }
    return n;
  }

  async create(key: string, value: string): Promise<KeyValue> {
    return this.#write({ type: 'create', key, value });
  }

  async update(key: string, value: string, expectedModRevision: number): Promise<KeyValue> {
    return this.#write({ type: 'update', key, value, expectedModRevision });
  }

  async delete(key: string, expectedModRevision: number): Promise<KeyValue> {
    return this.#write({ type: 'delete', key, expectedModRevision });
  }

  async watch(prefix: string, opts: WatchOptions): Promise<void> {
    this.#checkOpen();
    checkText('prefix', prefix);
    return this.#hub.watch(prefix, opts);
  }

  async compact(revision: number): Promise<void> {
    this.#checkOpen();
    checkCompact(revision, this.#revision, this.#compacted);
    this.#log.splice(0, firstAfter(this.#log, revision));
    for (const [key, versions] of this.#versions) {
      // Keep the row that was current at `revision` unless it is a delete, and everything after.
      const i = firstAfter(versions, revision);
      const keepFrom = i > 0 && !versions[i - 1].deleted ? i - 1 : i;
      if (keepFrom === versions.length) this.#versions.delete(key);
      else versions.splice(0, keepFrom);
    }
    this.#compacted = revision;
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#hub.close(closedError());
  }

  /** Check and append in one synchronous section: racing callers cannot interleave. */
  #write(op: WriteOp): KeyValue {
    this.#checkOpen();
    checkText('key', op.key);
    if (op.type !== 'delete') checkText('value', op.value);
    const versions = this.#versions.get(op.key);
    const row = planWrite(op, versions?.[versions.length - 1], this.#revision + 1);
    if (versions) versions.push(row);
    else this.#versions.set(op.key, [row]);
    this.#log.push(row);
    this.#revision = row.revision;
    this.#hub.publish(rowToEvent(row));
    return rowToKeyValue(row);
  }

  #history(prefix: string, afterRevision: number, limit: number): WatchEvent[] {
    this.#checkOpen();
    checkWatchStart(afterRevision, this.#compacted);
    const events: WatchEvent[] = [];
    for (let i = firstAfter(this.#log, afterRevision); i < this.#log.length && events.length < limit; i++) {
      const row = this.#log[i];
      if (row.key.startsWith(prefix)) events.push(rowToEvent(row));
    }
    return events;
  }

  #checkOpen(): void {
    if (this.#closed) throw closedError();
  }
}
