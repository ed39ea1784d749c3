/**
 * @module The service proxy's Prometheus metrics, with kube-proxy's names
 * where kube-proxy has one (`kubeproxy_sync_proxy_rules_duration_seconds`,
 * `kubeproxy_network_programming_duration_seconds`,
 * `kubeproxy_sync_proxy_rules_last_timestamp_seconds`), one series per node
 * (label `node`), served on 127.0.0.1:10249/metrics like kube-proxy's
 * `--metrics-bind-address` default.
 */
import { createServer, type Server } from 'node:http';

/** kube-proxy's buckets for both histograms (exponential from 1 ms). */
export const BUCKETS = [0.001, 0.002, 0.004, 0.008, 0.016, 0.032, 0.064, 0.128, 0.256, 0.512, 1.024, 2.048, 4.096, 8.192, 16.384];

export class Histogram {
  readonly counts = new Array<number>(BUCKETS.length).fill(0);
  sum = 0;
  count = 0;

  observe(seconds: number): void {
    this.sum += seconds;
    this.count++;
    for (let i = 0; i < BUCKETS.length; i++) if (seconds <= BUCKETS[i]) this.counts[i]++;
  }
}

/** What one node's proxier exposes. */
export interface ProxyMetricsView {
  node: string;
  mode: string;
  syncs: number;
  failures: number;
  fullSyncs: number;
  rules: number;
  lastSyncTimestamp: number;
  syncDuration: Histogram;
  programming: Histogram;
}

function histogram(name: string, help: string, rows: { labels: string; h: Histogram }[]): string[] {
  const out = [`# HELP ${name} ${help}`, `# TYPE ${name} histogram`];
  for (const { labels, h } of rows) {
    BUCKETS.forEach((b, i) => out.push(`${name}_bucket{${labels},le="${b}"} ${h.counts[i]}`));
    out.push(`${name}_bucket{${labels},le="+Inf"} ${h.count}`, `${name}_sum{${labels}} ${h.sum}`, `${name}_count{${labels}} ${h.count}`);
  }
  return out;
}

function simple(name: string, type: 'counter' | 'gauge', help: string, rows: { labels: string; v: number }[]): string[] {
  return [`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`, ...rows.map((r) => `${name}{${r.labels}} ${r.v}`)];
}

/** Pure: the Prometheus text exposition of every node's proxy metrics. */
export function renderProxyMetrics(views: ProxyMetricsView[]): string {
  const l = (v: ProxyMetricsView) => `node="${v.node}"`;
  return [
    ...histogram('kubeproxy_sync_proxy_rules_duration_seconds', 'SyncProxyRules latency in seconds', views.map((v) => ({ labels: l(v), h: v.syncDuration }))),
    ...histogram('kubeproxy_network_programming_duration_seconds', 'In Cluster Network Programming Latency in seconds', views.map((v) => ({ labels: l(v), h: v.programming }))),
    ...simple('kubeproxy_sync_proxy_rules_last_timestamp_seconds', 'gauge', 'The last time proxy rules were successfully synced', views.map((v) => ({ labels: l(v), v: v.lastSyncTimestamp }))),
    ...simple('nanokube_proxy_syncs_total', 'counter', 'Syncs of the proxy rules, by result', views.flatMap((v) => [{ labels: `${l(v)},result="ok"`, v: v.syncs }, { labels: `${l(v)},result="error"`, v: v.failures }])),
    ...simple('nanokube_proxy_full_syncs_total', 'counter', 'Syncs that rewrote every rule or listener', views.map((v) => ({ labels: l(v), v: v.fullSyncs }))),
    ...simple('nanokube_proxy_rules', 'gauge', 'Rules (nftables mode) or listeners (userspace mode) programmed after the last sync', views.map((v) => ({ labels: `${l(v)},mode="${v.mode}"`, v: v.rules }))),
    '',
  ].join('\n');
}

/**
 * Serves /metrics on host:port (port 0: any free port). A port already taken is not fatal: the
 * returned promise resolves with undefined and the caller logs it (several clusters on one machine).
 */
export async function serveProxyMetrics(o: { host: string; port: number; views: () => ProxyMetricsView[] }): Promise<Server | undefined> {
  const server = createServer((req, res) => {
    if (req.url !== '/metrics') {
      res.writeHead(404).end('404 page not found\n');
      return;
    }
    res.writeHead(200, { 'Content-Type': 'text/plain; version=0.0.4; charset=utf-8' }).end(renderProxyMetrics(o.views()));
  });
  return new Promise((resolve) => {
    server.once('error', () => resolve(undefined));
    server.listen(o.port, o.host, () => resolve(server));
  });
}
