/**
 * @module Runs the store contract against SqliteStore, plus what only a file can show:
 * reopening continues the data and the revision, and kill -9 loses no acknowledged write.
 * Every database lives in a fresh directory under the OS temp dir, removed at the end.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { after, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { kv, storeError } from './contract-helpers.ts';
import { storeContract } from './contract.ts';
import { SqliteStore } from './sqlite.ts';
import type { WatchEvent } from './types.ts';

const dir = mkdtempSync(join(tmpdir(), 'nanokube-store-'));
after(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
const freshPath = () => join(dir, `state-${++n}.db`);

storeContract('sqlite', async () => new SqliteStore({ path: freshPath() }));
storeContract('sqlite, synchronous=normal, history pages of 3', async () =>
  new SqliteStore({ path: freshPath(), synchronous: 'normal', historyPage: 3 }));

describe('sqlite file', () => {
  test('reopening the file keeps the data, the revision and the compact revision', async () => {
    const path = freshPath();
    const first = new SqliteStore({ path });
    await first.create('/re/a', '1'); // 1
    await first.create('/re/b', '1'); // 2
    await first.update('/re/a', '2', 1); // 3
    await first.delete('/re/b', 0); // 4: compaction below removes this newest row
    await first.compact(4);
    await first.close();

    const s = new SqliteStore({ path });
    try {
      assert.equal(await s.currentRevision(), 4);
      assert.equal(await s.compactRevision(), 4);
      assert.deepEqual((await s.list('/re/')).items, [kv('/re/a', '2', 1, 3)]);
      await storeError(s.get('/re/a', { revision: 3 }), 'COMPACTED');
      const events: WatchEvent[] = [];
      await s.watch('/re/', { afterRevision: 4, signal: new AbortController().signal, onEvent: (e) => events.push(e) });
      // The revision continues after the last one ever used, not after the newest row left.
      assert.deepEqual(await s.create('/re/b', 'again'), kv('/re/b', 'again', 5, 5));
      assert.deepEqual(events.map((e) => e.kv), [kv('/re/b', 'again', 5, 5)]);
    } finally {
      await s.close();
    }
    const raw = new DatabaseSync(path);
    assert.equal(raw.prepare('PRAGMA journal_mode').get()!.journal_mode, 'wal');
    raw.close();
  });

  test('compaction leaves only the rows still needed: each live key\'s latest row, and newer ones', async () => {
    const path = freshPath();
    const s = new SqliteStore({ path });
    await s.create('/gc/a', '1'); // 1
    await s.update('/gc/a', '2', 0); // 2
    await s.create('/gc/b', '1'); // 3
    await s.delete('/gc/b', 0); // 4
    await s.update('/gc/a', '3', 0); // 5
    await s.compact(4);
    await s.close();
    const raw = new DatabaseSync(path);
    const ids = raw.prepare('SELECT id FROM kv_log ORDER BY id').all().map((r) => r.id);
    const meta = raw.prepare('SELECT key, value FROM meta').all().map((r) => ({ ...r }));
    raw.close();
    assert.deepEqual(ids, [2, 5]);
    assert.deepEqual(meta, [{ key: 'compact_revision', value: 4 }]);
  });

  test('a second writer on the same file is refused, not merged', async () => {
    const path = freshPath();
    const a = new SqliteStore({ path });
    const b = new SqliteStore({ path });
    try {
      await a.create('/two/a', '1');
      const err = await storeError(b.create('/two/b', '1'), 'INTERNAL');
      assert.match(err.message, /another process/);
      assert.equal(await a.count('/two/'), 1);
    } finally {
      await a.close();
      await b.close();
    }
  });

  for (const synchronous of ['full', 'normal'] as const) {
    test(`kill -9 loses no acknowledged write (synchronous=${synchronous})`, async () => {
      const path = freshPath();
      const script = fileURLToPath(new URL('./testdata/create-loop.ts', import.meta.url));
      const child = spawn(process.execPath, [script, path, synchronous], { stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      let errOut = '';
      child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
      child.stderr.setEncoding('utf8').on('data', (d: string) => (errOut += d));
      const closed = once(child, 'close');
      while (!out.startsWith('ready\n') && child.exitCode === null) await sleep(10);
      assert.ok(out.startsWith('ready\n'), `child did not start: ${errOut}`);
      await sleep(300);
      assert.equal(child.exitCode, null, `child died before the kill: ${errOut}`);
      child.kill('SIGKILL');
      await closed;
      // Only complete lines: the kill may cut the last one short.
      const acked = out.split('\n').slice(1, -1);
      assert.ok(acked.length > 50, `only ${acked.length} writes acknowledged before the kill`);

      const s = new SqliteStore({ path });
      try {
        const missing = [];
        for (const key of acked) if (!(await s.get(key))) missing.push(key);
        assert.deepEqual(missing, []);
        const revision = await s.currentRevision();
        assert.ok(revision >= acked.length);
        assert.equal((await s.create('/after-kill', 'x')).modRevision, revision + 1);
      } finally {
        await s.close();
      }
    });
  }
});
