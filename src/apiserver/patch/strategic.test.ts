/**
 * Strategic merge patch tests. Bodies are shaped as kubectl sends them:
 * `kubectl apply` (three-way patch with `$setElementOrder`, `$retainKeys`,
 * `$patch: delete` items and the last-applied annotation), `kubectl edit` and
 * `kubectl patch`. The live Deployment is liveDeployment(): containers nginx
 * (port 80, env A, B) and sidecar; finalizers a, b; strategy RollingUpdate.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ApiError } from '../../api/errors.ts';
import type { KubeObject } from '../../api/meta.ts';
import { applyStrategicPatch, decodeStrategicPatch } from './strategic.ts';
import { deepFreeze, liveDeployment } from './testdata-objects.ts';
import { DEPLOYMENT, WIDGET, rootOf, testSchemas } from './testdata-schema.ts';

const LAST = 'kubectl.kubernetes.io/last-applied-configuration';

function smp(live: KubeObject, patch: unknown, gvk = DEPLOYMENT): KubeObject {
  return applyStrategicPatch(deepFreeze(live), patch, rootOf(gvk), testSchemas);
}

const podSpec = (o: KubeObject) => o.spec.template.spec;
const names = (list: { name: string }[]) => list.map((c) => c.name);

function fails(fn: () => unknown, code: number, message: string): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof ApiError, String(e));
    assert.equal(e.code, code);
    assert.equal(e.status.message, message);
    return true;
  });
}

describe('strategic merge patch: kubectl apply bodies', () => {
  it('changes an image and replicas, keeping the other container and the nginx ports and env', () => {
    const out = smp(liveDeployment(), {
      metadata: { annotations: { [LAST]: '{"new":true}\n' } },
      spec: {
        replicas: 3,
        template: { spec: { '$setElementOrder/containers': [{ name: 'nginx' }, { name: 'sidecar' }], containers: [{ image: 'nginx:1.26', name: 'nginx' }] } },
      },
    });
    assert.equal(out.metadata.annotations![LAST], '{"new":true}\n');
    assert.equal(out.spec.replicas, 3);
    assert.deepEqual(names(podSpec(out).containers), ['nginx', 'sidecar']);
    assert.deepEqual(podSpec(out).containers[0], { ...liveDeployment().spec.template.spec.containers[0], image: 'nginx:1.26' });
    assert.deepEqual(podSpec(out).containers[1], liveDeployment().spec.template.spec.containers[1]);
  });

  it('deletes a container with a $patch: delete item', () => {
    const out = smp(liveDeployment(), {
      spec: { template: { spec: { '$setElementOrder/containers': [{ name: 'nginx' }], containers: [{ $patch: 'delete', name: 'sidecar' }] } } },
    });
    assert.deepEqual(names(podSpec(out).containers), ['nginx']);
  });

  it('adds a container where $setElementOrder puts it', () => {
    const out = smp(liveDeployment(), {
      spec: {
        template: {
          spec: {
            '$setElementOrder/containers': [{ name: 'nginx' }, { name: 'logger' }, { name: 'sidecar' }],
            containers: [{ image: 'fluentd', name: 'logger' }],
          },
        },
      },
    });
    assert.deepEqual(names(podSpec(out).containers), ['nginx', 'logger', 'sidecar']);
    assert.deepEqual(podSpec(out).containers[1], { name: 'logger', image: 'fluentd' });
  });

  it('removes an env var inside a container, with nested $setElementOrder lists', () => {
    const out = smp(liveDeployment(), {
      spec: {
        template: {
          spec: {
            '$setElementOrder/containers': [{ name: 'nginx' }, { name: 'sidecar' }],
            containers: [{ '$setElementOrder/env': [{ name: 'B' }], env: [{ $patch: 'delete', name: 'A' }], name: 'nginx' }],
          },
        },
      },
    });
    assert.deepEqual(podSpec(out).containers[0].env, [{ name: 'B', value: '2' }]);
    assert.deepEqual(podSpec(out).containers[0].ports, [{ containerPort: 80, protocol: 'TCP' }]);
  });

  it('switches the Deployment strategy from RollingUpdate to Recreate with $retainKeys', () => {
    const out = smp(liveDeployment(), { spec: { strategy: { $retainKeys: ['type'], rollingUpdate: null, type: 'Recreate' } } });
    assert.deepEqual(out.spec.strategy, { type: 'Recreate' });
    // The user never set rollingUpdate (it was defaulted): $retainKeys alone clears it.
    const out2 = smp(liveDeployment(), { spec: { strategy: { $retainKeys: ['type'], type: 'Recreate' } } });
    assert.deepEqual(out2.spec.strategy, { type: 'Recreate' });
  });

  it('rejects a $retainKeys list that omits a field the patch sets', () => {
    const patch = { spec: { strategy: { $retainKeys: ['type'], type: 'Recreate', rollingUpdate: { maxSurge: 1 } } } };
    fails(() => smp(liveDeployment(), patch), 400, 'invalid patch format of retainKeys');
    fails(() => smp(liveDeployment(), { spec: { strategy: { $retainKeys: 'type' } } }), 400, 'invalid patch format of retainKeys');
  });

  it('replaces a volume source through the item-level $retainKeys of volumes (merge,retainKeys)', () => {
    const out = smp(liveDeployment(), {
      spec: {
        template: {
          spec: {
            '$setElementOrder/volumes': [{ name: 'data' }],
            volumes: [{ $retainKeys: ['configMap', 'name'], configMap: { name: 'cfg' }, name: 'data' }],
          },
        },
      },
    });
    assert.deepEqual(podSpec(out).volumes, [{ name: 'data', configMap: { name: 'cfg' } }]);
  });

  it('removes a label with null and a finalizer with $deleteFromPrimitiveList', () => {
    const out = smp(liveDeployment(), {
      metadata: {
        labels: { tier: null },
        '$setElementOrder/finalizers': ['example.com/b'],
        '$deleteFromPrimitiveList/finalizers': ['example.com/a'],
      },
    });
    assert.deepEqual(out.metadata.labels, { app: 'web' });
    assert.deepEqual(out.metadata.finalizers, ['example.com/b']);
  });
});

describe('strategic merge patch: merge rules', () => {
  it('unions primitive lists with strategy merge, new items first as upstream orders them', () => {
    const out = smp(liveDeployment(), { metadata: { finalizers: ['example.com/c', 'example.com/a'] } });
    assert.deepEqual(out.metadata.finalizers, ['example.com/c', 'example.com/a', 'example.com/b']);
  });

  it('puts a container added without $setElementOrder before the live ones (mergeSortedSlice)', () => {
    const out = smp(liveDeployment(), { spec: { template: { spec: { containers: [{ name: 'init', image: 'x' }] } } } });
    assert.deepEqual(names(podSpec(out).containers), ['init', 'nginx', 'sidecar']);
  });

  it('merges ports on their merge key and replaces lists without a strategy', () => {
    const out = smp(liveDeployment(), {
      spec: { template: { spec: { containers: [{ name: 'nginx', ports: [{ containerPort: 80, name: 'http' }] }, { name: 'sidecar', command: ['echo'] }] } } },
    });
    assert.deepEqual(podSpec(out).containers[0].ports, [{ containerPort: 80, protocol: 'TCP', name: 'http' }]);
    assert.deepEqual(podSpec(out).containers[1].command, ['echo']);
  });

  it('merges maps key by key and replaces a value whose type changes', () => {
    const out = smp(liveDeployment(), { metadata: { labels: { new: '1' } }, spec: { replicas: '3' } });
    assert.deepEqual(out.metadata.labels, { app: 'web', tier: 'frontend', new: '1' });
    assert.equal(out.spec.replicas, '3');
  });

  it('handles $patch: replace and delete on maps and lists', () => {
    const labels = smp(liveDeployment(), { spec: { template: { metadata: { labels: { $patch: 'replace', only: 'x' } } } } });
    assert.deepEqual(labels.spec.template.metadata.labels, { only: 'x' });
    const list = smp(liveDeployment(), { spec: { template: { spec: { containers: [{ name: 'solo', image: 'z' }, { $patch: 'replace' }] } } } });
    assert.deepEqual(podSpec(list).containers, [{ name: 'solo', image: 'z' }]);
    const gone = smp(liveDeployment(), { spec: { strategy: { $patch: 'delete' } } });
    assert.deepEqual(gone.spec.strategy, {});
  });

  it('applies directives inside a value the live object lacks instead of storing them', () => {
    const live = liveDeployment();
    delete live.spec.strategy;
    const out = smp(live, { spec: { strategy: { $retainKeys: ['type'], type: 'Recreate', rollingUpdate: null } } });
    assert.deepEqual(out.spec.strategy, { type: 'Recreate' });
  });

  it('merges `any` subtrees and fields without a schema like a JSON merge patch', () => {
    const widget = { apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w' }, spec: { a: { b: 1, c: 2 }, list: [1, 2] } };
    const out = smp(widget, { spec: { a: { b: null, d: 3 }, list: [3], x: { $patch: 'delete' } } }, WIDGET);
    assert.deepEqual(out.spec, { a: { c: 2, d: 3 }, list: [3], x: { $patch: 'delete' } });
    const unknown = smp(liveDeployment(), { spec: { extra: { a: 1, b: null } } });
    assert.deepEqual(unknown.spec.extra, { a: 1 });
  });

  it('deletes from primitive lists that have no merge strategy instead of replacing them', () => {
    const widget = { apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w' }, spec: { tags: ['a', 'b'] } };
    const out = smp(widget, { spec: { '$deleteFromPrimitiveList/tags': ['a'] } }, WIDGET);
    assert.deepEqual(out.spec, { '$deleteFromPrimitiveList/tags': ['a'], tags: ['a', 'b'] }, 'inside `any` a directive is just a key');
    const cmd = smp(liveDeployment(), { spec: { template: { spec: { containers: [{ name: 'sidecar', '$deleteFromPrimitiveList/command': ['sleep'] }] } } } });
    assert.deepEqual(podSpec(cmd).containers[1].command, ['3600']);
  });

  it('never mutates the live object or the patch', () => {
    const patch = deepFreeze({ spec: { strategy: { $retainKeys: ['type'], type: 'Recreate' }, template: { spec: { containers: [{ $patch: 'delete', name: 'sidecar' }] } } } });
    const live = liveDeployment();
    const out = smp(live, patch);
    assert.deepEqual(live, liveDeployment());
    assert.notEqual(out.spec, live.spec);
  });
});

describe('strategic merge patch: errors in upstream words', () => {
  it('reports a list item without its merge key', () => {
    fails(
      () => smp(liveDeployment(), { spec: { template: { spec: { containers: [{ image: 'x' }] } } } }),
      500,
      'map: map[image:x] does not contain declared merge key: name',
    );
  });

  it('reports unknown and unsupported directives', () => {
    fails(() => smp(liveDeployment(), { spec: { strategy: { $patch: 'nope' } } }), 500, 'unknown patch type: nope in map: map[$patch:nope]');
    fails(
      () => smp(liveDeployment(), { spec: { template: { spec: { containers: [{ name: 'nginx', $patch: 'merge' }] } } } }),
      500,
      'merging lists cannot yet be specified in the patch',
    );
    fails(() => smp(liveDeployment(), { metadata: { $deleteFromPrimitiveListfinalizers: ['x'] } }), 400, 'invalid patch format of primitive list');
    fails(() => smp(liveDeployment(), { metadata: { '$setElementOrderfinalizers': ['x'] } }), 400, 'invalid patch format of setElementOrder list');
  });

  it('reports a $setElementOrder list that contradicts the patch order', () => {
    const patch = { spec: { template: { spec: { '$setElementOrder/containers': [{ name: 'nginx' }, { name: 'sidecar' }], containers: [{ name: 'sidecar' }, { name: 'nginx' }] } } } };
    fails(
      () => smp(liveDeployment(), patch),
      500,
      'The order in patch list:\n[map[name:sidecar] map[name:nginx]]\n doesn\'t match $setElementOrder list:\n[map[name:nginx] map[name:sidecar]]\n',
    );
  });

  it('rejects lists of lists with a 422 and mixed element types with a 500', () => {
    const live = liveDeployment();
    delete live.metadata.finalizers;
    assert.throws(
      () => smp(live, { metadata: { finalizers: [['x']] } }),
      (e: unknown) => e instanceof ApiError && e.code === 422 && (e.cause as Error).message === 'lists of lists are not supported',
    );
    fails(() => smp(liveDeployment(), { metadata: { finalizers: [1] } }), 500, 'list element types are not identical: [[example.com/a example.com/b] [1]]');
  });

  it('decodes bodies as upstream does', () => {
    assert.deepEqual(decodeStrategicPatch('null'), {});
    fails(() => decodeStrategicPatch('[1]'), 400, 'json: cannot unmarshal array into Go value of type map[string]interface {}');
    assert.throws(() => decodeStrategicPatch('{'), (e: unknown) => e instanceof ApiError && e.code === 400);
  });
});
