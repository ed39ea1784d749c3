/**
 * Mirroring hand-made Endpoints into EndpointSlices. Address plan: the
 * Endpoints of `custom-service` point at 10.244.5.5 (ready), 10.244.5.6
 * (not ready) and fd00::7 (ready), all on port 8080/TCP named "web";
 * "1.2.3" is invalid (it sorts first).
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../api/meta.ts';
import { planMirror, shouldMirror } from './endpointslice-mirroring-model.ts';

function endpoints(subsets: any[], meta: Partial<KubeObject['metadata']> = {}): KubeObject {
  return { apiVersion: 'v1', kind: 'Endpoints', metadata: { name: 'custom-service', namespace: 'default', uid: 'uid-ep', ...meta }, subsets };
}

const port = { name: 'web', port: 8080, protocol: 'TCP' };
const owner = [{ apiVersion: 'v1', kind: 'Endpoints', name: 'custom-service', uid: 'uid-ep', controller: true, blockOwnerDeletion: true }];
const labels = { 'kubernetes.io/service-name': 'custom-service', 'endpointslice.kubernetes.io/managed-by': 'endpointslicemirroring-controller.k8s.io' };

let seq = 0;
const store = (slices: KubeObject[]) =>
  slices.map((s) => {
    const o = structuredClone(s);
    o.metadata.name ??= `${o.metadata.generateName}m${++seq}`;
    delete o.metadata.generateName;
    o.metadata.resourceVersion = String(++seq);
    return o;
  });

describe('planMirror', () => {
  it('mirrors each address type of a subset into its own slice', () => {
    const ep = endpoints([{ addresses: [{ ip: '10.244.5.5', nodeName: 'node-a' }, { ip: 'fd00::7' }], notReadyAddresses: [{ ip: '10.244.5.6' }], ports: [port] }], {
      labels: { app: 'custom' },
      annotations: { note: 'x', 'kubectl.kubernetes.io/last-applied-configuration': '{}', 'endpoints.kubernetes.io/last-change-trigger-time': '2024-05-01T10:00:00Z' },
    });
    const p = planMirror(ep, []);
    assert.deepEqual(p.update, []);
    assert.deepEqual(p.delete, []);
    assert.deepEqual(p.create, [
      {
        apiVersion: 'discovery.k8s.io/v1',
        kind: 'EndpointSlice',
        metadata: { generateName: 'custom-service-', namespace: 'default', labels: { app: 'custom', ...labels }, annotations: { note: 'x' }, ownerReferences: owner },
        addressType: 'IPv4',
        endpoints: [
          { addresses: ['10.244.5.5'], conditions: { ready: true }, nodeName: 'node-a' },
          { addresses: ['10.244.5.6'], conditions: { ready: false } },
        ],
        ports: [port],
      },
      {
        apiVersion: 'discovery.k8s.io/v1',
        kind: 'EndpointSlice',
        metadata: { generateName: 'custom-service-', namespace: 'default', labels: { app: 'custom', ...labels }, annotations: { note: 'x' }, ownerReferences: owner },
        addressType: 'IPv6',
        endpoints: [{ addresses: ['fd00::7'], conditions: { ready: true } }],
        ports: [port],
      },
    ]);
    assert.equal(p.invalid, 0);
  });

  it('plans nothing once mirrored, and rewrites the slice in place when an address changes', () => {
    const ep = endpoints([{ addresses: [{ ip: '10.244.5.5' }], ports: [port] }]);
    const existing = store(planMirror(ep, []).create);
    const same = planMirror(ep, existing);
    assert.deepEqual([same.create, same.update, same.delete], [[], [], []]);
    const moved = planMirror(endpoints([{ addresses: [{ ip: '10.244.5.9' }], ports: [port] }]), existing);
    assert.deepEqual([moved.create.length, moved.delete.length], [0, 0]);
    assert.equal(moved.update[0].metadata.name, existing[0].metadata.name);
    assert.deepEqual(moved.update[0].endpoints, [{ addresses: ['10.244.5.9'], conditions: { ready: true } }]);
  });

  it('recycles the slice when the ports change, and deletes all when the subsets go', () => {
    const existing = store(planMirror(endpoints([{ addresses: [{ ip: '10.244.5.5' }], ports: [port] }]), []).create);
    const p = planMirror(endpoints([{ addresses: [{ ip: '10.244.5.5' }], ports: [{ ...port, port: 9090 }] }]), existing);
    assert.deepEqual([p.create.length, p.delete.length, p.update[0].metadata.name], [0, 0, existing[0].metadata.name]);
    assert.equal(p.update[0].ports[0].port, 9090);
    const gone = planMirror(endpoints([]), existing);
    assert.deepEqual(
      gone.delete.map((s) => s.metadata.name),
      [existing[0].metadata.name],
    );
  });

  it('skips invalid IPs and addresses over the per-subset limit', () => {
    const ep = endpoints([{ addresses: [{ ip: '1.2.3' }, { ip: '10.244.5.5' }, { ip: '10.244.5.6' }, { ip: '10.244.5.7' }], ports: [port] }]);
    const p = planMirror(ep, [], 2);
    assert.equal(p.invalid, 1);
    assert.equal(p.skipped, 2);
    assert.deepEqual(
      p.create[0].endpoints.map((e: any) => e.addresses[0]),
      ['10.244.5.5', '10.244.5.6'],
    );
  });

  it('creates nothing for Endpoints being deleted', () => {
    assert.deepEqual(planMirror(endpoints([{ addresses: [{ ip: '10.244.5.5' }], ports: [port] }], { deletionTimestamp: '2024-05-01T10:00:00Z' }), []).create, []);
  });
});

describe('shouldMirror', () => {
  it('skips skip-mirror and leader-election records only', () => {
    assert.equal(shouldMirror(endpoints([])), true);
    assert.equal(shouldMirror(endpoints([], { labels: { 'endpointslice.kubernetes.io/skip-mirror': 'true' } })), false);
    assert.equal(shouldMirror(endpoints([], { labels: { 'endpointslice.kubernetes.io/skip-mirror': 'false' } })), true);
    assert.equal(shouldMirror(endpoints([], { annotations: { 'control-plane.alpha.kubernetes.io/leader': '{}' } })), false);
  });
});
