import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../api/meta.ts';
import { Backoff, deletesBefore, isPodActive, isPodAvailable, isPodReady, namespaceTerminating, podsToDelete, slowStartBatch } from './workload-pods.ts';

const NOW = Date.parse('2025-01-01T12:00:00Z');
const ago = (s: number) => new Date(NOW - s * 1000).toISOString().replace(/\.\d+Z$/, 'Z');

function pod(name: string, o: { node?: string; phase?: string; ready?: number | false; created?: number; restarts?: number; cost?: string; uid?: string; deleting?: boolean } = {}): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      uid: o.uid ?? name,
      creationTimestamp: ago(o.created ?? 100),
      ...(o.cost !== undefined ? { annotations: { 'controller.kubernetes.io/pod-deletion-cost': o.cost } } : {}),
      ...(o.deleting ? { deletionTimestamp: ago(0) } : {}),
    },
    spec: { nodeName: o.node },
    status: {
      phase: o.phase ?? 'Running',
      conditions: o.ready === false || o.ready === undefined ? [{ type: 'Ready', status: 'False' }] : [{ type: 'Ready', status: 'True', lastTransitionTime: ago(o.ready) }],
      containerStatuses: [{ restartCount: o.restarts ?? 0 }],
    },
  };
}

const order = (pods: KubeObject[], related = pods) => podsToDelete(pods, related, pods.length - 1, NOW).map((p) => p.metadata.name);

describe('pod predicates', () => {
  it('ready means the Ready condition is True', () => {
    assert.equal(isPodReady(pod('a', { ready: 10 })), true);
    assert.equal(isPodReady(pod('a')), false);
    assert.equal(isPodReady({ apiVersion: 'v1', kind: 'Pod', metadata: {} }), false);
  });

  it('available needs minReadySeconds of readiness, strictly', () => {
    assert.equal(isPodAvailable(pod('a', { ready: 10 }), 0, new Date(NOW)), true);
    assert.equal(isPodAvailable(pod('a', { ready: 10 }), 9, new Date(NOW)), true);
    assert.equal(isPodAvailable(pod('a', { ready: 10 }), 10, new Date(NOW)), false);
    assert.equal(isPodAvailable(pod('a'), 0, new Date(NOW)), false);
  });

  it('active excludes terminal and terminating pods', () => {
    assert.equal(isPodActive(pod('a')), true);
    assert.equal(isPodActive(pod('a', { phase: 'Pending' })), true);
    assert.equal(isPodActive(pod('a', { phase: 'Succeeded' })), false);
    assert.equal(isPodActive(pod('a', { phase: 'Failed' })), false);
    assert.equal(isPodActive(pod('a', { deleting: true })), false);
  });
});

describe('deletion order (ActivePodsWithRanks)', () => {
  it('unassigned before assigned', () => {
    assert.deepEqual(order([pod('on', { node: 'n1', ready: 5 }), pod('off', { ready: 5 })]), ['off']);
  });

  it('Pending before Unknown before Running', () => {
    const pods = [pod('run', { node: 'n' }), pod('unk', { node: 'n', phase: 'Unknown' }), pod('pend', { node: 'n', phase: 'Pending' })];
    assert.deepEqual(podsToDelete(pods, pods, 2, NOW).map((p) => p.metadata.name), ['pend', 'unk']);
  });

  it('not ready before ready', () => {
    assert.deepEqual(order([pod('r', { node: 'n', ready: 5 }), pod('nr', { node: 'n' })]), ['nr']);
  });

  it('lower pod-deletion-cost first, an invalid cost counts as 0', () => {
    assert.deepEqual(order([pod('hi', { node: 'n', ready: 5, cost: '10' }), pod('lo', { node: 'n', ready: 5, cost: '-1' })]), ['lo']);
    assert.deepEqual(order([pod('bad', { node: 'n', ready: 5, cost: 'x' }), pod('one', { node: 'n', ready: 5, cost: '1' })]), ['bad']);
  });

  it('doubled-up pods first, counting active related pods per node', () => {
    const a = pod('a', { node: 'n1', ready: 5 });
    const b = pod('b', { node: 'n2', ready: 5 });
    const sibling = pod('sib', { node: 'n2', ready: 5 });
    assert.deepEqual(order([a, b], [a, b, sibling]), ['b']);
    const gone = pod('gone', { node: 'n2', ready: 5, deleting: true });
    // A terminating sibling does not count: equal ranks, nothing else differs, input order stays.
    assert.deepEqual(order([a, b], [a, b, gone]), ['a']);
    assert.deepEqual(order([b, a], [a, b, gone]), ['b']);
  });

  it('ready for less time first, on a log scale with the UID breaking ties', () => {
    assert.deepEqual(order([pod('old', { node: 'n', ready: 1000 }), pod('new', { node: 'n', ready: 10 })]), ['new']);
    // 100 s and 120 s ago share a log2 bucket: the smaller UID goes first.
    assert.deepEqual(order([pod('p2', { node: 'n', ready: 100, uid: 'b' }), pod('p1', { node: 'n', ready: 120, uid: 'a' })]), ['p1']);
  });

  it('more restarts first, then newer first', () => {
    assert.deepEqual(order([pod('calm', { node: 'n', ready: 5 }), pod('crashy', { node: 'n', ready: 5, restarts: 3 })]), ['crashy']);
    assert.deepEqual(order([pod('old', { node: 'n', created: 10_000 }), pod('young', { node: 'n', created: 10 })]), ['young']);
  });

  it('deletesBefore is a strict order', () => {
    const a = { pod: pod('a', { node: 'n', ready: 5 }), rank: 0 };
    assert.equal(deletesBefore(a, a, NOW), false);
  });

  it('returns everything when asked for at least as many as there are', () => {
    const pods = [pod('a'), pod('b')];
    assert.deepEqual(podsToDelete(pods, pods, 5, NOW), pods);
  });
});

describe('slowStartBatch', () => {
  it('runs batches of 1, 2, 4, ... up to the count', async () => {
    const sizes: number[] = [];
    let inFlight = 0;
    const r = await slowStartBatch(10, 1, async () => {
      inFlight++;
      await Promise.resolve();
      sizes.push(inFlight);
      inFlight--;
    });
    assert.equal(r.successes, 10);
    assert.equal(r.error, undefined);
    assert.deepEqual([...new Set(sizes)], [1, 2, 4, 3]);
  });

  it('stops after the first batch with a failure', async () => {
    let calls = 0;
    const r = await slowStartBatch(10, 1, async () => {
      if (++calls > 3) throw new Error('exceeded quota');
    });
    assert.equal(calls, 7, 'batches 1, 2 and 4 ran, then it stopped');
    assert.equal(r.successes, 3);
    assert.equal((r.error as Error).message, 'exceeded quota');
  });
});

describe('Backoff', () => {
  it('doubles from 5 ms per key up to 1000 s and forgets on success', () => {
    const b = new Backoff();
    assert.deepEqual([b.next('k'), b.next('k'), b.next('k'), b.next('other')], [5, 10, 20, 5]);
    for (let i = 0; i < 40; i++) b.next('k');
    assert.equal(b.next('k'), 1_000_000);
    b.forget('k');
    assert.equal(b.next('k'), 5);
  });
});

describe('namespaceTerminating', () => {
  it('reads the NamespaceTerminating cause of a Status', () => {
    const status = (reason: string) => ({ status: { details: { causes: [{ reason, message: 'namespace test is being terminated' }] } } });
    assert.equal(namespaceTerminating(status('NamespaceTerminating')), true);
    assert.equal(namespaceTerminating(status('FieldValueInvalid')), false);
    assert.equal(namespaceTerminating(new Error('x')), false);
  });
});
