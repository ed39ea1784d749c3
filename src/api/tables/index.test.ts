// Address plan: service my-nginx at 10.96.12.34. Clock: NOW = 2024-06-01T12:00:00Z.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ApiError } from '../errors.ts';
import type { KubeObject } from '../meta.ts';
import { findKind, resources, type ResourceDef } from '../resources.ts';
import { parseIncludeObject, printerFor, toTable } from './index.ts';

const NOW = new Date('2024-06-01T12:00:00Z');
const def = (group: string, kind: string): ResourceDef => findKind(group, kind)!;

const service: KubeObject = {
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name: 'my-nginx', namespace: 'default', uid: 'u-1', resourceVersion: '42', creationTimestamp: '2024-06-01T11:00:00Z', labels: { run: 'my-nginx' } },
  spec: { type: 'ClusterIP', clusterIP: '10.96.12.34', ports: [{ port: 80, protocol: 'TCP' }], selector: { run: 'my-nginx' } },
  status: { loadBalancer: {} },
};

describe('toTable', () => {
  it('builds a full meta.k8s.io/v1 Table, object included (kubectl default)', () => {
    const t = toTable(def('', 'Service'), [service], { now: NOW, includeObject: 'Object', resourceVersion: '99', continue: 'abc', remainingItemCount: 3 });
    assert.equal(t.kind, 'Table');
    assert.equal(t.apiVersion, 'meta.k8s.io/v1');
    assert.deepEqual(t.metadata, { resourceVersion: '99', continue: 'abc', remainingItemCount: 3 });
    assert.deepEqual(t.columnDefinitions.map((c) => c.name), ['Name', 'Type', 'Cluster-IP', 'External-IP', 'Port(s)', 'Age', 'Selector']);
    for (const c of t.columnDefinitions) assert.deepEqual(Object.keys(c), ['name', 'type', 'format', 'description', 'priority']);
    assert.ok(t.columnDefinitions[0].description.startsWith('Name must be unique within a namespace.'));
    assert.deepEqual(t.rows, [{ cells: ['my-nginx', 'ClusterIP', '10.96.12.34', '<none>', '80/TCP', '60m', 'run=my-nginx'], object: service }]);
  });

  it('includeObject=Metadata gives PartialObjectMetadata', () => {
    const t = toTable(def('', 'Service'), [service], { now: NOW, includeObject: 'Metadata' });
    assert.deepEqual(t.rows[0].object, { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: service.metadata });
    assert.deepEqual(t.metadata, {});
  });

  it('includeObject=None leaves the object out', () => {
    const t = toTable(def('', 'Service'), [service], { now: NOW, includeObject: 'None' });
    assert.deepEqual(Object.keys(t.rows[0]), ['cells']);
  });

  it('types an untyped list item for includeObject=Object', () => {
    const { apiVersion: _a, kind: _k, ...bare } = service;
    const t = toTable(def('apps', 'Deployment'), [bare as KubeObject], { now: NOW, includeObject: 'Object' });
    const o = t.rows[0].object as KubeObject;
    assert.equal(o.apiVersion, 'apps/v1');
    assert.equal(o.kind, 'Deployment');
  });

  it('noHeaders drops the column definitions, not the cells', () => {
    const t = toTable(def('', 'Service'), [service], { now: NOW, includeObject: 'None', noHeaders: true });
    assert.deepEqual(t.columnDefinitions, []);
    assert.equal(t.rows[0].cells.length, 7);
  });

  it('an empty list still has its columns', () => {
    const t = toTable(def('', 'Pod'), [], { now: NOW, includeObject: 'Object' });
    assert.deepEqual(t.rows, []);
    assert.equal(t.columnDefinitions.length, 9);
  });

  it('carries row conditions (a Succeeded pod)', () => {
    const pod: KubeObject = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'job-x' }, spec: { containers: [{ name: 'c' }] }, status: { phase: 'Succeeded' } };
    const t = toTable(def('', 'Pod'), [pod], { now: NOW, includeObject: 'None' });
    assert.equal(t.rows[0].conditions?.[0].type, 'Completed');
  });

  it('LimitRange takes the default table: NAME, CREATED AT as an RFC 3339 date', () => {
    const lr: KubeObject = { apiVersion: 'v1', kind: 'LimitRange', metadata: { name: 'limits', creationTimestamp: '2024-05-01T08:30:00Z' }, spec: { limits: [] } };
    const t = toTable(def('', 'LimitRange'), [lr], { now: NOW, includeObject: 'None' });
    assert.deepEqual(
      t.columnDefinitions.map((c) => [c.name, c.type, c.format, c.priority]),
      [
        ['Name', 'string', 'name', 0],
        ['Created At', 'date', '', 0],
      ],
    );
    assert.deepEqual(t.rows[0].cells, ['limits', '2024-05-01T08:30:00Z']);
  });
});

describe('every served kind', () => {
  // One printer contract: as many cells as columns, exactly one name column, no throw on an empty object.
  for (const d of resources) {
    it(`${d.group || 'core'}/${d.kind}`, () => {
      const p = printerFor(d.group, d.kind);
      const t = toTable(d, [{ apiVersion: 'v1', kind: d.kind, metadata: { name: 'x' } }], { now: NOW, includeObject: 'None' });
      assert.equal(t.rows[0].cells.length, p.columns.length);
      assert.equal(p.columns.filter((c) => c.format === 'name').length, 1);
      assert.ok(p.columns.every((c) => c.description.length > 0 && (c.priority === 0 || c.priority === 1)));
    });
  }
  it('only LimitRange falls back to the default table', () => {
    const fallback = resources.filter((d) => printerFor(d.group, d.kind) === printerFor('', 'NoSuchKind')).map((d) => d.kind);
    assert.deepEqual(fallback, ['LimitRange']);
  });
});

describe('parseIncludeObject', () => {
  it('defaults to Metadata as the apiserver does', () => {
    assert.equal(parseIncludeObject(undefined), 'Metadata');
    assert.equal(parseIncludeObject(''), 'Metadata');
    assert.equal(parseIncludeObject('Object'), 'Object');
    assert.equal(parseIncludeObject('None'), 'None');
  });
  it('rejects anything else with upstream 400 text', () => {
    assert.throws(
      () => parseIncludeObject('Everything'),
      (e: unknown) => e instanceof ApiError && e.code === 400 && e.reason === 'BadRequest' && e.message === 'unrecognized includeObject value: "Everything"',
    );
  });
});
