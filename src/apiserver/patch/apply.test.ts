/**
 * Server-side apply tests on a Deployment `default/web`: create, re-apply,
 * pruning, conflicts in upstream's words, force, shared ownership, the
 * kubectl client-side to server-side upgrade, and managedFields in FieldsV1.
 * Times: T0 2024-06-01T12:00:00Z, T1 one hour later, T2 two hours later.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ApiError } from '../../api/errors.ts';
import type { KubeObject } from '../../api/meta.ts';
import { LAST_APPLIED, parseApplyBody, serverSideApply } from './apply.ts';
import { goJson } from './go-format.ts';
import { deepFreeze } from './testdata-objects.ts';
import { DEPLOYMENT, testSchemas } from './testdata-schema.ts';
import { updateManagedFields } from './update-managed.ts';

const T0 = new Date('2024-06-01T12:00:00Z');
const T1 = new Date('2024-06-01T13:00:00Z');
const T2 = new Date('2024-06-01T14:00:00Z');

const CONFIG = `
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: default
  labels:
    app: web
spec:
  replicas: 2
  selector:
    matchLabels:
      app: web
  template:
    metadata:
      labels:
        app: web
    spec:
      containers:
      - name: nginx
        image: nginx:1.25
        ports:
        - containerPort: 80
`;

const config = (): Record<string, any> => parseApplyBody(CONFIG);

function apply(live: KubeObject | undefined, cfg: Record<string, unknown>, manager: string, extra: { force?: boolean; now?: Date } = {}) {
  return serverSideApply(live && deepFreeze(live), deepFreeze(cfg), { schemas: testSchemas, gvk: DEPLOYMENT, manager, now: extra.now ?? T1, force: extra.force });
}

const entry = (o: KubeObject, manager: string) => o.metadata.managedFields!.find((e) => e.manager === manager);

/** The object as `kubectl create` would have stored it, owned by `manager` through an Update. */
function createdBy(manager: string, obj: Record<string, unknown>): KubeObject {
  return updateManagedFields(undefined, structuredClone(obj) as KubeObject, { schemas: testSchemas, gvk: DEPLOYMENT, manager, operation: 'Update', now: T0 });
}

function conflict(fn: () => unknown, message: string, fields: string[]): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof ApiError, String(e));
    assert.equal(e.code, 409);
    assert.equal(e.reason, 'Conflict');
    assert.equal(e.status.message, message);
    assert.deepEqual(
      e.status.details!.causes!.map((c) => c.field),
      fields,
    );
    assert.ok(e.status.details!.causes!.every((c) => c.reason === 'FieldManagerConflict'));
    return true;
  });
}

describe('server-side apply: one manager', () => {
  it('creates the object and records the applied fields in FieldsV1', () => {
    const r = apply(undefined, config(), 'kubectl', { now: T0 });
    assert.equal(r.created, true);
    const { managedFields, ...metadata } = r.object.metadata;
    assert.deepEqual({ ...r.object, metadata }, config());
    assert.deepEqual(managedFields, [
      {
        manager: 'kubectl',
        operation: 'Apply',
        apiVersion: 'apps/v1',
        time: '2024-06-01T12:00:00Z',
        fieldsType: 'FieldsV1',
        fieldsV1: {
          'f:metadata': { 'f:labels': { 'f:app': {} } },
          'f:spec': {
            'f:replicas': {},
            'f:selector': {},
            'f:template': {
              'f:metadata': { 'f:labels': { 'f:app': {} } },
              'f:spec': {
                'f:containers': {
                  'k:{"name":"nginx"}': {
                    '.': {},
                    'f:image': {},
                    'f:name': {},
                    'f:ports': { 'k:{"containerPort":80,"protocol":"TCP"}': { '.': {}, 'f:containerPort': {} } },
                  },
                },
              },
            },
          },
        },
      },
    ]);
  });

  it('re-applies an unchanged configuration as a no-op that keeps the time', () => {
    const live = apply(undefined, config(), 'kubectl', { now: T0 }).object;
    const r = apply(live, config(), 'kubectl', { now: T1 });
    assert.equal(r.changed, false);
    assert.equal(r.created, false);
    assert.deepEqual(r.object, live);
  });

  it('removes fields the manager stops applying', () => {
    const live = apply(undefined, config(), 'kubectl', { now: T0 }).object;
    const cfg = config();
    delete cfg.metadata.labels;
    delete cfg.spec.replicas;
    const r = apply(live, cfg, 'kubectl');
    assert.equal(r.changed, true);
    assert.equal(r.object.spec.replicas, undefined);
    assert.equal(r.object.metadata.labels, undefined);
    const fields = entry(r.object, 'kubectl')!.fieldsV1 as Record<string, any>;
    assert.equal(fields['f:metadata'], undefined);
    assert.equal(fields['f:spec']['f:replicas'], undefined);
    assert.equal(entry(r.object, 'kubectl')!.time, '2024-06-01T13:00:00Z');
  });

  it('merges list items by key and keeps items another manager applied', () => {
    const live = apply(undefined, config(), 'kubectl', { now: T0 }).object;
    const sidecar = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web' }, spec: { template: { spec: { containers: [{ name: 'sidecar', image: 'busybox' }] } } } };
    const both = apply(live, sidecar, 'injector').object;
    assert.deepEqual(both.spec.template.spec.containers.map((c: { name: string }) => c.name), ['nginx', 'sidecar']);
    const cfg = config();
    cfg.spec.template.spec.containers[0].image = 'nginx:1.26';
    const again = apply(both, cfg, 'kubectl', { now: T2 }).object;
    assert.deepEqual(again.spec.template.spec.containers, [
      { name: 'nginx', image: 'nginx:1.26', ports: [{ containerPort: 80 }] },
      { name: 'sidecar', image: 'busybox' },
    ]);
  });

  it('never mutates the live object or the configuration', () => {
    const live = apply(undefined, config(), 'kubectl', { now: T0 }).object;
    const copy = structuredClone(live);
    const cfg = config();
    cfg.spec.replicas = 5;
    apply(live, cfg, 'kubectl');
    assert.deepEqual(live, copy);
  });
});

describe('server-side apply: several managers', () => {
  const base = () => createdBy('kubectl-client-side-apply', config());

  it('reports a conflict with an update manager in upstream words', () => {
    const cfg = config();
    cfg.spec.replicas = 3;
    conflict(
      () => apply(base(), cfg, 'ci'),
      'Apply failed with 1 conflict: conflict with "kubectl-client-side-apply" using apps/v1: .spec.replicas',
      ['.spec.replicas'],
    );
  });

  it('lists several conflicts under their manager', () => {
    const cfg = config();
    cfg.spec.replicas = 3;
    cfg.spec.template.spec.containers[0].image = 'nginx:1.26';
    conflict(
      () => apply(base(), cfg, 'ci'),
      'Apply failed with 2 conflicts: conflicts with "kubectl-client-side-apply" using apps/v1:\n- .spec.replicas\n- .spec.template.spec.containers[name="nginx"].image',
      ['.spec.replicas', '.spec.template.spec.containers[name="nginx"].image'],
    );
  });

  it('names an applier without an apiVersion', () => {
    const live = apply(undefined, config(), 'alice', { now: T0 }).object;
    const cfg = config();
    cfg.spec.replicas = 9;
    conflict(() => apply(live, cfg, 'bob'), 'Apply failed with 1 conflict: conflict with "alice": .spec.replicas', ['.spec.replicas']);
  });

  it('takes ownership with force', () => {
    const cfg = config();
    cfg.spec.replicas = 3;
    const r = apply(base(), cfg, 'ci', { force: true });
    assert.equal(r.object.spec.replicas, 3);
    assert.ok((entry(r.object, 'ci')!.fieldsV1 as any)['f:spec']['f:replicas']);
    assert.equal((entry(r.object, 'kubectl-client-side-apply')!.fieldsV1 as any)['f:spec']['f:replicas'], undefined);
  });

  it('shares a field applied with the same value, without conflict', () => {
    const r = apply(base(), config(), 'ci');
    assert.equal(r.changed, false);
    for (const m of ['ci', 'kubectl-client-side-apply']) assert.ok((entry(r.object, m)!.fieldsV1 as any)['f:spec']['f:replicas'], m);
    // Upstream stamps the time only when the object changed.
    assert.equal(entry(r.object, 'ci')!.time, undefined);
    assert.deepEqual(
      r.object.metadata.managedFields!.map((e) => [e.manager, e.operation]),
      [['ci', 'Apply'], ['kubectl-client-side-apply', 'Update']],
    );
  });

  it('keeps a label the manager stops applying while another manager owns it', () => {
    const cfg = config();
    cfg.metadata.labels.team = 'blue';
    const live = apply(undefined, cfg, 'alice', { now: T0 }).object;
    const bobCfg = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', labels: { team: 'blue' } } };
    const shared = apply(live, bobCfg, 'bob').object;
    const r = apply(shared, config(), 'alice', { now: T2 });
    assert.deepEqual(r.object.metadata.labels, { app: 'web', team: 'blue' });
    const cfg2 = config();
    cfg2.metadata.labels = { team: 'blue' };
    assert.deepEqual(apply(shared, cfg2, 'alice', { now: T2 }).object.metadata.labels, { team: 'blue' });
  });

  it('lets kubectl take over fields it applied client-side, and keeps the annotation current', () => {
    const cfg = config();
    const old = { ...cfg, metadata: { ...cfg.metadata, annotations: { [LAST_APPLIED]: goJson(cfg) + '\n' } } };
    const live = createdBy('kubectl-client-side-apply', old);
    const next = config();
    next.spec.replicas = 3;
    const r = apply(live, next, 'kubectl');
    assert.equal(r.object.spec.replicas, 3);
    assert.equal(r.object.metadata.annotations![LAST_APPLIED], goJson(next) + '\n');
    assert.equal((entry(r.object, 'kubectl-client-side-apply')!.fieldsV1 as any)['f:spec']['f:replicas'], undefined);
    // Once the live value differs from the annotation (someone scaled), the conflict stands.
    const scaled = structuredClone(live);
    scaled.spec.replicas = 5;
    conflict(() => apply(scaled, next, 'kubectl'), 'Apply failed with 1 conflict: conflict with "kubectl-client-side-apply" using apps/v1: .spec.replicas', [
      '.spec.replicas',
    ]);
  });
});

describe('server-side apply: bad configurations', () => {
  const fails = (fn: () => unknown, code: number, message: string) =>
    assert.throws(fn, (e: unknown) => e instanceof ApiError && e.code === code && e.status.message === message);

  it('checks the kind, managedFields and fields against the schema', () => {
    fails(() => apply(undefined, { ...config(), kind: 'Pod' }, 'kubectl'), 400, 'invalid object type: apps/v1, Kind=Pod');
    fails(() => apply(undefined, { ...config(), apiVersion: 'v1' }, 'kubectl'), 400, 'invalid object type: /v1, Kind=Deployment');
    const mf = config();
    mf.metadata.managedFields = [];
    fails(() => apply(undefined, mf, 'kubectl'), 400, 'metadata.managedFields must be nil');
    const unknown = config();
    unknown.spec.foo = 1;
    fails(
      () => apply(undefined, unknown, 'kubectl'),
      500,
      'failed to create typed patch object (default/web; apps/v1, Kind=Deployment): .spec.foo: field not declared in schema',
    );
  });

  it('decodes YAML and JSON bodies', () => {
    assert.deepEqual(parseApplyBody('{"a": 1}'), { a: 1 });
    assert.deepEqual(parseApplyBody(''), {});
    fails(() => parseApplyBody('- a'), 400, 'error decoding YAML: error unmarshaling JSON: while decoding JSON: json: cannot unmarshal array into Go value of type map[string]interface {}');
    assert.throws(() => parseApplyBody('a: [1'), (e: unknown) => e instanceof ApiError && e.code === 400 && e.status.message!.startsWith('error decoding YAML: '));
  });
});

describe('server-side apply: endpoints', () => {
  it('owns nothing under reset fields and records the subresource', () => {
    const cfg = { ...config(), status: { replicas: 7 } };
    const r = serverSideApply(undefined, cfg, { schemas: testSchemas, gvk: DEPLOYMENT, manager: 'm', now: T0, ignoredFields: [['status']] });
    assert.equal((r.object.metadata.managedFields![0].fieldsV1 as any)['f:status'], undefined);
    const s = serverSideApply(r.object, { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web' }, status: { replicas: 1 } }, {
      schemas: testSchemas,
      gvk: DEPLOYMENT,
      manager: 'm',
      subresource: 'status',
      now: T1,
    });
    const ms = s.object.metadata.managedFields!.filter((e) => e.manager === 'm');
    assert.deepEqual(ms.map((e) => e.subresource), [undefined, 'status'], 'one entry per subresource');
    assert.deepEqual(ms[1].fieldsV1, { 'f:status': { 'f:replicas': {} } });
  });
});
