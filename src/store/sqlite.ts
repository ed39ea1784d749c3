/**
 * @module SqliteStore: the store contract on node:sqlite in the style of k3s's kine, one
 * append-only table where each row is one revision (see sqlite-sql.ts and README.md).
 */
import { DatabaseSync } from 'node:sqlite';
import type { SQLOutputValue, StatementSync } from 'node:sqlite';
import {
  checkCompact, checkText, checkWatchStart, closedError, compareKeys, planWrite, prefixEnd, readRevision,
  rowToEvent, rowToKeyValue,
} from './mvcc.ts';
import type { LogRow, WriteOp } from './mvcc.ts';
import { COMPACT_REVISION_KEY, SCHEMA, SQL } from './sqlite-sql.ts';
import { StoreError } from './types.ts';
import type { KeyValue, ListOptions, ListResult, Store, WatchEvent, WatchOptions } from './types.ts';
import { WatchHub } from './watch-hub.ts';

export type SqliteSynchronous = 'full' | 'normal';

export interface SqliteStoreOptions {
  /** The database file; its directory must exist. One process owns it at a time. */
  path: string;
  /**
   * SQLite's `synchronous` in WAL mode. 'full' (the default) fsyncs the WAL on every commit,
   * so an acknowledged write survives power loss, as it does in etcd; 'normal' only writes it
   * to the OS, which survives a crash of the process (kill -9) but may lose the last writes on
   * power loss. Both leave the database consistent. Full is the default because after a power
   * loss 'normal' would hand out lost revisions again, and an agent on another machine still
   * holding one would silently miss writes. Its cost blocks the event loop (node:sqlite is
   * synchronous); README.md has the numbers measured for both.
   */
  synchronous?: SqliteSynchronous;
  /** Page size for history replay in watches. */
  historyPage?: number;
}

type Row = Record<string, SQLOutputValue>;

function toLogRow(r: Row): LogRow {
  const row: LogRow = {
    revision: r.id as number,
    key: r.name as string,
    value: r.value as string,
    createRevision: r.create_revision as number,
    created: r.created === 1,
    deleted: r.deleted === 1,
    prevRevision: r.prev_revision as number,
  };
  if (r.old_value !== null && r.old_value !== undefined) row.oldValue = r.old_value as string;
  return row;
}

/**
 * Turns a node:sqlite error into a StoreError where it enters, as kine's translateErr does.
 * The message carries SQLite's own text, never the database path.
 */
function translateErr(err: unknown): Error {
  if (err instanceof StoreError) return err;
  const e = err as { code?: string; errcode?: number; errstr?: string; message?: string };
  if (e.code !== 'ERR_SQLITE_ERROR') return err as Error;
  if (e.errcode === 2067) {
    // kv_log_name_prev_revision: someone else appended to this key first (another process).
    return new StoreError('CONFLICT', `sqlite: concurrent write to the same key (${e.message})`);
  }
  if (e.errcode === 1555) {
    return new StoreError('INTERNAL', 'sqlite: revision already used; is another process writing to this database?');
  }
  return new StoreError('INTERNAL', `sqlite: ${e.message ?? e.errstr ?? 'unknown error'}`);
}

export class SqliteStore implements Store {
  #db: DatabaseSync;
  #stmt: Record<keyof typeof SQL, StatementSync>;
  #revision: number;
  #compacted: number;
  #closed = false;
  #hub: WatchHub;

  constructor(opts: SqliteStoreOptions) {
    const synchronous = opts.synchronous ?? 'full';
    if (synchronous !== 'full' && synchronous !== 'normal') {
      throw new StoreError('INTERNAL', `sqlite: synchronous must be "full" or "normal", not "${String(synchronous)}"`);
    }
    let db: DatabaseSync | undefined;
    try {
      db = new DatabaseSync(opts.path, { timeout: 5000 });
      // SQLite silently keeps its rollback journal where WAL cannot work (no shared memory,
      // e.g. some network filesystems); the durability reasoning above assumes WAL.
      const mode = db.prepare('PRAGMA journal_mode = WAL').get()?.journal_mode;
      if (mode !== 'wal') throw new StoreError('INTERNAL', `sqlite: cannot use WAL mode on this filesystem (journal_mode=${String(mode)})`);
      db.exec(`PRAGMA synchronous = ${synchronous.toUpperCase()}`);
      db.exec(SCHEMA);
      const stmt = {} as Record<keyof typeof SQL, StatementSync>;
      for (const [name, sql] of Object.entries(SQL)) stmt[name as keyof typeof SQL] = db.prepare(sql);
      this.#db = db;
      this.#stmt = stmt;
      // Both come from disk so that a restart continues the revision sequence exactly:
      // sqlite_sequence remembers the highest id ever used, even if compaction deleted its row.
      this.#revision = (stmt.lastRevision.get()?.seq as number | undefined) ?? 0;
      this.#compacted = (stmt.metaGet.get(COMPACT_REVISION_KEY)?.value as number | undefined) ?? 0;
    } catch (err) {
      if (db?.isOpen) db.close();
      throw translateErr(err);
    }
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
    const r = this.#run(() => this.#stmt.getAt.get(key, revision));
    if (!r) return undefined;
    const row = toLogRow(r);
    return row.deleted ? undefined : rowToKeyValue(row);
  }

  async list(prefix: string, opts: ListOptions = {}): Promise<ListResult> {
    this.#checkOpen();
    checkText('prefix', prefix);
    const revision = readRevision(opts.revision, this.#revision, this.#compacted);
    if (opts.startKey !== undefined) checkText('key', opts.startKey);
    // SQLite compares TEXT with memcmp on UTF-8, which is byte order, the order list promises.
    const start = opts.startKey !== undefined && compareKeys(opts.startKey, prefix) > 0 ? opts.startKey : prefix;
    const limit = opts.limit && opts.limit > 0 ? opts.limit : 0;
    // One row more than asked tells whether there is more; -1 is SQLite's "no limit".
    const sqlLimit = limit > 0 ? limit + 1 : -1;
    const end = prefixEnd(prefix);
    const rows = this.#run(() => end === undefined
      ? this.#stmt.listAll.all(start, revision, sqlLimit)
      : this.#stmt.listRange.all(start, end, revision, sqlLimit));
    const more = limit > 0 && rows.length > limit;
    const items = (more ? rows.slice(0, limit) : rows).map((r) => rowToKeyValue(toLogRow(r)));
    return { items, revision, more };
  }

  async count(prefix: string): Promise<number> {
    this.#checkOpen();
    checkText('prefix', prefix);
    const end = prefixEnd(prefix);
    const r = this.#run(() => end === undefined ? this.#stmt.countAll.get(prefix) : this.#stmt.countRange.get(prefix, end));
    return r!.n as number;
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
    this.#transaction(() => {
      this.#stmt.compact.run(revision, revision);
      // Stored in the same transaction, so a restart never serves reads the rows no longer support.
      this.#stmt.metaSet.run(COMPACT_REVISION_KEY, revision);
    });
    this.#compacted = revision;
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#hub.close(closedError());
    this.#db.close();
  }

  /**
   * The check (read the key's latest row) and the append happen in one transaction and in one
   * synchronous section: node:sqlite never yields, so two racing callers run one after the
   * other and the second sees the first's row. The promise resolves after COMMIT returned,
   * so an acknowledged write is in the WAL (and fsynced with synchronous=full).
   */
  #write(op: WriteOp): KeyValue {
    this.#checkOpen();
    checkText('key', op.key);
    if (op.type !== 'delete') checkText('value', op.value);
    const row = this.#transaction(() => {
      const latest = this.#stmt.latest.get(op.key);
      const next = planWrite(op, latest && toLogRow(latest), this.#revision + 1);
      this.#stmt.insert.run(
        next.revision, next.key, next.created ? 1 : 0, next.deleted ? 1 : 0,
        next.createRevision, next.prevRevision, next.value, next.oldValue ?? null,
      );
      return next;
    });
    this.#revision = row.revision;
    // Watchers hear of the write only after it is committed, in revision order.
    this.#hub.publish(rowToEvent(row));
    return rowToKeyValue(row);
  }

  #transaction<T>(fn: () => T): T {
    try {
      this.#stmt.begin.run();
      const result = fn();
      this.#stmt.commit.run();
      return result;
    } catch (err) {
      if (this.#db.isTransaction) {
        try {
          this.#stmt.rollback.run();
        } catch {
          // SQLite may already have rolled back (e.g. after an I/O error); the original error matters.
        }
      }
      throw translateErr(err);
    }
  }

  #history(prefix: string, afterRevision: number, limit: number): WatchEvent[] {
    this.#checkOpen();
    checkWatchStart(afterRevision, this.#compacted);
    const end = prefixEnd(prefix);
    const rows = this.#run(() => end === undefined
      ? this.#stmt.historyAll.all(afterRevision, prefix, limit)
      : this.#stmt.historyRange.all(afterRevision, prefix, end, limit));
    return rows.map((r) => rowToEvent(toLogRow(r)));
  }

  #run<T>(fn: () => T): T {
    try {
      return fn();
    } catch (err) {
      throw translateErr(err);
    }
  }

  #checkOpen(): void {
    if (this.#closed) throw closedError();
  }
}
