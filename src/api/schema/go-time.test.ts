/**
 * @module Go time.Parse texts for metav1.Time (RFC3339) and MicroTime
 * (RFC3339Micro); expected strings are Go's ParseError.Error() output.
 */

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseGoTime } from './go-time.ts';

const L = '"2006-01-02T15:04:05Z07:00"';

test('valid RFC 3339 times parse, with Z, offsets and unrequested fractions', () => {
  for (const t of ['2024-05-01T10:00:00Z', '2024-02-29T23:59:59+14:00', '2024-05-01T10:00:00.5-07:00', '2024-05-01T1:00:00Z']) {
    assert.equal(parseGoTime(t, false), undefined, t);
  }
});

test('a mismatch names the remaining input and the layout element', () => {
  assert.equal(parseGoTime('2024/05/01T10:00:00Z', false), `parsing time "2024/05/01T10:00:00Z" as ${L}: cannot parse "/05/01T10:00:00Z" as "-"`);
  assert.equal(parseGoTime('2024-5-01T10:00:00Z', false), `parsing time "2024-5-01T10:00:00Z" as ${L}: cannot parse "5-01T10:00:00Z" as "01"`);
  assert.equal(parseGoTime('2024-05-01 10:00:00Z', false), `parsing time "2024-05-01 10:00:00Z" as ${L}: cannot parse " 10:00:00Z" as "T"`);
  assert.equal(parseGoTime('2024-05-01T10:00:00', false), `parsing time "2024-05-01T10:00:00" as ${L}: cannot parse "" as "Z07:00"`);
  assert.equal(parseGoTime('2024-05-01T10:00:00+0200', false), `parsing time "2024-05-01T10:00:00+0200" as ${L}: cannot parse "+0200" as "Z07:00"`);
});

test('out-of-range fields and trailing text use Go\'s short form', () => {
  assert.equal(parseGoTime('2024-13-01T10:00:00Z', false), 'parsing time "2024-13-01T10:00:00Z": month out of range');
  assert.equal(parseGoTime('2023-02-29T10:00:00Z', false), 'parsing time "2023-02-29T10:00:00Z": day out of range');
  assert.equal(parseGoTime('2024-05-01T24:00:00Z', false), 'parsing time "2024-05-01T24:00:00Z": hour out of range');
  assert.equal(parseGoTime('2024-05-01T10:60:00Z', false), 'parsing time "2024-05-01T10:60:00Z": minute out of range');
  assert.equal(parseGoTime('2024-05-01T10:00:00Zjunk', false), 'parsing time "2024-05-01T10:00:00Zjunk": extra text: "junk"');
});

test('MicroTime wants exactly six fraction digits', () => {
  const M = '"2006-01-02T15:04:05.000000Z07:00"';
  assert.equal(parseGoTime('2024-05-01T10:00:00.123456Z', true), undefined);
  assert.equal(parseGoTime('2024-05-01T10:00:00Z', true), `parsing time "2024-05-01T10:00:00Z" as ${M}: cannot parse "Z" as ".000000"`);
});
