import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { KubeObject } from '../meta.ts';
import { defaulted, kinds, stored, texts } from './fixtures.ts';
import { validateCreate, validateStatusUpdate, validateUpdate } from './index.ts';

const quota = (hard: Record<string, unknown>, extra: Record<string, unknown> = {}): KubeObject => ({
  apiVersion: 'v1',
  kind: 'ResourceQuota',
  metadata: { name: 'test-quotas', namespace: 'test' },
  spec: { hard, ...extra },
});
const limits = (items: any[]): KubeObject => ({ apiVersion: 'v1', kind: 'LimitRange', metadata: { name: 'limits', namespace: 'test' }, spec: { limits: items } });
const createQ = (q: KubeObject): string[] => texts(validateCreate(kinds.quota, defaulted(kinds.quota, q)));
const createL = (l: KubeObject): string[] => texts(validateCreate(kinds.limitRange, defaulted(kinds.limitRange, l)));

test('S8 quota and a compute quota are valid', () => {
  assert.deepEqual(createQ(quota({ pods: '3', services: '1', replicationcontrollers: '1' })), []);
  assert.deepEqual(createQ(quota({ 'requests.cpu': '1', 'limits.memory': '2Gi', 'count/deployments.apps': '2', 'requests.nvidia.com/gpu': 1 })), []);
});

test('quota quantities: non-negative, whole for counted resources', () => {
  assert.deepEqual(createQ(quota({ pods: '-1' })), ['spec.hard[pods]: Invalid value: "-1": must be greater than or equal to 0']);
  assert.deepEqual(createQ(quota({ pods: '1.5' })), ['spec.hard[pods]: Invalid value: 1500m: must be an integer']);
  assert.deepEqual(createQ(quota({ cpus: '1' })), [
    'spec.hard[cpus]: Invalid value: "cpus": must be a standard resource type or fully qualified',
    'spec.hard[cpus]: Invalid value: "cpus": must be a standard resource for quota',
  ]);
});

test('quota scopes', () => {
  assert.deepEqual(createQ(quota({ pods: '3' }, { scopes: ['BestEffort', 'NotBestEffort'] })), [
    'spec.scopes: Invalid value: []core.ResourceQuotaScope{"BestEffort", "NotBestEffort"}: conflicting scopes',
  ]);
  assert.deepEqual(createQ(quota({ services: '1' }, { scopes: ['Terminating'] })), [
    'spec.scopes: Invalid value: []core.ResourceQuotaScope{"Terminating"}: unsupported scope applied to resource',
  ]);
  const old = stored(defaulted(kinds.quota, quota({ pods: '3' }, { scopes: ['NotTerminating'] })));
  const changed = structuredClone(old);
  changed.spec.scopes = ['Terminating'];
  assert.deepEqual(texts(validateUpdate(kinds.quota, changed, old)), ['spec.scopes: Invalid value: []core.ResourceQuotaScope{"Terminating"}: field is immutable']);
});

test('quota status: used and hard are validated', () => {
  const old = stored(defaulted(kinds.quota, quota({ pods: '3' })));
  const st = structuredClone(old);
  st.status = { hard: { pods: '3' }, used: { pods: '3' } };
  assert.deepEqual(validateStatusUpdate(kinds.quota, st, old), []);
  st.status.used.pods = '-1';
  assert.deepEqual(texts(validateStatusUpdate(kinds.quota, st, old)), ['status.used[pods]: Invalid value: "-1": must be greater than or equal to 0']);
});

test('limit ranges: min <= defaultRequest <= default <= max', () => {
  assert.deepEqual(createL(limits([{ type: 'Container', min: { cpu: '100m' }, max: { cpu: '2', memory: '1Gi' }, defaultRequest: { cpu: '200m' } }])), []);
  assert.deepEqual(createL(limits([{ type: 'Container', min: { cpu: '2' }, max: { cpu: '1' } }])), [
    'spec.limits[0].min[cpu]: Invalid value: 2: min value 2 is greater than max value 1',
    'spec.limits[0].defaultRequest[cpu]: Invalid value: 1: min value 2 is greater than default request value 1',
    'spec.limits[0].default[cpu]: Invalid value: 2: min value 2 is greater than default value 1',
  ]);
  assert.deepEqual(createL(limits([{ type: 'Pod', default: { cpu: '1' } }])), ["spec.limits[0].default: Forbidden: may not be specified when `type` is 'Pod'"]);
  assert.deepEqual(createL(limits([{ type: 'Container', max: { cpu: '1' } }, { type: 'Container', max: { memory: '1Gi' } }])), ['spec.limits[1].type: Duplicate value: "Container"']);
  assert.deepEqual(createL(limits([{ type: 'PersistentVolumeClaim' }])), [
    'spec.limits[0].limits: Required value: either minimum or maximum storage value is required, but neither was provided',
  ]);
  assert.deepEqual(createL(limits([{ type: 'Container', min: { cpu: '100m' }, max: { cpu: '200m' }, maxLimitRequestRatio: { cpu: '3' } }])), [
    'spec.limits[0].maxLimitRequestRatio[cpu]: Invalid value: 3: ratio 3 is greater than max/min = 2.000000',
  ]);
});
