/**
 * @module Fan-out of committed events to watchers, shared by every backend, with the
 * hand-over from history to live events that neither loses nor repeats one.
 */
import type { WatchEvent, WatchOptions } from './types.ts';

/**
 * Events with revision > afterRevision whose key starts with prefix, oldest first, at most
 * limit of them. Throws COMPACTED when afterRevision is below the compact revision.
 */
export type ReadHistory = (prefix: string, afterRevision: number, limit: number) => WatchEvent[];

export interface WatchHubOptions {
  readHistory: ReadHistory;
  /** History is read and delivered in pages of this many events, yielding to the event loop between pages. */
  historyPage?: number;
}

interface Watcher {
  prefix: string;
  opts: WatchOptions;
  /** Revision of the last event delivered: anything at or below it is a duplicate. */
  last: number;
  /** Live events that arrive while history is being replayed; undefined once live. */
  buffer: WatchEvent[] | undefined;
  done: boolean;
  onAbort: () => void;
}

function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

function eventRevision(e: WatchEvent): number {
  return e.kv.modRevision;
}

export class WatchHub {
  #readHistory: ReadHistory;
  #historyPage: number;
  /**
   * Watchers by prefix length, then by prefix. An event costs one map lookup per distinct
   * prefix length (a handful in practice: /registry/pods/, /registry/pods/<ns>/, ...) instead of
   * one string comparison per watcher, so hundreds of watchers stay cheap.
   */
  #byLength = new Map<number, Map<string, Set<Watcher>>>();
  #size = 0;
  /** Events published while a fan-out is running (a callback that writes): see publish(). */
  #pending: WatchEvent[] = [];
  #draining = false;

  constructor(opts: WatchHubOptions) {
    this.#readHistory = opts.readHistory;
    this.#historyPage = opts.historyPage ?? 1000;
  }

  /** Number of active watchers. */
  get size(): number {
    return this.#size;
  }

  /**
   * Registers the watcher, then replays history, then goes live. The live listener is
   * registered before the first history read, so an event committed meanwhile is either in
   * the history or in the buffer (or both: duplicates are dropped by revision). Resolves once
   * the watcher is live; rejects (registering nothing) if the first history read fails.
   */
  async watch(prefix: string, opts: WatchOptions): Promise<void> {
    if (opts.signal.aborted) return;
    const w: Watcher = {
      prefix, opts, last: opts.afterRevision, buffer: [], done: false,
      onAbort: () => this.#remove(w),
    };
    this.#add(w);
    const limit = this.#historyPage;
    let page: WatchEvent[];
    try {
      page = this.#readHistory(prefix, w.last, limit);
    } catch (err) {
      this.#remove(w);
      throw err;
    }
    opts.signal.addEventListener('abort', w.onAbort, { once: true });
    while (true) {
      for (const e of page) this.#deliver(w, e);
      if (w.done || page.length < limit) break;
      // Long histories are delivered in pages so that one watch does not hold the event loop;
      // writes landing in between go to the buffer.
      await yieldToEventLoop();
      if (w.done) return;
      try {
        page = this.#readHistory(prefix, w.last, limit);
      } catch (err) {
        // A compaction ran between pages and took events this watcher has not seen.
        this.#end(w, err as Error);
        return;
      }
    }
    if (w.done) return;
    const buffer = w.buffer!;
    for (let i = 0; i < buffer.length && !w.done; i++) this.#deliver(w, buffer[i]);
    w.buffer = undefined;
  }

  /**
   * Delivers a committed event to every matching watcher, synchronously. Backends call this
   * right after commit, in revision order. A callback may itself write to the store, which
   * publishes again from inside this call; that event is queued and delivered after the
   * current one has reached every watcher, so each watcher still sees revision order.
   */
  publish(e: WatchEvent): void {
    this.#pending.push(e);
    if (this.#draining) return;
    this.#draining = true;
    try {
      for (let i = 0; i < this.#pending.length; i++) this.#fanOut(this.#pending[i]);
    } finally {
      this.#pending.length = 0;
      this.#draining = false;
    }
  }

  /** Ends every watcher with err (the store is closing). */
  close(err: Error): void {
    for (const byPrefix of [...this.#byLength.values()]) {
      for (const set of [...byPrefix.values()]) {
        for (const w of [...set]) this.#end(w, err);
      }
    }
  }

  #fanOut(e: WatchEvent): void {
    const key = e.kv.key;
    for (const [length, byPrefix] of this.#byLength) {
      if (length > key.length) continue;
      const set = byPrefix.get(length === key.length ? key : key.slice(0, length));
      if (!set) continue;
      for (const w of set) {
        if (w.buffer) w.buffer.push(e);
        else this.#deliver(w, e);
      }
    }
  }

  #deliver(w: Watcher, e: WatchEvent): void {
    const revision = eventRevision(e);
    if (w.done || revision <= w.last) return;
    w.last = revision;
    try {
      w.opts.onEvent(e);
    } catch (err) {
      // The watcher may now be in any state, so it ends (its owner re-watches, as after a
      // closed etcd watch); the other watchers carry on.
      this.#end(w, err instanceof Error ? err : new Error(String(err)));
    }
  }

  #end(w: Watcher, err: Error): void {
    if (w.done) return;
    this.#remove(w);
    try {
      w.opts.onError?.(err);
    } catch {
      // Nothing sensible is left to tell a watcher whose error handler throws.
    }
  }

  #add(w: Watcher): void {
    let byPrefix = this.#byLength.get(w.prefix.length);
    if (!byPrefix) this.#byLength.set(w.prefix.length, (byPrefix = new Map()));
    let set = byPrefix.get(w.prefix);
    if (!set) byPrefix.set(w.prefix, (set = new Set()));
    set.add(w);
    this.#size++;
  }

  #remove(w: Watcher): void {
    if (w.done) return;
    w.done = true;
    w.buffer = undefined;
    w.opts.signal.removeEventListener('abort', w.onAbort);
    const byPrefix = this.#byLength.get(w.prefix.length);
    const set = byPrefix?.get(w.prefix);
    if (!byPrefix || !set) return;
    set.delete(w);
    this.#size--;
    if (set.size === 0) byPrefix.delete(w.prefix);
    if (byPrefix.size === 0) this.#byLength.delete(w.prefix.length);
  }
}
