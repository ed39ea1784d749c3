/**
 * @module Strict decoding: unknown field paths and type-error texts, compared
 * with the exact strings upstream's apiserver returns.
 */

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkFields, decodeError, pruneUnknown, schemas, strictDecodingError } from './index.ts';
import { unknownFieldWarnings } from './decode.ts';
import type { Definition } from './types.ts';

function kind(group: string, k: string): Definition {
  const d = schemas.forKind(group, 'v1', k);
  assert.ok(d, `no definition for ${group}/v1 ${k}`);
  return d;
}
const svc = kind('', 'Service');
const pod = kind('', 'Pod');
const deploy = kind('apps', 'Deployment');
const secret = kind('', 'Secret');

function service(spec: Record<string, unknown>, metadata: Record<string, unknown> = { name: 'web' }) {
  return { apiVersion: 'v1', kind: 'Service', metadata, spec };
}

test('unknown fields are reported with upstream paths: dots for fields, [i] for list items', () => {
  const obj = {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', labels: { 'any-key': 'ok' }, bogus: 1 },
    spec: {
      selector: { matchLabels: { app: 'web' } },
      replica: 3,
      template: {
        metadata: { labels: { app: 'web' } },
        spec: { containers: [{ name: 'a', image: 'nginx' }, { name: 'b', image: 'nginx', imagePullPolicyy: 'Always' }] },
      },
    },
  };
  const r = checkFields(schemas, deploy, obj);
  assert.deepEqual(r.typeErrors, []);
  assert.deepEqual(r.unknown, ['metadata.bogus', 'spec.replica', 'spec.template.spec.containers[1].imagePullPolicyy']);
  assert.equal(
    decodeError({ version: 'v1', kind: 'Deployment' }, r, { strict: true }),
    'Deployment in version "v1" cannot be handled as a Deployment: strict decoding error: unknown field "metadata.bogus", unknown field "spec.replica", unknown field "spec.template.spec.containers[1].imagePullPolicyy"',
  );
  // Warn and Ignore do not fail the request.
  assert.equal(decodeError({ version: 'v1', kind: 'Deployment' }, r, { strict: false }), undefined);
  assert.deepEqual(unknownFieldWarnings(r.unknown).at(-1), 'unknown field "spec.template.spec.containers[1].imagePullPolicyy"');
});

test('field names are case-sensitive, as sigs.k8s.io/json decodes', () => {
  const r = checkFields(schemas, svc, service({ Ports: [] }, { Name: 'x' }));
  assert.deepEqual(r.unknown, ['metadata.Name', 'spec.Ports']);
});

test('fields inside map values and inlined structs are checked', () => {
  const r = checkFields(schemas, pod, {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'p' },
    spec: {
      containers: [{ name: 'c', image: 'i', env: [{ name: 'A', valueFrom: { configMapKeyRef: { name: 'cm', key: 'k', extra: 1 } } }] }],
      volumes: [{ name: 'v', configMap: { name: 'cm', itemz: [] } }],
    },
  });
  assert.deepEqual(r.unknown, ['spec.containers[0].env[0].valueFrom.configMapKeyRef.extra', 'spec.volumes[0].configMap.itemz']);
});

test('strict errors stop at 100, as upstream caps them', () => {
  const spec: Record<string, unknown> = {};
  for (let i = 0; i < 150; i++) spec[`f${i}`] = i;
  assert.equal(checkFields(schemas, svc, service(spec)).unknown.length, 100);
});

test('type errors use Go encoding/json text: struct, json field path without indices, Go type', () => {
  const cases: [unknown, string][] = [
    [service({ ports: [{ port: '80' }] }), 'json: cannot unmarshal string into Go struct field ServicePort.spec.ports.port of type int32'],
    [service({}, { name: 5 }), 'json: cannot unmarshal number into Go struct field ObjectMeta.metadata.name of type string'],
    [service({}, { name: 'a', labels: { app: 1 } }), 'json: cannot unmarshal number into Go struct field ObjectMeta.metadata.labels of type string'],
    [service({ ports: [{ port: 1.5 }] }), 'json: cannot unmarshal number 1.5 into Go struct field ServicePort.spec.ports.port of type int32'],
    [service({ ports: [{ port: 3000000000 }] }), 'json: cannot unmarshal number 3000000000 into Go struct field ServicePort.spec.ports.port of type int32'],
    [service({ ports: { port: 80 } }), 'json: cannot unmarshal object into Go struct field ServiceSpec.spec.ports of type []v1.ServicePort'],
    [service({ selector: ['a'] }), 'json: cannot unmarshal array into Go struct field ServiceSpec.spec.selector of type map[string]string'],
    [service({ publishNotReadyAddresses: 'yes' }), 'json: cannot unmarshal string into Go struct field ServiceSpec.spec.publishNotReadyAddresses of type bool'],
    [service({ ports: ['80'] }), 'json: cannot unmarshal string into Go struct field ServiceSpec.spec.ports of type v1.ServicePort'],
    [{ apiVersion: 'v1', kind: 'Service', spec: 'x' }, 'json: cannot unmarshal string into Go struct field Service.spec of type v1.ServiceSpec'],
    [service({ clusterIPs: [1] }), 'json: cannot unmarshal number into Go struct field ServiceSpec.spec.clusterIPs of type string'],
  ];
  for (const [obj, want] of cases) assert.deepEqual(checkFields(schemas, svc, obj).typeErrors, [want]);
});

test('the first saved type error is reported, and it wins over unknown fields', () => {
  const r = checkFields(schemas, svc, service({ foo: 1, ports: [{ port: '80', name: 7 }] }));
  assert.deepEqual(r.unknown, ['spec.foo']);
  assert.equal(
    decodeError({ version: 'v1', kind: 'Service' }, r, { strict: true }),
    'Service in version "v1" cannot be handled as a Service: json: cannot unmarshal string into Go struct field ServicePort.spec.ports.port of type int32',
  );
});

test('int-or-string takes integers and strings; other JSON fails as IntOrString.UnmarshalJSON does', () => {
  assert.deepEqual(checkFields(schemas, svc, service({ ports: [{ port: 80, targetPort: 'http' }, { port: 81, targetPort: 8081 }] })).typeErrors, []);
  assert.deepEqual(checkFields(schemas, svc, service({ ports: [{ port: 80, targetPort: true }] })).typeErrors, [
    'json: cannot unmarshal bool into Go struct field ServicePort.spec.ports.targetPort of type int32',
  ]);
});

test('an UnmarshalJSON error stops decoding and beats an earlier saved error', () => {
  const r = checkFields(schemas, pod, {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 3 },
    spec: { containers: [{ name: 'c', resources: { limits: { cpu: 'lots' } } }], bogus: true },
  });
  assert.equal(r.typeErrors[0], "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'");
  assert.equal(r.typeErrors[1], 'json: cannot unmarshal number into Go struct field ObjectMeta.metadata.name of type string');
  // Decoding stopped at the quantity, so the later unknown field was never seen.
  assert.deepEqual(r.unknown, []);
});

test('quantities accept strings and numbers', () => {
  const spec = { containers: [{ name: 'c', resources: { limits: { cpu: '500m', memory: '128Mi' }, requests: { cpu: 0.5, memory: 1e9 } } }] };
  assert.deepEqual(checkFields(schemas, pod, { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec }).typeErrors, []);
});

test('times are RFC 3339 strings or null, with time.Parse error texts', () => {
  const meta = (t: unknown) => checkFields(schemas, svc, service({}, { name: 'a', creationTimestamp: t })).typeErrors;
  assert.deepEqual(meta('2024-05-01T10:00:00Z'), []);
  assert.deepEqual(meta('2024-05-01T10:00:00.123+02:00'), []);
  assert.deepEqual(meta(null), []);
  assert.deepEqual(meta('yesterday'), ['parsing time "yesterday" as "2006-01-02T15:04:05Z07:00": cannot parse "yesterday" as "2006"']);
  assert.deepEqual(meta('2024-05-01'), ['parsing time "2024-05-01" as "2006-01-02T15:04:05Z07:00": cannot parse "" as "T"']);
  assert.deepEqual(meta(12), ['json: cannot unmarshal number into Go struct field ObjectMeta.metadata.creationTimestamp of type string']);
});

test('null is accepted for every kind of field, as Go decodes it to the zero value', () => {
  const r = checkFields(schemas, svc, service({ ports: null, selector: null, clusterIP: null, sessionAffinityConfig: null }, { name: null, labels: null }));
  assert.deepEqual(r, { unknown: [], typeErrors: [] });
});

test('[]byte fields take base64 and report encoding/base64 errors', () => {
  const s = (data: Record<string, unknown>) => checkFields(schemas, secret, { apiVersion: 'v1', kind: 'Secret', metadata: { name: 's' }, data }).typeErrors;
  assert.deepEqual(s({ password: 'cGFzc3dvcmQ=' }), []);
  assert.deepEqual(s({ password: 'pass word' }), ['illegal base64 data at input byte 4']);
  assert.deepEqual(s({ password: 'abc' }), ['illegal base64 data at input byte 0']);
});

test('the root must be an object of the kind', () => {
  assert.deepEqual(checkFields(schemas, svc, []).typeErrors, ['json: cannot unmarshal array into Go value of type v1.Service']);
});

test('strictDecodingError joins fields as runtime.NewStrictDecodingError', () => {
  assert.equal(strictDecodingError(['spec.foo', 'spec.bar']), 'strict decoding error: unknown field "spec.foo", unknown field "spec.bar"');
});

test('pruneUnknown drops exactly the unknown fields and leaves the input untouched', () => {
  const input = {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'web', labels: { a: 'b' }, junk: 1 },
    spec: { ports: [{ port: 80, extra: true }], selector: { app: 'web' }, nope: {} },
  };
  const before = structuredClone(input);
  assert.deepEqual(pruneUnknown(schemas, svc, input), {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'web', labels: { a: 'b' } },
    spec: { ports: [{ port: 80 }], selector: { app: 'web' } },
  });
  assert.deepEqual(input, before);
  const pruned = pruneUnknown(schemas, svc, input);
  assert.deepEqual(checkFields(schemas, svc, pruned).unknown, []);
});
