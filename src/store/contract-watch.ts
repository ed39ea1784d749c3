/**
 * @module The watch half of the store contract (see contract.ts, which runs it).
 */
import assert from 'node:assert/strict';
import { kv, storeError, storeTest } from './contract-helpers.ts';
import type { OpenStore } from './contract-helpers.ts';
import type { Store, WatchEvent } from './types.ts';

interface Recorder {
  events: WatchEvent[];
  errors: Error[];
  abort: AbortController;
  /** The watch() promise: resolves when the watcher is live. */
  started: Promise<void>;
}

function record(s: Store, prefix: string, afterRevision: number, onEvent?: (e: WatchEvent) => void): Recorder {
  const r: Recorder = { events: [], errors: [], abort: new AbortController(), started: Promise.resolve() };
  r.started = s.watch(prefix, {
    afterRevision,
    signal: r.abort.signal,
    onEvent: (e) => {
      r.events.push(e);
      onEvent?.(e);
    },
    onError: (err) => r.errors.push(err),
  });
  return r;
}

function revisions(events: WatchEvent[]): number[] {
  return events.map((e) => e.kv.modRevision);
}

function nextTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

export function watchContract(open: OpenStore): void {
  const it = (title: string, fn: (s: Store) => Promise<void>) => storeTest(open, title, fn);

  it('watch replays history after afterRevision, then live events, with prev values', async (s) => {
    await s.create('/w/a', 'a1'); // 1
    await s.create('/x/a', 'other prefix'); // 2
    await s.update('/w/a', 'a2', 1); // 3
    const w = record(s, '/w/', 1);
    await w.started;
    assert.deepEqual(w.events, [{ type: 'PUT', kv: kv('/w/a', 'a2', 1, 3), prev: kv('/w/a', 'a1', 1, 1), created: false }]);
    await s.create('/w/b', 'b1'); // 4
    await s.delete('/w/a', 3); // 5
    await s.create('/w/a', 'a3'); // 6
    await s.update('/x/a', 'still other', 0); // 7
    // Live events are delivered synchronously at commit: no waiting needed.
    assert.deepEqual(w.events.slice(1), [
      { type: 'PUT', kv: kv('/w/b', 'b1', 4, 4), created: true },
      { type: 'DELETE', kv: kv('/w/a', 'a2', 1, 5), prev: kv('/w/a', 'a2', 1, 3), created: false },
      { type: 'PUT', kv: kv('/w/a', 'a3', 6, 6), created: true },
    ]);
    assert.deepEqual(w.errors, []);
    const all = record(s, '', 0);
    await all.started;
    assert.deepEqual(revisions(all.events), [1, 2, 3, 4, 5, 6, 7]);
  });

  it('watch hands over from history to live without gap or duplicate while writes race', async (s) => {
    // Enough history for several pages of replay, so writes land while it is being read.
    const expected: number[] = [];
    const write = async (i: number) => {
      const key = i % 5 === 0 ? `/d/${i % 7}` : `/c/${i % 11}`;
      const existing = await s.get(key);
      const r = existing ? await s.update(key, `v${i}`, existing.modRevision) : await s.create(key, `v${i}`);
      if (key.startsWith('/c/')) expected.push(r.modRevision);
    };
    for (let i = 0; i < 2600; i++) await write(i);
    const after = 100;
    let stop = false;
    const writer = (async () => {
      for (let i = 2600; !stop || i < 2700; i++) {
        await write(i);
        await nextTurn();
      }
    })();
    await nextTurn();
    const w = record(s, '/c/', after);
    await w.started;
    stop = true;
    await writer;
    for (let i = 2700; i < 2710; i++) await write(i);
    const want = expected.filter((r) => r > after);
    assert.deepEqual(revisions(w.events), want);
    assert.ok(w.events.every((e) => e.kv.key.startsWith('/c/')));
    assert.deepEqual(w.errors, []);
  });

  it('a watch from a future revision delivers only what comes after it', async (s) => {
    await s.create('/fw/a', '1');
    const w = record(s, '/fw/', 3);
    await w.started;
    await s.update('/fw/a', '2', 0); // 2
    await s.update('/fw/a', '3', 0); // 3
    await s.update('/fw/a', '4', 0); // 4
    assert.deepEqual(revisions(w.events), [4]);
  });

  it('aborting the signal stops the watch without an error', async (s) => {
    const w = record(s, '/ab/', 0);
    await w.started;
    await s.create('/ab/a', '1');
    w.abort.abort();
    await s.create('/ab/b', '1');
    assert.deepEqual(revisions(w.events), [1]);
    assert.deepEqual(w.errors, []);
    const ac = new AbortController();
    ac.abort();
    const events: WatchEvent[] = [];
    await s.watch('/ab/', { afterRevision: 0, signal: ac.signal, onEvent: (e) => events.push(e) });
    await s.create('/ab/c', '1');
    assert.deepEqual(events, []);
  });

  it('a watcher whose callback throws ends with that error; the others carry on', async (s) => {
    const boom = new Error('boom');
    const bad = record(s, '/t/', 0, () => {
      throw boom;
    });
    const good = record(s, '/t/', 0);
    await Promise.all([bad.started, good.started]);
    await s.create('/t/a', '1');
    await s.create('/t/b', '1');
    assert.deepEqual(revisions(good.events), [1, 2]);
    assert.deepEqual(revisions(bad.events), [1]);
    assert.deepEqual(bad.errors, [boom]);
    assert.deepEqual(good.errors, []);
  });

  it('a write made from inside a callback reaches every watcher in revision order', async (s) => {
    const writer = record(s, '/re/', 0, (e) => {
      if (e.kv.key === '/re/a') void s.create('/re/b', 'from callback');
    });
    const other = record(s, '/re/', 0);
    await Promise.all([writer.started, other.started]);
    await s.create('/re/a', '1');
    await s.create('/re/c', '1');
    assert.deepEqual(other.events.map((e) => e.kv.key), ['/re/a', '/re/b', '/re/c']);
    assert.deepEqual(revisions(other.events), [1, 2, 3]);
    assert.deepEqual(revisions(writer.events), [1, 2, 3]);
  });

  it('hundreds of watchers on different prefixes each see exactly their keys', async (s) => {
    const watchers = Array.from({ length: 300 }, (_, i) => record(s, `/m/${i}/`, 0));
    const parent = record(s, '/m/', 0);
    const plain = record(s, '/m/1', 0); // /m/1/, /m/10/ ... /m/199/: a plain string prefix
    await Promise.all([...watchers, parent, plain].map((w) => w.started));
    for (let i = 0; i < 300; i++) await s.create(`/m/${i}/obj`, String(i));
    watchers.forEach((w, i) => assert.deepEqual(w.events.map((e) => e.kv.key), [`/m/${i}/obj`]));
    assert.equal(parent.events.length, 300);
    assert.equal(plain.events.length, 111);
    for (const w of watchers) w.abort.abort();
  });

  it('a watch from the compact revision works; below it fails with COMPACTED', async (s) => {
    await s.create('/wc/a', '1'); // 1
    await s.update('/wc/a', '2', 0); // 2
    await s.update('/wc/a', '3', 0); // 3
    await s.compact(2);
    const noop = { signal: new AbortController().signal, onEvent: () => {} };
    const err = await storeError(s.watch('/wc/', { ...noop, afterRevision: 1 }), 'COMPACTED');
    assert.equal(err.compactRevision, 2);
    const w = record(s, '/wc/', 2);
    await w.started;
    assert.deepEqual(w.events, [{ type: 'PUT', kv: kv('/wc/a', '3', 1, 3), prev: kv('/wc/a', '2', 1, 2), created: false }]);
  });

  it('closing the store ends every watcher with CLOSED', async (s) => {
    const a = record(s, '/cl/', 0);
    const b = record(s, '', 0);
    await Promise.all([a.started, b.started]);
    await s.close();
    assert.deepEqual([...a.errors, ...b.errors].map((e) => (e as { code?: string }).code), ['CLOSED', 'CLOSED']);
  });
}
