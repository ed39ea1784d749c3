// Address plan: pods 10.244.0.0/16 (10.244.1.5, 10.244.2.7), node node-1.
// Clock: NOW = 2024-06-01T12:00:00Z; pods created 10m before.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { KubeObject } from '../meta.ts';
import { podPrinter, printPod } from './core-pods.ts';

const NOW = new Date('2024-06-01T12:00:00Z');
const ago = (s: number): string => new Date(NOW.getTime() - s * 1000).toISOString().replace('.000Z', 'Z');

const running = { running: { startedAt: ago(500) } };

function pod(spec: any, status: any, meta: any = {}): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'my-nginx-7d8f', namespace: 'default', creationTimestamp: ago(600), ...meta },
    spec: { containers: [{ name: 'nginx', image: 'nginx' }], ...spec },
    status,
  };
}

/** READY, STATUS, RESTARTS. */
const summary = (p: KubeObject): unknown[] => printPod(p, NOW).cells.slice(1, 4);

describe('Pod columns', () => {
  it('are upstream v1.32 columns with wide ones at priority 1', () => {
    assert.deepEqual(
      podPrinter.columns.map((c) => [c.name, c.type, c.format, c.priority]),
      [
        ['Name', 'string', 'name', 0],
        ['Ready', 'string', '', 0],
        ['Status', 'string', '', 0],
        ['Restarts', 'string', '', 0],
        ['Age', 'string', '', 0],
        ['IP', 'string', '', 1],
        ['Node', 'string', '', 1],
        ['Nominated Node', 'string', '', 1],
        ['Readiness Gates', 'string', '', 1],
      ],
    );
  });
});

describe('printPod', () => {
  it('a running pod, all cells (S1: kubectl get pods -o wide)', () => {
    const p = pod(
      { nodeName: 'node-1' },
      {
        phase: 'Running',
        podIP: '10.244.1.5',
        podIPs: [{ ip: '10.244.1.5' }],
        conditions: [{ type: 'Ready', status: 'True' }],
        containerStatuses: [{ name: 'nginx', ready: true, restartCount: 0, state: running }],
      },
    );
    const row = printPod(p, NOW);
    assert.deepEqual(row.cells, ['my-nginx-7d8f', '1/1', 'Running', '0', '10m', '10.244.1.5', 'node-1', '<none>', '<none>']);
    assert.equal(row.conditions, undefined);
  });

  it('a pending, unscheduled pod', () => {
    assert.deepEqual(printPod(pod({}, { phase: 'Pending' }), NOW).cells, ['my-nginx-7d8f', '0/1', 'Pending', '0', '10m', '<none>', '<none>', '<none>', '<none>']);
  });

  it('ContainerCreating from the waiting reason', () => {
    const p = pod({}, { phase: 'Pending', containerStatuses: [{ name: 'nginx', ready: false, restartCount: 0, state: { waiting: { reason: 'ContainerCreating' } } }] });
    assert.deepEqual(summary(p), ['0/1', 'ContainerCreating', '0']);
  });

  it('CrashLoopBackOff with restarts and when the last one ended', () => {
    const p = pod({}, {
      phase: 'Running',
      containerStatuses: [
        {
          name: 'nginx',
          ready: false,
          restartCount: 5,
          state: { waiting: { reason: 'CrashLoopBackOff' } },
          lastState: { terminated: { exitCode: 1, reason: 'Error', finishedAt: ago(300) } },
        },
      ],
    });
    assert.deepEqual(summary(p), ['0/1', 'CrashLoopBackOff', '5 (5m ago)']);
  });

  it('restarts without a finish time print the bare count', () => {
    const p = pod({}, { phase: 'Running', containerStatuses: [{ name: 'nginx', ready: true, restartCount: 2, state: running }] });
    assert.deepEqual(summary(p), ['1/1', 'Running', '2']);
  });

  it('the most recent finishedAt across containers wins', () => {
    const p = pod({ containers: [{ name: 'a' }, { name: 'b' }] }, {
      phase: 'Running',
      containerStatuses: [
        { name: 'a', ready: true, restartCount: 1, state: running, lastState: { terminated: { exitCode: 1, finishedAt: ago(3600) } } },
        { name: 'b', ready: true, restartCount: 2, state: running, lastState: { terminated: { exitCode: 1, finishedAt: ago(90) } } },
      ],
    });
    assert.deepEqual(summary(p), ['2/2', 'Running', '3 (90s ago)']);
  });

  it('Completed, with a Completed row condition', () => {
    const p = pod({}, {
      phase: 'Succeeded',
      containerStatuses: [{ name: 'nginx', ready: false, restartCount: 0, state: { terminated: { exitCode: 0, reason: 'Completed' } } }],
    });
    const row = printPod(p, NOW);
    assert.deepEqual(row.cells.slice(1, 4), ['0/1', 'Completed', '0']);
    assert.deepEqual(row.conditions, [{ type: 'Completed', status: 'True', reason: 'Succeeded', message: 'The pod has completed successfully.' }]);
  });

  it('a failed pod: Error, and the failed row condition', () => {
    const p = pod({}, {
      phase: 'Failed',
      containerStatuses: [{ name: 'nginx', ready: false, restartCount: 0, state: { terminated: { exitCode: 2, reason: 'Error' } } }],
    });
    const row = printPod(p, NOW);
    assert.equal(row.cells[2], 'Error');
    assert.deepEqual(row.conditions, [{ type: 'Completed', status: 'True', reason: 'Failed', message: 'The pod failed.' }]);
  });

  it('terminated without a reason: ExitCode:N, or Signal:N', () => {
    const exit = pod({}, { phase: 'Running', containerStatuses: [{ name: 'nginx', state: { terminated: { exitCode: 137 } } }] });
    const signal = pod({}, { phase: 'Running', containerStatuses: [{ name: 'nginx', state: { terminated: { exitCode: 0, signal: 9 } } }] });
    assert.equal(summary(exit)[1], 'ExitCode:137');
    assert.equal(summary(signal)[1], 'Signal:9');
  });

  it('Completed turns back to Running (or NotReady) while a container still runs', () => {
    const statuses = [
      { name: 'a', ready: true, state: running },
      { name: 'b', ready: false, state: { terminated: { exitCode: 0, reason: 'Completed' } } },
    ];
    const spec = { containers: [{ name: 'a' }, { name: 'b' }] };
    const ready = pod(spec, { phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }], containerStatuses: statuses });
    const notReady = pod(spec, { phase: 'Running', conditions: [{ type: 'Ready', status: 'False' }], containerStatuses: statuses });
    assert.deepEqual(summary(ready), ['1/2', 'Running', '0']);
    assert.deepEqual(summary(notReady), ['1/2', 'NotReady', '0']);
  });

  it('Terminating once deletionTimestamp is set, unless the phase is terminal', () => {
    const status = { phase: 'Running', containerStatuses: [{ name: 'nginx', ready: true, state: running }] };
    assert.equal(summary(pod({}, status, { deletionTimestamp: ago(5) }))[1], 'Terminating');
    const done = { phase: 'Succeeded', containerStatuses: [{ name: 'nginx', state: { terminated: { exitCode: 0, reason: 'Completed' } } }] };
    assert.equal(summary(pod({}, done, { deletionTimestamp: ago(5) }))[1], 'Completed');
  });

  it('Unknown for a deleted pod on a lost node', () => {
    const p = pod({}, { phase: 'Running', reason: 'NodeLost', containerStatuses: [{ name: 'nginx', ready: true, state: running }] }, { deletionTimestamp: ago(5) });
    assert.equal(summary(p)[1], 'Unknown');
  });

  it('status.reason overrides the phase (Evicted)', () => {
    assert.equal(summary(pod({}, { phase: 'Failed', reason: 'Evicted' }))[1], 'Evicted');
  });

  it('SchedulingGated from the PodScheduled condition', () => {
    const p = pod({}, { phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'False', reason: 'SchedulingGated' }] });
    assert.equal(summary(p)[1], 'SchedulingGated');
  });
});

describe('printPod init containers', () => {
  const spec = { initContainers: [{ name: 'init-db', image: 'busybox' }] };

  it('Init:0/1 while the first init container runs', () => {
    const p = pod(spec, {
      phase: 'Pending',
      initContainerStatuses: [{ name: 'init-db', ready: false, restartCount: 0, state: running }],
      containerStatuses: [{ name: 'nginx', ready: false, state: { waiting: { reason: 'PodInitializing' } } }],
    });
    assert.deepEqual(summary(p), ['0/1', 'Init:0/1', '0']);
  });

  it('Init:1/2 once the first of two has succeeded', () => {
    const two = { initContainers: [{ name: 'a' }, { name: 'b' }] };
    const p = pod(two, {
      phase: 'Pending',
      initContainerStatuses: [
        { name: 'a', state: { terminated: { exitCode: 0, reason: 'Completed' } } },
        { name: 'b', state: running },
      ],
    });
    assert.equal(summary(p)[1], 'Init:1/2');
  });

  it('Init:CrashLoopBackOff counts init restarts', () => {
    const p = pod(spec, {
      phase: 'Pending',
      initContainerStatuses: [
        { name: 'init-db', restartCount: 3, state: { waiting: { reason: 'CrashLoopBackOff' } }, lastState: { terminated: { exitCode: 1, finishedAt: ago(20) } } },
      ],
    });
    assert.deepEqual(summary(p), ['0/1', 'Init:CrashLoopBackOff', '3 (20s ago)']);
  });

  it('Init:Error, Init:ExitCode:N and Init:Signal:N for a failed init container', () => {
    const failed = (term: any): unknown => summary(pod(spec, { phase: 'Pending', initContainerStatuses: [{ name: 'init-db', state: { terminated: term } }] }))[1];
    assert.equal(failed({ exitCode: 1, reason: 'Error' }), 'Init:Error');
    assert.equal(failed({ exitCode: 3 }), 'Init:ExitCode:3');
    assert.equal(failed({ exitCode: 3, signal: 15 }), 'Init:Signal:15');
  });

  it('a running sidecar (restartPolicy Always) counts towards READY and the total', () => {
    const sidecar = { initContainers: [{ name: 'proxy', restartPolicy: 'Always' }] };
    const p = pod(sidecar, {
      phase: 'Running',
      conditions: [{ type: 'Initialized', status: 'True' }, { type: 'Ready', status: 'True' }],
      initContainerStatuses: [{ name: 'proxy', ready: true, started: true, restartCount: 1, state: running, lastState: { terminated: { exitCode: 1, finishedAt: ago(120) } } }],
      containerStatuses: [{ name: 'nginx', ready: true, restartCount: 0, state: running }],
    });
    assert.deepEqual(summary(p), ['2/2', 'Running', '1 (2m ago)']);
  });
});

describe('printPod wide cells', () => {
  it('podIP wins over podIPs, as the v1 conversion makes it', () => {
    const p = pod({ nodeName: 'node-1' }, { phase: 'Running', podIP: '10.244.2.7', podIPs: [{ ip: '10.244.1.5' }] });
    assert.equal(printPod(p, NOW).cells[5], '10.244.2.7');
    const onlyList = pod({}, { phase: 'Running', podIPs: [{ ip: '10.244.1.5' }, { ip: 'fd00::5' }] });
    assert.equal(printPod(onlyList, NOW).cells[5], '10.244.1.5');
  });

  it('nominated node and readiness gates', () => {
    const p = pod(
      { readinessGates: [{ conditionType: 'example.com/lb' }, { conditionType: 'example.com/dns' }] },
      {
        phase: 'Pending',
        nominatedNodeName: 'node-1',
        conditions: [{ type: 'example.com/lb', status: 'True' }, { type: 'example.com/dns', status: 'False' }],
      },
    );
    assert.deepEqual(printPod(p, NOW).cells.slice(7), ['node-1', '1/2']);
  });

  it('every row has one cell per column', () => {
    assert.equal(printPod(pod({}, {}), NOW).cells.length, podPrinter.columns.length);
  });
});
