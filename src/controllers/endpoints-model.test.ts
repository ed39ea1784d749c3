/**
 * Which pods back which Service port. Address plan: see endpoints-fixtures.ts
 * (pods 10.244.1.x on node-a, 10.244.2.x on node-b, services 10.96.0.x).
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { computeTriggerTime, findPort, podChangedForEndpoints, rfc3339Nano, semanticEqual, serviceBackends, serviceSelector, shouldPodBeInEndpoints } from './endpoints-model.ts';
import { T0, T1, T2, dbHeadless, pod, pods, service, web, webNum } from './endpoints-fixtures.ts';

describe('serviceBackends', () => {
  it('resolves named ports per pod and leaves out pods without IP and terminal pods', () => {
    const got = serviceBackends(web, pods);
    assert.deepEqual(
      got.map((b) => [b.name, b.ips.join(), b.ready, b.terminating, b.ports.map((p) => `${p.name}:${p.port}`).join()]),
      [
        ['web-1', '10.244.1.11', true, false, 'http:8080,metrics:9090'],
        ['web-2', '10.244.1.12', false, false, 'http:8080,metrics:9090'],
        ['web-3', '10.244.2.13', true, false, 'http:8081'],
        ['web-4', '10.244.2.14', true, true, 'http:8080,metrics:9090'],
      ],
    );
    assert.equal(got[0].ports[1].appProtocol, 'http');
    assert.equal(got[0].nodeName, 'node-a');
  });

  it('uses a numeric targetPort as is', () => {
    assert.deepEqual(
      serviceBackends(webNum, pods).map((b) => b.ports),
      [1, 2, 3, 4].map(() => [{ name: '', port: 8080, protocol: 'TCP' }]),
    );
  });

  it('sets the hostname only when the subdomain names the service', () => {
    assert.equal(serviceBackends(dbHeadless, pods)[0].hostname, 'db-1');
    const other = service('db-other', { clusterIP: 'None', selector: { app: 'db' } });
    assert.equal(serviceBackends(other, pods)[0].hostname, undefined);
  });

  it('selects nothing without a selector or with an empty one, and only in the service namespace', () => {
    assert.equal(serviceSelector(service('x', {})), undefined);
    assert.equal(serviceSelector(service('x', { selector: {} })), undefined);
    assert.deepEqual(serviceBackends(service('x', { selector: {} }), pods), []);
    const elsewhere = pod('web-9', { ip: '10.244.1.99', node: 'node-a', ready: true, ns: 'other' });
    assert.deepEqual(
      serviceBackends(webNum, [elsewhere]).map((b) => b.name),
      [],
    );
  });
});

describe('findPort', () => {
  const p = pod('p', {
    ip: '10.244.1.5',
    ports: [
      { name: 'dns', containerPort: 53, protocol: 'UDP' },
      { name: 'dns-tcp', containerPort: 5353 },
    ],
  });
  it('matches the name and the protocol', () => {
    assert.equal(findPort(p, { port: 53, protocol: 'UDP', targetPort: 'dns' }), 53);
    assert.equal(findPort(p, { port: 53, protocol: 'TCP', targetPort: 'dns' }), undefined);
    assert.equal(findPort(p, { port: 53, protocol: 'TCP', targetPort: 'dns-tcp' }), 5353);
  });
  it('looks into sidecars but not into plain init containers', () => {
    const s = structuredClone(p);
    s.spec.initContainers = [
      { name: 'init', ports: [{ name: 'init-port', containerPort: 1000, protocol: 'TCP' }] },
      { name: 'side', restartPolicy: 'Always', ports: [{ name: 'side-port', containerPort: 2000, protocol: 'TCP' }] },
    ];
    assert.equal(findPort(s, { port: 1, protocol: 'TCP', targetPort: 'init-port' }), undefined);
    assert.equal(findPort(s, { port: 1, protocol: 'TCP', targetPort: 'side-port' }), 2000);
  });
  it('defaults the target to the port', () => {
    assert.equal(findPort(p, { port: 81, protocol: 'TCP' }), 81);
  });
});

describe('shouldPodBeInEndpoints', () => {
  it('keeps terminating pods only when asked', () => {
    const t = pods.find((p) => p.metadata.name === 'web-4')!;
    assert.equal(shouldPodBeInEndpoints(t, false), false);
    assert.equal(shouldPodBeInEndpoints(t, true), true);
  });
  it('drops terminal pods and pods without an IP', () => {
    assert.equal(shouldPodBeInEndpoints(pods.find((p) => p.metadata.name === 'web-6')!, true), false);
    assert.equal(shouldPodBeInEndpoints(pods.find((p) => p.metadata.name === 'web-5')!, true), false);
  });
});

describe('podChangedForEndpoints', () => {
  const a = pods[0];
  it('ignores changes that cannot move endpoints', () => {
    const b = structuredClone(a);
    b.metadata.annotations = { x: 'y' };
    b.metadata.resourceVersion = '99';
    assert.equal(podChangedForEndpoints(a, b), false);
  });
  it('sees readiness, IP, labels and deletion', () => {
    for (const change of [
      (p: any) => (p.status.conditions[0].status = 'False'),
      (p: any) => (p.status.podIPs = [{ ip: '10.244.1.99' }]),
      (p: any) => (p.metadata.labels = { app: 'other' }),
      (p: any) => (p.metadata.deletionTimestamp = T1),
    ]) {
      const b = structuredClone(a);
      change(b);
      assert.equal(podChangedForEndpoints(a, b), true);
    }
  });
});

describe('computeTriggerTime', () => {
  it('is the service creation first, then the earliest readiness change, then nothing', () => {
    const backends = serviceBackends(web, pods);
    const first = computeTriggerTime(undefined, web, backends);
    assert.equal(first.time, T0);
    const again = computeTriggerTime(first.state, web, backends);
    assert.equal(again.time, undefined);
    const changed = serviceBackends(web, pods).map((b) => (b.name === 'web-2' ? { ...b, readyTransition: T2 } : b.name === 'web-3' ? { ...b, readyTransition: T1 } : b));
    assert.equal(computeTriggerTime(again.state, web, changed).time, T1);
  });
});

describe('rfc3339Nano', () => {
  it('prints as Go does', () => {
    assert.equal(rfc3339Nano('2024-05-01T10:00:00Z'), '2024-05-01T10:00:00Z');
    assert.equal(rfc3339Nano('2024-05-01T12:00:00.500+02:00'), '2024-05-01T10:00:00.5Z');
    assert.equal(rfc3339Nano('2024-05-01T10:00:10.000Z'), '2024-05-01T10:00:10Z');
  });
});

describe('semanticEqual', () => {
  it('treats missing, null and empty alike and ignores key order', () => {
    assert.equal(semanticEqual({ a: [], b: null, c: { d: 1, e: 2 } }, { c: { e: 2, d: 1 } }), true);
    assert.equal(semanticEqual([{ ip: '1' }], [{ ip: '2' }]), false);
    assert.equal(semanticEqual({ ready: false }, {}), false);
  });
});
