import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../api/meta.ts';
import * as u from './deployment-util.ts';

const NOW = new Date('2025-01-01T12:00:00Z');
const tpl = (image: string, labels: Record<string, string> = { app: 'web' }) => ({ metadata: { labels }, spec: { containers: [{ name: 'c', image }] } });

function deploy(o: { replicas?: number; surge?: number | string; unavailable?: number | string; recreate?: boolean; annotations?: Record<string, string>; status?: any; generation?: number; deadline?: number } = {}): KubeObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', namespace: 'ns', uid: 'd-uid', generation: o.generation ?? 1, annotations: o.annotations },
    spec: {
      replicas: o.replicas ?? 10,
      selector: { matchLabels: { app: 'web' } },
      template: tpl('nginx:2'),
      strategy: o.recreate ? { type: 'Recreate' } : { type: 'RollingUpdate', rollingUpdate: { maxSurge: o.surge ?? '25%', maxUnavailable: o.unavailable ?? '25%' } },
      progressDeadlineSeconds: o.deadline ?? 600,
    },
    status: o.status ?? {},
  };
}

function rs(name: string, replicas: number, o: { image?: string; created?: string; revision?: string; annotations?: Record<string, string>; available?: number } = {}): KubeObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: { name, uid: name, creationTimestamp: o.created ?? '2025-01-01T00:00:00Z', annotations: { ...(o.revision ? { [u.revisionAnnotation]: o.revision } : {}), ...o.annotations } },
    spec: { replicas, template: tpl(o.image ?? 'nginx:1', { app: 'web', [u.hashLabel]: name }) },
    status: { replicas, availableReplicas: o.available ?? replicas },
  };
}

describe('pod-template-hash', () => {
  it('is FNV-32a', () => {
    assert.equal(u.fnv32a(Buffer.from('')), 0x811c9dc5);
    assert.equal(u.fnv32a(Buffer.from('a')), 0xe40c292c);
    assert.equal(u.fnv32a(Buffer.from('foobar')), 0xbf9cf968);
  });

  it('renders the decimal sum with the SafeEncodeString alphabet', () => {
    assert.equal(u.safeEncodeString('0123456789'), '456789bcdf');
    assert.equal(u.safeEncodeString('2166136261'), '65bb57b6b5');
  });

  it('does not depend on key order, and moves with the template and the collision count', () => {
    const h = u.computeHash(tpl('nginx'));
    assert.match(h, /^[456789bcdf]{1,10}$/);
    assert.equal(u.computeHash({ spec: { containers: [{ image: 'nginx', name: 'c' }] }, metadata: { labels: { app: 'web' } } }), h);
    assert.notEqual(u.computeHash(tpl('nginx:2')), h);
    assert.notEqual(u.computeHash(tpl('nginx'), 0), h, 'a zero collision count still feeds 8 bytes');
    assert.notEqual(u.computeHash(tpl('nginx'), 1), u.computeHash(tpl('nginx'), 0));
  });

  it('compares templates ignoring the hash label and empty versus absent fields', () => {
    assert.equal(u.equalIgnoreHash(tpl('nginx', { app: 'web', [u.hashLabel]: 'x' }), tpl('nginx')), true);
    assert.equal(u.equalIgnoreHash({ ...tpl('nginx'), metadata: { labels: { app: 'web' }, annotations: {} } }, tpl('nginx')), true);
    assert.equal(u.equalIgnoreHash(tpl('nginx:1'), tpl('nginx:2')), false);
  });
});

describe('maxSurge and maxUnavailable', () => {
  it('scales percentages: surge rounds up, unavailable rounds down', () => {
    assert.deepEqual(u.resolveFenceposts(deploy({ replicas: 10 })), { surge: 3, unavailable: 2 });
    assert.deepEqual(u.resolveFenceposts(deploy({ replicas: 2 })), { surge: 1, unavailable: 0 });
    assert.deepEqual(u.resolveFenceposts(deploy({ replicas: 4, surge: 2, unavailable: '50%' })), { surge: 2, unavailable: 2 });
  });

  it('makes one unavailable when both resolve to zero', () => {
    assert.deepEqual(u.resolveFenceposts(deploy({ replicas: 1, surge: 0, unavailable: '10%' })), { surge: 0, unavailable: 1 });
  });

  it('caps unavailability at replicas and is zero for Recreate', () => {
    assert.equal(u.maxUnavailable(deploy({ replicas: 3, unavailable: 5 })), 3);
    assert.equal(u.maxUnavailable(deploy({ recreate: true })), 0);
    assert.equal(u.maxSurge(deploy({ recreate: true })), 0);
    assert.equal(u.maxUnavailable(deploy({ replicas: 0 })), 0);
  });

  it('refuses a string that is not a percentage', () => {
    assert.throws(() => u.scaledValue('5', 10, true), /invalid value for IntOrString: invalid type: string is not a percentage/);
  });
});

describe('replica set selection', () => {
  const old1 = rs('old1', 2, { created: '2025-01-01T00:00:00Z', revision: '1' });
  const old2 = rs('old2', 0, { created: '2025-01-01T00:01:00Z', revision: '2' });
  const cur = rs('cur', 3, { image: 'nginx:2', created: '2025-01-01T00:02:00Z', revision: '3' });

  it('finds the new replica set by template and the old ones', () => {
    assert.equal(u.findNewReplicaSet(deploy(), [old1, cur, old2]), cur);
    assert.deepEqual(u.findOldReplicaSets(deploy(), [old1, cur, old2]), [old1, old2]);
    assert.equal(u.findNewReplicaSet(deploy(), [old1]), undefined);
    assert.equal(u.maxRevision([old1, old2]), 2);
  });

  it('FindActiveOrLatest: the one active set, the newest when none, nothing when several', () => {
    assert.equal(u.findActiveOrLatest(cur, [old2]), cur);
    assert.equal(u.findActiveOrLatest(undefined, [old1, old2]), old1);
    assert.equal(u.findActiveOrLatest(undefined, [rs('a', 0, { created: '2025-01-01T00:00:00Z' }), old2]), old2);
    assert.equal(u.findActiveOrLatest(cur, [old1]), undefined);
  });

  it('NewRSNewReplicas: grows within maxSurge (upstream reconcileNewReplicaSet cases)', () => {
    const d = (surge: number) => deploy({ replicas: 10, surge, unavailable: 0 });
    const grow = (surge: number, oldN: number, newN: number) => u.newRSNewReplicas(d(surge), [rs('o', oldN), rs('n', newN)], rs('n', newN));
    assert.equal(grow(0, 10, 0), 0);
    assert.equal(grow(2, 10, 0), 2);
    assert.equal(grow(2, 5, 0), 7);
    assert.equal(grow(2, 10, 2), 2);
    assert.equal(u.newRSNewReplicas(deploy({ recreate: true, replicas: 4 }), [], rs('n', 0)), 4);
  });

  it('IsSaturated needs size, desired annotation and availability to agree', () => {
    const full = rs('n', 10, { annotations: { [u.desiredReplicasAnnotation]: '10' } });
    assert.equal(u.isSaturated(deploy(), full), true);
    assert.equal(u.isSaturated(deploy(), rs('n', 10)), false);
    assert.equal(u.isSaturated(deploy(), rs('n', 10, { annotations: { [u.desiredReplicasAnnotation]: '10' }, available: 9 })), false);
  });

  it('GetProportion: the share of the max-replicas annotation, rounded half away from zero', () => {
    const d = deploy({ replicas: 15, surge: 0, unavailable: 1 });
    const a = rs('a', 5, { annotations: { [u.maxReplicasAnnotation]: '10' } });
    assert.equal(u.proportion(a, d, 5, 0), 3, '5 * 15 / 10 = 7.5 rounds to 8: +3');
    assert.equal(u.proportion(a, d, 2, 0), 2, 'capped at what is left to add');
    assert.equal(u.proportion(a, deploy({ replicas: 0 }), -5, 0), -5);
    assert.equal(u.proportion(rs('z', 0), d, 5, 0), 0);
  });
});

describe('annotations', () => {
  it('copies deployment annotations but the skipped ones, sets revision and replicas annotations on a new set', () => {
    const d = deploy({ replicas: 4, annotations: { 'kubernetes.io/change-cause': 'v2', 'kubectl.kubernetes.io/last-applied-configuration': '{}', [u.revisionAnnotation]: '7' } });
    const n = rs('n', 0);
    assert.equal(u.setNewReplicaSetAnnotations(d, n, '3', false), true);
    assert.deepEqual(n.metadata.annotations, { 'kubernetes.io/change-cause': 'v2', [u.revisionAnnotation]: '3', [u.desiredReplicasAnnotation]: '4', [u.maxReplicasAnnotation]: '5' });
    assert.equal(u.setNewReplicaSetAnnotations(d, n, '3', true), false, 'nothing left to change');
  });

  it('keeps the old revision in revision-history when a set is brought back', () => {
    const back = rs('b', 0, { revision: '1' });
    u.setNewReplicaSetAnnotations(deploy(), back, '3', true);
    assert.equal(back.metadata.annotations![u.revisionAnnotation], '3');
    assert.equal(back.metadata.annotations![u.revisionHistoryAnnotation], '1');
    u.setNewReplicaSetAnnotations(deploy(), back, '5', true);
    assert.equal(back.metadata.annotations![u.revisionHistoryAnnotation], '1,3');
  });

  it('never moves a revision backwards', () => {
    const r = rs('r', 0, { revision: '9' });
    assert.equal(u.setNewReplicaSetAnnotations(deploy(), r, '3', true), false);
    assert.equal(r.metadata.annotations![u.revisionAnnotation], '9');
  });
});

describe('conditions and progress', () => {
  it('SetDeploymentCondition keeps an unchanged condition and the transition time of the same status', () => {
    const s: any = {};
    u.setCondition(s, u.newCondition('Progressing', 'True', 'A', 'a', NOW));
    const later = new Date(NOW.getTime() + 60_000);
    u.setCondition(s, u.newCondition('Progressing', 'True', 'A', 'changed', later));
    assert.equal(s.conditions[0].message, 'a');
    u.setCondition(s, u.newCondition('Progressing', 'True', 'B', 'b', later));
    assert.deepEqual(s.conditions, [{ type: 'Progressing', status: 'True', reason: 'B', message: 'b', lastUpdateTime: '2025-01-01T12:01:00Z', lastTransitionTime: '2025-01-01T12:00:00Z' }]);
    u.removeCondition(s, 'Progressing');
    assert.deepEqual(s.conditions, []);
  });

  it('complete, progressing and timed out', () => {
    const d = deploy({ replicas: 2, generation: 2, status: { replicas: 3, updatedReplicas: 1, readyReplicas: 2, availableReplicas: 2 } });
    assert.equal(u.deploymentComplete(d, { replicas: 2, updatedReplicas: 2, availableReplicas: 2, observedGeneration: 2 }), true);
    assert.equal(u.deploymentComplete(d, { replicas: 2, updatedReplicas: 2, availableReplicas: 2, observedGeneration: 1 }), false);
    assert.equal(u.deploymentProgressing(d, { replicas: 3, updatedReplicas: 2, readyReplicas: 2, availableReplicas: 2 }), true);
    assert.equal(u.deploymentProgressing(d, { replicas: 2, updatedReplicas: 1, readyReplicas: 2, availableReplicas: 2 }), true, 'fewer old replicas');
    assert.equal(u.deploymentProgressing(d, { replicas: 3, updatedReplicas: 1, readyReplicas: 2, availableReplicas: 2 }), false);
    const stuck = { conditions: [u.newCondition('Progressing', 'True', 'ReplicaSetUpdated', 'x', new Date(NOW.getTime() - 601_000))] };
    assert.equal(u.deploymentTimedOut(d, stuck, NOW), true);
    assert.equal(u.deploymentTimedOut(deploy({ deadline: 2147483647 }), stuck, NOW), false);
    const done = { conditions: [u.newCondition('Progressing', 'True', 'NewReplicaSetAvailable', 'x', new Date(0))] };
    assert.equal(u.deploymentTimedOut(d, done, NOW), false);
  });
});
