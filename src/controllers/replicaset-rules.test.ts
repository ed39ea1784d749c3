import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../api/meta.ts';
import { Expectations, podFromTemplate, replicaPlan, replicaSetKind, replicaStatus, replicationControllerKind, selects, statusChanged } from './replicaset-rules.ts';

const NOW = new Date('2025-01-01T12:00:00Z');
const ago = (s: number) => new Date(NOW.getTime() - s * 1000).toISOString().replace(/\.\d+Z$/, 'Z');

function rs(o: { replicas?: number; minReady?: number; generation?: number; status?: object } = {}): KubeObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: { name: 'web', namespace: 'ns', uid: 'rs-uid', generation: o.generation ?? 1 },
    spec: {
      replicas: o.replicas ?? 3,
      minReadySeconds: o.minReady,
      selector: { matchLabels: { app: 'web' } },
      template: { metadata: { labels: { app: 'web', tier: 'front' }, annotations: { a: 'b' } }, spec: { containers: [{ name: 'c', image: 'nginx' }] } },
    },
    status: o.status ?? { replicas: 0 },
  };
}

const pod = (name: string, o: { ready?: number; labels?: Record<string, string>; node?: string } = {}): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, uid: name, namespace: 'ns', labels: o.labels ?? { app: 'web', tier: 'front' }, creationTimestamp: ago(100) },
  spec: { nodeName: o.node },
  status: { phase: 'Running', conditions: o.ready === undefined ? [] : [{ type: 'Ready', status: 'True', lastTransitionTime: ago(o.ready) }] },
});

describe('the kind adapter', () => {
  it('reads a ReplicaSet selector and converts an RC map selector to matchLabels', () => {
    assert.equal(selects(replicaSetKind, rs(), pod('a')), true);
    assert.equal(selects(replicaSetKind, rs(), pod('a', { labels: { app: 'x' } })), false);
    const rc: KubeObject = { apiVersion: 'v1', kind: 'ReplicationController', metadata: { name: 'rc' }, spec: { selector: { app: 'web' } } };
    assert.equal(selects(replicationControllerKind, rc, pod('a')), true);
    assert.equal(selects(replicationControllerKind, rc, pod('a', { labels: { app: 'x' } })), false);
    assert.equal(selects(replicationControllerKind, { ...rc, spec: {} }, pod('a')), false, 'no selector selects nothing');
    assert.equal(replicationControllerKind.component, 'replication-controller');
    assert.equal(replicaSetKind.component, 'replicaset-controller');
  });
});

describe('replicaPlan (manageReplicas)', () => {
  it('creates the missing pods', () => {
    assert.deepEqual(replicaPlan(rs({ replicas: 3 }), [pod('a')], []), { create: 2, delete: [] });
  });

  it('caps a burst at 500', () => {
    assert.equal(replicaPlan(rs({ replicas: 2000 }), [], []).create, 500);
  });

  it('deletes the surplus, not-ready and unscheduled pods first', () => {
    const pods = [pod('ready', { ready: 60, node: 'n' }), pod('notready', { node: 'n' }), pod('unscheduled', { ready: 60 })];
    const plan = replicaPlan(rs({ replicas: 1 }), pods, pods, NOW.getTime());
    assert.equal(plan.create, 0);
    assert.deepEqual(plan.delete.map((p) => p.metadata.name), ['unscheduled', 'notready']);
  });

  it('does nothing at the right size', () => {
    assert.deepEqual(replicaPlan(rs({ replicas: 1 }), [pod('a')], []), { create: 0, delete: [] });
  });
});

describe('podFromTemplate', () => {
  it('copies labels, annotations and spec, names by generateName and sets the controller', () => {
    const p = podFromTemplate(rs());
    assert.deepEqual(p.metadata, {
      generateName: 'web-',
      namespace: 'ns',
      ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web', uid: 'rs-uid', controller: true, blockOwnerDeletion: true }],
      labels: { app: 'web', tier: 'front' },
      annotations: { a: 'b' },
    });
    assert.deepEqual(p.spec, { containers: [{ name: 'c', image: 'nginx' }] });
  });
});

describe('replicaStatus (calculateStatus)', () => {
  it('counts replicas, fully labeled, ready and available pods', () => {
    const pods = [pod('a', { ready: 30 }), pod('b', { ready: 5 }), pod('c'), pod('d', { labels: { app: 'web' } })];
    assert.deepEqual(replicaStatus(rs({ minReady: 10, generation: 4 }), pods, undefined, NOW), {
      replicas: 4,
      fullyLabeledReplicas: 3,
      readyReplicas: 2,
      availableReplicas: 1,
      observedGeneration: 4,
    });
  });

  it('omits zero counts but always writes replicas', () => {
    assert.deepEqual(replicaStatus(rs(), [], undefined, NOW), { replicas: 0, observedGeneration: 1 });
  });

  it('adds ReplicaFailure with the error, keeps it while failing, and drops it after a clean sync', () => {
    const err = 'pods "web-abcde" is forbidden: exceeded quota: q, requested: pods=1, used: pods=1, limited: pods=1';
    const s1 = replicaStatus(rs(), [pod('a')], err, NOW);
    assert.deepEqual(s1.conditions, [{ type: 'ReplicaFailure', status: 'True', lastTransitionTime: '2025-01-01T12:00:00Z', reason: 'FailedCreate', message: err }]);
    const s2 = replicaStatus(rs({ status: s1 }), [pod('a')], 'another message', new Date(NOW.getTime() + 60_000));
    assert.deepEqual(s2.conditions, s1.conditions, 'same status and reason: the first condition stays');
    assert.equal(replicaStatus(rs({ status: s1 }), [pod('a')], undefined, NOW).conditions, undefined);
    assert.equal(replicaStatus(rs({ replicas: 0 }), [pod('a')], 'x', NOW).conditions[0].reason, 'FailedDelete');
  });

  it('statusChanged compares counts, conditions and observedGeneration', () => {
    const cur = rs({ status: { replicas: 1, readyReplicas: 1, observedGeneration: 1 } });
    assert.equal(statusChanged(cur, { replicas: 1, readyReplicas: 1, observedGeneration: 1 }), false);
    assert.equal(statusChanged(cur, { replicas: 1, readyReplicas: 1, observedGeneration: 2 }), true);
    assert.equal(statusChanged(cur, { replicas: 1, observedGeneration: 1 }), true);
    assert.equal(statusChanged(cur, { replicas: 1, readyReplicas: 1, observedGeneration: 1, conditions: [{ type: 'ReplicaFailure' }] }), true);
  });
});

describe('Expectations', () => {
  it('waits until creates and deletes are observed, or five minutes pass', () => {
    let t = 0;
    const e = new Expectations({ now: () => t });
    assert.equal(e.satisfied('k'), true);
    e.expectCreations('k', 2);
    e.creationObserved('k');
    assert.equal(e.satisfied('k'), false);
    e.creationObserved('k');
    assert.equal(e.satisfied('k'), true);
    e.expectDeletions('k', ['ns/a', 'ns/b']);
    e.deletionObserved('k', 'ns/a');
    e.deletionObserved('k', 'ns/a');
    assert.equal(e.satisfied('k'), false);
    t = 5 * 60 * 1000 + 1;
    assert.equal(e.satisfied('k'), true);
    e.forget('k');
    assert.equal(e.satisfied('k'), true);
  });
});
