/**
 * End-to-end: bad input gets upstream's kind of error, nothing is
 * half-written, and the server keeps serving. Loopback API only.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { curlApi, removeDir, startCluster, type Cluster } from './harness.ts';

const CM = '/api/v1/namespaces/default/configmaps';
const SVC = '/api/v1/namespaces/default/services';

describe('bad input', () => {
  let c: Cluster;
  before(async () => {
    c = await startCluster();
  });
  after(async () => {
    await c?.stop();
    if (c) removeDir(c.dataDir);
  });

  const status = (body: string) => JSON.parse(body) as { kind: string; reason: string; code: number; message: string };

  it('malformed JSON and YAML are 400 BadRequest', () => {
    let r = curlApi(c, CM, { method: 'POST', type: 'application/json', body: '{"apiVersion": "v1", "kind": ' });
    assert.equal(r.status, 400);
    assert.equal(status(r.body).reason, 'BadRequest');
    r = curlApi(c, CM, { method: 'POST', type: 'application/yaml', body: 'apiVersion: v1\nkind: ConfigMap\nmetadata: [unclosed\n' });
    assert.equal(r.status, 400);
    assert.match(status(r.body).message, /yaml/);
  });

  it('unknown fields: strict errors, default warns and drops', () => {
    const body = JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'unk' }, data: {}, bogus: 1 });
    let r = curlApi(c, `${CM}?fieldValidation=Strict`, { method: 'POST', type: 'application/json', body });
    assert.equal(r.status, 400);
    assert.equal(status(r.body).message, 'ConfigMap in version "v1" cannot be handled as a ConfigMap: strict decoding error: unknown field "bogus"');
    r = curlApi(c, CM, { method: 'POST', type: 'application/json', body });
    assert.equal(r.status, 201);
    assert.equal(JSON.parse(r.body).bogus, undefined);
    const k = c.kubectl(['apply', '-f', '-'], { input: 'apiVersion: v1\nkind: Service\nmetadata:\n  name: s\nspec:\n  portz: []\n', allowFail: true });
    assert.notEqual(k.status, 0);
    assert.match(k.stderr, /unknown field "spec.portz"/);
  });

  it('wrong types are 400 with the decoder text', () => {
    const r = curlApi(c, SVC, {
      method: 'POST',
      type: 'application/json',
      body: JSON.stringify({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'wt' }, spec: { ports: [{ port: 'eighty' }] } }),
    });
    assert.equal(r.status, 400);
    assert.match(status(r.body).message, /^Service in version "v1" cannot be handled as a Service: json: cannot unmarshal string into Go struct field ServicePort.spec.ports.port of type int32/);
  });

  it('invalid names, ports out of range and duplicate ports are 422 Invalid', () => {
    let k = c.kubectl(['create', 'configmap', 'Bad_Name'], { allowFail: true });
    assert.match(k.stderr, /ConfigMap "Bad_Name" is invalid: metadata.name: Invalid value: "Bad_Name": a lowercase RFC 1123 subdomain must consist of/);
    k = c.kubectl(['apply', '-f', '-'], { input: 'apiVersion: v1\nkind: Service\nmetadata:\n  name: big\nspec:\n  ports:\n  - port: 70000\n', allowFail: true });
    assert.match(k.stderr, /The Service "big" is invalid: \n\* spec.ports\[0\].port: Invalid value: 70000: must be between 1 and 65535, inclusive\n/);
    k = c.kubectl(['apply', '-f', '-'], {
      input: 'apiVersion: v1\nkind: Service\nmetadata:\n  name: dup\nspec:\n  ports:\n  - name: a\n    port: 80\n  - name: b\n    port: 80\n',
      allowFail: true,
    });
    assert.match(k.stderr, /The Service "dup" is invalid: spec.ports\[1\]: Duplicate value:/);
    for (const n of ['Bad_Name', 'big', 'dup']) assert.match(c.kubectl(['get', n.startsWith('B') ? 'cm' : 'svc', n], { allowFail: true }).stderr, /not found/);
  });

  it('oversize bodies are 413', () => {
    const big = JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'big' }, data: { a: 'x'.repeat(4 * 1024 * 1024) } });
    const r = curlApi(c, CM, { method: 'POST', type: 'application/json', body: big });
    assert.equal(r.status, 413);
    assert.equal(status(r.body).reason, 'RequestEntityTooLarge');
  });

  it('bad patch documents are rejected and leave the object as it was', () => {
    c.kubectl(['create', 'configmap', 'patchme', '--from-literal=a=1']);
    const before = c.kubectl(['get', 'cm', 'patchme', '-o', 'json']).stdout;
    let k = c.kubectl(['patch', 'cm', 'patchme', '--type', 'json', '-p', '[{"op":"frobnicate","path":"/data/a"}]'], { allowFail: true });
    assert.notEqual(k.status, 0);
    k = c.kubectl(['patch', 'cm', 'patchme', '--type', 'json', '-p', '[{"op":"replace","path":"/data/missing/deep","value":"x"}]'], { allowFail: true });
    assert.notEqual(k.status, 0);
    let r = curlApi(c, `${CM}/patchme`, { method: 'PATCH', type: 'application/merge-patch+json', body: '{not json' });
    assert.equal(r.status, 400);
    r = curlApi(c, `${CM}/patchme`, { method: 'PATCH', type: 'text/plain', body: '{}' });
    assert.equal(r.status, 415);
    assert.equal(c.kubectl(['get', 'cm', 'patchme', '-o', 'json']).stdout, before);
  });

  it('unknown resources and versions are 404', () => {
    const k = c.kubectl(['get', 'frobnicators'], { allowFail: true });
    assert.match(k.stderr, /the server doesn't have a resource type "frobnicators"/);
    let r = curlApi(c, '/apis/apps/v9/namespaces/default/deployments');
    assert.equal(r.status, 404);
    r = curlApi(c, '/api/v1/namespaces/default/frobnicators');
    assert.equal(r.status, 404);
    assert.equal(status(r.body).reason, 'NotFound');
  });

  it('refuses anonymous requests except health and version', () => {
    const anon = (path: string) => {
      const r = curlApi({ ...c, token: '' }, path);
      return r.status;
    };
    assert.equal(anon('/api/v1/namespaces'), 401);
    assert.equal(anon('/healthz'), 200);
    assert.equal(anon('/readyz'), 200);
    assert.equal(anon('/version'), 200);
  });

  it('still serves after all of that', () => {
    assert.match(c.kubectl(['get', 'ns', 'default']).stdout, /default\s+Active/);
  });
});
