// Address plan: services 10.96.0.0/12 (10.96.0.1 kubernetes, 10.96.0.10 kube-dns,
// 10.96.12.34 my-nginx), pods 10.244.0.0/16 (10.244.0.5-.8), node IP 192.168.1.10,
// load-balancer pool 192.168.1.240-250, outside name numbers.example.com.
// Clock: NOW = 2024-06-01T12:00:00Z; objects created 3h before.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { KubeObject } from '../meta.ts';
import { endpointsPrinter, formatEndpoints, printService, servicePrinter } from './core-services.ts';

const NOW = new Date('2024-06-01T12:00:00Z');
const CREATED = '2024-06-01T09:00:00Z';

function svc(name: string, spec: any, status: any = {}): KubeObject {
  return { apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: 'default', creationTimestamp: CREATED }, spec, status };
}

const cells = (s: KubeObject): unknown[] => printService(s, NOW).cells;

describe('Service columns', () => {
  it('NAME TYPE CLUSTER-IP EXTERNAL-IP PORT(S) AGE | SELECTOR', () => {
    assert.deepEqual(
      servicePrinter.columns.map((c) => [c.name, c.type, c.format, c.priority]),
      [
        ['Name', 'string', 'name', 0],
        ['Type', 'string', '', 0],
        ['Cluster-IP', 'string', '', 0],
        ['External-IP', 'string', '', 0],
        ['Port(s)', 'string', '', 0],
        ['Age', 'string', '', 0],
        ['Selector', 'string', '', 1],
      ],
    );
  });
});

describe('printService, every type', () => {
  it('ClusterIP (S1: kubectl expose deployment my-nginx)', () => {
    const s = svc('my-nginx', {
      type: 'ClusterIP',
      clusterIP: '10.96.12.34',
      clusterIPs: ['10.96.12.34'],
      selector: { run: 'my-nginx' },
      ports: [{ port: 80, protocol: 'TCP', targetPort: 80 }],
    });
    assert.deepEqual(cells(s), ['my-nginx', 'ClusterIP', '10.96.12.34', '<none>', '80/TCP', '3h', 'run=my-nginx']);
  });

  it('kube-dns: several ports, several protocols, selector sorted', () => {
    const s = svc('kube-dns', {
      type: 'ClusterIP',
      clusterIP: '10.96.0.10',
      selector: { 'k8s-app': 'kube-dns', app: 'dns' },
      ports: [
        { name: 'dns', port: 53, protocol: 'UDP' },
        { name: 'dns-tcp', port: 53, protocol: 'TCP' },
        { name: 'metrics', port: 9153, protocol: 'TCP' },
      ],
    });
    assert.deepEqual(cells(s), ['kube-dns', 'ClusterIP', '10.96.0.10', '<none>', '53/UDP,53/TCP,9153/TCP', '3h', 'app=dns,k8s-app=kube-dns']);
  });

  it('kubernetes: no selector', () => {
    const s = svc('kubernetes', { type: 'ClusterIP', clusterIP: '10.96.0.1', ports: [{ name: 'https', port: 443, protocol: 'TCP', targetPort: 6443 }] });
    assert.deepEqual(cells(s), ['kubernetes', 'ClusterIP', '10.96.0.1', '<none>', '443/TCP', '3h', '<none>']);
  });

  it('NodePort shows port:nodePort (S2: the ingress controller)', () => {
    const s = svc('ingress-nginx-controller', {
      type: 'NodePort',
      clusterIP: '10.96.80.80',
      ports: [
        { name: 'http', port: 80, nodePort: 30080, protocol: 'TCP' },
        { name: 'https', port: 443, nodePort: 30443, protocol: 'TCP' },
      ],
    });
    assert.deepEqual(cells(s).slice(1, 5), ['NodePort', '10.96.80.80', '<none>', '80:30080/TCP,443:30443/TCP']);
  });

  it('NodePort 30001 (S4.2)', () => {
    const s = svc('node-js', { type: 'NodePort', clusterIP: '10.96.3.3', ports: [{ port: 80, nodePort: 30001, protocol: 'TCP' }] });
    assert.equal(cells(s)[4], '80:30001/TCP');
  });

  it('externalIPs on a ClusterIP or NodePort service (S9.3)', () => {
    const s = svc('ingress-nginx-controller', {
      type: 'NodePort',
      clusterIP: '10.96.80.80',
      externalIPs: ['192.168.1.10', '192.168.1.11'],
      ports: [{ port: 80, nodePort: 30080, protocol: 'TCP' }],
    });
    assert.equal(cells(s)[3], '192.168.1.10,192.168.1.11');
  });

  it('LoadBalancer without an ingress is <pending>', () => {
    const s = svc('numbers-web', { type: 'LoadBalancer', clusterIP: '10.96.5.5', ports: [{ port: 8080, nodePort: 31234, protocol: 'TCP' }] });
    assert.deepEqual(cells(s).slice(1, 5), ['LoadBalancer', '10.96.5.5', '<pending>', '8080:31234/TCP']);
  });

  it('LoadBalancer with an assigned address (S4.6)', () => {
    const s = svc(
      'numbers-web',
      { type: 'LoadBalancer', clusterIP: '10.96.5.5', ports: [{ port: 8080, nodePort: 31234, protocol: 'TCP' }] },
      { loadBalancer: { ingress: [{ ip: '192.168.1.240', ipMode: 'VIP' }] } },
    );
    assert.equal(cells(s)[3], '192.168.1.240');
  });

  it('LoadBalancer ingresses: IP else hostname, unique and sorted, never clipped', () => {
    const s = svc(
      'lb',
      { type: 'LoadBalancer', clusterIP: '10.96.5.6', ports: [{ port: 80, protocol: 'TCP' }] },
      { loadBalancer: { ingress: [{ ip: '192.168.1.250' }, { hostname: 'lb.example.com' }, { ip: '192.168.1.241' }, { ip: '192.168.1.250' }] } },
    );
    assert.equal(cells(s)[3], '192.168.1.241,192.168.1.250,lb.example.com');
  });

  it('LoadBalancer with externalIPs: ingress addresses first', () => {
    const spec = { type: 'LoadBalancer', clusterIP: '10.96.5.7', externalIPs: ['192.168.1.10'], ports: [{ port: 80, protocol: 'TCP' }] };
    assert.equal(cells(svc('lb', spec, { loadBalancer: { ingress: [{ ip: '192.168.1.242' }] } }))[3], '192.168.1.242,192.168.1.10');
    assert.equal(cells(svc('lb', spec))[3], '192.168.1.10');
  });

  it('ExternalName shows the name, no cluster IP, no ports (S7.1)', () => {
    const s = svc('numbers-api', { type: 'ExternalName', externalName: 'numbers.example.com' });
    assert.deepEqual(cells(s), ['numbers-api', 'ExternalName', '<none>', 'numbers.example.com', '<none>', '3h', '<none>']);
  });

  it('headless: CLUSTER-IP None (S5.3)', () => {
    const s = svc('myapp-svc-headless', {
      type: 'ClusterIP',
      clusterIP: 'None',
      clusterIPs: ['None'],
      selector: { app: 'myapp-rs-headless' },
      ports: [{ port: 8080, protocol: 'TCP' }],
    });
    assert.deepEqual(cells(s), ['myapp-svc-headless', 'ClusterIP', 'None', '<none>', '8080/TCP', '3h', 'app=myapp-rs-headless']);
  });

  it('fills in what the apiserver defaults: type ClusterIP, protocol TCP; clusterIPs when clusterIP is empty', () => {
    const s = svc('bare', { clusterIPs: ['10.96.7.7'], ports: [{ port: 90 }] });
    assert.deepEqual(cells(s).slice(1, 5), ['ClusterIP', '10.96.7.7', '<none>', '90/TCP']);
  });

  it('an unknown type is <unknown>', () => {
    assert.equal(cells(svc('odd', { type: 'Bogus', clusterIP: '10.96.7.8' }))[3], '<unknown>');
  });
});

describe('formatEndpoints', () => {
  const subset = (ips: string[], ports: number[]): any => ({
    addresses: ips.map((ip) => ({ ip })),
    ports: ports.map((port) => ({ port, protocol: 'TCP' })),
  });

  it('<none> without subsets', () => {
    assert.equal(formatEndpoints(undefined), '<none>');
    assert.equal(formatEndpoints([]), '<none>');
  });
  it('ip:port pairs', () => {
    assert.equal(formatEndpoints([subset(['10.244.0.5', '10.244.0.6'], [80])]), '10.244.0.5:80,10.244.0.6:80');
  });
  it('three shown, then + N more... counting every pair', () => {
    assert.equal(
      formatEndpoints([subset(['10.244.0.5', '10.244.0.6', '10.244.0.7', '10.244.0.8'], [80])]),
      '10.244.0.5:80,10.244.0.6:80,10.244.0.7:80 + 1 more...',
    );
    // 2 addresses x 2 ports = 4 pairs, port-major.
    assert.equal(formatEndpoints([subset(['10.244.0.5', '10.244.0.6'], [80, 8888])]), '10.244.0.5:80,10.244.0.6:80,10.244.0.5:8888 + 1 more...');
  });
  it('exactly three is not truncated', () => {
    assert.equal(formatEndpoints([subset(['10.244.0.5', '10.244.0.6', '10.244.0.7'], [8080])]), '10.244.0.5:8080,10.244.0.6:8080,10.244.0.7:8080');
  });
  it('across subsets', () => {
    assert.equal(
      formatEndpoints([subset(['10.244.0.5', '10.244.0.6'], [80]), subset(['10.244.0.7', '10.244.0.8', '10.244.0.9'], [81])]),
      '10.244.0.5:80,10.244.0.6:80,10.244.0.7:81 + 2 more...',
    );
  });
  it('a subset without ports lists bare IPs', () => {
    assert.equal(formatEndpoints([{ addresses: [{ ip: '10.244.0.5' }, { ip: '10.244.0.6' }] }]), '10.244.0.5,10.244.0.6');
  });
  it('IPv6 in brackets', () => {
    assert.equal(formatEndpoints([subset(['fd00::5'], [80])]), '[fd00::5]:80');
  });
  it('not-ready addresses are not listed', () => {
    assert.equal(formatEndpoints([{ notReadyAddresses: [{ ip: '10.244.0.5' }], ports: [{ port: 80 }] }]), '');
  });
});

describe('Endpoints printer', () => {
  it('NAME ENDPOINTS AGE (S5.2: custom-service)', () => {
    const ep: KubeObject = {
      apiVersion: 'v1',
      kind: 'Endpoints',
      metadata: { name: 'custom-service', namespace: 'default', creationTimestamp: CREATED },
      subsets: [{ addresses: [{ ip: '10.244.0.5' }], ports: [{ port: 80, protocol: 'TCP' }] }],
    };
    assert.deepEqual(endpointsPrinter.columns.map((c) => c.name), ['Name', 'Endpoints', 'Age']);
    assert.deepEqual(endpointsPrinter.print(ep, NOW).cells, ['custom-service', '10.244.0.5:80', '3h']);
  });
});
