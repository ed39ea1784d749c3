import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { KubeObject } from '../meta.ts';
import { defaulted, kinds, minimalIngress, stored, texts } from './fixtures.ts';
import { validateCreate, validateStatusUpdate, validateUpdate } from './index.ts';

const create = (i: KubeObject): string[] => texts(validateCreate(kinds.ingress, defaulted(kinds.ingress, i)));
const withSpec = (edit: (spec: any) => void): KubeObject => {
  const i = minimalIngress();
  edit(i.spec);
  return i;
};

const whale = (): KubeObject => ({
  apiVersion: 'networking.k8s.io/v1',
  kind: 'Ingress',
  metadata: { name: 'whale-ingress', namespace: 'default' },
  spec: {
    ingressClassName: 'nginx',
    rules: ['a', 'b'].map((x) => ({
      host: `${x}.whale.hey`,
      http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: `whale-${x}`, port: { number: 5678 } } } }] },
    })),
    tls: [{ hosts: ['*.whale.hey'], secretName: 'whale-tls' }],
  },
});

const nginxClass = (): KubeObject => ({
  apiVersion: 'networking.k8s.io/v1',
  kind: 'IngressClass',
  metadata: { name: 'nginx', annotations: { 'ingressclass.kubernetes.io/is-default-class': 'true' } },
  spec: { controller: 'k8s.io/ingress-nginx' },
});

test('S2 minimal ingress, S3 host routing and the nginx IngressClass are valid', () => {
  assert.deepEqual(create(minimalIngress()), []);
  assert.deepEqual(create(whale()), []);
  assert.deepEqual(create(withSpec((s) => ((s.defaultBackend = { service: { name: 'default-http-backend', port: { name: 'http' } } }), delete s.rules))), []);
  assert.deepEqual(texts(validateCreate(kinds.ingressClass, defaulted(kinds.ingressClass, nginxClass()))), []);
});

test('pathType is required (v1 has no default) and paths must be absolute', () => {
  assert.deepEqual(create(withSpec((s) => delete s.rules[0].http.paths[0].pathType)), ['spec.rules[0].http.paths[0].pathType: Required value: pathType must be specified']);
  assert.deepEqual(create(withSpec((s) => (s.rules[0].http.paths[0].path = 'testpath'))), [
    'spec.rules[0].http.paths[0].path: Invalid value: "testpath": must be an absolute path',
  ]);
  assert.deepEqual(create(withSpec((s) => (s.rules[0].http.paths[0].path = '/a//b'))), ["spec.rules[0].http.paths[0].path: Invalid value: \"/a//b\": must not contain '//'"]);
  assert.deepEqual(create(withSpec((s) => (s.rules[0].http.paths[0].pathType = 'Regex'))), [
    'spec.rules[0].http.paths[0].pathType: Unsupported value: "Regex": supported values: "Exact", "ImplementationSpecific", "Prefix"',
  ]);
  assert.deepEqual(create(withSpec((s) => ((s.rules[0].http.paths[0].pathType = 'ImplementationSpecific'), (s.rules[0].http.paths[0].path = '')))), []);
  assert.deepEqual(create(withSpec((s) => (s.rules[0].http.paths = []))), ['spec.rules[0].http.paths: Required value']);
});

test('backends: a service name and exactly one of port number or name', () => {
  const backend = (b: any): KubeObject => withSpec((s) => (s.rules[0].http.paths[0].backend = b));
  assert.deepEqual(create(backend({ service: { name: 'my-nginx', port: { number: 80, name: 'http' } } })), [
    'spec.rules[0].http.paths[0].backend: Invalid value: "": cannot set both port name & port number',
  ]);
  assert.deepEqual(create(backend({ service: { name: 'my-nginx', port: {} } })), ['spec.rules[0].http.paths[0].backend: Required value: port name or number is required']);
  assert.deepEqual(create(backend({ service: { name: 'my-nginx', port: { number: 70000 } } })), [
    'spec.rules[0].http.paths[0].backend.service.port.number: Invalid value: 70000: must be between 1 and 65535, inclusive',
  ]);
  assert.deepEqual(create(backend({ service: { port: { number: 80 } } })), ['spec.rules[0].http.paths[0].backend.service.name: Required value']);
  assert.deepEqual(create(backend({})), ['spec.rules[0].http.paths[0].backend: Invalid value: "": resource or service backend is required']);
});

test('hosts: DNS names or wildcards, never IPs', () => {
  assert.deepEqual(create(withSpec((s) => (s.rules[0].host = '10.0.0.1'))), ['spec.rules[0].host: Invalid value: "10.0.0.1": must be a DNS name, not an IP address']);
  assert.deepEqual(create(withSpec((s) => (s.rules[0].host = 'foo.*.hey'))), [
    "spec.rules[0].host: Invalid value: \"foo.*.hey\": a wildcard DNS-1123 subdomain must start with '*.', followed by a valid DNS subdomain, which must consist of lower case alphanumeric characters, '-' or '.' and end with an alphanumeric character (e.g. '*.example.com', regex used for validation is '\\*\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')",
  ]);
});

test('rules or a default backend; class name and annotation must agree', () => {
  assert.deepEqual(create(withSpec((s) => delete s.rules)), ['spec: Invalid value: []networking.IngressRule(nil): either `defaultBackend` or `rules` must be specified']);
  const i = minimalIngress();
  i.metadata.annotations!['kubernetes.io/ingress.class'] = 'traefik';
  i.spec.ingressClassName = 'nginx';
  assert.deepEqual(create(i), ['annotations.kubernetes.io/ingress.class: Invalid value: "traefik": must match `ingressClassName` when both are specified']);
});

test('IngressClass: controller is a domain-prefixed path and immutable', () => {
  const ic = nginxClass();
  ic.spec.controller = 'nginx';
  assert.deepEqual(texts(validateCreate(kinds.ingressClass, defaulted(kinds.ingressClass, ic))), [
    'spec.controller: Invalid value: "nginx": must be a domain-prefixed path (such as "acme.io/foo")',
  ]);
  const old = stored(defaulted(kinds.ingressClass, nginxClass()));
  const changed = structuredClone(old);
  changed.spec.controller = 'example.com/other';
  assert.deepEqual(texts(validateUpdate(kinds.ingressClass, changed, old)), ['spec.controller: Invalid value: "example.com/other": field is immutable']);
  const params = nginxClass();
  params.spec.parameters = { kind: 'IngressParameters', name: 'p', scope: 'Namespace' };
  assert.deepEqual(texts(validateCreate(kinds.ingressClass, defaulted(kinds.ingressClass, params))), [
    "spec.parameters.namespace: Required value: `parameters.scope` is set to 'Namespace'",
  ]);
});

test('Ingress status: addresses are IPs, hostnames are DNS names', () => {
  const old = stored(defaulted(kinds.ingress, minimalIngress()));
  const st = structuredClone(old);
  st.status = { loadBalancer: { ingress: [{ ip: '192.168.56.10' }] } };
  assert.deepEqual(validateStatusUpdate(kinds.ingress, st, old), []);
  st.status = { loadBalancer: { ingress: [{ hostname: '192.168.56.10' }] } };
  assert.deepEqual(texts(validateStatusUpdate(kinds.ingress, st, old)), ['status.loadBalancer.ingress[0].hostname: Invalid value: "192.168.56.10": must be a DNS name, not an IP address']);
});
