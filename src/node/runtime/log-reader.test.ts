import assert from 'node:assert/strict';
import { appendFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { parseRecord, readLogs, tailStart, type ReadLogsOptions } from './log-reader.ts';

// Records one second apart from 2026-11-22T02:00:01Z; "b" is split over a P and an F record.
const FILE = [
  '2026-11-22T02:00:01.000000001Z stdout F a',
  '2026-11-22T02:00:02.5Z stderr P b-',
  '2026-11-22T02:00:03.000000003Z stderr F part',
  'garbage that is not a record',
  '2026-11-22T02:00:04.000000004Z stdout F ',
  '2026-11-22T02:00:05.000000005Z stdout F e',
].join('\n') + '\n';

const dir = mkdtempSync(join(tmpdir(), 'nk-logs-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const path = join(dir, '0.log');
writeFileSync(path, FILE);

async function read(p: string, opts: ReadLogsOptions = {}): Promise<string> {
  let out = '';
  for await (const chunk of readLogs(p, opts)) out += chunk.toString();
  return out;
}

describe('parseRecord', () => {
  it('splits stamp, stream, tag, content', () => {
    const r = parseRecord(Buffer.from('2026-11-22T02:00:01.000000001Z stdout F a b'))!;
    assert.equal(r.stream, 'stdout');
    assert.equal(r.partial, false);
    assert.equal(r.content.toString(), 'a b');
  });
  it('accepts multi-part tags and an empty content', () => {
    assert.equal(parseRecord(Buffer.from('2026-11-22T02:00:01Z stdout P:x'))!.partial, true);
  });
  it('rejects what is not a record', () => {
    for (const l of ['', 'x y z', '2026-11-22T02:00:01Z stdin F a', '2026-11-22T02:00:01Z stdout X a']) assert.equal(parseRecord(Buffer.from(l)), null);
  });
});

describe('readLogs', () => {
  it('prints contents; P records without a newline; bad lines skipped', async () => {
    assert.equal(await read(path), 'a\nb-part\n\ne\n');
  });
  it('--timestamps: every record with nine fraction digits', async () => {
    assert.equal(
      await read(path, { timestamps: true }),
      '2026-11-22T02:00:01.000000001Z a\n2026-11-22T02:00:02.500000000Z b-2026-11-22T02:00:03.000000003Z part\n2026-11-22T02:00:04.000000004Z \n2026-11-22T02:00:05.000000005Z e\n',
    );
  });
  it('--tail counts lines of the file from the end', async () => {
    assert.equal(await read(path, { tail: 1 }), 'e\n');
    assert.equal(await read(path, { tail: 2 }), '\ne\n');
    assert.equal(await read(path, { tail: 0 }), '');
    assert.equal(await read(path, { tail: 100 }), 'a\nb-part\n\ne\n');
    assert.equal(await read(path, { tail: -1 }), 'a\nb-part\n\ne\n');
  });
  it('--since-time skips older records', async () => {
    assert.equal(await read(path, { sinceTime: new Date('2026-11-22T02:00:03Z') }), 'part\n\ne\n');
  });
  it('--limit-bytes cuts the output', async () => {
    assert.equal(await read(path, { limitBytes: 5 }), 'a\nb-p');
  });
  it('one stream only', async () => {
    assert.equal(await read(path, { stream: 'stderr' }), 'b-part\n');
  });
  it('tailStart on an empty file and without a final newline', async () => {
    const p = join(dir, 'nonl.log');
    writeFileSync(p, 'x\ny');
    const fh = await open(p);
    try {
      assert.equal(await tailStart(fh, 3, 1), 2);
      assert.equal(await tailStart(fh, 0, 5), 0);
    } finally {
      await fh.close();
    }
  });
  it('-f follows appended records until the container stops', async () => {
    const p = join(dir, 'follow.log');
    writeFileSync(p, '2026-11-22T02:00:01Z stdout F first\n');
    let running = true;
    const chunks: string[] = [];
    const done = (async () => {
      for await (const c of readLogs(p, { follow: true, stillRunning: () => running, pollMs: 20 })) chunks.push(c.toString());
    })();
    await waitFor(() => chunks.length === 1);
    appendFileSync(p, '2026-11-22T02:00:02Z stdout F sec');
    await new Promise((r) => setTimeout(r, 60));
    assert.deepEqual(chunks, ['first\n'], 'half a line is not a record yet');
    appendFileSync(p, 'ond\n');
    await waitFor(() => chunks.length === 2);
    appendFileSync(p, '2026-11-22T02:00:03Z stdout F last\n');
    running = false;
    await done;
    assert.deepEqual(chunks, ['first\n', 'second\n', 'last\n']);
  });
  it('-f ends when the caller aborts', async () => {
    const ac = new AbortController();
    const chunks: string[] = [];
    const done = (async () => {
      for await (const c of readLogs(path, { follow: true, tail: 1, signal: ac.signal })) chunks.push(c.toString());
    })();
    await waitFor(() => chunks.length === 1);
    ac.abort();
    await done;
    assert.deepEqual(chunks, ['e\n']);
  });
});

async function waitFor(cond: () => boolean, ms = 3000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}
