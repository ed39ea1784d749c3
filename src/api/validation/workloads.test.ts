import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { KubeObject } from '../meta.ts';
import { defaulted, kinds, myNginxDeployment, nodeJsRC, stored, texts } from './fixtures.ts';
import { validateCreate, validateStatusUpdate, validateUpdate } from './index.ts';

const deploy = (edit: (d: any) => void = () => {}): KubeObject => {
  const d = myNginxDeployment();
  edit(d);
  return d;
};
const createDeployment = (d: KubeObject): string[] => texts(validateCreate(kinds.deployment, defaulted(kinds.deployment, d)));

const headlessRS = (): KubeObject => ({
  apiVersion: 'apps/v1',
  kind: 'ReplicaSet',
  metadata: { name: 'myapp-rs-headless', namespace: 'default' },
  spec: {
    replicas: 3,
    selector: { matchExpressions: [{ key: 'app', operator: 'In', values: ['myapp-rs-headless'] }] },
    template: {
      metadata: { labels: { app: 'myapp-rs-headless' } },
      spec: { containers: [{ name: 'myapp', image: 'ghcr.io/example/myapp:v1', ports: [{ containerPort: 8080 }] }] },
    },
  },
});

test('S1 Deployment, S4 ReplicationController and S5 ReplicaSet are valid', () => {
  assert.deepEqual(createDeployment(deploy()), []);
  assert.deepEqual(texts(validateCreate(kinds.rc, defaulted(kinds.rc, nodeJsRC()))), []);
  assert.deepEqual(texts(validateCreate(kinds.replicaSet, defaulted(kinds.replicaSet, headlessRS()))), []);
});

test('an RC without a selector takes its template labels', () => {
  const rc = nodeJsRC();
  delete rc.spec.selector;
  assert.deepEqual(texts(validateCreate(kinds.rc, defaulted(kinds.rc, rc))), []);
});

test('the selector must match the template labels', () => {
  assert.deepEqual(createDeployment(deploy((d) => (d.spec.template.metadata.labels = { app: 'nginx' }))), [
    'spec.template.metadata.labels: Invalid value: map[string]string{"app":"nginx"}: `selector` does not match template `labels`',
  ]);
  const rc = nodeJsRC();
  rc.spec.template.metadata.labels = { name: 'other', tier: 'web' };
  assert.deepEqual(texts(validateCreate(kinds.rc, defaulted(kinds.rc, rc))), [
    'spec.template.metadata.labels: Invalid value: map[string]string{"name":"other", "tier":"web"}: `selector` does not match template `labels`',
  ]);
  const rs = headlessRS();
  rs.spec.template.metadata.labels = { app: 'other' };
  assert.deepEqual(texts(validateCreate(kinds.replicaSet, defaulted(kinds.replicaSet, rs))), [
    'spec.template.metadata.labels: Invalid value: map[string]string{"app":"other"}: `selector` does not match template `labels`',
  ]);
});

test('selectors: required, not empty', () => {
  assert.deepEqual(createDeployment(deploy((d) => delete d.spec.selector)), [
    'spec.selector: Required value',
    'spec.template.metadata.labels: Invalid value: map[string]string{"run":"my-nginx"}: `selector` does not match template `labels`',
  ]);
  assert.deepEqual(createDeployment(deploy((d) => (d.spec.selector = {}))), [
    'spec.selector: Invalid value: &LabelSelector{MatchLabels:map[string]string{},MatchExpressions:[]LabelSelectorRequirement{},}: empty selector is invalid for deployment',
  ]);
});

test('replicas, restartPolicy and revisionHistoryLimit', () => {
  assert.deepEqual(createDeployment(deploy((d) => (d.spec.replicas = -1))), ['spec.replicas: Invalid value: -1: must be greater than or equal to 0']);
  assert.deepEqual(createDeployment(deploy((d) => (d.spec.template.spec.restartPolicy = 'Never'))), [
    'spec.template.spec.restartPolicy: Unsupported value: "Never": supported values: "Always"',
  ]);
  assert.deepEqual(createDeployment(deploy((d) => (d.spec.revisionHistoryLimit = -2))), ['spec.revisionHistoryLimit: Invalid value: -2: must be greater than or equal to 0']);
  assert.deepEqual(createDeployment(deploy((d) => (d.spec.template.spec.activeDeadlineSeconds = 60))), [
    'spec.template.spec.activeDeadlineSeconds: Forbidden: activeDeadlineSeconds in ReplicaSet is not Supported',
  ]);
  assert.deepEqual(createDeployment(deploy((d) => ((d.spec.minReadySeconds = 700), (d.spec.progressDeadlineSeconds = 600)))), [
    'spec.progressDeadlineSeconds: Invalid value: 600: must be greater than minReadySeconds',
  ]);
});

test('rolling update parameters', () => {
  assert.deepEqual(createDeployment(deploy((d) => (d.spec.strategy = { type: 'RollingUpdate', rollingUpdate: { maxSurge: 0, maxUnavailable: 0 } }))), [
    'spec.strategy.rollingUpdate.maxUnavailable: Invalid value: 0: may not be 0 when `maxSurge` is 0',
  ]);
  assert.deepEqual(createDeployment(deploy((d) => (d.spec.strategy = { rollingUpdate: { maxSurge: '0%', maxUnavailable: '0%' } }))), [
    'spec.strategy.rollingUpdate.maxUnavailable: Invalid value: 0%: may not be 0 when `maxSurge` is 0',
  ]);
  assert.deepEqual(createDeployment(deploy((d) => (d.spec.strategy = { rollingUpdate: { maxUnavailable: '120%' } }))), [
    'spec.strategy.rollingUpdate.maxUnavailable: Invalid value: 120%: must not be greater than 100%',
  ]);
  assert.deepEqual(createDeployment(deploy((d) => (d.spec.strategy = { rollingUpdate: { maxSurge: 'half' } }))), [
    "spec.strategy.rollingUpdate.maxSurge: Invalid value: half: a valid percent string must be a numeric string followed by an ending '%' (e.g. '1%',  or '93%', regex used for validation is '[0-9]+%')",
  ]);
  assert.deepEqual(createDeployment(deploy((d) => (d.spec.strategy = { type: 'Recreate', rollingUpdate: { maxSurge: 1 } }))), [
    "spec.strategy.rollingUpdate: Forbidden: may not be specified when strategy `type` is 'Recreate'",
  ]);
  assert.deepEqual(createDeployment(deploy((d) => (d.spec.strategy = { type: 'BlueGreen' }))), [
    'spec.strategy: Unsupported value: apps.DeploymentStrategy{Type:"BlueGreen", RollingUpdate:(*apps.RollingUpdateDeployment)(nil)}: supported values: "Recreate", "RollingUpdate"',
  ]);
});

test('apps/v1 selectors are immutable; replicas and template may change', () => {
  const old = stored(defaulted(kinds.deployment, deploy()));
  const scaled = structuredClone(old);
  scaled.spec.replicas = 5;
  scaled.spec.template.spec.containers[0].image = 'nginx:1.26';
  assert.deepEqual(validateUpdate(kinds.deployment, scaled, old), []);
  const moved = structuredClone(old);
  moved.spec.selector = { matchLabels: { run: 'my-nginx', tier: 'web' } };
  moved.spec.template.metadata.labels.tier = 'web';
  assert.deepEqual(texts(validateUpdate(kinds.deployment, moved, old)), [
    'spec.selector: Invalid value: &LabelSelector{MatchLabels:map[string]string{run: my-nginx,tier: web,},MatchExpressions:[]LabelSelectorRequirement{},}: field is immutable',
  ]);
  const oldRS = stored(defaulted(kinds.replicaSet, headlessRS()));
  const rs = structuredClone(oldRS);
  rs.spec.selector.matchExpressions[0].values = ['myapp-rs-headless', 'x'];
  assert.deepEqual(texts(validateUpdate(kinds.replicaSet, rs, oldRS)), [
    'spec.selector: Invalid value: &LabelSelector{MatchLabels:map[string]string{},MatchExpressions:[]LabelSelectorRequirement{LabelSelectorRequirement{Key:app,Operator:In,Values:[myapp-rs-headless x],},},}: field is immutable',
  ]);
});

test('status updates: counts may not exceed replicas', () => {
  const old = stored(defaulted(kinds.rc, nodeJsRC()));
  const st = structuredClone(old);
  st.status = { replicas: 3, readyReplicas: 3, availableReplicas: 3, fullyLabeledReplicas: 3 };
  assert.deepEqual(validateStatusUpdate(kinds.rc, st, old), []);
  st.status.readyReplicas = 4;
  assert.deepEqual(texts(validateStatusUpdate(kinds.rc, st, old)), ['status.readyReplicas: Invalid value: 4: cannot be greater than status.replicas']);
  const d = stored(defaulted(kinds.deployment, deploy()));
  const ds = structuredClone(d);
  ds.status = { replicas: 2, availableReplicas: 2, readyReplicas: 1 };
  assert.deepEqual(texts(validateStatusUpdate(kinds.deployment, ds, d)), ['status.availableReplicas: Invalid value: 2: cannot be greater than readyReplicas']);
});
