/**
 * Benchmark of the nftables mode's sync (issue 5): N Services of one port,
 * each with M ready endpoints (one EndpointSlice each), as the proxy sees
 * them. The targets are met by the syncer's own figures: NftablesSyncer.sync
 * end to end (text, files or stdin, `ip netns exec ... nft`) for the first
 * load of the table and for the sync after one Service's endpoints change,
 * in a network namespace of its own (`ip netns add nk-bench-*`, deleted at
 * the end). The steps under them: the model (proxyState), the text of the
 * full ruleset (one transaction) and of the incremental one, and `nft -f`
 * applying each inside a throwaway `unshare -n` namespace. Fresh objects for
 * each measure, so that nothing is compiled beforehand. Median of R runs.
 *
 *   node bench/proxy-sync.ts [--services 10000] [--endpoints 5] [--runs 3]
 *
 * Needs root and nft for the apply figures; without them it prints the
 * generation figures only.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { KubeObject } from '../src/api/meta.ts';
import { realKernel } from '../src/node/kernel.ts';
import { proxyState } from '../src/proxy/model.ts';
import { NftablesSyncer } from '../src/proxy/nft-syncer.ts';
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
const ns = `nk-bench-${randomBytes(3).toString('hex')}`;
const rows: Record<string, number[]> = {};
const add = (k: string, v: number) => (rows[k] ??= []).push(v);
const SYNC_FULL = 'NftablesSyncer.sync: first load of the table';
const SYNC_INC = 'NftablesSyncer.sync: after one Service changed';
/** Fresh objects for all services, and a way to move one Service's endpoints (a rollout of one Deployment). */
function cluster() {
  const objs = Array.from({ length: N }, (_, i) => objects(i));
  const services = objs.map((o) => o[0]);
  const slices = objs.map((o) => o[1]);
  const changed = Math.floor(N / 2);
  return { services, slices, change: () => (slices[changed] = objects(changed, N * M)[1]) };
}
let info = '';
try {
  if (canApply) await kernel.run(['ip', 'netns', 'add', ns]);
  for (let run = 0; run < R; run++) {
    if (canApply) {
      // The syncer as the proxier runs it, in a namespace that has no table yet.
      const c = cluster();
      const syncer = new NftablesSyncer({ kernel, execPrefix: ['ip', 'netns', 'exec', ns], log: () => {} });
      // The model's figures are below: the syncer's start at the state.
      const s1 = proxyState(c.services, c.slices, node);
      const t0 = performance.now();
      await syncer.sync(s1);
      const t1 = performance.now();
      c.change();
      const s2 = proxyState(c.services, c.slices, node);
      const t2 = performance.now();
      await syncer.sync(s2);
      add(SYNC_FULL, t1 - t0);
      add(SYNC_INC, performance.now() - t2);
      await syncer.close();
    }
    const c = cluster();
    const [s1, tModel] = time(() => proxyState(c.services, c.slices, node));
    const [full, tFull] = time(() => fullRuleset(s1));
    c.change();
    const [s2, tModel2] = time(() => proxyState(c.services, c.slices, node));
    // What the syncer sends after a full sync (nothing left behind yet).
    const [inc, tInc] = time(() => incrementalUpdate(s1, s2, {}, new Set()).text!);
    add('model: proxyState of every Service and slice', tModel);
    add('model again after one change', tModel2);
    add('text: full ruleset (one transaction)', tFull);
    add('text: incremental ruleset, one Service changed', tInc);
    info = `${N} services x ${M} endpoints: full text ${(full.length / 1e6).toFixed(1)} MB, ${countRules(full)} rules; incremental ${inc.split('\n').length - 1} lines`;
    if (!canApply) continue;
    writeFileSync(join(dir, 'full.nft'), full);
    writeFileSync(join(dir, 'inc.nft'), inc);
    // Both transactions in one throwaway namespace; the shell measures each nft call alone.
    const script = 'cd "$1"; a=$(date +%s%N); nft -f full.nft; b=$(date +%s%N); nft -f inc.nft; c=$(date +%s%N); echo $((b-a)) $((c-b))';
    const out = (await kernel.run(['unshare', '-n', 'sh', '-c', script, 'sh', dir])).stdout.trim().split(' ').map(Number);
    add('nft -f: full ruleset into an empty namespace (one transaction)', out[0] / 1e6);
    add('nft -f: incremental ruleset', out[1] / 1e6);
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
  if (canApply) await kernel.run(['ip', 'netns', 'delete', ns], { allowFail: true });
}

console.log(info);
console.log(`median of ${R} runs${canApply ? '' : ' (no root or no nft: generation only)'}\n`);
console.log('| step | time |\n|---|---|');
for (const [k, v] of Object.entries(rows)) {
  const target = k === SYNC_FULL ? ' (target 2000 ms)' : k === SYNC_INC ? ' (target 100 ms)' : '';
  console.log(k.startsWith('NftablesSyncer') ? `| **${k}** | **${ms(median(v))}**${target} |` : `| ${k} | ${ms(median(v))} |`);
}
