/**
 * Typed walker tests (structured-merge-diff semantics) on the test schema:
 * field sets, comparisons, merges by list type, removal, and the create
 * baseline. Containers are keyed by name, ports by containerPort+protocol
 * (protocol defaults to TCP), finalizers are a set, command is atomic,
 * selector an atomic map.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type FieldSet, field, newSet, insert, pathText, paths, toFieldsV1 } from './fieldpath.ts';
import { DEPLOYMENT, WIDGET, rootOf, testSchemas } from './testdata-schema.ts';
import { TypedError, compare, ensureNamedFieldsAreMembers, merge, removeItems, toFieldSet, zeroObject } from './typed.ts';

const dep = rootOf(DEPLOYMENT);
const list = (s: FieldSet) => paths(s).map(pathText);
const podWith = (spec: object) => ({ spec: { template: { spec } } });

describe('toFieldSet', () => {
  it('lists leaves, list items and map entries; atomic values are single leaves', () => {
    const s = toFieldSet(testSchemas, {
      metadata: { labels: { app: 'web' }, finalizers: ['f'] },
      spec: {
        replicas: 1,
        selector: { matchLabels: { app: 'web' } },
        template: { spec: { containers: [{ name: 'c', command: ['a', 'b'], ports: [{ containerPort: 80 }], resources: {} }] } },
      },
    }, dep);
    assert.deepEqual(list(s), [
      '.metadata.finalizers[="f"]',
      '.metadata.labels.app',
      '.spec.replicas',
      '.spec.selector',
      '.spec.template.spec.containers[name="c"]',
      '.spec.template.spec.containers[name="c"].command',
      '.spec.template.spec.containers[name="c"].name',
      '.spec.template.spec.containers[name="c"].ports[containerPort=80,protocol="TCP"]',
      '.spec.template.spec.containers[name="c"].ports[containerPort=80,protocol="TCP"].containerPort',
    ]);
  });

  it('owns every key of an `any` subtree', () => {
    const s = toFieldSet(testSchemas, { spec: { a: { b: 1 }, l: [1] } }, rootOf(WIDGET));
    assert.deepEqual(toFieldsV1(s), { 'f:spec': { 'f:a': { '.': {}, 'f:b': {} }, 'f:l': {} } });
  });

  it('rejects undeclared fields and keyless items in strict mode only', () => {
    const bad = { spec: { replicas: 1, foo: 1 } };
    assert.throws(() => toFieldSet(testSchemas, bad, dep, true), (e: unknown) => e instanceof TypedError && e.message === '.spec.foo: field not declared in schema');
    assert.deepEqual(list(toFieldSet(testSchemas, bad, dep)), ['.spec.foo', '.spec.replicas']);
    const keyless = podWith({ containers: [{ image: 'x' }] });
    assert.throws(
      () => toFieldSet(testSchemas, keyless, dep, true),
      (e: unknown) =>
        e instanceof TypedError &&
        e.message === '.spec.template.spec.containers: element 0: associative list with keys has an element that omits key field "name" (and doesn\'t have default value)',
    );
    const dup = podWith({ containers: [{ name: 'a' }, { name: 'a' }] });
    assert.throws(() => toFieldSet(testSchemas, dup, dep, true), /duplicate entries for key \[name="a"\]/);
  });
});

describe('compare', () => {
  it('reports changed leaves and added or removed containers', () => {
    const c = compare(
      testSchemas,
      { metadata: { labels: { a: '1' } }, spec: { replicas: 1, paused: true, template: podWith({ containers: [{ name: 'x', image: 'i' }] }).spec.template } },
      { metadata: { labels: { a: '1' } }, spec: { replicas: 2, template: podWith({ containers: [{ name: 'x', image: 'i' }, { name: 'y', env: [] }] }).spec.template } },
      dep,
    );
    assert.deepEqual(list(c.modified), ['.spec.replicas']);
    assert.deepEqual(list(c.removed), ['.spec.paused']);
    assert.deepEqual(list(c.added), [
      '.spec.template.spec.containers[name="y"]',
      '.spec.template.spec.containers[name="y"].env',
      '.spec.template.spec.containers[name="y"].name',
    ]);
  });
});

describe('merge', () => {
  it('merges keyed lists by key, keeping live-only items near their neighbours', () => {
    const live = podWith({ containers: [{ name: 'a', image: '1' }, { name: 'b', image: '2' }, { name: 'c', image: '3' }] });
    const out = merge(testSchemas, live, podWith({ containers: [{ name: 'c', image: '9' }, { name: 'a' }] }), dep) as ReturnType<typeof podWith>;
    assert.deepEqual((out.spec.template.spec as { containers: unknown[] }).containers, [
      { name: 'b', image: '2' },
      { name: 'c', image: '9' },
      { name: 'a', image: '1' },
    ]);
  });

  it('unions sets, replaces atomic lists and maps, merges granular maps', () => {
    const live = { metadata: { finalizers: ['a', 'b'], labels: { x: '1' } }, spec: { selector: { matchLabels: { app: 'a', v: '1' } } } };
    const applied = { metadata: { finalizers: ['c', 'a'], labels: { y: '2' } }, spec: { selector: { matchLabels: { app: 'b' } } } };
    assert.deepEqual(merge(testSchemas, live, applied, dep), {
      metadata: { finalizers: ['c', 'a', 'b'], labels: { x: '1', y: '2' } },
      spec: { selector: { matchLabels: { app: 'b' } } },
    });
    const cmd = merge(testSchemas, podWith({ containers: [{ name: 'a', command: ['x', 'y'] }] }), podWith({ containers: [{ name: 'a', command: ['z'] }] }), dep);
    assert.deepEqual(cmd, podWith({ containers: [{ name: 'a', command: ['z'] }] }));
  });
});

describe('removeItems and named fields', () => {
  it('removes list items and map entries, dropping a map it empties', () => {
    const remove = newSet();
    insert(remove, ['spec', 'template', 'spec', 'containers'].map(field).concat({ kind: 'key', fields: [['name', 'b']] }));
    insert(remove, [field('metadata'), field('labels'), field('x')]);
    const out = removeItems(testSchemas, { metadata: { labels: { x: '1' }, name: 'n' }, ...podWith({ containers: [{ name: 'a' }, { name: 'b' }] }) }, remove, dep);
    assert.deepEqual(out, { metadata: { name: 'n' }, ...podWith({ containers: [{ name: 'a' }] }) });
  });

  it('marks struct fields with owned children as members, not map entries', () => {
    const s = toFieldSet(testSchemas, { metadata: { labels: { app: 'x' } }, spec: { strategy: { type: 'Recreate' } } }, dep);
    assert.deepEqual(list(ensureNamedFieldsAreMembers(testSchemas, s, dep)), [
      '.metadata',
      '.spec',
      '.metadata.labels',
      '.metadata.labels.app',
      '.spec.strategy',
      '.spec.strategy.type',
    ]);
  });

  it('builds the create baseline: nested structs empty, required lists null', () => {
    const z = zeroObject(testSchemas, dep) as { spec: { template: { spec: Record<string, unknown> } }; metadata: object };
    assert.deepEqual(z.metadata, {});
    assert.equal(z.spec.template.spec.containers, null);
    assert.ok(!('volumes' in z.spec.template.spec));
    assert.ok(!('selector' in z.spec), 'atomic structs stay absent');
  });
});
