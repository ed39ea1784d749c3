/**
 * HTTP through a ClusterIP, side by side in one run: wrk straight to the pod
 * IP, through nanokube's nftables mode, through its userspace mode, and
 * through HAProxy (Debian package, `mode tcp`, the same endpoint), all from
 * the node's own namespace of a `nanokube server --network isolated` cluster
 * with one nginx pod (the host's nginx when installed: fast enough not to be
 * the bottleneck).
 *
 *   node_modules/.bin/node bench/proxy.ts [--duration 10] [--connections 50]
 *
 * Installs wrk, haproxy and nginx with apt-get when missing. Traffic stays
 * inside the cluster's namespaces; everything is removed at the end.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { findKind } from '../src/api/resources.ts';
import { freeNodeNetwork } from '../test/harness.ts';
import { startBenchServer, type BenchServer } from './server.ts';

const { values } = parseArgs({ options: { duration: { type: 'string', default: '10' }, connections: { type: 'string', default: '50' } } });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

for (const [bin, pkg] of [['wrk', 'wrk'], ['haproxy', 'haproxy'], ['nginx', 'nginx']]) {
  if (spawnSync('sh', ['-c', `command -v ${bin} || test -x /usr/sbin/${bin}`]).status !== 0) spawnSync('apt-get', ['install', '-y', '-q', pkg], { stdio: 'inherit' });
}

interface Wrk {
  rps: number;
  p50: string;
  p99: string;
}

function wrk(netns: string, url: string): Wrk {
  const r = spawnSync('ip', ['netns', 'exec', netns, 'wrk', '-t2', `-c${values.connections}`, `-d${values.duration}s`, '--latency', url], { encoding: 'utf8' });
  const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(r.stdout)?.[1] ?? 0);
  const lat = (p: string) => new RegExp(`^\\s+${p}%\\s+(\\S+)`, 'm').exec(r.stdout)?.[1] ?? '?';
  if (!rps) console.error(r.stdout, r.stderr);
  return { rps, p50: lat('50'), p99: lat('99') };
}

async function cluster(mode: 'nftables' | 'userspace'): Promise<{ server: BenchServer; netns: string; podIP: string; clusterIP: string }> {
  const server = await startBenchServer({ name: `proxy-${mode}`, args: ['--network', 'isolated', '--node-network', freeNodeNetwork(), '--proxy-mode', mode] });
  const runId = JSON.parse(readFileSync(join(server.dir, 'network.json'), 'utf8')).runId as string;
  const c = server.client;
  await c.create(findKind('apps', 'Deployment')!, {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', namespace: 'default' },
    spec: { replicas: 1, selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'nginx', image: 'nginx', ports: [{ containerPort: 80 }] }] } } },
  } as never);
  const svc = await c.create(findKind('', 'Service')!, { apiVersion: 'v1', kind: 'Service', metadata: { name: 'web', namespace: 'default' }, spec: { selector: { app: 'web' }, ports: [{ port: 80 }] } } as never);
  const clusterIP = (svc as unknown as { spec: { clusterIP: string } }).spec.clusterIP;
  const netns = `nk-${runId}-n0`;
  for (let i = 0; ; i++) {
    const r = spawnSync('ip', ['netns', 'exec', netns, 'curl', '-s', '-m', '1', '-o', '/dev/null', '-w', '%{http_code}', `http://${clusterIP}/`], { encoding: 'utf8' });
    if (r.stdout === '200') break;
    if (i > 300) throw new Error('the service never answered');
    await sleep(100);
  }
  const pods = await c.list(findKind('', 'Pod')!, 'default');
  const podIP = (pods.items[0] as unknown as { status: { podIP: string } }).status.podIP;
  return { server, netns, podIP, clusterIP };
}

function haproxy(netns: string, podIP: string): { url: string; stop: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'nanokube-bench-haproxy-'));
  const cfg = join(dir, 'haproxy.cfg');
  writeFileSync(
    cfg,
    `global\n  maxconn 4096\n  nbthread 1\ndefaults\n  mode tcp\n  timeout connect 5s\n  timeout client 60s\n  timeout server 60s\nfrontend fe\n  bind 127.0.0.1:18080\n  default_backend be\nbackend be\n  server web ${podIP}:80\n`,
  );
  const p = spawn('ip', ['netns', 'exec', netns, 'haproxy', '-f', cfg], { stdio: 'inherit' });
  return {
    url: 'http://127.0.0.1:18080/',
    stop: () => {
      p.kill();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

if (process.getuid?.() !== 0) {
  console.error('needs root (isolated mode)');
  process.exit(1);
}
console.log(`# wrk -t2 -c${values.connections} -d${values.duration}s from the node's namespace; one nginx pod; ${new Date().toISOString()}`);
const row = (name: string, w: Wrk) => console.log(`${name.padEnd(28)} ${w.rps.toFixed(0).padStart(8)} req/s   p50 ${w.p50.padStart(8)}   p99 ${w.p99.padStart(8)}`);
for (const mode of ['nftables', 'userspace'] as const) {
  const { server, netns, podIP, clusterIP } = await cluster(mode);
  const hap = haproxy(netns, podIP);
  try {
    await sleep(500);
    row(`[${mode} cluster] direct pod`, wrk(netns, `http://${podIP}/`));
    row(`[${mode} cluster] ${mode}`, wrk(netns, `http://${clusterIP}/`));
    row(`[${mode} cluster] haproxy tcp`, wrk(netns, hap.url));
  } finally {
    hap.stop();
    await server.stop();
  }
}
