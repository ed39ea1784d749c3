// The real kubectl against a stub API server that serves legacy discovery and
// this module's Tables, so the text `kubectl get` prints is what is asserted.
// Address plan: stub server on 127.0.0.1, ephemeral port; services 10.96.0.0/12
// (my-nginx 10.96.12.34, numbers-web 10.96.5.5, ingress-nginx-controller 10.96.80.80),
// pods 10.244.0.0/16 (10.244.1.5, 10.244.1.6), node-1 192.168.1.10, LB 192.168.1.240.
// Clock: NOW = 2024-06-01T12:00:00Z.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { apiVersionOf, type KubeObject } from '../meta.ts';
import { resources, type ResourceDef } from '../resources.ts';
import { parseIncludeObject, toTable } from './index.ts';

const KUBECTL = '/usr/bin/kubectl';
const NOW = new Date('2024-06-01T12:00:00Z');
const ago = (s: number): string => new Date(NOW.getTime() - s * 1000).toISOString().replace('.000Z', 'Z');

const meta = (name: string, ageSeconds: number, namespace = 'default'): KubeObject['metadata'] => ({ name, namespace, creationTimestamp: ago(ageSeconds) });

const fixtures: Record<string, KubeObject[]> = {
  services: [
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: meta('my-nginx', 3600),
      spec: { type: 'ClusterIP', clusterIP: '10.96.12.34', ports: [{ port: 80, protocol: 'TCP' }], selector: { run: 'my-nginx' } },
    },
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: meta('numbers-web', 190),
      spec: { type: 'LoadBalancer', clusterIP: '10.96.5.5', ports: [{ port: 8080, nodePort: 31234, protocol: 'TCP' }], selector: { app: 'numbers' } },
      status: { loadBalancer: { ingress: [{ ip: '192.168.1.240' }] } },
    },
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: meta('numbers-api', 49 * 3600),
      spec: { type: 'ExternalName', externalName: 'numbers.example.com' },
    },
  ],
  pods: [
    {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: meta('my-nginx-7d8f-abcde', 600),
      spec: { nodeName: 'node-1', containers: [{ name: 'nginx', image: 'nginx' }] },
      status: {
        phase: 'Running',
        podIP: '10.244.1.5',
        conditions: [{ type: 'Ready', status: 'True' }],
        containerStatuses: [{ name: 'nginx', ready: true, restartCount: 0, state: { running: {} } }],
      },
    },
    {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: meta('crashy', 600),
      spec: { nodeName: 'node-1', containers: [{ name: 'c', image: 'busybox' }] },
      status: {
        phase: 'Running',
        podIP: '10.244.1.6',
        containerStatuses: [
          { name: 'c', ready: false, restartCount: 5, state: { waiting: { reason: 'CrashLoopBackOff' } }, lastState: { terminated: { exitCode: 1, finishedAt: ago(300) } } },
        ],
      },
    },
  ],
  resourcequotas: [
    {
      apiVersion: 'v1',
      kind: 'ResourceQuota',
      metadata: meta('test-quotas', 45),
      spec: { hard: { pods: '3', services: '1', replicationcontrollers: '1' } },
      status: { hard: { pods: '3', services: '1', replicationcontrollers: '1' }, used: { pods: '3', services: '0', replicationcontrollers: '1' } },
    },
  ],
  ingresses: [
    {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'Ingress',
      metadata: meta('minimal-ingress', 90),
      spec: { ingressClassName: 'nginx', rules: [{ http: { paths: [{ path: '/testpath', pathType: 'Prefix' }] } }] },
      status: { loadBalancer: { ingress: [{ ip: '192.168.1.10' }] } },
    },
  ],
  endpoints: [
    {
      apiVersion: 'v1',
      kind: 'Endpoints',
      metadata: meta('myapp-svc-headless', 30),
      subsets: [{ addresses: [{ ip: '10.244.1.7' }, { ip: '10.244.1.8' }, { ip: '10.244.2.9' }, { ip: '10.244.2.10' }], ports: [{ port: 8080, protocol: 'TCP' }] }],
    },
  ],
};

let server: Server;
let dir: string;
let kubeconfig: string;
const seen: { path: string; accept: string }[] = [];

function discovery(defs: ResourceDef[], groupVersion: string): unknown {
  return {
    kind: 'APIResourceList',
    apiVersion: 'v1',
    groupVersion,
    resources: defs.map((d) => ({
      name: d.plural,
      singularName: d.singular,
      namespaced: d.namespaced,
      kind: d.kind,
      verbs: ['get', 'list'],
      shortNames: d.shortNames,
      categories: d.categories,
    })),
  };
}

function handle(path: string, query: URLSearchParams, accept: string): unknown {
  if (path === '/api') return { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [] };
  if (path === '/apis') {
    const groups = [...new Set(resources.filter((d) => d.group).map((d) => d.group))].map((g) => {
      const gv = { groupVersion: `${g}/v1`, version: 'v1' };
      return { name: g, versions: [gv], preferredVersion: gv };
    });
    return { kind: 'APIGroupList', apiVersion: 'v1', groups };
  }
  if (path === '/api/v1') return discovery(resources.filter((d) => !d.group), 'v1');
  const gv = path.match(/^\/apis\/([^/]+)\/v1$/);
  if (gv) return discovery(resources.filter((d) => d.group === gv[1]), `${gv[1]}/v1`);
  const m = path.match(/^\/(?:api|apis\/([^/]+))\/v1(?:\/namespaces\/[^/]+)?\/([^/]+)(?:\/([^/]+))?$/);
  const def = m && resources.find((d) => d.group === (m[1] ?? '') && d.plural === m[2]);
  if (!m || !def) return undefined;
  const items = (fixtures[def.plural] ?? []).filter((o) => !m[3] || o.metadata.name === m[3]);
  if (m[3] && items.length === 0) return undefined;
  if (!accept.includes('as=Table')) {
    if (m[3]) return items[0];
    return { kind: def.listKind, apiVersion: apiVersionOf(def.group, def.version), metadata: { resourceVersion: '7' }, items };
  }
  return toTable(def, items, { now: NOW, includeObject: parseIncludeObject(query.get('includeObject')), resourceVersion: '7' });
}

async function kubectl(...args: string[]): Promise<string> {
  const { stdout } = await promisify(execFile)(KUBECTL, ['--kubeconfig', kubeconfig, '--cache-dir', join(dir, 'cache'), ...args]);
  return stdout;
}

describe('kubectl get renders our Tables', { skip: !existsSync(KUBECTL) && 'no kubectl' }, () => {
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'nanokube-tables-'));
    server = createServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://x');
      seen.push({ path: url.pathname + url.search, accept: String(req.headers.accept) });
      const body = handle(url.pathname, url.searchParams, String(req.headers.accept));
      if (body === undefined) {
        res.writeHead(404, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'NotFound', code: 404, message: 'not found' }));
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    kubeconfig = join(dir, 'kubeconfig');
    writeFileSync(
      kubeconfig,
      JSON.stringify({
        apiVersion: 'v1',
        kind: 'Config',
        clusters: [{ name: 'stub', cluster: { server: `http://127.0.0.1:${port}` } }],
        users: [{ name: 'stub', user: {} }],
        contexts: [{ name: 'stub', context: { cluster: 'stub', user: 'stub', namespace: 'default' } }],
        'current-context': 'stub',
      }),
    );
  });
  after(() => {
    server?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('kubectl get svc', async () => {
    assert.equal(
      await kubectl('get', 'svc'),
      [
        'NAME          TYPE           CLUSTER-IP    EXTERNAL-IP           PORT(S)          AGE',
        'my-nginx      ClusterIP      10.96.12.34   <none>                80/TCP           60m',
        'numbers-web   LoadBalancer   10.96.5.5     192.168.1.240         8080:31234/TCP   3m10s',
        'numbers-api   ExternalName   <none>        numbers.example.com   <none>           2d1h',
        '',
      ].join('\n'),
    );
    const list = seen.find((s) => s.path.startsWith('/api/v1/namespaces/default/services'));
    assert.match(list!.accept, /as=Table;v=v1;g=meta\.k8s\.io/);
    // kubectl 1.32 asks for the object only with --sort-by; otherwise the server's default (Metadata) applies.
    assert.doesNotMatch(list!.path, /includeObject/);
  });

  it('kubectl get svc my-nginx -o wide', async () => {
    assert.equal(
      await kubectl('get', 'svc', 'my-nginx', '-o', 'wide'),
      [
        'NAME       TYPE        CLUSTER-IP    EXTERNAL-IP   PORT(S)   AGE   SELECTOR',
        'my-nginx   ClusterIP   10.96.12.34   <none>        80/TCP    60m   run=my-nginx',
        '',
      ].join('\n'),
    );
  });

  it('kubectl get pods -o wide', async () => {
    assert.equal(
      await kubectl('get', 'pods', '-o', 'wide'),
      [
        'NAME                  READY   STATUS             RESTARTS     AGE   IP           NODE     NOMINATED NODE   READINESS GATES',
        'my-nginx-7d8f-abcde   1/1     Running            0            10m   10.244.1.5   node-1   <none>           <none>',
        'crashy                0/1     CrashLoopBackOff   5 (5m ago)   10m   10.244.1.6   node-1   <none>           <none>',
        '',
      ].join('\n'),
    );
  });

  it('kubectl get quota (S8), ingress (S2), endpoints (S5)', async () => {
    assert.equal(
      await kubectl('get', 'quota'),
      ['NAME          AGE   REQUEST                                                 LIMIT', 'test-quotas   45s   pods: 3/3, replicationcontrollers: 1/1, services: 0/1   ', ''].join('\n'),
    );
    assert.equal(
      await kubectl('get', 'ingress'),
      ['NAME              CLASS   HOSTS   ADDRESS        PORTS   AGE', 'minimal-ingress   nginx   *       192.168.1.10   80      90s', ''].join('\n'),
    );
    assert.equal(
      await kubectl('get', 'ep'),
      ['NAME                 ENDPOINTS                                                     AGE', 'myapp-svc-headless   10.244.1.7:8080,10.244.1.8:8080,10.244.2.9:8080 + 1 more...   30s', ''].join('\n'),
    );
  });

  it('kubectl get svc --sort-by asks for the whole object and sorts by it', async () => {
    assert.equal(await kubectl('get', 'svc', '--sort-by', '.spec.type', '-o', 'name'), 'service/my-nginx\nservice/numbers-api\nservice/numbers-web\n');
    const sorted = await kubectl('get', 'svc', '--sort-by', '.spec.type');
    assert.deepEqual(
      sorted.trim().split('\n').slice(1).map((l) => l.split(/\s+/)[0]),
      ['my-nginx', 'numbers-api', 'numbers-web'],
    );
    assert.ok(seen.some((s) => s.path.includes('includeObject=Object')));
  });

  it('kubectl get pods --show-labels reads labels from the row object', async () => {
    const out = await kubectl('get', 'pods', '--show-labels');
    assert.match(out.split('\n')[0], /LABELS$/);
  });
});
