/**
 * The cluster index kept from informer events: stripped copies, merging
 * several EndpointSlices of one Service, the reverse index, namespaces,
 * and the generation the encoded-answer cache reads.
 *
 * Address plan: services 10.96.0.0/12 and fd00:96::/108, pods 10.244.0.0/16.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../api/meta.ts';
import { ClusterIndex, stripService, stripSlice } from './cluster-view.ts';

const svc = (ns: string, name: string, spec: Record<string, unknown>, annotations?: Record<string, string>): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { namespace: ns, name, annotations },
  spec,
});
const slice = (ns: string, name: string, service: string, endpoints: unknown[], addressType = 'IPv4'): KubeObject => ({
  apiVersion: 'discovery.k8s.io/v1',
  kind: 'EndpointSlice',
  metadata: { namespace: ns, name, labels: { 'kubernetes.io/service-name': service } },
  addressType,
  endpoints,
  ports: [{ name: 'HTTP', port: 8080 }],
});

test('stripService keeps what DNS reads, lower case, with defaults', () => {
  assert.deepEqual(stripService(svc('Default', 'Web', { clusterIP: '10.96.0.20', ports: [{ name: 'Http', port: 80 }] })), {
    namespace: 'default',
    name: 'web',
    type: 'ClusterIP',
    clusterIPs: ['10.96.0.20'],
    externalName: undefined,
    ports: [{ name: 'http', port: 80, protocol: 'TCP' }],
    publishNotReady: false,
  });
  assert.deepEqual(stripService(svc('default', 'hl', { clusterIP: 'None', clusterIPs: ['None'] })).clusterIPs, []);
  assert.deepEqual(stripService(svc('default', 'v6', { clusterIPs: ['10.96.0.21', 'FD00:96:0:0::21'] })).clusterIPs, ['10.96.0.21', 'fd00:96::21']);
  const ext = stripService(svc('default', 'ext', { type: 'ExternalName', externalName: 'api.example.test.' }));
  assert.equal(ext.externalName, 'api.example.test');
  assert.equal(stripService(svc('default', 'p', {}, { 'service.alpha.kubernetes.io/tolerate-unready-endpoints': 'true' })).publishNotReady, true);
  assert.equal(stripService(svc('default', 'p', { publishNotReadyAddresses: true })).publishNotReady, true);
});

test('stripSlice: every address, nil ready read as ready, FQDN slices and unlabelled slices left out', () => {
  const s = stripSlice(slice('default', 'web-1', 'web', [{ addresses: ['10.244.0.5'], hostname: 'Web-0' }, { addresses: ['10.244.0.6'], conditions: { ready: false } }]));
  assert.deepEqual(s, {
    serviceKey: 'default/web',
    endpoints: [
      { ip: '10.244.0.5', hostname: 'web-0', ready: true, ports: [{ name: 'http', port: 8080, protocol: 'TCP' }] },
      { ip: '10.244.0.6', hostname: undefined, ready: false, ports: [{ name: 'http', port: 8080, protocol: 'TCP' }] },
    ],
  });
  assert.equal(stripSlice(slice('default', 'x', 'web', [{ addresses: ['db.example.test'] }], 'FQDN')), undefined);
  assert.equal(stripSlice({ ...slice('default', 'x', 'web', []), metadata: { namespace: 'default', name: 'x' } }), undefined);
});

test('the index: services in and out, namespaces while a service lives there, reverse lookups', () => {
  const ix = new ClusterIndex();
  const g0 = ix.generation;
  ix.applyService('ADDED', svc('default', 'web', { clusterIP: '10.96.0.20' }));
  assert.ok(ix.generation > g0);
  assert.equal(ix.service('default', 'web')?.clusterIPs[0], '10.96.0.20');
  assert.equal(ix.hasNamespace('default'), true);
  assert.deepEqual(ix.reverse('10.96.0.20'), [{ namespace: 'default', service: 'web' }]);
  ix.applyService('MODIFIED', svc('default', 'web', { clusterIP: '10.96.0.30' }));
  assert.deepEqual(ix.reverse('10.96.0.20'), []);
  assert.deepEqual(ix.reverse('10.96.0.30'), [{ namespace: 'default', service: 'web' }]);
  ix.applyService('DELETED', svc('default', 'web', {}));
  assert.equal(ix.service('default', 'web'), undefined);
  assert.equal(ix.hasNamespace('default'), false);
  assert.deepEqual(ix.sizes, { services: 0, slices: 0 });
});

test('endpoints of several slices are merged in slice-name order and follow changes', () => {
  const ix = new ClusterIndex();
  ix.applyService('ADDED', svc('default', 'hl', { clusterIP: 'None' }));
  ix.applySlice('ADDED', slice('default', 'hl-b', 'hl', [{ addresses: ['10.244.0.7'] }]));
  ix.applySlice('ADDED', slice('default', 'hl-a', 'hl', [{ addresses: ['10.244.0.5'], hostname: 'h5' }]));
  assert.deepEqual(
    ix.endpoints('default', 'hl').map((e) => e.ip),
    ['10.244.0.5', '10.244.0.7'],
  );
  assert.deepEqual(ix.reverse('10.244.0.5'), [{ namespace: 'default', service: 'hl', endpoint: 'h5' }]);
  assert.deepEqual(ix.reverse('10.244.0.7'), [{ namespace: 'default', service: 'hl', endpoint: '10-244-0-7' }]);
  ix.applySlice('MODIFIED', slice('default', 'hl-b', 'hl', [{ addresses: ['10.244.0.8'], conditions: { ready: false } }]));
  assert.deepEqual(
    ix.endpoints('default', 'hl').map((e) => [e.ip, e.ready]),
    [
      ['10.244.0.5', true],
      ['10.244.0.8', false],
    ],
  );
  assert.deepEqual(ix.reverse('10.244.0.8'), [], 'a not-ready address has no PTR');
  ix.applySlice('DELETED', slice('default', 'hl-a', 'hl', []));
  assert.deepEqual(
    ix.endpoints('default', 'hl').map((e) => e.ip),
    ['10.244.0.8'],
  );
  assert.deepEqual(ix.sizes, { services: 1, slices: 1 });
});
