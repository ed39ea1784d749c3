/**
 * @module WatchHub on its own, with a scripted history source, so that the races the store
 * contract can only provoke by chance happen here on purpose: commits landing during the
 * first history read, between pages, and a compaction between pages.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { StoreError } from './types.ts';
import type { WatchEvent } from './types.ts';
import { WatchHub } from './watch-hub.ts';
import type { ReadHistory } from './watch-hub.ts';

function put(revision: number, key = `/k/${revision}`): WatchEvent {
  return { type: 'PUT', kv: { key, value: String(revision), createRevision: revision, modRevision: revision }, created: true };
}

/** A log of events and a history reader over it, like a backend's. */
function fakeLog(onRead?: (call: number) => void) {
  const log: WatchEvent[] = [];
  let calls = 0;
  const read: ReadHistory = (prefix, after, limit) => {
    onRead?.(++calls);
    return log.filter((e) => e.kv.modRevision > after && e.kv.key.startsWith(prefix)).slice(0, limit);
  };
  return { log, read };
}

function collector() {
  const events: number[] = [];
  const errors: Error[] = [];
  const ac = new AbortController();
  return {
    events, errors, ac,
    opts: (afterRevision: number) => ({
      afterRevision, signal: ac.signal,
      onEvent: (e: WatchEvent) => events.push(e.kv.modRevision),
      onError: (err: Error) => errors.push(err),
    }),
  };
}

test('a commit landing during the first history read is delivered once, after the history', async () => {
  const { log, read } = fakeLog((call) => {
    if (call !== 1) return;
    // Revision 4 commits after the watcher registered but before history is read (so history
    // has it too), and 5 commits after the read (only the buffer has it).
    log.push(put(4));
    hub.publish(put(4));
    queueMicrotask(() => {
      log.push(put(5));
      hub.publish(put(5));
    });
  });
  // Declared after the reader that uses it: the reader only runs once watch() is called.
  const hub = new WatchHub({ readHistory: read });
  log.push(put(1), put(2), put(3));
  const c = collector();
  await hub.watch('/k/', c.opts(1));
  assert.deepEqual(c.events, [2, 3, 4, 5]);
  hub.publish(put(6));
  assert.deepEqual(c.events, [2, 3, 4, 5, 6]);
});

test('commits between history pages are neither lost nor repeated', async () => {
  const { log, read } = fakeLog();
  const hub = new WatchHub({ readHistory: read, historyPage: 2 });
  for (let r = 1; r <= 5; r++) log.push(put(r));
  const c = collector();
  const started = hub.watch('/k/', c.opts(0));
  assert.deepEqual(c.events, [1, 2]);
  for (const r of [6, 7]) {
    log.push(put(r));
    hub.publish(put(r));
  }
  assert.deepEqual(c.events, [1, 2], 'live events wait until history is replayed');
  await started;
  assert.deepEqual(c.events, [1, 2, 3, 4, 5, 6, 7]);
  assert.deepEqual(c.errors, []);
});

test('a compaction between pages ends the watcher with COMPACTED', async () => {
  const compacted = new StoreError('COMPACTED', 'compacted', { compactRevision: 9 });
  const hub = new WatchHub({
    historyPage: 2,
    readHistory: (_p, after) => {
      if (after > 0) throw compacted;
      return [put(1), put(2)];
    },
  });
  const c = collector();
  await hub.watch('/k/', c.opts(0));
  assert.deepEqual(c.events, [1, 2]);
  assert.deepEqual(c.errors, [compacted]);
  assert.equal(hub.size, 0);
});

test('a failing first history read rejects watch() and registers nothing', async () => {
  const hub = new WatchHub({
    readHistory: () => {
      throw new StoreError('COMPACTED', 'compacted', { compactRevision: 3 });
    },
  });
  const c = collector();
  await assert.rejects(hub.watch('/k/', c.opts(0)), { code: 'COMPACTED' });
  assert.equal(hub.size, 0);
  hub.publish(put(4));
  assert.deepEqual(c.events, []);
  assert.deepEqual(c.errors, []);
});

test('aborting during history replay stops delivery and unregisters', async () => {
  const { log, read } = fakeLog();
  const hub = new WatchHub({ readHistory: read });
  for (let r = 1; r <= 5; r++) log.push(put(r));
  const c = collector();
  await hub.watch('/k/', {
    ...c.opts(0),
    onEvent: (e) => {
      c.events.push(e.kv.modRevision);
      if (e.kv.modRevision === 2) c.ac.abort();
    },
  });
  assert.deepEqual(c.events, [1, 2]);
  assert.equal(hub.size, 0);
  hub.publish(put(6));
  assert.deepEqual(c.events, [1, 2]);
  assert.deepEqual(c.errors, []);
});

test('watchers are matched by plain string prefix and unregistered cleanly', async () => {
  const hub = new WatchHub({ readHistory: () => [] });
  const prefixes = ['', '/a', '/a/', '/a/b/', '/ab/', '/a/b/c'];
  const cs = prefixes.map(() => collector());
  await Promise.all(cs.map((c, i) => hub.watch(prefixes[i], c.opts(0))));
  assert.equal(hub.size, prefixes.length);
  hub.publish(put(1, '/a/b/c'));
  hub.publish(put(2, '/ab/x'));
  hub.publish(put(3, '/a'));
  assert.deepEqual(cs.map((c) => c.events), [[1, 2, 3], [1, 2, 3], [1], [1], [2], [1]]);
  for (const c of cs) c.ac.abort();
  assert.equal(hub.size, 0);
  hub.publish(put(4, '/a/b/c'));
  assert.deepEqual(cs[0].events, [1, 2, 3]);
});

test('close ends every watcher once with the given error', async () => {
  const hub = new WatchHub({ readHistory: () => [] });
  const cs = [collector(), collector(), collector()];
  await Promise.all(cs.map((c, i) => hub.watch(`/p${i}/`, c.opts(0))));
  const closed = new StoreError('CLOSED', 'closed');
  hub.close(closed);
  hub.close(closed);
  assert.deepEqual(cs.map((c) => c.errors), [[closed], [closed], [closed]]);
  assert.equal(hub.size, 0);
});
