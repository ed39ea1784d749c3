/**
 * The listener table, from hand-made ProxyStates.
 *
 * Address plan: node 192.168.50.10 (+ 127.0.0.1 as in host mode), service
 * CIDR 10.96.0.0/12, pods 10.244.0.0/16 (local ones in 10.244.0.0/24),
 * external IP 203.0.113.7, load-balancer IP 198.51.100.20.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ProxyEndpoint, ProxyServicePort, ProxyState } from '../types.ts';
import { listenerKey, relayTable } from './table.ts';

const ep = (ip: string, port: number, local = false): ProxyEndpoint => ({ ip, port, ready: true, serving: true, terminating: false, local });

function svc(p: Partial<ProxyServicePort> & { key: string }): ProxyServicePort {
  const [namespace, rest] = p.key.split('/');
  const [name, portName = ''] = rest.split(':');
  return {
    namespace,
    name,
    portName,
    protocol: 'TCP',
    clusterIP: '10.96.0.50',
    port: 80,
    externalIPs: [],
    loadBalancerIPs: [],
    externalPolicyLocal: false,
    internalPolicyLocal: false,
    clusterEndpoints: [],
    localEndpoints: [],
    hasAnyEndpoints: false,
    ...p,
  };
}

const state = (...services: ProxyServicePort[]): ProxyState => ({
  node: { nodeName: 'n0', nodePortAddresses: ['192.168.50.10', '127.0.0.1'], clusterCidr: '10.244.0.0/16', serviceCidr: '10.96.0.0/12' },
  services,
});

const keys = (s: ProxyState): string[] => relayTable(s).map((r) => `${listenerKey(r)} ${r.kind} ${r.pool} -> ${r.endpoints.map((e) => `${e.ip}:${e.port}`).join(',')}`);

test('ClusterIP: one listener on clusterIP:port with the cluster endpoints', () => {
  const s = state(svc({ key: 'default/web', clusterEndpoints: [ep('10.244.0.5', 8080), ep('10.244.1.5', 8080)], hasAnyEndpoints: true }));
  assert.deepEqual(keys(s), ['tcp 10.96.0.50:80 clusterIP cluster -> 10.244.0.5:8080,10.244.1.5:8080']);
  assert.equal(relayTable(s)[0].service, 'default/web');
});

test('NodePort, externalIPs and LoadBalancer IPs each get a listener, on every node port address', () => {
  const eps = [ep('10.244.0.5', 80, true), ep('10.244.1.5', 80)];
  const s = state(
    svc({ key: 'default/lb:http', nodePort: 30080, externalIPs: ['203.0.113.7'], loadBalancerIPs: ['198.51.100.20'], clusterEndpoints: eps, localEndpoints: [], hasAnyEndpoints: true, affinityTimeoutSeconds: 10800 }),
  );
  assert.deepEqual(keys(s), [
    'tcp 10.96.0.50:80 clusterIP cluster -> 10.244.0.5:80,10.244.1.5:80',
    'tcp 192.168.50.10:30080 nodePort cluster -> 10.244.0.5:80,10.244.1.5:80',
    'tcp 127.0.0.1:30080 nodePort cluster -> 10.244.0.5:80,10.244.1.5:80',
    'tcp 203.0.113.7:80 externalIP cluster -> 10.244.0.5:80,10.244.1.5:80',
    'tcp 198.51.100.20:80 loadBalancer cluster -> 10.244.0.5:80,10.244.1.5:80',
  ]);
  assert.ok(relayTable(s).every((r) => r.affinityTimeoutSeconds === 10800));
});

test('externalTrafficPolicy Local: external addresses use the local endpoints, the cluster IP does not', () => {
  const s = state(
    svc({
      key: 'default/local',
      nodePort: 30081,
      externalIPs: ['203.0.113.7'],
      externalPolicyLocal: true,
      clusterEndpoints: [ep('10.244.0.5', 80, true), ep('10.244.1.5', 80)],
      localEndpoints: [ep('10.244.0.5', 80, true)],
      hasAnyEndpoints: true,
    }),
  );
  assert.deepEqual(keys(s), [
    'tcp 10.96.0.50:80 clusterIP cluster -> 10.244.0.5:80,10.244.1.5:80',
    'tcp 192.168.50.10:30081 nodePort local -> 10.244.0.5:80',
    'tcp 127.0.0.1:30081 nodePort local -> 10.244.0.5:80',
    'tcp 203.0.113.7:80 externalIP local -> 10.244.0.5:80',
  ]);
});

test('no endpoints, no listener (the kernel refuses); policy Local without local endpoints keeps only the cluster IP', () => {
  const s = state(
    svc({ key: 'default/empty', nodePort: 30082, hasAnyEndpoints: false }),
    svc({ key: 'default/remote-only', clusterIP: '10.96.0.51', nodePort: 30083, externalPolicyLocal: true, clusterEndpoints: [ep('10.244.1.5', 80)], localEndpoints: [], hasAnyEndpoints: true }),
  );
  assert.deepEqual(keys(s), ['tcp 10.96.0.51:80 clusterIP cluster -> 10.244.1.5:80']);
});

test('UDP and TCP on one port are two listeners; SCTP and non-IPv4 addresses are skipped', () => {
  const eps = [ep('10.244.0.9', 53)];
  const s = state(
    svc({ key: 'kube-system/kube-dns:dns', clusterIP: '10.96.0.10', port: 53, protocol: 'UDP', clusterEndpoints: eps, hasAnyEndpoints: true }),
    svc({ key: 'kube-system/kube-dns:dns-tcp', clusterIP: '10.96.0.10', port: 53, protocol: 'TCP', clusterEndpoints: eps, externalIPs: ['2001:db8::1'], hasAnyEndpoints: true }),
    svc({ key: 'default/sctp', clusterIP: '10.96.0.60', port: 9999, protocol: 'SCTP', clusterEndpoints: eps, hasAnyEndpoints: true }),
  );
  assert.deepEqual(keys(s), ['udp 10.96.0.10:53 clusterIP cluster -> 10.244.0.9:53', 'tcp 10.96.0.10:53 clusterIP cluster -> 10.244.0.9:53']);
});

test('two service ports claiming one address:port: the first by key keeps it', () => {
  const s = state(
    svc({ key: 'a/one', externalIPs: ['203.0.113.7'], clusterEndpoints: [ep('10.244.0.1', 80)], hasAnyEndpoints: true }),
    svc({ key: 'b/two', clusterIP: '10.96.0.52', externalIPs: ['203.0.113.7'], clusterEndpoints: [ep('10.244.0.2', 80)], hasAnyEndpoints: true }),
  );
  const t = relayTable(s);
  assert.deepEqual(
    t.map((r) => `${listenerKey(r)} ${r.service}`),
    ['tcp 10.96.0.50:80 a/one', 'tcp 203.0.113.7:80 a/one', 'tcp 10.96.0.52:80 b/two'],
  );
});

test('the table is plain data (it crosses a pipe as JSON)', () => {
  const s = state(svc({ key: 'default/web', nodePort: 30080, clusterEndpoints: [ep('10.244.0.5', 8080)], hasAnyEndpoints: true }));
  const t = relayTable(s);
  assert.deepEqual(JSON.parse(JSON.stringify(t)), t);
  assert.equal(relayTable(state()).length, 0);
});
