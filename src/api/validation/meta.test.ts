import assert from 'node:assert/strict';
import { test } from 'node:test';
import { aggregateText, errorText } from '../field-errors.ts';
import { texts } from './fixtures.ts';
import { deepEqual, validateLabelSelector, validateObjectMeta, validateObjectMetaUpdate } from './meta.ts';
import { nameIsDNSLabel, nameIsDNSSubdomain } from './names.ts';
import { path } from '../field-errors.ts';

const sub = { namespaced: true, nameFn: nameIsDNSSubdomain, kubeFinalizers: true };

test('a well-formed metadata block passes', () => {
  const meta = {
    name: 'my-nginx',
    namespace: 'default',
    labels: { run: 'my-nginx', 'app.kubernetes.io/name': 'nginx' },
    annotations: { 'kubernetes.io/change-cause': 'kubectl apply', 'Example.COM/Mixed-Case': 'ok' },
    finalizers: ['kubernetes', 'example.com/cleanup'],
    ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'rs', uid: 'u1', controller: true }],
  };
  assert.deepEqual(validateObjectMeta(meta, sub), []);
});

test('name or generateName is required', () => {
  assert.equal(aggregateText(validateObjectMeta({ namespace: 'default' }, sub)), 'metadata.name: Required value: name or generateName is required');
});

test('namespace is required for namespaced kinds and forbidden otherwise', () => {
  assert.equal(aggregateText(validateObjectMeta({ name: 'x' }, sub)), 'metadata.namespace: Required value');
  assert.equal(
    aggregateText(validateObjectMeta({ name: 'x', namespace: 'default' }, { namespaced: false, nameFn: nameIsDNSLabel })),
    'metadata.namespace: Forbidden: not allowed on this type',
  );
});

test('labels: keys as qualified names, values as label values, on the map path', () => {
  const errs = validateObjectMeta({ name: 'x', namespace: 'default', labels: { 'bad key': 'v', ok: 'bad value' } }, sub);
  assert.deepEqual(errs.map(errorText), [
    "metadata.labels: Invalid value: \"bad key\": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')",
    "metadata.labels: Invalid value: \"bad value\": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')",
  ]);
});

test('annotations may total at most 256 KiB', () => {
  const errs = validateObjectMeta({ name: 'x', namespace: 'default', annotations: { big: 'x'.repeat(256 * 1024) } }, sub);
  assert.equal(aggregateText(errs), 'metadata.annotations: Too long: may not be more than 262144 bytes');
});

test('finalizers: non-standard names without a domain are rejected', () => {
  const errs = validateObjectMeta({ name: 'x', namespace: 'default', finalizers: ['cleanup'] }, sub);
  assert.equal(aggregateText(errs), 'metadata.finalizers[0]: Invalid value: "cleanup": name is neither a standard finalizer name nor is it fully qualified');
});

test('owner references need apiVersion, kind, name and uid; one controller only', () => {
  const errs = validateObjectMeta(
    {
      name: 'x',
      namespace: 'default',
      ownerReferences: [
        { apiVersion: '', kind: 'ReplicaSet', name: 'a', uid: 'u', controller: true },
        { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'b', uid: '', controller: true },
      ],
    },
    sub,
  );
  const t = texts(errs);
  assert.equal(t[0], 'metadata.ownerReferences.apiVersion: Invalid value: "": version must not be empty');
  assert.equal(t[1], 'metadata.ownerReferences.uid: Invalid value: "": must not be empty');
  assert.match(t[2], /^metadata\.ownerReferences: Invalid value: \[\]v1\.OwnerReference\{.*: Only one reference can have Controller set to true\. Found "true" in references for ReplicaSet\/a and ReplicaSet\/b$/);
});

test('updates: resourceVersion required, name/namespace/uid immutable', () => {
  const old = { name: 'x', namespace: 'default', uid: 'u1', resourceVersion: '5', creationTimestamp: '2024-05-01T10:00:00Z' };
  assert.deepEqual(validateObjectMetaUpdate({ ...old, labels: { a: 'b' } }, old), []);
  assert.deepEqual(texts(validateObjectMetaUpdate({ ...old, resourceVersion: undefined }, old)), ['metadata.resourceVersion: Invalid value: "": must be specified for an update']);
  assert.deepEqual(texts(validateObjectMetaUpdate({ ...old, name: 'y', namespace: 'other', uid: 'u2' }, old)), [
    'metadata.name: Invalid value: "y": field is immutable',
    'metadata.namespace: Invalid value: "other": field is immutable',
    'metadata.uid: Invalid value: "u2": field is immutable',
  ]);
  assert.deepEqual(texts(validateObjectMetaUpdate({ ...old, creationTimestamp: '2024-05-02T10:00:00Z' }, old)), [
    'metadata.creationTimestamp: Invalid value: 2024-05-02 10:00:00 +0000 UTC: field is immutable',
  ]);
});

test('no new finalizers once deletion started', () => {
  const old = { name: 'x', namespace: 'd', resourceVersion: '1', deletionTimestamp: '2024-05-01T10:00:00Z', finalizers: ['kubernetes'] };
  assert.deepEqual(texts(validateObjectMetaUpdate({ ...old, finalizers: ['kubernetes', 'example.com/x'] }, old)), [
    'metadata.finalizers: Forbidden: no new finalizers can be added if the object is being deleted, found new finalizers []string{"example.com/x"}',
  ]);
});

test('label selectors: operators and values', () => {
  const p = path('spec', 'selector');
  assert.deepEqual(validateLabelSelector({ matchLabels: { app: 'x' }, matchExpressions: [{ key: 'tier', operator: 'In', values: ['web'] }] }, p), []);
  assert.deepEqual(
    texts(
      validateLabelSelector(
        {
          matchExpressions: [
            { key: 'a', operator: 'In', values: [] },
            { key: 'b', operator: 'Exists', values: ['x'] },
            { key: 'c', operator: 'Near' },
          ],
        },
        p,
      ),
    ),
    [
      "spec.selector.matchExpressions[0].values: Required value: must be specified when `operator` is 'In' or 'NotIn'",
      "spec.selector.matchExpressions[1].values: Forbidden: may not be specified when `operator` is 'Exists' or 'DoesNotExist'",
      'spec.selector.matchExpressions[2].operator: Invalid value: "Near": not a valid selector operator',
    ],
  );
});

test('semantic equality treats absent and zero values alike', () => {
  assert.equal(deepEqual({ a: 1, b: [] }, { a: 1 }), true);
  assert.equal(deepEqual({ hostNetwork: false }, {}), true);
  assert.equal(deepEqual({ a: '' }, { a: 0 }), false);
  assert.equal(deepEqual({ a: [1, 2] }, { a: [2, 1] }), false);
});
