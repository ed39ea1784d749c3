/**
 * Dispatcher tests: content types, patch options, NotFound, and that no
 * engine touches the (frozen) live Deployment default/web.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ApiError } from '../../api/errors.ts';
import { type PatchInput, applyPatch } from './index.ts';
import { deepFreeze, liveDeployment } from './testdata-objects.ts';
import { DEPLOYMENT, testSchemas } from './testdata-schema.ts';

const base = (patchType: string, body: string | Uint8Array, extra: Partial<PatchInput> = {}): PatchInput => ({
  patchType,
  body,
  live: deepFreeze(liveDeployment()),
  schemas: testSchemas,
  gvk: DEPLOYMENT,
  resource: { group: 'apps', resource: 'deployments' },
  name: 'web',
  now: new Date('2024-06-01T12:00:00Z'),
  ...extra,
});

function fails(input: PatchInput, code: number, message: string): void {
  assert.throws(
    () => applyPatch(input),
    (e: unknown) => {
      assert.ok(e instanceof ApiError, String(e));
      assert.equal(e.code, code);
      assert.equal(e.status.message, message);
      return true;
    },
  );
}

describe('applyPatch dispatch', () => {
  it('routes each content type to its engine', () => {
    const json = applyPatch(base('application/json-patch+json', '[{"op":"replace","path":"/spec/replicas","value":4}]'));
    assert.equal(json.spec.replicas, 4);
    const merge = applyPatch(base('application/merge-patch+json; charset=utf-8', new TextEncoder().encode('{"spec":{"template":{"spec":{"containers":[{"name":"x"}]}}}}')));
    assert.deepEqual(merge.spec.template.spec.containers, [{ name: 'x' }]);
    const smp = applyPatch(base('application/strategic-merge-patch+json', '{"spec":{"template":{"spec":{"containers":[{"name":"x","image":"i"}]}}}}'));
    assert.deepEqual(smp.spec.template.spec.containers.map((c: { name: string }) => c.name), ['x', 'nginx', 'sidecar']);
    const applied = applyPatch(
      base('application/apply-patch+yaml', 'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  replicas: 9\n', { fieldManager: 'ci', force: true }),
    );
    assert.equal(applied.spec.replicas, 9);
    assert.ok(applied.metadata.managedFields!.some((e) => e.manager === 'ci' && e.operation === 'Apply'));
    assert.equal(applied.spec.template.spec.containers.length, 2);
  });

  it('creates with apply and answers NotFound for other patches of a missing object', () => {
    const created = applyPatch(base('application/apply-patch+yaml', 'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n', { live: undefined, fieldManager: 'ci' }));
    assert.equal(created.metadata.name, 'web');
    fails(base('application/merge-patch+json', '{}', { live: undefined }), 404, 'deployments.apps "web" not found');
  });

  it('rejects unknown and unsupported content types with 415', () => {
    const accepted = 'the body of the request was in an unknown format - accepted media types include: ';
    fails(
      base('application/apply-patch+cbor', ''),
      415,
      accepted + 'application/json-patch+json, application/merge-patch+json, application/strategic-merge-patch+json, application/apply-patch+yaml',
    );
    fails(base('application/strategic-merge-patch+json', '{}', { strategic: false }), 415, accepted + 'application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml');
  });

  it('validates patch options as ValidatePatchOptions does', () => {
    fails(base('application/apply-patch+yaml', ''), 422, 'PatchOptions.meta.k8s.io "" is invalid: fieldManager: Required value: is required for apply patch');
    fails(base('application/merge-patch+json', '{}', { force: true }), 422, 'PatchOptions.meta.k8s.io "" is invalid: force: Forbidden: may not be specified for non-apply patch');
    fails(
      base('application/merge-patch+json', '{}', { fieldManager: 'a\u0007' }),
      422,
      'PatchOptions.meta.k8s.io "" is invalid: fieldManager: Invalid value: "a\\u0007": invalid character U+0007 (at position 1)',
    );
    assert.equal(applyPatch(base('application/merge-patch+json', '{}', { force: false })).spec.replicas, 2);
  });
});
