/**
 * Benchmark of the node agent (issue 4), isolated mode only:
 *  1. time from `nanokube server --network isolated` to `nanokube is ready`
 *     (a fresh data dir, which also creates the certificates, then a
 *     restart on the same data dir), over --starts runs;
 *  2. pod startup latency, create to Ready, for a Deployment of --replicas
 *     replicas: from the Deployment's create call, and from each pod's own
 *     creation as seen by a watch, to its Ready condition seen by the watch;
 *  3. RSS of the server (API server, controllers and agent in one process)
 *     idle, and per extra pod (the server's growth, and the pod's own
 *     processes: pause and containers).
 *
 *   node bench/pods.ts [--replicas 50] [--image nginx] [--command 'sleep 3600'] [--starts 3] [--nodes 1]
 *
 * Traffic stays on loopback and inside the run's namespaces (a free
 * 172.30.X.0/24 node network). Every server is stopped by PID with SIGTERM,
 * which removes its namespaces, links and processes; the script checks that
 * nothing of the run is left.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { findKind } from '../src/api/resources.ts';
import { Client } from '../src/client/client.ts';
import { freeNodeNetwork } from '../test/harness.ts';

const { values } = parseArgs({ options: { replicas: { type: 'string', default: '50' }, image: { type: 'string', default: 'nginx' }, starts: { type: 'string', default: '3' }, nodes: { type: 'string', default: '1' }, command: { type: 'string' } } });
const replicas = Number(values.replicas);
const starts = Number(values.starts);
const root = resolve(import.meta.dirname, '..');
const command = `node bench/pods.ts --replicas ${replicas} --image ${values.image}${values.command ? ` --command '${values.command}'` : ''} --starts ${starts} --nodes ${values.nodes}`;

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)] : NaN;
};
const kb = (pid: number, field: 'VmRSS') => Number(new RegExp(`${field}:\\s+(\\d+)`).exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0);
const pss = (pid: number) => Number(/Pss:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8'))?.[1] ?? 0);
const mb = (k: number) => `${(k / 1024).toFixed(1)} MB`;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Running {
  proc: ChildProcess;
  dir: string;
  readyMs: number;
  client: Client;
}

async function start(dir: string, args: string[]): Promise<Running> {
  const t0 = performance.now();
  const proc = spawn(process.execPath, [join(root, 'bin/nanokube.js'), 'server', '--data-dir', dir, '--api-port', '0', '--network', 'isolated', ...args], { stdio: ['ignore', 'pipe', 'ignore'] });
  await new Promise<void>((ok, fail) => {
    let out = '';
    proc.stdout!.on('data', (d) => {
      out += d;
      if (out.includes('nanokube is ready')) ok();
    });
    proc.once('exit', (c) => fail(new Error(`server exited ${c}`)));
  });
  const readyMs = performance.now() - t0;
  const kc = readFileSync(join(dir, 'kubeconfig.yaml'), 'utf8');
  const client = new Client({ server: /server: (\S+)/.exec(kc)![1], token: /token: (\S+)/.exec(kc)![1], caCert: readFileSync(join(dir, 'tls/ca.crt'), 'utf8'), userAgent: 'bench-pods' });
  return { proc, dir, readyMs, client };
}

async function stop(r: Running): Promise<void> {
  r.client.close();
  if (r.proc.exitCode === null && r.proc.signalCode === null) {
    const exited = new Promise((ok) => r.proc.once('exit', ok));
    r.proc.kill('SIGTERM');
    await exited;
  }
}

/** Processes of every pod sandbox of the run (pause and containers), by pod netns. */
function podProcesses(dir: string): number[] {
  const pids: number[] = [];
  for (const node of readdirSafe(join(dir, 'agents'))) {
    const file = JSON.parse(readFileSync(join(dir, 'agents', node, 'sandboxes.json'), 'utf8')) as { sandboxes: Record<string, { netns: string }> };
    for (const s of Object.values(file.sandboxes)) {
      if (s.netns) pids.push(...spawnSync('ip', ['netns', 'pids', s.netns], { encoding: 'utf8' }).stdout.split('\n').filter(Boolean).map(Number));
    }
  }
  return pids;
}

function readdirSafe(dir: string): string[] {
  const r = spawnSync('ls', [dir], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.split('\n').filter(Boolean) : [];
}

function leftovers(runId: string): string[] {
  const ns = spawnSync('ip', ['netns', 'list'], { encoding: 'utf8' }).stdout.split('\n').filter((l) => l.startsWith(`nk-${runId}-`));
  const links = spawnSync('ip', ['-o', 'link', 'show'], { encoding: 'utf8' }).stdout.split('\n').filter((l) => l.includes(`nk-${runId}-`));
  const pause = spawnSync('pgrep', ['-f', `^nanokube-pause:nk-${runId}-`], { encoding: 'utf8' }).stdout.split('\n').filter(Boolean);
  return [...ns, ...links, ...pause];
}

const args = ['--nodes', values.nodes!, '--node-network', freeNodeNetwork()];

// 1. Start-up.
const fresh: number[] = [];
const again: number[] = [];
for (let i = 0; i < starts; i++) {
  const dir = mkdtempSync(join(tmpdir(), 'nanokube-bench-pods-'));
  try {
    const a = await start(dir, args);
    fresh.push(a.readyMs);
    const runId = JSON.parse(readFileSync(join(dir, 'network.json'), 'utf8')).runId as string;
    await stop(a);
    const b = await start(dir, args);
    again.push(b.readyMs);
    const runId2 = JSON.parse(readFileSync(join(dir, 'network.json'), 'utf8')).runId as string;
    await stop(b);
    const left = [...leftovers(runId), ...leftovers(runId2)];
    if (left.length) throw new Error(`left behind: ${left.join(', ')}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// 2 and 3. Pods.
const dir = mkdtempSync(join(tmpdir(), 'nanokube-bench-pods-'));
const s = await start(dir, args);
const runId = JSON.parse(readFileSync(join(dir, 'network.json'), 'utf8')).runId as string;
let result: string;
try {
  await sleep(3000);
  const idleRss = kb(s.proc.pid!, 'VmRSS');
  const idlePss = pss(s.proc.pid!);
  const podDef = findKind('', 'Pod')!;
  const created = new Map<string, number>();
  const ready = new Map<string, number>();
  const ac = new AbortController();
  void s.client
    .watch(podDef, 'resourceVersion=0', (e) => {
      const name = e.object.metadata?.name;
      if (!name?.startsWith('bench-')) return;
      if (!created.has(name)) created.set(name, performance.now());
      const ok = e.object.status?.conditions?.some((c: any) => c.type === 'Ready' && c.status === 'True');
      if (ok && !ready.has(name)) ready.set(name, performance.now());
    }, ac.signal, 'default')
    .catch(() => undefined);
  await sleep(300);
  const t0 = performance.now();
  await s.client.create(findKind('apps', 'Deployment')!, {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'bench', namespace: 'default' },
    spec: {
      replicas,
      selector: { matchLabels: { app: 'bench' } },
      template: { metadata: { labels: { app: 'bench' } }, spec: { containers: [{ name: 'app', image: values.image, ...(values.command ? { command: values.command.split(' ') } : {}), ports: [{ containerPort: 80 }] }] } },
    },
  });
  const deadline = Date.now() + 120_000;
  while (ready.size < replicas && Date.now() < deadline) await sleep(50);
  ac.abort();
  if (ready.size < replicas) throw new Error(`only ${ready.size} of ${replicas} pods Ready after 120 s`);
  const fromDeploy = [...ready.values()].map((t) => t - t0);
  const fromPod = [...ready].map(([n, t]) => t - created.get(n)!);
  // Memory once the containers have settled (a Node program's heap shrinks after its start-up).
  await sleep(10_000);
  const busyRss = kb(s.proc.pid!, 'VmRSS');
  const busyPss = pss(s.proc.pid!);
  const procs = podProcesses(dir);
  const podRss = procs.reduce((a, p) => a + kb(p, 'VmRSS'), 0);
  const podPss = procs.reduce((a, p) => a + pss(p), 0);
  const ms = (x: number) => `${Math.round(x)} ms`;
  result = [
    `nanokube node agent, isolated mode, ${values.nodes} node(s), image ${values.image}`,
    '',
    '```',
    command,
    '```',
    '',
    '| measure | p50 | p99 | max | n |',
    '|---|---|---|---|---|',
    `| server start to \`nanokube is ready\`, fresh data dir | ${ms(pct(fresh, 50))} | ${ms(pct(fresh, 99))} | ${ms(Math.max(...fresh))} | ${fresh.length} |`,
    `| server start to \`nanokube is ready\`, same data dir | ${ms(pct(again, 50))} | ${ms(pct(again, 99))} | ${ms(Math.max(...again))} | ${again.length} |`,
    `| pod Ready, from the Deployment's create | ${ms(pct(fromDeploy, 50))} | ${ms(pct(fromDeploy, 99))} | ${ms(Math.max(...fromDeploy))} | ${fromDeploy.length} |`,
    `| pod Ready, from the pod's creation | ${ms(pct(fromPod, 50))} | ${ms(pct(fromPod, 99))} | ${ms(Math.max(...fromPod))} | ${fromPod.length} |`,
    '',
    '| memory | RSS | PSS |',
    '|---|---|---|',
    `| server idle (API server, controllers, agent) | ${mb(idleRss)} | ${mb(idlePss)} |`,
    `| server with ${replicas} pods | ${mb(busyRss)} | ${mb(busyPss)} |`,
    `| server growth per pod | ${mb((busyRss - idleRss) / replicas)} | ${mb((busyPss - idlePss) / replicas)} |`,
    `| a pod's own processes (pause + container), per pod | ${mb(podRss / replicas)} | ${mb(podPss / replicas)} |`,
  ].join('\n');
} finally {
  await stop(s);
  rmSync(dir, { recursive: true, force: true });
}
const left = leftovers(runId);
if (left.length) throw new Error(`left behind: ${left.join(', ')}`);
console.log(result);
