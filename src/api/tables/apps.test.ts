// No addresses. Clock: NOW = 2024-06-01T12:00:00Z; objects created 2d1h before.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { KubeObject } from '../meta.ts';
import { deploymentPrinter, replicaSetPrinter, replicationControllerPrinter } from './apps.ts';

const NOW = new Date('2024-06-01T12:00:00Z');
const CREATED = '2024-05-30T11:00:00Z';

function workload(kind: string, apiVersion: string, name: string, spec: any, status: any): KubeObject {
  return { apiVersion, kind, metadata: { name, namespace: 'default', creationTimestamp: CREATED }, spec, status };
}

const template = (containers: any[]): any => ({ metadata: { labels: { app: 'x' } }, spec: { containers } });

describe('ReplicationController', () => {
  it('columns: NAME DESIRED CURRENT READY AGE | CONTAINERS IMAGES SELECTOR', () => {
    assert.deepEqual(
      replicationControllerPrinter.columns.map((c) => [c.name, c.type, c.priority]),
      [
        ['Name', 'string', 0],
        ['Desired', 'integer', 0],
        ['Current', 'integer', 0],
        ['Ready', 'integer', 0],
        ['Age', 'string', 0],
        ['Containers', 'string', 1],
        ['Images', 'string', 1],
        ['Selector', 'string', 1],
      ],
    );
  });
  it('S4: node-js with 3 replicas', () => {
    const rc = workload(
      'ReplicationController',
      'v1',
      'node-js',
      { replicas: 3, selector: { name: 'node-js' }, template: template([{ name: 'node-js', image: 'registry.k8s.io/e2e-test-images/agnhost:2.47' }]) },
      { replicas: 3, readyReplicas: 2 },
    );
    assert.deepEqual(replicationControllerPrinter.print(rc, NOW).cells, [
      'node-js',
      3,
      3,
      2,
      '2d1h',
      'node-js',
      'registry.k8s.io/e2e-test-images/agnhost:2.47',
      'name=node-js',
    ]);
  });
  it('S8: busybox-ns asking 4 ends with 3; no status yet reads zeros; no template reads empty', () => {
    const rc = workload('ReplicationController', 'v1', 'busybox-ns', { replicas: 4, selector: { app: 'busybox' } }, { replicas: 3 });
    assert.deepEqual(replicationControllerPrinter.print(rc, NOW).cells.slice(1, 8), [4, 3, 0, '2d1h', '', '', 'app=busybox']);
  });
  it('a missing replicas count is the defaulted 1; a missing selector is <none>', () => {
    const rc = workload('ReplicationController', 'v1', 'r', {}, undefined);
    assert.deepEqual(replicationControllerPrinter.print(rc, NOW).cells.slice(1, 4), [1, 0, 0]);
    assert.equal(replicationControllerPrinter.print(rc, NOW).cells[7], '<none>');
  });
});

describe('ReplicaSet', () => {
  it('S5.3: myapp-rs-headless', () => {
    const rs = workload(
      'ReplicaSet',
      'apps/v1',
      'myapp-rs-headless',
      {
        replicas: 3,
        selector: { matchLabels: { app: 'myapp-rs-headless' } },
        template: template([{ name: 'myapp', image: 'registry.k8s.io/e2e-test-images/agnhost:2.47' }, { name: 'log', image: 'busybox' }]),
      },
      { replicas: 3, readyReplicas: 3, availableReplicas: 3 },
    );
    assert.deepEqual(replicaSetPrinter.print(rs, NOW).cells, [
      'myapp-rs-headless',
      3,
      3,
      3,
      '2d1h',
      'myapp,log',
      'registry.k8s.io/e2e-test-images/agnhost:2.47,busybox',
      'app=myapp-rs-headless',
    ]);
  });
  it('selector: <none> when empty, <error> when invalid (FormatLabelSelector)', () => {
    const empty = workload('ReplicaSet', 'apps/v1', 'a', { replicas: 1, selector: {} }, {});
    const bad = workload('ReplicaSet', 'apps/v1', 'b', { replicas: 1, selector: { matchExpressions: [{ key: 'a', operator: 'Bad' }] } }, {});
    assert.equal(replicaSetPrinter.print(empty, NOW).cells[7], '<none>');
    assert.equal(replicaSetPrinter.print(bad, NOW).cells[7], '<error>');
  });
});

describe('Deployment', () => {
  it('columns: NAME READY UP-TO-DATE AVAILABLE AGE | CONTAINERS IMAGES SELECTOR', () => {
    assert.deepEqual(
      deploymentPrinter.columns.map((c) => [c.name, c.type, c.priority]),
      [
        ['Name', 'string', 0],
        ['Ready', 'string', 0],
        ['Up-to-date', 'string', 0],
        ['Available', 'string', 0],
        ['Age', 'string', 0],
        ['Containers', 'string', 1],
        ['Images', 'string', 1],
        ['Selector', 'string', 1],
      ],
    );
  });
  it('S1: my-nginx, 2 replicas', () => {
    const d = workload(
      'Deployment',
      'apps/v1',
      'my-nginx',
      { replicas: 2, selector: { matchLabels: { run: 'my-nginx' } }, template: template([{ name: 'my-nginx', image: 'nginx' }]) },
      { replicas: 2, readyReplicas: 2, updatedReplicas: 2, availableReplicas: 2 },
    );
    assert.deepEqual(deploymentPrinter.print(d, NOW).cells, ['my-nginx', '2/2', 2, 2, '2d1h', 'my-nginx', 'nginx', 'run=my-nginx']);
  });
  it('rolling out: READY counts ready over desired', () => {
    const d = workload('Deployment', 'apps/v1', 'web', { replicas: 3, selector: { matchLabels: { app: 'web' } } }, { readyReplicas: 1, updatedReplicas: 2 });
    assert.deepEqual(deploymentPrinter.print(d, NOW).cells.slice(1, 4), ['1/3', 2, 0]);
  });
  it('selector with matchExpressions; empty prints nothing; invalid is <invalid>', () => {
    const sel = {
      matchLabels: { app: 'web' },
      matchExpressions: [
        { key: 'tier', operator: 'In', values: ['frontend', 'backend'] },
        { key: 'legacy', operator: 'DoesNotExist' },
      ],
    };
    const d = (selector: any): KubeObject => workload('Deployment', 'apps/v1', 'web', { replicas: 1, selector }, {});
    assert.equal(deploymentPrinter.print(d(sel), NOW).cells[7], 'app=web,!legacy,tier in (backend,frontend)');
    assert.equal(deploymentPrinter.print(d({}), NOW).cells[7], '');
    assert.equal(deploymentPrinter.print(d({ matchExpressions: [{ key: 'a', operator: 'In', values: [] }] }), NOW).cells[7], '<invalid>');
  });
});
