/**
 * Field path and field set tests: FieldsV1 round trips in upstream's key
 * order, conflict-message path text, set algebra and iteration order.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  type Path,
  difference,
  field,
  fromFieldsV1,
  has,
  insert,
  intersection,
  isEmpty,
  keyElement,
  newSet,
  pathText,
  paths,
  recursiveDifference,
  toFieldsV1,
  union,
} from './fieldpath.ts';

const nginx = keyElement([['name', 'nginx']]);
const port80 = keyElement([
  ['protocol', 'TCP'],
  ['containerPort', 80],
]);
const containers: Path = ['spec', 'template', 'spec', 'containers'].map(field);

function setOf(...ps: Path[]) {
  const s = newSet();
  for (const p of ps) insert(s, p);
  return s;
}

describe('FieldsV1', () => {
  it('serialises members, `.` markers and keys in upstream order', () => {
    const s = setOf(
      [field('spec'), field('replicas')],
      [...containers, nginx],
      [...containers, nginx, field('name')],
      [...containers, nginx, field('image')],
      [...containers, nginx, field('ports'), port80],
      [...containers, nginx, field('ports'), port80, field('containerPort')],
      [field('metadata'), field('labels'), field('app')],
      [field('metadata'), field('finalizers'), { kind: 'value', value: 'example.com/a' }],
    );
    const v1 = toFieldsV1(s);
    assert.equal(
      JSON.stringify(v1),
      JSON.stringify({
        'f:metadata': { 'f:finalizers': { 'v:"example.com/a"': {} }, 'f:labels': { 'f:app': {} } },
        'f:spec': {
          'f:replicas': {},
          'f:template': {
            'f:spec': {
              'f:containers': {
                'k:{"name":"nginx"}': {
                  '.': {},
                  'f:image': {},
                  'f:name': {},
                  'f:ports': { 'k:{"containerPort":80,"protocol":"TCP"}': { '.': {}, 'f:containerPort': {} } },
                },
              },
            },
          },
        },
      }),
    );
    assert.deepEqual(toFieldsV1(fromFieldsV1(v1)), v1);
    assert.ok(has(fromFieldsV1(v1), [...containers, nginx]));
    assert.ok(!has(fromFieldsV1(v1), containers));
  });

  it('rejects malformed documents', () => {
    assert.throws(() => fromFieldsV1({ 'x:y': {} }), /unknown path element type/);
    assert.throws(() => fromFieldsV1({ 'f:a': 1 }));
    assert.throws(() => fromFieldsV1('f:a'));
  });
});

describe('paths and sets', () => {
  it('prints paths as conflict messages do', () => {
    assert.equal(pathText([...containers, nginx, field('ports'), port80, field('name')]), '.spec.template.spec.containers[name="nginx"].ports[containerPort=80,protocol="TCP"].name');
    assert.equal(pathText([field('metadata'), field('finalizers'), { kind: 'value', value: 'a' }]), '.metadata.finalizers[="a"]');
    assert.equal(pathText([field('x'), { kind: 'index', index: 2 }]), '.x[2]');
  });

  it('iterates members of a level before descending, each in order', () => {
    const s = setOf([field('spec'), field('template'), field('x')], [field('spec'), field('replicas')], [field('spec'), field('template')], [field('apiVersion')]);
    assert.deepEqual(paths(s).map(pathText), ['.apiVersion', '.spec.replicas', '.spec.template', '.spec.template.x']);
  });

  it('unions, subtracts and intersects member by member', () => {
    const a = setOf([field('a')], [field('b'), field('c')], [field('b'), field('d')]);
    const b = setOf([field('b'), field('c')], [field('e')]);
    assert.deepEqual(paths(union(a, b)).map(pathText), ['.a', '.e', '.b.c', '.b.d']);
    assert.deepEqual(paths(difference(a, b)).map(pathText), ['.a', '.b.d']);
    assert.deepEqual(paths(intersection(a, b)).map(pathText), ['.b.c']);
    assert.ok(isEmpty(difference(a, a)));
    assert.deepEqual(paths(a).map(pathText), ['.a', '.b.c', '.b.d'], 'operands are not modified');
  });

  it('removes whole subtrees under members with recursiveDifference', () => {
    const a = setOf([field('status'), field('replicas')], [field('status')], [field('spec'), field('replicas')]);
    assert.deepEqual(paths(recursiveDifference(a, setOf([field('status')]))).map(pathText), ['.spec.replicas']);
  });
});
