/**
 * @module openStore: the datastore URL picks the backend; bad URLs get clear errors that
 * never repeat the URL (it may carry credentials). Files go under a fresh temp directory.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { MemoryStore, openStore, SqliteStore } from './index.ts';

const dir = mkdtempSync(join(tmpdir(), 'nanokube-open-'));
after(() => rmSync(dir, { recursive: true, force: true }));

test('memory:// opens a MemoryStore', async () => {
  const s = await openStore('memory://');
  assert.ok(s instanceof MemoryStore);
  await s.close();
});

test('sqlite:///abs/path opens a SqliteStore, creating the directory', async () => {
  const path = join(dir, 'nested', 'deeper', 'state.db');
  const s = await openStore(`sqlite://${path}?synchronous=normal`);
  assert.ok(s instanceof SqliteStore);
  await s.create('/a', '1');
  await s.close();
  assert.ok(existsSync(path));
  const again = await openStore(`sqlite://${path}`);
  assert.equal((await again.get('/a'))?.value, '1');
  await again.close();
});

test('bad datastore URLs are refused with a clear error that does not repeat the URL', async () => {
  const cases: Array<[string, RegExp]> = [
    ['etcd://user:s3cret@h1:2379,h2:2379', /etcd datastore is not implemented yet; use sqlite/],
    ['sqlite://relative/state.db', /absolute file path/],
    [`sqlite://${join(dir, 'x.db')}?synchronous=off`, /synchronous must be full or normal/],
    [`sqlite://${join(dir, 'x.db')}?cache=shared`, /unknown option "cache"/],
    ['postgres://user:s3cret@db/kine', /unknown datastore scheme "postgres"/],
    ['/just/a/path', /no scheme/],
  ];
  for (const [url, message] of cases) {
    await assert.rejects(openStore(url), (err: Error & { code?: string }) => {
      assert.equal(err.name, 'StoreError');
      assert.equal(err.code, 'INTERNAL');
      assert.match(err.message, message);
      assert.ok(!err.message.includes('s3cret') && !err.message.includes(dir), err.message);
      return true;
    });
  }
});
