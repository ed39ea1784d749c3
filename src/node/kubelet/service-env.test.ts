import { test } from 'node:test';
import assert from 'node:assert/strict';
import { serviceEnv } from './service-env.ts';

// Address plan: kubernetes 10.96.0.1, myapp-svc-clusterip 10.96.0.20.
const svc = (name: string, ns: string, ip: string, ports: object[], type = 'ClusterIP') => ({
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name, namespace: ns },
  spec: { type, clusterIP: ip, ports },
});
const services = [
  svc('kubernetes', 'default', '10.96.0.1', [{ name: 'https', port: 443, protocol: 'TCP' }]),
  svc('myapp-svc-clusterip', 'default', '10.96.0.20', [{ port: 80, protocol: 'TCP' }]),
  svc('headless', 'default', 'None', [{ port: 80 }]),
  svc('other', 'elsewhere', '10.96.0.30', [{ port: 81 }]),
];
const pod = (spec: object = {}) => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'default' }, spec });

test('Docker-link style variables for the services of the namespace (S6.1)', () => {
  const env = Object.fromEntries(serviceEnv(pod(), services));
  assert.equal(env.MYAPP_SVC_CLUSTERIP_SERVICE_HOST, '10.96.0.20');
  assert.equal(env.MYAPP_SVC_CLUSTERIP_SERVICE_PORT, '80');
  assert.equal(env.MYAPP_SVC_CLUSTERIP_PORT, 'tcp://10.96.0.20:80');
  assert.equal(env.MYAPP_SVC_CLUSTERIP_PORT_80_TCP, 'tcp://10.96.0.20:80');
  assert.equal(env.MYAPP_SVC_CLUSTERIP_PORT_80_TCP_PROTO, 'tcp');
  assert.equal(env.MYAPP_SVC_CLUSTERIP_PORT_80_TCP_PORT, '80');
  assert.equal(env.MYAPP_SVC_CLUSTERIP_PORT_80_TCP_ADDR, '10.96.0.20');
  assert.equal(env.KUBERNETES_SERVICE_PORT_HTTPS, '443');
  assert.equal(env.HEADLESS_SERVICE_HOST, undefined, 'headless services give no variables');
  assert.equal(env.OTHER_SERVICE_HOST, undefined, 'other namespaces give no variables');
});

test('enableServiceLinks: false keeps only the master service', () => {
  const names = serviceEnv(pod({ enableServiceLinks: false }), services).map(([k]) => k);
  assert.ok(names.includes('KUBERNETES_SERVICE_HOST'));
  assert.ok(!names.some((n) => n.startsWith('MYAPP')));
});
