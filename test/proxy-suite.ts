/**
 * @module The service proxy's shared end-to-end suite: one suite, run by
 * proxy-nftables.test.ts and proxy-userspace.test.ts against a real
 * `nanokube server --network isolated --nodes 2 --proxy-mode MODE`, with the
 * real kubectl, and curl from pods and from nodes. Scenarios S4, S5.2, S7.2
 * and S9 of SCENARIOS.md.
 *
 * Address plan (R = the run id from DATA_DIR/network.json; X = a free /24 of
 * 172.30.0.0/16 picked per run by freeNodeNetwork):
 *   host link nk-R-h 172.30.X.1 (a test HTTP server for S7.2 listens here)
 *   nanokube-node-0  nk-R-n0  172.30.X.10   pods 10.244.0.0/24
 *   nanokube-node-1  nk-R-n1  172.30.X.11   pods 10.244.1.0/24
 *   services 10.96.0.0/12 (allocated by the API server), node ports 30000-32767
 *   LoadBalancer addresses: the node addresses (service-lb default)
 * Backends: RC `node-js`, 3 pods of agnhost netexec (HTTP 8080 named `http`,
 * UDP 8081 named `udp`); `client`, a shell pod on node 0.
 * Traffic goes only to addresses inside the run's namespaces and to the
 * host end of its own link. `after` stops the server (which removes its
 * namespaces, links and rules) and cleans whatever a failure left, by run id.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { realDaemons, realKernel } from '../src/node/kernel.ts';
import { adoptOrClean } from '../src/node/network/isolated.ts';
import { eventually, freeNodeNetwork, removeDir, startCluster, type Cluster } from './harness.ts';

export { eventually };

const isRoot = process.getuid?.() === 0;
export const haveTools = isRoot && spawnSync('ip', ['-V']).status === 0 && spawnSync('nft', ['-v']).status === 0 && spawnSync('kubectl', ['version', '--client']).status === 0;
/** A free TCP port on loopback (bound, read, released). */
function freePort(): Promise<number> {
  return new Promise((ok) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => ok(port));
    });
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const backends = `apiVersion: v1
kind: ReplicationController
metadata:
  name: node-js
spec:
  replicas: 3
  selector:
    name: node-js
  template:
    metadata:
      labels:
        name: node-js
    spec:
      containers:
      - name: node-js
        image: registry.k8s.io/e2e-test-images/agnhost:2.39
        args: ["netexec", "--http-port=8080", "--udp-port=8081"]
        ports:
        - { name: http, containerPort: 8080 }
        - { name: udp, containerPort: 8081, protocol: UDP }
        readinessProbe:
          httpGet: { path: /hostname, port: 8080 }
          periodSeconds: 1
---
apiVersion: v1
kind: Pod
metadata:
  name: client
spec:
  nodeName: nanokube-node-0
  containers:
  - name: shell
    image: busybox
    command: ["sleep", "3600"]
`;

export interface ProxyCluster {
  c: Cluster;
  runId: string;
  nodeIPs: string[];
  hostIP: string;
  k(args: string[], o?: { input?: string; allowFail?: boolean }): { stdout: string; stderr: string; status: number };
  /** curl from a node's namespace; returns [exit code, body]. */
  fromNode(i: number, url: string, extra?: string[]): [number, string];
  /** curl from the client pod (kubectl exec). */
  fromPod(url: string, pod?: string): [number, string];
}

export function proxySuite(mode: 'nftables' | 'userspace', extra?: (pc: () => ProxyCluster) => void): void {
  describe(`service proxy, ${mode} mode (isolated, real kubectl)`, { skip: haveTools ? false : 'needs root, iproute2, nftables and kubectl' }, () => {
    const dataDir = mkdtempSync(join(tmpdir(), `nanokube-proxy-${mode}-`));
    const nodeNet = freeNodeNetwork();
    const prefix = nodeNet.split('.').slice(0, 3).join('.');
    let pc: ProxyCluster;
    let hostServer: ChildProcess | undefined;
    const pods: Record<string, { node: string; ip: string }> = {};

    const k = (a: string[], o?: { input?: string; allowFail?: boolean }) => pc.c.kubectl(a, o);
    const svcIP = (name: string) => k(['get', 'svc', name, '-o', 'jsonpath={.spec.clusterIP}']).stdout;
    const nodePort = (name: string, i = 0) => Number(k(['get', 'svc', name, '-o', `jsonpath={.spec.ports[${i}].nodePort}`]).stdout);
    const apply = (yaml: string) => k(['apply', '-f', '-'], { input: yaml });
    /** Hostnames answering `n` requests to url from the client pod. */
    const hostsFromPod = (url: string, n: number) => {
      const out = k(['exec', 'client', '--', 'sh', '-c', `for i in $(seq ${n}); do curl -sS -m 3 ${url}; echo; done`]).stdout;
      return out.split('\n').filter(Boolean);
    };
    const service = (name: string, spec: string) => `apiVersion: v1\nkind: Service\nmetadata:\n  name: ${name}\nspec:\n${spec}`;

    let metricsPort = 0;

    before(async () => {
      metricsPort = await freePort();
      const c = await startCluster({ dataDir, args: ['--network', 'isolated', '--nodes', '2', '--node-network', nodeNet, '--proxy-mode', mode, '--disable', 'dns,ingress', '--proxy-metrics-port', String(metricsPort)] });
      const runId = JSON.parse(readFileSync(join(dataDir, 'network.json'), 'utf8')).runId as string;
      const curl = ['curl', '-sS', '-m', '3'];
      pc = {
        c,
        runId,
        nodeIPs: [`${prefix}.10`, `${prefix}.11`],
        hostIP: `${prefix}.1`,
        k: (a, o) => c.kubectl(a, o),
        fromNode(i, url, more = []) {
          const r = spawnSync('ip', ['netns', 'exec', `nk-${runId}-n${i}`, ...curl, ...more, url], { encoding: 'utf8' });
          return [r.status ?? -1, r.stdout];
        },
        fromPod(url, pod = 'client') {
          const r = c.kubectl(['exec', pod, '--', ...curl, url], { allowFail: true });
          return [r.status, r.stdout];
        },
      };
      apply(backends);
      await eventually('backends ready', () => {
        const list = JSON.parse(k(['get', 'pods', '-o', 'json']).stdout).items as any[];
        const ready = list.filter((p) => p.status?.conditions?.some((x: any) => x.type === 'Ready' && x.status === 'True'));
        if (ready.length < 4) return false;
        for (const p of ready) pods[p.metadata.name] = { node: p.spec.nodeName, ip: p.status.podIP };
        return true;
      }, 60_000);
      apply(service('node-js', '  selector: { name: node-js }\n  ports:\n  - { name: http, port: 80, targetPort: 8080 }\n'));
    });

    after(async () => {
      hostServer?.kill();
      await pc?.c.stop('SIGTERM');
      if (pc?.runId) await adoptOrClean(realKernel(), pc.runId, { daemons: realDaemons() }).catch(() => {});
      removeDir(dataDir);
    });

    const backendNames = () => Object.keys(pods).filter((n) => n.startsWith('node-js-'));

    it('S4.1 ClusterIP: reachable from a pod and from both nodes; requests spread over every pod', async () => {
      const ip = svcIP('node-js');
      await eventually('service answers', () => pc.fromPod(`http://${ip}/hostname`)[0] === 0);
      const seen = new Set(hostsFromPod(`http://${ip}/hostname`, 30));
      assert.deepEqual([...seen].sort(), backendNames().sort());
      for (const i of [0, 1]) {
        const [code, body] = pc.fromNode(i, `http://${ip}/hostname`);
        assert.equal(code, 0);
        assert.ok(backendNames().includes(body), body);
      }
    });

    it('S4.2 NodePort 30001 answers on every node address, from either node; bad node ports are refused with upstream text', async () => {
      apply(service('node-js-np', '  type: NodePort\n  selector: { name: node-js }\n  ports:\n  - { port: 80, targetPort: 8080, nodePort: 30001 }\n'));
      for (const from of [0, 1]) {
        for (const to of pc.nodeIPs) {
          const [code, body] = await eventually(`node port on ${to}`, () => {
            const r = pc.fromNode(from, `http://${to}:30001/hostname`);
            return r[0] === 0 ? r : undefined;
          });
          assert.equal(code, 0);
          assert.ok(backendNames().includes(body), body);
        }
      }
      const [code, body] = pc.fromPod(`http://${pc.nodeIPs[1]}:30001/hostname`);
      assert.equal(code, 0, 'from a pod to the other node');
      assert.ok(backendNames().includes(body));
      const bad = k(['apply', '-f', '-'], { input: service('np-bad', '  type: NodePort\n  selector: { name: node-js }\n  ports:\n  - { port: 80, nodePort: 40000 }\n'), allowFail: true });
      assert.match(bad.stderr, /spec\.ports\[0\]\.nodePort: Invalid value: 40000: provided port is not in the valid range\. The range of valid ports is 30000-32767/);
      const dup = k(['apply', '-f', '-'], { input: service('np-dup', '  type: NodePort\n  selector: { name: node-js }\n  ports:\n  - { port: 80, nodePort: 30001 }\n'), allowFail: true });
      assert.match(dup.stderr, /spec\.ports\[0\]\.nodePort: Invalid value: 30001: provided port is already allocated/);
    });

    it('S4.3-S4.5 custom port, multi-port and named target ports', async () => {
      apply(service('node-js-multi', '  selector: { name: node-js }\n  ports:\n  - { name: custom, port: 90, targetPort: 8080 }\n  - { name: other, port: 8888, targetPort: http }\n'));
      const ip = svcIP('node-js-multi');
      for (const port of [90, 8888]) {
        const [code, body] = await eventually(`port ${port}`, () => {
          const r = pc.fromPod(`http://${ip}:${port}/hostname`);
          return r[0] === 0 ? r : undefined;
        });
        assert.equal(code, 0);
        assert.ok(backendNames().includes(body));
      }
      assert.equal(pc.fromPod(`http://${ip}:91/`)[0], 7, 'a port the Service does not have is refused');
    });

    it('S4.6 LoadBalancer numbers-web gets an EXTERNAL-IP at once and answers on it', async () => {
      apply(service('numbers-web', '  type: LoadBalancer\n  selector: { name: node-js }\n  ports:\n  - { port: 8080, targetPort: 8080 }\n'));
      const ext = await eventually('EXTERNAL-IP', () => k(['get', 'svc', 'numbers-web', '-o', 'jsonpath={.status.loadBalancer.ingress[0].ip}']).stdout);
      assert.ok(pc.nodeIPs.includes(ext), ext);
      assert.doesNotMatch(k(['get', 'svc', 'numbers-web']).stdout, /pending/);
      const [code, body] = await eventually('LB answers', () => {
        const r = pc.fromNode(1, `http://${ext}:8080/hostname`);
        return r[0] === 0 ? r : undefined;
      });
      assert.equal(code, 0);
      assert.ok(backendNames().includes(body));
    });

    it('S4.7 sessionAffinity ClientIP holds for its timeout and resets after it; without it requests spread', async () => {
      apply(service('node-js-sticky', '  selector: { name: node-js }\n  sessionAffinity: ClientIP\n  sessionAffinityConfig: { clientIP: { timeoutSeconds: 1 } }\n  ports:\n  - { port: 80, targetPort: 8080 }\n'));
      const ip = svcIP('node-js-sticky');
      await eventually('sticky answers', () => pc.fromPod(`http://${ip}/hostname`)[0] === 0);
      // Within the timeout (back to back, well under 1 s apart): one pod.
      const burst = hostsFromPod(`http://${ip}/hostname`, 10);
      assert.equal(new Set(burst).size, 1, burst.join(','));
      // After the timeout each request picks again: 8 picks over 3 pods all equal has odds 1 in 729.
      const picks: string[] = [];
      for (let i = 0; i < 8; i++) {
        await sleep(1600);
        picks.push(pc.fromPod(`http://${ip}/hostname`)[1]);
      }
      assert.ok(new Set(picks).size > 1, picks.join(','));
    });

    it('refuses at once when a Service has no endpoints, from a pod and from a node', () => {
      apply(service('nobody', '  selector: { name: nobody }\n  ports:\n  - { port: 80, targetPort: 8080 }\n'));
      const ip = svcIP('nobody');
      assert.equal(pc.fromPod(`http://${ip}/`)[0], 7);
      assert.equal(pc.fromNode(1, `http://${ip}/`)[0], 7);
    });

    it('a new Service answers right after it is created (time printed)', async () => {
      const t0 = Date.now();
      apply(service('fresh', '  selector: { name: node-js }\n  ports:\n  - { port: 80, targetPort: 8080 }\n'));
      const ip = svcIP('fresh');
      await eventually('fresh answers', () => pc.fromNode(0, `http://${ip}/hostname`, ['-m', '1'])[0] === 0, 10_000);
      process.stderr.write(`# ${mode}: a new Service answered ${Date.now() - t0} ms after kubectl apply started\n`);
    });

    it('closes the node port when a Service goes from NodePort to ClusterIP, and back (type changes)', async () => {
      apply(service('flip', '  type: NodePort\n  selector: { name: node-js }\n  ports:\n  - { port: 80, targetPort: 8080 }\n'));
      const np = nodePort('flip');
      await eventually('node port open', () => pc.fromNode(0, `http://${pc.nodeIPs[1]}:${np}/hostname`)[0] === 0);
      k(['patch', 'svc', 'flip', '-p', '{"spec":{"type":"ClusterIP"}}']);
      assert.equal(k(['get', 'svc', 'flip', '-o', 'jsonpath={.spec.ports[0].nodePort}']).stdout, '');
      await eventually('node port closed', () => pc.fromNode(0, `http://${pc.nodeIPs[1]}:${np}/hostname`)[0] === 7);
      assert.equal(pc.fromNode(0, `http://${svcIP('flip')}/hostname`)[0], 0, 'still a ClusterIP');
      k(['patch', 'svc', 'flip', '-p', '{"spec":{"type":"LoadBalancer"}}']);
      const np2 = nodePort('flip');
      await eventually('LoadBalancer node port open', () => pc.fromNode(1, `http://${pc.nodeIPs[0]}:${np2}/hostname`)[0] === 0);
    });

    it('S5.2 a Service without selector plus hand-made Endpoints sends traffic to that IP', async () => {
      const target = Object.entries(pods).find(([n]) => n.startsWith('node-js-'))!;
      apply(`${service('custom-service', '  ports:\n  - { port: 80, targetPort: 8080 }\n')}---\napiVersion: v1\nkind: Endpoints\nmetadata:\n  name: custom-service\nsubsets:\n- addresses:\n  - ip: ${target[1].ip}\n  ports:\n  - port: 8080\n`);
      const ip = svcIP('custom-service');
      const [code, body] = await eventually('custom endpoints', () => {
        const r = pc.fromPod(`http://${ip}/hostname`);
        return r[0] === 0 ? r : undefined;
      });
      assert.equal(code, 0);
      assert.equal(body, target[0]);
    });

    it('S7.2 a Service with hand-made Endpoints outside the pod network reaches that address', async () => {
      // In a child process: the test's own event loop is blocked while spawnSync runs kubectl.
      hostServer = spawn(process.execPath, ['-e', `require('http').createServer((q, s) => s.end('outside')).listen(0, '${pc.hostIP}', function () { console.log(this.address().port) })`], { stdio: ['ignore', 'pipe', 'inherit'] });
      const port = await new Promise<number>((ok) => hostServer!.stdout!.once('data', (d) => ok(Number(String(d).trim()))));
      apply(`${service('numbers-api', `  ports:\n  - { port: 80, targetPort: ${port} }\n`)}---\napiVersion: v1\nkind: Endpoints\nmetadata:\n  name: numbers-api\nsubsets:\n- addresses:\n  - ip: ${pc.hostIP}\n  ports:\n  - port: ${port}\n`);
      const ip = svcIP('numbers-api');
      const [code, body] = await eventually('outside endpoint', () => {
        const r = pc.fromPod(`http://${ip}/`);
        return r[0] === 0 ? r : undefined;
      });
      assert.equal(code, 0);
      assert.equal(body, 'outside');
    });

    it('carries UDP through a ClusterIP (netexec /dial over UDP)', async () => {
      apply(service('node-js-udp', '  selector: { name: node-js }\n  ports:\n  - { name: udp, port: 53, protocol: UDP, targetPort: udp }\n'));
      const ip = svcIP('node-js-udp');
      const from = Object.entries(pods).find(([n]) => n.startsWith('node-js-'))!;
      const body = await eventually('udp answer', () => {
        const r = pc.fromPod(`http://${from[1].ip}:8080/dial?request=hostname&protocol=udp&host=${ip}&port=53&tries=1`);
        return r[0] === 0 && r[1].includes('"responses":["') ? r[1] : undefined;
      });
      const answered = JSON.parse(body).responses[0];
      assert.ok(backendNames().includes(answered), body);
    });

    it('hairpin: a pod reaches itself through its own Service', async () => {
      const ip = svcIP('node-js');
      const self = backendNames()[0];
      // 40 requests over 3 pods: never landing on itself by chance has odds (2/3)^40.
      const out = k(['exec', self, '--', 'sh', '-c', `for i in $(seq 40); do curl -sS -m 3 http://${ip}/hostname; echo; done`]).stdout.split('\n');
      assert.ok(out.includes(self), `never landed on itself: ${out.join(',')}`);
      assert.ok(out.filter(Boolean).every((h) => backendNames().includes(h)), out.join(','));
    });

    it('externalTrafficPolicy Local serves only local pods (and keeps the client IP in nftables mode); Cluster masquerades', async () => {
      apply(service('etp-local', '  type: NodePort\n  externalTrafficPolicy: Local\n  selector: { name: node-js }\n  ports:\n  - { port: 80, targetPort: 8080 }\n'));
      apply(service('etp-cluster', '  type: NodePort\n  selector: { name: node-js }\n  ports:\n  - { port: 80, targetPort: 8080 }\n'));
      const local = nodePort('etp-local');
      const cluster = nodePort('etp-cluster');
      // Node 1's node-js pods, reached from node 0 through node 1's address.
      const onNode1 = backendNames().filter((n) => pods[n].node === 'nanokube-node-1');
      assert.ok(onNode1.length > 0, 'the scheduler spreads 3 pods over 2 nodes');
      const url = (p: number, path: string) => `http://${pc.nodeIPs[1]}:${p}${path}`;
      await eventually('etp-local answers', () => pc.fromNode(0, url(local, '/hostname'))[0] === 0);
      for (let i = 0; i < 10; i++) {
        const [, host] = pc.fromNode(0, url(local, '/hostname'));
        assert.ok(onNode1.includes(host), `${host} is not on node 1`);
        // The userspace relay opens its own connection, so only nftables mode can keep the client IP (as upstream).
        const [, client] = pc.fromNode(0, url(local, '/clientip'));
        if (mode === 'nftables') assert.equal(client.split(':')[0], pc.nodeIPs[0], 'client IP kept');
      }
      await eventually('etp-cluster answers', () => pc.fromNode(0, url(cluster, '/hostname'))[0] === 0);
      for (let i = 0; i < 10; i++) {
        const [, client] = pc.fromNode(0, url(cluster, '/clientip'));
        assert.notEqual(client.split(':')[0], pc.nodeIPs[0], 'masqueraded');
      }
    });

    it('internalTrafficPolicy Local sends a pod only to pods of its own node', async () => {
      apply(service('itp-local', '  internalTrafficPolicy: Local\n  selector: { name: node-js }\n  ports:\n  - { port: 80, targetPort: 8080 }\n'));
      const ip = svcIP('itp-local');
      const onNode0 = backendNames().filter((n) => pods[n].node === 'nanokube-node-0');
      await eventually('itp answers', () => (onNode0.length === 0 ? pc.fromPod(`http://${ip}/`)[0] === 7 : pc.fromPod(`http://${ip}/hostname`)[0] === 0));
      if (onNode0.length === 0) return;
      for (const h of hostsFromPod(`http://${ip}/hostname`, 10)) assert.ok(onNode0.includes(h), h);
    });

    it('S5.1 follows pod deletion: the deleted pod stops receiving traffic', async () => {
      const ip = svcIP('node-js');
      const victim = backendNames()[0];
      k(['delete', 'pod', victim, '--wait=false']);
      await eventually('victim gone from the rotation', () => !hostsFromPod(`http://${ip}/hostname`, 12).includes(victim));
      delete pods[victim];
      // The RC replaces it; the replacement joins once Ready.
      await eventually('replacement serves', () => {
        const list = JSON.parse(k(['get', 'pods', '-l', 'name=node-js', '-o', 'json']).stdout).items as any[];
        const fresh = list.find((p) => !pods[p.metadata.name] && p.status?.conditions?.some((x: any) => x.type === 'Ready' && x.status === 'True'));
        if (!fresh) return false;
        pods[fresh.metadata.name] = { node: fresh.spec.nodeName, ip: fresh.status.podIP };
        return true;
      }, 60_000);
      await eventually('all pods serve', () => new Set(hostsFromPod(`http://${ip}/hostname`, 30)).size === 3);
    });

    it("exposes kube-proxy's metrics for every node on 127.0.0.1", async () => {
      const text = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
      for (const node of ['nanokube-node-0', 'nanokube-node-1']) {
        const count = Number(new RegExp(`^kubeproxy_sync_proxy_rules_duration_seconds_count\\{node="${node}"\\} (\\d+)$`, 'm').exec(text)?.[1]);
        assert.ok(count > 0, text);
        assert.match(text, new RegExp(`^kubeproxy_network_programming_duration_seconds_count\\{node="${node}"\\} [1-9]`, 'm'));
        assert.match(text, new RegExp(`^nanokube_proxy_rules\\{node="${node}",mode="${mode}"\\} [1-9]`, 'm'));
      }
    });

    extra?.(() => pc);
  });
}
