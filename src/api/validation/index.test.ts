import assert from 'node:assert/strict';
import { test } from 'node:test';
import { aggregateText, errorText, invalid } from '../field-errors.ts';
import type { KubeObject } from '../meta.ts';
import { defaulted, kinds, stored, texts } from './fixtures.ts';
import { goMapValue, goValue } from './goformat.ts';
import { upstreamAggregateText, upstreamErrorText, validateCreate, validateStatusUpdate, validateUpdate } from './index.ts';

const cm = (): KubeObject => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cfg', namespace: 'default' }, data: { a: '1' } });

test('each served kind has its rules; unknown kinds get the generic metadata checks', () => {
  assert.deepEqual(texts(validateCreate({ group: 'example.com', version: 'v1', kind: 'Widget' }, { apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'a%b', namespace: 'x' } })), [
    "metadata.name: Invalid value: \"a%b\": may not contain '%'",
  ]);
  // A kind's own name rule reports first; the generic path-segment rule then has nothing to add.
  assert.deepEqual(texts(validateCreate(kinds.configMap, { ...cm(), metadata: { name: 'a%b', namespace: 'default' } })), [
    "metadata.name: Invalid value: \"a%b\": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')",
  ]);
});

test('updates report each message once, as the aggregate does', () => {
  const old = stored(cm());
  const noRV = structuredClone(old);
  delete noRV.metadata.resourceVersion;
  assert.deepEqual(texts(validateUpdate(kinds.configMap, noRV, old)), ['metadata.resourceVersion: Invalid value: "": must be specified for an update']);
  const moved = structuredClone(old);
  moved.metadata.namespace = 'other';
  assert.equal(aggregateText(validateUpdate(kinds.configMap, moved, old)), 'metadata.namespace: Invalid value: "other": field is immutable');
});

test('status updates of kinds without status rules still check metadata', () => {
  const old = stored(cm());
  const renamed = structuredClone(old);
  renamed.metadata.name = 'cfg2';
  assert.deepEqual(texts(validateStatusUpdate(kinds.configMap, renamed, old)), ['metadata.name: Invalid value: "cfg2": field is immutable']);
});

test('Go values render with Go syntax in both renderers', () => {
  const e = invalid('spec.template.metadata.labels', goMapValue({ b: '2', a: '1' }), '`selector` does not match template `labels`');
  assert.equal(upstreamErrorText(e), 'spec.template.metadata.labels: Invalid value: map[string]string{"a":"1", "b":"2"}: `selector` does not match template `labels`');
  assert.equal(errorText(e), upstreamErrorText(e));
  assert.equal(upstreamErrorText(invalid('x', goMapValue(undefined), 'd')), 'x: Invalid value: map[string]string(nil): d');
  const wrapped = goValue('1500m', '1500m');
  assert.equal(JSON.stringify(wrapped), '"1500m"');
  assert.equal(upstreamErrorText(invalid('q', wrapped, 'must be an integer')), 'q: Invalid value: 1500m: must be an integer');
  assert.deepEqual(goValue({ a: 1 }, 'x'), { a: 1 });
});

test('the aggregate of several errors is bracketed and deduplicated', () => {
  const a = invalid('a', 1, 'bad');
  const b = invalid('b', 2, 'bad');
  assert.equal(upstreamAggregateText([a]), 'a: Invalid value: 1: bad');
  assert.equal(upstreamAggregateText([a, b, a]), '[a: Invalid value: 1: bad, b: Invalid value: 2: bad]');
});

test('defaults and validation compose: a bare Deployment validates after defaulting', () => {
  const d: KubeObject = {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', namespace: 'default' },
    spec: { selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image: 'nginx' }] } } },
  };
  assert.deepEqual(validateCreate(kinds.deployment, defaulted(kinds.deployment, d)), []);
  // Without defaults, the required defaulted fields are reported, as upstream would if defaulting were skipped.
  assert.deepEqual(texts(validateCreate(kinds.deployment, d)), [
    'spec.template.spec.terminationGracePeriodSeconds: Required value',
    'spec.template.spec.containers[0].terminationMessagePolicy: Required value',
    'spec.template.spec.containers[0].imagePullPolicy: Required value',
    'spec.template.spec.restartPolicy: Required value',
    'spec.template.spec.dnsPolicy: Required value',
    'spec.template.spec.restartPolicy: Unsupported value: "": supported values: "Always"',
    'spec.strategy: Unsupported value: apps.DeploymentStrategy{Type:"", RollingUpdate:(*apps.RollingUpdateDeployment)(nil)}: supported values: "Recreate", "RollingUpdate"',
  ]);
});
