/**
 * End-to-end: the control-plane parts of S1 with the real kubectl against a
 * real `nanokube server` (loopback API only; no pods run, no traffic leaves
 * the API port). Address plan: API on 127.0.0.1:<random>, services
 * 10.96.0.0/12 (10.96.0.1 = kubernetes), nothing else.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { writeFileSync, chmodSync } from 'node:fs';
import { join } from 'node:path';
import { removeDir, startCluster, type Cluster, waitFor } from './harness.ts';

const deployment = (extra = '') => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: my-nginx
  labels:
    app: my-nginx${extra}
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

describe('kubectl against nanokube (control plane)', () => {
  let c: Cluster;
  before(async () => {
    c = await startCluster();
  });
  after(async () => {
    await c?.stop();
    if (c) removeDir(c.dataDir);
  });

  it('serves version, discovery and the built-in objects', () => {
    const v = JSON.parse(c.kubectl(['version', '-o', 'json']).stdout);
    assert.equal(v.serverVersion.major, '1');
    const res = c.kubectl(['api-resources', '--no-headers']).stdout;
    assert.match(res, /^pods\s+po\s+v1\s+true\s+Pod$/m);
    assert.match(res, /^deployments\s+deploy\s+apps\/v1\s+true\s+Deployment$/m);
    assert.match(res, /^ingresses\s+ing\s+networking\.k8s\.io\/v1\s+true\s+Ingress$/m);
    const ns = c.kubectl(['get', 'ns', '-o', 'name']).stdout.split('\n').filter(Boolean).sort();
    assert.deepEqual(ns, ['namespace/default', 'namespace/kube-node-lease', 'namespace/kube-public', 'namespace/kube-system']);
    const svc = c.kubectl(['get', 'svc', 'kubernetes']).stdout;
    assert.match(svc, /^NAME\s+TYPE\s+CLUSTER-IP\s+EXTERNAL-IP\s+PORT\(S\)\s+AGE$/m);
    assert.match(svc, /^kubernetes\s+ClusterIP\s+10\.96\.0\.1\s+<none>\s+443\/TCP\s+\d+s$/m);
    assert.match(c.kubectl(['get', 'sa', '-n', 'kube-system', 'default', '-o', 'name']).stdout, /serviceaccount\/default/);
  });

  it('applies a Deployment, then reports unchanged, then drops removed fields', () => {
    assert.match(c.kubectl(['apply', '-f', '-'], { input: deployment('\n    tier: web') }).stdout, /deployment.apps\/my-nginx created/);
    assert.match(c.kubectl(['apply', '-f', '-'], { input: deployment('\n    tier: web') }).stdout, /deployment.apps\/my-nginx unchanged/);
    assert.match(c.kubectl(['apply', '-f', '-'], { input: deployment() }).stdout, /deployment.apps\/my-nginx configured/);
    const labels = JSON.parse(c.kubectl(['get', 'deploy', 'my-nginx', '-o', 'jsonpath={.metadata.labels}']).stdout);
    assert.deepEqual(labels, { app: 'my-nginx' });
    const d = JSON.parse(c.kubectl(['get', 'deploy', 'my-nginx', '-o', 'json']).stdout);
    assert.equal(d.spec.strategy.type, 'RollingUpdate');
    assert.equal(d.spec.template.spec.containers[0].ports[0].protocol, 'TCP');
    assert.equal(d.metadata.generation, 1, 'metadata-only changes do not bump generation');
  });

  it('exposes the Deployment as a ClusterIP Service printed like upstream', () => {
    assert.match(c.kubectl(['expose', 'deployment', 'my-nginx']).stdout, /service\/my-nginx exposed/);
    const out = c.kubectl(['get', 'svc', 'my-nginx']).stdout;
    assert.match(out, /^my-nginx\s+ClusterIP\s+10\.(9[6-9]|10[0-9]|11[01])\.\d+\.\d+\s+<none>\s+80\/TCP\s+\d+s$/m);
    const wide = c.kubectl(['get', 'svc', 'my-nginx', '-o', 'wide']).stdout;
    assert.match(wide, /SELECTOR/);
    assert.match(wide, /run=my-nginx/);
    const all = c.kubectl(['get', 'svc', '-A']).stdout;
    assert.match(all, /^default\s+kubernetes\s+ClusterIP\s+10\.96\.0\.1\s/m);
  });

  it('prints -o yaml, json, name and jsonpath', () => {
    assert.match(c.kubectl(['get', 'deploy', 'my-nginx', '-o', 'yaml']).stdout, /^kind: Deployment$/m);
    assert.equal(c.kubectl(['get', 'deploy', '-o', 'name']).stdout.trim(), 'deployment.apps/my-nginx');
    assert.equal(c.kubectl(['get', 'svc', 'my-nginx', '-o', 'jsonpath={.spec.ports[0].targetPort}']).stdout, '80');
    const list = JSON.parse(c.kubectl(['get', 'svc', '-o', 'json']).stdout);
    assert.equal(list.kind, 'List');
    assert.ok(list.items.some((s: any) => s.metadata.name === 'my-nginx'));
  });

  it('describes a Service with its selector, IP and ports', () => {
    const out = c.kubectl(['describe', 'service', 'my-nginx']).stdout;
    assert.match(out, /^Name:\s+my-nginx$/m);
    assert.match(out, /^Selector:\s+run=my-nginx$/m);
    assert.match(out, /^Type:\s+ClusterIP$/m);
    assert.match(out, /^Port:\s+<unset>\s+80\/TCP$/m);
    assert.match(out, /^TargetPort:\s+80\/TCP$/m);
  });

  it('labels, annotates, patches and scales', () => {
    c.kubectl(['label', 'deploy', 'my-nginx', 'env=dev']);
    c.kubectl(['annotate', 'deploy', 'my-nginx', 'note=hello']);
    c.kubectl(['patch', 'deploy', 'my-nginx', '-p', '{"spec":{"template":{"spec":{"containers":[{"name":"my-nginx","image":"nginx:1.27"}]}}}}']);
    c.kubectl(['patch', 'deploy', 'my-nginx', '--type', 'merge', '-p', '{"metadata":{"labels":{"merged":"yes"}}}']);
    c.kubectl(['patch', 'deploy', 'my-nginx', '--type', 'json', '-p', '[{"op":"add","path":"/metadata/labels/json","value":"yes"}]']);
    c.kubectl(['scale', 'deploy', 'my-nginx', '--replicas=3']);
    const d = JSON.parse(c.kubectl(['get', 'deploy', 'my-nginx', '-o', 'json']).stdout);
    assert.equal(d.metadata.labels.env, 'dev');
    assert.equal(d.metadata.labels.merged, 'yes');
    assert.equal(d.metadata.labels.json, 'yes');
    assert.equal(d.metadata.annotations.note, 'hello');
    assert.equal(d.spec.template.spec.containers[0].image, 'nginx:1.27');
    assert.equal(d.spec.template.spec.containers[0].ports[0].containerPort, 80, 'strategic merge keeps the other container fields');
    assert.equal(d.spec.replicas, 3);
    c.kubectl(['label', 'deploy', 'my-nginx', 'env-']);
    assert.equal(JSON.parse(c.kubectl(['get', 'deploy', 'my-nginx', '-o', 'json']).stdout).metadata.labels.env, undefined);
  });

  it('edits through $EDITOR', () => {
    const editor = join(c.dataDir, 'editor.sh');
    writeFileSync(editor, `#!/bin/sh\nsed -i 's/^  replicas: 3$/  replicas: 4/' "$1"\n`);
    chmodSync(editor, 0o755);
    assert.match(c.kubectl(['edit', 'deploy', 'my-nginx'], { env: { EDITOR: editor, KUBE_EDITOR: editor } }).stdout, /edited/);
    assert.equal(c.kubectl(['get', 'deploy', 'my-nginx', '-o', 'jsonpath={.spec.replicas}']).stdout, '4');
  });

  it('applies server-side, and reports a conflict with another manager', () => {
    const cm = (v: string) => `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ssa\ndata:\n  key: "${v}"\n`;
    assert.match(c.kubectl(['apply', '--server-side', '-f', '-'], { input: cm('one') }).stdout, /configmap\/ssa serverside-applied/);
    const mf = JSON.parse(c.kubectl(['get', 'cm', 'ssa', '-o', 'json', '--show-managed-fields']).stdout).metadata.managedFields;
    assert.equal(mf[0].manager, 'kubectl');
    assert.equal(mf[0].operation, 'Apply');
    const r = c.kubectl(['apply', '--server-side', '--field-manager', 'other', '-f', '-'], { input: cm('two'), allowFail: true });
    assert.notEqual(r.status, 0);
    assert.match(r.stderr, /conflict/i);
    assert.match(c.kubectl(['apply', '--server-side', '--force-conflicts', '--field-manager', 'other', '-f', '-'], { input: cm('two') }).stdout, /serverside-applied/);
    assert.equal(c.kubectl(['get', 'cm', 'ssa', '-o', 'jsonpath={.data.key}']).stdout, 'two');
  });

  it('explains fields from the OpenAPI documents', () => {
    const out = c.kubectl(['explain', 'pods.spec.containers.ports']).stdout;
    assert.match(out, /KIND:\s+Pod/);
    assert.match(out, /containerPort\s+<integer> -required-/);
  });

  it('watches with get -w', async () => {
    const proc = spawn('kubectl', ['get', 'configmaps', '-w', '--output-watch-events'], { env: { ...process.env, KUBECONFIG: c.kubeconfig } });
    let out = '';
    proc.stdout.on('data', (d) => (out += d));
    try {
      await waitFor(() => out.includes('ssa'));
      c.kubectl(['create', 'configmap', 'watched', '--from-literal=a=b']);
      await waitFor(() => /ADDED\s+watched/.test(out));
      c.kubectl(['delete', 'configmap', 'watched']);
      await waitFor(() => /DELETED\s+watched/.test(out));
    } finally {
      proc.kill();
    }
  });

  it('switches the current namespace with set-context', () => {
    c.kubectl(['create', 'namespace', 'ctx-test']);
    c.kubectl(['create', 'configmap', 'only-here', '-n', 'ctx-test']);
    c.kubectl(['config', 'set-context', '--current', '--namespace=ctx-test']);
    try {
      assert.match(c.kubectl(['get', 'configmaps']).stdout, /only-here/);
    } finally {
      c.kubectl(['config', 'set-context', '--current', '--namespace=default']);
    }
    assert.doesNotMatch(c.kubectl(['get', 'configmaps']).stdout, /only-here/);
  });

  it('deletes what it names', () => {
    assert.match(c.kubectl(['delete', 'svc', 'my-nginx']).stdout, /service "my-nginx" deleted/);
    assert.match(c.kubectl(['delete', 'deploy', 'my-nginx']).stdout, /deployment.apps "my-nginx" deleted/);
    const r = c.kubectl(['get', 'deploy', 'my-nginx'], { allowFail: true });
    assert.match(r.stderr, /deployments.apps "my-nginx" not found/);
    assert.match(c.kubectl(['delete', 'namespace', 'ctx-test']).stdout, /namespace "ctx-test" deleted/);
    assert.match(c.kubectl(['get', 'ns', 'ctx-test'], { allowFail: true }).stderr, /not found/);
  });
});
