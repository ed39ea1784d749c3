/**
 * The service-lb rules. Address plan (made up, never contacted):
 *   nodes  node-a 172.30.9.11, node-b 172.30.9.12, node-c 172.30.9.13 (Ready),
 *          node-d 172.30.9.14 (NotReady), node-e 172.30.9.15 (cordoned),
 *          node-f 172.30.9.16 (excluded by label), node-v6 fd00::21 (Ready, IPv6)
 *   pool   172.30.0.200/30 = .200-.203 unless a test says otherwise
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../api/meta.ts';
import { ServiceLBError, ingressEqual, loadBalancerStatus, nodeAddresses, parsePool, poolContains, type LbHistory, type LbPool } from './service-lb-model.ts';

const node = (name: string, ip: string, o: { ready?: boolean; unschedulable?: boolean; labels?: Record<string, string> } = {}): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Node',
  metadata: { name, labels: o.labels },
  spec: o.unschedulable ? { unschedulable: true } : {},
  status: {
    conditions: [{ type: 'Ready', status: o.ready === false ? 'False' : 'True' }],
    addresses: [
      { type: 'InternalIP', address: ip },
      { type: 'Hostname', address: name },
    ],
  },
});

const nodes = [
  node('node-b', '172.30.9.12'),
  node('node-a', '172.30.9.11'),
  node('node-c', '172.30.9.13'),
  node('node-d', '172.30.9.14', { ready: false }),
  node('node-e', '172.30.9.15', { unschedulable: true }),
  node('node-f', '172.30.9.16', { labels: { 'node.kubernetes.io/exclude-from-external-load-balancers': '' } }),
  node('node-v6', 'fd00::21'),
];
const NODE_INGRESS = ['172.30.9.11', '172.30.9.12', '172.30.9.13'].map((ip) => ({ ip, ipMode: 'VIP' }));

let clock = 0;
function svc(name: string, spec: Record<string, unknown> = {}, o: { ns?: string; created?: string; ingress?: string[] } = {}): KubeObject {
  clock++;
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, namespace: o.ns ?? 'default', uid: `uid-${name}`, creationTimestamp: o.created ?? `2025-01-01T00:00:${String(clock % 60).padStart(2, '0')}Z` },
    spec: { type: 'LoadBalancer', ports: [{ port: 80, protocol: 'TCP' }], ipFamilies: ['IPv4'], ...spec },
    status: { loadBalancer: o.ingress ? { ingress: o.ingress.map((ip) => ({ ip, ipMode: 'VIP' })) } : {} },
  };
}
const at = (s: number) => `2025-01-01T00:00:${String(s).padStart(2, '0')}Z`;
const pool = (text: string) => parsePool(text) as LbPool;
const ips = (v: unknown) => (v === 'pending' ? 'pending' : (v as { ip: string }[]).map((i) => i.ip).join(','));

describe('parsePool', () => {
  it('reads CIDRs, ranges and single addresses, merging overlaps', () => {
    assert.equal(parsePool(''), undefined);
    assert.equal(parsePool(' , '), undefined);
    const p = pool('172.30.0.200/29, 172.30.0.210-172.30.0.212,172.30.0.205-172.30.0.209,10.0.0.1');
    assert.deepEqual(
      p.ranges.map((r) => [r.first, r.last]),
      [
        [167772161, 167772161],
        [2887647432, 2887647444],
      ],
    );
    assert.equal(p.size, 14);
    assert.ok(poolContains(p, '172.30.0.200') && poolContains(p, '172.30.0.212') && poolContains(p, '10.0.0.1'));
    assert.ok(!poolContains(p, '172.30.0.213') && !poolContains(p, '172.30.0.199') && !poolContains(p, 'bogus'));
  });

  it('takes every address of a CIDR, also with host bits set', () => {
    const p = pool('172.30.0.201/30');
    assert.deepEqual([p.size, poolContains(p, '172.30.0.200'), poolContains(p, '172.30.0.203'), poolContains(p, '172.30.0.204')], [4, true, true, false]);
  });

  it('refuses garbage with a ServiceLBError naming the bad part', () => {
    for (const [text, part] of [
      ['172.30.0.0/33', '172.30.0.0/33'],
      ['172.30.0.0/x', '172.30.0.0/x'],
      ['172.30.0.10-172.30.0.1', 'ends before it starts'],
      ['172.30.0.1-', 'not a range'],
      ['hello', 'neither a CIDR'],
      ['172.30.0.0/24,300.1.1.1', '300.1.1.1'],
      ['fd00::/120', 'only IPv4'],
      ['1.2.3.4/24/2', 'not an IPv4 CIDR'],
    ]) {
      assert.throws(
        () => parsePool(text),
        (e: unknown) => e instanceof ServiceLBError && e.code === 'INVALID_POOL' && e.message.includes(part) && e.message.includes('--lb-pool'),
        text,
      );
    }
  });
});

describe('node addresses (no pool)', () => {
  it('lists the InternalIP of every Ready, schedulable, not excluded node, sorted', () => {
    assert.deepEqual(nodeAddresses(nodes), { v4: ['172.30.9.11', '172.30.9.12', '172.30.9.13'], v6: ['fd00::21'] });
    const plan = loadBalancerStatus([svc('web')], nodes, undefined);
    assert.deepEqual(plan.desired.get('default/web'), NODE_INGRESS);
    assert.deepEqual(plan.events, []);
  });

  it('follows the Service ipFamilies', () => {
    const plan = loadBalancerStatus([svc('dual', { ipFamilies: ['IPv6', 'IPv4'] }), svc('v6', { ipFamilies: ['IPv6'], ports: [{ port: 81 }] }), svc('v4', { ports: [{ port: 81 }] })], nodes, undefined);
    assert.equal(ips(plan.desired.get('default/dual')), 'fd00::21,172.30.9.11,172.30.9.12,172.30.9.13');
    assert.equal(ips(plan.desired.get('default/v6')), 'fd00::21');
    assert.equal(ips(plan.desired.get('default/v4')), '172.30.9.11,172.30.9.12,172.30.9.13', 'the same port on another address family is free');
  });

  it('is pending with a Warning when no node qualifies', () => {
    const plan = loadBalancerStatus([svc('web')], [nodes[3], nodes[4]], undefined);
    assert.equal(plan.desired.get('default/web'), 'pending');
    assert.equal(plan.events.length, 1);
    assert.match(plan.events[0].message, /no Ready, schedulable node has an InternalIP address/);
  });

  it('gives colliding ports to the oldest Service; a later one stays pending with a Warning naming the other', () => {
    const services = [
      svc('late', { ports: [{ port: 443, protocol: 'TCP' }, { port: 80 }] }, { created: at(30) }),
      svc('first', { ports: [{ port: 80, protocol: 'TCP' }] }, { created: at(10) }),
      svc('udp', { ports: [{ port: 80, protocol: 'UDP' }] }, { created: at(20) }),
      svc('tls', { ports: [{ port: 443, protocol: 'TCP' }] }, { created: at(40) }),
    ];
    const plan = loadBalancerStatus(services, nodes, undefined);
    assert.deepEqual(plan.desired.get('default/first'), NODE_INGRESS);
    assert.deepEqual(plan.desired.get('default/udp'), NODE_INGRESS, 'same port, other protocol: no collision');
    assert.equal(plan.desired.get('default/late'), 'pending');
    // late took nothing, so tls (younger still) keeps 443.
    assert.deepEqual(plan.desired.get('default/tls'), NODE_INGRESS);
    assert.deepEqual(plan.events, [
      {
        key: 'default/late',
        type: 'Warning',
        reason: 'SyncLoadBalancerFailed',
        message: 'no ports available for service: port 80/TCP is already served on the node addresses by Service default/first (created earlier); use another port or start the server with --lb-pool',
      },
    ]);
  });

  it('breaks a creationTimestamp tie by namespace/name', () => {
    const plan = loadBalancerStatus([svc('b', {}, { created: at(5) }), svc('a', {}, { created: at(5), ns: 'zz' }), svc('a', {}, { created: at(5) })], nodes, undefined);
    assert.deepEqual([ips(plan.desired.get('default/a')), ips(plan.desired.get('default/b')), ips(plan.desired.get('zz/a'))], [NODE_INGRESS.map((i) => i.ip).join(), 'pending', 'pending']);
  });

  it('replaces a pool address left in the status by node addresses', () => {
    const plan = loadBalancerStatus([svc('web', {}, { ingress: ['172.30.0.200'] })], nodes, undefined);
    assert.deepEqual(plan.desired.get('default/web'), NODE_INGRESS);
  });
});

describe('pool', () => {
  const p = () => pool('172.30.0.200/30');

  it('gives every LoadBalancer Service one address, oldest first, also with colliding ports', () => {
    const plan = loadBalancerStatus([svc('b', {}, { created: at(2) }), svc('a', {}, { created: at(1) })], nodes, p());
    assert.deepEqual(plan.desired.get('default/a'), [{ ip: '172.30.0.200', ipMode: 'VIP' }]);
    assert.deepEqual(plan.desired.get('default/b'), [{ ip: '172.30.0.201', ipMode: 'VIP' }]);
    assert.deepEqual(plan.events, []);
    assert.deepEqual([...plan.history.assigned], [
      ['default/a', '172.30.0.200'],
      ['default/b', '172.30.0.201'],
    ]);
  });

  it('reads a range', () => {
    const plan = loadBalancerStatus([svc('a')], nodes, pool('172.30.0.210-172.30.0.212'));
    assert.equal(ips(plan.desired.get('default/a')), '172.30.0.210');
  });

  it('keeps the address in a Service status (a restart of the controller changes nothing)', () => {
    const services = [svc('a', {}, { created: at(1) }), svc('b', {}, { created: at(2), ingress: ['172.30.0.203'] }), svc('c', {}, { created: at(3), ingress: ['172.30.0.200'] })];
    const plan = loadBalancerStatus(services, nodes, p());
    assert.deepEqual(['a', 'b', 'c'].map((n) => ips(plan.desired.get(`default/${n}`))), ['172.30.0.201', '172.30.0.203', '172.30.0.200']);
  });

  it('gives a status address claimed twice to the older Service', () => {
    const services = [svc('young', {}, { created: at(9), ingress: ['172.30.0.202'] }), svc('old', {}, { created: at(1), ingress: ['172.30.0.202'] })];
    const plan = loadBalancerStatus(services, nodes, p());
    assert.deepEqual([ips(plan.desired.get('default/old')), ips(plan.desired.get('default/young'))], ['172.30.0.202', '172.30.0.200']);
  });

  it('keeps what it gave before even when the status write has not landed', () => {
    const history: LbHistory = { assigned: new Map([['default/a', '172.30.0.202']]), released: [] };
    assert.equal(ips(loadBalancerStatus([svc('a')], nodes, p(), history).desired.get('default/a')), '172.30.0.202');
  });

  it('honours spec.loadBalancerIP in the pool and free', () => {
    const plan = loadBalancerStatus([svc('a', {}, { created: at(1) }), svc('b', { loadBalancerIP: '172.30.0.200' }, { created: at(2) })], nodes, p());
    assert.deepEqual([ips(plan.desired.get('default/a')), ips(plan.desired.get('default/b'))], ['172.30.0.201', '172.30.0.200']);
  });

  it('refuses spec.loadBalancerIP outside the pool, taken or malformed: pending with a Warning', () => {
    const services = [
      svc('holder', {}, { created: at(1), ingress: ['172.30.0.201'] }),
      svc('outside', { loadBalancerIP: '10.1.2.3' }, { created: at(2) }),
      svc('taken', { loadBalancerIP: '172.30.0.201' }, { created: at(3) }),
      svc('junk', { loadBalancerIP: 'not-an-ip' }, { created: at(4) }),
    ];
    const plan = loadBalancerStatus(services, nodes, p());
    assert.equal(ips(plan.desired.get('default/holder')), '172.30.0.201');
    for (const n of ['outside', 'taken', 'junk']) assert.equal(plan.desired.get(`default/${n}`), 'pending', n);
    assert.deepEqual(
      plan.events.map((e) => [e.key, e.message]),
      [
        ['default/outside', 'spec.loadBalancerIP 10.1.2.3 is not in --lb-pool 172.30.0.200/30'],
        ['default/taken', 'spec.loadBalancerIP 172.30.0.201 is already assigned to Service default/holder'],
        ['default/junk', 'spec.loadBalancerIP "not-an-ip" is not an IPv4 address'],
      ],
    );
  });

  it('moves a Service to its new spec.loadBalancerIP and frees the old address', () => {
    const plan = loadBalancerStatus([svc('a', { loadBalancerIP: '172.30.0.203' }, { ingress: ['172.30.0.200'] })], nodes, p(), { assigned: new Map([['default/a', '172.30.0.200']]), released: [] });
    assert.equal(ips(plan.desired.get('default/a')), '172.30.0.203');
    assert.deepEqual(plan.history.released, ['172.30.0.200']);
  });

  it('reuses freed addresses only after every never-used one, longest freed first', () => {
    let history: LbHistory | undefined;
    const run = (services: KubeObject[]) => {
      const plan = loadBalancerStatus(services, nodes, p(), history);
      history = plan.history;
      return plan;
    };
    const a = svc('a', {}, { created: at(1) });
    const b = svc('b', {}, { created: at(2) });
    run([a, b]); // a .200, b .201
    run([b]); // a deleted: .200 freed
    run([]); // b deleted: .201 freed after .200
    assert.deepEqual(history!.released, ['172.30.0.200', '172.30.0.201']);
    const plan = run([svc('c', {}, { created: at(3) }), svc('d', {}, { created: at(4) }), svc('e', {}, { created: at(5) })]);
    assert.deepEqual(['c', 'd', 'e'].map((n) => ips(plan.desired.get(`default/${n}`))), ['172.30.0.202', '172.30.0.203', '172.30.0.200']);
    assert.deepEqual(history!.released, ['172.30.0.201']);
  });

  it('does not hand an address freed in the same run to a new Service while others are free', () => {
    const history: LbHistory = { assigned: new Map([['default/gone', '172.30.0.200']]), released: [] };
    const plan = loadBalancerStatus([svc('new')], nodes, p(), history);
    assert.equal(ips(plan.desired.get('default/new')), '172.30.0.201');
    assert.deepEqual(plan.history.released, ['172.30.0.200']);
  });

  it('is pending with a Warning when the pool is exhausted', () => {
    const services = [1, 2, 3, 4, 5].map((i) => svc(`s${i}`, {}, { created: at(i) }));
    const plan = loadBalancerStatus(services, nodes, p());
    assert.equal(plan.desired.get('default/s5'), 'pending');
    assert.deepEqual(
      plan.events.map((e) => [e.key, e.reason, e.message]),
      [['default/s5', 'SyncLoadBalancerFailed', 'no available IP in --lb-pool 172.30.0.200/30: all 4 addresses are assigned']],
    );
  });

  it('does not hand out an address another implementation (loadBalancerClass) reports', () => {
    const other = svc('other', { loadBalancerClass: 'example.com/lb' }, { created: at(1), ingress: ['172.30.0.200'] });
    const plan = loadBalancerStatus([other, svc('a', {}, { created: at(2) })], nodes, p());
    assert.equal(ips(plan.desired.get('default/a')), '172.30.0.201');
    assert.equal(plan.desired.has('default/other'), false);
  });

  it('leaves an IPv6-only Service pending: the pool is IPv4', () => {
    const plan = loadBalancerStatus([svc('v6', { ipFamilies: ['IPv6'] })], nodes, p());
    assert.equal(plan.desired.get('default/v6'), 'pending');
    assert.match(plan.events[0].message, /IPv4 addresses only/);
  });
});

describe('which Services', () => {
  it('skips Services with a loadBalancerClass and other types', () => {
    const plan = loadBalancerStatus([svc('classy', { loadBalancerClass: 'example.com/lb' }), svc('cip', { type: 'ClusterIP' }), svc('np', { type: 'NodePort' })], nodes, undefined);
    assert.equal(plan.desired.size, 0);
  });

  it('clears the status of a Service that is no longer a LoadBalancer, and frees its pool address', () => {
    const history: LbHistory = { assigned: new Map([['default/was', '172.30.0.200']]), released: [] };
    const plan = loadBalancerStatus([svc('was', { type: 'ClusterIP' }, { ingress: ['172.30.0.200'] })], nodes, pool('172.30.0.200/30'), history);
    assert.deepEqual(plan.desired.get('default/was'), []);
    assert.deepEqual(plan.history.released, ['172.30.0.200']);
    assert.deepEqual(loadBalancerStatus([svc('was', { type: 'NodePort' }, { ingress: ['172.30.9.11'] })], nodes, undefined).desired.get('default/was'), []);
  });

  it('never throws on malformed Services and Nodes', () => {
    const bad: any[] = [
      { metadata: {} },
      { metadata: { name: 'nospec', namespace: 'default' } },
      { metadata: { name: 'p', namespace: 'default' }, spec: { type: 'LoadBalancer', ports: 'eighty', ipFamilies: 'x' }, status: { loadBalancer: { ingress: 'x' } } },
      { metadata: { name: 'q', namespace: 'default' }, spec: { type: 'LoadBalancer', ports: [null, { port: '80' }], loadBalancerIP: 7 }, status: null },
    ];
    const badNodes: any[] = [{ metadata: { name: 'n' } }, { metadata: { name: 'm' }, status: { conditions: 'x', addresses: [null] } }, null];
    for (const pl of [undefined, pool('172.30.0.200/30')]) {
      const plan = loadBalancerStatus(bad, [...badNodes, ...nodes], pl);
      assert.ok(plan.desired.has('default/p') && plan.desired.has('default/q'));
    }
  });
});

describe('ingressEqual', () => {
  it('compares the whole entries', () => {
    assert.ok(ingressEqual([{ ip: '1.2.3.4', ipMode: 'VIP' }], [{ ip: '1.2.3.4', ipMode: 'VIP' }]));
    assert.ok(!ingressEqual([{ ip: '1.2.3.4' }], [{ ip: '1.2.3.4', ipMode: 'VIP' }]));
    assert.ok(!ingressEqual([{ ip: '1.2.3.4', ipMode: 'VIP', ports: [] }], [{ ip: '1.2.3.4', ipMode: 'VIP' }]));
    assert.ok(ingressEqual([], []));
  });
});
