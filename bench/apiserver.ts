/**
 * Benchmark of the control plane (issue 2): a real `nanokube server` on
 * loopback, 50 open watches, sustained creates+updates at a fixed rate, and
 * latency percentiles of mutations, gets, lists of 1,000 objects and watch
 * delivery; RSS of the server idle and under load.
 *
 *   node bench/apiserver.ts [--seconds 20] [--rate 200] [--watches 50]
 *
 * Loopback only. The server is started and stopped by this script (by PID).
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { resourcePath } from '../src/client/client.ts';
import { startBenchServer } from './server.ts';
import { findKind } from '../src/api/resources.ts';

const { values } = parseArgs({ options: { seconds: { type: 'string', default: '20' }, rate: { type: 'string', default: '200' }, watches: { type: 'string', default: '50' } } });
const seconds = Number(values.seconds);
const rate = Number(values.rate);
const watches = Number(values.watches);

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] : NaN;
};
const ms = (x: number) => `${x.toFixed(2)} ms`;
const rssOf = (pid: number) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) / 1024;

const bench = await startBenchServer({ name: 'api' });
try {
  const client = bench.client;
  const cm = findKind('', 'ConfigMap')!;
  await new Promise((r) => setTimeout(r, 2000));
  const idleRss = rssOf(bench.pid);

  // 1,000 objects in their own namespace for the list measurement.
  await client.request('POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'listing' } });
  for (let i = 0; i < 1000; i += 50) {
    await Promise.all(Array.from({ length: 50 }, (_, j) => client.create(cm, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `l-${i + j}`, namespace: 'listing' }, data: { i: String(i + j) } })));
  }

  const sentAt = new Map<string, number>();
  const delivery: number[] = [];
  const ac = new AbortController();
  for (let w = 0; w < watches; w++) {
    void client
      .watch(cm, 'resourceVersion=0', (e) => {
        if (w !== 0) return;
        const t = sentAt.get(`${e.object.metadata.name}@${e.object.data?.v}`);
        if (t !== undefined) delivery.push(performance.now() - t);
      }, ac.signal, 'default')
      .catch(() => undefined);
  }
  await new Promise((r) => setTimeout(r, 500));

  const mutations: number[] = [];
  const gets: number[] = [];
  const lists: number[] = [];
  let peakRss = 0;
  const start = performance.now();
  let n = 0;
  const inflight: Promise<void>[] = [];
  while (performance.now() - start < seconds * 1000) {
    const due = start + (n * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    const i = n++;
    const name = `obj-${i % 500}`;
    const v = String(i);
    inflight.push(
      (async () => {
        const t = performance.now();
        sentAt.set(`${name}@${v}`, t);
        if (i < 500) await client.create(cm, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'default' }, data: { v } });
        else await client.patch(cm, 'default', name, { data: { v } });
        mutations.push(performance.now() - t);
      })(),
    );
    if (i % 10 === 0) {
      inflight.push(
        (async () => {
          const t = performance.now();
          await client.get(findKind('', 'Namespace')!, undefined, 'default');
          gets.push(performance.now() - t);
        })(),
      );
    }
    if (i % 100 === 0) {
      inflight.push(
        (async () => {
          const t = performance.now();
          await client.request('GET', resourcePath(cm, 'listing'));
          lists.push(performance.now() - t);
        })(),
      );
      peakRss = Math.max(peakRss, rssOf(bench.pid));
    }
  }
  await Promise.all(inflight);
  await new Promise((r) => setTimeout(r, 500));
  ac.abort();
  const achieved = n / ((performance.now() - start) / 1000);
  console.log(`nanokube apiserver, sqlite, ${watches} watches, ${seconds}s at ${rate} writes/s (achieved ${achieved.toFixed(0)}/s)`);
  console.log(`| measure | p50 | p99 | n |`);
  console.log(`|---|---|---|---|`);
  console.log(`| mutation (create/patch) | ${ms(pct(mutations, 50))} | ${ms(pct(mutations, 99))} | ${mutations.length} |`);
  console.log(`| get | ${ms(pct(gets, 50))} | ${ms(pct(gets, 99))} | ${gets.length} |`);
  console.log(`| list of 1,000 | ${ms(pct(lists, 50))} | ${ms(pct(lists, 99))} | ${lists.length} |`);
  console.log(`| watch delivery | ${ms(pct(delivery, 50))} | ${ms(pct(delivery, 99))} | ${delivery.length} |`);
  console.log(`RSS idle ${idleRss.toFixed(1)} MB, under load (peak) ${peakRss.toFixed(1)} MB`);
} finally {
  await bench.stop();
}
