/**
 * End-to-end: kubectl logs, exec, attach, port-forward, cp and run -it
 * through a real `nanokube server` to an agent stream server running in
 * this process with a fake PodRuntimeView (its "pods" run their commands
 * directly on the host; their log files are written by this test).
 *
 * Address plan (loopback only, no network namespaces):
 *   127.0.0.1:<random>  the apiserver (test/harness.ts)
 *   127.0.0.1:<random>  the agent's stream server; Node n1 advertises it in
 *                       status.daemonEndpoints.kubeletEndpoint.Port
 *   127.0.0.1:<random>  an HTTP server of this test, the port-forward target
 *   127.0.0.1:<random>  kubectl port-forward's local listener
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from '../src/client/client.ts';
import { FakeRuntime } from '../src/node/streams/fake-runtime.ts';
import { StreamServer } from '../src/node/streams/server.ts';
import { run, start, startOnTerminal, stopAll } from '../src/node/streams/testing.ts';
import { removeDir, startCluster, type Cluster } from './harness.ts';

/** A CRI log line stamped `agoMs` before now. */
const cri = (agoMs: number, stream: 'stdout' | 'stderr', text: string, tag = 'F') =>
  `${new Date(Date.now() - agoMs).toISOString().replace(/Z$/, '456789Z')} ${stream} ${tag} ${text}\n`;

describe('pod streams with the real kubectl', { timeout: 180_000 }, () => {
  let c: Cluster;
  let dir: string;
  let client: Client;
  const rt = new FakeRuntime();
  const agent = new AbortController();
  let target: Server;
  let targetPort = 0;
  let env: Record<string, string>;
  const kubectl = (args: string[], input?: string) => run(['kubectl', ...args], { env, input });

  before(async () => {
    c = await startCluster();
    env = { KUBECONFIG: c.kubeconfig };
    dir = mkdtempSync(join(tmpdir(), 'nanokube-streams-'));
    client = new Client({ server: c.server, token: c.token, caCert: readFileSync(join(c.dataDir, 'tls/ca.crt'), 'utf8'), userAgent: 'streams-test' });
    writeFileSync(join(dir, 'main.log'), cri(7_200_000, 'stdout', 'two hours ago') + cri(2000, 'stdout', 'hello') + cri(1000, 'stderr', 'world'));
    writeFileSync(join(dir, 'main.prev.log'), cri(9_000_000, 'stdout', 'from the previous instance'));
    writeFileSync(join(dir, 'tick.log'), cri(1000, 'stdout', 'tick 1'));
    rt.addPod({
      namespace: 'default',
      name: 'p',
      containers: [
        { name: 'main', logPath: join(dir, 'main.log'), previousLogPath: join(dir, 'main.prev.log') },
        { name: 'tick', logPath: join(dir, 'tick.log'), command: ['sleep', '300'] },
        { name: 'echo', logPath: join(dir, 'tick.log'), command: ['sh', '-c', 'while read l; do echo "got $l"; done'], stdin: true },
        { name: 'shell', logPath: join(dir, 'tick.log'), command: ['sh'], stdin: true, tty: true },
      ],
    });
    const server = new StreamServer({ runtime: rt, token: c.token });
    await server.start(agent.signal);
    target = createServer((req, res) => res.end(`hello from the pod, ${req.url}\n`));
    await new Promise<void>((r) => target.listen(0, '127.0.0.1', r));
    targetPort = (target.address() as { port: number }).port;

    c.kubectl(['create', '-f', '-'], { input: JSON.stringify({ apiVersion: 'v1', kind: 'Node', metadata: { name: 'n1' } }) });
    const nodeStatus = { daemonEndpoints: { kubeletEndpoint: { Port: server.port } }, addresses: [{ type: 'InternalIP', address: '127.0.0.1' }] };
    c.kubectl(['patch', 'node', 'n1', '--subresource=status', '--type=merge', '-p', JSON.stringify({ status: nodeStatus })]);
    const containers = ['main', 'tick', 'echo', 'shell'].map((name) => ({ name, image: 'busybox', stdin: name === 'echo' || name === 'shell', tty: name === 'shell' }));
    c.kubectl(['create', '-f', '-'], { input: JSON.stringify({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'default' }, spec: { nodeName: 'n1', containers } }) });
    c.kubectl(['patch', 'pod', 'p', '--subresource=status', '--type=merge', '-p', JSON.stringify({ status: { phase: 'Running' } })]);
  });

  after(async () => {
    await stopAll();
    agent.abort();
    await rt.stop();
    target?.close();
    client?.close();
    await c?.stop();
    if (c) removeDir(c.dataDir);
    if (dir) removeDir(dir);
  });

  it('kubectl logs: all lines, --tail, --timestamps, --since, --limit-bytes, --previous', async () => {
    assert.equal((await kubectl(['logs', 'p', '-c', 'main'])).stdout, 'two hours ago\nhello\nworld\n');
    assert.equal((await kubectl(['logs', 'p', '-c', 'main', '--tail=1'])).stdout, 'world\n');
    const ts = (await kubectl(['logs', 'p', '-c', 'main', '--tail=2', '--timestamps'])).stdout;
    assert.match(ts, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}456789Z hello\n\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}456789Z world\n$/);
    assert.equal((await kubectl(['logs', 'p', '-c', 'main', '--since=1h'])).stdout, 'hello\nworld\n');
    assert.equal((await kubectl(['logs', 'p', '-c', 'main', '--limit-bytes=8'])).stdout, 'two hour');
    assert.equal((await kubectl(['logs', 'p', '-c', 'main', '--previous'])).stdout, 'from the previous instance\n');
    const prev = await kubectl(['logs', 'p', '-c', 'tick', '--previous']);
    assert.equal(prev.status, 1);
    assert.match(prev.stderr, /Error from server \(BadRequest\): previous terminated container "tick" in pod "p" not found/);
    const bad = await kubectl(['logs', 'p', '-c', 'nope']);
    assert.match(bad.stderr, /container nope is not valid for pod p/);
    const defaulted = await kubectl(['logs', 'p']);
    assert.match(defaulted.stderr, /Defaulted container "main" out of: main, tick, echo, shell/);
    assert.equal(defaulted.stdout, 'two hours ago\nhello\nworld\n');
  });

  it('kubectl logs -f sees appended lines (partial ones joined) and ends when the container stops', async () => {
    const f = start(['kubectl', 'logs', '-f', 'p', '-c', 'tick'], { env });
    await f.waitFor(/tick 1\n/);
    appendFileSync(join(dir, 'tick.log'), cri(0, 'stdout', 'tick ', 'P') + cri(0, 'stdout', '2'));
    await f.waitFor(/tick 1\ntick 2\n/);
    rt.process('default', 'p', 'tick')!.kill('SIGTERM');
    const end = await f.exited(10_000);
    assert.equal(end.status, 0);
    assert.equal(end.stdout, 'tick 1\ntick 2\n');
  });

  it('kubectl exec: output, stdin, exit codes, errors', async () => {
    const hi = await kubectl(['exec', 'p', '-c', 'main', '--', 'echo', 'hi']);
    assert.deepEqual([hi.status, hi.stdout], [0, 'hi\n']);
    const both = await kubectl(['exec', 'p', '-c', 'main', '--', 'sh', '-c', 'echo out; echo err >&2']);
    assert.deepEqual([both.stdout, both.stderr], ['out\n', 'err\n']);
    const piped = await kubectl(['exec', '-i', 'p', '-c', 'main', '--', 'sh', '-c', 'tr a-z A-Z; echo done'], 'piped through stdin\n');
    assert.deepEqual([piped.status, piped.stdout], [0, 'PIPED THROUGH STDIN\ndone\n']);
    const three = await kubectl(['exec', 'p', '-c', 'main', '--', 'sh', '-c', 'exit 3']);
    assert.equal(three.status, 3);
    assert.match(three.stderr, /command terminated with exit code 3/);
    const big = await kubectl(['exec', 'p', '-c', 'main', '--', 'sh', '-c', 'head -c 3000000 /dev/zero']);
    assert.equal(big.stdout.length, 3_000_000);
    const bad = await kubectl(['exec', 'p', '-c', 'nope', '--', 'true']);
    assert.match(bad.stderr, /Error from server \(BadRequest\): container nope is not valid for pod p/);
    const missing = await kubectl(['exec', 'nopod', '--', 'true']);
    assert.match(missing.stderr, /Error from server \(NotFound\): pods "nopod" not found/);
  });

  it('kubectl exec -it runs on a terminal with the client window size', async () => {
    const t = startOnTerminal(`stty rows 30 cols 100; kubectl exec -it p -c main -- sh -c 'tty; stty size; echo TERM=$TERM; exit 5'`, env);
    const end = await t.exited();
    assert.equal(end.status, 5, end.stdout);
    assert.match(end.stdout, /\/dev\/pts\/\d+\r\n30 100\r\nTERM=xterm\r\n/);
    assert.match(end.stdout, /command terminated with exit code 5/);
  });

  it('kubectl port-forward carries HTTP to a port inside the pod', async () => {
    const pf = start(['kubectl', 'port-forward', 'pod/p', `0:${targetPort}`], { env });
    const [, local] = await pf.waitFor(/Forwarding from 127\.0\.0\.1:(\d+) ->/);
    for (const path of ['/one', '/two']) {
      const r = await run(['curl', '-s', `http://127.0.0.1:${local}${path}`]);
      assert.equal(r.stdout, `hello from the pod, ${path}\n`);
    }
    const bodies = await Promise.all([1, 2, 3].map((i) => run(['curl', '-s', `http://127.0.0.1:${local}/c${i}`])));
    assert.deepEqual(bodies.map((b) => b.stdout), [1, 2, 3].map((i) => `hello from the pod, /c${i}\n`));
    pf.child.kill('SIGTERM');
    await pf.exited();
  });

  it('kubectl port-forward reports a refused connection inside the pod', async () => {
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const port = (closed.address() as { port: number }).port;
    await new Promise((r) => closed.close(r));
    const pf = start(['kubectl', 'port-forward', 'pod/p', `0:${port}`], { env });
    const [, local] = await pf.waitFor(/Forwarding from 127\.0\.0\.1:(\d+) ->/);
    const r = await run(['curl', '-s', '-o', '/dev/null', '-w', '%{http_code}', `http://127.0.0.1:${local}/`]);
    assert.notEqual(r.stdout, '200');
    await pf.waitFor(/error forwarding port \d+ to pod .*connect: connection refused/);
    pf.child.kill('SIGTERM');
    await pf.exited();
  });

  it('kubectl cp copies a file out of and into the pod', async () => {
    writeFileSync(join(dir, 'in-pod.txt'), 'content inside the pod\n');
    const out = await kubectl(['cp', '-c', 'main', `default/p:${join(dir, 'in-pod.txt')}`, join(dir, 'copied-out.txt')]);
    assert.equal(out.status, 0, out.stderr);
    assert.equal(readFileSync(join(dir, 'copied-out.txt'), 'utf8'), 'content inside the pod\n');
    writeFileSync(join(dir, 'local.txt'), 'from the laptop\n'.repeat(10_000));
    const into = await kubectl(['cp', '-c', 'main', join(dir, 'local.txt'), `default/p:${join(dir, 'copied-in.txt')}`]);
    assert.equal(into.status, 0, into.stderr);
    assert.equal(readFileSync(join(dir, 'copied-in.txt'), 'utf8'), 'from the laptop\n'.repeat(10_000));
  });

  it('kubectl attach -i talks to the running process', async () => {
    const a = start(['kubectl', 'attach', '-i', 'p', '-c', 'echo'], { env });
    await a.waitFor(/If you don't see a command prompt/);
    a.write('hello\n');
    await a.waitFor(/got hello\n/);
    a.write('again\n');
    await a.waitFor(/got again\n/);
    a.child.kill('SIGTERM');
    await a.exited();
    assert.equal(rt.findContainer('default', 'p', 'echo')!.running(), true, 'detaching leaves the process running');
  });

  it('kubectl attach -it reaches a shell on its terminal; exit ends the session', async () => {
    const a = startOnTerminal('stty rows 24 cols 80; kubectl attach -it p -c shell', env);
    await a.waitFor(/If you don't see a command prompt/);
    a.write('echo $((6*7))\r');
    await a.waitFor(/\r\n42\r\n/);
    a.write('exit\r');
    const end = await a.exited();
    assert.equal(end.status, 0, end.stdout);
    assert.match(end.stdout, /Session ended/);
  });

  it('kubectl run -it --rm attaches to the new pod, sees it finish and deletes it', async () => {
    const stop = new AbortController();
    const kubelet = playKubelet('runner', stop.signal);
    try {
      const t = startOnTerminal(`kubectl run runner -it --rm --restart=Never --image=busybox -- sh -c 'read x; echo "got $x"; exit 0'`, env);
      await t.waitFor(/If you don't see a command prompt/, 30_000);
      t.write('hello\r');
      const end = await t.exited();
      assert.equal(end.status, 0, end.stdout);
      assert.match(end.stdout, /got hello/);
      assert.match(end.stdout, /pod "runner" deleted/);
    } finally {
      stop.abort();
      await kubelet;
    }
  });

  /** What the kubelet would do for a pod created by `kubectl run`: bind it, start it in the fake runtime, report its status. */
  async function playKubelet(name: string, signal: AbortSignal): Promise<void> {
    const path = `/api/v1/namespaces/default/pods/${name}`;
    type PodJson = { spec: { containers: { name: string; command?: string[]; args?: string[]; stdin?: boolean; stdinOnce?: boolean; tty?: boolean }[] } };
    let pod: PodJson | undefined;
    while (!pod && !signal.aborted) {
      pod = await client.request<PodJson>('GET', path).catch(() => undefined);
      if (!pod) await new Promise((r) => setTimeout(r, 100));
    }
    if (!pod) return;
    await client.request('POST', `${path}/binding`, { apiVersion: 'v1', kind: 'Binding', metadata: { name }, target: { apiVersion: 'v1', kind: 'Node', name: 'n1' } });
    const ctr = pod.spec.containers[0];
    writeFileSync(join(dir, `${name}.log`), '');
    rt.addPod({
      namespace: 'default',
      name,
      containers: [{ name: ctr.name, logPath: join(dir, `${name}.log`), command: [...(ctr.command ?? []), ...(ctr.args ?? [])], stdin: ctr.stdin, stdinOnce: ctr.stdinOnce, tty: ctr.tty }],
    });
    const status = (s: object) => client.request('PATCH', `${path}/status`, { status: s }, 'application/merge-patch+json');
    const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
    const exited = new Promise<number>((r) => rt.process('default', name, ctr.name)!.once('exit', (code) => r(code ?? 137)));
    await status({
      phase: 'Running',
      conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: now }],
      containerStatuses: [{ name: ctr.name, image: 'busybox', imageID: '', ready: true, restartCount: 0, started: true, state: { running: { startedAt: now } } }],
    });
    const code = await Promise.race([exited, new Promise<undefined>((r) => signal.addEventListener('abort', () => r(undefined), { once: true }))]);
    if (code === undefined) return;
    await status({
      phase: code === 0 ? 'Succeeded' : 'Failed',
      conditions: [{ type: 'Ready', status: 'False', lastTransitionTime: now }],
      containerStatuses: [{ name: ctr.name, image: 'busybox', imageID: '', ready: false, restartCount: 0, started: false, state: { terminated: { exitCode: code, reason: code === 0 ? 'Completed' : 'Error', startedAt: now, finishedAt: now } } }],
    }).catch(() => {});
  }
});
