/**
 * Benchmark of the ingress controller (issue 7), side by side with nginx in
 * one run: wrk with keep-alive through nanokube's ingress (the real
 * program, src/ingress/main.ts, fed by a fake API server) and through
 * nginx configured as a reverse proxy with the same route (host
 * bench.test, path /, two endpoints, upstream keepalive, the headers
 * ingress-nginx sets, an access log), to the same two backends (nginx
 * `return 200`, small responses), plus the backends directly as the
 * baseline. Requests/s and p50/p99 as a Markdown table.
 *
 *   node bench/ingress.ts [--seconds 10] [--connections 50] [--latency-connections 1] [--threads 1] [--workers 2] [--rounds 2]
 *
 * Loopback only: backends on 127.0.0.2 and 127.0.0.3, proxies and the
 * fake API on 127.0.0.1. Every process is started and stopped here by PID.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect, createServer, type AddressInfo } from 'node:net';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { FakeApi } from '../src/ingress/fake-api.ts';
import { ingress, ingressClass, service, slice } from '../src/ingress/fixtures.ts';

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '10' },
    connections: { type: 'string', default: '50' },
    threads: { type: 'string', default: '1' },
    workers: { type: 'string', default: String(availableParallelism()) },
    rounds: { type: 'string', default: '2' },
    // A second phase with one connection: no queueing, so p99 there is the latency a proxy adds.
    'latency-connections': { type: 'string', default: '1' },
  },
});

function need(bin: string, pkg: string): void {
  try {
    execFileSync('which', [bin], { stdio: 'ignore' });
  } catch {
    console.error(`bench: installing ${pkg}`);
    execFileSync('apt-get', ['install', '-y', pkg], { stdio: 'inherit' });
  }
}
need('wrk', 'wrk');
need('nginx', 'nginx');

async function freePort(host = '127.0.0.1'): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, host, r));
  const p = (s.address() as AddressInfo).port;
  await new Promise((r) => s.close(r));
  return p;
}

const dir = mkdtempSync(join(tmpdir(), 'nanokube-bench-ingress-'));
const procs: ChildProcess[] = [];

function nginx(name: string, conf: string): ChildProcess {
  const file = join(dir, `${name}.conf`);
  writeFileSync(file, `pid ${dir}/${name}.pid;\nerror_log ${dir}/${name}.err warn;\ndaemon off;\n${conf}`);
  const p = spawn('nginx', ['-p', dir, '-c', file], { stdio: 'inherit' });
  procs.push(p);
  return p;
}

async function waitPort(port: number, host = '127.0.0.1'): Promise<void> {
  for (let i = 0; i < 200; i++) {
    const ok = await new Promise<boolean>((r) => {
      const s = connect(port, host, () => (s.destroy(), r(true)));
      s.on('error', () => r(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`nothing listens on ${host}:${port}`);
}

interface WrkResult {
  rps: number;
  p50: number;
  p99: number;
  errors: string;
}

function toMs(v: string): number {
  const m = /^([\d.]+)(us|ms|s)$/.exec(v.trim());
  if (!m) return NaN;
  return Number(m[1]) * (m[2] === 'us' ? 0.001 : m[2] === 's' ? 1000 : 1);
}

function wrk(url: string, seconds: number, connections = values.connections): WrkResult {
  const out = execFileSync('wrk', [`-t${values.threads}`, `-c${connections}`, `-d${seconds}s`, '--latency', '-H', 'Host: bench.test', url], { encoding: 'utf8' });
  const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1]);
  const p50 = toMs(/^\s+50%\s+(\S+)/m.exec(out)?.[1] ?? '');
  const p99 = toMs(/^\s+99%\s+(\S+)/m.exec(out)?.[1] ?? '');
  const errs = [/Non-2xx or 3xx responses: (\d+)/.exec(out)?.[0], /Socket errors: .*/.exec(out)?.[0]].filter(Boolean).join('; ');
  return { rps, p50, p99, errors: errs };
}

const api = new FakeApi();
try {
  const backendPort = await freePort('127.0.0.2');
  const nginxPort = await freePort();
  const [httpPort, httpsPort, healthzPort] = [await freePort(), await freePort(), await freePort()];

  // Backends: nginx `return 200` on two addresses, one worker each side of the comparison shares.
  nginx(
    'backend',
    `worker_processes 1;\nevents { worker_connections 4096; }\nhttp {\n access_log off;\n keepalive_requests 100000;\n server {\n  listen 127.0.0.2:${backendPort};\n  listen 127.0.0.3:${backendPort};\n  location / { default_type text/plain; return 200 "ok\\n"; }\n }\n}\n`,
  );
  // nginx as ingress-nginx configures its proxy for one location (same headers, upstream keepalive 320, access log).
  nginx(
    'proxy',
    `worker_processes ${values.workers};\nevents { worker_connections 16384; }\nhttp {\n` +
      ` log_format upstreaminfo '$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_referer" "$http_user_agent" $request_length $request_time [bench] [] $upstream_addr $upstream_response_length $upstream_response_time $upstream_status $request_id';\n` +
      ` access_log /dev/null upstreaminfo;\n keepalive_timeout 75s;\n keepalive_requests 100000;\n server_tokens off;\n` +
      ` upstream bench { server 127.0.0.2:${backendPort}; server 127.0.0.3:${backendPort}; keepalive 320; keepalive_requests 100000; }\n` +
      ` server {\n  listen 127.0.0.1:${nginxPort};\n  server_name bench.test;\n  location / {\n` +
      `   proxy_http_version 1.1;\n   proxy_set_header Connection "";\n   proxy_set_header Host $http_host;\n   proxy_set_header X-Request-ID $request_id;\n` +
      `   proxy_set_header X-Real-IP $remote_addr;\n   proxy_set_header X-Forwarded-For $remote_addr;\n   proxy_set_header X-Forwarded-Host $http_host;\n` +
      `   proxy_set_header X-Forwarded-Port $server_port;\n   proxy_set_header X-Forwarded-Proto $scheme;\n   proxy_set_header X-Scheme $scheme;\n   proxy_set_header Proxy "";\n` +
      `   proxy_connect_timeout 5s;\n   proxy_read_timeout 60s;\n   proxy_next_upstream error timeout;\n   proxy_pass http://bench;\n  }\n }\n}\n`,
  );

  // nanokube's ingress: the program itself, against a fake API holding one Ingress.
  await api.start();
  api.put(ingressClass('nginx'));
  api.put(service('bench', [{ port: 80 }]));
  api.put(slice('bench', [{ ip: '127.0.0.2' }, { ip: '127.0.0.3' }], [{ port: backendPort }]));
  api.put(ingress('bench', { className: 'nginx', rules: [{ host: 'bench.test', paths: [{ path: '/', service: 'bench' }] }] }));
  const ing = spawn(
    process.execPath,
    ['src/ingress/main.ts', '--bind-address=127.0.0.1', `--http-port=${httpPort}`, `--https-port=${httpsPort}`, `--healthz-port=${healthzPort}`, `--workers=${values.workers}`],
    { env: { ...process.env, NANOKUBE_API_SERVER: api.url, NANOKUBE_API_TOKEN: 'bench', NANOKUBE_API_CA: api.ca }, stdio: ['ignore', 'ignore', 'inherit'] },
  );
  procs.push(ing);

  await Promise.all([waitPort(backendPort, '127.0.0.2'), waitPort(nginxPort), waitPort(healthzPort)]);
  for (let i = 0; i < 100; i++) {
    const ok = await fetch(`http://127.0.0.1:${healthzPort}/healthz`).then((r) => r.ok, () => false);
    if (ok) break;
    await new Promise((r) => setTimeout(r, 100));
  }

  const seconds = Number(values.seconds);
  const targets: [string, string][] = [
    ['backend directly', `http://127.0.0.2:${backendPort}/`],
    ['nginx 1.22 (reverse proxy)', `http://127.0.0.1:${nginxPort}/`],
    ['nanokube ingress', `http://127.0.0.1:${httpPort}/`],
  ];
  for (const [, url] of targets) wrk(url, 2); // warm-up: JIT, pools, keep-alive connections
  for (const [phase, conns] of [
    ['throughput', values.connections],
    ['latency', values['latency-connections']],
  ] as const) {
    const results = new Map<string, WrkResult[]>();
    for (let r = 0; r < Number(values.rounds); r++) {
      for (const [name, url] of targets) {
        const res = wrk(url, seconds, conns);
        results.set(name, [...(results.get(name) ?? []), res]);
        console.error(`bench: ${phase} round ${r + 1} ${name}: ${res.rps.toFixed(0)} req/s p50 ${res.p50.toFixed(3)} ms p99 ${res.p99.toFixed(2)} ms ${res.errors}`);
      }
    }
    // Best round by requests/s: the machine is shared, the best round is the least disturbed one.
    const best = (name: string) => [...results.get(name)!].sort((a, b) => b.rps - a.rps)[0];
    const direct = best(targets[0][0]);
    const ngx = best(targets[1][0]);
    const ours = best(targets[2][0]);
    console.log(`\n${phase}: wrk -t${values.threads} -c${conns} -d${seconds}s, keep-alive, 3-byte responses; ${values.workers} workers for each proxy; best of ${values.rounds} rounds\n`);
    console.log('| target | requests/s | p50 | p99 | errors |');
    console.log('|---|---|---|---|---|');
    for (const [name] of targets) {
      const x = best(name);
      console.log(`| ${name} | ${x.rps.toFixed(0)} | ${x.p50.toFixed(2)} ms | ${x.p99.toFixed(2)} ms | ${x.errors || 'none'} |`);
    }
    const median = (name: string) => [...results.get(name)!].sort((a, b) => a.rps - b.rps)[Math.floor(results.get(name)!.length / 2)].rps;
    console.log(`\nnanokube / nginx requests/s: ${(ours.rps / ngx.rps).toFixed(2)} best rounds, ${(median(targets[2][0]) / median(targets[1][0])).toFixed(2)} medians (target >= 0.6)`);
    console.log(`p99 added over nginx: ${(ours.p99 - ngx.p99).toFixed(2)} ms (target <= 2 ms); over the backend directly: nginx ${(ngx.p99 - direct.p99).toFixed(2)} ms, nanokube ${(ours.p99 - direct.p99).toFixed(2)} ms`);
  }
} finally {
  for (const p of procs) if (p.exitCode === null && p.pid) p.kill('SIGTERM');
  await new Promise((r) => setTimeout(r, 300));
  for (const p of procs) if (p.exitCode === null && p.pid) p.kill('SIGKILL');
  await api.close();
  rmSync(dir, { recursive: true, force: true });
}
