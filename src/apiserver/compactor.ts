/**
 * @module Periodic compaction of the store's history, as kube-apiserver asks
 * etcd to compact every five minutes: history older than the interval is
 * dropped, so a watch from a very old resourceVersion gets 410 Gone.
 */
import type { Store } from '../store/types.ts';

export function startCompactor(opts: { store: Store; signal: AbortSignal; log: (l: string) => void; intervalMs?: number }): void {
  const every = opts.intervalMs ?? 5 * 60_000;
  let previous = 0;
  const timer = setInterval(async () => {
    try {
      // Compact to the revision seen one interval ago: a watcher has had a full interval to catch up.
      const now = await opts.store.currentRevision();
      if (previous > 0) await opts.store.compact(previous);
      previous = now;
    } catch (e) {
      opts.log(`compactor: ${(e as Error).message}`);
    }
  }, every);
  timer.unref();
  opts.signal.addEventListener('abort', () => clearInterval(timer), { once: true });
}
