import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { GVK, KubeObject } from '../meta.ts';
import { applyDefaults } from './index.ts';

const gvk = (group: string, kind: string): GVK => ({ group, version: 'v1', kind });
const defaulted = (g: GVK, o: KubeObject): KubeObject => {
  const copy = structuredClone(o);
  applyDefaults(g, copy);
  return copy;
};

test('Deployment: replicas 1, RollingUpdate 25%/25%, history 10, deadline 600, template defaults', () => {
  const d = defaulted(gvk('apps', 'Deployment'), {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'my-nginx', namespace: 'default' },
    spec: { selector: { matchLabels: { run: 'my-nginx' } }, template: { metadata: { labels: { run: 'my-nginx' } }, spec: { containers: [{ name: 'my-nginx', image: 'nginx' }] } } },
  });
  assert.equal(d.spec.replicas, 1);
  assert.deepEqual(d.spec.strategy, { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '25%', maxSurge: '25%' } });
  assert.equal(d.spec.revisionHistoryLimit, 10);
  assert.equal(d.spec.progressDeadlineSeconds, 600);
  assert.equal(d.spec.template.spec.restartPolicy, 'Always');
  assert.equal(d.spec.template.spec.containers[0].imagePullPolicy, 'Always');
  const recreate = defaulted(gvk('apps', 'Deployment'), { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'r' }, spec: { strategy: { type: 'Recreate' } } });
  assert.deepEqual(recreate.spec.strategy, { type: 'Recreate' });
});

test('ReplicaSet: replicas 1', () => {
  const rs = defaulted(gvk('apps', 'ReplicaSet'), { apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { name: 'rs' }, spec: { template: { spec: { containers: [] } } } });
  assert.equal(rs.spec.replicas, 1);
  assert.equal(rs.spec.template.spec.schedulerName, 'default-scheduler');
});

test('ReplicationController: selector and labels from the template, replicas 1', () => {
  const rc = defaulted(gvk('', 'ReplicationController'), {
    apiVersion: 'v1',
    kind: 'ReplicationController',
    metadata: { name: 'busybox-ns', namespace: 'test' },
    spec: { template: { metadata: { labels: { app: 'busybox' } }, spec: { containers: [{ name: 'b', image: 'busybox', command: ['sleep', '3600'] }] } } },
  });
  assert.deepEqual(rc.spec.selector, { app: 'busybox' });
  assert.deepEqual(rc.metadata.labels, { app: 'busybox' });
  assert.equal(rc.spec.replicas, 1);
  const explicit = defaulted(gvk('', 'ReplicationController'), {
    apiVersion: 'v1',
    kind: 'ReplicationController',
    metadata: { name: 'x', labels: { team: 'a' } },
    spec: { replicas: 0, selector: { app: 'x' }, template: { metadata: { labels: { app: 'x', v: '1' } } } },
  });
  assert.deepEqual([explicit.spec.selector, explicit.metadata.labels, explicit.spec.replicas], [{ app: 'x' }, { team: 'a' }, 0]);
});

test('Namespace: name label, kubernetes finalizer on create only, phase Active', () => {
  // As the apiserver's prepareForCreate leaves it: uid and timestamp set, no resourceVersion.
  const ns = defaulted(gvk('', 'Namespace'), { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'test', uid: 'u', creationTimestamp: '2024-05-01T10:00:00Z' } });
  assert.deepEqual(ns.metadata.labels, { 'kubernetes.io/metadata.name': 'test' });
  assert.deepEqual(ns.spec, { finalizers: ['kubernetes'] });
  assert.deepEqual(ns.status, { phase: 'Active' });
  // The namespace controller removes the finalizer from a stored namespace; defaults must not put it back.
  const finalizing = defaulted(gvk('', 'Namespace'), {
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: { name: 'test', uid: 'u', resourceVersion: '9', creationTimestamp: '2024-05-01T10:00:00Z', deletionTimestamp: '2024-05-01T11:00:00Z' },
    spec: { finalizers: [] },
    status: { phase: 'Terminating' },
  });
  assert.deepEqual(finalizing.spec.finalizers, []);
  assert.equal(finalizing.status.phase, 'Terminating');
  const updated = defaulted(gvk('', 'Namespace'), { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'test', resourceVersion: '9' }, spec: { finalizers: [] } });
  assert.deepEqual(updated.spec.finalizers, []);
});

test('Secret: type Opaque; stringData merged into data', () => {
  const s = defaulted(gvk('', 'Secret'), { apiVersion: 'v1', kind: 'Secret', metadata: { name: 's' }, data: { a: 'YQ==' }, stringData: { b: 'bee' } });
  assert.equal(s.type, 'Opaque');
  assert.deepEqual(s.data, { a: 'YQ==', b: 'YmVl' });
  assert.equal('stringData' in s, false);
});

test('Endpoints and EndpointSlice ports default to TCP (and slices to an empty name)', () => {
  const ep = defaulted(gvk('', 'Endpoints'), { apiVersion: 'v1', kind: 'Endpoints', metadata: { name: 'e' }, subsets: [{ addresses: [{ ip: '10.244.1.7' }], ports: [{ port: 80 }] }] });
  assert.deepEqual(ep.subsets[0].ports, [{ port: 80, protocol: 'TCP' }]);
  const es = defaulted(gvk('discovery.k8s.io', 'EndpointSlice'), { apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice', metadata: { name: 'e' }, ports: [{ port: 80 }] });
  assert.deepEqual(es.ports, [{ port: 80, name: '', protocol: 'TCP' }]);
});

test('Node: allocatable defaults to capacity', () => {
  const n = defaulted(gvk('', 'Node'), { apiVersion: 'v1', kind: 'Node', metadata: { name: 'node-1' }, status: { capacity: { cpu: '4', memory: '8192Mi', pods: '110' } } });
  assert.deepEqual(n.status.allocatable, { cpu: '4', memory: '8Gi', pods: '110' });
});

test('LimitRange: container default from max, defaultRequest from default, then min', () => {
  const lr = defaulted(gvk('', 'LimitRange'), {
    apiVersion: 'v1',
    kind: 'LimitRange',
    metadata: { name: 'l' },
    spec: { limits: [{ type: 'Container', max: { cpu: '2' }, min: { memory: '64Mi' } }, { type: 'Pod', max: { cpu: '4' } }] },
  });
  assert.deepEqual(lr.spec.limits[0], { type: 'Container', max: { cpu: '2' }, min: { memory: '64Mi' }, default: { cpu: '2' }, defaultRequest: { cpu: '2', memory: '64Mi' } });
  assert.deepEqual(lr.spec.limits[1], { type: 'Pod', max: { cpu: '4' } });
});

test('ResourceQuota: quantities canonical', () => {
  const rq = defaulted(gvk('', 'ResourceQuota'), { apiVersion: 'v1', kind: 'ResourceQuota', metadata: { name: 'q' }, spec: { hard: { pods: 3, 'requests.memory': '1024Mi' } } });
  assert.deepEqual(rq.spec.hard, { pods: '3', 'requests.memory': '1Gi' });
});

test('IngressClass parameters scope Cluster; Ingress, ConfigMap, Lease untouched', () => {
  const ic = defaulted(gvk('networking.k8s.io', 'IngressClass'), {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'IngressClass',
    metadata: { name: 'nginx' },
    spec: { controller: 'k8s.io/ingress-nginx', parameters: { kind: 'P', name: 'p' } },
  });
  assert.equal(ic.spec.parameters.scope, 'Cluster');
  const ing: KubeObject = {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'Ingress',
    metadata: { name: 'i' },
    spec: { rules: [{ http: { paths: [{ path: '/', backend: { service: { name: 's', port: { number: 80 } } } }] } }] },
  };
  assert.deepEqual(defaulted(gvk('networking.k8s.io', 'Ingress'), ing), ing);
  const cm: KubeObject = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' } };
  assert.deepEqual(defaulted(gvk('', 'ConfigMap'), cm), cm);
});
