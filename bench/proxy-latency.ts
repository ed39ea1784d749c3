/**
 * Network programming latency of the service proxy: from the moment a
 * Service change is sent to the API to the moment the node's rules include
 * it, for 1,000 changes (a new Service with its EndpointSlice of 5
 * endpoints, at ~50 changes/s), in nftables and userspace mode, side by side.
 *
 *   node_modules/.bin/node bench/proxy-latency.ts [--changes 1000] [--rate 50]
 *
 * The API server is a real `nanokube server` (host mode, no node agents);
 * the proxy is the real Proxier with the real syncer, programming a
 * throwaway network namespace `nk-bench-<random>` this script creates and
 * deletes (nothing touches the host's own network). No traffic is sent.
 */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import { findKind } from '../src/api/resources.ts';
import { realKernel } from '../src/node/kernel.ts';
import { newSyncer } from '../src/proxy/index.ts';
import { Proxier } from '../src/proxy/proxier.ts';
import type { ProxyState, ProxySyncer, SyncResult } from '../src/proxy/types.ts';
import { startBenchServer } from './server.ts';

const { values } = parseArgs({ options: { changes: { type: 'string', default: '1000' }, rate: { type: 'string', default: '50' } } });
const changes = Number(values.changes);
const rate = Number(values.rate);
const SERVICE = findKind('', 'Service')!;
const SLICE = findKind('discovery.k8s.io', 'EndpointSlice')!;
const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((xs.length * p) / 100))];
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Wraps a syncer: after each sync, every service key seen for the first time is "programmed" now. */
function watching(inner: ProxySyncer, sent: Map<string, number>, latencies: number[]): ProxySyncer {
  const seen = new Set<string>();
  return {
    mode: inner.mode,
    async sync(state: ProxyState): Promise<SyncResult> {
      const r = await inner.sync(state);
      const now = performance.now();
      for (const s of state.services) {
        if (seen.has(s.name) || s.clusterEndpoints.length === 0) continue;
        seen.add(s.name);
        const t = sent.get(s.name);
        if (t !== undefined) latencies.push(now - t);
      }
      return r;
    },
    close: () => inner.close(),
  };
}

async function run(mode: 'nftables' | 'userspace'): Promise<string> {
  const netns = `nk-bench-${randomBytes(3).toString('hex')}`;
  spawnSync('ip', ['netns', 'add', netns]);
  spawnSync('ip', ['netns', 'exec', netns, 'ip', 'link', 'set', 'lo', 'up']);
  spawnSync('ip', ['netns', 'exec', netns, 'ip', 'route', 'add', 'local', '10.96.0.0/12', 'dev', 'lo']);
  const server = await startBenchServer({ name: `proxy-${mode}` });
  const ac = new AbortController();
  const sent = new Map<string, number>();
  const latencies: number[] = [];
  const syncer = watching(newSyncer(mode, { kernel: realKernel(), execPrefix: ['ip', 'netns', 'exec', netns], log: () => {} }), sent, latencies);
  const proxier = new Proxier({
    client: server.client,
    node: { nodeName: 'bench-node', nodePortAddresses: ['172.31.255.10'], clusterCidr: '10.244.0.0/16', serviceCidr: '10.96.0.0/12' },
    syncer,
    log: () => {},
  });
  try {
    await proxier.start(ac.signal);
    const t0 = performance.now();
    for (let i = 0; i < changes; i++) {
      const name = `svc-${i}`;
      const at = t0 + (i * 1000) / rate;
      if (at > performance.now()) await sleep(at - performance.now());
      // The EndpointSlice first (nothing is programmed without the Service), then the Service: the change is the Service's creation.
      await server.client.create(SLICE, {
        apiVersion: 'discovery.k8s.io/v1',
        kind: 'EndpointSlice',
        metadata: { name: `${name}-abc`, namespace: 'default', labels: { 'kubernetes.io/service-name': name } },
        addressType: 'IPv4',
        ports: [{ name: 'http', port: 8080, protocol: 'TCP' }],
        endpoints: Array.from({ length: 5 }, (_, e) => ({ addresses: [`10.244.${Math.floor(i / 50) % 250}.${(i % 50) * 5 + e + 2}`], conditions: { ready: true } })),
      } as never);
      sent.set(name, performance.now());
      await server.client.create(SERVICE, { apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: 'default' }, spec: { ports: [{ name: 'http', port: 80, targetPort: 8080 }] } } as never);
    }
    const deadline = Date.now() + 30_000;
    while (latencies.length < changes && Date.now() < deadline) await sleep(50);
    const m = proxier.metrics;
    return `${mode.padEnd(10)} changes=${latencies.length}/${changes} p50=${pct(latencies, 50).toFixed(1)}ms p99=${pct(latencies, 99).toFixed(1)}ms max=${Math.max(...latencies).toFixed(1)}ms syncs=${m.syncs} sync p50=${(pct(m.syncSeconds, 50) * 1000).toFixed(1)}ms p99=${(pct(m.syncSeconds, 99) * 1000).toFixed(1)}ms rules=${m.rules}`;
  } finally {
    ac.abort();
    await proxier.close().catch(() => {});
    await server.stop();
    spawnSync('ip', ['netns', 'del', netns]);
  }
}

if (process.getuid?.() !== 0) {
  console.error('needs root (it creates a throwaway network namespace)');
  process.exit(1);
}
console.log(`# network programming latency, ${changes} new Services (5 endpoints each) at ${rate}/s, from the API request to the node's rules`);
for (const mode of ['nftables', 'userspace'] as const) console.log(await run(mode));
