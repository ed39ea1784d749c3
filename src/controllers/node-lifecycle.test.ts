/**
 * Unit tests of the node lifecycle rules.
 *
 * Plan: node "n1" created at T0 = 2024-01-01T00:00:00Z, Ready=True with
 * lastHeartbeatTime T0; its Lease renewTime is R1 = T0 + 10 s, then
 * R2 = T0 + 20 s. The controller's clock reads 1000 (ms) and up.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../api/meta.ts';
import { desiredTaints, markUnknown, NOT_READY, observeHealth, tolerationMs, UNREACHABLE } from './node-lifecycle.ts';

const T0 = '2024-01-01T00:00:00Z';
const R1 = '2024-01-01T00:00:10.000000Z';
const R2 = '2024-01-01T00:00:20.000000Z';
const NOW = '2024-01-01T00:01:00Z';

function node(conditions: any[] | undefined, spec: any = {}): KubeObject {
  return { apiVersion: 'v1', kind: 'Node', metadata: { name: 'n1', creationTimestamp: T0 }, spec, status: conditions ? { conditions } : {} };
}
const ready = (status: string, hb = T0) => ({ type: 'Ready', status, lastHeartbeatTime: hb, lastTransitionTime: T0, reason: 'KubeletReady', message: 'kubelet is posting ready status' });

describe('observeHealth (tryUpdateNodeHealth bookkeeping)', () => {
  it('a first sight, a new heartbeat and a renewed lease move the probe time; nothing else does', () => {
    let h = observeHealth(undefined, node([ready('True')]), R1, 1000);
    assert.deepEqual(h, { probe: 1000, heartbeat: T0, renew: R1 });
    h = observeHealth(h, node([ready('True')]), R1, 5000);
    assert.equal(h.probe, 1000, 'same heartbeat, same lease: the node is silent');
    h = observeHealth(h, node([ready('True')]), R2, 6000);
    assert.equal(h.probe, 6000, 'lease renewed');
    h = observeHealth(h, node([ready('True', '2024-01-01T00:00:30Z')]), R2, 7000);
    assert.equal(h.probe, 7000, 'status heartbeat');
    h = observeHealth(h, node([ready('True', '2024-01-01T00:00:30Z')]), R1, 9000);
    assert.equal(h.probe, 7000, 'an older renewTime is not a renewal');
  });

  it('a node that never posted Ready counts from its creation', () => {
    assert.equal(observeHealth(undefined, node(undefined), undefined, 99_999_999_999_999).probe, Date.parse(T0));
  });
});

describe('markUnknown', () => {
  it('sets Ready and the pressure conditions to Unknown, keeping the last heartbeat', () => {
    const n = node([ready('True'), { type: 'MemoryPressure', status: 'False', lastHeartbeatTime: T0 }, { type: 'NetworkUnavailable', status: 'False' }]);
    const next = markUnknown(n, NOW)!;
    const byType = Object.fromEntries(next.status.conditions.map((c: any) => [c.type, c]));
    assert.deepEqual(byType.Ready, { type: 'Ready', status: 'Unknown', lastHeartbeatTime: T0, lastTransitionTime: NOW, reason: 'NodeStatusUnknown', message: 'Kubelet stopped posting node status.' });
    assert.equal(byType.MemoryPressure.status, 'Unknown');
    assert.equal(byType.NetworkUnavailable.status, 'False', 'NetworkUnavailable is not the kubelet’s');
    assert.deepEqual(byType.PIDPressure, { type: 'PIDPressure', status: 'Unknown', lastHeartbeatTime: T0, lastTransitionTime: NOW, reason: 'NodeStatusNeverUpdated', message: 'Kubelet never posted node status.' });
    assert.equal(n.status.conditions[0].status, 'True', 'the input is not modified');
  });

  it('writes nothing when Ready is already Unknown', () => {
    assert.equal(markUnknown(node([{ ...ready('Unknown') }]), NOW), null);
  });
});

describe('desiredTaints', () => {
  it('Ready=Unknown: unreachable NoSchedule and NoExecute with timeAdded; foreign taints kept', () => {
    const n = node([ready('Unknown')], { taints: [{ key: 'mine', value: 'x', effect: 'NoSchedule' }] });
    assert.deepEqual(desiredTaints(n, NOW), [
      { key: 'mine', value: 'x', effect: 'NoSchedule' },
      { key: UNREACHABLE, effect: 'NoSchedule', timeAdded: NOW },
      { key: UNREACHABLE, effect: 'NoExecute', timeAdded: NOW },
    ]);
  });

  it('Ready=False swaps to not-ready; pressure conditions and cordoning add theirs', () => {
    const n = node([ready('False'), { type: 'DiskPressure', status: 'True' }], {
      unschedulable: true,
      taints: [
        { key: UNREACHABLE, effect: 'NoSchedule', timeAdded: T0 },
        { key: UNREACHABLE, effect: 'NoExecute', timeAdded: T0 },
      ],
    });
    assert.deepEqual(desiredTaints(n, NOW)?.map((t) => `${t.key}:${t.effect}`), [
      `${NOT_READY}:NoSchedule`,
      'node.kubernetes.io/disk-pressure:NoSchedule',
      'node.kubernetes.io/unschedulable:NoSchedule',
      `${NOT_READY}:NoExecute`,
    ]);
  });

  it('Ready=True removes them, and an up-to-date node needs no write', () => {
    const tainted = node([ready('True')], { taints: [{ key: UNREACHABLE, effect: 'NoExecute', timeAdded: T0 }, { key: 'user', effect: 'NoExecute' }] });
    assert.deepEqual(desiredTaints(tainted, NOW), [{ key: 'user', effect: 'NoExecute' }]);
    assert.equal(desiredTaints(node([ready('True')]), NOW), null);
    const done = node([ready('Unknown')], { taints: [{ key: UNREACHABLE, effect: 'NoSchedule', timeAdded: T0 }, { key: UNREACHABLE, effect: 'NoExecute', timeAdded: T0 }] });
    assert.equal(desiredTaints(done, NOW), null, 'timeAdded is kept, not refreshed');
  });
});

describe('tolerationMs (getMinTolerationTime)', () => {
  const taint = { key: UNREACHABLE, effect: 'NoExecute' };
  const pod = (tolerations: any[]): KubeObject => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: { tolerations } });

  it('untolerated: at once; tolerated for N seconds: N s; tolerated without seconds: never', () => {
    assert.equal(tolerationMs(pod([]), [taint]), 0);
    assert.equal(tolerationMs(pod([{ key: UNREACHABLE, operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 }]), [taint]), 300_000);
    assert.equal(tolerationMs(pod([{ key: UNREACHABLE, operator: 'Exists' }]), [taint]), undefined);
    assert.equal(tolerationMs(pod([{ operator: 'Exists', tolerationSeconds: 0 }]), [taint]), 0);
    assert.equal(tolerationMs(pod([]), []), undefined);
  });

  it('the smallest tolerationSeconds over all taints wins; one untolerated taint evicts at once', () => {
    const other = { key: 'other', effect: 'NoExecute' };
    const both = [
      { key: UNREACHABLE, operator: 'Exists', tolerationSeconds: 300 },
      { key: 'other', operator: 'Exists', tolerationSeconds: 30 },
    ];
    assert.equal(tolerationMs(pod(both), [taint, other]), 30_000);
    assert.equal(tolerationMs(pod(both.slice(0, 1)), [taint, other]), 0);
  });
});
