/**
 * Benchmark of the scheduler (issue 3): a real `nanokube server` on
 * loopback, 3 fake nodes (Node objects with status and renewed Leases, no
 * node agent), then N unbound pods created at once; measures, per pod, the
 * time from sending its create to seeing it bound on a watch, and the total
 * from the first create to the last binding. Prints a Markdown table.
 *
 *   node bench/scheduler.ts [--pods 100] [--runs 3] [--via pods|deployment]
 *
 * With `--via deployment` one Deployment of N replicas is created instead
 * (the "kubectl apply of a Deployment with 100 replicas to 100 pods
 * created and bound"): the deployment and replicaset controllers create the
 * pods, the scheduler binds them; per-pod figures then count from the
 * Deployment's create.
 *
 * Loopback only. The server is started and stopped by this script (by PID).
 */
import { parseArgs } from 'node:util';
import { startBenchServer } from './server.ts';
import { findKind } from '../src/api/resources.ts';

const { values } = parseArgs({ options: { pods: { type: 'string', default: '100' }, runs: { type: 'string', default: '3' }, via: { type: 'string', default: 'pods' } } });
const viaDeployment = values.via === 'deployment';
const podsPerRun = Number(values.pods);
const runs = Number(values.runs);
const nodeNames = ['node-a', 'node-b', 'node-c'];

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] : NaN;
};
const ms = (x: number) => `${x.toFixed(1)} ms`;

const bench = await startBenchServer({ name: 'sched' });
const ac = new AbortController();
try {
  const client = bench.client;
  const podDef = findKind('', 'Pod')!;
  const leaseDef = findKind('coordination.k8s.io', 'Lease')!;

  // The fake kubelets: Ready nodes with room for every run, and live leases.
  const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
  for (const name of nodeNames) {
    const resources = { cpu: '64', memory: '256Gi', pods: String(podsPerRun * runs + 10) };
    await client.create(findKind('', 'Node')!, {
      apiVersion: 'v1',
      kind: 'Node',
      metadata: { name, labels: { 'kubernetes.io/hostname': name } },
      status: { capacity: resources, allocatable: resources, conditions: [{ type: 'Ready', status: 'True', reason: 'KubeletReady', lastHeartbeatTime: now, lastTransitionTime: now }] },
    });
  }
  const renew = () =>
    Promise.all(
      nodeNames.map((name) => {
        const spec = { holderIdentity: name, leaseDurationSeconds: 40, renewTime: new Date().toISOString().replace(/Z$/, '000Z') };
        return client
          .patch(leaseDef, 'kube-node-lease', name, { spec })
          .catch(() => client.create(leaseDef, { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name, namespace: 'kube-node-lease' }, spec }));
      }),
    );
  await renew();
  const renewer = setInterval(() => void renew().catch(() => undefined), 5000);
  await new Promise((r) => setTimeout(r, 1000));

  const rows: string[] = [];
  for (let run = 1; run <= runs; run++) {
    const ns = `bench-${run}`;
    await client.request('POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
    // A Service selecting the pods, as a Deployment's replicas usually have: the default spreading applies.
    await client.create(findKind('', 'Service')!, { apiVersion: 'v1', kind: 'Service', metadata: { name: 'bench', namespace: ns }, spec: { selector: { app: 'bench' }, ports: [{ port: 80 }] } });
    const sentAt = new Map<string, number>();
    const boundAt = new Map<string, number>();
    const perNode = new Map<string, number>();
    let allBound!: () => void;
    const done = new Promise<void>((ok) => (allBound = ok));
    const list = await client.list(podDef, ns);
    const watch = new AbortController();
    void client
      .watch(
        podDef,
        `resourceVersion=${list.metadata.resourceVersion}`,
        (e) => {
          const name = e.object.metadata?.name;
          const node = e.object.spec?.nodeName;
          if (!name || !node || boundAt.has(name)) return;
          boundAt.set(name, performance.now());
          perNode.set(node, (perNode.get(node) ?? 0) + 1);
          if (boundAt.size === podsPerRun) allBound();
        },
        watch.signal,
        ns,
      )
      .catch(() => undefined);
    await new Promise((r) => setTimeout(r, 200));
    const t0 = performance.now();
    const template = {
      metadata: { labels: { app: 'bench' } },
      spec: { containers: [{ name: 'c', image: 'registry.k8s.io/e2e-test-images/agnhost:2.53', resources: { requests: { cpu: '10m', memory: '16Mi' } } }] },
    };
    if (viaDeployment) {
      await client.create(findKind('apps', 'Deployment')!, {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name: 'bench', namespace: ns },
        spec: { replicas: podsPerRun, selector: { matchLabels: { app: 'bench' } }, template },
      });
      for (let i = 0; i < podsPerRun; i++) sentAt.set(`#${i}`, t0);
    } else {
      await Promise.all(
        Array.from({ length: podsPerRun }, (_, i) => {
          const name = `p-${i}`;
          sentAt.set(name, performance.now());
          return client.create(podDef, { apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: ns, ...template.metadata }, spec: template.spec });
        }),
      );
    }
    const created = performance.now() - t0;
    await Promise.race([done, new Promise((_, fail) => setTimeout(() => fail(new Error(`only ${boundAt.size}/${podsPerRun} bound after 60 s`)), 60_000))]);
    watch.abort();
    const lat = [...boundAt].map(([n, t]) => t - (sentAt.get(n) ?? t0));
    const total = Math.max(...boundAt.values()) - t0;
    const spread = nodeNames.map((n) => perNode.get(n) ?? 0).join('/');
    rows.push(`| ${run} | ${podsPerRun} | ${ms(pct(lat, 50))} | ${ms(pct(lat, 99))} | ${ms(created)} | ${ms(total)} | ${((podsPerRun * 1000) / total).toFixed(0)} | ${spread} |`);
  }
  clearInterval(renewer);

  console.log(`\`node bench/scheduler.ts --pods ${podsPerRun} --runs ${runs} --via ${values.via}\` (${nodeNames.length} fake nodes, loopback, Node ${process.version})\n`);
  console.log('| run | pods | per pod p50 (create sent → bound seen) | per pod p99 | all creates answered | total (first create → last bound) | pods/s | per node |');
  console.log('|---|---|---|---|---|---|---|---|');
  for (const r of rows) console.log(r);
} finally {
  ac.abort();
  await bench.stop();
}
