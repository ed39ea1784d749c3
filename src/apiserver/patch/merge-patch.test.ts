/**
 * JSON merge patch tests, with the bodies `kubectl label`, `kubectl
 * annotate` and `kubectl scale` send (they use merge patches).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ApiError } from '../../api/errors.ts';
import { applyMergePatch, decodeMergePatch } from './merge-patch.ts';
import { deepFreeze, liveDeployment } from './testdata-objects.ts';

describe('JSON merge patch', () => {
  it('applies kubectl label/annotate/scale bodies', () => {
    const live = deepFreeze(liveDeployment());
    const labelled = applyMergePatch(live, decodeMergePatch('{"metadata":{"labels":{"env":"prod","tier":null}}}'));
    assert.deepEqual(labelled.metadata.labels, { app: 'web', env: 'prod' });
    const annotated = applyMergePatch(live, { metadata: { annotations: { note: 'hi' } } });
    assert.equal(annotated.metadata.annotations!.note, 'hi');
    assert.equal(Object.keys(annotated.metadata.annotations!).length, 2);
    const scaled = applyMergePatch(live, { spec: { replicas: 5 } });
    assert.equal(scaled.spec.replicas, 5);
    assert.deepEqual(live, liveDeployment());
  });

  it('replaces arrays whole and drops nulls inside added objects', () => {
    const out = applyMergePatch(deepFreeze(liveDeployment()), {
      metadata: { finalizers: ['x'] },
      spec: { template: { spec: { containers: [{ name: 'only' }] } }, paused: { a: null, b: 1 } },
    });
    assert.deepEqual(out.metadata.finalizers, ['x']);
    assert.deepEqual(out.spec.template.spec.containers, [{ name: 'only' }]);
    assert.deepEqual(out.spec.paused, { b: 1 });
  });

  it('rejects bodies that are not objects as upstream does', () => {
    const bad = (f: () => unknown, code: number) => assert.throws(f, (e: unknown) => e instanceof ApiError && e.code === code);
    bad(() => decodeMergePatch('{'), 400);
    assert.throws(() => decodeMergePatch('{'), (e: unknown) => (e as ApiError).status.message === 'Invalid JSON Patch');
    bad(() => applyMergePatch(liveDeployment(), null), 400);
    bad(() => applyMergePatch(liveDeployment(), 'x'), 400);
    bad(() => applyMergePatch(liveDeployment(), [1]), 422);
  });
});
