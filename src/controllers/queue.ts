/**
 * @module A work queue with de-duplication and retry after a delay, the
 * shape of client-go's rate-limited workqueue: a key is processed by one
 * worker at a time, and a key added while it is processed runs again after.
 */

export class WorkQueue {
  readonly #pending = new Set<string>();
  readonly #running = new Set<string>();
  readonly #again = new Set<string>();
  readonly #work: (key: string) => Promise<void>;
  readonly #retryMs: number;
  readonly #onError: (key: string, err: unknown) => void;
  #signal?: AbortSignal;

  constructor(opts: { work: (key: string) => Promise<void>; retryMs?: number; onError?: (key: string, err: unknown) => void }) {
    this.#work = opts.work;
    this.#retryMs = opts.retryMs ?? 1000;
    this.#onError = opts.onError ?? (() => {});
  }

  start(signal: AbortSignal): void {
    this.#signal = signal;
    for (const k of this.#pending) this.#run(k);
  }

  add(key: string): void {
    if (this.#running.has(key)) {
      this.#again.add(key);
      return;
    }
    if (this.#pending.has(key)) return;
    this.#pending.add(key);
    if (this.#signal) queueMicrotask(() => this.#run(key));
  }

  addAfter(key: string, ms: number): void {
    const t = setTimeout(() => this.add(key), ms);
    t.unref();
  }

  #run(key: string): void {
    if (!this.#pending.has(key) || this.#running.has(key) || this.#signal?.aborted) return;
    this.#pending.delete(key);
    this.#running.add(key);
    this.#work(key)
      .catch((e) => {
        if (this.#signal?.aborted) return;
        this.#onError(key, e);
        this.addAfter(key, this.#retryMs);
      })
      .finally(() => {
        this.#running.delete(key);
        if (this.#again.delete(key)) this.add(key);
      });
  }
}
