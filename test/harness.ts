/**
 * @module End-to-end harness: starts a real `nanokube server` as a child
 * process on a free loopback port with its own data dir, and runs the real
 * kubectl against it. Everything it starts is stopped by PID, also when a
 * test fails.
 */
import { execFile, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');

export interface Cluster {
  dataDir: string;
  kubeconfig: string;
  proc: ChildProcess;
  /** Runs kubectl; returns stdout, throws with stderr on a non-zero exit unless allowFail. */
  kubectl(args: string[], opts?: { input?: string; allowFail?: boolean; env?: Record<string, string> }): KubectlResult;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
  server: string;
  token: string;
}

export interface KubectlResult {
  stdout: string;
  stderr: string;
  status: number;
}

export async function startCluster(opts: { dataDir?: string; args?: string[] } = {}): Promise<Cluster> {
  const dataDir = opts.dataDir ?? mkdtempSync(join(tmpdir(), 'nanokube-e2e-'));
  const proc = spawn(process.execPath, [join(root, 'bin/nanokube.js'), 'server', '--data-dir', dataDir, '--api-port', '0', ...(opts.args ?? [])], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, NANOKUBE_TEST: '1' },
  });
  let out = '';
  let err = '';
  proc.stderr!.on('data', (d) => (err += d));
  await new Promise<void>((ok, fail) => {
    const timer = setTimeout(() => fail(new Error(`server not ready in 90s:\n${err}`)), 90_000);
    proc.stdout!.on('data', (d) => {
      out += d;
      if (out.includes('nanokube is ready')) {
        clearTimeout(timer);
        ok();
      }
    });
    proc.once('exit', (code) => {
      clearTimeout(timer);
      fail(new Error(`server exited ${code}:\n${err}`));
    });
  });
  const kubeconfig = join(dataDir, 'kubeconfig.yaml');
  const cfg = spawnSync('kubectl', ['config', 'view', '--raw', '-o', 'jsonpath={.clusters[0].cluster.server} {.users[0].user.token}'], {
    env: { ...process.env, KUBECONFIG: kubeconfig },
    encoding: 'utf8',
  });
  const [server, token] = cfg.stdout.split(' ');
  const cluster: Cluster = {
    dataDir,
    kubeconfig,
    proc,
    server,
    token,
    kubectl(args, o = {}) {
      const r = spawnSync('kubectl', args, {
        input: o.input,
        encoding: 'utf8',
        env: { ...process.env, KUBECONFIG: kubeconfig, ...(o.env ?? {}) },
        timeout: 60_000,
      });
      const res = { stdout: r.stdout ?? '', stderr: r.stderr ?? '', status: r.status ?? -1 };
      if (res.status !== 0 && !o.allowFail) throw new Error(`kubectl ${args.join(' ')} failed (${res.status}):\n${res.stderr}${res.stdout}`);
      return res;
    },
    async stop(signal = 'SIGTERM') {
      if (proc.exitCode !== null || proc.signalCode !== null) return proc.exitCode;
      const exited = new Promise<number | null>((ok) => proc.once('exit', (code) => ok(code)));
      proc.kill(signal);
      return exited;
    },
  };
  return cluster;
}

export function removeDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}

/** A raw request against the API with curl, the admin token and the cluster's CA. */
export function curlApi(c: Cluster, path: string, opts: { method?: string; body?: string; type?: string; accept?: string } = {}): { status: number; body: string } {
  const r = spawnSync('curl', curlArgs(c, path, opts), { input: opts.body ?? '', encoding: 'utf8', maxBuffer: 64 << 20 });
  return splitStatus(r.stdout);
}

function curlArgs(c: Cluster, path: string, opts: { method?: string; body?: string; type?: string; accept?: string }): string[] {
  const args = ['-s', '--cacert', join(c.dataDir, 'tls/ca.crt'), '-o', '-', '-w', '\n%{http_code}', '-X', opts.method ?? 'GET', '-H', `Authorization: Bearer ${c.token}`];
  if (opts.type) args.push('-H', `Content-Type: ${opts.type}`);
  if (opts.accept) args.push('-H', `Accept: ${opts.accept}`);
  if (opts.body !== undefined) args.push('--data-binary', '@-');
  return [...args, c.server + path];
}

function splitStatus(out: string): { status: number; body: string } {
  const i = out.lastIndexOf('\n');
  return { status: Number(out.slice(i + 1)), body: out.slice(0, i) };
}

/** The same request as curlApi, without blocking the event loop (for concurrent requests). */
export function curlApiAsync(c: Cluster, path: string, opts: { method?: string; body?: string; type?: string; accept?: string } = {}): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const child = execFile('curl', curlArgs(c, path, opts), { maxBuffer: 64 << 20 }, (err, stdout) => (err ? reject(err) : resolve(splitStatus(stdout))));
    child.stdin!.end(opts.body ?? '');
  });
}

/**
 * A /24 in 172.30.0.0/16 that none of the host's routes overlaps (read only), for `--node-network`
 * in isolated mode: concurrent clusters and test runs never share host addresses.
 */
export function freeNodeNetwork(): string {
  const r = spawnSync('ip', ['-j', '-4', 'route', 'show', 'table', 'all'], { encoding: 'utf8' });
  const toRange = (dst: string) => {
    const [ip, bits = '32'] = dst.split('/');
    const base = ip.split('.').reduce((a, o) => a * 256 + Number(o), 0);
    const size = 2 ** (32 - Number(bits));
    return { base: base - (base % size), size };
  };
  const used = (JSON.parse(r.stdout || '[]') as { dst?: string }[]).filter((x) => x.dst && x.dst !== 'default').map((x) => toRange(x.dst!));
  for (let tries = 0; tries < 200; tries++) {
    const third = 32 + Math.floor(Math.random() * 222);
    const c = toRange(`172.30.${third}.0/24`);
    if (!used.some((u) => u.base < c.base + c.size && c.base < u.base + u.size)) return `172.30.${third}.0/24`;
  }
  throw new Error('no free /24 in 172.30.0.0/16');
}

/** Polls cond until it holds, or fails after ms. */
export async function waitFor(cond: () => boolean, ms = 10_000, every = 50): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, every));
  }
}

/** Polls fn until it returns a truthy value (returned), or fails after ms with the last error seen. */
export async function eventually<T>(what: string, fn: () => T | undefined | false, ms = 30_000): Promise<T> {
  const end = Date.now() + ms;
  let last: unknown;
  for (;;) {
    try {
      const v = fn();
      if (v) return v;
    } catch (e) {
      last = e;
    }
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}${last ? `: ${(last as Error).message}` : ''}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
