// No addresses. Clock: NOW = 2024-06-01T12:00:00Z; objects created 45s before.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { KubeObject } from '../meta.ts';
import {
  configMapPrinter,
  leasePrinter,
  namespacePrinter,
  quotaColumns,
  resourceQuotaPrinter,
  secretPrinter,
  serviceAccountPrinter,
} from './core-other.ts';

const NOW = new Date('2024-06-01T12:00:00Z');
const CREATED = '2024-06-01T11:59:15Z';
const obj = (kind: string, name: string, rest: any, apiVersion = 'v1'): KubeObject => ({
  apiVersion,
  kind,
  metadata: { name, creationTimestamp: CREATED },
  ...rest,
});
const names = (p: { columns: { name: string }[] }): string[] => p.columns.map((c) => c.name);

describe('Namespace', () => {
  it('NAME STATUS AGE', () => {
    assert.deepEqual(names(namespacePrinter), ['Name', 'Status', 'Age']);
    assert.deepEqual(namespacePrinter.print(obj('Namespace', 'test', { status: { phase: 'Active' } }), NOW).cells, ['test', 'Active', '45s']);
    assert.deepEqual(namespacePrinter.print(obj('Namespace', 'gone', { status: { phase: 'Terminating' } }), NOW).cells[1], 'Terminating');
  });
});

describe('ConfigMap', () => {
  it('NAME DATA AGE, data and binaryData counted together', () => {
    assert.deepEqual(names(configMapPrinter), ['Name', 'Data', 'Age']);
    const cm = obj('ConfigMap', 'kube-root-ca.crt', { data: { 'ca.crt': '...' }, binaryData: { 'logo.png': 'iVBO' } });
    assert.deepEqual(configMapPrinter.print(cm, NOW).cells, ['kube-root-ca.crt', 2, '45s']);
    assert.equal(configMapPrinter.print(obj('ConfigMap', 'empty', {}), NOW).cells[1], 0);
  });
});

describe('Secret', () => {
  it('NAME TYPE DATA AGE', () => {
    assert.deepEqual(names(secretPrinter), ['Name', 'Type', 'Data', 'Age']);
    const s = obj('Secret', 'whale-tls', { type: 'kubernetes.io/tls', data: { 'tls.crt': 'LS0t', 'tls.key': 'LS0t' } });
    assert.deepEqual(secretPrinter.print(s, NOW).cells, ['whale-tls', 'kubernetes.io/tls', 2, '45s']);
  });
  it('stringData keys count as data, once', () => {
    const s = obj('Secret', 'mixed', { type: 'Opaque', data: { a: 'YQ==' }, stringData: { a: 'x', b: 'y' } });
    assert.equal(secretPrinter.print(s, NOW).cells[2], 2);
  });
});

describe('ServiceAccount', () => {
  it('NAME SECRETS AGE', () => {
    assert.deepEqual(names(serviceAccountPrinter), ['Name', 'Secrets', 'Age']);
    assert.deepEqual(serviceAccountPrinter.print(obj('ServiceAccount', 'default', {}), NOW).cells, ['default', 0, '45s']);
    assert.equal(serviceAccountPrinter.print(obj('ServiceAccount', 'bot', { secrets: [{ name: 'bot-token' }] }), NOW).cells[1], 1);
  });
});

describe('ResourceQuota', () => {
  it('v1.32 order: NAME AGE REQUEST LIMIT', () => {
    assert.deepEqual(
      resourceQuotaPrinter.columns.map((c) => [c.name, c.type, c.priority]),
      [
        ['Name', 'string', 0],
        ['Age', 'string', 0],
        ['Request', 'string', 0],
        ['Limit', 'string', 0],
      ],
    );
  });
  it('S8: test-quotas, sorted resource names, used/hard', () => {
    const rq = obj('ResourceQuota', 'test-quotas', {
      spec: { hard: { pods: '3', services: '1', replicationcontrollers: '1' } },
      status: { hard: { pods: '3', services: '1', replicationcontrollers: '1' }, used: { pods: '1', services: '0', replicationcontrollers: '0' } },
    });
    assert.deepEqual(resourceQuotaPrinter.print(rq, NOW).cells, ['test-quotas', '45s', 'pods: 1/3, replicationcontrollers: 0/1, services: 0/1', '']);
  });
  it('limits.* go to LIMIT; missing used reads 0; numbers print as given', () => {
    const [request, limit] = quotaColumns({
      hard: { 'limits.memory': '2Gi', 'requests.cpu': '1', 'limits.cpu': '2', pods: 4 },
      used: { 'limits.cpu': '500m', 'requests.cpu': '250m' },
    });
    assert.equal(request, 'pods: 0/4, requests.cpu: 250m/1');
    assert.equal(limit, 'limits.cpu: 500m/2, limits.memory: 0/2Gi');
  });
  it('before the quota controller has filled status, both columns are empty', () => {
    assert.deepEqual(resourceQuotaPrinter.print(obj('ResourceQuota', 'new', { spec: { hard: { pods: '3' } } }), NOW).cells.slice(2), ['', '']);
  });
});

describe('Lease', () => {
  it('NAME HOLDER AGE', () => {
    assert.deepEqual(names(leasePrinter), ['Name', 'Holder', 'Age']);
    const l = obj('Lease', 'node-1', { spec: { holderIdentity: 'node-1', leaseDurationSeconds: 40 } }, 'coordination.k8s.io/v1');
    assert.deepEqual(leasePrinter.print(l, NOW).cells, ['node-1', 'node-1', '45s']);
    assert.equal(leasePrinter.print(obj('Lease', 'free', { spec: {} }), NOW).cells[1], '');
  });
});
