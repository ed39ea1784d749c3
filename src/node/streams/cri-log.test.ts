import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseCriLine, parseLogQuery, parseTimestamp } from './cri-log.ts';
import { StreamError } from './types.ts';

describe('CRI log lines', () => {
  it('re-renders timestamps as Go RFC3339Nano: trailing zeros dropped, +00:00 as Z', () => {
    assert.equal(parseTimestamp('2026-11-22T02:00:00.123456789Z')!.time, '2026-11-22T02:00:00.123456789Z');
    assert.equal(parseTimestamp('2026-11-22T02:00:00.100000000Z')!.time, '2026-11-22T02:00:00.1Z');
    assert.equal(parseTimestamp('2026-11-22T02:00:00.000000000Z')!.time, '2026-11-22T02:00:00Z');
    assert.equal(parseTimestamp('2026-11-22T02:00:00+00:00')!.time, '2026-11-22T02:00:00Z');
    assert.equal(parseTimestamp('2026-11-22T11:00:00.5+09:00')!.time, '2026-11-22T11:00:00.5+09:00');
    assert.equal(parseTimestamp('yesterday'), undefined);
  });

  it('orders timestamps to the nanosecond, across zones', () => {
    const a = parseTimestamp('2026-11-22T02:00:00.000000001Z')!.ns;
    const b = parseTimestamp('2026-11-22T11:00:00.000000002+09:00')!.ns;
    assert.equal(b - a, 1n);
    assert.equal(parseTimestamp('1970-01-01T00:00:01Z')!.ns, 1_000_000_000n);
  });

  it('parses full and partial lines; a partial line loses its newline', () => {
    const full = parseCriLine(Buffer.from('2026-11-22T02:00:00.123456789Z stdout F hello world\n'))!;
    assert.deepEqual([full.stream, full.partial, full.content.toString()], ['stdout', false, 'hello world\n']);
    const part = parseCriLine(Buffer.from('2026-11-22T02:00:00.1Z stderr P hel\n'))!;
    assert.deepEqual([part.stream, part.partial, part.content.toString()], ['stderr', true, 'hel']);
    const tagged = parseCriLine(Buffer.from('2026-11-22T02:00:00Z stdout F:x \n'))!;
    assert.equal(tagged.content.toString(), '\n');
  });

  it('skips malformed lines, as the kubelet does', () => {
    for (const bad of ['', 'no-timestamp stdout F x\n', '2026-11-22T02:00:00Z stdin F x\n', '2026-11-22T02:00:00Z stdout\n', '2026-11-22T02:00:00Z stdout F\n']) {
      assert.equal(parseCriLine(Buffer.from(bad)), undefined, JSON.stringify(bad));
    }
  });
});

describe('the /containerLogs query', () => {
  const q = (s: string) => parseLogQuery(new URLSearchParams(s), Date.UTC(2026, 10, 22, 3, 0, 0));

  it('reads the kubelet parameters', () => {
    assert.deepEqual(q('follow=true&timestamps=1&tailLines=5&limitBytes=10&previous=false&stream=Stderr'), {
      follow: true,
      previous: false,
      timestamps: true,
      tailLines: 5,
      limitBytes: 10,
      sinceNs: undefined,
      stream: 'stderr',
    });
    assert.equal(q('tail=all').tailLines, undefined);
    assert.equal(q('tail=3').tailLines, 3);
  });

  it('turns sinceSeconds and sinceTime into a nanosecond bound', () => {
    assert.equal(q('sinceSeconds=60').sinceNs, BigInt(Date.UTC(2026, 10, 22, 2, 59, 0)) * 1_000_000n);
    assert.equal(q('sinceTime=2026-11-22T02:00:00Z').sinceNs, BigInt(Date.UTC(2026, 10, 22, 2, 0, 0)) * 1_000_000n);
  });

  it('refuses what cannot be decoded (400) and what is invalid (422)', () => {
    const status = (s: string) => {
      try {
        q(s);
        return 0;
      } catch (e) {
        assert.ok(e instanceof StreamError);
        return e.httpStatus;
      }
    };
    assert.equal(status('follow=maybe'), 400);
    assert.equal(status('tailLines=x'), 400);
    assert.equal(status('tailLines=-1'), 422);
    assert.equal(status('limitBytes=0'), 422);
    assert.equal(status('sinceSeconds=0'), 422);
    assert.equal(status('sinceSeconds=5&sinceTime=2026-11-22T02:00:00Z'), 422);
    assert.equal(status('stream=Both'), 422);
  });
});
