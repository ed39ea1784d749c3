import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject, OwnerReference } from '../api/meta.ts';
import { adoptPatch, claim, controllerRefOf, newControllerRef, releasePatch } from './workload-ownership.ts';

const owner: KubeObject = { apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { name: 'web', namespace: 'ns', uid: 'rs-1' } };
const ref = (uid: string, controller = true): OwnerReference => ({ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'x', uid, controller });
const pod = (name: string, app: string, o: { refs?: OwnerReference[]; ns?: string; deleting?: boolean } = {}): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, uid: `uid-${name}`, namespace: o.ns ?? 'ns', labels: { app }, ownerReferences: o.refs, ...(o.deleting ? { deletionTimestamp: '2025-01-01T00:00:00Z' } : {}) },
});
const matches = (p: KubeObject) => p.metadata.labels?.app === 'web';
const names = (l: KubeObject[]) => l.map((p) => p.metadata.name);

describe('controller references', () => {
  it('finds the controller among owner references', () => {
    assert.equal(controllerRefOf(pod('a', 'web', { refs: [ref('x', false), ref('y')] }))?.uid, 'y');
    assert.equal(controllerRefOf(pod('a', 'web', { refs: [ref('x', false)] })), undefined);
  });

  it('makes a blocking controller reference', () => {
    assert.deepEqual(newControllerRef(owner), { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web', uid: 'rs-1', controller: true, blockOwnerDeletion: true });
  });
});

describe('claim (ClaimObject)', () => {
  const pods = [
    pod('mine', 'web', { refs: [ref('rs-1')] }),
    pod('mine-moved', 'other', { refs: [ref('rs-1')] }),
    pod('orphan', 'web'),
    pod('orphan-other', 'other'),
    pod('theirs', 'web', { refs: [ref('rs-2')] }),
    pod('orphan-deleting', 'web', { deleting: true }),
    pod('orphan-elsewhere', 'web', { ns: 'other' }),
    pod('only-owner', 'web', { refs: [ref('rs-1', false)] }),
  ];

  it('keeps, adopts and releases', () => {
    const c = claim(owner, pods, matches);
    assert.deepEqual(names(c.owned), ['mine', 'orphan', 'only-owner']);
    assert.deepEqual(names(c.adopt), ['orphan', 'only-owner']);
    assert.deepEqual(names(c.release), ['mine-moved']);
  });

  it('an owner being deleted neither adopts nor releases', () => {
    const c = claim({ ...owner, metadata: { ...owner.metadata, deletionTimestamp: '2025-01-01T00:00:00Z' } }, pods, matches);
    assert.deepEqual(names(c.owned), ['mine']);
    assert.deepEqual(c.adopt, []);
    assert.deepEqual(c.release, []);
  });
});

describe('patches', () => {
  it('adopts with the controller reference and the object uid as precondition', () => {
    assert.deepEqual(adoptPatch(owner, pod('p', 'web')), { metadata: { ownerReferences: [newControllerRef(owner)], uid: 'uid-p' } });
  });

  it('releases with a $patch: delete on the owner uid', () => {
    assert.deepEqual(releasePatch(owner, pod('p', 'web')), { metadata: { ownerReferences: [{ $patch: 'delete', uid: 'rs-1' }], uid: 'uid-p' } });
  });
});
