/**
 * managedFields for ordinary writes: `kubectl create` of Deployment
 * default/web at T0, then updates by other managers at T1. Expected FieldsV1
 * follows upstream: no `.` on value structs (spec, template), `.` on maps,
 * list items and lists the create adds.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { KubeObject, ManagedFieldsEntry } from '../../api/meta.ts';
import { DEPLOYMENT, testSchemas } from './testdata-schema.ts';
import { managerOrUserAgent, updateManagedFields, type UpdateManagedOptions } from './update-managed.ts';

const T0 = new Date('2024-06-01T12:00:00Z');
const T1 = new Date('2024-06-01T13:00:00Z');

function deployment(): KubeObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', namespace: 'default', labels: { app: 'web' } },
    spec: {
      replicas: 2,
      selector: { matchLabels: { app: 'web' } },
      template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'nginx', image: 'nginx:1.25', ports: [{ containerPort: 80, protocol: 'TCP' }] }] } },
    },
  };
}

const write = (old: KubeObject | undefined, obj: KubeObject, manager: string, extra: Partial<UpdateManagedOptions> = {}) =>
  updateManagedFields(old, obj, { schemas: testSchemas, gvk: DEPLOYMENT, manager, operation: 'Update', now: T1, ...extra });

const created = () => write(undefined, deployment(), 'kubectl-create', { now: T0 });
const byManager = (o: KubeObject) => Object.fromEntries(o.metadata.managedFields!.map((e: ManagedFieldsEntry) => [e.manager, e]));

describe('updateManagedFields', () => {
  it('records a create in upstream format', () => {
    assert.deepEqual(created().metadata.managedFields, [
      {
        manager: 'kubectl-create',
        operation: 'Update',
        apiVersion: 'apps/v1',
        time: '2024-06-01T12:00:00Z',
        fieldsType: 'FieldsV1',
        fieldsV1: {
          'f:metadata': { 'f:labels': { '.': {}, 'f:app': {} } },
          'f:spec': {
            'f:replicas': {},
            'f:selector': {},
            'f:template': {
              'f:metadata': { 'f:labels': { '.': {}, 'f:app': {} } },
              'f:spec': {
                'f:containers': {
                  'k:{"name":"nginx"}': {
                    '.': {},
                    'f:image': {},
                    'f:name': {},
                    'f:ports': {
                      '.': {},
                      'k:{"containerPort":80,"protocol":"TCP"}': { '.': {}, 'f:containerPort': {}, 'f:protocol': {} },
                    },
                  },
                },
              },
            },
          },
        },
      },
    ]);
  });

  it('moves a changed field to the writer and keeps the rest with its owner', () => {
    const old = created();
    const next = structuredClone(old);
    next.spec.replicas = 5;
    const out = byManager(write(old, next, 'kubectl-scale'));
    assert.deepEqual(out['kubectl-scale'].fieldsV1, { 'f:spec': { 'f:replicas': {} } });
    assert.equal(out['kubectl-scale'].time, '2024-06-01T13:00:00Z');
    assert.equal((out['kubectl-create'].fieldsV1 as any)['f:spec']['f:replicas'], undefined);
    assert.ok((out['kubectl-create'].fieldsV1 as any)['f:spec']['f:selector']);
    assert.equal(out['kubectl-create'].time, '2024-06-01T12:00:00Z');
  });

  it('drops removed fields from their owner, records nothing for a pure removal, and drops emptied entries', () => {
    const annotated = created();
    annotated.metadata.annotations = { note: 'x' };
    const old = write(created(), annotated, 'kubectl-annotate');
    assert.deepEqual(Object.keys(byManager(old)), ['kubectl-create', 'kubectl-annotate']);
    const next = structuredClone(old);
    delete next.metadata.annotations;
    const out = write(old, next, 'kubectl-edit');
    assert.deepEqual(Object.keys(byManager(out)), ['kubectl-create']);
  });

  it('changes nothing for a write that changes nothing', () => {
    const old = created();
    const out = write(old, structuredClone(old), 'kubectl-edit');
    assert.deepEqual(out.metadata.managedFields, old.metadata.managedFields);
  });

  it('merges repeated writes of one manager into its entry and bumps the time', () => {
    const first = created();
    const next = structuredClone(first);
    next.spec.paused = true;
    const out = byManager(write(first, next, 'kubectl-create'))['kubectl-create'];
    assert.equal(out.time, '2024-06-01T13:00:00Z');
    assert.ok((out.fieldsV1 as any)['f:spec']['f:paused'] && (out.fieldsV1 as any)['f:spec']['f:replicas']);
  });

  it('leaves an existing untracked object untracked, and resets on an empty list', () => {
    const old = deployment();
    const next = deployment();
    next.spec.replicas = 3;
    assert.equal(write(old, next, 'x').metadata.managedFields, undefined);
    const tracked = created();
    const reset = structuredClone(tracked);
    reset.metadata.managedFields = [];
    reset.spec.replicas = 4;
    assert.equal(write(tracked, reset, 'x').metadata.managedFields, undefined);
  });

  it('starts from managedFields the client sent, except on a subresource', () => {
    const old = created();
    const sent = structuredClone(old);
    sent.metadata.managedFields![0].manager = 'renamed';
    assert.deepEqual(Object.keys(byManager(write(old, structuredClone(sent), 'x'))), ['renamed']);
    const status = structuredClone(sent);
    status.status = { replicas: 2 };
    const out = write(old, status, 'kube-controller-manager', { subresource: 'status', ignoredFields: [['spec'], ['metadata']] });
    const ms = byManager(out);
    assert.deepEqual(Object.keys(ms).sort(), ['kube-controller-manager', 'kubectl-create']);
    assert.equal(ms['kube-controller-manager'].subresource, 'status');
    assert.deepEqual(ms['kube-controller-manager'].fieldsV1, { 'f:status': { '.': {}, 'f:replicas': {} } });
  });

  it('caps update entries at ten, merging the oldest into ancient-changes', () => {
    let obj = created();
    for (let i = 1; i <= 10; i++) {
      const next = structuredClone(obj);
      next.metadata.labels![`l${i}`] = 'x';
      obj = write(obj, next, `m${i}`, { now: new Date(T1.getTime() + i * 1000) });
    }
    const ms = byManager(obj);
    assert.equal(Object.keys(ms).length, 10);
    assert.ok(ms['ancient-changes']);
    assert.equal(ms['kubectl-create'], undefined);
    assert.equal(ms.m1, undefined);
    const labels = (ms['ancient-changes'].fieldsV1 as any)['f:metadata']['f:labels'];
    assert.ok(labels['f:app'] && labels['f:l1']);
  });
});

describe('managerOrUserAgent', () => {
  it('uses the fieldManager, else the user agent before its first slash', () => {
    assert.equal(managerOrUserAgent('kubectl-edit', 'kubectl/v1.32.0'), 'kubectl-edit');
    assert.equal(managerOrUserAgent(undefined, 'kubectl/v1.32.0 (linux/amd64) kubernetes/abc'), 'kubectl');
    assert.equal(managerOrUserAgent('', 'a\u0007b/1'), 'ab');
    assert.equal(managerOrUserAgent(undefined, 'x'.repeat(200)).length, 128);
  });
});
