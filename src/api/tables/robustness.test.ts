// No addresses. Clock: NOW = 2024-06-01T12:00:00Z.
// Objects reach the printers after validation, but a printer must never take
// down a list request: every printer is fed fields of the wrong shape.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { KubeObject } from '../meta.ts';
import { resources } from '../resources.ts';
import { printerFor } from './index.ts';

const NOW = new Date('2024-06-01T12:00:00Z');
const junk: unknown[] = [null, 0, 7, 'x', true, {}, [], [null], [1, 'a'], { a: 1 }, [{ x: [] }]];
const fields = [
  'spec', 'status', 'subsets', 'ports', 'endpoints', 'data', 'binaryData', 'stringData', 'secrets', 'involvedObject',
  'source', 'series', 'count', 'firstTimestamp', 'lastTimestamp', 'eventTime', 'message', 'type', 'addressType',
];
const nested = [
  ['spec', 'containers'], ['spec', 'initContainers'], ['spec', 'readinessGates'], ['spec', 'ports'], ['spec', 'externalIPs'],
  ['spec', 'selector'], ['spec', 'template'], ['spec', 'rules'], ['spec', 'tls'], ['spec', 'parameters'], ['spec', 'replicas'],
  ['spec', 'type'], ['spec', 'clusterIPs'], ['status', 'conditions'], ['status', 'containerStatuses'],
  ['status', 'initContainerStatuses'], ['status', 'podIPs'], ['status', 'loadBalancer'], ['status', 'addresses'],
  ['status', 'nodeInfo'], ['status', 'hard'], ['status', 'used'], ['metadata', 'labels'], ['metadata', 'creationTimestamp'],
  ['metadata', 'deletionTimestamp'], ['metadata', 'name'],
];

describe('printers survive malformed objects', () => {
  for (const d of resources) {
    it(`${d.group || 'core'}/${d.kind}`, () => {
      const p = printerFor(d.group, d.kind);
      for (const v of junk) {
        for (const f of fields) {
          const o = { apiVersion: 'v1', kind: d.kind, metadata: { name: 'x' }, [f]: v } as KubeObject;
          assert.equal(p.print(o, NOW).cells.length, p.columns.length, `${f}=${JSON.stringify(v)}`);
        }
        for (const [a, b] of nested) {
          const o = { apiVersion: 'v1', kind: d.kind, metadata: { name: 'x' }, [a]: { [b]: v } } as KubeObject;
          assert.equal(p.print(o, NOW).cells.length, p.columns.length, `${a}.${b}=${JSON.stringify(v)}`);
        }
      }
    });
  }
});
