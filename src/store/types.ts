/**
 * @module The store contract: an MVCC key/value log with watch, shaped like
 * etcd's v3 API as Kubernetes uses it (and as kine puts SQL behind it).
 *
 * Every successful write gets a new cluster-wide revision (strictly
 * increasing, starting at 1 for the first write). A key's modRevision is the
 * revision of its last write; createRevision the revision that created it.
 * Values are opaque strings (the apiserver stores JSON).
 */

export interface KeyValue {
  key: string;
  value: string;
  createRevision: number;
  modRevision: number;
}

export type WatchEventType = 'PUT' | 'DELETE';

export interface WatchEvent {
  type: WatchEventType;
  /** For PUT the new value; for DELETE the key with the deleted value and modRevision = the delete's revision. */
  kv: KeyValue;
  /** The value before this event, when there was one. */
  prev?: KeyValue;
  /** True on a PUT that created the key. */
  created: boolean;
}

export interface ListOptions {
  /** Read at this revision (0 or undefined: the current one). */
  revision?: number;
  /** At most this many items (0 or undefined: all). */
  limit?: number;
  /** Start at this key (inclusive), for paging; keys are returned in byte order. */
  startKey?: string;
}

export interface ListResult {
  items: KeyValue[];
  /** The revision the list was read at. */
  revision: number;
  /** True when the limit cut the list short. */
  more: boolean;
}

export interface WatchOptions {
  /** Deliver every event with revision > afterRevision (history first, then live). */
  afterRevision: number;
  signal: AbortSignal;
  /** Called for each event, in revision order. */
  onEvent: (e: WatchEvent) => void;
  /** Called once if the watch ends for a reason other than the signal (e.g. the store closing). */
  onError?: (err: Error) => void;
}

export type StoreErrorCode = 'KEY_EXISTS' | 'NOT_FOUND' | 'CONFLICT' | 'COMPACTED' | 'FUTURE_REVISION' | 'CLOSED' | 'INTERNAL';

export class StoreError extends Error {
  readonly code: StoreErrorCode;
  /** For CONFLICT: the current value; for COMPACTED: the compacted revision. */
  readonly current?: KeyValue;
  readonly compactRevision?: number;
  constructor(code: StoreErrorCode, message: string, extra: { current?: KeyValue; compactRevision?: number } = {}) {
    super(message);
    this.name = 'StoreError';
    this.code = code;
    this.current = extra.current;
    this.compactRevision = extra.compactRevision;
  }
}

export interface Store {
  /** The newest revision. */
  currentRevision(): Promise<number>;
  /** The oldest revision a watch or read may start from (everything below was compacted). */
  compactRevision(): Promise<number>;
  get(key: string, opts?: { revision?: number }): Promise<KeyValue | undefined>;
  /** Keys starting with prefix, in key order. COMPACTED if opts.revision is below the compact revision. */
  list(prefix: string, opts?: ListOptions): Promise<ListResult>;
  count(prefix: string): Promise<number>;
  /** KEY_EXISTS if the key exists. Returns the new KeyValue. */
  create(key: string, value: string): Promise<KeyValue>;
  /**
   * Compare-and-swap on the key's modRevision. NOT_FOUND if missing, CONFLICT (with current) if
   * expectedModRevision differs. expectedModRevision 0 means unconditional.
   */
  update(key: string, value: string, expectedModRevision: number): Promise<KeyValue>;
  /** Same compare semantics as update. Returns the deleted KeyValue with modRevision = the delete's revision. */
  delete(key: string, expectedModRevision: number): Promise<KeyValue>;
  /** Watch keys with prefix. COMPACTED (synchronously thrown / rejected) if afterRevision+1 is compacted. */
  watch(prefix: string, opts: WatchOptions): Promise<void>;
  /** Drop history at and below revision (keeping each key's latest value). */
  compact(revision: number): Promise<void>;
  close(): Promise<void>;
}
