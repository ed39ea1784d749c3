/**
 * End-to-end: /openapi/v2 as gnostic protobuf, which the real kubectl
 * downloads for client-side validation (`apply`/`create` of a `kind: List`,
 * whose field-validation check has no OpenAPI v3 answer) and for
 * `explain --output=plaintext-openapiv2`. Address plan: API on
 * 127.0.0.1:<random>, services 10.96.0.0/12; no pods run, nothing leaves
 * the API port. kubectl's cache dir is inside the cluster's data dir, so no
 * earlier run's discovery or HTTP cache answers for the server.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:https';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { removeDir, startCluster, type Cluster } from './harness.ts';
import { V2_PROTO_ACCEPT, V2_PROTO_MEDIA_TYPE, gnosticRoot, openapiV2Proto } from '../src/api/openapi/v2-proto.ts';

const list = (items: string) => `apiVersion: v1
kind: List
items:
${items}`;

const configMapAndService = list(`- apiVersion: v1
  kind: ConfigMap
  metadata:
    name: list-cm
  data:
    a: b
- apiVersion: v1
  kind: Service
  metadata:
    name: list-svc
  spec:
    selector:
      app: list
    ports:
    - port: 80
      targetPort: 8080
`);

function get(c: Cluster, path: string, headers: Record<string, string>): Promise<{ status: number; headers: Record<string, unknown>; body: Buffer }> {
  const url = new URL(path, c.server);
  return new Promise((resolve, reject) => {
    const req = request(url, { ca: readFileSync(join(c.dataDir, 'tls/ca.crt')), headers: { Authorization: `Bearer ${c.token}`, ...headers } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (d: Buffer) => chunks.push(d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

describe('OpenAPI v2 protobuf with kubectl', () => {
  let c: Cluster;
  let env: Record<string, string>;
  before(async () => {
    c = await startCluster();
    env = { KUBECACHEDIR: join(c.dataDir, 'kubectl-cache') };
  });
  after(async () => {
    await c?.stop();
    if (c) removeDir(c.dataDir);
  });

  it('kubectl apply of a List validates against v2 and creates every item', () => {
    const r = c.kubectl(['apply', '-f', '-'], { input: configMapAndService, env });
    assert.match(r.stdout, /^configmap\/list-cm created$/m);
    assert.match(r.stdout, /^service\/list-svc created$/m);
    assert.equal(c.kubectl(['get', 'configmap', 'list-cm', '-o', 'jsonpath={.data.a}'], { env }).stdout, 'b');
    assert.equal(c.kubectl(['get', 'service', 'list-svc', '-o', 'jsonpath={.spec.ports[0].targetPort}'], { env }).stdout, '8080');
    // Applying the same List again goes through the same validation and patches nothing.
    const again = c.kubectl(['apply', '-f', '-'], { input: configMapAndService, env });
    assert.match(again.stdout, /^configmap\/list-cm unchanged$/m);
  });

  it('kubectl apply --validate=strict of a List reports an unknown field in an item, from the v2 schema', () => {
    const bad = list(`- apiVersion: v1
  kind: ConfigMap
  metadata:
    name: bad-cm
  bogusField: 1
  data:
    a: b
`);
    const r = c.kubectl(['apply', '--validate=strict', '-f', '-'], { input: bad, env, allowFail: true });
    assert.notEqual(r.status, 0);
    // Client-side validation's wording (kube-openapi's ValidateModel), not the server's strict decoding.
    assert.match(r.stderr, /ValidationError\(ConfigMap\): unknown field "bogusField" in io\.k8s\.api\.core\.v1\.ConfigMap/);
    assert.doesNotMatch(r.stderr, /failed to download openapi/);
    assert.notEqual(c.kubectl(['get', 'configmap', 'bad-cm'], { env, allowFail: true }).status, 0);
  });

  it('kubectl explain --output=plaintext-openapiv2 reads the v2 document', () => {
    const out = c.kubectl(['explain', '--output=plaintext-openapiv2', 'pods.spec'], { env }).stdout;
    assert.match(out, /^KIND:\s+Pod$/m);
    assert.match(out, /^RESOURCE: spec <Object>$/m);
    assert.match(out, /^\s+containers\t<\[\]Object> -required-$/m);
    assert.match(out, /^\s+restartPolicy\t<string>$/m);
  });

  it('kubectl create -f of a List creates every item', () => {
    const items = list(`- apiVersion: v1
  kind: ConfigMap
  metadata:
    name: created-cm
  data:
    k: v
- apiVersion: v1
  kind: Secret
  metadata:
    name: created-secret
  stringData:
    password: hunter2
`);
    const r = c.kubectl(['create', '-f', '-'], { input: items, env });
    assert.match(r.stdout, /^configmap\/created-cm created$/m);
    assert.match(r.stdout, /^secret\/created-secret created$/m);
    assert.equal(c.kubectl(['get', 'secret', 'created-secret', '-o', 'jsonpath={.data.password}'], { env }).stdout, Buffer.from('hunter2').toString('base64'));
  });

  it('serves protobuf, JSON, 304 and 406 by Accept with one ETag, as kube-openapi does', async () => {
    const pb = await get(c, '/openapi/v2', { Accept: V2_PROTO_ACCEPT });
    assert.equal(pb.status, 200);
    assert.equal(pb.headers['content-type'], V2_PROTO_MEDIA_TYPE);
    assert.equal(pb.headers.vary, 'Accept');
    assert.equal(Buffer.compare(pb.body, openapiV2Proto().bytes), 0, 'the served bytes are the encoded document');
    const Document = gnosticRoot.lookupType('openapi.v2.Document');
    assert.equal((Document.toObject(Document.decode(pb.body)) as { swagger: string }).swagger, '2.0');

    const json = await get(c, '/openapi/v2', { Accept: 'application/json' });
    assert.equal(json.status, 200);
    assert.equal(json.headers['content-type'], 'application/json');
    assert.equal(JSON.parse(json.body.toString()).swagger, '2.0');
    assert.match(String(pb.headers.etag), /^"[0-9A-F]{128}"$/);
    assert.equal(json.headers.etag, pb.headers.etag);

    const cached = await get(c, '/openapi/v2', { Accept: V2_PROTO_ACCEPT, 'If-None-Match': String(pb.headers.etag) });
    assert.equal(cached.status, 304);
    assert.equal(cached.body.length, 0);
    assert.equal((await get(c, '/openapi/v2', { Accept: 'text/html' })).status, 406);
    assert.equal((await get(c, '/openapi/v2', {})).headers['content-type'], 'application/json');
  });
});
