/**
 * Cache indexes: by namespace, and EndpointSlices by Service and manager.
 * No addresses involved.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../api/meta.ts';
import { NamespaceIndex, SliceIndex } from './ns-index.ts';

const slice = (name: string, svc: string, manager = 'endpointslice-controller.k8s.io'): KubeObject => ({
  apiVersion: 'discovery.k8s.io/v1',
  kind: 'EndpointSlice',
  metadata: { name, namespace: 'default', labels: { 'kubernetes.io/service-name': svc, 'endpointslice.kubernetes.io/managed-by': manager } },
});

describe('NamespaceIndex', () => {
  it('lists the objects of one namespace', () => {
    const i = new NamespaceIndex();
    i.apply('ADDED', { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'a', namespace: 'x' } });
    i.apply('ADDED', { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'b', namespace: 'y' } });
    i.apply('ADDED', { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'c', namespace: 'x' } });
    i.apply('DELETED', { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'a', namespace: 'x' } });
    assert.deepEqual(
      [...i.list('x')].map((o) => o.metadata.name),
      ['c'],
    );
    assert.deepEqual([...i.list('z')], []);
  });
});

describe('SliceIndex', () => {
  it('keeps only its manager’s slices, and moves a slice that changes Service or manager', () => {
    const i = new SliceIndex({ managedBy: 'endpointslice-controller.k8s.io' });
    assert.deepEqual(i.apply('ADDED', slice('web-1', 'web')), ['default/web']);
    assert.deepEqual(i.apply('ADDED', slice('m-1', 'custom', 'endpointslicemirroring-controller.k8s.io')), []);
    assert.deepEqual(i.apply('MODIFIED', slice('web-1', 'api'), slice('web-1', 'web')), ['default/web', 'default/api']);
    assert.deepEqual(i.list('default/web'), []);
    assert.deepEqual(
      i.list('default/api').map((s) => s.metadata.name),
      ['web-1'],
    );
    assert.deepEqual(i.apply('MODIFIED', slice('web-1', 'api', 'someone-else'), slice('web-1', 'api')), ['default/api']);
    assert.deepEqual(i.list('default/api'), []);
  });
});
