/**
 * The ingress add-on end to end: `nanokube server --network isolated
 * --nodes 2` with its ingress-nginx-shaped add-on, driven by the real
 * kubectl; requests with curl (and a WebSocket client) from the nodes.
 * Scenarios S2, S3 and S9.3 of SCENARIOS.md.
 *
 * Address plan (R = run id, X = a free /24 of 172.30.0.0/16 per run):
 *   nodes nanokube-node-0 172.30.X.10, nanokube-node-1 172.30.X.11
 *   ingress-nginx-controller: NodePort HTTP and HTTPS (read from the Service)
 *   S9.3 external IP 172.30.X.200 (the nodes answer for it)
 *   pods 10.244.0.0/24 and 10.244.1.0/24, services 10.96.0.0/12
 * Hosts (*.whale.hey, *.test) are only ever given to curl with --resolve or
 * as a Host header: no name is looked up anywhere.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { realDaemons, realKernel } from '../src/node/kernel.ts';
import { adoptOrClean } from '../src/node/network/isolated.ts';
import { freeNodeNetwork, removeDir, startCluster, type Cluster } from './harness.ts';
import { eventually, haveTools } from './proxy-suite.ts';

const haveOpenssl = spawnSync('openssl', ['version']).status === 0;

const backends = `apiVersion: apps/v1
kind: Deployment
metadata: { name: my-nginx }
spec:
  selector: { matchLabels: { run: my-nginx } }
  replicas: 2
  template:
    metadata: { labels: { run: my-nginx } }
    spec:
      containers:
      - { name: my-nginx, image: nginx, ports: [{ containerPort: 80 }] }
---
apiVersion: v1
kind: Service
metadata: { name: my-nginx }
spec:
  selector: { run: my-nginx }
  ports: [{ port: 80 }]
---
apiVersion: apps/v1
kind: Deployment
metadata: { name: whale-a }
spec:
  selector: { matchLabels: { app: whale-a } }
  template:
    metadata: { labels: { app: whale-a } }
    spec:
      containers:
      - { name: echo, image: hashicorp/http-echo, args: ["-text=Whalesay A"], ports: [{ containerPort: 5678 }] }
---
apiVersion: v1
kind: Service
metadata: { name: whale-a }
spec:
  selector: { app: whale-a }
  ports: [{ port: 80, targetPort: 5678 }]
---
apiVersion: apps/v1
kind: Deployment
metadata: { name: whale-b }
spec:
  selector: { matchLabels: { app: whale-b } }
  template:
    metadata: { labels: { app: whale-b } }
    spec:
      containers:
      - { name: echo, image: hashicorp/http-echo, args: ["-text=Whalesay B"], ports: [{ containerPort: 5678 }] }
---
apiVersion: v1
kind: Service
metadata: { name: whale-b }
spec:
  selector: { app: whale-b }
  ports: [{ port: 80, targetPort: 5678 }]
---
apiVersion: apps/v1
kind: Deployment
metadata: { name: netexec }
spec:
  selector: { matchLabels: { app: netexec } }
  template:
    metadata: { labels: { app: netexec } }
    spec:
      containers:
      - { name: netexec, image: "registry.k8s.io/e2e-test-images/agnhost:2.39", args: ["netexec", "--http-port=8080"], ports: [{ name: http, containerPort: 8080 }] }
---
apiVersion: v1
kind: Service
metadata: { name: netexec }
spec:
  selector: { app: netexec }
  ports: [{ name: web, port: 80, targetPort: http }]
---
apiVersion: v1
kind: Pod
metadata: { name: ws, labels: { app: ws } }
spec:
  containers:
  - { name: ws, image: busybox, command: ["${process.execPath}", "${join(import.meta.dirname, 'fixtures/ws-echo.ts')}", "8080"], ports: [{ containerPort: 8080 }] }
---
apiVersion: v1
kind: Service
metadata: { name: ws }
spec:
  selector: { app: ws }
  ports: [{ port: 80, targetPort: 8080 }]
`;

const ingress = (name: string, spec: string, annotations: Record<string, string> = {}) =>
  `apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata:\n  name: ${name}\n  annotations: ${JSON.stringify(annotations)}\nspec:\n${spec}`;
const rule = (host: string | undefined, paths: { path: string; type: string; svc: string; port?: number }[]) =>
  `  - ${host ? `host: "${host}"\n    ` : ''}http:\n      paths:\n${paths.map((p) => `      - path: "${p.path}"\n        pathType: ${p.type}\n        backend: { service: { name: ${p.svc}, port: { number: ${p.port ?? 80} } } }\n`).join('')}`;

// S9.2: the same scenarios with either proxy mode.
for (const mode of ['nftables', 'userspace'] as const) {
  describe(`ingress add-on (isolated, ${mode} proxy, real kubectl, curl from nodes)`, { skip: haveTools && haveOpenssl ? false : 'needs root, iproute2, nftables, kubectl and openssl' }, () => {
    const dataDir = mkdtempSync(join(tmpdir(), `nanokube-ingress-${mode}-`));
    const nodeNet = freeNodeNetwork();
    const prefix = nodeNet.split('.').slice(0, 3).join('.');
    const nodeIPs = [`${prefix}.10`, `${prefix}.11`];
    let c: Cluster;
    let runId = '';
    let httpPort = 0;
    let httpsPort = 0;
    const k = (a: string[], o?: { input?: string; allowFail?: boolean }) => c.kubectl(a, o);
    /** curl from node i: [exit code, http code, body]. */
    const curl = (i: number, args: string[]): [number, string, string] => {
      const r = spawnSync('ip', ['netns', 'exec', `nk-${runId}-n${i}`, 'curl', '-sS', '-m', '5', '-w', '\n%{http_code}', ...args], { encoding: 'utf8' });
      const at = r.stdout.lastIndexOf('\n');
      // http-echo ends its text with a newline: bodies are compared trimmed.
      return [r.status ?? -1, r.stdout.slice(at + 1), r.stdout.slice(0, at).trim()];
    };
    /** curl from node i with the caller's own -w: its stdout. */
    const curlOut = (i: number, args: string[]) => spawnSync('ip', ['netns', 'exec', `nk-${runId}-n${i}`, 'curl', '-sS', '-m', '5', ...args], { encoding: 'utf8' }).stdout;
    const get = (host: string, path: string, i = 0, ip = nodeIPs[0]) => curl(i, ['--resolve', `${host}:${httpPort}:${ip}`, `http://${host}:${httpPort}${path}`]);

    before(async () => {
      c = await startCluster({ dataDir, args: ['--network', 'isolated', '--nodes', '2', '--node-network', nodeNet, '--disable', 'dns', '--proxy-mode', mode] });
      runId = JSON.parse(readFileSync(join(dataDir, 'network.json'), 'utf8')).runId;
      httpPort = Number(k(['get', 'svc', '-n', 'ingress-nginx', 'ingress-nginx-controller', '-o', 'jsonpath={.spec.ports[?(@.name=="http")].nodePort}']).stdout);
      httpsPort = Number(k(['get', 'svc', '-n', 'ingress-nginx', 'ingress-nginx-controller', '-o', 'jsonpath={.spec.ports[?(@.name=="https")].nodePort}']).stdout);
      k(['apply', '-f', '-'], { input: backends });
      await eventually('backends ready', () => {
        const pods = JSON.parse(k(['get', 'pods', '-o', 'json']).stdout).items as any[];
        return pods.filter((p) => p.status?.containerStatuses?.every((s: any) => s.ready)).length === 6;
      }, 60_000);
    });

    after(async () => {
      await c?.stop('SIGTERM');
      if (runId) await adoptOrClean(realKernel(), runId, { daemons: realDaemons() }).catch(() => {});
      removeDir(dataDir);
    });

    it('S2.1 runs like the bare-metal ingress-nginx install', () => {
      assert.match(k(['get', 'pods', '-n', 'ingress-nginx']).stdout, /ingress-nginx-controller-\S+\s+1\/1\s+Running/);
      assert.match(k(['get', 'svc', '-n', 'ingress-nginx']).stdout, /ingress-nginx-controller\s+NodePort\s+10\.\S+\s+<none>\s+80:3\d{4}\/TCP,443:3\d{4}\/TCP/);
      assert.equal(k(['get', 'ingressclass', 'nginx', '-o', 'jsonpath={.spec.controller}']).stdout, 'k8s.io/ingress-nginx');
    });

    it('an Ingress without class is ignored until a default class exists, then served', async () => {
      k(['apply', '-f', '-'], { input: ingress('early', `  rules:\n${rule('early.test', [{ path: '/', type: 'Prefix', svc: 'whale-a' }])}`) });
      assert.equal(k(['get', 'ingress', 'early', '-o', 'jsonpath={.spec.ingressClassName}']).stdout, '');
      await new Promise((r) => setTimeout(r, 1000));
      assert.equal(get('early.test', '/')[1], '404', 'no class and no default class: not ours');
      assert.equal(k(['get', 'ingress', 'early', '-o', 'jsonpath={.status.loadBalancer.ingress}']).stdout, '');
      k(['annotate', 'ingressclass', 'nginx', 'ingressclass.kubernetes.io/is-default-class=true']);
      await eventually('served once nginx is the default class', () => get('early.test', '/')[2] === 'Whalesay A');
    });

    it('S2.2-S2.4 minimal-ingress: rewrite to /, on every node; /other gets the 404; kubectl get ingress shows the address', async () => {
      k(['apply', '-f', '-'], { input: ingress('minimal-ingress', `  rules:\n${rule(undefined, [{ path: '/testpath', type: 'Prefix', svc: 'my-nginx' }])}`, { 'nginx.ingress.kubernetes.io/rewrite-target': '/' }) });
      for (const [i, ip] of [[0, nodeIPs[0]], [1, nodeIPs[1]], [0, nodeIPs[1]]] as const) {
        const [, code, body] = await eventually(`testpath via ${ip}`, () => {
          const r = curl(i, [`http://${ip}:${httpPort}/testpath`]);
          return r[1] === '200' ? r : undefined;
        });
        assert.equal(code, '200');
        assert.match(body, /Welcome to nginx!/);
        const [, other, page] = curl(i, [`http://${ip}:${httpPort}/other`]);
        assert.equal(other, '404');
        assert.match(page, /404 Not Found/);
      }
      const row = await eventually('ADDRESS', () => {
        const r = k(['get', 'ingress', 'minimal-ingress', '--no-headers']).stdout.trim().split(/\s+/);
        return r[3] && r[3] !== '80' ? r : undefined;
      });
      assert.deepEqual([row[0], row[1], row[2], row[4]], ['minimal-ingress', 'nginx', '*', '80']);
      assert.deepEqual(row[3].split(',').sort(), nodeIPs);
    });

    it('S3 host-based routing: a.whale.hey and b.whale.hey; an unknown host gets the default 404', async () => {
      k(['apply', '-f', '-'], { input: ingress('whale', `  ingressClassName: nginx\n  rules:\n${rule('a.whale.hey', [{ path: '/', type: 'Prefix', svc: 'whale-a' }])}${rule('b.whale.hey', [{ path: '/', type: 'Prefix', svc: 'whale-b' }])}`) });
      await eventually('whale A', () => get('a.whale.hey', '/')[2] === 'Whalesay A');
      assert.equal(get('b.whale.hey', '/', 1, nodeIPs[1])[2], 'Whalesay B');
      assert.equal(get('c.whale.hey', '/')[1], '404');
    });

    it('path and host matching: Exact, Prefix by path element, wildcard hosts of one label', async () => {
      k(['apply', '-f', '-'], {
        input: ingress('matching', `  ingressClassName: nginx\n  rules:\n${rule('match.test', [{ path: '/exact', type: 'Exact', svc: 'whale-a' }, { path: '/foo', type: 'Prefix', svc: 'whale-b' }])}${rule('*.wild.test', [{ path: '/', type: 'Prefix', svc: 'whale-a' }])}`),
      });
      await eventually('matching served', () => get('match.test', '/exact')[2] === 'Whalesay A');
      assert.equal(get('match.test', '/exact/')[1], '404', 'Exact does not match a trailing slash');
      assert.equal(get('match.test', '/foo/bar')[2], 'Whalesay B', 'Prefix matches a longer path by element');
      assert.equal(get('match.test', '/foo/')[2], 'Whalesay B', 'trailing slash ignored');
      assert.equal(get('match.test', '/foobar')[1], '404', 'Prefix does not match inside an element');
      assert.equal(get('x.wild.test', '/')[2], 'Whalesay A');
      assert.equal(get('a.b.wild.test', '/')[1], '404', 'a wildcard covers exactly one label');
      assert.equal(get('wild.test', '/')[1], '404');
    });

    it('rewrite-target with capture groups and use-regex', async () => {
      k(['apply', '-f', '-'], {
        input: ingress('rewrite', `  ingressClassName: nginx\n  rules:\n${rule('rewrite.test', [{ path: '/something(/|$)(.*)', type: 'ImplementationSpecific', svc: 'netexec' }])}`, {
          'nginx.ingress.kubernetes.io/use-regex': 'true',
          'nginx.ingress.kubernetes.io/rewrite-target': '/$2',
        }),
      });
      const host = await eventually('rewritten', () => {
        const r = get('rewrite.test', '/something/hostname');
        return r[1] === '200' ? r[2] : undefined;
      });
      assert.match(host, /^netexec-/);
      assert.equal(get('rewrite.test', '/something/echo?msg=hi')[2], 'hi');
      assert.equal(get('rewrite.test', '/nothing/hostname')[1], '404');
    });

    it('TLS from a Secret made by kubectl create secret tls, by SNI; plain HTTP redirects to HTTPS', async () => {
      const dir = mkdtempSync(join(tmpdir(), 'nanokube-ingress-tls-'));
      try {
        const made = spawnSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=secure.test', '-addext', 'subjectAltName=DNS:secure.test', '-keyout', join(dir, 'tls.key'), '-out', join(dir, 'tls.crt')], { encoding: 'utf8' });
        assert.equal(made.status, 0, made.stderr);
        k(['create', 'secret', 'tls', 'secure-tls', '--cert', join(dir, 'tls.crt'), '--key', join(dir, 'tls.key')]);
        k(['apply', '-f', '-'], { input: ingress('secure', `  ingressClassName: nginx\n  tls:\n  - hosts: [secure.test]\n    secretName: secure-tls\n  rules:\n${rule('secure.test', [{ path: '/', type: 'Prefix', svc: 'whale-b' }])}`) });
        const https = (i: number) => curl(i, ['--cacert', join(dir, 'tls.crt'), '--resolve', `secure.test:${httpsPort}:${nodeIPs[i]}`, `https://secure.test:${httpsPort}/`]);
        await eventually('served over TLS with the Secret certificate', () => https(0)[2] === 'Whalesay B');
        assert.equal(https(1)[2], 'Whalesay B');
        const http2 = curlOut(0, ['--http2', '-o', '/dev/null', '--cacert', join(dir, 'tls.crt'), '--resolve', `secure.test:${httpsPort}:${nodeIPs[0]}`, '-w', '%{http_version}', `https://secure.test:${httpsPort}/`]);
        assert.equal(http2, '2', 'HTTP/2 through ALPN');
        const [, code] = get('secure.test', '/path');
        assert.equal(code, '308');
        const loc = curlOut(0, ['-o', '/dev/null', '-w', '%{redirect_url}', '--resolve', `secure.test:${httpPort}:${nodeIPs[0]}`, `http://secure.test:${httpPort}/path`]);
        assert.match(loc, /^https:\/\/secure\.test(:\d+)?\/path$/);
      } finally {
        removeDir(dir);
      }
    });

    it('carries a WebSocket through the ingress', async () => {
      k(['apply', '-f', '-'], { input: ingress('ws', `  ingressClassName: nginx\n  rules:\n${rule('ws.test', [{ path: '/ws', type: 'Prefix', svc: 'ws' }])}`) });
      const reply = await eventually('websocket echo', () => {
        const r = spawnSync('ip', ['netns', 'exec', `nk-${runId}-n1`, process.execPath, join(import.meta.dirname, 'fixtures/ws-client.ts'), `ws://${nodeIPs[0]}:${httpPort}/ws`, 'hello', 'ws.test'], { encoding: 'utf8' });
        return r.status === 0 ? r.stdout.trim() : undefined;
      });
      assert.equal(reply, 'ws /ws hello');
    });

    it('S9.3 externalIPs on the controller Service: EXTERNAL-IP shows them and port 80 reaches the ingress', async () => {
      const ext = `${prefix}.200`;
      k(['patch', 'svc', '-n', 'ingress-nginx', 'ingress-nginx-controller', '-p', JSON.stringify({ spec: { externalIPs: [ext] } })]);
      assert.match(k(['get', 'svc', '-n', 'ingress-nginx', 'ingress-nginx-controller']).stdout, new RegExp(`NodePort\\s+10\\.\\S+\\s+${ext.replace(/\./g, '\\.')}\\s+80:`));
      for (const i of [0, 1]) {
        await eventually(`external IP from node ${i}`, () => {
          const r = curl(i, [`http://${ext}/testpath`]);
          return r[1] === '200' && r[2].includes('Welcome to nginx!');
        });
      }
      await eventually('ADDRESS follows the external IP', () => k(['get', 'ingress', 'minimal-ingress', '-o', 'jsonpath={.status.loadBalancer.ingress[*].ip}']).stdout === ext);
    });
  });
}
