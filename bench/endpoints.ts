/**
 * Benchmark of endpoint update latency (issue 3): a real `nanokube server`
 * on loopback, one Service over N pods (the benchmark plays the kubelet
 * through pods/status), then M readiness flips one at a time. For each flip
 * it measures, from the status PATCH being acknowledged, the time until the
 * change arrives on a watch of the Endpoints and on a watch of the
 * EndpointSlices; p50/p99 as a Markdown table.
 *
 *   node bench/endpoints.ts [--pods 100] [--flips 200]
 *
 * Loopback only. The server is started and stopped by this script (by PID).
 */
import { parseArgs } from 'node:util';
import { startBenchServer } from './server.ts';
import type { KubeObject } from '../src/api/meta.ts';
import { findKind } from '../src/api/resources.ts';

const { values } = parseArgs({ options: { pods: { type: 'string', default: '100' }, flips: { type: 'string', default: '200' } } });
const N = Number(values.pods);
const M = Number(values.flips);
const podDef = findKind('', 'Pod')!;
const nodeDef = findKind('', 'Node')!;
const epDef = findKind('', 'Endpoints')!;
const sliceDef = findKind('discovery.k8s.io', 'EndpointSlice')!;
const MERGE = 'application/merge-patch+json';

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] : NaN;
};
const ms = (x: number) => `${x.toFixed(1)} ms`;
const ipOf = (i: number) => `10.244.${Math.floor(i / 250)}.${(i % 250) + 2}`;
const now = () => new Date().toISOString();

/** Ready state of every address as the last watch event showed it. */
type View = Map<string, boolean>;
function endpointsView(ep: KubeObject): View {
  const v: View = new Map();
  for (const s of ep.subsets ?? []) {
    for (const a of s.addresses ?? []) v.set(a.ip, true);
    for (const a of s.notReadyAddresses ?? []) v.set(a.ip, false);
  }
  return v;
}

const bench = await startBenchServer({ name: 'endpoints' });
try {
  const client = bench.client;

  // The node the pods run on, Ready (the EndpointSlice controller leaves out pods on unknown nodes).
  await client.create(nodeDef, { apiVersion: 'v1', kind: 'Node', metadata: { name: 'bench-node', labels: { 'topology.kubernetes.io/zone': 'zone-a' } } });
  const t = now();
  await client.patch(nodeDef, undefined, 'bench-node', { status: { conditions: [{ type: 'Ready', status: 'True', reason: 'KubeletReady', lastHeartbeatTime: t, lastTransitionTime: t }] } }, MERGE, 'status');
  await client.create(findKind('', 'Service')!, {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'bench', namespace: 'default' },
    spec: { selector: { app: 'bench' }, ports: [{ name: 'http', port: 80, targetPort: 'http' }] },
  });
  for (let i = 0; i < N; i += 25) {
    await Promise.all(
      Array.from({ length: Math.min(25, N - i) }, async (_, j) => {
        const name = `bench-${i + j}`;
        await client.create(podDef, {
          apiVersion: 'v1',
          kind: 'Pod',
          metadata: { name, namespace: 'default', labels: { app: 'bench' } },
          spec: { nodeName: 'bench-node', containers: [{ name: 'app', image: 'nginx', ports: [{ name: 'http', containerPort: 8080 }] }] },
        });
        const ip = ipOf(i + j);
        const c = { lastProbeTime: null, lastTransitionTime: now() };
        const conditions = [{ type: 'Ready', status: 'True', ...c }, { type: 'ContainersReady', status: 'True', ...c }, { type: 'PodScheduled', status: 'True', ...c }];
        await client.patch(podDef, 'default', name, { status: { phase: 'Running', podIP: ip, podIPs: [{ ip }], conditions } }, MERGE, 'status');
      }),
    );
  }

  let epView: View = new Map();
  const sliceViews = new Map<string, View>();
  const waiters: { ip: string; ready: boolean; kind: 'ep' | 'slice'; done: (t: number) => void }[] = [];
  const check = (arrived: number) => {
    for (let i = waiters.length - 1; i >= 0; i--) {
      const w = waiters[i];
      const seen = w.kind === 'ep' ? epView.get(w.ip) : [...sliceViews.values()].find((v) => v.has(w.ip))?.get(w.ip);
      if (seen === w.ready) {
        waiters.splice(i, 1);
        w.done(arrived);
      }
    }
  };
  const ac = new AbortController();
  void client.watch(epDef, 'fieldSelector=metadata.name%3Dbench', (e) => {
    const at = performance.now();
    if (e.type === 'ADDED' || e.type === 'MODIFIED') epView = endpointsView(e.object);
    check(at);
  }, ac.signal, 'default').catch(() => undefined);
  void client.watch(sliceDef, 'labelSelector=kubernetes.io%2Fservice-name%3Dbench', (e) => {
    const at = performance.now();
    if (e.type === 'DELETED') sliceViews.delete(e.object.metadata.name!);
    else if (e.type !== 'BOOKMARK' && e.type !== 'ERROR') sliceViews.set(e.object.metadata.name!, new Map((e.object.endpoints ?? []).map((x: any) => [x.addresses[0], x.conditions?.ready === true])));
    check(at);
  }, ac.signal, 'default').catch(() => undefined);
  const until = (ip: string, ready: boolean, kind: 'ep' | 'slice') => new Promise<number>((done) => {
    waiters.push({ ip, ready, kind, done });
    check(performance.now());
  });
  const t0 = performance.now();
  await Promise.all(Array.from({ length: N }, (_, i) => Promise.all([until(ipOf(i), true, 'ep'), until(ipOf(i), true, 'slice')])));
  const settle = performance.now() - t0;

  const ep: number[] = [];
  const slice: number[] = [];
  const ready = new Array(N).fill(true);
  for (let k = 0; k < M; k++) {
    const i = (k * 7) % N;
    ready[i] = !ready[i];
    const name = `bench-${i}`;
    const c = { lastProbeTime: null, lastTransitionTime: now() };
    const status = ready[i] ? 'True' : 'False';
    const conditions = [{ type: 'Ready', status, ...c }, { type: 'ContainersReady', status, ...c }, { type: 'PodScheduled', status: 'True', ...c }];
    const epSeen = until(ipOf(i), ready[i], 'ep');
    const sliceSeen = until(ipOf(i), ready[i], 'slice');
    await client.patch(podDef, 'default', name, { status: { conditions } }, MERGE, 'status');
    const acked = performance.now();
    // An event that beat the acknowledgement counts as 0.
    ep.push(Math.max(0, (await epSeen) - acked));
    slice.push(Math.max(0, (await sliceSeen) - acked));
  }
  ac.abort();
  console.log(`nanokube endpoint update latency, sqlite, 1 Service over ${N} pods, ${M} readiness flips one at a time`);
  console.log(`(from the pods/status PATCH acknowledged to the change arriving on a watch; all ${N} pods listed ${ms(settle)} after the last status write)`);
  console.log('');
  console.log('| watch | p50 | p99 | max | n |');
  console.log('|---|---|---|---|---|');
  console.log(`| Endpoints | ${ms(pct(ep, 50))} | ${ms(pct(ep, 99))} | ${ms(Math.max(...ep))} | ${ep.length} |`);
  console.log(`| EndpointSlice | ${ms(pct(slice, 50))} | ${ms(pct(slice, 99))} | ${ms(Math.max(...slice))} | ${slice.length} |`);
  console.log('');
  console.log(`command: node bench/endpoints.ts --pods ${N} --flips ${M}`);
} finally {
  await bench.stop();
}
