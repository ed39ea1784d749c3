/**
 * @module The pure rules in mvcc.ts: key order, prefix ends, revision checks, write planning.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkCompact, compareKeys, planWrite, prefixEnd, readRevision } from './mvcc.ts';
import type { LogRow } from './mvcc.ts';

const samples = ['', 'a', 'A', 'ab', 'b', '/', '/a/', '/a0', 'é', '\uffff', '\ue000', '\ud7ff', '\u{10000}', '\u{1f600}', '\u{10ffff}', 'a\u{10ffff}', 'a\u{10ffff}z'];

test('compareKeys orders like the UTF-8 bytes', () => {
  const bytes = (s: string) => Buffer.from(s, 'utf8');
  for (const a of samples) {
    for (const b of samples) {
      assert.equal(Math.sign(compareKeys(a, b)), Math.sign(Buffer.compare(bytes(a), bytes(b))), `${JSON.stringify(a)} vs ${JSON.stringify(b)}`);
    }
  }
});

test('prefixEnd is the least key above every key with the prefix', () => {
  assert.equal(prefixEnd('/a/'), '/a0');
  assert.equal(prefixEnd('/registry/pods/'), '/registry/pods0');
  assert.equal(prefixEnd(''), undefined);
  assert.equal(prefixEnd('\u{10ffff}'), undefined);
  assert.equal(prefixEnd('a\u{10ffff}'), 'b');
  assert.equal(prefixEnd('x\ud7ff'), 'x\ue000');
  assert.equal(prefixEnd('x\u{1f600}'), 'x\u{1f601}');
  for (const p of samples.filter((s) => s !== '')) {
    const end = prefixEnd(p);
    for (const k of samples.map((s) => p + s)) assert.ok(end === undefined || compareKeys(k, end) < 0, `${JSON.stringify(k)} < end of ${JSON.stringify(p)}`);
    if (end !== undefined) assert.ok(!end.startsWith(p));
  }
});

test('readRevision: 0 means current; future and compacted revisions fail', () => {
  assert.equal(readRevision(undefined, 7, 3), 7);
  assert.equal(readRevision(0, 7, 3), 7);
  assert.equal(readRevision(3, 7, 3), 3);
  assert.throws(() => readRevision(8, 7, 3), { code: 'FUTURE_REVISION' });
  assert.throws(() => readRevision(2, 7, 3), { code: 'COMPACTED', compactRevision: 3 });
  assert.throws(() => checkCompact(3, 7, 3), { code: 'COMPACTED' });
  assert.throws(() => checkCompact(8, 7, 3), { code: 'FUTURE_REVISION' });
  assert.doesNotThrow(() => checkCompact(7, 7, 3));
});

test('planWrite: a create after a delete points at the delete row; a delete keeps the value', () => {
  const live: LogRow = { revision: 4, key: '/k', value: 'v', createRevision: 2, created: false, deleted: false, prevRevision: 2, oldValue: 'u' };
  const del = planWrite({ type: 'delete', key: '/k', expectedModRevision: 4 }, live, 5);
  assert.deepEqual(del, { revision: 5, key: '/k', value: 'v', createRevision: 2, created: false, deleted: true, prevRevision: 4, oldValue: 'v' });
  const again = planWrite({ type: 'create', key: '/k', value: 'w' }, del, 6);
  assert.deepEqual(again, { revision: 6, key: '/k', value: 'w', createRevision: 6, created: true, deleted: false, prevRevision: 5 });
  assert.throws(() => planWrite({ type: 'update', key: '/k', value: 'x', expectedModRevision: 4 }, del, 6), { code: 'NOT_FOUND' });
  assert.throws(() => planWrite({ type: 'update', key: '/k', value: 'x', expectedModRevision: 3 }, live, 6), { code: 'CONFLICT' });
});
