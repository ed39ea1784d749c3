// Address plan: node-1 InternalIP 192.168.1.10, ExternalIP 203.0.113.10; node-2 192.168.1.11.
// Clock: NOW = 2024-06-01T12:00:00Z; nodes created 20d before.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { KubeObject } from '../meta.ts';
import { eventPrinter, nodePrinter, nodeRoles, nodeStatus, printEvent, printNode } from './core-nodes-events.ts';

const NOW = new Date('2024-06-01T12:00:00Z');
const ago = (s: number): string => new Date(NOW.getTime() - s * 1000).toISOString().replace('.000Z', 'Z');

function node(name: string, labels: any, spec: any, status: any): KubeObject {
  return { apiVersion: 'v1', kind: 'Node', metadata: { name, labels, creationTimestamp: ago(20 * 86400) }, spec, status };
}

describe('Node', () => {
  it('columns', () => {
    assert.deepEqual(
      nodePrinter.columns.map((c) => [c.name, c.priority]),
      [
        ['Name', 0],
        ['Status', 0],
        ['Roles', 0],
        ['Age', 0],
        ['Version', 0],
        ['Internal-IP', 1],
        ['External-IP', 1],
        ['OS-Image', 1],
        ['Kernel-Version', 1],
        ['Container-Runtime', 1],
      ],
    );
  });

  it('a ready control-plane node, all cells', () => {
    const n = node(
      'node-1',
      { 'kubernetes.io/hostname': 'node-1', 'node-role.kubernetes.io/control-plane': '' },
      {},
      {
        conditions: [{ type: 'MemoryPressure', status: 'False' }, { type: 'Ready', status: 'True' }],
        addresses: [{ type: 'Hostname', address: 'node-1' }, { type: 'InternalIP', address: '192.168.1.10' }, { type: 'ExternalIP', address: '203.0.113.10' }],
        nodeInfo: { kubeletVersion: 'v1.32.0', osImage: 'Debian GNU/Linux 12 (bookworm)', kernelVersion: '6.1.0-18-amd64', containerRuntimeVersion: 'nanokube://0.1.0' },
      },
    );
    assert.deepEqual(printNode(n, NOW).cells, [
      'node-1',
      'Ready',
      'control-plane',
      '20d',
      'v1.32.0',
      '192.168.1.10',
      '203.0.113.10',
      'Debian GNU/Linux 12 (bookworm)',
      '6.1.0-18-amd64',
      'nanokube://0.1.0',
    ]);
  });

  it('a bare node: Unknown, <none> roles and addresses, <unknown> node info', () => {
    assert.deepEqual(printNode(node('node-2', undefined, {}, {}), NOW).cells.slice(1), ['Unknown', '<none>', '20d', '', '<none>', '<none>', '<unknown>', '<unknown>', '<unknown>']);
  });

  it('status: NotReady, and SchedulingDisabled when cordoned', () => {
    const ready = { conditions: [{ type: 'Ready', status: 'True' }] };
    assert.equal(nodeStatus(node('n', {}, { unschedulable: true }, ready)), 'Ready,SchedulingDisabled');
    assert.equal(nodeStatus(node('n', {}, {}, { conditions: [{ type: 'Ready', status: 'Unknown' }] })), 'NotReady');
    assert.equal(nodeStatus(node('n', {}, { unschedulable: true }, {})), 'Unknown,SchedulingDisabled');
  });

  it('roles from both label styles, sorted and unique', () => {
    assert.deepEqual(
      nodeRoles({ 'node-role.kubernetes.io/worker': '', 'node-role.kubernetes.io/control-plane': '', 'kubernetes.io/role': 'worker', 'node-role.kubernetes.io/': '' }),
      ['control-plane', 'worker'],
    );
    assert.deepEqual(nodeRoles({ 'kubernetes.io/role': '' }), []);
  });
});

describe('Event', () => {
  it('columns: LAST SEEN TYPE REASON OBJECT MESSAGE | SUBOBJECT SOURCE FIRST SEEN COUNT NAME', () => {
    assert.deepEqual(
      eventPrinter.columns.map((c) => [c.name, c.format, c.priority]),
      [
        ['Last Seen', '', 0],
        ['Type', '', 0],
        ['Reason', '', 0],
        ['Object', '', 0],
        ['Subobject', '', 1],
        ['Source', '', 1],
        ['Message', '', 0],
        ['First Seen', '', 1],
        ['Count', '', 1],
        ['Name', 'name', 1],
      ],
    );
  });

  it('a core/v1 event with timestamps and a count (S8.3)', () => {
    const ev: KubeObject = {
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name: 'busybox-ns.17d8a', namespace: 'test' },
      involvedObject: { kind: 'ReplicationController', name: 'busybox-ns', namespace: 'test' },
      reason: 'FailedCreate',
      message: 'Error creating: pods "busybox-ns-x" is forbidden: exceeded quota: test-quotas\n',
      source: { component: 'replication-controller' },
      firstTimestamp: ago(600),
      lastTimestamp: ago(30),
      count: 7,
      type: 'Warning',
    };
    assert.deepEqual(printEvent(ev, NOW).cells, [
      '30s',
      'Warning',
      'FailedCreate',
      'replicationcontroller/busybox-ns',
      '',
      'replication-controller',
      'Error creating: pods "busybox-ns-x" is forbidden: exceeded quota: test-quotas',
      '10m',
      7,
      'busybox-ns.17d8a',
    ]);
  });

  it('source with host; subobject; no name on the object', () => {
    const ev: KubeObject = {
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name: 'e' },
      involvedObject: { kind: 'Node', fieldPath: 'spec.containers{nginx}' },
      source: { component: 'kubelet', host: 'node-1' },
      lastTimestamp: ago(5),
      firstTimestamp: ago(5),
      count: 1,
    };
    const cells = printEvent(ev, NOW).cells;
    assert.equal(cells[3], 'node');
    assert.equal(cells[4], 'spec.containers{nginx}');
    assert.equal(cells[5], 'kubelet, node-1');
  });

  it('an events.k8s.io-style event: eventTime, series, reporting controller, count 1', () => {
    const base: KubeObject = {
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name: 'e' },
      involvedObject: { kind: 'Pod', name: 'web-1' },
      eventTime: '2024-06-01T11:58:00.123456Z',
      reportingComponent: 'default-scheduler',
      reportingInstance: 'default-scheduler-node-1',
      reason: 'Scheduled',
      type: 'Normal',
    };
    const single = printEvent(base, NOW).cells;
    assert.deepEqual([single[0], single[5], single[7], single[8]], ['119s', 'default-scheduler, default-scheduler-node-1', '119s', 1]);
    const series = printEvent({ ...base, series: { count: 4, lastObservedTime: '2024-06-01T11:59:50.000000Z' } }, NOW).cells;
    assert.deepEqual([series[0], series[7], series[8]], ['10s', '119s', 4]);
  });

  it('no times at all reads <unknown>', () => {
    const ev: KubeObject = { apiVersion: 'v1', kind: 'Event', metadata: { name: 'e' }, involvedObject: { kind: 'Pod', name: 'p' } };
    const cells = printEvent(ev, NOW).cells;
    assert.deepEqual([cells[0], cells[7]], ['<unknown>', '<unknown>']);
  });
});
