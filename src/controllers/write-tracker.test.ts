/**
 * The write tracker: a sync sees its own writes before the informer does.
 * No addresses involved.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../api/meta.ts';
import { WriteTracker } from './write-tracker.ts';

const obj = (name: string, rv: number, group = 'default/web'): KubeObject => ({
  apiVersion: 'v1',
  kind: 'X',
  metadata: { name, namespace: 'default', resourceVersion: String(rv), labels: { g: group } },
});
const byLabel = (o: KubeObject) => o.metadata.labels!.g;

describe('WriteTracker', () => {
  it('prefers its own newer write over an older cached object, then forgets it once the cache catches up', () => {
    const t = new WriteTracker();
    t.wrote(obj('a', 5));
    assert.equal(t.current(obj('a', 4), 'default/a')!.metadata.resourceVersion, '5');
    assert.equal(t.current(undefined, 'default/a')!.metadata.resourceVersion, '5');
    assert.equal(t.current(obj('a', 6), 'default/a')!.metadata.resourceVersion, '6');
    assert.equal(t.size, 0);
  });

  it('overlays a group: created objects appear, deleted ones vanish', () => {
    const t = new WriteTracker({ groupOf: byLabel });
    t.wrote(obj('new', 10));
    t.deleted(obj('old', 3), 11);
    t.wrote(obj('other-group', 12, 'default/db'));
    const view = t.group([obj('old', 3), obj('kept', 2)], 'default/web');
    assert.deepEqual(view.map((o) => o.metadata.name).sort(), ['kept', 'new']);
  });

  it('tells its own echoes from news', () => {
    const t = new WriteTracker();
    t.wrote(obj('a', 5));
    assert.equal(t.observe('MODIFIED', obj('a', 4)), false, 'an older event is not news');
    assert.equal(t.observe('MODIFIED', obj('a', 5)), false, 'the echo of our write is not news');
    assert.equal(t.observe('MODIFIED', obj('a', 6)), true);
    t.deleted(obj('b', 1), 7);
    assert.equal(t.observe('DELETED', obj('b', 7)), false);
    assert.equal(t.size, 0);
    assert.equal(t.observe('DELETED', obj('c', 1)), true);
  });
});
