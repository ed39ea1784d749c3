/**
 * Cluster DNS end to end: the dns add-on of a real `nanokube server
 * --network isolated --nodes 2` (nftables proxy), asked from pods with
 * nslookup, host, dig, getent and curl. Scenarios S1.3, S1.5, S5.3, S5.4,
 * S6.2 and S7.1 of SCENARIOS.md.
 *
 * Address plan (R = run id, X = a free /24 of 172.30.0.0/16 per run):
 *   host link nk-R-h 172.30.X.1: the stub upstream DNS server (UDP, an
 *     ephemeral port; it knows numbers.example.test = 172.30.X.1) and a
 *     test HTTP server (the "outside" of S7.1)
 *   nodes 172.30.X.10 and .11, pods 10.244.0.0/24 and 10.244.1.0/24
 *   services 10.96.0.0/12, cluster DNS 10.96.0.10
 * The Corefile is patched to forward to the stub before any outside name
 * is asked: no query ever reaches the machine's own resolver (the nodes
 * have no route out anyway).
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { realDaemons, realKernel } from '../src/node/kernel.ts';
import { adoptOrClean } from '../src/node/network/isolated.ts';
import { freeNodeNetwork, removeDir, startCluster, type Cluster } from './harness.ts';
import { eventually, haveTools } from './proxy-suite.ts';

const haveDig = spawnSync('dig', ['-v']).status === 0;

const workloads = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: my-nginx
spec:
  selector: { matchLabels: { run: my-nginx } }
  replicas: 2
  template:
    metadata: { labels: { run: my-nginx } }
    spec:
      containers:
      - name: my-nginx
        image: nginx
        ports: [{ name: http, containerPort: 80 }]
---
apiVersion: apps/v1
kind: ReplicaSet
metadata:
  name: myapp-rs-headless
spec:
  replicas: 3
  selector: { matchLabels: { app: myapp-rs-headless } }
  template:
    metadata: { labels: { app: myapp-rs-headless } }
    spec:
      containers:
      - name: myapp
        image: registry.k8s.io/e2e-test-images/agnhost:2.39
        args: ["netexec", "--http-port=8080"]
        ports: [{ name: http, containerPort: 8080 }]
---
apiVersion: v1
kind: Service
metadata: { name: myapp-svc-headless }
spec:
  clusterIP: None
  selector: { app: myapp-rs-headless }
  ports: [{ name: http, port: 8080 }]
---
apiVersion: v1
kind: Pod
metadata: { name: client }
spec:
  containers:
  - { name: shell, image: busybox, command: ["sleep", "3600"] }
---
apiVersion: v1
kind: Namespace
metadata: { name: other }
---
apiVersion: v1
kind: Pod
metadata: { name: client, namespace: other }
spec:
  containers:
  - { name: shell, image: busybox, command: ["sleep", "3600"] }
`;

// S9.2: the same scenarios with either proxy mode.
for (const mode of ['nftables', 'userspace'] as const) {
  describe(`cluster DNS add-on (isolated, ${mode} proxy, real kubectl, dig from pods)`, { skip: haveTools && haveDig ? false : 'needs root, iproute2, nftables, kubectl and dig' }, () => {
    const dataDir = mkdtempSync(join(tmpdir(), `nanokube-dns-${mode}-`));
    const nodeNet = freeNodeNetwork();
    const hostIP = `${nodeNet.split('.').slice(0, 3).join('.')}.1`;
    let c: Cluster;
    let runId = '';
    const children: ChildProcess[] = [];
    const k = (a: string[], o?: { input?: string; allowFail?: boolean }) => c.kubectl(a, o);
    const inPod = (cmd: string[], ns = 'default') => k(['exec', '-n', ns, 'client', '--', ...cmd], { allowFail: true });
    const dig = (...args: string[]) => inPod(['dig', '+time=2', '+tries=1', ...args]).stdout;

    /** Starts a helper process on the host link and resolves with the port it prints. */
    async function helper(argv: string[]): Promise<number> {
      const p = spawn(process.execPath, argv, { stdio: ['ignore', 'pipe', 'inherit'] });
      children.push(p);
      return new Promise<number>((ok) => p.stdout!.once('data', (d) => ok(Number(String(d).trim()))));
    }

    before(async () => {
      c = await startCluster({ dataDir, args: ['--network', 'isolated', '--nodes', '2', '--node-network', nodeNet, '--disable', 'ingress', '--proxy-mode', mode] });
      runId = JSON.parse(readFileSync(join(dataDir, 'network.json'), 'utf8')).runId;
      const stubPort = await helper([join(import.meta.dirname, 'fixtures/dns-stub.ts'), hostIP, '0', `numbers.example.test=${hostIP}`]);
      // Upstream = the stub, before any name outside the cluster is asked.
      const corefile = JSON.parse(k(['get', 'configmap', '-n', 'kube-system', 'coredns', '-o', 'json']).stdout).data.Corefile as string;
      k(['patch', 'configmap', '-n', 'kube-system', 'coredns', '--type', 'merge', '-p', JSON.stringify({ data: { Corefile: corefile.replace('forward . /etc/resolv.conf', `forward . ${hostIP}:${stubPort}`) } })]);
      k(['apply', '-f', '-'], { input: workloads });
      await eventually('workloads ready', () => {
        const pods = JSON.parse(k(['get', 'pods', '-A', '-o', 'json']).stdout).items as any[];
        const ready = pods.filter((p) => p.status?.phase === 'Running' && p.status.containerStatuses?.every((s: any) => s.ready));
        return ready.length >= 8;
      }, 60_000);
      k(['expose', 'deployment', 'my-nginx', '--port=80']);
    });

    after(async () => {
      for (const p of children) p.kill();
      await c?.stop('SIGTERM');
      if (runId) await adoptOrClean(realKernel(), runId, { daemons: realDaemons() }).catch(() => {});
      removeDir(dataDir);
    });

    it('S1.5 kube-dns in kube-system at 10.96.0.10, kubernetes in default at 10.96.0.1; the add-on pod runs', () => {
      const rows = k(['get', 'svc', '-A', '--no-headers']).stdout.trim().split('\n').map((l) => l.split(/\s+/));
      assert.ok(rows.some((r) => r[0] === 'kube-system' && r[1] === 'kube-dns' && r[3] === '10.96.0.10' && r[5] === '53/UDP,53/TCP,9153/TCP'), JSON.stringify(rows));
      assert.ok(rows.some((r) => r[0] === 'default' && r[1] === 'kubernetes' && r[3] === '10.96.0.1'));
      assert.match(k(['get', 'pods', '-n', 'kube-system', '-l', 'k8s-app=kube-dns']).stdout, /coredns-\S+\s+1\/1\s+Running/);
    });

    it('S1.3/S1.4 nslookup my-nginx answers from 10.96.0.10 with the full name; curl http://my-nginx/ gets the welcome page', async () => {
      const ip = k(['get', 'svc', 'my-nginx', '-o', 'jsonpath={.spec.clusterIP}']).stdout;
      const out = await eventually('nslookup', () => {
        const r = inPod(['nslookup', 'my-nginx']);
        return r.status === 0 ? r.stdout : undefined;
      });
      assert.match(out, /Server:\s+10\.96\.0\.10\n/);
      assert.ok(out.includes(`Name:\tmy-nginx.default.svc.cluster.local\nAddress: ${ip}\n`), out);
      assert.match(inPod(['curl', '-sS', '-m', '3', 'http://my-nginx/']).stdout, /Welcome to nginx!/);
    });

    it('S6.2 the search path: short, name.ns, name.ns.svc and full names from default; from another namespace not the short one', async () => {
      k(['create', 'service', 'clusterip', 'myapp-svc-clusterip', '--tcp=80:8080']);
      const ip = k(['get', 'svc', 'myapp-svc-clusterip', '-o', 'jsonpath={.spec.clusterIP}']).stdout;
      const names = ['myapp-svc-clusterip', 'myapp-svc-clusterip.default', 'myapp-svc-clusterip.default.svc', 'myapp-svc-clusterip.default.svc.cluster.local'];
      await eventually('new service resolves', () => inPod(['getent', 'hosts', names[0]]).stdout.startsWith(ip));
      for (const n of names) assert.equal(inPod(['getent', 'hosts', n]).stdout.split(/\s+/)[0], ip, n);
      const short = inPod(['getent', 'hosts', names[0]], 'other');
      assert.notEqual(short.status, 0, short.stdout);
      for (const n of names.slice(1)) assert.equal(inPod(['getent', 'hosts', n], 'other').stdout.split(/\s+/)[0], ip, `${n} from other`);
    });

    it('S5.3 a headless Service: CLUSTER-IP None, three endpoints, `host` prints three addresses', async () => {
      assert.match(k(['get', 'svc', 'myapp-svc-headless', '--no-headers']).stdout, /^myapp-svc-headless\s+ClusterIP\s+None\s+<none>\s+8080\/TCP/);
      const podIPs = (JSON.parse(k(['get', 'pods', '-l', 'app=myapp-rs-headless', '-o', 'json']).stdout).items as any[]).map((p) => p.status.podIP).sort();
      const eps = await eventually('three endpoints', () => {
        const e = k(['get', 'endpoints', 'myapp-svc-headless', '-o', 'jsonpath={.subsets[0].addresses[*].ip}']).stdout.split(' ').filter(Boolean);
        return e.length === 3 ? e : undefined;
      });
      assert.deepEqual(eps.sort(), podIPs);
      const out = inPod(['host', 'myapp-svc-headless']).stdout;
      const lines = out.trim().split('\n').filter((l) => l.includes('has address'));
      assert.equal(lines.length, 3, out);
      for (const l of lines) assert.match(l, /^myapp-svc-headless\.default\.svc\.cluster\.local has address 10\.244\.\d+\.\d+$/);
      assert.deepEqual(lines.map((l) => l.split(' ').pop()).sort(), podIPs);
    });

    it('S5.4 curl through the headless name reaches a pod', () => {
      const r = inPod(['curl', '-sS', '-m', '3', 'http://myapp-svc-headless:8080/hostname']);
      assert.equal(r.status, 0, r.stderr);
      assert.match(r.stdout, /^myapp-rs-headless-/);
    });

    it('dig: SRV for named ports, PTR for service and pod IPs, pod A records, the schema TXT, NXDOMAIN and NODATA with the SOA', () => {
      const ip = k(['get', 'svc', 'my-nginx', '-o', 'jsonpath={.spec.clusterIP}']).stdout;
      // Named port of the headless service: one SRV per endpoint.
      const srv = dig('+short', 'SRV', '_http._tcp.myapp-svc-headless.default.svc.cluster.local').trim().split('\n');
      assert.equal(srv.length, 3, srv.join('\n'));
      for (const r of srv) assert.match(r, /^0 \d+ 8080 [\w-]+\.myapp-svc-headless\.default\.svc\.cluster\.local\.$/);
      assert.equal(dig('+short', '-x', ip).trim(), 'my-nginx.default.svc.cluster.local.');
      const podIP = k(['get', 'pod', 'client', '-o', 'jsonpath={.status.podIP}']).stdout;
      assert.equal(dig('+short', `${podIP.replace(/\./g, '-')}.default.pod.cluster.local`).trim(), podIP);
      assert.equal(dig('+short', 'TXT', 'dns-version.cluster.local').trim(), '"1.1.0"');
      const nx = dig('nosuch.default.svc.cluster.local');
      assert.match(nx, /status: NXDOMAIN/);
      assert.match(nx, /AUTHORITY SECTION:\ncluster\.local\.\s+\d+\s+IN\s+SOA\s+ns\.dns\.cluster\.local\. hostmaster\.cluster\.local\./);
      const nodata = dig('AAAA', 'my-nginx.default.svc.cluster.local');
      assert.match(nodata, /status: NOERROR/);
      assert.match(nodata, /ANSWER: 0,/);
      assert.match(nodata, /AUTHORITY SECTION:\ncluster\.local\./);
      assert.match(dig('MY-NGINX.Default.SVC.cluster.LOCAL', '+short'), new RegExp(`^${ip.replace(/\./g, '\\.')}$`, 'm'));
    });

    it('a headless Service with 60 endpoints truncates over UDP and is complete over TCP', async () => {
      const addresses = Array.from({ length: 60 }, (_, i) => `{"addresses":["10.244.200.${i + 1}"],"conditions":{"ready":true}}`).join(',');
      k(['apply', '-f', '-'], {
        input: `apiVersion: v1\nkind: Service\nmetadata: { name: big }\nspec:\n  clusterIP: None\n  ports: [{ name: http, port: 80 }]\n---\napiVersion: discovery.k8s.io/v1\nkind: EndpointSlice\nmetadata:\n  name: big-1\n  labels: { kubernetes.io/service-name: big }\naddressType: IPv4\nports: [{ name: http, port: 80, protocol: TCP }]\nendpoints: [${addresses}]\n`,
      });
      const tcp = await eventually('60 answers over TCP', () => {
        const out = dig('+tcp', '+short', 'big.default.svc.cluster.local').trim().split('\n');
        return out.length === 60 ? out : undefined;
      });
      assert.equal(new Set(tcp).size, 60);
      const udp = dig('+notcp', '+ignore', '+noedns', 'big.default.svc.cluster.local');
      assert.match(udp, /flags: qr aa tc/);
    });

    it('S7.1 ExternalName: a CNAME to the outside name, then its address from the upstream (a local stub); curl reaches it', async () => {
      const port = await helper(['-e', `require('http').createServer((q, s) => s.end('numbers')).listen(0, '${hostIP}', function () { console.log(this.address().port) })`]);
      k(['create', 'service', 'externalname', 'numbers-api', '--external-name', 'numbers.example.test']);
      const out = await eventually('CNAME then A', () => {
        const r = dig('numbers-api.default.svc.cluster.local');
        return r.includes('status: NOERROR') && r.includes(hostIP) ? r : undefined;
      });
      assert.match(out, /numbers-api\.default\.svc\.cluster\.local\.\s+\d+\s+IN\s+CNAME\s+numbers\.example\.test\./);
      assert.match(out, new RegExp(`numbers\\.example\\.test\\.\\s+\\d+\\s+IN\\s+A\\s+${hostIP.replace(/\./g, '\\.')}`));
      assert.equal(inPod(['curl', '-sS', '-m', '3', `http://numbers-api:${port}/`]).stdout, 'numbers');
    });

    it('forwards names outside the cluster to the configured upstream only, and a Corefile change applies without restart', async () => {
      assert.match(dig('numbers.example.test'), /status: NOERROR/);
      assert.match(dig('unknown.example.test'), /status: NXDOMAIN/);
      // A stub domain added to the Corefile: the names of that domain go to its own server.
      const port2 = await helper([join(import.meta.dirname, 'fixtures/dns-stub.ts'), hostIP, '0', 'db.corp.test=10.0.0.42']);
      const corefile = JSON.parse(k(['get', 'configmap', '-n', 'kube-system', 'coredns', '-o', 'json']).stdout).data.Corefile as string;
      k(['patch', 'configmap', '-n', 'kube-system', 'coredns', '--type', 'merge', '-p', JSON.stringify({ data: { Corefile: `${corefile}corp.test:53 {\n    forward . ${hostIP}:${port2}\n}\n` } })]);
      await eventually('stub domain', () => dig('+short', 'db.corp.test').trim() === '10.0.0.42');
    });
  });
}
