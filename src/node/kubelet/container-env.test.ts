import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { KubeObject } from '../../api/meta.ts';
import { ContainerConfigError, envFromVars, fetchEnvSources, fieldRefValue, formatMap, resourceFieldValue, valueFromResolver, type EnvSources } from './container-env.ts';

// Plan: pod "web" (uid u-1) in "shop" on node n1 (host 172.30.0.10), pod IP 10.244.0.7; ConfigMap "cfg", Secret "sec".
const pod: KubeObject = {
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'web', namespace: 'shop', uid: 'u-1', labels: { tier: 'front', app: 'web' }, annotations: { note: 'say "hi"' } },
  spec: { nodeName: 'n1', serviceAccountName: 'default' },
};
const facts = { podIP: '10.244.0.7', hostIP: '172.30.0.10', cpus: 4, memoryBytes: 8 * 1024 ** 3 };
const cm = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cfg', namespace: 'shop' }, data: { color: 'blue', 'bad key': 'x' } } as KubeObject;
const secret = { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'sec', namespace: 'shop' }, data: { token: Buffer.from('s3cret').toString('base64') } } as KubeObject;
const sources: EnvSources = { configMaps: new Map([['cfg', cm], ['gone', null]]), secrets: new Map([['sec', secret]]) };

test('fieldRef paths of the downward API', () => {
  assert.equal(fieldRefValue(pod, 'metadata.name', facts), 'web');
  assert.equal(fieldRefValue(pod, 'metadata.namespace', facts), 'shop');
  assert.equal(fieldRefValue(pod, 'metadata.uid', facts), 'u-1');
  assert.equal(fieldRefValue(pod, 'metadata.labels', facts), 'app="web"\ntier="front"');
  assert.equal(fieldRefValue(pod, "metadata.labels['tier']", facts), 'front');
  assert.equal(fieldRefValue(pod, 'metadata.annotations', facts), 'note="say \\"hi\\""');
  assert.equal(fieldRefValue(pod, 'spec.nodeName', facts), 'n1');
  assert.equal(fieldRefValue(pod, 'spec.serviceAccountName', facts), 'default');
  assert.equal(fieldRefValue(pod, 'status.podIP', facts), '10.244.0.7');
  assert.equal(fieldRefValue(pod, 'status.hostIP', facts), '172.30.0.10');
  assert.throws(() => fieldRefValue(pod, 'spec.nope', facts), ContainerConfigError);
  assert.equal(formatMap(undefined), '');
});

test('resourceFieldRef: limits default to the node, divisors round up', () => {
  const c = { name: 'app', resources: { limits: { memory: '128Mi' }, requests: { cpu: '250m' } } };
  assert.equal(resourceFieldValue(c, { resource: 'limits.cpu' }, facts), '4');
  assert.equal(resourceFieldValue(c, { resource: 'requests.cpu' }, facts), '1');
  assert.equal(resourceFieldValue(c, { resource: 'requests.cpu', divisor: '1m' }, facts), '250');
  assert.equal(resourceFieldValue(c, { resource: 'limits.memory', divisor: '1Mi' }, facts), '128');
  assert.equal(resourceFieldValue({ name: 'x' }, { resource: 'limits.memory' }, facts), String(8 * 1024 ** 3));
});

test('configMapKeyRef and secretKeyRef with the kubelet texts; optional refs give nothing', () => {
  const c = { name: 'app' };
  const r = valueFromResolver(pod, c, sources, facts);
  assert.equal(r({ name: 'A', valueFrom: { configMapKeyRef: { name: 'cfg', key: 'color' } } }), 'blue');
  assert.equal(r({ name: 'B', valueFrom: { secretKeyRef: { name: 'sec', key: 'token' } } }), 's3cret');
  assert.throws(() => r({ name: 'C', valueFrom: { configMapKeyRef: { name: 'cfg', key: 'nope' } } }), { message: "couldn't find key nope in ConfigMap shop/cfg" });
  assert.throws(() => r({ name: 'D', valueFrom: { configMapKeyRef: { name: 'gone', key: 'k' } } }), { message: 'configmap "gone" not found', reason: 'CreateContainerConfigError' });
  assert.throws(() => r({ name: 'E', valueFrom: { secretKeyRef: { name: 'sec', key: 'nope' } } }), { message: "couldn't find key nope in Secret shop/sec" });
  assert.equal(r({ name: 'F', valueFrom: { configMapKeyRef: { name: 'gone', key: 'k', optional: true } } }), undefined);
});

test('envFrom applies the prefix, skips invalid names, and fails on a missing non-optional source', () => {
  assert.deepEqual(envFromVars({ name: 'app', envFrom: [{ prefix: 'C_', configMapRef: { name: 'cfg' } }, { secretRef: { name: 'sec' } }] }, 'shop', sources), [
    { name: 'C_color', value: 'blue' },
    { name: 'token', value: 's3cret' },
  ]);
  assert.throws(() => envFromVars({ name: 'app', envFrom: [{ configMapRef: { name: 'gone' } }] }, 'shop', sources), { message: 'configmap "gone" not found' });
  assert.deepEqual(envFromVars({ name: 'app', envFrom: [{ configMapRef: { name: 'gone', optional: true } }] }, 'shop', sources), []);
});

test('fetchEnvSources gets each referenced object once', async () => {
  const asked: string[] = [];
  const got = await fetchEnvSources(
    { name: 'app', env: [{ name: 'A', valueFrom: { configMapKeyRef: { name: 'cfg', key: 'color' } } }, { name: 'B', valueFrom: { configMapKeyRef: { name: 'cfg', key: 'x' } } }], envFrom: [{ secretRef: { name: 'missing' } }] },
    async (kind, name) => {
      asked.push(`${kind}/${name}`);
      return name === 'cfg' ? cm : undefined;
    },
  );
  assert.deepEqual(asked.sort(), ['ConfigMap/cfg', 'Secret/missing']);
  assert.equal(got.configMaps.get('cfg'), cm);
  assert.equal(got.secrets.get('missing'), null);
});
