/**
 * @module Per-key retry with exponential back-off, the shape of client-go's
 * ItemExponentialFailureRateLimiter (5 ms doubling, capped): a conflict is
 * retried almost at once, an error that keeps coming back (an object the
 * apiserver rejects) slows down instead of looping every few hundred
 * milliseconds, and is logged at the 1st, 2nd, 4th, 8th... failure only.
 */

export class Backoff {
  readonly #failures = new Map<string, number>();
  readonly #requeue: (key: string, ms: number) => void;
  readonly #log: (key: string, err: unknown, failures: number) => void;
  readonly #baseMs: number;
  readonly #maxMs: number;

  constructor(opts: { requeue: (key: string, ms: number) => void; log: (key: string, err: unknown, failures: number) => void; baseMs?: number; maxMs?: number }) {
    this.#requeue = opts.requeue;
    this.#log = opts.log;
    this.#baseMs = opts.baseMs ?? 5;
    this.#maxMs = opts.maxMs ?? 60_000;
  }

  /** The delay before retry number n (1-based). */
  delay(n: number): number {
    return Math.min(this.#maxMs, this.#baseMs * 2 ** (n - 1));
  }

  /** Runs one sync of key; a failure schedules the next attempt instead of throwing. */
  async run(key: string, sync: () => Promise<void>): Promise<void> {
    try {
      await sync();
      this.#failures.delete(key);
    } catch (e) {
      const n = (this.#failures.get(key) ?? 0) + 1;
      this.#failures.set(key, n);
      if ((n & (n - 1)) === 0) this.#log(key, e, n);
      this.#requeue(key, this.delay(n));
    }
  }
}
