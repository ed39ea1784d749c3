/**
 * @module The rules both backends share, as pure functions: the log row (one
 * row per revision, as in kine's table), how a write turns the key's latest
 * row into the next one, key order, prefix ranges and revision checks.
 */
import { StoreError } from './types.ts';
import type { KeyValue, WatchEvent } from './types.ts';

/** One revision of the log: the shape of a row of kine's table. */
export interface LogRow {
  revision: number;
  key: string;
  /** The new value; on a delete row, the value that was deleted. */
  value: string;
  createRevision: number;
  created: boolean;
  deleted: boolean;
  /**
   * The revision of the key's previous row, 0 when there is none. A create after a delete points
   * at the delete row: that keeps (key, prevRevision) unique, which kine relies on as a second
   * line of defence for compare-and-swap.
   */
  prevRevision: number;
  /** The value before this row; undefined on created rows (there was none). */
  oldValue?: string;
}

export type WriteOp =
  | { type: 'create'; key: string; value: string }
  | { type: 'update'; key: string; value: string; expectedModRevision: number }
  | { type: 'delete'; key: string; expectedModRevision: number };

export function rowToKeyValue(row: LogRow): KeyValue {
  return { key: row.key, value: row.value, createRevision: row.createRevision, modRevision: row.revision };
}

export function rowToEvent(row: LogRow): WatchEvent {
  const kv = rowToKeyValue(row);
  const type = row.deleted ? 'DELETE' : 'PUT';
  if (row.created || row.oldValue === undefined) return { type, kv, created: row.created };
  const prev = { key: row.key, value: row.oldValue, createRevision: row.createRevision, modRevision: row.prevRevision };
  return { type, kv, prev, created: false };
}

/**
 * The row a write appends, given the key's latest row (live or a delete, undefined if the key
 * has no rows), or the StoreError the write fails with. The check and the append must happen
 * in one synchronous section so that racing callers see each other.
 */
export function planWrite(op: WriteOp, latest: LogRow | undefined, revision: number): LogRow {
  const live = latest && !latest.deleted ? latest : undefined;
  if (op.type === 'create') {
    if (live) throw new StoreError('KEY_EXISTS', `key already exists: ${op.key}`);
    return {
      revision, key: op.key, value: op.value, createRevision: revision,
      created: true, deleted: false, prevRevision: latest?.revision ?? 0,
    };
  }
  if (!live) throw new StoreError('NOT_FOUND', `key not found: ${op.key}`);
  if (op.expectedModRevision !== 0 && op.expectedModRevision !== live.revision) {
    throw new StoreError(
      'CONFLICT',
      `key ${op.key} was modified at revision ${live.revision}, expected ${op.expectedModRevision}`,
      { current: rowToKeyValue(live) },
    );
  }
  return {
    revision, key: op.key,
    // A delete row keeps the deleted value so that the DELETE event (and a historical read just
    // before it) can show what went away, as kine does.
    value: op.type === 'update' ? op.value : live.value,
    createRevision: live.createRevision,
    created: false, deleted: op.type === 'delete',
    prevRevision: live.revision, oldValue: live.value,
  };
}

/**
 * Orders keys by code point, which is the byte order of their UTF-8 encoding (SQLite's BINARY
 * collation, etcd's order). Plain `<` on JS strings compares UTF-16 units and would put
 * U+E000..U+FFFF after the astral planes.
 */
export function compareKeys(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x !== y) return utf8Rank(x) - utf8Rank(y);
  }
  return a.length - b.length;
}

function utf8Rank(unit: number): number {
  if (unit >= 0xe000) return unit - 0x800;
  if (unit >= 0xd800) return unit + 0x2000;
  return unit;
}

/**
 * The smallest key greater than every key starting with prefix (etcd's "range end" for a
 * prefix), or undefined when there is none (the empty prefix: every key matches).
 */
export function prefixEnd(prefix: string): string | undefined {
  const points = Array.from(prefix);
  while (points.length > 0) {
    const last = points.pop()!.codePointAt(0)!;
    if (last < 0x10ffff) {
      const next = last + 1 === 0xd800 ? 0xe000 : last + 1;
      return points.join('') + String.fromCodePoint(next);
    }
  }
  return undefined;
}

/**
 * Keys, prefixes and values must be well-formed Unicode: SQLite stores UTF-8 and would turn a
 * lone surrogate into U+FFFD, so two different keys could silently become one.
 */
export function checkText(what: 'key' | 'prefix' | 'value', text: string): void {
  if (typeof text !== 'string' || !text.isWellFormed()) {
    throw new StoreError('INTERNAL', `${what} is not a well-formed Unicode string`);
  }
}

/** The revision a read happens at: as in etcd's Range, 0 (or less) means the current one. */
export function readRevision(requested: number | undefined, current: number, compacted: number): number {
  if (requested === undefined || requested <= 0) return current;
  if (requested > current) {
    throw new StoreError('FUTURE_REVISION', `mvcc: required revision ${requested} is a future revision (current ${current})`);
  }
  if (requested < compacted) throw compactedError(requested, compacted);
  return requested;
}

/** Watches may start at the compact revision (events after it are all kept), not below. */
export function checkWatchStart(afterRevision: number, compacted: number): void {
  if (afterRevision < compacted) throw compactedError(afterRevision, compacted);
}

/** etcd refuses to compact at or below the last compaction, or past the current revision. */
export function checkCompact(revision: number, current: number, compacted: number): void {
  if (revision > current) {
    throw new StoreError('FUTURE_REVISION', `mvcc: required revision ${revision} is a future revision (current ${current})`);
  }
  if (revision <= compacted) throw compactedError(revision, compacted);
}

function compactedError(revision: number, compacted: number): StoreError {
  return new StoreError(
    'COMPACTED',
    `mvcc: required revision ${revision} has been compacted (compacted at ${compacted})`,
    { compactRevision: compacted },
  );
}

export function closedError(): StoreError {
  return new StoreError('CLOSED', 'store is closed');
}
