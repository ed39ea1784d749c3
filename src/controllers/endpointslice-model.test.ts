/**
 * The EndpointSlice controller's plans: exact slices, minimal churn, the
 * 100-endpoint limit, the placeholder, and reuse of deleted slices. Address
 * plan: see endpoints-fixtures.ts (web-1 10.244.1.11 ready node-a/zone-a,
 * web-2 10.244.1.12 not ready node-a, web-3 10.244.2.13 ready node-b/zone-b
 * port 8081, web-4 10.244.2.14 terminating node-b); the scale tests use
 * 10.244.10.0/24 and up, all on node-a.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../api/meta.ts';
import { serviceBackends } from './endpoints-model.ts';
import { addressTypesFor, planServiceSlices } from './endpointslice-model.ts';
import { T0, dbHeadless, nodes, pod, pods, ref, service, web } from './endpoints-fixtures.ts';

const nodeOf = (n: string) => nodes[n];
const plan = (svc: KubeObject, ps: KubeObject[], existing: KubeObject[] = [], triggerTime?: string) =>
  planServiceSlices({ svc, backends: serviceBackends(svc, ps), existing, nodeOf, triggerTime });

let seq = 0;
/** What the apiserver would store: a name for generateName, a resourceVersion. */
function store(slices: KubeObject[]): KubeObject[] {
  return slices.map((s) => {
    const o = structuredClone(s);
    o.metadata.name ??= `${o.metadata.generateName}x${++seq}`;
    delete o.metadata.generateName;
    o.metadata.resourceVersion = String(++seq);
    return o;
  });
}

const ep = (name: string, ip: string, node: string, zone: string, c: [boolean, boolean, boolean]) => ({
  addresses: [ip],
  conditions: { ready: c[0], serving: c[1], terminating: c[2] },
  targetRef: ref(name),
  nodeName: node,
  zone,
});
const labels = { team: 'a', 'kubernetes.io/service-name': 'web', 'endpointslice.kubernetes.io/managed-by': 'endpointslice-controller.k8s.io' };
const owner = [{ apiVersion: 'v1', kind: 'Service', name: 'web', uid: 'uid-svc-web', controller: true, blockOwnerDeletion: true }];

describe('planServiceSlices', () => {
  it('creates one slice per port set with ready, serving and terminating endpoints', () => {
    const p = plan(web, pods, [], T0);
    assert.deepEqual(p.update, []);
    assert.deepEqual(p.delete, []);
    assert.deepEqual(p.create, [
      {
        apiVersion: 'discovery.k8s.io/v1',
        kind: 'EndpointSlice',
        metadata: { generateName: 'web-', namespace: 'default', labels, ownerReferences: owner, annotations: { 'endpoints.kubernetes.io/last-change-trigger-time': '2024-05-01T10:00:00Z' } },
        addressType: 'IPv4',
        endpoints: [
          ep('web-1', '10.244.1.11', 'node-a', 'zone-a', [true, true, false]),
          ep('web-2', '10.244.1.12', 'node-a', 'zone-a', [false, false, false]),
          ep('web-4', '10.244.2.14', 'node-b', 'zone-b', [false, true, true]),
        ],
        ports: [
          { name: 'http', port: 8080, protocol: 'TCP' },
          { name: 'metrics', port: 9090, protocol: 'TCP', appProtocol: 'http' },
        ],
      },
      {
        apiVersion: 'discovery.k8s.io/v1',
        kind: 'EndpointSlice',
        metadata: { generateName: 'web-', namespace: 'default', labels, ownerReferences: owner, annotations: { 'endpoints.kubernetes.io/last-change-trigger-time': '2024-05-01T10:00:00Z' } },
        addressType: 'IPv4',
        endpoints: [ep('web-3', '10.244.2.13', 'node-b', 'zone-b', [true, true, false])],
        ports: [{ name: 'http', port: 8081, protocol: 'TCP' }],
      },
    ]);
  });

  it('plans nothing when the slices already say it', () => {
    const existing = store(plan(web, pods, [], T0).create);
    assert.deepEqual(plan(web, pods, existing), { create: [], update: [], delete: [], missingNodes: [] });
  });

  it('updates one endpoint in place when a pod turns ready', () => {
    const existing = store(plan(web, pods).create);
    const flipped = pods.map((p) => (p.metadata.name === 'web-2' ? pod('web-2', { ip: '10.244.1.12', node: 'node-a', ready: true, ports: [{ name: 'http', containerPort: 8080 }, { name: 'metrics', containerPort: 9090 }] }) : p));
    const p = plan(web, flipped, existing);
    assert.equal(p.create.length + p.delete.length, 0);
    assert.equal(p.update.length, 1);
    assert.equal(p.update[0].metadata.name, existing[0].metadata.name);
    assert.equal(p.update[0].metadata.resourceVersion, existing[0].metadata.resourceVersion);
    assert.deepEqual(
      p.update[0].endpoints.map((e: any) => [e.targetRef.name, e.conditions.ready]),
      [
        ['web-1', true],
        ['web-2', true],
        ['web-4', false],
      ],
    );
  });

  it('deletes a slice whose last endpoint went', () => {
    const existing = store(plan(web, pods).create);
    const p = plan(
      web,
      pods.filter((x) => x.metadata.name !== 'web-3'),
      existing,
    );
    assert.deepEqual(
      p.delete.map((s) => s.metadata.name),
      [existing[1].metadata.name],
    );
    assert.equal(p.create.length + p.update.length, 0);
  });

  const many = (n: number, from = 0) =>
    Array.from({ length: n }, (_, i) => pod(`big-${String(from + i).padStart(4, '0')}`, { ip: `10.244.${10 + Math.floor((from + i) / 250)}.${((from + i) % 250) + 1}`, node: 'node-a', ready: true, labels: { app: 'big' } }));
  const big = service('big', { clusterIP: '10.96.0.20', selector: { app: 'big' }, ports: [{ name: 'http', port: 80, protocol: 'TCP', targetPort: 80 }] });

  it('puts at most 100 endpoints in a slice and fills the slice a new pod fits best', () => {
    const first = plan(big, many(250));
    assert.deepEqual(
      first.create.map((s) => s.endpoints.length),
      [100, 100, 50],
    );
    const existing = store(first.create);
    const grown = plan(big, many(251), existing);
    assert.equal(grown.create.length + grown.delete.length, 0);
    assert.deepEqual(
      grown.update.map((s) => [s.metadata.name, s.endpoints.length]),
      [[existing[2].metadata.name, 51]],
    );
  });

  it('removing pods touches only the slices that held them', () => {
    const existing = store(plan(big, many(250)).create);
    const p = plan(big, [...many(10), ...many(230, 20)], existing);
    assert.equal(p.create.length + p.delete.length, 0);
    assert.deepEqual(
      p.update.map((s) => [s.metadata.name, s.endpoints.length]),
      [[existing[0].metadata.name, 90]],
    );
  });

  it('keeps one empty placeholder slice when nothing backs the service', () => {
    const none = plan(web, []);
    assert.equal(none.create.length, 1);
    assert.deepEqual(none.create[0].endpoints, []);
    assert.deepEqual(none.create[0].ports, []);
    const existing = store(none.create);
    assert.deepEqual(plan(web, [], existing), { create: [], update: [], delete: [], missingNodes: [] });
    // The first pod reuses the placeholder's name rather than create and delete.
    const back = plan(web, pods.slice(0, 1), existing);
    assert.deepEqual(
      [back.create.length, back.delete.length, back.update.map((s) => s.metadata.name)],
      [0, 0, [existing[0].metadata.name]],
    );
  });

  it('leaves out pods on unknown nodes unless the service publishes not-ready addresses', () => {
    const stray = pod('web-7', { ip: '10.244.3.17', node: 'node-gone', ready: true, ports: [{ name: 'http', containerPort: 8080 }, { name: 'metrics', containerPort: 9090 }] });
    const p = plan(web, [pods[0], stray]);
    assert.deepEqual(p.missingNodes, ['node-gone']);
    assert.deepEqual(
      p.create.flatMap((s) => s.endpoints.map((e: any) => e.targetRef.name)),
      ['web-1'],
    );
    const pub = { ...web, spec: { ...web.spec, publishNotReadyAddresses: true } };
    const q = plan(pub, [pods[0], stray]);
    assert.deepEqual(
      q.create[0].endpoints.map((e: any) => [e.targetRef.name, e.zone ?? null, e.conditions.ready]),
      [
        ['web-1', 'zone-a', true],
        ['web-7', null, true],
      ],
    );
  });

  it('deletes slices of an older service of the same name and reuses them', () => {
    const existing = store(plan(web, pods).create);
    const reborn = { ...web, metadata: { ...web.metadata, uid: 'uid-svc-web-2' } };
    const p = plan(reborn, pods, existing);
    // Not owned: deleted, never recycled (it may be the garbage collector's already).
    assert.deepEqual(p.delete.map((s) => s.metadata.name).sort(), existing.map((s) => s.metadata.name).sort());
    assert.equal(p.create.length, 2);
    assert.equal(p.update.length, 0);
  });

  it('recycles a slice whose port set went for the new port set', () => {
    const existing = store(plan(web, pods).create);
    const renamed = { ...web, spec: { ...web.spec, ports: [{ name: 'web', port: 80, protocol: 'TCP', targetPort: 8080 }] } };
    const p = plan(renamed, pods, existing);
    assert.equal(p.create.length, 0);
    assert.equal(p.update.length, 1);
    assert.equal(p.delete.length, 1);
    assert.ok(existing.some((s) => s.metadata.name === p.update[0].metadata.name));
    assert.equal(p.update[0].metadata.generateName, undefined);
    assert.equal(p.update[0].endpoints.length, 4);
  });

  it('rewrites labels when the service labels change, and creates nothing for a service being deleted', () => {
    const existing = store(plan(web, pods).create);
    const relabelled = { ...web, metadata: { ...web.metadata, labels: { team: 'b' } } };
    const p = plan(relabelled, pods, existing);
    assert.deepEqual(
      p.update.map((s) => s.metadata.labels?.team),
      ['b', 'b'],
    );
    const going = { ...web, metadata: { ...web.metadata, deletionTimestamp: T0 } };
    assert.deepEqual(plan(going, pods).create, []);
  });

  it('marks headless services and picks address types from the families', () => {
    const p = plan(dbHeadless, pods);
    assert.equal(p.create[0].metadata.labels?.['service.kubernetes.io/headless'], '');
    assert.equal(p.create[0].endpoints[0].hostname, 'db-1');
    assert.deepEqual(addressTypesFor(service('x', { clusterIP: 'None', ipFamilies: [] })), ['IPv4', 'IPv6']);
    assert.deepEqual(addressTypesFor(service('x', { clusterIP: 'fd00::1', ipFamilies: [] })), ['IPv6']);
  });
});
