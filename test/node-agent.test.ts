/**
 * The node agent end to end: `nanokube server --network isolated --nodes 2`
 * driven by the real kubectl; pods are real processes in their own network
 * namespaces.
 *
 * Address plan (R = the server's run id, read from DATA_DIR/network.json;
 * X = a /24 of 172.30.0.0/16 no host route covers, picked per run):
 *   host link nk-R-h (the only link in the host namespace)   172.30.X.1
 *   nanokube-node-0  nk-R-n0  172.30.X.10   pods 10.244.0.0/24
 *   nanokube-node-1  nk-R-n1  172.30.X.11   pods 10.244.1.0/24
 *   pod namespaces nk-<first 8 hex of the pod uid>
 *   services 10.96.0.0/12, cluster DNS 10.96.0.10 (no DNS server runs here)
 * Traffic goes only to pod and node addresses inside the run's namespaces.
 * The last test stops the server (SIGTERM) and checks that no namespace,
 * link, pause or container process of the run is left; `after` removes
 * whatever a failed test left (by run id and PID), then the data dir.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { realDaemons, realKernel } from '../src/node/kernel.ts';
import { adoptOrClean } from '../src/node/network/isolated.ts';
import { eventually as waitFor, freeNodeNetwork, removeDir, startCluster, type Cluster } from './harness.ts';

const isRoot = process.getuid?.() === 0;
const haveTools = isRoot && spawnSync('ip', ['-V']).status === 0 && spawnSync('kubectl', ['version', '--client']).status === 0;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const deployment = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: my-nginx
spec:
  selector:
    matchLabels:
      run: my-nginx
  replicas: 2
  template:
    metadata:
      labels:
        run: my-nginx
    spec:
      containers:
      - name: my-nginx
        image: nginx
        ports:
        - containerPort: 80
`;

function pod(name: string, o: { node?: string; labels?: Record<string, string>; image?: string; command?: string[]; args?: string[]; extra?: string; container?: string; grace?: number }): string {
  const labels = Object.entries(o.labels ?? { app: name }).map(([k, v]) => `    ${k}: "${v}"`).join('\n');
  const list = (key: string, items?: string[]) => (items ? `\n    ${key}: ${JSON.stringify(items)}` : '');
  return `apiVersion: v1
kind: Pod
metadata:
  name: ${name}
  labels:
${labels}
spec:${o.node ? `\n  nodeName: ${o.node}` : ''}${o.grace !== undefined ? `\n  terminationGracePeriodSeconds: ${o.grace}` : ''}
  containers:
  - name: ${o.container ?? 'app'}
    image: ${o.image ?? 'registry.k8s.io/e2e-test-images/agnhost:2.39'}${list('command', o.command)}${list('args', o.args)}${o.extra ?? ''}
`;
}

describe('node agent (isolated mode, real kubectl)', { skip: haveTools ? false : 'needs root, iproute2 and kubectl' }, () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'nanokube-agent-'));
  const args = ['--network', 'isolated', '--nodes', '2', '--node-network', freeNodeNetwork(), '--disable', 'dns,ingress'];
  let c: Cluster;
  let runId = '';
  /** Every pod netns and container PID seen, to prove they are gone at the end. */
  const podNetns = new Set<string>();
  const pids = new Set<number>();

  const k = (a: string[], o?: { input?: string; allowFail?: boolean }) => c.kubectl(a, o);
  const podJson = (name: string) => JSON.parse(k(['get', 'pod', name, '-o', 'json']).stdout);
  const netnsOf = (uid: string) => `nk-${uid.replace(/-/g, '').slice(0, 8)}`;
  /** Every process in a pod's network namespace (pause and containers). */
  const podPids = (netns: string) =>
    spawnSync('ip', ['netns', 'pids', netns], { encoding: 'utf8' })
      .stdout.split('\n')
      .filter(Boolean)
      .map(Number);
  /** The pod's pause process: the one whose argv[0] carries the nanokube-pause tag (PIDs may wrap, so order says nothing). */
  const pausePid = (netns: string) =>
    podPids(netns).find((pid) => {
      try {
        return readFileSync(`/proc/${pid}/cmdline`, 'utf8').startsWith('nanokube-pause:');
      } catch {
        return false;
      }
    });
  const remember = (name: string) => {
    const p = podJson(name);
    const ns = netnsOf(p.metadata.uid);
    podNetns.add(ns);
    for (const pid of podPids(ns)) pids.add(pid);
    return p;
  };
  const running = (name: string) => {
    const p = podJson(name);
    return p.status?.phase === 'Running' && p.status.containerStatuses?.every((s: any) => s.state?.running) ? p : undefined;
  };
  const alive = (pid: number) => existsSync(`/proc/${pid}`) && !readFileSync(`/proc/${pid}/stat`, 'utf8').includes(') Z ');

  before(async () => {
    c = await startCluster({ dataDir, args });
    runId = JSON.parse(readFileSync(join(dataDir, 'network.json'), 'utf8')).runId;
  });

  after(async () => {
    await c?.stop('SIGTERM');
    // Whatever a failed test left: the run's namespaces and pause processes, then container PIDs.
    if (runId) await adoptOrClean(realKernel(), runId, { daemons: realDaemons() }).catch(() => {});
    for (const pid of pids) {
      try {
        if (alive(pid)) process.kill(pid, 'SIGKILL');
      } catch {}
    }
    for (const ns of podNetns) spawnSync('ip', ['netns', 'del', ns]);
    removeDir(dataDir);
  });

  it('registers every node Ready, node 0 as the control plane', () => {
    const out = k(['get', 'nodes', '--no-headers']).stdout;
    assert.match(out, /^nanokube-node-0\s+Ready\s+control-plane\s/m);
    assert.match(out, /^nanokube-node-1\s+Ready\s+<none>\s/m);
  });

  it('S1.1: a Deployment of nginx gets two Running pods with distinct pod IPs, both answering on port 80', async () => {
    k(['apply', '-f', '-'], { input: deployment });
    const rows = await waitFor('two Running my-nginx pods', () => {
      const lines = k(['get', 'pods', '-l', 'run=my-nginx', '-o', 'wide', '--no-headers']).stdout.trim().split('\n');
      const r = lines.map((l) => l.split(/\s+/));
      return r.length === 2 && r.every((f) => f[1] === '1/1' && f[2] === 'Running') ? r : undefined;
    });
    const ips = rows.map((f) => f[5]);
    for (const ip of ips) assert.match(ip, /^10\.244\.[01]\.\d+$/);
    assert.notEqual(ips[0], ips[1]);
    for (const f of rows) remember(f[0]);
    // Two pods, one port: each has its own network namespace. Asked from node 0, across nodes too.
    for (const ip of ips) {
      const r = spawnSync(process.execPath, ['bin/nanokube.js', 'node', 'exec', '--data-dir', dataDir, 'nanokube-node-0', '--', 'curl', '-s', '-m', '5', `http://${ip}/`], { encoding: 'utf8' });
      assert.match(r.stdout, /Welcome to nginx!/, `curl ${ip}: ${r.stderr}`);
    }
  });

  it("a pod sees its peer's request coming from the peer's own pod IP, on the same node and across nodes", async () => {
    k(['apply', '-f', '-'], { input: [pod('server', { node: 'nanokube-node-1', args: ['netexec', '--http-port=8080'] }), pod('client-a', { node: 'nanokube-node-0', args: ['netexec', '--http-port=8080'] }), pod('client-b', { node: 'nanokube-node-1', args: ['netexec', '--http-port=8080'] })].join('---\n') });
    const [server, a, b] = await Promise.all(['server', 'client-a', 'client-b'].map((n) => waitFor(`${n} running`, () => running(n))));
    for (const n of ['server', 'client-a', 'client-b']) remember(n);
    for (const client of [a, b]) {
      const out = await waitFor('an answer from /clientip', () => k(['exec', client.metadata.name, '--', 'curl', '-s', '-m', '5', `http://${server.status.podIP}:8080/clientip`]).stdout || undefined);
      assert.equal(out.split(':')[0], client.status.podIP);
    }
  });

  it('S1.3: /etc/resolv.conf in a pod names the cluster DNS, the namespace search path and ndots:5; the hostname is the pod name', () => {
    const lines = k(['exec', 'client-a', '--', 'cat', '/etc/resolv.conf']).stdout.trim().split('\n');
    // The node's own search domains, if any, follow the cluster's (as upstream appends them).
    assert.match(lines[0], /^search default\.svc\.cluster\.local svc\.cluster\.local cluster\.local( |$)/);
    assert.deepEqual(lines.slice(1), ['nameserver 10.96.0.10', 'options ndots:5']);
    assert.equal(k(['exec', 'client-a', '--', 'hostname']).stdout.trim(), 'client-a');
  });

  it('S6.1: a pod started after a Service has its environment variables', async () => {
    k(['create', 'service', 'clusterip', 'myapp-svc-clusterip', '--tcp=80:8080']);
    const ip = k(['get', 'svc', 'myapp-svc-clusterip', '-o', 'jsonpath={.spec.clusterIP}']).stdout;
    k(['apply', '-f', '-'], { input: pod('env-reader', { args: ['pause'] }) });
    await waitFor('env-reader running', () => running('env-reader'));
    remember('env-reader');
    const env = Object.fromEntries(
      k(['exec', 'env-reader', '--', 'env'])
        .stdout.split('\n')
        .filter(Boolean)
        .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
    );
    assert.equal(env.MYAPP_SVC_CLUSTERIP_SERVICE_HOST, ip);
    assert.equal(env.MYAPP_SVC_CLUSTERIP_SERVICE_PORT, '80');
    assert.equal(env.MYAPP_SVC_CLUSTERIP_PORT, `tcp://${ip}:80`);
    assert.equal(env.MYAPP_SVC_CLUSTERIP_PORT_80_TCP_ADDR, ip);
    assert.equal(env.MYAPP_SVC_CLUSTERIP_PORT_80_TCP_PORT, '80');
    assert.equal(env.MYAPP_SVC_CLUSTERIP_PORT_80_TCP_PROTO, 'tcp');
    assert.equal(env.KUBERNETES_SERVICE_HOST, '10.96.0.1');
    assert.equal(env.HOSTNAME, 'env-reader');
  });

  it("volumes: a configMap (updated while the pod runs) and a shared emptyDir are mounted in the pod's own mount namespace, not the host's", async () => {
    // /srv and /media exist on the host (nanokube never creates mount points) and stay as they are.
    const hostSrv = spawnSync('ls', ['-A', '/srv'], { encoding: 'utf8' }).stdout;
    const hostMedia = spawnSync('ls', ['-A', '/media'], { encoding: 'utf8' }).stdout;
    k(['create', 'configmap', 'colors', '--from-literal=color=blue']);
    k(['apply', '-f', '-'], {
      input: `apiVersion: v1
kind: Pod
metadata:
  name: vols
spec:
  volumes:
  - name: colors
    configMap:
      name: colors
  - name: shared
    emptyDir: {}
  containers:
  - name: writer
    image: busybox
    command: ["sh", "-c", "echo hello > /media/hello; exec sleep 3600"]
    volumeMounts:
    - {name: shared, mountPath: /media}
    - {name: colors, mountPath: /srv, readOnly: true}
  - name: reader
    image: busybox
    command: ["sleep", "3600"]
    volumeMounts:
    - {name: shared, mountPath: /media}
`,
    });
    await waitFor('vols running', () => running('vols'));
    remember('vols');
    assert.equal(k(['exec', 'vols', '-c', 'reader', '--', 'cat', '/srv/color']).stdout, 'blue');
    assert.equal(await waitFor('the shared file', () => k(['exec', 'vols', '-c', 'reader', '--', 'cat', '/media/hello'], { allowFail: true }).stdout), 'hello\n');
    assert.notEqual(k(['exec', 'vols', '-c', 'writer', '--', 'sh', '-c', 'echo x > /srv/new'], { allowFail: true }).status, 0, 'read-only mount');
    assert.equal(spawnSync('ls', ['-A', '/srv'], { encoding: 'utf8' }).stdout, hostSrv);
    assert.equal(spawnSync('ls', ['-A', '/media'], { encoding: 'utf8' }).stdout, hostMedia);
    // A changed ConfigMap reaches the running pod's files (the kubelet writes its volumes again).
    k(['patch', 'configmap', 'colors', '-p', '{"data":{"color":"green"}}']);
    await waitFor('the new color in the pod', () => k(['exec', 'vols', '-c', 'reader', '--', 'cat', '/srv/color']).stdout === 'green');
  });

  it('an unready pod (readiness probe failing) stays out of the Service ready endpoints', async () => {
    const probe = (port: number) => `\n    readinessProbe:\n      httpGet:\n        path: /healthz\n        port: ${port}\n      periodSeconds: 1`;
    k(['apply', '-f', '-'], {
      input: [
        pod('probe-ready', { labels: { app: 'probe' }, args: ['netexec', '--http-port=8080'], extra: probe(8080) }),
        pod('probe-unready', { labels: { app: 'probe' }, args: ['netexec', '--http-port=8080'], extra: probe(9999) }),
      ].join('---\n'),
    });
    k(['create', 'service', 'clusterip', 'probe-svc', '--tcp=80:8080']);
    k(['set', 'selector', 'service', 'probe-svc', 'app=probe']);
    const ready = await waitFor('probe-ready Ready', () => {
      const p = podJson('probe-ready');
      return p.status?.conditions?.some((x: any) => x.type === 'Ready' && x.status === 'True') ? p : undefined;
    });
    const unready = await waitFor('probe-unready running', () => running('probe-unready'));
    remember('probe-ready');
    remember('probe-unready');
    const ep = await waitFor('both addresses in the endpoints', () => {
      const e = JSON.parse(k(['get', 'endpoints', 'probe-svc', '-o', 'json']).stdout);
      const s = e.subsets?.[0];
      return s?.addresses?.length && s?.notReadyAddresses?.length ? s : undefined;
    });
    assert.deepEqual(ep.addresses.map((a: any) => a.ip), [ready.status.podIP]);
    assert.deepEqual(ep.notReadyAddresses.map((a: any) => a.ip), [unready.status.podIP]);
    // A few periods later it is still unready, with the kubelet's Unhealthy event.
    await sleep(2500);
    assert.match(k(['get', 'pod', 'probe-unready', '--no-headers']).stdout, /^probe-unready\s+0\/1\s+Running\s/);
    assert.match(k(['get', 'events', '--field-selector', 'involvedObject.name=probe-unready,reason=Unhealthy', '-o', 'jsonpath={.items[*].message}']).stdout, /Readiness probe failed: .*9999.*connection refused/);
  });

  it('a crashing container shows CrashLoopBackOff and a growing restartCount', async () => {
    k(['apply', '-f', '-'], { input: pod('crasher', { image: 'busybox', command: ['sh', '-c', 'echo crashing; exit 3'] }) });
    const row = await waitFor('CrashLoopBackOff with 2 restarts', () => {
      const f = k(['get', 'pod', 'crasher', '--no-headers']).stdout.trim().split(/\s+/);
      return f[2] === 'CrashLoopBackOff' && Number(f[3]) >= 2 ? f : undefined;
    }, 40_000);
    assert.equal(row[1], '0/1');
    const st = podJson('crasher').status.containerStatuses[0];
    assert.equal(st.lastState.terminated.exitCode, 3);
    assert.match(st.state.waiting.message, /^back-off \d+s restarting failed container=app pod=crasher_default\(/);
    assert.match(k(['logs', 'crasher']).stdout, /crashing/);
    remember('crasher');
  });

  it('an unknown image shows ErrImagePull then ImagePullBackOff, with a Warning event Failed', async () => {
    k(['apply', '-f', '-'], { input: pod('no-such-image', { image: 'example.invalid/nope:1' }) });
    const seen = new Set<string>();
    await waitFor('ImagePullBackOff', () => {
      const f = k(['get', 'pod', 'no-such-image', '--no-headers']).stdout.trim().split(/\s+/);
      seen.add(f[2]);
      return f[2] === 'ImagePullBackOff';
    });
    assert.ok(seen.has('ErrImagePull') || seen.has('ImagePullBackOff'));
    const events = k(['get', 'events', '--field-selector', 'involvedObject.name=no-such-image,type=Warning', '-o', 'jsonpath={range .items[*]}{.reason}: {.message}{"\\n"}{end}']).stdout;
    assert.match(events, /Failed: Failed to pull image "example\.invalid\/nope:1": .*not found \(nanokube does not pull images/);
    assert.match(events, /Failed: Error: ErrImagePull/);
    remember('no-such-image');
  });

  it('kubectl delete pod ends the processes within the grace period (SIGTERM, then SIGKILL)', async () => {
    k(['apply', '-f', '-'], {
      input: [pod('stubborn', { image: 'busybox', grace: 3, command: ['sh', '-c', "trap '' TERM; sleep 1000"] }), pod('polite', { args: ['netexec', '--http-port=8080'] })].join('---\n'),
    });
    await waitFor('stubborn running', () => running('stubborn'));
    await waitFor('polite running', () => running('polite'));
    const stubborn = remember('stubborn');
    const polite = remember('polite');
    const procs = podPids(netnsOf(stubborn.metadata.uid));
    assert.ok(procs.length >= 2, 'pause and the container are in the pod');
    let t = Date.now();
    k(['delete', 'pod', 'stubborn']);
    const took = (Date.now() - t) / 1000;
    // Behaviour, not speed: it waited for its 3 s grace period, and was killed long before the default 30 s.
    assert.ok(took >= 2.5 && took < 30, `SIGTERM is ignored: SIGKILL after the 3 s grace period (took ${took}s)`);
    for (const pid of procs) assert.ok(!alive(pid), `process ${pid} ended`);
    assert.ok(!existsSync(`/run/netns/${netnsOf(stubborn.metadata.uid)}`));
    t = Date.now();
    k(['delete', 'pod', 'polite']);
    // Its grace period is the default 30 s: finishing well inside it means nobody waited for SIGKILL.
    assert.ok((Date.now() - t) / 1000 < 20, 'a process that exits on SIGTERM is deleted without waiting out its grace period');
    assert.ok(!existsSync(`/run/netns/${netnsOf(polite.metadata.uid)}`));
  });

  it('streams with the real agent: exec with stdin, logs -f follows, port-forward carries HTTP', async () => {
    // exec with stdin: the pod's own `cat` echoes what kubectl sends.
    assert.equal(k(['exec', '-i', 'client-a', '--', 'sh', '-c', 'cat; echo " in $(hostname)"'], { input: 'hello' }).stdout, 'hello in client-a\n');
    // logs -f: a container that prints a line a second; kubectl keeps the stream open and shows new lines.
    k(['apply', '-f', '-'], { input: pod('ticker', { image: 'busybox', command: ['sh', '-c', 'i=0; while true; do echo tick $i; i=$((i+1)); sleep 0.3; done'] }) });
    await waitFor('ticker running', () => running('ticker'));
    remember('ticker');
    const follow = spawn('kubectl', ['logs', '-f', 'ticker'], { env: { ...process.env, KUBECONFIG: c.kubeconfig } });
    let followed = '';
    follow.stdout.on('data', (d) => (followed += d));
    try {
      await waitFor('five followed lines', () => (followed.match(/^tick \d+$/gm) ?? []).length >= 5 || undefined);
      const numbers = followed.match(/^tick (\d+)$/gm)!.map((l) => Number(l.split(' ')[1]));
      assert.deepEqual(numbers, numbers.map((_, i) => numbers[0] + i), followed);
    } finally {
      follow.kill();
    }
    // port-forward: a local port on loopback carries HTTP to port 80 of an nginx pod.
    const nginxPod = k(['get', 'pods', '-l', 'run=my-nginx', '-o', 'jsonpath={.items[0].metadata.name}']).stdout;
    const pf = spawn('kubectl', ['port-forward', '--address', '127.0.0.1', `pod/${nginxPod}`, ':80'], { env: { ...process.env, KUBECONFIG: c.kubeconfig } });
    let pfOut = '';
    pf.stdout.on('data', (d) => (pfOut += d));
    try {
      const port = await waitFor('port-forward listening', () => pfOut.match(/Forwarding from 127\.0\.0\.1:(\d+) -> 80/)?.[1]);
      const r = spawnSync('curl', ['-s', '-m', '5', `http://127.0.0.1:${port}/`], { encoding: 'utf8' });
      assert.match(r.stdout, /Welcome to nginx!/);
    } finally {
      pf.kill();
    }
  });

  it('S6.3: kubectl run -i --rm with a shell image runs a shell in a new pod and deletes the pod on exit', () => {
    const r = k(['run', 'nettool', '-i', '--rm', '--restart=Never', '--image=praqma/network-multitool', '--', 'bash'], { input: 'echo "from $(hostname)"\nexit\n' });
    assert.match(r.stdout, /from nettool/);
    assert.match(r.stdout, /pod "nettool" deleted/);
    assert.equal(k(['get', 'pod', 'nettool'], { allowFail: true }).status, 1);
  });

  it('a server restart after kill -9 keeps running pods, their IPs and their sandboxes', async () => {
    const names = k(['get', 'pods', '-l', 'run=my-nginx', '-o', 'jsonpath={.items[*].metadata.name}']).stdout.split(' ').concat('server');
    const before = Object.fromEntries(names.map((n) => [n, podJson(n)]));
    const clientIP = podJson('client-a').status.podIP;
    const pause = Object.fromEntries(names.map((n) => [n, pausePid(netnsOf(before[n].metadata.uid))]));
    for (const n of names) assert.ok(pause[n], `${n} has a pause process`);
    assert.equal(await c.stop('SIGKILL'), null);
    c = await startCluster({ dataDir, args });
    for (const n of names) {
      const p = await waitFor(`${n} running again`, () => running(n));
      assert.equal(p.status.podIP, before[n].status.podIP, `${n} keeps its IP`);
      assert.ok(alive(pause[n]!), `${n} keeps its sandbox (pause ${pause[n]})`);
      assert.equal(pausePid(netnsOf(p.metadata.uid)), pause[n]);
      remember(n);
    }
    const server = podJson('server');
    const out = await waitFor('client-a reaches server again', () => k(['exec', 'client-a', '--', 'curl', '-s', '-m', '5', `http://${server.status.podIP}:8080/clientip`]).stdout || undefined);
    assert.equal(out.split(':')[0], clientIP);
  });

  it('nothing is left behind after the server stops: namespaces, links, pause and container processes', async () => {
    for (const ns of spawnSync('ip', ['netns', 'list'], { encoding: 'utf8' }).stdout.split('\n')) {
      const name = ns.split(' ')[0];
      if (/^nk-[0-9a-f]{8}$/.test(name) && podPids(name).length) podNetns.add(name);
    }
    for (const ns of podNetns) for (const pid of podPids(ns)) pids.add(pid);
    assert.ok(pids.size > 10, `the run had processes (${pids.size})`);
    assert.equal(await c.stop('SIGTERM'), 0);
    const netns = spawnSync('ip', ['netns', 'list'], { encoding: 'utf8' }).stdout;
    assert.doesNotMatch(netns, new RegExp(`nk-${runId}-`));
    for (const ns of podNetns) assert.ok(!netns.includes(ns), `pod namespace ${ns} removed`);
    assert.doesNotMatch(spawnSync('ip', ['link', 'show'], { encoding: 'utf8' }).stdout, new RegExp(`nk-${runId}-`));
    assert.deepEqual(await realDaemons().list(`nanokube-pause:nk-${runId}-`), []);
    const left = [...pids].filter(alive);
    assert.deepEqual(left, [], 'every pause and container process ended');
    assert.ok(!existsSync(join(dataDir, 'network.json')));
  });
});
