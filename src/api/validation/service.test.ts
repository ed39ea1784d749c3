import assert from 'node:assert/strict';
import { test } from 'node:test';
import { errorText } from '../field-errors.ts';
import type { KubeObject } from '../meta.ts';
import { defaulted, kinds, nodeJsService, stored, texts } from './fixtures.ts';
import { validateCreate, validateStatusUpdate, validateUpdate } from './index.ts';

// Address plan: services 10.96.0.0/12 (my-nginx 10.96.0.20), pods 10.244.0.0/16, nodes 192.168.56.0/24.

const svc = (spec: any, name = 'node-js'): KubeObject => ({ apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: 'default' }, spec });
const create = (s: KubeObject): string[] => texts(validateCreate(kinds.service, defaulted(kinds.service, s)));

test('every service type of S4-S7 is valid', () => {
  assert.deepEqual(create(nodeJsService()), []);
  assert.deepEqual(create(svc({ selector: { name: 'node-js' }, ports: [{ port: 90, targetPort: 80 }] })), []);
  assert.deepEqual(create(svc({ selector: { name: 'node-js' }, clusterIP: '10.96.0.20', ports: [{ name: 'http', port: 80 }, { name: 'alt', port: 8888 }] })), []);
  assert.deepEqual(create(svc({ selector: { name: 'node-js' }, ports: [{ port: 80, targetPort: 'http' }] })), []);
  assert.deepEqual(create(svc({ type: 'LoadBalancer', selector: { app: 'numbers-web' }, ports: [{ port: 8080, targetPort: 80 }] }, 'numbers-web')), []);
  assert.deepEqual(create(svc({ selector: { name: 'node-js' }, sessionAffinity: 'ClientIP', ports: [{ port: 80 }] })), []);
  assert.deepEqual(create(svc({ clusterIP: 'None', selector: { app: 'myapp-rs-headless' }, ports: [{ port: 80, targetPort: 8080 }] }, 'myapp-svc-headless')), []);
  assert.deepEqual(create(svc({ type: 'ExternalName', externalName: 'api.numbers.example.' }, 'numbers-api')), []);
  assert.deepEqual(create(svc({ clusterIP: 'None', ports: [{ port: 80 }] }, 'custom-service')), []);
  assert.deepEqual(create(svc({ type: 'NodePort', externalIPs: ['192.168.56.100'], selector: { a: 'b' }, ports: [{ name: 'http', port: 80 }, { name: 'https', port: 443 }] })), []);
});

test('service names are DNS-1035 labels', () => {
  assert.deepEqual(create(svc({ ports: [{ port: 80 }] }, '1st-service')), [
    "metadata.name: Invalid value: \"1st-service\": a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')",
  ]);
});

test('ports: required, range, names, duplicates', () => {
  assert.deepEqual(create(svc({ selector: { a: 'b' } })), ['spec.ports: Required value']);
  assert.deepEqual(create(svc({ ports: [{ port: 0 }] })), [
    'spec.ports[0].port: Invalid value: 0: must be between 1 and 65535, inclusive',
    'spec.ports[0].targetPort: Invalid value: 0: must be between 1 and 65535, inclusive',
  ]);
  assert.deepEqual(create(svc({ ports: [{ port: 80 }, { port: 8888 }] })), ['spec.ports[0].name: Required value', 'spec.ports[1].name: Required value']);
  assert.deepEqual(create(svc({ ports: [{ name: 'a', port: 80 }, { name: 'a', port: 81 }] })), ['spec.ports[1].name: Duplicate value: "a"']);
  assert.deepEqual(create(svc({ ports: [{ name: 'a', port: 80 }, { name: 'b', port: 80 }] })), [
    'spec.ports[1]: Duplicate value: core.ServicePort{Name:"", Protocol:"TCP", AppProtocol:(*string)(nil), Port:80, TargetPort:intstr.IntOrString{Type:0, IntVal:0, StrVal:""}, NodePort:0}',
  ]);
  assert.deepEqual(create(svc({ ports: [{ name: 'a', port: 80 }, { name: 'b', port: 80, protocol: 'UDP' }] })), []);
  assert.deepEqual(create(svc({ ports: [{ port: 53, protocol: 'ICMP' }] })), ['spec.ports[0].protocol: Unsupported value: "ICMP": supported values: "SCTP", "TCP", "UDP"']);
  assert.deepEqual(create(svc({ ports: [{ port: 80, targetPort: 'Web' }] })), [
    'spec.ports[0].targetPort: Invalid value: "Web": must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)',
  ]);
});

test('type, nodePorts and traffic policies', () => {
  assert.deepEqual(create(svc({ type: 'Ingress', ports: [{ port: 80 }] })), [
    'spec.type: Unsupported value: "Ingress": supported values: "ClusterIP", "ExternalName", "LoadBalancer", "NodePort"',
  ]);
  assert.deepEqual(create(svc({ ports: [{ port: 80, nodePort: 30001 }] })), ["spec.ports[0].nodePort: Forbidden: may not be used when `type` is 'ClusterIP'"]);
  assert.deepEqual(create(svc({ type: 'NodePort', ports: [{ name: 'a', port: 80, nodePort: 30001 }, { name: 'b', port: 81, nodePort: 30001 }] })), [
    'spec.ports[1].nodePort: Duplicate value: 30001',
  ]);
  assert.deepEqual(create(svc({ ports: [{ port: 80 }], externalTrafficPolicy: 'Local' })), [
    'spec.externalTrafficPolicy: Invalid value: "Local": may only be set for externally-accessible services',
  ]);
  assert.deepEqual(create(svc({ type: 'NodePort', clusterIP: 'None', ports: [{ port: 80 }] })), [
    "spec.clusterIPs[0]: Invalid value: \"None\": may not be set to 'None' for NodePort services",
  ]);
});

test('cluster IPs, external names and external IPs', () => {
  assert.deepEqual(create(svc({ clusterIP: '10.96.0.999', ports: [{ port: 80 }] })), [
    'spec.clusterIPs[0]: Invalid value: "10.96.0.999": must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)',
  ]);
  assert.deepEqual(create(svc({ type: 'ExternalName' })), ['spec.externalName: Required value']);
  assert.deepEqual(create(svc({ type: 'ExternalName', externalName: 'Bad_Name.example' })), [
    "spec.externalName: Invalid value: \"Bad_Name.example\": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')",
  ]);
  assert.deepEqual(create(svc({ type: 'ExternalName', externalName: 'a.example', clusterIP: '10.96.0.5' })), [
    'spec.clusterIPs: Forbidden: may not be set for ExternalName services',
  ]);
  assert.deepEqual(create(svc({ ports: [{ port: 80 }], externalIPs: ['127.0.0.1'] })), [
    'spec.externalIPs[0]: Invalid value: "127.0.0.1": may not be in the loopback range (127.0.0.0/8, ::1/128)',
  ]);
});

test('session affinity timeout', () => {
  assert.deepEqual(create(svc({ ports: [{ port: 80 }], sessionAffinity: 'ClientIP', sessionAffinityConfig: { clientIP: { timeoutSeconds: 86401 } } })), [
    'spec.sessionAffinityConfig.clientIP.timeoutSeconds: Invalid value: 86401: must be greater than 0 and less than 86400',
  ]);
  assert.deepEqual(create(svc({ ports: [{ port: 80 }], sessionAffinity: 'Sticky' })), [
    'spec.sessionAffinity: Unsupported value: "Sticky": supported values: "ClientIP", "None"',
  ]);
});

test('updates: the cluster IP may not change once set', () => {
  const old = stored(defaulted(kinds.service, svc({ selector: { name: 'node-js' }, clusterIP: '10.96.0.20', ports: [{ port: 80 }] })));
  assert.deepEqual(validateUpdate(kinds.service, structuredClone(old), old), []);
  const moved = structuredClone(old);
  moved.spec.clusterIP = '10.96.0.21';
  moved.spec.clusterIPs = ['10.96.0.21'];
  assert.deepEqual(texts(validateUpdate(kinds.service, moved, old)), ['spec.clusterIPs[0]: Invalid value: []string{"10.96.0.21"}: may not change once set']);
  // field-errors.ts prints the carried Go rendering too (what the apiserver sends).
  assert.equal(errorText(validateUpdate(kinds.service, moved, old)[0]), 'spec.clusterIPs[0]: Invalid value: []string{"10.96.0.21"}: may not change once set');
  const toNodePort = structuredClone(old);
  toNodePort.spec.type = 'NodePort';
  toNodePort.spec.externalTrafficPolicy = 'Cluster';
  assert.deepEqual(validateUpdate(kinds.service, toNodePort, old), []);
});

test('status: load balancer ingress needs a LoadBalancer and an ipMode', () => {
  const old = stored(defaulted(kinds.service, svc({ type: 'LoadBalancer', selector: { a: 'b' }, clusterIP: '10.96.0.30', ports: [{ port: 8080 }] })));
  const ok = structuredClone(old);
  ok.status = { loadBalancer: { ingress: [{ ip: '192.168.56.240', ipMode: 'VIP' }] } };
  assert.deepEqual(validateStatusUpdate(kinds.service, ok, old), []);
  const noMode = structuredClone(old);
  noMode.status = { loadBalancer: { ingress: [{ ip: '192.168.56.240' }] } };
  assert.deepEqual(texts(validateStatusUpdate(kinds.service, noMode, old)), ['status.loadBalancer.ingress[0].ipMode: Required value: must be specified when `ip` is set']);
});
