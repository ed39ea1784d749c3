/**
 * Benchmark of the nftables mode's sync (issue 5): N Services of one port,
 * each with M ready endpoints (one EndpointSlice each), as the proxy sees
 * them. It measures the model (proxyState), the text of the full ruleset
 * and of an incremental one after one Service's endpoints change, and the
 * time `nft -f` takes to apply each inside a throwaway network namespace
 * (`unshare -n`: nothing on the host is touched, the namespace goes away
 * with the shell). Median of R runs.
 *
 *   node bench/proxy-sync.ts [--services 10000] [--endpoints 5] [--runs 3]
 *
 * Needs root and nft for the apply figures; without them it prints the
 * generation figures only.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { KubeObject } from '../src/api/meta.ts';
import { realKernel } from '../src/node/kernel.ts';
import { proxyState } from '../src/proxy/model.ts';
import { countRules, fullRuleset, incrementalUpdate } from '../src/proxy/nftables.ts';
import type { ProxyNodeInfo } from '../src/proxy/types.ts';

const { values } = parseArgs({ options: { services: { type: 'string', default: '10000' }, endpoints: { type: 'string', default: '5' }, runs: { type: 'string', default: '3' } } });
const N = Number(values.services);
const M = Number(values.endpoints);
const R = Number(values.runs);
const node: ProxyNodeInfo = { nodeName: 'bench-node', nodePortAddresses: ['172.30.99.2'], clusterCidr: '10.244.0.0/16', serviceCidr: '10.96.0.0/12' };

const ip = (base: number, n: number) => `${base >> 8}.${base & 255}.${(n >> 8) & 255}.${n & 255}`;
/** Service i: 10.96.x.y, every 10th a NodePort; its endpoints 10.244.x.y (the `shift` moves them, for the change). */
function objects(i: number, shift = 0): [KubeObject, KubeObject] {
  const name = `svc-${i}`;
  const namespace = `ns-${i % 100}`;
  const nodePort = i % 10 === 0 ? 30000 + ((i / 10) % 2768) : undefined;
  const service: KubeObject = {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, namespace },
    spec: { type: nodePort ? 'NodePort' : 'ClusterIP', clusterIP: ip(0x0a60, i + 1), ports: [{ name: 'http', port: 80, protocol: 'TCP', ...(nodePort ? { nodePort } : {}) }] },
  };
  const slice: KubeObject = {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: { name: `${name}-abcde`, namespace, labels: { 'kubernetes.io/service-name': name } },
    addressType: 'IPv4',
    ports: [{ name: 'http', port: 8080, protocol: 'TCP' }],
    endpoints: Array.from({ length: M }, (_, j) => ({ addresses: [ip(0x0af4, i * M + j + shift + 1)], conditions: { ready: true, serving: true, terminating: false }, nodeName: j === 0 ? 'bench-node' : 'other' })),
  };
  return [service, slice];
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const ms = (x: number) => `${x.toFixed(x < 10 ? 1 : 0)} ms`;
const time = <T>(f: () => T): [T, number] => {
  const t0 = performance.now();
  const v = f();
  return [v, performance.now() - t0];
};

const kernel = realKernel();
const canApply = process.getuid?.() === 0 && (await kernel.run(['nft', '--version'], { allowFail: true })).code === 0;
const dir = mkdtempSync(join(tmpdir(), 'nk-proxy-sync-'));
const rows: Record<string, number[]> = {};
const add = (k: string, v: number) => (rows[k] ??= []).push(v);
let info = '';
try {
  for (let run = 0; run < R; run++) {
    const objs = Array.from({ length: N }, (_, i) => objects(i));
    const services = objs.map((o) => o[0]);
    const slices = objs.map((o) => o[1]);
    const [s1, tModel] = time(() => proxyState(services, slices, node));
    const [full, tFull] = time(() => fullRuleset(s1));
    // One Service's endpoints move (a rollout of one Deployment): the next state, and the transaction.
    const changed = Math.floor(N / 2);
    slices[changed] = objects(changed, N * M)[1];
    const [s2, tModel2] = time(() => proxyState(services, slices, node));
    // What the syncer sends after a full sync (nothing left behind yet).
    const [inc, tInc] = time(() => incrementalUpdate(s1, s2, {}, new Set()).text!);
    add('model: proxyState of every Service and slice', tModel);
    add('model again after one change', tModel2);
    add('text: full ruleset', tFull);
    add('text: incremental ruleset, one Service changed', tInc);
    info = `${N} services x ${M} endpoints: full text ${(full.length / 1e6).toFixed(1)} MB, ${countRules(full)} rules; incremental ${inc.split('\n').length - 1} lines`;
    if (!canApply) continue;
    writeFileSync(join(dir, 'full.nft'), full);
    writeFileSync(join(dir, 'inc.nft'), inc);
    // Both transactions in one throwaway namespace; the shell measures each nft call alone.
    const script = 'cd "$1"; a=$(date +%s%N); nft -f full.nft; b=$(date +%s%N); nft -f inc.nft; c=$(date +%s%N); echo $((b-a)) $((c-b))';
    const out = (await kernel.run(['unshare', '-n', 'sh', '-c', script, 'sh', dir])).stdout.trim().split(' ').map(Number);
    add('nft -f: full ruleset into an empty namespace', out[0] / 1e6);
    add('nft -f: incremental ruleset', out[1] / 1e6);
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}

console.log(info);
console.log(`median of ${R} runs${canApply ? '' : ' (no root or no nft: generation only)'}\n`);
console.log('| step | time |\n|---|---|');
for (const [k, v] of Object.entries(rows)) console.log(`| ${k} | ${ms(median(v))} |`);
if (canApply) {
  const full = median(rows['text: full ruleset']) + median(rows['nft -f: full ruleset into an empty namespace']);
  const inc = median(rows['text: incremental ruleset, one Service changed']) + median(rows['nft -f: incremental ruleset']);
  console.log(`| **full sync (text + nft)** | **${ms(full)}** (target 2000 ms) |`);
  console.log(`| **incremental sync (text + nft)** | **${ms(inc)}** (target 100 ms) |`);
}
