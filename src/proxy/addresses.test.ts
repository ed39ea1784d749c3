/**
 * Address plan: node 172.30.5.10, services 10.96.0.0/12, an lb-pool address
 * 172.30.5.200, an external IP 192.0.2.7.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { addressCommands, externalAddresses } from './addresses.ts';
import type { ProxyServicePort, ProxyState } from './types.ts';

const port = (externalIPs: string[], loadBalancerIPs: string[]): ProxyServicePort => ({
  key: 'default/web:http', namespace: 'default', name: 'web', portName: 'http', protocol: 'TCP', clusterIP: '10.96.0.20', port: 80,
  externalIPs, loadBalancerIPs, externalPolicyLocal: false, internalPolicyLocal: false, clusterEndpoints: [], localEndpoints: [], hasAnyEndpoints: false,
});
const state = (...services: ProxyServicePort[]): ProxyState => ({
  node: { nodeName: 'n0', nodePortAddresses: ['172.30.5.10'], clusterCidr: '10.244.0.0/16', serviceCidr: '10.96.0.0/12' },
  services,
});

describe('externalAddresses', () => {
  it('keeps external and pool addresses, not any node\'s own, service IPs, loopback or IPv6; sorted, once', () => {
    const s = state(port(['192.0.2.7', '10.96.0.30', '::1', '127.0.0.5'], ['172.30.5.200', '172.30.5.10', '172.30.5.11']), port(['192.0.2.7'], []));
    assert.deepEqual(externalAddresses(s, ['172.30.5.10', '172.30.5.11']), ['172.30.5.200', '192.0.2.7']);
  });
});

describe('addressCommands', () => {
  it('removes what is gone and adds what is new, with the nanokube label', () => {
    assert.deepEqual(addressCommands(['192.0.2.7', '192.0.2.8'], ['192.0.2.8', '172.30.5.200']), [
      ['ip', 'addr', 'del', '192.0.2.7/32', 'dev', 'lo'],
      ['ip', 'addr', 'add', '172.30.5.200/32', 'dev', 'lo', 'label', 'lo:nk'],
    ]);
    assert.deepEqual(addressCommands(['192.0.2.8'], ['192.0.2.8']), []);
  });
});
