/**
 * @module Proxy workers on every core (node:cluster, like nginx's
 * worker_processes auto): the primary keeps the informers and the control
 * loop and sends each new route table over IPC; every worker binds its own
 * listening sockets with SO_REUSEPORT so that the kernel spreads
 * connections without the primary in the data path. A table counts as
 * applied once every live worker acknowledged its version. A worker that
 * dies is replaced and given the current table. With one worker the proxy
 * runs in the primary itself (no IPC at all).
 */
import cluster, { type Worker } from 'node:cluster';
import { batchedWriter } from './access-log.ts';
import { RequestCounts } from './metrics.ts';
import { IngressProxy, type ProxyOptions } from './proxy.ts';
import type { RouteTable, TlsCert } from './types.ts';

export interface ProxyPool {
  apply(t: RouteTable): Promise<void>;
  /** Requests counted by every worker so far. */
  counts(): RequestCounts;
  ready(): boolean;
  workers(): number;
  close(graceMs: number): Promise<void>;
}

export interface PoolOptions {
  workers: number;
  httpPort: number;
  httpsPort: number;
  address?: string;
  defaultCert: TlsCert;
  accessLog: boolean;
  log: (line: string) => void;
}

type ToWorker =
  | { t: 'init'; opts: Omit<ProxyOptions, 'accessLog'> & { accessLog: boolean } }
  | { t: 'table'; table: RouteTable }
  | { t: 'stop'; graceMs: number };
type FromWorker = { t: 'listening' } | { t: 'applied'; version: number } | { t: 'counts'; entries: [string, number][] } | { t: 'failed'; message: string };

/** The pool in this process: one proxy, no IPC. */
export async function inProcessPool(o: PoolOptions): Promise<ProxyPool> {
  const proxy = new IngressProxy({ httpPort: o.httpPort, httpsPort: o.httpsPort, address: o.address, defaultCert: o.defaultCert, accessLog: o.accessLog ? batchedWriter() : undefined });
  // Its own signal: the program's abort starts a graceful close (pool.close with the grace period), not an abrupt one.
  await proxy.start(new AbortController().signal);
  return {
    apply: async (t) => proxy.setTable(t),
    counts: () => proxy.counts,
    ready: () => proxy.ready(),
    workers: () => 1,
    close: (g) => proxy.close(g),
  };
}

/** Forks `o.workers` workers (the primary side); resolves once all listen, rejects if one cannot. */
export function clusterPool(o: PoolOptions): Promise<ProxyPool> {
  const counts = new RequestCounts();
  const live = new Map<Worker, { listening: boolean; version: number }>();
  const waiters: { version: number; resolve: () => void }[] = [];
  let table: RouteTable | undefined;
  let stopping = false;
  const init: ToWorker = {
    t: 'init',
    opts: { httpPort: o.httpPort, httpsPort: o.httpsPort, address: o.address, defaultCert: o.defaultCert, reusePort: true, accessLog: o.accessLog },
  };
  const settle = () => {
    for (let i = waiters.length - 1; i >= 0; i--) {
      const w = waiters[i];
      if ([...live.values()].every((s) => s.version >= w.version)) {
        waiters.splice(i, 1);
        w.resolve();
      }
    }
  };
  return new Promise((resolve, reject) => {
    let started = false;
    const fork = () => {
      const w = cluster.fork();
      live.set(w, { listening: false, version: 0 });
      w.on('message', (m: FromWorker) => {
        const s = live.get(w);
        if (!s) return;
        if (m.t === 'listening') {
          s.listening = true;
          if (table) w.send({ t: 'table', table } satisfies ToWorker);
          if (!started && [...live.values()].every((x) => x.listening)) {
            started = true;
            resolve(pool);
          }
        } else if (m.t === 'applied') {
          s.version = m.version;
          settle();
        } else if (m.t === 'counts') counts.merge(m.entries);
        else if (m.t === 'failed') {
          o.log(`ingress: worker ${w.process.pid}: ${m.message}`);
          if (!started) {
            stopping = true;
            for (const x of live.keys()) x.kill();
            reject(new Error(m.message));
          }
        }
      });
      w.on('exit', (code, sig) => {
        live.delete(w);
        settle();
        if (stopping) return;
        o.log(`ingress: worker ${w.process.pid} exited (${sig ?? code}); starting another`);
        setTimeout(fork, 200);
      });
      w.send(init);
    };
    for (let i = 0; i < o.workers; i++) fork();
    const pool: ProxyPool = {
      apply(t) {
        table = t;
        for (const [w, s] of live) if (s.listening) w.send({ t: 'table', table: t } satisfies ToWorker);
        return new Promise<void>((res) => {
          waiters.push({ version: t.version, resolve: res });
          settle();
        });
      },
      counts: () => counts,
      ready: () => started && [...live.values()].some((s) => s.listening),
      workers: () => live.size,
      close(graceMs) {
        stopping = true;
        const exits = [...live.keys()].map((w) => new Promise<void>((r) => (w.isDead() ? r() : w.once('exit', () => r()))));
        for (const w of live.keys()) if (w.isConnected()) w.send({ t: 'stop', graceMs } satisfies ToWorker);
        const hard = setTimeout(() => {
          for (const w of live.keys()) w.process.kill('SIGKILL');
        }, graceMs + 2000);
        return Promise.all(exits).then(() => clearTimeout(hard));
      },
    };
  });
}

/** The worker side: waits for its options, listens, applies tables, reports counts every second. */
export function runWorker(): void {
  let proxy: IngressProxy | undefined;
  const send = (m: FromWorker) => process.send?.(m);
  const ac = new AbortController();
  const timer = setInterval(() => {
    const e = proxy?.counts.drain();
    if (e && e.length > 0) send({ t: 'counts', entries: e });
  }, 1000);
  timer.unref();
  // The primary handles SIGTERM/SIGINT and tells the workers to stop.
  process.on('SIGTERM', () => undefined);
  process.on('SIGINT', () => undefined);
  process.on('disconnect', () => process.exit(0));
  process.on('message', (m: ToWorker) => {
    if (m.t === 'init') {
      proxy = new IngressProxy({ ...m.opts, accessLog: m.opts.accessLog ? batchedWriter() : undefined });
      proxy.start(ac.signal).then(
        () => send({ t: 'listening' }),
        (e: Error) => send({ t: 'failed', message: e.message }),
      );
    } else if (m.t === 'table') {
      proxy?.setTable(m.table);
      send({ t: 'applied', version: m.table.version });
    } else if (m.t === 'stop') {
      void (proxy?.close(m.graceMs) ?? Promise.resolve()).then(() => {
        const e = proxy?.counts.drain();
        if (e && e.length > 0) send({ t: 'counts', entries: e });
        process.exit(0);
      });
    }
  });
}
