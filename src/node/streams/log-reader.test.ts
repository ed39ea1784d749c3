import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseLogQuery, type LogOptions } from './cri-log.ts';
import { readLogs, tailStart } from './log-reader.ts';
import { StreamError } from './types.ts';

const dir = mkdtempSync(join(tmpdir(), 'nanokube-logs-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const LOG = [
  '2026-11-22T02:00:00.000000001Z stdout F one\n',
  '2026-11-22T02:00:01.500000000Z stderr F two\n',
  '2026-11-22T02:00:02Z stdout P thr\n',
  '2026-11-22T02:00:02.1Z stdout F ee\n',
  'garbage that is not a CRI line\n',
  '2026-11-22T02:00:03Z stdout F four\n',
].join('');

let n = 0;
function file(text: string): string {
  const p = join(dir, `c${n++}.log`);
  writeFileSync(p, text);
  return p;
}

const opts = (q: string): LogOptions => parseLogQuery(new URLSearchParams(q), Date.UTC(2026, 10, 22, 2, 0, 3));

async function read(path: string, q = '', running = () => false): Promise<string> {
  const chunks: Buffer[] = [];
  await readLogs(path, opts(q), { write: (c) => void chunks.push(c) }, { running, signal: new AbortController().signal, pollMs: 20 });
  return Buffer.concat(chunks).toString();
}

describe('reading CRI log files', () => {
  it('writes the text of every line, joining partial lines and skipping garbage', async () => {
    assert.equal(await read(file(LOG)), 'one\ntwo\nthree\nfour\n');
  });

  it('prefixes RFC3339Nano timestamps, one per CRI line', async () => {
    assert.equal(
      await read(file(LOG), 'timestamps=true'),
      '2026-11-22T02:00:00.000000001Z one\n2026-11-22T02:00:01.5Z two\n2026-11-22T02:00:02Z thr2026-11-22T02:00:02.1Z ee\n2026-11-22T02:00:03Z four\n',
    );
  });

  it('starts at the last N lines of the file (tailLines), counting CRI lines', async () => {
    const p = file(LOG);
    assert.equal(await read(p, 'tailLines=1'), 'four\n');
    assert.equal(await read(p, 'tailLines=2'), 'four\n', 'the garbage line counts as a line, as upstream');
    assert.equal(await read(p, 'tailLines=3'), 'ee\nfour\n', 'a partial line cut by the tail shows its rest only');
    assert.equal(await read(p, 'tailLines=4'), 'three\nfour\n');
    assert.equal(await read(p, 'tailLines=0'), '');
    assert.equal(await read(p, 'tailLines=100'), 'one\ntwo\nthree\nfour\n');
  });

  it('finds the tail across read blocks', async () => {
    const lines = Array.from({ length: 5000 }, (_, i) => `2026-11-22T02:00:00Z stdout F line ${i} ${'x'.repeat(40)}\n`).join('');
    const p = file(lines);
    assert.equal(await read(p, 'tailLines=2'), `line 4998 ${'x'.repeat(40)}\nline 4999 ${'x'.repeat(40)}\n`);
    const fh = await open(p);
    try {
      assert.equal(await tailStart(fh, lines.length, 4999), lines.indexOf('\n') + 1);
    } finally {
      await fh.close();
    }
  });

  it('reads an unterminated last line, and does not count it for the tail', async () => {
    const p = file('2026-11-22T02:00:00Z stdout F a\n2026-11-22T02:00:00Z stdout F b\n2026-11-22T02:00:00Z stdout F c');
    assert.equal(await read(p), 'a\nb\nc');
    assert.equal(await read(p, 'tailLines=1'), 'b\nc');
  });

  it('skips lines before sinceTime / sinceSeconds', async () => {
    const p = file(LOG);
    assert.equal(await read(p, 'sinceTime=2026-11-22T02:00:02Z'), 'three\nfour\n');
    assert.equal(await read(p, 'sinceSeconds=2'), 'two\nthree\nfour\n');
  });

  it('stops at limitBytes, counting the timestamps', async () => {
    const p = file(LOG);
    assert.equal(await read(p, 'limitBytes=6'), 'one\ntw');
    assert.equal(await read(p, 'limitBytes=33&timestamps=true'), '2026-11-22T02:00:00.000000001Z on');
  });

  it('selects one stream', async () => {
    assert.equal(await read(file(LOG), 'stream=Stderr'), 'two\n');
  });

  it('says why when the file cannot be opened', async () => {
    await assert.rejects(read(join(dir, 'missing.log')), (e) => e instanceof StreamError && e.httpStatus === 400 && /failed to try resolving symlinks in path ".*missing.log": lstat .*: no such file or directory/.test(e.message));
  });

  it('follows appended lines until the container stops', async () => {
    const p = file('2026-11-22T02:00:00Z stdout F first\n');
    let running = true;
    const ac = new AbortController();
    const got: string[] = [];
    const done = readLogs(p, opts('follow=true'), { write: (c) => void got.push(c.toString()) }, { running: () => running, signal: ac.signal, pollMs: 20 });
    try {
      await waitUntil(() => got.join('') === 'first\n');
      appendFileSync(p, '2026-11-22T02:00:01Z stdout F sec');
      await new Promise((r) => setTimeout(r, 60));
      assert.equal(got.join(''), 'first\n', 'an unterminated line waits for its end while following');
      appendFileSync(p, 'ond\n');
      await waitUntil(() => got.join('') === 'first\nsecond\n');
      appendFileSync(p, '2026-11-22T02:00:02Z stdout F last words\n');
      running = false;
      await done;
      assert.equal(got.join(''), 'first\nsecond\nlast words\n');
    } finally {
      ac.abort();
      await done;
    }
  });

  it('follows across a rotation without losing the old file\'s last lines, and stops when the client goes away', async () => {
    for (let round = 0; round < 20; round++) {
      const p = file('2026-11-22T02:00:00Z stdout F before\n');
      const ac = new AbortController();
      const got: string[] = [];
      const done = readLogs(p, opts('follow=true'), { write: (c) => void got.push(c.toString()) }, { running: () => true, signal: ac.signal, pollMs: 5 });
      try {
        await waitUntil(() => got.join('') === 'before\n');
        await new Promise((r) => setTimeout(r, round % 7)); // land the rotation at different points of the reader's loop
        appendFileSync(p, '2026-11-22T02:00:01Z stdout F end of old file\n');
        renameSync(p, `${p}.1`);
        writeFileSync(p, '2026-11-22T02:00:02Z stdout F after\n');
        await waitUntil(() => got.join('') === 'before\nend of old file\nafter\n');
      } finally {
        ac.abort();
        await done;
      }
    }
  });
});

async function waitUntil(cond: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}
