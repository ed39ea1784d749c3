import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { after, describe, it } from 'node:test';
import { CriLogWriter, formatTimestamp, LineSplitter, MAX_LOG_LINE, parseTimestamp } from './cri-log.ts';

const T0 = 1_795_312_800_123_456_789n; // 2026-11-22T02:00:00.123456789Z

function split(chunks: (string | Buffer)[], end = true): string[] {
  const out: string[] = [];
  let t = T0;
  const s = new LineSplitter({ stream: 'stdout', write: (r) => out.push(r.toString()), clock: () => t++ });
  for (const c of chunks) s.push(Buffer.from(c));
  if (end) s.end();
  return out;
}

describe('timestamps', () => {
  it('nine fraction digits, UTC', () => assert.equal(formatTimestamp(T0), '2026-11-22T02:00:00.123456789Z'));
  it('trailing zeros are kept', () => assert.equal(formatTimestamp(1_795_312_800_000_000_000n), '2026-11-22T02:00:00.000000000Z'));
  it('parses any RFC 3339 fraction and offset', () => {
    assert.equal(parseTimestamp('2026-11-22T02:00:00.123456789Z'), T0);
    assert.equal(parseTimestamp('2026-11-22T02:00:00.1Z'), 1_795_312_800_100_000_000n);
    assert.equal(parseTimestamp('2026-11-22T03:00:00+01:00'), 1_795_312_800_000_000_000n);
    assert.equal(parseTimestamp('yesterday'), null);
  });
});

describe('LineSplitter', () => {
  it('one record per line, newline dropped', () => {
    assert.deepEqual(split(['a\nb\n']), ['2026-11-22T02:00:00.123456789Z stdout F a\n', '2026-11-22T02:00:00.123456790Z stdout F b\n']);
  });
  it('lines across chunks are joined', () => assert.deepEqual(split(['he', 'llo\nwor', 'ld\n']).map((r) => r.slice(31)), ['stdout F hello\n', 'stdout F world\n']));
  it('an unterminated line waits, and is F at the end of the stream', () => {
    assert.deepEqual(split(['partial'], false), []);
    assert.deepEqual(split(['partial']).map((r) => r.slice(31)), ['stdout F partial\n']);
  });
  it('empty lines are records', () => assert.deepEqual(split(['\n\n']).map((r) => r.slice(31)), ['stdout F \n', 'stdout F \n']));
  it('CR is content', () => assert.deepEqual(split(['a\r\n']).map((r) => r.slice(31)), ['stdout F a\r\n']));
  it('a line longer than 16 KiB is cut into P records', () => {
    const long = 'x'.repeat(MAX_LOG_LINE * 2 + 5);
    const recs = split([long.slice(0, 10), `${long.slice(10)}\n`]).map((r) => r.slice(31));
    assert.deepEqual(recs.map((r) => r.slice(0, 9)), ['stdout P ', 'stdout P ', 'stdout F ']);
    assert.deepEqual(recs.map((r) => r.length - 10), [MAX_LOG_LINE, MAX_LOG_LINE, 5]);
  });
});

describe('CriLogWriter', () => {
  const dir = mkdtempSync(join(tmpdir(), 'nk-crilog-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  it('writes both streams into one file and closes after both end', async () => {
    const path = join(dir, 'c', '0.log');
    const w = new CriLogWriter(path);
    const out = new PassThrough();
    const err = new PassThrough();
    w.attach(out, 'stdout');
    w.attach(err, 'stderr');
    out.write('one\n');
    await new Promise((r) => setImmediate(r));
    err.write('two\n');
    await new Promise((r) => setImmediate(r));
    out.end('three');
    err.end();
    await w.close();
    const lines = readFileSync(path, 'utf8').split('\n').filter(Boolean);
    assert.deepEqual(lines.map((l) => l.replace(/^\S+ /, '')), ['stdout F one', 'stderr F two', 'stdout F three']);
    assert.match(lines[0], /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z stdout F one$/);
  });
});
