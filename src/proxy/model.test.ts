/**
 * The proxy model: Services and EndpointSlices to ProxyServicePorts for one
 * node. Address plan: this node is node-a (InternalIP 172.30.0.2), node-b is
 * another node; cluster CIDR 10.244.0.0/16 (node-a pods 10.244.1.x, node-b
 * pods 10.244.2.x); service CIDR 10.96.0.0/12 (cluster IPs 10.96.0.x);
 * external IP 192.0.2.10, load-balancer IP 198.51.100.7, IPv6 fd00::/8
 * (ignored: IPv4 only).
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../api/meta.ts';
import { proxyState } from './model.ts';
import type { ProxyEndpoint, ProxyNodeInfo } from './types.ts';

const node: ProxyNodeInfo = { nodeName: 'node-a', nodePortAddresses: ['172.30.0.2'], clusterCidr: '10.244.0.0/16', serviceCidr: '10.96.0.0/12' };

function svc(name: string, spec: Record<string, any>, status?: Record<string, any>): KubeObject {
  const o: KubeObject = { apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: 'default' }, spec: { type: 'ClusterIP', ...spec } };
  if (status) o.status = status;
  return o;
}
function slice(name: string, service: string, ports: any[], endpoints: any[], addressType = 'IPv4'): KubeObject {
  return {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: { name, namespace: 'default', labels: { 'kubernetes.io/service-name': service } },
    addressType,
    ports,
    endpoints,
  };
}
/** An endpoint object: conditions [ready, serving, terminating], undefined leaves a condition out. */
function ep(ip: string, nodeName: string | undefined, c: [boolean?, boolean?, boolean?] = [true, true, false]): any {
  const conditions: Record<string, boolean> = {};
  if (c[0] !== undefined) conditions.ready = c[0];
  if (c[1] !== undefined) conditions.serving = c[1];
  if (c[2] !== undefined) conditions.terminating = c[2];
  return nodeName ? { addresses: [ip], conditions, nodeName } : { addresses: [ip], conditions };
}
const E = (ip: string, port: number, local: boolean, ready = true, serving = ready, terminating = false): ProxyEndpoint => ({ ip, port, ready, serving, terminating, local });
const http = [{ name: 'http', port: 8080, protocol: 'TCP' }];

describe('proxyState', () => {
  it('merges slices, dedupes ip:port, reads nil conditions the API way, sorts endpoints by address', () => {
    const services = [svc('web', { clusterIP: '10.96.0.20', clusterIPs: ['10.96.0.20'], ports: [{ name: 'http', port: 80, protocol: 'TCP', targetPort: 8080 }] })];
    const slices = [
      slice('web-b', 'web', http, [ep('10.244.2.9', 'node-b'), ep('10.244.1.10', 'node-a', [undefined, undefined, undefined])]),
      slice('web-a', 'web', http, [ep('10.244.1.9', 'node-a'), ep('10.244.2.9', 'node-b'), ep('10.244.1.11', undefined, [false, false, false])]),
    ];
    const s = proxyState(services, slices, node);
    assert.equal(s.node, node);
    assert.deepEqual(s.services, [
      {
        key: 'default/web:http',
        namespace: 'default',
        name: 'web',
        portName: 'http',
        protocol: 'TCP',
        clusterIP: '10.96.0.20',
        port: 80,
        externalIPs: [],
        loadBalancerIPs: [],
        externalPolicyLocal: false,
        internalPolicyLocal: false,
        clusterEndpoints: [E('10.244.1.9', 8080, true), E('10.244.1.10', 8080, true), E('10.244.2.9', 8080, false)],
        localEndpoints: [],
        hasAnyEndpoints: true,
      },
    ]);
  });

  it('skips headless, ExternalName, unallocated and IPv6-only services; takes the IPv4 entry of a dual-stack one', () => {
    const ports = [{ port: 80 }];
    const s = proxyState(
      [
        svc('headless', { clusterIP: 'None', clusterIPs: ['None'], ports }),
        svc('ext', { type: 'ExternalName', externalName: 'example.com', ports }),
        svc('pending', { clusterIP: '', ports }),
        svc('v6', { clusterIP: 'fd00::10', clusterIPs: ['fd00::10'], ports }),
        svc('dual', { clusterIP: 'fd00::11', clusterIPs: ['fd00::11', '10.96.0.11'], ports }),
      ],
      [],
      node,
    );
    assert.deepEqual(
      s.services.map((p) => [p.key, p.clusterIP, p.protocol, p.portName, p.hasAnyEndpoints]),
      [['default/dual', '10.96.0.11', 'TCP', '', false]],
    );
  });

  it('joins slice ports by name and protocol; a missing slice port name is "" and a missing protocol TCP', () => {
    const services = [
      svc('dns', {
        clusterIP: '10.96.0.10',
        ports: [
          { name: 'dns', port: 53, protocol: 'UDP' },
          { name: 'dns-tcp', port: 53, protocol: 'TCP' },
        ],
      }),
      svc('plain', { clusterIP: '10.96.0.30', ports: [{ port: 90, targetPort: 80 }] }),
    ];
    const slices = [
      slice('dns-1', 'dns', [{ name: 'dns', port: 5353, protocol: 'UDP' }, { name: 'dns-tcp', port: 5353 }, { name: 'dns', port: 9999, protocol: 'TCP' }], [ep('10.244.1.5', 'node-a')]),
      slice('plain-1', 'plain', [{ port: 80 }], [ep('10.244.2.5', 'node-b')]),
      slice('plain-6', 'plain', [{ port: 80 }], [ep('fd00::5', 'node-b')], 'IPv6'),
    ];
    const s = proxyState(services, slices, node);
    assert.deepEqual(
      s.services.map((p) => [p.key, p.protocol, p.port, p.clusterEndpoints.map((e) => `${e.ip}:${e.port}`)]),
      [
        ['default/dns:dns', 'UDP', 53, ['10.244.1.5:5353']],
        ['default/dns:dns-tcp', 'TCP', 53, ['10.244.1.5:5353']],
        ['default/plain', 'TCP', 90, ['10.244.2.5:80']],
      ],
    );
  });

  it('falls back to serving-terminating endpoints when none is ready; hasAnyEndpoints counts every endpoint', () => {
    const services = [svc('a', { clusterIP: '10.96.0.40', ports: [{ name: 'http', port: 80 }] }), svc('b', { clusterIP: '10.96.0.41', ports: [{ name: 'http', port: 80 }] })];
    const slices = [
      slice('a-1', 'a', http, [ep('10.244.1.20', 'node-a', [false, true, true]), ep('10.244.2.20', 'node-b', [false, false, true]), ep('10.244.2.21', 'node-b', [false, false, false])]),
      slice('b-1', 'b', http, [ep('10.244.1.30', 'node-a', [false, false, false])]),
    ];
    const [a, b] = proxyState(services, slices, node).services;
    assert.deepEqual(a.clusterEndpoints, [E('10.244.1.20', 8080, true, false, true, true)]);
    assert.equal(a.hasAnyEndpoints, true);
    assert.deepEqual(b.clusterEndpoints, []);
    assert.equal(b.hasAnyEndpoints, true);
  });

  it('internalTrafficPolicy Local: only local endpoints (same fallback); all usable ones kept in clusterPolicyEndpoints', () => {
    const services = [svc('itp', { type: 'NodePort', clusterIP: '10.96.0.50', internalTrafficPolicy: 'Local', ports: [{ name: 'http', port: 80, nodePort: 30050 }] })];
    const slices = [slice('itp-1', 'itp', http, [ep('10.244.1.50', 'node-a', [false, true, true]), ep('10.244.2.50', 'node-b'), ep('10.244.2.51', 'node-b')])];
    const [p] = proxyState(services, slices, node).services;
    assert.equal(p.internalPolicyLocal, true);
    assert.equal(p.nodePort, 30050);
    assert.deepEqual(p.clusterEndpoints, [E('10.244.1.50', 8080, true, false, true, true)]);
    assert.deepEqual(p.clusterPolicyEndpoints, [E('10.244.2.50', 8080, false), E('10.244.2.51', 8080, false)]);
    assert.deepEqual(p.localEndpoints, []);
  });

  it('externalTrafficPolicy Local applies to NodePort, LoadBalancer and externalIPs only', () => {
    const etp = { externalTrafficPolicy: 'Local', ports: [{ name: 'http', port: 80, nodePort: 30060 }] };
    const services = [
      svc('np', { ...etp, type: 'NodePort', clusterIP: '10.96.0.60' }),
      svc('cip', { ...etp, clusterIP: '10.96.0.61' }),
      svc('eip', { ...etp, clusterIP: '10.96.0.62', externalIPs: ['192.0.2.10', 'fd00::1', 'junk'] }),
    ];
    const eps = [ep('10.244.1.60', 'node-a'), ep('10.244.2.60', 'node-b')];
    const slices = [slice('np-1', 'np', http, eps), slice('cip-1', 'cip', http, eps), slice('eip-1', 'eip', http, eps)];
    const [cip, eip, np] = proxyState(services, slices, node).services;
    assert.deepEqual([cip.key, cip.externalPolicyLocal, cip.localEndpoints, cip.nodePort], ['default/cip:http', false, [], undefined]);
    assert.deepEqual([eip.externalPolicyLocal, eip.externalIPs, eip.localEndpoints], [true, ['192.0.2.10'], [E('10.244.1.60', 8080, true)]]);
    assert.deepEqual([np.externalPolicyLocal, np.nodePort, np.localEndpoints], [true, 30060, [E('10.244.1.60', 8080, true)]]);
    assert.equal(np.clusterEndpoints.length, 2);
  });

  it('takes load-balancer IPs from status for LoadBalancer services only, and session affinity with its default', () => {
    const ingress = { loadBalancer: { ingress: [{ ip: '198.51.100.7' }, { hostname: 'lb.example' }, { ip: '198.51.100.8', ipMode: 'Proxy' }] } };
    const services = [
      svc('lb', { type: 'LoadBalancer', clusterIP: '10.96.0.70', sessionAffinity: 'ClientIP', ports: [{ port: 8080, nodePort: 30070 }] }, ingress),
      svc('np', { type: 'NodePort', clusterIP: '10.96.0.71', sessionAffinity: 'ClientIP', sessionAffinityConfig: { clientIP: { timeoutSeconds: 60 } }, ports: [{ port: 80, nodePort: 30071 }] }, ingress),
      svc('cip', { clusterIP: '10.96.0.72', ports: [{ port: 80, nodePort: 30072 }] }),
    ];
    const [cip, lb, np] = proxyState(services, [], node).services;
    assert.deepEqual([lb.loadBalancerIPs, lb.nodePort, lb.affinityTimeoutSeconds], [['198.51.100.7'], 30070, 10800]);
    assert.deepEqual([np.loadBalancerIPs, np.nodePort, np.affinityTimeoutSeconds], [[], 30071, 60]);
    assert.deepEqual([cip.nodePort, cip.affinityTimeoutSeconds, 'affinityTimeoutSeconds' in cip], [undefined, undefined, false]);
  });

  it('never throws on garbage and keeps what is usable', () => {
    const junk: any[] = [
      null,
      'service',
      { metadata: null },
      { apiVersion: 'v1', kind: 'Service', metadata: { name: 'nospec', namespace: 'default' } },
      svc('badports', { clusterIP: '10.96.0.80', ports: 'x' }),
      svc('weird', { clusterIP: '10.96.0.81', ports: [null, { port: 0 }, { port: 80, protocol: 'ICMP' }, { port: 81, name: 7 }, { port: 82 }, { port: 83 }] }),
      svc('weird', { clusterIP: '10.96.0.99', ports: [{ port: 1 }] }),
    ];
    const slices: any[] = [
      null,
      { metadata: { namespace: 'default' } },
      slice('w-1', 'weird', [{ port: 'x' }, null, { port: 82, name: null, protocol: null }], [null, { addresses: 'x' }, { addresses: ['bogus'] }, ep('10.244.1.81', 'node-a'), { addresses: ['10.244.1.82'], conditions: 'x' }]),
      { ...slice('w-2', 'weird', null as any, null as any) },
    ];
    const s = proxyState(junk, slices, node);
    assert.deepEqual(
      s.services.map((p) => [p.key, p.port, p.clusterEndpoints.map((e) => `${e.ip}:${e.port}`)]),
      [['default/weird', 82, ['10.244.1.81:82', '10.244.1.82:82']]],
    );
    assert.deepEqual(proxyState(null as any, undefined as any, node).services, []);
  });

  it('sorts service ports by key across services', () => {
    const services = [
      svc('b', { clusterIP: '10.96.0.91', ports: [{ name: 'z', port: 1 }, { name: 'a', port: 2 }] }),
      svc('a', { clusterIP: '10.96.0.90', ports: [{ port: 3 }] }),
    ];
    assert.deepEqual(
      proxyState(services, [], node).services.map((p) => p.key),
      ['default/a', 'default/b:a', 'default/b:z'],
    );
  });
});
