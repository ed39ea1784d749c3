import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Histogram, renderProxyMetrics, serveProxyMetrics, type ProxyMetricsView } from './metrics.ts';

const view = (node: string): ProxyMetricsView => {
  const syncDuration = new Histogram();
  syncDuration.observe(0.003);
  syncDuration.observe(0.5);
  const programming = new Histogram();
  programming.observe(0.02);
  return { node, mode: 'nftables', syncs: 2, failures: 1, fullSyncs: 1, rules: 48, lastSyncTimestamp: 1700000000, syncDuration, programming };
};

describe('proxy metrics', () => {
  it('histograms count cumulatively into kube-proxy buckets', () => {
    const text = renderProxyMetrics([view('n0')]);
    assert.match(text, /^# TYPE kubeproxy_sync_proxy_rules_duration_seconds histogram$/m);
    assert.match(text, /^kubeproxy_sync_proxy_rules_duration_seconds_bucket\{node="n0",le="0.002"\} 0$/m);
    assert.match(text, /^kubeproxy_sync_proxy_rules_duration_seconds_bucket\{node="n0",le="0.004"\} 1$/m);
    assert.match(text, /^kubeproxy_sync_proxy_rules_duration_seconds_bucket\{node="n0",le="0.512"\} 2$/m);
    assert.match(text, /^kubeproxy_sync_proxy_rules_duration_seconds_bucket\{node="n0",le="\+Inf"\} 2$/m);
    assert.match(text, /^kubeproxy_sync_proxy_rules_duration_seconds_count\{node="n0"\} 2$/m);
    assert.match(text, /^kubeproxy_network_programming_duration_seconds_bucket\{node="n0",le="0.032"\} 1$/m);
    assert.match(text, /^nanokube_proxy_syncs_total\{node="n0",result="error"\} 1$/m);
    assert.match(text, /^nanokube_proxy_rules\{node="n0",mode="nftables"\} 48$/m);
  });

  it('serves /metrics for every node, 404 elsewhere; a taken port is not fatal', async () => {
    const server = (await serveProxyMetrics({ host: '127.0.0.1', port: 0, views: () => [view('n0'), view('n1')] }))!;
    try {
      const port = (server.address() as { port: number }).port;
      const r = await fetch(`http://127.0.0.1:${port}/metrics`);
      assert.equal(r.status, 200);
      const text = await r.text();
      assert.match(text, /node="n0"/);
      assert.match(text, /node="n1"/);
      assert.equal((await fetch(`http://127.0.0.1:${port}/other`)).status, 404);
      assert.equal(await serveProxyMetrics({ host: '127.0.0.1', port, views: () => [] }), undefined);
    } finally {
      server.close();
    }
  });
});
