/**
 * The exact Endpoints objects the endpoints controller writes. Address
 * plan: see endpoints-fixtures.ts (web-1 10.244.1.11 ready, web-2
 * 10.244.1.12 not ready, web-3 10.244.2.13 ready without a metrics port,
 * web-4 10.244.2.14 terminating, db-1 10.244.1.21 with hostname db-1).
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Backend } from './endpoints-model.ts';
import { serviceBackends } from './endpoints-model.ts';
import { desiredEndpoints, desiredSubsets, repackSubsets, truncateSubsets } from './endpoints-subsets.ts';
import { T0, T2, dbHeadless, pods, ref, service, web, webNum } from './endpoints-fixtures.ts';

const a = (ip: string, name: string, node: string, extra: Record<string, string> = {}) => ({ ip, ...extra, nodeName: node, targetRef: ref(name) });

describe('desiredEndpoints', () => {
  it('renders named ports per pod, ready and not ready, grouped by port set', () => {
    const ep = desiredEndpoints(web, serviceBackends(web, pods), undefined, T0);
    assert.deepEqual(ep, {
      apiVersion: 'v1',
      kind: 'Endpoints',
      metadata: { name: 'web', namespace: 'default', labels: { team: 'a' }, annotations: { 'endpoints.kubernetes.io/last-change-trigger-time': '2024-05-01T10:00:00Z' } },
      subsets: [
        {
          addresses: [a('10.244.1.11', 'web-1', 'node-a')],
          notReadyAddresses: [a('10.244.1.12', 'web-2', 'node-a')],
          ports: [
            { name: 'http', port: 8080, protocol: 'TCP' },
            { name: 'metrics', port: 9090, protocol: 'TCP', appProtocol: 'http' },
          ],
        },
        { addresses: [a('10.244.2.13', 'web-3', 'node-b')], ports: [{ name: 'http', port: 8081, protocol: 'TCP' }] },
      ],
    });
  });

  it('publishNotReadyAddresses makes every pod ready, terminating ones included', () => {
    const svc = { ...web, spec: { ...web.spec, publishNotReadyAddresses: true } };
    assert.deepEqual(desiredSubsets(svc, serviceBackends(svc, pods)), [
      {
        addresses: [a('10.244.1.11', 'web-1', 'node-a'), a('10.244.1.12', 'web-2', 'node-a'), a('10.244.2.14', 'web-4', 'node-b')],
        ports: [
          { name: 'http', port: 8080, protocol: 'TCP' },
          { name: 'metrics', port: 9090, protocol: 'TCP', appProtocol: 'http' },
        ],
      },
      { addresses: [a('10.244.2.13', 'web-3', 'node-b')], ports: [{ name: 'http', port: 8081, protocol: 'TCP' }] },
    ]);
  });

  it('leaves the name out of an unnamed port', () => {
    assert.deepEqual(desiredSubsets(webNum, serviceBackends(webNum, pods)), [
      {
        addresses: [a('10.244.1.11', 'web-1', 'node-a'), a('10.244.2.13', 'web-3', 'node-b')],
        notReadyAddresses: [a('10.244.1.12', 'web-2', 'node-a')],
        ports: [{ port: 8080, protocol: 'TCP' }],
      },
    ]);
  });

  it('gives a headless service without ports its addresses, hostname and the headless label', () => {
    const ep = desiredEndpoints(dbHeadless, serviceBackends(dbHeadless, pods), undefined, undefined)!;
    assert.deepEqual(ep.metadata, { name: 'db-headless', namespace: 'default', labels: { 'service.kubernetes.io/headless': '' } });
    assert.deepEqual(ep.subsets, [{ addresses: [a('10.244.1.21', 'db-1', 'node-a', { hostname: 'db-1' })] }]);
  });

  it('writes an Endpoints without subsets when no pod matches', () => {
    const svc = service('empty', { clusterIP: '10.96.0.12', selector: { app: 'none' }, ports: [{ port: 80, protocol: 'TCP', targetPort: 80 }] });
    assert.deepEqual(desiredEndpoints(svc, [], undefined, undefined), { apiVersion: 'v1', kind: 'Endpoints', metadata: { name: 'empty', namespace: 'default' } });
  });

  it('does not write when nothing changed, and writes the trigger time when readiness moved', () => {
    const first = desiredEndpoints(web, serviceBackends(web, pods), undefined, T0)!;
    const stored = { ...first, metadata: { ...first.metadata, uid: 'u', resourceVersion: '7' } };
    assert.equal(desiredEndpoints(web, serviceBackends(web, pods), stored, undefined), undefined);
    const flipped = serviceBackends(web, pods).map((b) => (b.name === 'web-2' ? { ...b, ready: true, readyTransition: T2 } : b));
    const next = desiredEndpoints(web, flipped, stored, T2)!;
    assert.equal(next.metadata.resourceVersion, '7');
    assert.equal(next.metadata.annotations!['endpoints.kubernetes.io/last-change-trigger-time'], '2024-05-01T10:00:09Z');
    assert.deepEqual(next.subsets[0].addresses, [a('10.244.1.11', 'web-1', 'node-a'), a('10.244.1.12', 'web-2', 'node-a')]);
    assert.equal(next.subsets[0].notReadyAddresses, undefined);
  });

  it('writes when the service labels change, keeping foreign annotations', () => {
    const first = desiredEndpoints(web, serviceBackends(web, pods), undefined, T0)!;
    first.metadata.annotations!.mine = 'kept';
    const relabelled = { ...web, metadata: { ...web.metadata, labels: { team: 'b' } } };
    const next = desiredEndpoints(relabelled, serviceBackends(web, pods), first, undefined)!;
    assert.deepEqual(next.metadata.labels, { team: 'b' });
    assert.deepEqual(next.metadata.annotations, { mine: 'kept' });
  });
});

describe('repackSubsets', () => {
  it('merges subsets of the same addresses and keeps ready over not ready for one port', () => {
    const x = { ip: '10.244.1.1' };
    const y = { ip: '10.244.1.2' };
    const p80 = { name: 'a', port: 80, protocol: 'TCP' };
    const p81 = { name: 'b', port: 81, protocol: 'TCP' };
    assert.deepEqual(
      repackSubsets([
        { addresses: [y], ports: [p81] },
        { addresses: [x], ports: [p80] },
        { notReadyAddresses: [x], ports: [p80] },
        { addresses: [x], ports: [p81] },
        { addresses: [y], ports: [p80] },
      ]),
      [{ addresses: [x, y], ports: [p80, p81] }],
    );
  });
});

describe('truncateSubsets', () => {
  const many = (n: number, ready: boolean, base: number, port: number): Backend[] =>
    Array.from({ length: n }, (_, i) => ({
      name: `p-${base + i}`,
      namespace: 'default',
      uid: `u-${base + i}`,
      ips: [`10.244.${Math.floor((base + i) / 250)}.${((base + i) % 250) + 1}`],
      ready,
      terminating: false,
      ports: [{ name: 'http', port, protocol: 'TCP' }],
    }));
  const svc = service('big', { clusterIP: '10.96.0.13', selector: { app: 'big' }, ports: [{ name: 'http', port: 80, protocol: 'TCP', targetPort: 'http' }] });
  const count = (ss: any[], f: string) => ss.reduce((n, s) => n + (s[f]?.length ?? 0), 0);

  it('keeps every address up to 1000', () => {
    const { subsets, truncated } = truncateSubsets(desiredSubsets(svc, many(1000, true, 0, 80)));
    assert.equal(truncated, false);
    assert.equal(count(subsets, 'addresses'), 1000);
  });

  it('drops not ready addresses first, in proportion per subset', () => {
    const b = [...many(980, true, 0, 80), ...many(10, false, 1000, 80), ...many(30, false, 2000, 81)];
    const { subsets, truncated } = truncateSubsets(desiredSubsets(svc, b));
    assert.equal(truncated, true);
    assert.equal(count(subsets, 'addresses'), 980);
    assert.deepEqual(
      subsets.map((s) => [s.ports![0].port, s.addresses?.length ?? 0, s.notReadyAddresses?.length ?? 0]),
      [
        [80, 980, 5],
        [81, 0, 15],
      ],
    );
  });

  it('keeps 1000 ready addresses and no not ready ones when ready alone is over', () => {
    const ep = desiredEndpoints(svc, [...many(1200, true, 0, 80), ...many(5, false, 5000, 80)], undefined, undefined)!;
    assert.equal(count(ep.subsets, 'addresses'), 1000);
    assert.equal(count(ep.subsets, 'notReadyAddresses'), 0);
    assert.equal(ep.metadata.annotations!['endpoints.kubernetes.io/over-capacity'], 'truncated');
    // Truncated and marked: a second sync of the same state writes nothing.
    assert.equal(desiredEndpoints(svc, [...many(1200, true, 0, 80), ...many(5, false, 5000, 80)], ep, undefined), undefined);
  });
});
