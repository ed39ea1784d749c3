/**
 * The garbage collector's rules: owner classification outcomes and the
 * dependency graph. No addresses involved; uids are rs-1, rs-2, pod-1....
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject, OwnerReference } from '../api/meta.ts';
import { findKind } from '../api/resources.ts';
import { OwnerGraph, decide, defOfRef, type OwnerState } from './gc-model.ts';

const rsRef = (uid: string, block = true): OwnerReference => ({ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: uid, uid, controller: true, blockOwnerDeletion: block });
const podWith = (refs: OwnerReference[], finalizers?: string[]): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'pod-1', namespace: 'default', uid: 'pod-1', ownerReferences: refs, ...(finalizers ? { finalizers } : {}) },
});
const states = (s: Record<string, OwnerState>) => new Map(Object.entries(s));
const plain = { hasDependents: false, dependentDeletingDependents: false };

describe('decide', () => {
  it('leaves an object with only solid owners', () => {
    assert.deepEqual(decide(podWith([rsRef('rs-1')]), states({ 'rs-1': 'solid' }), plain), { kind: 'none' });
  });

  it('deletes in background when every owner is gone', () => {
    assert.deepEqual(decide(podWith([rsRef('rs-1'), rsRef('rs-2')]), states({ 'rs-1': 'dangling', 'rs-2': 'dangling' }), plain), { kind: 'delete', policy: 'Background' });
  });

  it('drops dangling and waiting references when a solid owner remains', () => {
    const item = podWith([rsRef('rs-1'), rsRef('rs-2'), rsRef('rs-3')]);
    assert.deepEqual(decide(item, states({ 'rs-1': 'solid', 'rs-2': 'dangling', 'rs-3': 'waiting' }), plain), { kind: 'patchOwners', ownerReferences: [rsRef('rs-1')] });
  });

  it('deletes in foreground when an owner waits and the object has dependents of its own', () => {
    const item = podWith([rsRef('rs-1')]);
    assert.deepEqual(decide(item, states({ 'rs-1': 'waiting' }), { hasDependents: true, dependentDeletingDependents: false }), { kind: 'delete', policy: 'Foreground' });
    assert.deepEqual(decide(item, states({ 'rs-1': 'waiting' }), { hasDependents: true, dependentDeletingDependents: true }), {
      kind: 'delete',
      policy: 'Foreground',
      unblock: [rsRef('rs-1', false)],
    });
    assert.deepEqual(decide(item, states({ 'rs-1': 'waiting' }), plain), { kind: 'delete', policy: 'Background' });
  });

  it('honours the finalizers the object already has', () => {
    assert.deepEqual(decide(podWith([rsRef('rs-1')], ['orphan']), states({ 'rs-1': 'dangling' }), plain), { kind: 'delete', policy: 'Orphan' });
    assert.deepEqual(decide(podWith([rsRef('rs-1')], ['foregroundDeletion']), states({ 'rs-1': 'dangling' }), plain), { kind: 'delete', policy: 'Foreground' });
  });

  it('never deletes on an unresolvable owner', () => {
    assert.deepEqual(decide(podWith([rsRef('rs-1')]), states({ 'rs-1': 'unresolvable' }), plain), { kind: 'none' });
    assert.equal(defOfRef({ apiVersion: 'example.com/v1', kind: 'Widget', name: 'w', uid: 'w' }), undefined);
    assert.equal(defOfRef(rsRef('rs-1'))?.plural, 'replicasets');
  });
});

describe('OwnerGraph', () => {
  const podDef = findKind('', 'Pod')!;
  it('tracks dependents by owner uid, also after the owner is gone, and blocking ones', () => {
    const g = new OwnerGraph();
    g.upsert(findKind('apps', 'ReplicaSet')!, { apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { name: 'rs-1', namespace: 'default', uid: 'rs-1' } });
    g.upsert(podDef, podWith([rsRef('rs-1')]));
    g.upsert(podDef, { ...podWith([rsRef('rs-1', false)]), metadata: { ...podWith([]).metadata, name: 'pod-2', uid: 'pod-2', ownerReferences: [rsRef('rs-1', false)] } });
    assert.deepEqual(
      g.dependents('rs-1').map((n) => n.uid),
      ['pod-1', 'pod-2'],
    );
    assert.deepEqual(
      g.blockingDependents('rs-1').map((n) => n.uid),
      ['pod-1'],
    );
    g.remove('rs-1');
    assert.equal(g.dependents('rs-1').length, 2);
    g.remove('pod-1');
    assert.deepEqual(
      g.dependents('rs-1').map((n) => n.uid),
      ['pod-2'],
    );
  });

  it('reports references that stopped blocking', () => {
    const g = new OwnerGraph();
    g.upsert(podDef, podWith([rsRef('rs-1'), rsRef('rs-2')]));
    const unblocked = g.upsert(podDef, podWith([rsRef('rs-1', false)]));
    assert.deepEqual(
      unblocked.map((r) => r.uid),
      ['rs-1', 'rs-2'],
    );
    assert.deepEqual(g.dependents('rs-2'), []);
  });
});
