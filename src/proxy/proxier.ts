/**
 * @module The service proxy of one node (kube-proxy's shape): informers on
 * Services and EndpointSlices only record that something changed; one sync
 * at a time computes the whole desired state with the pure model and hands
 * it to the mode's syncer, which applies the difference. A failed sync is
 * retried after a second (the syncer then rewrites everything). Changes that
 * arrive during a sync are coalesced into the next one.
 */
import type { KubeObject } from '../api/meta.ts';
import { findKind } from '../api/resources.ts';
import type { Client } from '../client/client.ts';
import { Informer } from '../client/informer.ts';
import { proxyState } from './model.ts';
import type { AddressSyncer } from './addresses.ts';
import { Histogram, type ProxyMetricsView } from './metrics.ts';
import type { ProxyNodeInfo, ProxySyncer } from './types.ts';

export interface ProxierOptions {
  client: Client;
  node: ProxyNodeInfo;
  syncer: ProxySyncer;
  /** Puts external and pool addresses on the node (isolated mode). */
  addresses?: AddressSyncer;
  log: (line: string) => void;
  /** Delay before a retry after a failed sync (kube-proxy retries on its next sync period). */
  retryMs?: number;
}

/** What the proxier measured (logged, and read by the benchmarks). */
export interface ProxyMetrics {
  syncs: number;
  failures: number;
  fullSyncs: number;
  /** Rules (nftables) or listeners (userspace) after the last sync. */
  rules: number;
  lastSyncSeconds: number;
  /** Sync durations in seconds, newest last (bounded). */
  syncSeconds: number[];
  /** Network programming latency in seconds: from a change's arrival (or its EndpointSlice trigger time) to the sync that applied it. */
  programmingSeconds: number[];
  /** Wall-clock time (s) of the last successful sync. */
  lastSyncTimestamp: number;
  syncDuration: Histogram;
  programming: Histogram;
}

const KEEP = 10_000;
const TRIGGER = 'endpoints.kubernetes.io/last-change-trigger-time';

function push(list: number[], v: number): void {
  list.push(v);
  if (list.length > KEEP) list.splice(0, list.length - KEEP);
}

export class Proxier {
  readonly #o: ProxierOptions;
  readonly #services: Informer;
  readonly #slices: Informer;
  /** Wall-clock time (ms) of the oldest change not yet applied; undefined when in sync. */
  #pendingSince: number | undefined;
  #running = false;
  #synced = false;
  #retry: NodeJS.Timeout | undefined;
  #retryArmed = false;
  #signal: AbortSignal | undefined;
  readonly metrics: ProxyMetrics = {
    syncs: 0,
    failures: 0,
    fullSyncs: 0,
    rules: 0,
    lastSyncSeconds: 0,
    syncSeconds: [],
    programmingSeconds: [],
    lastSyncTimestamp: 0,
    syncDuration: new Histogram(),
    programming: new Histogram(),
  };

  constructor(o: ProxierOptions) {
    this.#o = o;
    this.#services = new Informer({ client: o.client, def: findKind('', 'Service')! });
    this.#slices = new Informer({ client: o.client, def: findKind('discovery.k8s.io', 'EndpointSlice')! });
  }

  get mode(): string {
    return this.#o.syncer.mode;
  }

  /** True once the first full state has been applied. */
  ready(): boolean {
    return this.#synced;
  }

  async start(signal: AbortSignal): Promise<void> {
    this.#signal = signal;
    const changed = (_t: string, obj: KubeObject) => this.#changed(obj);
    this.#services.on(changed);
    this.#slices.on(changed);
    void this.#services.start(signal);
    void this.#slices.start(signal);
    await Promise.all([this.#services.waitSynced(), this.#slices.waitSynced()]);
    this.#pendingSince ??= Date.now();
    await this.#sync();
    signal.addEventListener('abort', () => clearTimeout(this.#retry), { once: true });
  }

  #changed(obj: KubeObject): void {
    const trigger = Date.parse(obj.metadata.annotations?.[TRIGGER] ?? '');
    const at = Number.isFinite(trigger) && trigger <= Date.now() ? trigger : Date.now();
    this.#pendingSince = Math.min(this.#pendingSince ?? at, at);
    if (this.#services.ready() && this.#slices.ready() && !this.#retryArmed) void this.#sync();
  }

  async #sync(): Promise<void> {
    if (this.#running || this.#signal?.aborted || this.#pendingSince === undefined) return;
    this.#running = true;
    const since = this.#pendingSince;
    this.#pendingSince = undefined;
    const t0 = performance.now();
    try {
      const state = proxyState(this.#services.list(), this.#slices.list(), this.#o.node);
      await this.#o.addresses?.sync(state);
      const r = await this.#o.syncer.sync(state);
      const took = (performance.now() - t0) / 1000;
      const m = this.metrics;
      m.syncs++;
      if (r.full) m.fullSyncs++;
      m.rules = r.rules;
      m.lastSyncSeconds = took;
      push(m.syncSeconds, took);
      const programming = Math.max(0, Date.now() - since) / 1000;
      push(m.programmingSeconds, programming);
      m.syncDuration.observe(took);
      m.programming.observe(programming);
      m.lastSyncTimestamp = Date.now() / 1000;
      if (!this.#synced || r.full) this.#o.log(`proxy: ${this.#o.node.nodeName} synced mode=${this.mode} services=${state.services.length} rules=${r.rules} full=${r.full} took=${took.toFixed(3)}s`);
      this.#synced = true;
    } catch (e) {
      this.metrics.failures++;
      this.#pendingSince = Math.min(this.#pendingSince ?? since, since);
      this.#o.log(`proxy: ${this.#o.node.nodeName} sync failed, full resync in ${(this.#o.retryMs ?? 1000) / 1000}s: ${(e as Error).message}`);
      clearTimeout(this.#retry);
      this.#retryArmed = true;
      this.#retry = setTimeout(() => {
        this.#retryArmed = false;
        void this.#sync();
      }, this.#o.retryMs ?? 1000);
      this.#retry.unref();
    } finally {
      this.#running = false;
    }
    // Changes that came in while this sync ran (after a failure, the retry timer runs it).
    if (this.#pendingSince !== undefined && !this.#retryArmed) void this.#sync();
  }

  /** This proxier's metrics for /metrics. */
  view(): ProxyMetricsView {
    const m = this.metrics;
    return { node: this.#o.node.nodeName, mode: this.mode, ...m };
  }

  /** Removes what the syncer programmed. */
  async close(): Promise<void> {
    clearTimeout(this.#retry);
    await this.#o.syncer.close();
    await this.#o.addresses?.close();
  }
}
