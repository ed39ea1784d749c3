// Address plan: node IPs 192.168.1.10 and 192.168.1.11 (ingress status),
// pods 10.244.0.5-.8 (EndpointSlice). Hosts a.whale.hey, b.whale.hey (S3).
// Clock: NOW = 2024-06-01T12:00:00Z; objects created 90s before.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { KubeObject } from '../meta.ts';
import {
  endpointSlicePrinter,
  formatDiscoveryEndpoints,
  formatDiscoveryPorts,
  formatHosts,
  ingressClassPrinter,
  ingressPrinter,
} from './networking.ts';

const NOW = new Date('2024-06-01T12:00:00Z');
const CREATED = '2024-06-01T11:58:30Z';
const obj = (kind: string, apiVersion: string, name: string, rest: any): KubeObject => ({
  apiVersion,
  kind,
  metadata: { name, namespace: 'default', creationTimestamp: CREATED },
  ...rest,
});

describe('Ingress', () => {
  it('columns', () => {
    assert.deepEqual(ingressPrinter.columns.map((c) => [c.name, c.priority]), [
      ['Name', 0],
      ['Class', 0],
      ['Hosts', 0],
      ['Address', 0],
      ['Ports', 0],
      ['Age', 0],
    ]);
  });

  it('S2: no class name, no host, address filled in, port 80', () => {
    const ing = obj('Ingress', 'networking.k8s.io/v1', 'minimal-ingress', {
      spec: {
        ingressClassName: 'nginx',
        rules: [{ http: { paths: [{ path: '/testpath', pathType: 'Prefix', backend: { service: { name: 'my-nginx', port: { number: 80 } } } }] } }],
      },
      status: { loadBalancer: { ingress: [{ ip: '192.168.1.11' }, { ip: '192.168.1.10' }] } },
    });
    assert.deepEqual(ingressPrinter.print(ing, NOW).cells, ['minimal-ingress', 'nginx', '*', '192.168.1.10,192.168.1.11', '80', '90s']);
  });

  it('without a class: <none>; without status: empty address; TLS adds 443', () => {
    const ing = obj('Ingress', 'networking.k8s.io/v1', 'whale', {
      spec: { rules: [{ host: 'a.whale.hey' }, { host: 'b.whale.hey' }], tls: [{ hosts: ['a.whale.hey'], secretName: 'whale-tls' }] },
    });
    assert.deepEqual(ingressPrinter.print(ing, NOW).cells, ['whale', '<none>', 'a.whale.hey,b.whale.hey', '', '80, 443', '90s']);
  });

  it('formatHosts: three hosts, then + N more... counted over all rules', () => {
    assert.equal(formatHosts([]), '*');
    assert.equal(formatHosts([{ host: '' }, {}]), '*');
    assert.equal(formatHosts([{ host: 'a.com' }, {}, { host: 'b.com' }]), 'a.com,b.com');
    assert.equal(formatHosts([{ host: 'a.com' }, { host: 'b.com' }, { host: 'c.com' }]), 'a.com,b.com,c.com');
    assert.equal(formatHosts([{ host: 'a.com' }, { host: 'b.com' }, { host: 'c.com' }, { host: 'd.com' }, {}]), 'a.com,b.com,c.com + 2 more...');
  });
});

describe('IngressClass', () => {
  it('S2: nginx, no parameters', () => {
    const ic = obj('IngressClass', 'networking.k8s.io/v1', 'nginx', { spec: { controller: 'k8s.io/ingress-nginx' } });
    assert.deepEqual(ingressClassPrinter.columns.map((c) => c.name), ['Name', 'Controller', 'Parameters', 'Age']);
    assert.deepEqual(ingressClassPrinter.print(ic, NOW).cells, ['nginx', 'k8s.io/ingress-nginx', '<none>', '90s']);
  });
  it('parameters as Kind.group/name, group optional', () => {
    const withGroup = obj('IngressClass', 'networking.k8s.io/v1', 'x', {
      spec: { controller: 'example.com/c', parameters: { apiGroup: 'k8s.example.com', kind: 'IngressParameters', name: 'external-lb' } },
    });
    const noGroup = obj('IngressClass', 'networking.k8s.io/v1', 'y', { spec: { controller: 'example.com/c', parameters: { kind: 'ConfigMap', name: 'params' } } });
    assert.equal(ingressClassPrinter.print(withGroup, NOW).cells[2], 'IngressParameters.k8s.example.com/external-lb');
    assert.equal(ingressClassPrinter.print(noGroup, NOW).cells[2], 'ConfigMap/params');
  });
});

describe('EndpointSlice', () => {
  it('NAME ADDRESSTYPE PORTS ENDPOINTS AGE', () => {
    const es = obj('EndpointSlice', 'discovery.k8s.io/v1', 'my-nginx-abc12', {
      addressType: 'IPv4',
      ports: [{ name: '', port: 80, protocol: 'TCP' }],
      endpoints: [
        { addresses: ['10.244.0.5'], conditions: { ready: true } },
        { addresses: ['10.244.0.6'], conditions: { ready: false } },
      ],
    });
    assert.deepEqual(endpointSlicePrinter.columns.map((c) => c.name), ['Name', 'AddressType', 'Ports', 'Endpoints', 'Age']);
    assert.deepEqual(endpointSlicePrinter.print(es, NOW).cells, ['my-nginx-abc12', 'IPv4', '80', '10.244.0.5,10.244.0.6', '90s']);
  });
  it('ports: number, else name, else *; at most three', () => {
    assert.equal(formatDiscoveryPorts([{ port: 80 }, { name: 'http' }, {}]), '80,http,*');
    assert.equal(formatDiscoveryPorts([{ port: 1 }, { port: 2 }, { port: 3 }, { port: 4 }, { port: 5 }]), '1,2,3 + 2 more...');
    assert.equal(formatDiscoveryPorts([]), '<unset>');
  });
  it('endpoints: every address, at most three, <unset> when none', () => {
    assert.equal(
      formatDiscoveryEndpoints([{ addresses: ['10.244.0.5', '10.244.0.6'] }, { addresses: ['10.244.0.7'] }, { addresses: ['10.244.0.8'] }]),
      '10.244.0.5,10.244.0.6,10.244.0.7 + 1 more...',
    );
    assert.equal(formatDiscoveryEndpoints(undefined), '<unset>');
  });
});
