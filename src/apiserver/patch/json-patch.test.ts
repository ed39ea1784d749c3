/**
 * JSON patch tests: RFC 6902 operations with upstream's (evanphx/json-patch
 * v4) leniencies, and its error texts carried as the cause of the generic 422.
 * The document is a small ConfigMap-like object: data {a: "1"}, list [1, 2, 3].
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ApiError } from '../../api/errors.ts';
import { MAX_JSON_PATCH_OPERATIONS, applyJsonPatch, decodeJsonPatch } from './json-patch.ts';
import { deepFreeze } from './testdata-objects.ts';

const doc = () => deepFreeze({ metadata: { name: 'cm', labels: { 'a/b': 'x', 'c~d': 'y' } }, data: { a: '1' }, list: [1, 2, 3] });

function failsWith(ops: unknown, text: string): void {
  assert.throws(
    () => applyJsonPatch(doc(), ops),
    (e: unknown) => {
      assert.ok(e instanceof ApiError);
      assert.equal(e.code, 422);
      assert.equal(e.reason, 'Invalid');
      assert.equal(e.status.message, 'the server rejected our request due to an error in our request');
      assert.deepEqual(e.status.details, {});
      assert.equal((e.cause as Error).message, text);
      return true;
    },
  );
}

describe('JSON patch operations', () => {
  it('adds, removes and replaces members and elements, without mutating the input', () => {
    const input = doc();
    const out = applyJsonPatch(input, [
      { op: 'add', path: '/data/b', value: '2' },
      { op: 'remove', path: '/data/a' },
      { op: 'replace', path: '/list/0', value: 10 },
      { op: 'add', path: '/list/1', value: 15 },
      { op: 'add', path: '/list/-', value: 99 },
      { op: 'remove', path: '/metadata/labels/a~1b' },
      { op: 'replace', path: '/metadata/labels/c~0d', value: 'z' },
    ]);
    assert.deepEqual(out, { metadata: { name: 'cm', labels: { 'c~d': 'z' } }, data: { b: '2' }, list: [10, 15, 2, 3, 99] });
    assert.deepEqual(input, doc());
  });

  it('moves, copies and tests', () => {
    const out = applyJsonPatch(doc(), [
      { op: 'test', path: '/data/a', value: '1' },
      { op: 'copy', from: '/data/a', path: '/data/c' },
      { op: 'move', from: '/list/0', path: '/list/-' },
      { op: 'test', path: '/data/missing', value: null },
    ]);
    assert.deepEqual(out.data, { a: '1', c: '1' });
    assert.deepEqual(out.list, [2, 3, 1]);
  });

  it('keeps upstream v4 leniencies: replace adds a missing member, negative indices count from the end', () => {
    const out = applyJsonPatch(doc(), [
      { op: 'replace', path: '/data/new', value: 'x' },
      { op: 'remove', path: '/list/-1' },
      { op: 'add', path: '/list/-1', value: 7 },
    ]);
    assert.deepEqual(out.data, { a: '1', new: 'x' });
    assert.deepEqual(out.list, [1, 2, 7]);
  });

  it('reports failing operations with the library text', () => {
    failsWith([{ op: 'test', path: '/data/a', value: '2' }], 'testing value /data/a failed: test failed');
    failsWith([{ op: 'remove', path: '/data/zz' }], "error in remove for path: '/data/zz': Unable to remove nonexistent key: zz: missing value");
    failsWith([{ op: 'remove', path: '/spec/affinity' }], 'remove operation does not apply: doc is missing path: "/spec/affinity": missing value');
    failsWith([{ op: 'add', path: '/spec/x/y', value: 1 }], 'add operation does not apply: doc is missing path: "/spec/x/y": missing value');
    failsWith([{ op: 'add', path: '/list/9', value: 1 }], "error in add for path: '/list/9': Unable to access invalid index: 9: invalid index referenced");
    failsWith([{ op: 'replace', path: '/list/3', value: 1 }], 'replace operation does not apply: doc is missing key: /list/3: missing value');
    failsWith([{ op: 'move', from: '/data/zz', path: '/data/b' }], "error in move for path: 'zz': Unable to remove nonexistent key: zz: missing value");
    failsWith([{ op: 'copy', path: '/data/b' }], 'copy operation failed to decode from: operation, missing from field: missing value');
    failsWith([{ op: 'frobnicate', path: '/data' }], 'Unexpected kind: frobnicate');
    failsWith([{ path: '/data' }], 'Unexpected kind: unknown');
  });

  it('stops at the first failing operation and leaves the input alone', () => {
    const input = doc();
    failsWith([{ op: 'add', path: '/data/b', value: '2' }, { op: 'test', path: '/data/b', value: '3' }], 'testing value /data/b failed: test failed');
    assert.deepEqual(input, doc());
  });
});

describe('JSON patch documents', () => {
  it('rejects documents that are not a list of operations with 400', () => {
    const bad = (body: string, message: string) =>
      assert.throws(() => decodeJsonPatch(body), (e: unknown) => e instanceof ApiError && e.code === 400 && e.status.message === message);
    bad('{"op":"add"}', 'json: cannot unmarshal object into Go value of type jsonpatch.Patch');
    bad('["add"]', 'json: cannot unmarshal string into Go value of type jsonpatch.Operation');
    assert.throws(() => decodeJsonPatch('[{'), (e: unknown) => e instanceof ApiError && e.code === 400);
    assert.deepEqual(decodeJsonPatch('null'), []);
  });

  it('limits a patch to 10000 operations with 413', () => {
    const ops = Array.from({ length: MAX_JSON_PATCH_OPERATIONS + 1 }, () => ({ op: 'test', path: '/data/a', value: '1' }));
    assert.throws(
      () => applyJsonPatch(doc(), ops),
      (e: unknown) => e instanceof ApiError && e.code === 413 && e.status.message === 'The allowed maximum operations in a JSON patch is 10000, got 10001',
    );
  });
});
