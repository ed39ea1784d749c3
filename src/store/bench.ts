/**
 * @module Measures what README.md reports: the latency of one acknowledged write with
 * synchronous=full and =normal, and the cost of fanning a write out to many watchers.
 * Usage: node src/store/bench.ts [DIR] (DIR must be on the disk being measured; default: the OS temp dir).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MemoryStore } from './memory.ts';
import { SqliteStore } from './sqlite.ts';
import type { SqliteSynchronous } from './sqlite.ts';
import type { Store } from './types.ts';

function summary(micros: number[]): string {
  const sorted = [...micros].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))].toFixed(0);
  const mean = (sorted.reduce((a, b) => a + b, 0) / sorted.length).toFixed(0);
  return `mean ${mean} µs, p50 ${at(0.5)} µs, p99 ${at(0.99)} µs`;
}

async function timeWrites(store: Store, n: number, round: string): Promise<number[]> {
  const value = JSON.stringify({ kind: 'Pod', pad: 'x'.repeat(1000) });
  const micros: number[] = [];
  for (let i = 0; i < n; i++) {
    const key = `/registry/pods/${round}/p${i % 100}`;
    const t0 = process.hrtime.bigint();
    if (i < 100) await store.create(key, value);
    else await store.update(key, value, 0);
    micros.push(Number(process.hrtime.bigint() - t0) / 1000);
  }
  return micros;
}

const dir = mkdtempSync(join(process.argv[2] ?? tmpdir(), 'nanokube-bench-'));
try {
  for (const synchronous of ['full', 'normal', 'full', 'normal'] as SqliteSynchronous[]) {
    const store = new SqliteStore({ path: join(dir, `${synchronous}-${Date.now()}.db`), synchronous });
    await timeWrites(store, 200, 'warm-up'); // warm-up: file growth, page cache
    console.log(`sqlite synchronous=${synchronous}: ${summary(await timeWrites(store, 3000, 'measured'))}`);
    await store.close();
  }
  for (const watchers of [0, 500]) {
    const store = new MemoryStore();
    const ac = new AbortController();
    for (let i = 0; i < watchers; i++) {
      await store.watch(`/registry/pods/ns-${i}/`, { afterRevision: 0, signal: ac.signal, onEvent: () => {} });
    }
    await timeWrites(store, 1000, 'warm-up');
    console.log(`memory, ${watchers} watchers on other prefixes: ${summary(await timeWrites(store, 20000, 'measured'))}`);
    ac.abort();
    await store.close();
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
