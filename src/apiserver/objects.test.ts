import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryStore } from '../store/memory.ts';
import { findKind } from '../api/resources.ts';
import { Objects, rawWithRv, decode } from './objects.ts';

test('rawWithRv splices the resourceVersion into canonical stored JSON, and matches decode', async () => {
  const store = new MemoryStore();
  const objects = new Objects({ store });
  const def = findKind('', 'ConfigMap')!;
  // Key order of the input must not matter: encode writes apiVersion, kind, metadata first.
  await objects.create(def, { data: { a: '1' }, metadata: { name: 'c', namespace: 'd' }, kind: 'ConfigMap', apiVersion: 'v1' });
  const kv = (await store.list('/registry/core/configmaps/')).items[0];
  const raw = rawWithRv(kv, 'v1', 'ConfigMap');
  assert.ok(raw.startsWith('{"apiVersion":"v1","kind":"ConfigMap","metadata":{"resourceVersion":"1","name":"c"'));
  assert.deepEqual(JSON.parse(raw), { ...decode(kv) });
});

test('rawWithRv falls back to decoding values in another order', async () => {
  const store = new MemoryStore();
  await store.create('/registry/core/configmaps/d/x', JSON.stringify({ metadata: { name: 'x', namespace: 'd' }, apiVersion: 'v1', kind: 'ConfigMap' }));
  const kv = (await store.list('/registry/core/configmaps/')).items[0];
  assert.equal(JSON.parse(rawWithRv(kv, 'v1', 'ConfigMap')).metadata.resourceVersion, '1');
});
