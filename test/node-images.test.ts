/**
 * Built-in images run for real through the container runtime, checked with curl.
 *
 * Address plan: no namespaces. A fake sandbox (enterPrefix() = [], pod IP
 * 127.0.0.1) runs every container as a plain host process; the catalog's bind
 * address makes every built-in server listen on 127.0.0.1 only, each on an
 * ephemeral port picked at the start of its test. Nothing else is contacted.
 * Every process started here is stopped by PID in `after`, and the temp dir
 * is removed, also when a test fails.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer, connect, type AddressInfo } from 'node:net';
import { after, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { ImageError, resolveImage, type ContainerCommand } from '../src/node/images/catalog.ts';
import { findNginx } from '../src/node/images/nginx.ts';
import { NGINX_WELCOME_HTML } from '../src/node/images/pages.ts';
import { scaledBackoff } from '../src/node/runtime/backoff.ts';
import { ContainerRuntime, RuntimeError, type ContainerSpec, type RunningContainer } from '../src/node/runtime/container-runtime.ts';
import { makeEnvironment, expandCommandAndArgs, type EnvVarSpec } from '../src/node/runtime/env.ts';
import { readLogs } from '../src/node/runtime/log-reader.ts';
import { runProbeCheck } from '../src/node/runtime/probe-checks.ts';
import { RestartManager, type ContainerStatusView } from '../src/node/runtime/restart-manager.ts';
import type { Sandbox } from '../src/node/types.ts';

const run = promisify(execFile);
const dir = mkdtempSync(join(tmpdir(), 'nk-images-'));
const sandbox: Sandbox = { id: 'test', podIP: '127.0.0.1', pausePid: 0, enterPrefix: () => [], dir };
const runtime = new ContainerRuntime();
const started: RunningContainer[] = [];
const managers: RestartManager[] = [];

after(async () => {
  await Promise.all(managers.map((m) => m.stop(0)));
  for (const rc of started) {
    if (rc.exitStatus) continue;
    try {
      process.kill(-rc.pid, 'SIGKILL');
    } catch {}
    await rc.exited;
  }
  rmSync(dir, { recursive: true, force: true });
});

async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const { port } = srv.address() as AddressInfo;
  await new Promise((r) => srv.close(r));
  return port;
}

async function waitForPort(port: number, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = connect({ host: '127.0.0.1', port });
      s.once('connect', () => (s.destroy(), resolve(true)));
      s.once('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > end) throw new Error(`nothing listens on 127.0.0.1:${port}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

async function waitFor(cond: () => boolean, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** No such process, or only a zombie waiting for a reaper that is not ours. */
function gone(pid: number): boolean {
  try {
    return readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /s, '').startsWith('Z');
  } catch {
    return true;
  }
}

async function curl(...args: string[]): Promise<string> {
  const { stdout } = await run('curl', ['-sS', '--max-time', '5', ...args]);
  return stdout;
}

let seq = 0;
/** Resolves and starts one container the way the kubelet will: env, $(VAR) expansion, catalog, runtime. */
async function startContainer(image: string, c: ContainerCommand & { env?: EnvVarSpec[]; stdin?: boolean; tty?: boolean } = {}, opts: { nginxPath?: string | null } = {}): Promise<RunningContainer> {
  const name = `c${seq++}`;
  const env = makeEnvironment({ env: c.env, serviceEnv: { KUBERNETES_SERVICE_HOST: '10.96.0.1' } });
  const resolved = resolveImage(image, { ...expandCommandAndArgs(c, env), ports: c.ports }, { nginxPath: opts.nginxPath ?? null, bindAddress: '127.0.0.1', stateDir: join(dir, 'state', name) });
  if (resolved instanceof ImageError) throw resolved;
  const spec: ContainerSpec = { name, image, ...c };
  const rc = await runtime.start({ sandbox, container: spec, image: resolved, env, logPath: join(dir, 'logs', name, '0.log'), hostname: 'test-pod' });
  started.push(rc);
  return rc;
}

async function logText(path: string, opts = {}): Promise<string> {
  let out = '';
  for await (const c of readLogs(path, opts)) out += c.toString();
  return out;
}

describe('built-in images on 127.0.0.1', () => {
  it('nginx (built-in server): the welcome page, Server header, access log in CRI format', async () => {
    const port = await freePort();
    const rc = await startContainer('nginx:1.27', { ports: [{ containerPort: port }] });
    await waitForPort(port);
    assert.equal(await curl(`http://127.0.0.1:${port}/`), NGINX_WELCOME_HTML);
    const head = await curl('-I', `http://127.0.0.1:${port}/`);
    assert.match(head, /^Server: nginx\/1\.27\.3\r$/m);
    assert.match(head, /^Content-Length: 615\r$/m);
    assert.match(await curl(`http://127.0.0.1:${port}/nope`), /<title>404 Not Found<\/title>/);
    await runtime.stop(rc, 5);
    const file = readFileSync(rc.logPath, 'utf8');
    assert.match(file, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z stdout F 127\.0\.0\.1 - - \[[^\]]+\] "GET \/ HTTP\/1\.1" 200 615 "-" "curl\/[^"]+" "-"$/m);
    assert.match(file, /^\S+ stderr F \S+ \S+ \[notice\] \d+#\d+: signal 15 \(SIGTERM\) received, exiting$/m);
    assert.equal(rc.exitStatus!.exitCode, 0);
    assert.equal(rc.exitStatus!.reason, 'Completed');
  });

  it('nginx (the real binary)', { skip: findNginx() ? false : 'no nginx on this machine' }, async () => {
    const port = await freePort();
    const rc = await startContainer('nginx', { ports: [{ containerPort: port }] }, { nginxPath: findNginx() });
    await waitForPort(port);
    assert.equal(await curl(`http://127.0.0.1:${port}/`), NGINX_WELCOME_HTML);
    assert.match(await curl('-I', `http://127.0.0.1:${port}/`), /^Server: nginx/m);
    await runtime.stop(rc, 5);
  });

  it('agnhost netexec: /hostname, /clientip, /echo, /healthz, UDP through /dial', async () => {
    const [http, udp] = [await freePort(), await freePort()];
    const rc = await startContainer('registry.k8s.io/e2e-test-images/agnhost:2.53', { args: ['netexec', `--http-port=${http}`, `--udp-port=${udp}`] });
    await waitForPort(http);
    const base = `http://127.0.0.1:${http}`;
    assert.equal(await curl(`${base}/hostname`), hostname());
    assert.match(await curl(`${base}/clientip`), /^127\.0\.0\.1:\d+$/);
    assert.equal(await curl(`${base}/echo?msg=x`), 'x');
    assert.equal(await curl('-o', '/dev/null', '-w', '%{http_code}', `${base}/healthz`), '200');
    assert.equal(await curl(`${base}/dial?request=hostname&protocol=udp&host=127.0.0.1&port=${udp}&tries=1`), `{"responses":["${hostname()}"]}`);
    assert.equal(await curl(`${base}/shell?cmd=echo%20%24KUBERNETES_SERVICE_HOST`), '{"output":"10.96.0.1\\n"}');
    const probe = await runProbeCheck({ httpGet: { port: http, path: '/healthz' } }, { podIP: '127.0.0.1', sandbox }, 1000);
    assert.equal(probe.result, 'success');
    await runtime.stop(rc, 5);
    assert.equal(rc.exitStatus!.exitCode, 143, 'netexec dies of SIGTERM as a Go program without a handler does');
    assert.equal(rc.exitStatus!.signal, 'SIGTERM');
  });

  it('agnhost serve-hostname', async () => {
    const port = await freePort();
    const rc = await startContainer('registry.k8s.io/e2e-test-images/agnhost:2.53', { command: ['/agnhost', 'serve-hostname'], args: ['--port', String(port)] });
    await waitForPort(port);
    assert.equal(await curl(`http://127.0.0.1:${port}/`), hostname());
    await runtime.stop(rc, 5);
    assert.equal(rc.exitStatus!.exitCode, 0);
  });

  it('hashicorp/http-echo: the text and a newline', async () => {
    const port = await freePort();
    const rc = await startContainer('hashicorp/http-echo', { args: ['-text=Whalesay A', `-listen=:${port}`] });
    await waitForPort(port);
    assert.equal(await curl(`http://127.0.0.1:${port}/anything`), 'Whalesay A\n');
    assert.equal(await curl(`http://127.0.0.1:${port}/health`), '{"status":"ok"}\n');
    await runtime.stop(rc, 5);
    assert.equal(rc.exitStatus!.exitCode, 2, 'http-echo exits 2 after an interrupt');
  });

  it('network-multitool: its one-line page on $HTTP_PORT', async () => {
    const port = await freePort();
    const rc = await startContainer('wbitt/network-multitool', { env: [{ name: 'HTTP_PORT', value: String(port) }] });
    await waitForPort(port);
    assert.match(await curl(`http://127.0.0.1:${port}/`), new RegExp(`^WBITT Network MultiTool \\(with NGINX\\) - ${hostname()} - .* - HTTP: ${port} , HTTPS: 443 \\. \\(Formerly praqma/network-multitool\\)\\n$`));
    await runtime.stop(rc, 5);
  });
});

describe('container processes', () => {
  it('env and $(VAR) expansion reach the process; output lands in the log', async () => {
    const rc = await startContainer('busybox', {
      command: ['sh', '-c', 'echo "$GREETING from $HOSTNAME"; echo "$(MSG)"; echo oops >&2'],
      env: [{ name: 'WHO', value: 'pod' }, { name: 'GREETING', value: 'hello $(WHO)' }, { name: 'MSG', value: 'expanded' }],
    });
    const status = await rc.exited;
    assert.equal(status.reason, 'Completed');
    assert.equal(await logText(rc.logPath), 'hello pod from test-pod\nexpanded\noops\n');
    assert.match(await logText(rc.logPath, { timestamps: true, tail: 1 }), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z oops\n$/);
  });

  it('a missing executable is a StartError', async () => {
    await assert.rejects(startContainer('busybox', { command: ['no-such-command-here'] }), (e: unknown) => e instanceof RuntimeError && e.reason === 'StartError' && /executable file not found in \$PATH/.test(e.message));
  });

  it('stdin: true keeps stdin open for attach', async () => {
    const rc = await startContainer('busybox', { command: ['cat'], stdin: true });
    rc.stdin!.write('typed\n');
    await waitFor(() => existsSync(rc.logPath) && readFileSync(rc.logPath, 'utf8').includes('typed'));
    rc.stdin!.end();
    assert.equal((await rc.exited).exitCode, 0);
    assert.equal(await logText(rc.logPath), 'typed\n');
  });

  it('tty: true gives the process a terminal', async () => {
    const rc = await startContainer('busybox', { command: ['sh', '-c', 'test -t 1 && echo "term=$TERM"'], tty: true });
    assert.equal((await rc.exited).exitCode, 0);
    assert.match(await logText(rc.logPath), /term=xterm/);
  });

  it('graceful stop: SIGTERM ends a well-behaved container at once', async () => {
    const rc = await startContainer('registry.k8s.io/e2e-test-images/agnhost:2.53');
    await waitFor(() => existsSync(rc.logPath) && readFileSync(rc.logPath, 'utf8').includes('Paused'));
    const t = Date.now();
    const status = await runtime.stop(rc, 10);
    assert.ok(Date.now() - t < 2000, 'well within the grace period');
    assert.equal(status.exitCode, 2, 'agnhost pause exits 2 on SIGTERM');
  });

  it('graceful stop: SIGKILL after the grace period, for the whole process group', async () => {
    const rc = await startContainer('busybox', { command: ['sh', '-c', 'trap "" TERM; sleep 30 & echo $!; wait'] });
    await waitFor(() => existsSync(rc.logPath) && /\d+\n/.test(readFileSync(rc.logPath, 'utf8')));
    const sleepPid = Number((await logText(rc.logPath)).trim());
    const t = Date.now();
    const status = await runtime.stop(rc, 1);
    const took = Date.now() - t;
    assert.ok(took >= 950 && took < 3000, `killed after the 1 s grace period (${took} ms)`);
    assert.equal(status.exitCode, 137);
    assert.equal(status.signal, 'SIGKILL');
    assert.ok(gone(sleepPid), 'the background child went with the group');
  });

  it('a crashing container restarts with a growing back-off and restartCount', async () => {
    const statuses: ContainerStatusView[] = [];
    const starts: number[] = [];
    const logDir = join(dir, 'logs', 'crash');
    const m = new RestartManager({
      containerName: 'crash',
      pod: 'crash_default(uid)',
      image: 'busybox',
      restartPolicy: 'Always',
      backoff: scaledBackoff(200),
      start: async (n) => {
        starts.push(Date.now());
        const image = resolveImage('busybox', { command: ['sh', '-c', 'echo "run $RUN"; exit 3'] }, { nginxPath: null });
        if (image instanceof ImageError) throw image;
        const rc = await runtime.start({ sandbox, container: { name: 'crash', image: 'busybox' }, image, env: [{ name: 'RUN', value: String(n) }], logPath: join(logDir, `${n}.log`) });
        started.push(rc);
        return rc;
      },
      stop: (rc, grace) => runtime.stop(rc, grace),
      onStatus: (s) => statuses.push(s),
    });
    managers.push(m);
    const done = m.run();
    await waitFor(() => m.status().restartCount >= 3 && m.status().state.running === undefined, 15_000);
    await m.stop(1);
    await done;
    const waits = starts.slice(1).map((t, i) => t - starts[i]);
    assert.ok(waits[1] >= 200 && waits[2] >= 400 && waits[2] > waits[1] && waits[1] > waits[0], `back-off grows: ${waits}`);
    const clb = statuses.filter((s) => s.state.waiting?.reason === 'CrashLoopBackOff');
    assert.deepEqual(clb.slice(0, 2).map((s) => s.state.waiting!.message), ['back-off 200ms restarting failed container=crash pod=crash_default(uid)', 'back-off 400ms restarting failed container=crash pod=crash_default(uid)']);
    assert.equal(clb[0].lastState.terminated!.exitCode, 3);
    assert.equal(clb[0].lastState.terminated!.reason, 'Error');
    // One log file per instance, as the kubelet keeps them for --previous.
    assert.equal(await logText(join(logDir, '0.log')), 'run 0\n');
    assert.equal(await logText(join(logDir, '2.log')), 'run 2\n');
  });
});
