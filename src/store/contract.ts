/**
 * @module The contract every store backend must pass, run by each backend's test file with
 * its own factory, as hono's `runTest({ newRouter })`: `storeContract('sqlite', open)`.
 * Each test gets a fresh, empty store from the factory and closes it at the end.
 */
import assert from 'node:assert/strict';
import { describe } from 'node:test';
import { kv, storeError, storeTest } from './contract-helpers.ts';
import type { OpenStore } from './contract-helpers.ts';
import { watchContract } from './contract-watch.ts';
import type { StoreError } from './types.ts';
import type { Store } from './types.ts';

export type { OpenStore } from './contract-helpers.ts';

/** Byte order of UTF-8, what list promises. */
function byteOrder(keys: string[]): string[] {
  return [...keys].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
}

export function storeContract(name: string, open: OpenStore): void {
  describe(`store contract: ${name}`, () => {
    const it = (title: string, fn: (s: Store) => Promise<void>) => storeTest(open, title, fn);

    it('starts at revision 0; each write takes the next revision from 1; failed writes take none', async (s) => {
      assert.equal(await s.currentRevision(), 0);
      assert.equal(await s.compactRevision(), 0);
      assert.deepEqual(await s.create('/r/a', '1'), kv('/r/a', '1', 1, 1));
      assert.deepEqual(await s.update('/r/a', '2', 1), kv('/r/a', '2', 1, 2));
      assert.deepEqual(await s.create('/r/b', 'x'), kv('/r/b', 'x', 3, 3));
      assert.deepEqual(await s.delete('/r/a', 0), kv('/r/a', '2', 1, 4));
      assert.equal(await s.currentRevision(), 4);
      await storeError(s.create('/r/b', 'y'), 'KEY_EXISTS');
      await storeError(s.update('/r/a', 'y', 0), 'NOT_FOUND');
      await storeError(s.update('/r/b', 'y', 1), 'CONFLICT');
      await storeError(s.delete('/r/a', 0), 'NOT_FOUND');
      assert.equal(await s.currentRevision(), 4);
      assert.equal((await s.create('/r/c', 'z')).modRevision, 5);
    });

    it('create refuses an existing key; a deleted key can be created again', async (s) => {
      assert.equal(await s.get('/k/a'), undefined);
      await s.create('/k/a', 'v1');
      const err = await storeError(s.create('/k/a', 'v2'), 'KEY_EXISTS');
      assert.equal(err.name, 'StoreError');
      assert.deepEqual(await s.get('/k/a'), kv('/k/a', 'v1', 1, 1));
      await s.delete('/k/a', 1);
      assert.equal(await s.get('/k/a'), undefined);
      assert.deepEqual(await s.create('/k/a', 'v3'), kv('/k/a', 'v3', 3, 3));
      assert.deepEqual(await s.get('/k/a'), kv('/k/a', 'v3', 3, 3));
    });

    it('update compares modRevision: CONFLICT carries the current value, 0 is unconditional', async (s) => {
      await storeError(s.update('/u/a', 'x', 0), 'NOT_FOUND');
      await s.create('/u/a', 'v1');
      assert.deepEqual(await s.update('/u/a', 'v2', 1), kv('/u/a', 'v2', 1, 2));
      const err = await storeError(s.update('/u/a', 'v3', 1), 'CONFLICT');
      assert.deepEqual(err.current, kv('/u/a', 'v2', 1, 2));
      assert.deepEqual(await s.get('/u/a'), kv('/u/a', 'v2', 1, 2));
      assert.deepEqual(await s.update('/u/a', 'v4', 0), kv('/u/a', 'v4', 1, 3));
      await s.delete('/u/a', 3);
      await storeError(s.update('/u/a', 'v5', 0), 'NOT_FOUND');
      await storeError(s.update('/u/a', 'v5', 3), 'NOT_FOUND');
    });

    it('delete compares modRevision and returns the deleted value at the delete revision', async (s) => {
      await storeError(s.delete('/d/a', 0), 'NOT_FOUND');
      await s.create('/d/a', 'v1');
      await s.update('/d/a', 'v2', 1);
      const err = await storeError(s.delete('/d/a', 1), 'CONFLICT');
      assert.deepEqual(err.current, kv('/d/a', 'v2', 1, 2));
      assert.deepEqual(await s.get('/d/a'), kv('/d/a', 'v2', 1, 2));
      assert.deepEqual(await s.delete('/d/a', 2), kv('/d/a', 'v2', 1, 3));
      assert.equal(await s.get('/d/a'), undefined);
      await storeError(s.delete('/d/a', 0), 'NOT_FOUND');
    });

    it('get and list read the state as of a past revision', async (s) => {
      await s.create('/h/a', 'a1'); // 1
      await s.create('/h/b', 'b1'); // 2
      await s.update('/h/a', 'a2', 1); // 3
      await s.delete('/h/b', 2); // 4
      await s.create('/h/b', 'b2'); // 5
      assert.deepEqual(await s.get('/h/a', { revision: 1 }), kv('/h/a', 'a1', 1, 1));
      assert.deepEqual(await s.get('/h/a', { revision: 2 }), kv('/h/a', 'a1', 1, 1));
      assert.deepEqual(await s.get('/h/a', { revision: 3 }), kv('/h/a', 'a2', 1, 3));
      assert.equal(await s.get('/h/b', { revision: 1 }), undefined);
      assert.deepEqual(await s.get('/h/b', { revision: 3 }), kv('/h/b', 'b1', 2, 2));
      assert.equal(await s.get('/h/b', { revision: 4 }), undefined);
      assert.deepEqual(await s.get('/h/b', { revision: 5 }), kv('/h/b', 'b2', 5, 5));
      assert.deepEqual(await s.list('/h/', { revision: 2 }), {
        items: [kv('/h/a', 'a1', 1, 1), kv('/h/b', 'b1', 2, 2)], revision: 2, more: false,
      });
      assert.deepEqual(await s.list('/h/', { revision: 4 }), { items: [kv('/h/a', 'a2', 1, 3)], revision: 4, more: false });
      assert.deepEqual(await s.list('/h/'), {
        items: [kv('/h/a', 'a2', 1, 3), kv('/h/b', 'b2', 5, 5)], revision: 5, more: false,
      });
      assert.equal((await s.list('/h/', { revision: 0 })).revision, 5);
    });

    it('reads past the current revision fail with FUTURE_REVISION', async (s) => {
      await s.create('/f/a', 'x');
      await storeError(s.get('/f/a', { revision: 2 }), 'FUTURE_REVISION');
      await storeError(s.list('/f/', { revision: 2 }), 'FUTURE_REVISION');
    });

    it('list pages with limit and startKey, says when there is more, skips deleted keys', async (s) => {
      const keys = Array.from({ length: 10 }, (_, i) => `/p/${String(i).padStart(2, '0')}`);
      for (const k of [...keys].reverse()) await s.create(k, k);
      await s.create('/q/00', 'other prefix');
      const first = await s.list('/p/', { limit: 4 });
      assert.deepEqual(first.items.map((i) => i.key), keys.slice(0, 4));
      assert.equal(first.more, true);
      // A write between pages must not show up in the later pages read at the first page's revision.
      await s.delete('/p/05', 0);
      await s.create('/p/055', 'new');
      const pages = [first];
      while (pages[pages.length - 1].more) {
        const last = pages[pages.length - 1].items.at(-1)!.key;
        pages.push(await s.list('/p/', { limit: 4, startKey: `${last}\u0000`, revision: first.revision }));
      }
      assert.deepEqual(pages.flatMap((p) => p.items.map((i) => i.key)), keys);
      assert.deepEqual(pages.map((p) => p.more), [true, true, false]);
      // Exactly `limit` keys left: more is false.
      assert.deepEqual(await s.list('/p/', { limit: 2, startKey: '/p/08' }).then((r) => [r.items.length, r.more]), [2, false]);
      // Deleted keys neither appear nor use up the limit.
      const now = await s.list('/p/', { limit: 6 });
      assert.deepEqual(now.items.map((i) => i.key), ['/p/00', '/p/01', '/p/02', '/p/03', '/p/04', '/p/055']);
      // A startKey before the prefix starts at the prefix; one after it lists nothing.
      assert.equal((await s.list('/p/', { startKey: '/a' })).items.length, 10);
      assert.deepEqual(await s.list('/p/', { startKey: '/z' }), { items: [], revision: await s.currentRevision(), more: false });
    });

    it('list returns keys in UTF-8 byte order', async (s) => {
      // U+FF5E sorts before U+1F600 in UTF-8 but after it in UTF-16 (surrogates are D800..DFFF).
      const keys = ['/o/b', '/o/B', '/o/\uff5e', '/o/\u{1f600}', '/o/é', '/o/a/b', '/o/a', '/o/~'];
      for (const k of keys) await s.create(k, k);
      const listed = (await s.list('/o/')).items.map((i) => i.key);
      assert.deepEqual(listed, byteOrder(keys));
      assert.deepEqual((await s.list('/o/', { startKey: '/o/\uff5e' })).items.map((i) => i.key), ['/o/\uff5e', '/o/\u{1f600}']);
    });

    it('count counts the live keys under a prefix', async (s) => {
      await s.create('/n/a', '1');
      await s.create('/n/b', '1');
      await s.create('/n/c', '1');
      await s.update('/n/c', '2', 0);
      await s.create('/n/d', '1');
      await s.delete('/n/d', 0);
      await s.create('/nn/a', '1');
      assert.equal(await s.count('/n/'), 3);
      assert.equal(await s.count('/n'), 4);
      assert.equal(await s.count(''), 4);
      assert.equal(await s.count('/none/'), 0);
    });

    it('a prefix is a plain string prefix: /a/ does not match /ab/', async (s) => {
      for (const k of ['/a', '/a/', '/a/1', '/ab/1', '/b/1']) await s.create(k, k);
      assert.deepEqual((await s.list('/a/')).items.map((i) => i.key), ['/a/', '/a/1']);
      assert.deepEqual((await s.list('/a')).items.map((i) => i.key), ['/a', '/a/', '/a/1', '/ab/1']);
      assert.deepEqual((await s.list('')).items.map((i) => i.key), ['/a', '/a/', '/a/1', '/ab/1', '/b/1']);
      assert.equal(await s.count('/a/'), 2);
      assert.equal(await s.count('/ab/'), 1);
    });

    it('values come back exactly; malformed Unicode is refused, not mangled', async (s) => {
      const value = JSON.stringify({ emoji: '\u{1f600}', nl: 'a\nb', nul: 'x\u0000y', big: 'x'.repeat(1 << 20) });
      await s.create('/v/a', value);
      assert.equal((await s.get('/v/a'))!.value, value);
      await s.create('/v/empty', '');
      assert.equal((await s.get('/v/empty'))!.value, '');
      await storeError(s.create('/v/\ud800', 'x'), 'INTERNAL');
      await storeError(s.create('/v/b', 'lone \udc00'), 'INTERNAL');
      assert.equal(await s.currentRevision(), 2);
    });

    it('compaction drops old revisions: reads and watches below it fail with COMPACTED', async (s) => {
      await s.create('/c/a', 'a1'); // 1
      await s.update('/c/a', 'a2', 1); // 2
      await s.create('/c/b', 'b1'); // 3
      await s.delete('/c/b', 3); // 4
      await s.create('/c/c', 'c1'); // 5
      await s.update('/c/a', 'a3', 2); // 6
      await s.compact(4);
      assert.equal(await s.compactRevision(), 4);
      assert.equal((await storeError(s.get('/c/a', { revision: 3 }), 'COMPACTED')).compactRevision, 4);
      assert.equal((await storeError(s.list('/c/', { revision: 1 }), 'COMPACTED')).compactRevision, 4);
      const noop = { signal: new AbortController().signal, onEvent: () => {} };
      assert.equal((await storeError(s.watch('/c/', { ...noop, afterRevision: 3 }), 'COMPACTED')).compactRevision, 4);
      // The state at the compact revision itself is whole.
      assert.deepEqual((await s.list('/c/', { revision: 4 })).items, [kv('/c/a', 'a2', 1, 2)]);
      assert.deepEqual((await s.list('/c/', { revision: 5 })).items, [kv('/c/a', 'a2', 1, 2), kv('/c/c', 'c1', 5, 5)]);
      assert.deepEqual((await s.list('/c/')).items, [kv('/c/a', 'a3', 1, 6), kv('/c/c', 'c1', 5, 5)]);
      assert.equal(await s.get('/c/b', { revision: 4 }), undefined);
      assert.equal(await s.count('/c/'), 2);
      await storeError(s.compact(4), 'COMPACTED');
      await storeError(s.compact(7), 'FUTURE_REVISION');
      assert.deepEqual(await s.create('/c/b', 'b2'), kv('/c/b', 'b2', 7, 7));
      // Deleting everything and compacting at the current revision leaves an empty store whose
      // keys can be created again.
      for (const item of (await s.list('/c/')).items) await s.delete(item.key, item.modRevision);
      await s.compact(await s.currentRevision());
      assert.deepEqual((await s.list('')).items, []);
      assert.equal(await s.count(''), 0);
      assert.deepEqual(await s.create('/c/a', 'again'), kv('/c/a', 'again', 11, 11));
    });

    it('100 concurrent creates of distinct keys get distinct revisions 1..100', async (s) => {
      const keys = Array.from({ length: 100 }, (_, i) => `/cc/${i}`);
      const created = await Promise.all(keys.map((k) => s.create(k, k)));
      assert.deepEqual(created.map((c) => c.modRevision).sort((a, b) => a - b), keys.map((_, i) => i + 1));
      assert.equal(await s.count('/cc/'), 100);
      for (const c of created) assert.deepEqual(await s.get(c.key), c);
    });

    it('concurrent creates of one key: exactly one wins', async (s) => {
      const results = await Promise.allSettled(Array.from({ length: 20 }, (_, i) => s.create('/one', `v${i}`)));
      const won = results.filter((r) => r.status === 'fulfilled');
      assert.equal(won.length, 1);
      for (const r of results) if (r.status === 'rejected') assert.equal((r.reason as StoreError).code, 'KEY_EXISTS');
      assert.equal(await s.currentRevision(), 1);
    });

    it('50 concurrent compare-and-swap updates of one key: exactly one wins each round', async (s) => {
      await s.create('/cas', 'start');
      for (let round = 0; round < 5; round++) {
        const before = (await s.get('/cas'))!;
        const results = await Promise.allSettled(
          Array.from({ length: 50 }, (_, i) => s.update('/cas', `r${round}-${i}`, before.modRevision)),
        );
        const won = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
        assert.equal(won.length, 1, `round ${round}`);
        assert.equal(won[0].modRevision, before.modRevision + 1);
        for (const r of results) {
          if (r.status === 'fulfilled') continue;
          assert.equal((r.reason as StoreError).code, 'CONFLICT');
          assert.deepEqual((r.reason as StoreError).current, won[0]);
        }
        assert.deepEqual(await s.get('/cas'), won[0]);
      }
      assert.equal(await s.currentRevision(), 6);
    });

    it('after close every call fails with CLOSED; closing twice is fine', async (s) => {
      await s.create('/z/a', '1');
      await s.close();
      await s.close();
      await storeError(s.get('/z/a'), 'CLOSED');
      await storeError(s.list('/z/'), 'CLOSED');
      await storeError(s.create('/z/b', '1'), 'CLOSED');
      await storeError(s.currentRevision(), 'CLOSED');
      await storeError(s.watch('/z/', { afterRevision: 0, signal: new AbortController().signal, onEvent: () => {} }), 'CLOSED');
    });

    watchContract(open);
  });
}
