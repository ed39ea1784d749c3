/**
 * Benchmark of the cluster DNS server (issue 6), side by side with peers
 * from Debian's packages in one run, all on loopback:
 *   - cluster names: nanokube DNS vs nsd (authoritative for cluster.local,
 *     from a zone file generated from the same fixture: bench/dns-fixture.ts);
 *   - cached upstream names: nanokube DNS vs unbound, both forwarding to
 *     the same stub upstream (src/dns/stub-upstream.ts) and warmed first.
 * dnsperf measures: a closed loop (`-q` outstanding) for queries/s, then a
 * fixed rate with `-v` for latency percentiles. Every server runs with one
 * thread (nsd server-count 1, unbound num-threads 1, nanokube one Node
 * process); q/s per core divides by the server's own CPU use in the run.
 *
 *   node bench/dns.ts [--seconds 10] [--rate 5000] [--clients 10] [--outstanding 200]
 *
 * Installs dnsperf, nsd and unbound with apt-get when missing (services kept
 * from starting). Address plan: stub upstream 127.0.0.20, nanokube
 * 127.0.0.30, nsd 127.0.0.31, unbound 127.0.0.32; ephemeral ports. Never the
 * machine's resolver: unbound forwards "." to the stub. Processes started
 * here are stopped by PID.
 */
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { StubUpstream } from '../src/dns/stub-upstream.ts';
import { makeQuery, udpExchange } from '../src/dns/test-client.ts';
import { clusterQueries, upstreamQueries, upstreamRecords, zoneFile } from './dns-fixture.ts';

const { values } = parseArgs({
  options: { seconds: { type: 'string', default: '10' }, rate: { type: 'string', default: '5000' }, clients: { type: 'string', default: '10' }, outstanding: { type: 'string', default: '200' } },
});
const SECONDS = Number(values.seconds);
const RATE = Number(values.rate);
const PATH = `${process.env.PATH ?? ''}:/usr/sbin:/sbin`;
const has = (bin: string) => spawnSync('sh', ['-c', `command -v ${bin}`], { env: { ...process.env, PATH } }).status === 0;

function ensureTools(): void {
  const missing = ['dnsperf', 'nsd', 'unbound'].filter((b) => !has(b));
  if (missing.length === 0) return;
  console.error(`dns bench: installing ${missing.join(', ')} with apt-get`);
  // Debian starts nsd and unbound as services on install; a policy-rc.d that says "no" keeps port 53 free.
  const policy = '/usr/sbin/policy-rc.d';
  const ours = !existsSync(policy);
  if (ours) writeFileSync(policy, '#!/bin/sh\nexit 101\n', { mode: 0o755 });
  try {
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
    execFileSync('apt-get', ['install', '-y', '-qq', 'dnsperf', 'nsd', 'unbound'], { stdio: 'inherit', env });
  } finally {
    if (ours) unlinkSync(policy);
  }
}

async function freePort(host: string): Promise<number> {
  const s = createServer();
  await new Promise<void>((ok) => s.listen(0, host, () => ok()));
  const p = (s.address() as { port: number }).port;
  await new Promise((ok) => s.close(ok));
  return p;
}

async function waitAnswering(host: string, port: number, name: string, what: string): Promise<void> {
  for (let i = 0; i < 100; i++) {
    if (await udpExchange(host, port, makeQuery(name, 'A'), 100)) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${what} on ${host}:${port} does not answer`);
}

/** CPU seconds (user + system) used by a process and its descendants (nsd forks its servers), from /proc. */
function cpuSeconds(root: number): number {
  const stats = new Map<number, { ppid: number; cpu: number }>();
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const f = readFileSync(`/proc/${d}/stat`, 'utf8');
      const fields = f.slice(f.lastIndexOf(')') + 2).split(' ');
      // utime and stime are in clock ticks (100 per second on Linux)
      stats.set(Number(d), { ppid: Number(fields[1]), cpu: (Number(fields[11]) + Number(fields[12])) / 100 });
    } catch {
      // the process ended between readdir and read
    }
  }
  const tree = new Set([root]);
  for (let grew = true; grew; ) {
    grew = false;
    for (const [pid, s] of stats) if (!tree.has(pid) && tree.has(s.ppid)) grew = tree.add(pid) !== undefined;
  }
  let total = 0;
  for (const pid of tree) total += stats.get(pid)?.cpu ?? 0;
  return total;
}

interface Target {
  name: string;
  host: string;
  port: number;
  pid: number;
}

interface Result {
  qps: number;
  cpu: number;
  lost: number;
  p50: number;
  p90: number;
  p99: number;
  p999: number;
  rcodes: string;
}

const pct = (s: number[], p: number) => (s.length ? s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] : NaN);

/** Runs dnsperf without blocking this process: the stub upstream answers from this event loop. */
function dnsperf(t: Target, file: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const c = spawn('dnsperf', ['-s', t.host, '-p', String(t.port), '-d', file, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, PATH } });
    const out: Buffer[] = [];
    let err = '';
    c.stdout.on('data', (d: Buffer) => out.push(d));
    c.stderr.on('data', (d) => (err += d));
    c.on('exit', (code) => (code === 0 ? resolve(Buffer.concat(out).toString()) : reject(new Error(`dnsperf against ${t.name}: ${err}`))));
  });
}

async function measure(t: Target, file: string): Promise<Result> {
  const c0 = cpuSeconds(t.pid);
  const w0 = performance.now();
  const out = await dnsperf(t, file, ['-l', String(SECONDS), '-c', String(values.clients), '-q', String(values.outstanding), '-t', '2']);
  const cpu = (cpuSeconds(t.pid) - c0) / ((performance.now() - w0) / 1000);
  const qps = Number(/Queries per second:\s+([\d.]+)/.exec(out)?.[1]);
  const lost = Number(/Queries lost:\s+(\d+)/.exec(out)?.[1]);
  const rcodes = /Response codes:\s+(.*)/.exec(out)?.[1] ?? '';
  // Latency at a fixed rate below saturation: the server's own time, not a queue dnsperf built.
  const verbose = await dnsperf(t, file, ['-l', '5', '-Q', String(RATE), '-v', '-c', '1']);
  const lat: number[] = [];
  for (const line of verbose.split('\n')) {
    const m = /^> \S+ .* ([\d.]+)$/.exec(line);
    if (m) lat.push(Number(m[1]) * 1000);
  }
  lat.sort((a, b) => a - b);
  return { qps, cpu, lost, p50: pct(lat, 50), p90: pct(lat, 90), p99: pct(lat, 99), p999: pct(lat, 99.9), rcodes };
}

const children: ChildProcess[] = [];
function start(cmd: string, args: string[], name: string): ChildProcess {
  const c = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, PATH } });
  c.stderr!.on('data', (d) => process.stderr.write(`${name}: ${d}`));
  children.push(c);
  return c;
}

ensureTools();
const dir = mkdtempSync(join(tmpdir(), 'nanokube-dns-bench-'));
const stub = new StubUpstream({ host: '127.0.0.20', records: upstreamRecords() });
try {
  await stub.start();
  writeFileSync(join(dir, 'cluster.txt'), clusterQueries());
  writeFileSync(join(dir, 'upstream.txt'), upstreamQueries());
  writeFileSync(join(dir, 'cluster.local.zone'), zoneFile());

  const nk = start(process.execPath, [join(import.meta.dirname, 'dns-server.ts'), '--host', '127.0.0.30', '--port', '0', '--upstream', `127.0.0.20:${stub.port}`], 'nanokube');
  const nkPort = await new Promise<number>((ok, ko) => {
    let buf = '';
    nk.stdout!.on('data', (d) => {
      buf += d;
      const m = /port=(\d+)/.exec(buf);
      if (m) ok(Number(m[1]));
    });
    nk.once('exit', (code) => ko(new Error(`nanokube DNS exited with ${code}`)));
  });

  const nsdPort = await freePort('127.0.0.31');
  writeFileSync(
    join(dir, 'nsd.conf'),
    `server:\n  ip-address: 127.0.0.31@${nsdPort}\n  server-count: 1\n  username: ""\n  chroot: ""\n  zonesdir: "${dir}"\n  database: ""\n  pidfile: "${dir}/nsd.pid"\n  xfrdfile: "${dir}/xfrd.state"\n  zonelistfile: "${dir}/zone.list"\n  logfile: "${dir}/nsd.log"\n  verbosity: 0\n  do-ip6: no\n  minimal-responses: yes\n  rrl-ratelimit: 0\n  rrl-whitelist-ratelimit: 0\nremote-control:\n  control-enable: no\nzone:\n  name: cluster.local\n  zonefile: "${dir}/cluster.local.zone"\n`,
  );
  const nsd = start('nsd', ['-d', '-c', join(dir, 'nsd.conf')], 'nsd');

  const unboundPort = await freePort('127.0.0.32');
  writeFileSync(
    join(dir, 'unbound.conf'),
    `server:\n  interface: 127.0.0.32@${unboundPort}\n  num-threads: 1\n  username: ""\n  chroot: ""\n  directory: "${dir}"\n  pidfile: "${dir}/unbound.pid"\n  use-syslog: no\n  logfile: ""\n  verbosity: 0\n  do-ip6: no\n  access-control: 127.0.0.0/8 allow\n  do-not-query-localhost: no\n  module-config: "iterator"\n  cache-max-ttl: 30\n  prefetch: no\n  minimal-responses: yes\n  local-zone: "test." nodefault\n  qname-minimisation: no\n  so-reuseport: no\nforward-zone:\n  name: "."\n  forward-addr: 127.0.0.20@${stub.port}\nremote-control:\n  control-enable: no\n`,
  );
  const unbound = start('unbound', ['-d', '-c', join(dir, 'unbound.conf')], 'unbound');

  await waitAnswering('127.0.0.30', nkPort, 'svc-0.ns-0.svc.cluster.local', 'nanokube DNS');
  await waitAnswering('127.0.0.31', nsdPort, 'svc-0.ns-0.svc.cluster.local', 'nsd');
  await waitAnswering('127.0.0.32', unboundPort, 'host-0.example.test', 'unbound');

  const nanokube: Target = { name: 'nanokube DNS', host: '127.0.0.30', port: nkPort, pid: nk.pid! };
  const peers: Record<string, Target> = {
    cluster: { name: 'nsd 4.6', host: '127.0.0.31', port: nsdPort, pid: nsd.pid! },
    upstream: { name: 'unbound 1.17', host: '127.0.0.32', port: unboundPort, pid: unbound.pid! },
  };
  const rows: string[] = [];
  for (const workload of ['cluster', 'upstream'] as const) {
    const file = join(dir, `${workload}.txt`);
    for (const t of [nanokube, peers[workload]]) {
      // one pass over every name first: upstream answers are then cached, cluster ones warm
      await dnsperf(t, file, ['-n', '1', '-c', '1']);
      const r = await measure(t, file);
      rows.push(
        `| ${workload === 'cluster' ? 'cluster names' : 'cached upstream names'} | ${t.name} | ${Math.round(r.qps)} | ${r.cpu.toFixed(2)} | ${Math.round(r.qps / Math.max(r.cpu, 0.01))} | ${r.p50.toFixed(3)} | ${r.p90.toFixed(3)} | ${r.p99.toFixed(3)} | ${r.p999.toFixed(3)} | ${r.lost} | ${r.rcodes} |`,
      );
      console.error(rows.at(-1));
    }
  }
  console.log(`\nDNS benchmark: ${SECONDS} s closed loop (dnsperf -c ${values.clients} -q ${values.outstanding}) for q/s; latency at a fixed ${RATE} q/s for 5 s (ms)\n`);
  console.log('| workload | server | q/s | server CPU (cores) | q/s per core | p50 | p90 | p99 | p99.9 | lost | rcodes |');
  console.log('|---|---|---|---|---|---|---|---|---|---|---|');
  for (const r of rows) console.log(r);
  console.log(`\nstub upstream saw ${stub.queries.length} queries`);
} finally {
  // SIGTERM, and time to exit: nsd reaps its server processes only on its own way out.
  const exits = children.map((c) => (c.exitCode !== null || c.signalCode !== null ? Promise.resolve() : new Promise<void>((ok) => c.once('exit', () => ok()))));
  for (const c of children) if (c.exitCode === null && c.pid) process.kill(c.pid, 'SIGTERM');
  await Promise.race([Promise.all(exits), new Promise((r) => setTimeout(r, 5000))]);
  for (const c of children) if (c.exitCode === null && c.signalCode === null && c.pid) process.kill(c.pid, 'SIGKILL');
  await stub.close();
  rmSync(dir, { recursive: true, force: true });
}
