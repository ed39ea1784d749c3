import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { KubeObject } from '../meta.ts';
import { defaulted, kinds, stored, texts } from './fixtures.ts';
import { validateCreate, validateUpdate } from './index.ts';

// Address plan: pods 10.244.0.0/16; the "outside" server of S7 at 192.168.56.50.

const customEndpoints = (): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Endpoints',
  metadata: { name: 'custom-service', namespace: 'default' },
  subsets: [{ addresses: [{ ip: '10.244.1.7' }], ports: [{ port: 80 }] }],
});

const slice = (): KubeObject => ({
  apiVersion: 'discovery.k8s.io/v1',
  kind: 'EndpointSlice',
  metadata: { name: 'my-nginx-abc12', namespace: 'default', labels: { 'kubernetes.io/service-name': 'my-nginx' } },
  addressType: 'IPv4',
  endpoints: [
    { addresses: ['10.244.1.5'], conditions: { ready: true }, nodeName: 'node-1', targetRef: { kind: 'Pod', name: 'my-nginx-1', namespace: 'default' } },
    { addresses: ['10.244.2.5'], conditions: { ready: true }, nodeName: 'node-2', zone: 'z1', hints: { forZones: [{ name: 'z1' }] } },
  ],
  ports: [{ name: 'http', port: 80 }],
});

const createEp = (e: KubeObject): string[] => texts(validateCreate(kinds.endpoints, defaulted(kinds.endpoints, e)));
const createSlice = (e: KubeObject): string[] => texts(validateCreate(kinds.endpointSlice, defaulted(kinds.endpointSlice, e)));

test('S5/S7 hand-made Endpoints and a controller-made EndpointSlice are valid', () => {
  assert.deepEqual(createEp(customEndpoints()), []);
  const outside = customEndpoints();
  outside.subsets[0].addresses = [{ ip: '192.168.56.50' }];
  outside.subsets[0].notReadyAddresses = [{ ip: '10.244.2.9', hostname: 'web-1', nodeName: 'node-2' }];
  assert.deepEqual(createEp(outside), []);
  assert.deepEqual(createSlice(slice()), []);
});

test('Endpoints: addresses must be real, routable IPs', () => {
  const e = customEndpoints();
  e.subsets[0].addresses = [{ ip: '127.0.0.1' }, { ip: 'my-host' }];
  assert.deepEqual(createEp(e), [
    'subsets[0].addresses[0].ip: Invalid value: "127.0.0.1": may not be in the loopback range (127.0.0.0/8, ::1/128)',
    'subsets[0].addresses[1].ip: Invalid value: "my-host": must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)',
    'subsets[0].addresses[1].ip: Invalid value: "my-host": must be a valid IP address',
  ]);
  const empty = customEndpoints();
  empty.subsets[0].addresses = [];
  assert.deepEqual(createEp(empty), ['subsets[0]: Required value: must specify `addresses` or `notReadyAddresses`']);
});

test('Endpoints: port names are required when there are several', () => {
  const e = customEndpoints();
  e.subsets[0].ports = [{ port: 80 }, { name: 'https', port: 443 }];
  assert.deepEqual(createEp(e), ['subsets[0].ports[0].name: Required value']);
  e.subsets[0].ports = [{ port: 0 }];
  assert.deepEqual(createEp(e), ['subsets[0].ports[0].port: Invalid value: 0: must be between 1 and 65535, inclusive']);
});

test('EndpointSlice: address type, addresses, limits, ports', () => {
  assert.deepEqual(createSlice({ ...slice(), addressType: 'IP' }), ['addressType: Unsupported value: "IP": supported values: "FQDN", "IPv4", "IPv6"']);
  const v6 = slice();
  v6.endpoints[0].addresses = ['2001:db8::1'];
  assert.deepEqual(createSlice(v6), ['endpoints[0].addresses[0]: Invalid value: "2001:db8::1": must be a valid IPv4 address']);
  const none = slice();
  none.endpoints[0].addresses = [];
  assert.deepEqual(createSlice(none), ['endpoints[0].addresses: Required value: must contain at least 1 address']);
  const many = slice();
  many.endpoints = Array.from({ length: 1001 }, (_, i) => ({ addresses: [`10.244.${i >> 8}.${(i & 255) + 1 > 255 ? 1 : (i & 255) + 1}`] }));
  assert.deepEqual(createSlice(many), ['endpoints: Too many: 1001: must have at most 1000 items']);
  const dupPorts = slice();
  dupPorts.ports = [{ port: 80 }, { port: 81 }];
  assert.deepEqual(createSlice(dupPorts), ['ports[1].name: Duplicate value: ""']);
  const fqdn = slice();
  fqdn.addressType = 'FQDN';
  fqdn.endpoints = [{ addresses: ['numbers.example.com'] }, { addresses: ['localhost'] }];
  assert.deepEqual(createSlice(fqdn), ['endpoints[1].addresses[0]: Invalid value: "localhost": should be a domain with at least two segments separated by dots']);
});

test('EndpointSlice: addressType is immutable', () => {
  const old = stored(defaulted(kinds.endpointSlice, slice()));
  const changed = structuredClone(old);
  changed.addressType = 'IPv6';
  changed.endpoints = [{ addresses: ['2001:db8::5'] }];
  assert.deepEqual(texts(validateUpdate(kinds.endpointSlice, changed, old)), ['addressType: Invalid value: "IPv6": field is immutable']);
});
