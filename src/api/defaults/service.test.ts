import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { KubeObject } from '../meta.ts';
import { applyDefaults, defaultServiceIPFamilies } from './index.ts';

// Address plan: services 10.96.0.0/12; my-nginx gets 10.96.0.20 from the allocator.

const svc = (spec: any): KubeObject => ({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'my-nginx', namespace: 'default' }, spec });
const defaulted = (s: KubeObject): KubeObject => {
  const copy = structuredClone(s);
  applyDefaults({ group: '', version: 'v1', kind: 'Service' }, copy);
  return copy;
};

test('kubectl expose: ClusterIP, TCP, targetPort = port, policies Cluster', () => {
  const s = defaulted(svc({ selector: { run: 'my-nginx' }, ports: [{ port: 80 }] }));
  assert.deepEqual(s.spec, {
    selector: { run: 'my-nginx' },
    ports: [{ port: 80, protocol: 'TCP', targetPort: 80 }],
    sessionAffinity: 'None',
    type: 'ClusterIP',
    internalTrafficPolicy: 'Cluster',
  });
});

test('the allocator assigns the IP, then the families follow', () => {
  const s = defaulted(svc({ selector: { run: 'my-nginx' }, ports: [{ port: 80 }] }));
  s.spec.clusterIP = '10.96.0.20';
  defaultServiceIPFamilies(s);
  assert.deepEqual(s.spec.clusterIPs, ['10.96.0.20']);
  assert.deepEqual(s.spec.ipFamilies, ['IPv4']);
  assert.equal(s.spec.ipFamilyPolicy, 'SingleStack');
});

test('NodePort and LoadBalancer get externalTrafficPolicy; LoadBalancer allocates node ports', () => {
  const np = defaulted(svc({ type: 'NodePort', ports: [{ port: 80, nodePort: 30001 }] }));
  assert.equal(np.spec.externalTrafficPolicy, 'Cluster');
  assert.equal(np.spec.allocateLoadBalancerNodePorts, undefined);
  const lb = defaulted(svc({ type: 'LoadBalancer', ports: [{ port: 8080, targetPort: 80 }] }));
  assert.equal(lb.spec.externalTrafficPolicy, 'Cluster');
  assert.equal(lb.spec.allocateLoadBalancerNodePorts, true);
  assert.deepEqual(lb.spec.ports, [{ port: 8080, targetPort: 80, protocol: 'TCP' }]);
  const ext = defaulted(svc({ ports: [{ port: 80 }], externalIPs: ['192.168.56.100'] }));
  assert.equal(ext.spec.externalTrafficPolicy, 'Cluster');
  lb.status = { loadBalancer: { ingress: [{ ip: '192.168.56.240' }] } };
  applyDefaults({ group: '', version: 'v1', kind: 'Service' }, lb);
  assert.deepEqual(lb.status.loadBalancer.ingress, [{ ip: '192.168.56.240', ipMode: 'VIP' }]);
});

test('session affinity: ClientIP gets 10800s; None drops the config', () => {
  assert.deepEqual(defaulted(svc({ sessionAffinity: 'ClientIP', ports: [{ port: 80 }] })).spec.sessionAffinityConfig, { clientIP: { timeoutSeconds: 10800 } });
  assert.deepEqual(
    defaulted(svc({ sessionAffinity: 'ClientIP', sessionAffinityConfig: { clientIP: { timeoutSeconds: 60 } }, ports: [{ port: 80 }] })).spec.sessionAffinityConfig,
    { clientIP: { timeoutSeconds: 60 } },
  );
  assert.equal(defaulted(svc({ sessionAffinityConfig: { clientIP: { timeoutSeconds: 60 } }, ports: [{ port: 80 }] })).spec.sessionAffinityConfig, undefined);
});

test('headless services: SingleStack with a selector, RequireDualStack without', () => {
  const withSel = defaulted(svc({ clusterIP: 'None', selector: { app: 'myapp' }, ports: [{ port: 80, targetPort: 8080 }] }));
  assert.deepEqual([withSel.spec.clusterIPs, withSel.spec.ipFamilies, withSel.spec.ipFamilyPolicy], [['None'], ['IPv4'], 'SingleStack']);
  const bare = defaulted(svc({ clusterIP: 'None', ports: [{ port: 80 }] }));
  assert.deepEqual([bare.spec.ipFamilies, bare.spec.ipFamilyPolicy], [['IPv4', 'IPv6'], 'RequireDualStack']);
});

test('ExternalName services get no IP families and no traffic policy', () => {
  const s = defaulted(svc({ type: 'ExternalName', externalName: 'numbers.example.com' }));
  assert.deepEqual(s.spec, { type: 'ExternalName', externalName: 'numbers.example.com', sessionAffinity: 'None' });
});

test('a named targetPort is kept', () => {
  assert.deepEqual(defaulted(svc({ ports: [{ port: 80, targetPort: 'http' }] })).spec.ports, [{ port: 80, targetPort: 'http', protocol: 'TCP' }]);
});
