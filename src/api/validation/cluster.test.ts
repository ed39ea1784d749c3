import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { KubeObject } from '../meta.ts';
import { defaulted, kinds, stored, texts } from './fixtures.ts';
import { validateCreate, validateStatusUpdate, validateUpdate } from './index.ts';

const ns = (name: string): KubeObject => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
const node = (): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Node',
  metadata: { name: 'node-1', labels: { 'kubernetes.io/hostname': 'node-1' } },
  spec: { podCIDR: '10.244.1.0/24', podCIDRs: ['10.244.1.0/24'], taints: [{ key: 'node-role.kubernetes.io/control-plane', effect: 'NoSchedule' }] },
  status: { capacity: { cpu: '4', memory: '8Gi', pods: '110' }, addresses: [{ type: 'InternalIP', address: '192.168.56.11' }] },
});

test('namespaces: DNS-1123 labels', () => {
  assert.deepEqual(texts(validateCreate(kinds.namespace, defaulted(kinds.namespace, ns('test')))), []);
  assert.deepEqual(texts(validateCreate(kinds.namespace, defaulted(kinds.namespace, ns('my.team')))), ['metadata.name: Invalid value: "my.team": must not contain dots']);
  assert.deepEqual(texts(validateCreate(kinds.namespace, defaulted(kinds.namespace, ns('Test')))), [
    "metadata.name: Invalid value: \"Test\": a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')",
  ]);
  const bad = ns('test');
  bad.spec = { finalizers: ['cleanup'] };
  assert.deepEqual(texts(validateCreate(kinds.namespace, bad)), [
    'spec.finalizers: Invalid value: "cleanup": name is neither a standard finalizer name nor is it fully qualified',
  ]);
});

test('namespaces: name immutable; phase follows deletion', () => {
  const old = stored(defaulted(kinds.namespace, ns('test')));
  const renamed = structuredClone(old);
  renamed.metadata.name = 'prod';
  assert.deepEqual(texts(validateUpdate(kinds.namespace, renamed, old)), ['metadata.name: Invalid value: "prod": field is immutable']);
  const term = structuredClone(old);
  term.status = { phase: 'Terminating' };
  assert.deepEqual(texts(validateStatusUpdate(kinds.namespace, term, old)), [
    "status.Phase: Invalid value: \"Terminating\": may only be 'Active' if `deletionTimestamp` is empty",
  ]);
});

test('nodes: taints, capacities, pod CIDRs', () => {
  assert.deepEqual(texts(validateCreate(kinds.node, defaulted(kinds.node, node()))), []);
  const n = node();
  n.spec.taints.push({ key: 'node-role.kubernetes.io/control-plane', effect: 'NoSchedule' }, { key: 'x', effect: 'Sometimes' });
  assert.deepEqual(texts(validateCreate(kinds.node, n)), [
    'metadata.taints[1]: Duplicate value: core.Taint{Key:"node-role.kubernetes.io/control-plane", Value:"", Effect:"NoSchedule", TimeAdded:<nil>}: taints must be unique by key and effect pair',
    'metadata.taints[2].effect: Unsupported value: "Sometimes": supported values: "NoSchedule", "PreferNoSchedule", "NoExecute"',
  ]);
  const cap = node();
  cap.status.capacity.pods = '1.5';
  assert.deepEqual(texts(validateCreate(kinds.node, cap)), ['status.capacity.pods: Invalid value: 1500m: must be an integer']);
  const old = stored(defaulted(kinds.node, node()));
  const moved = structuredClone(old);
  moved.spec.podCIDRs = ['10.244.9.0/24'];
  assert.deepEqual(texts(validateUpdate(kinds.node, moved, old)), ['spec.podCIDRs: Forbidden: node updates may not change podCIDR except from "" to valid']);
  const dupAddr = structuredClone(old);
  dupAddr.status.addresses.push({ type: 'InternalIP', address: '192.168.56.11' });
  assert.deepEqual(texts(validateStatusUpdate(kinds.node, dupAddr, old)), [
    'status.addresses[1]: Duplicate value: core.NodeAddress{Type:"InternalIP", Address:"192.168.56.11"}',
  ]);
});

test('events (core/v1): namespaces of the event and its object must agree', () => {
  const ev: KubeObject = {
    apiVersion: 'v1',
    kind: 'Event',
    metadata: { name: 'busybox-ns.17c8a5d2e0f1a2b3', namespace: 'test' },
    involvedObject: { kind: 'ReplicationController', namespace: 'test', name: 'busybox-ns', apiVersion: 'v1' },
    reason: 'FailedCreate',
    message: 'Error creating: pods "busybox-ns-x" is forbidden: exceeded quota: test-quotas, requested: pods=1, used: pods=3, limited: pods=3',
    type: 'Warning',
    source: { component: 'replication-controller' },
    count: 1,
  };
  assert.deepEqual(texts(validateCreate(kinds.event, ev)), []);
  assert.deepEqual(texts(validateCreate(kinds.event, { ...ev, involvedObject: { ...ev.involvedObject, namespace: 'default' } })), [
    'involvedObject.namespace: Invalid value: "default": does not match event.namespace',
  ]);
  // A node event lives in "default" with no object namespace.
  assert.deepEqual(texts(validateCreate(kinds.event, { ...ev, metadata: { name: 'node-1.1', namespace: 'default' }, involvedObject: { kind: 'Node', name: 'node-1' } })), []);
  // Names only need to be path segments, checked after the kind's own rules pass.
  assert.deepEqual(texts(validateCreate(kinds.event, { ...ev, metadata: { name: 'a/b', namespace: 'test' } })), ["metadata.name: Invalid value: \"a/b\": may not contain '/'"]);
});

test('leases: durations positive, transitions non-negative', () => {
  const lease: KubeObject = {
    apiVersion: 'coordination.k8s.io/v1',
    kind: 'Lease',
    metadata: { name: 'node-1', namespace: 'kube-node-lease' },
    spec: { holderIdentity: 'node-1', leaseDurationSeconds: 40, renewTime: '2024-05-01T10:00:00.000000Z' },
  };
  assert.deepEqual(texts(validateCreate(kinds.lease, lease)), []);
  assert.deepEqual(texts(validateCreate(kinds.lease, { ...lease, spec: { leaseDurationSeconds: 0, leaseTransitions: -1 } })), [
    'spec.leaseDurationSeconds: Invalid value: 0: must be greater than 0',
    'spec.leaseTransitions: Invalid value: -1: must be greater than or equal to 0',
  ]);
});
