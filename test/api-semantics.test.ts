/**
 * End-to-end: API semantics kubectl and client libraries rely on — paging,
 * dry run, generateName, optimistic concurrency, finalizers,
 * deletecollection, the default IngressClass, watch resume and 410 after
 * compaction, and a Table for every served kind. Loopback API only; the
 * server compacts every second here (--etcd-compaction-interval 1).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { curlApi, removeDir, startCluster, type Cluster } from './harness.ts';

const CM = '/api/v1/namespaces/default/configmaps';

describe('API semantics', () => {
  let c: Cluster;
  before(async () => {
    c = await startCluster({ args: ['--etcd-compaction-interval', '1'] });
  });
  after(async () => {
    await c?.stop();
    if (c) removeDir(c.dataDir);
  });

  it('pages lists with limit and continue at one revision', () => {
    for (let i = 0; i < 5; i++) c.kubectl(['create', 'configmap', `page-${i}`]);
    const first = JSON.parse(curlApi(c, `${CM}?limit=2`).body);
    assert.equal(first.items.length, 2);
    assert.ok(first.metadata.continue);
    const second = JSON.parse(curlApi(c, `${CM}?limit=2&continue=${encodeURIComponent(first.metadata.continue)}`).body);
    assert.equal(second.items.length, 2);
    assert.equal(second.metadata.resourceVersion, first.metadata.resourceVersion, 'every page is read at the first page\'s revision');
    assert.notEqual(second.items[0].metadata.name, first.items[1].metadata.name);
    const names = c.kubectl(['get', 'cm', '--chunk-size=1', '-o', 'name']).stdout.split('\n').filter((l) => l.startsWith('configmap/page-'));
    assert.equal(names.length, 5);
    const sel = JSON.parse(curlApi(c, `${CM}?fieldSelector=metadata.name%3Dpage-3`).body);
    assert.deepEqual(sel.items.map((i: any) => i.metadata.name), ['page-3']);
    assert.equal(curlApi(c, `${CM}?fieldSelector=spec.nonsense%3Dx`).status, 400);
  });

  it('dry-runs without writing', () => {
    assert.match(c.kubectl(['create', 'configmap', 'dry', '--dry-run=server']).stdout, /configmap\/dry created \(server dry run\)/);
    assert.match(c.kubectl(['get', 'cm', 'dry'], { allowFail: true }).stderr, /not found/);
    c.kubectl(['create', 'service', 'clusterip', 'dry-svc', '--tcp=80:80', '--dry-run=server']);
    assert.match(c.kubectl(['get', 'svc', 'dry-svc'], { allowFail: true }).stderr, /not found/);
  });

  it('generates names', () => {
    const out = c.kubectl(['create', '-f', '-', '-o', 'name'], { input: 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  generateName: gen-\n' }).stdout.trim();
    assert.match(out, /^configmap\/gen-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
  });

  it('refuses a stale resourceVersion with 409 Conflict', () => {
    const cm = JSON.parse(c.kubectl(['get', 'cm', 'page-0', '-o', 'json']).stdout);
    c.kubectl(['label', 'cm', 'page-0', 'moved=yes']);
    const r = curlApi(c, `${CM}/page-0`, { method: 'PUT', type: 'application/json', body: JSON.stringify(cm) });
    assert.equal(r.status, 409);
    const st = JSON.parse(r.body);
    assert.equal(st.reason, 'Conflict');
    assert.equal(st.message, 'Operation cannot be fulfilled on configmaps "page-0": the object has been modified; please apply your changes to the latest version and try again');
  });

  it('keeps an object with finalizers until the last one goes', () => {
    c.kubectl(['apply', '-f', '-'], { input: 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: held\n  finalizers: ["example.com/hold"]\n' });
    c.kubectl(['delete', 'cm', 'held', '--wait=false']);
    const held = JSON.parse(c.kubectl(['get', 'cm', 'held', '-o', 'json']).stdout);
    assert.ok(held.metadata.deletionTimestamp);
    c.kubectl(['patch', 'cm', 'held', '--type', 'merge', '-p', '{"metadata":{"finalizers":null}}']);
    assert.match(c.kubectl(['get', 'cm', 'held'], { allowFail: true }).stderr, /not found/);
  });

  it('deletes a collection by label', () => {
    c.kubectl(['label', 'cm', 'page-1', 'page-2', 'sweep=yes']);
    const r = curlApi(c, `${CM}?labelSelector=sweep%3Dyes`, { method: 'DELETE' });
    assert.equal(r.status, 200);
    assert.equal(JSON.parse(r.body).items.length, 2);
    assert.deepEqual(c.kubectl(['get', 'cm', '-l', 'sweep=yes', '-o', 'name']).stdout.trim(), '');
  });

  it('fills ingressClassName from the default IngressClass', () => {
    const ing = (name: string) =>
      `apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata:\n  name: ${name}\nspec:\n  rules:\n  - http:\n      paths:\n      - path: /testpath\n        pathType: Prefix\n        backend:\n          service:\n            name: my-nginx\n            port:\n              number: 80\n`;
    c.kubectl(['apply', '-f', '-'], { input: ing('before-default') });
    assert.equal(c.kubectl(['get', 'ing', 'before-default', '-o', 'jsonpath={.spec.ingressClassName}']).stdout, '');
    c.kubectl(['apply', '-f', '-'], {
      input: 'apiVersion: networking.k8s.io/v1\nkind: IngressClass\nmetadata:\n  name: nginx\n  annotations:\n    ingressclass.kubernetes.io/is-default-class: "true"\nspec:\n  controller: k8s.io/ingress-nginx\n',
    });
    c.kubectl(['apply', '-f', '-'], { input: ing('minimal-ingress') });
    assert.equal(c.kubectl(['get', 'ing', 'minimal-ingress', '-o', 'jsonpath={.spec.ingressClassName}']).stdout, 'nginx');
    assert.match(c.kubectl(['get', 'ing', 'minimal-ingress']).stdout, /^minimal-ingress\s+nginx\s+\*\s+80\s+\d+s$/m);
  });

  it('resumes a watch from a resourceVersion, and answers 410 once it is compacted', async () => {
    const rv = JSON.parse(curlApi(c, CM).body).metadata.resourceVersion;
    c.kubectl(['create', 'configmap', 'after-rv']);
    const resumed = curlApi(c, `${CM}?watch=true&resourceVersion=${rv}&timeoutSeconds=1`).body;
    const events = resumed.split('\n').filter(Boolean).map((l) => JSON.parse(l));
    assert.deepEqual(events.map((e) => `${e.type} ${e.object.metadata.name}`), ['ADDED after-rv'], 'only what came after the resourceVersion');
    assert.ok(Number(events[0].object.metadata.resourceVersion) > Number(rv));
    // The compactor runs every second and compacts what is older than one interval.
    let body = '';
    for (let i = 0; i < 50 && !body.includes('"code":410'); i++) {
      c.kubectl(['annotate', 'cm', 'after-rv', `tick=${i}`, '--overwrite']);
      await new Promise((r) => setTimeout(r, 200));
      body = curlApi(c, `${CM}?watch=true&resourceVersion=1&timeoutSeconds=1`).body;
    }
    const ev = JSON.parse(body.split('\n')[0]);
    assert.equal(ev.type, 'ERROR');
    assert.equal(ev.object.reason, 'Expired');
    assert.match(ev.object.message, /^too old resource version: 1 \(\d+\)$/);
  });

  it('prints a Table with upstream headers for every served kind', () => {
    const headers: Record<string, RegExp> = {
      configmaps: /^NAME\s+DATA\s+AGE$/,
      secrets: /^NAME\s+TYPE\s+DATA\s+AGE$/,
      serviceaccounts: /^NAME\s+SECRETS\s+AGE$/,
      endpoints: /^NAME\s+ENDPOINTS\s+AGE$/,
      endpointslices: /^NAME\s+ADDRESSTYPE\s+PORTS\s+ENDPOINTS\s+AGE$/,
      ingressclasses: /^NAME\s+CONTROLLER\s+PARAMETERS\s+AGE$/,
      ingresses: /^NAME\s+CLASS\s+HOSTS\s+ADDRESS\s+PORTS\s+AGE$/,
      namespaces: /^NAME\s+STATUS\s+AGE$/,
      deployments: /^NAME\s+READY\s+UP-TO-DATE\s+AVAILABLE\s+AGE$/,
    };
    c.kubectl(['create', 'secret', 'generic', 's1', '--from-literal=a=b']);
    c.kubectl(['create', 'deployment', 'd1', '--image=nginx']);
    for (const [kind, re] of Object.entries(headers)) {
      const out = c.kubectl(['get', kind, '-A']).stdout.split('\n')[0].replace(/^NAMESPACE\s+/, '');
      assert.match(out, re, kind);
    }
  });
});
