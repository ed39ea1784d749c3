/**
 * Unit tests of the scheduler's rules against one fixed plan.
 *
 * Node plan (allocatable; every node Ready unless a test says otherwise):
 *   n1  cpu 2    memory 4Gi   pods 3    labels zone=a disk=ssd  rank=5
 *   n2  cpu 4    memory 8Gi   pods 110  labels zone=b           rank=10
 *   n3  cpu 1    memory 1Gi   pods 110  labels zone=b           taint dedicated=gpu:NoSchedule
 * Every node also carries kubernetes.io/hostname=<name>.
 * Pods are built by pod(name, spec) in namespace "default".
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../api/meta.ts';
import {
  affinityNodeNames,
  balancedAllocation,
  filterNode,
  fitErrorMessage,
  leastAllocated,
  nodeInfo,
  normalize,
  podInfo,
  podRequests,
  preemptionMessage,
  schedulePod,
  selectHost,
  type NodeInfo,
  type Status,
} from './scheduler-rules.ts';

const Gi = 1024 ** 3;
const Mi = 1024 ** 2;

function node(name: string, cpu: string, memory: string, pods: string, labels: Record<string, string>, spec: any = {}, ready = 'True'): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name, labels: { 'kubernetes.io/hostname': name, ...labels } },
    spec,
    status: { allocatable: { cpu, memory, pods }, conditions: [{ type: 'Ready', status: ready }] },
  };
}

const plan = {
  n1: node('n1', '2', '4Gi', '3', { zone: 'a', disk: 'ssd', rank: '5' }),
  n2: node('n2', '4', '8Gi', '110', { zone: 'b', rank: '10' }),
  n3: node('n3', '1', '1Gi', '110', { zone: 'b' }, { taints: [{ key: 'dedicated', value: 'gpu', effect: 'NoSchedule' }] }),
};

function pod(name: string, spec: any = {}, meta: any = {}): KubeObject {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'default', ...meta }, spec: { containers: [{ name: 'c' }], ...spec } };
}
const withRequests = (cpu?: string, memory?: string): any => ({ containers: [{ name: 'c', resources: { requests: { ...(cpu ? { cpu } : {}), ...(memory ? { memory } : {}) } } }] });
const info = (n: KubeObject, pods: KubeObject[] = []): NodeInfo => nodeInfo(n, pods.map(podInfo));
const all = (extra: Partial<Record<'n1' | 'n2' | 'n3', KubeObject[]>> = {}): NodeInfo[] => (['n1', 'n2', 'n3'] as const).map((k) => info(plan[k], extra[k] ?? []));
const noSpread = { constraints: [], systemDefaulted: true };

describe('podRequests (resourcehelper.PodRequests)', () => {
  it('sums containers, takes the largest init step, keeps sidecars, adds overhead', () => {
    const p = pod('p', {
      containers: [
        { name: 'a', resources: { requests: { cpu: '500m', memory: '1Gi' } } },
        { name: 'b', resources: { requests: { cpu: '250m', 'example.com/gpu': '1' } } },
      ],
      initContainers: [
        { name: 'side', restartPolicy: 'Always', resources: { requests: { cpu: '100m', memory: '100Mi' } } },
        { name: 'big', resources: { requests: { cpu: '2', memory: '10Mi' } } },
      ],
      overhead: { cpu: '10m' },
    });
    const r = podRequests(p);
    // cpu: max(750 + 100 sidecar, 2000 + 100 sidecar) + 10 overhead
    assert.equal(r.milliCPU, 2110);
    assert.equal(r.memory, Gi + 100 * Mi);
    assert.deepEqual(r.scalar, { 'example.com/gpu': 1 });
  });

  it('fills 100m/200Mi only for containers that name no request, for scoring', () => {
    const p = pod('p', { containers: [{ name: 'a' }, { name: 'b', resources: { requests: { cpu: '0', memory: '1Mi' } } }] });
    assert.deepEqual(podRequests(p, true), { milliCPU: 100, memory: 200 * Mi + Mi, ephemeralStorage: 0, scalar: {} });
    assert.deepEqual(podRequests(p), { milliCPU: 0, memory: Mi, ephemeralStorage: 0, scalar: {} });
  });

  it('ignores a malformed quantity instead of failing the pod', () => {
    assert.equal(podRequests(pod('p', withRequests('lots'))).milliCPU, 0);
  });
});

describe('filterNode', () => {
  it('passes a plain pod on a Ready untainted node', () => {
    assert.equal(filterNode(podInfo(pod('p')), info(plan.n2)), null);
  });

  it('NodeUnschedulable comes first and is unresolvable; the unschedulable toleration lifts it', () => {
    const cordoned = info(node('c', '1', '1Gi', '10', {}, { unschedulable: true, taints: [{ key: 'x', effect: 'NoSchedule' }] }));
    assert.deepEqual(filterNode(podInfo(pod('p')), cordoned), { code: 'UnschedulableAndUnresolvable', reasons: ['node(s) were unschedulable'] });
    const tol = pod('p', { tolerations: [{ key: 'node.kubernetes.io/unschedulable', operator: 'Exists', effect: 'NoSchedule' }] });
    assert.deepEqual(filterNode(podInfo(tol), cordoned)?.reasons, ['node(s) had untolerated taint {x: }']);
  });

  it('NodeName', () => {
    assert.deepEqual(filterNode(podInfo(pod('p', { nodeName: 'n1' })), info(plan.n2))?.reasons, ["node(s) didn't match the requested node name"]);
  });

  it('TaintToleration: the first untolerated NoSchedule/NoExecute taint is named', () => {
    assert.deepEqual(filterNode(podInfo(pod('p')), info(plan.n3)), { code: 'UnschedulableAndUnresolvable', reasons: ['node(s) had untolerated taint {dedicated: gpu}'] });
    const eq = pod('p', { tolerations: [{ key: 'dedicated', operator: 'Equal', value: 'gpu', effect: 'NoSchedule' }] });
    assert.equal(filterNode(podInfo(eq), info(plan.n3)), null);
    const wrongValue = pod('p', { tolerations: [{ key: 'dedicated', value: 'cpu' }] });
    assert.notEqual(filterNode(podInfo(wrongValue), info(plan.n3)), null);
    const wrongEffect = pod('p', { tolerations: [{ key: 'dedicated', operator: 'Exists', effect: 'NoExecute' }] });
    assert.notEqual(filterNode(podInfo(wrongEffect), info(plan.n3)), null);
    const everything = pod('p', { tolerations: [{ operator: 'Exists' }] });
    assert.equal(filterNode(podInfo(everything), info(plan.n3)), null);
    const prefer = info(node('p', '1', '1Gi', '10', {}, { taints: [{ key: 'soft', effect: 'PreferNoSchedule' }] }));
    assert.equal(filterNode(podInfo(pod('p')), prefer), null);
  });

  it('a node whose Ready condition is not True counts as tainted not-ready/unreachable', () => {
    const notReady = info(node('x', '1', '1Gi', '10', {}, {}, 'False'));
    const unknown = info(node('y', '1', '1Gi', '10', {}, {}, 'Unknown'));
    assert.deepEqual(filterNode(podInfo(pod('p')), notReady)?.reasons, ['node(s) had untolerated taint {node.kubernetes.io/not-ready: }']);
    assert.deepEqual(filterNode(podInfo(pod('p')), unknown)?.reasons, ['node(s) had untolerated taint {node.kubernetes.io/unreachable: }']);
    const daemon = pod('p', { tolerations: [{ key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoSchedule' }] });
    assert.equal(filterNode(podInfo(daemon), unknown), null);
  });

  it('NodeAffinity: nodeSelector and every operator of required terms', () => {
    const reason = ["node(s) didn't match Pod's node affinity/selector"];
    assert.equal(filterNode(podInfo(pod('p', { nodeSelector: { disk: 'ssd' } })), info(plan.n1)), null);
    assert.deepEqual(filterNode(podInfo(pod('p', { nodeSelector: { disk: 'ssd' } })), info(plan.n2))?.reasons, reason);
    const req = (...exprs: any[]) => pod('p', { affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: exprs }] } } } });
    const fits = (p: KubeObject, n: KubeObject) => filterNode(podInfo(p), info(n)) === null;
    assert.equal(fits(req({ key: 'zone', operator: 'In', values: ['b', 'c'] }), plan.n2), true);
    assert.equal(fits(req({ key: 'zone', operator: 'In', values: ['b'] }), plan.n1), false);
    assert.equal(fits(req({ key: 'zone', operator: 'NotIn', values: ['a'] }), plan.n1), false);
    assert.equal(fits(req({ key: 'missing', operator: 'NotIn', values: ['a'] }), plan.n1), true);
    assert.equal(fits(req({ key: 'disk', operator: 'Exists' }), plan.n1), true);
    assert.equal(fits(req({ key: 'disk', operator: 'DoesNotExist' }), plan.n1), false);
    assert.equal(fits(req({ key: 'rank', operator: 'Gt', values: ['7'] }), plan.n2), true);
    assert.equal(fits(req({ key: 'rank', operator: 'Gt', values: ['7'] }), plan.n1), false);
    assert.equal(fits(req({ key: 'rank', operator: 'Lt', values: ['7'] }), plan.n1), true);
    assert.equal(fits(req({ key: 'zone', operator: 'Lt', values: ['7'] }), plan.n1), false, 'a non-integer label never matches Gt/Lt');
    const fields = pod('p', { affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchFields: [{ key: 'metadata.name', operator: 'NotIn', values: ['n1'] }] }] } } } });
    assert.equal(fits(fields, plan.n1), false);
    assert.equal(fits(fields, plan.n2), true);
    const empty = pod('p', { affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{}] } } } });
    assert.equal(fits(empty, plan.n2), false, 'an empty term matches nothing');
    const ored = pod('p', { affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'zone', operator: 'In', values: ['x'] }] }, { matchExpressions: [{ key: 'zone', operator: 'In', values: ['a'] }] }] } } } });
    assert.equal(fits(ored, plan.n1), true);
  });

  it('NodePorts: same port and protocol conflict on any address when one side binds 0.0.0.0', () => {
    const hp = (port: number, protocol?: string, hostIP?: string) => pod(`hp${port}`, { containers: [{ name: 'c', ports: [{ containerPort: 80, hostPort: port, protocol, hostIP }] }] });
    const n = info(plan.n2, [hp(8080)]);
    assert.deepEqual(filterNode(podInfo(hp(8080)), n), { code: 'Unschedulable', reasons: ["node(s) didn't have free ports for the requested pod ports"] });
    assert.equal(filterNode(podInfo(hp(8080, 'UDP')), n), null);
    assert.equal(filterNode(podInfo(hp(8081)), n), null);
    assert.notEqual(filterNode(podInfo(hp(8080, 'TCP', '10.0.0.1')), n), null);
    const bound = info(plan.n2, [hp(9000, 'TCP', '10.0.0.1')]);
    assert.equal(filterNode(podInfo(hp(9000, 'TCP', '10.0.0.2')), bound), null);
    assert.notEqual(filterNode(podInfo(hp(9000)), bound), null);
  });

  it('NodeResourcesFit: pods, cpu, memory, ephemeral-storage and extended resources, all reasons kept', () => {
    const big = pod('big', { containers: [{ name: 'c', resources: { requests: { cpu: '3', memory: '5Gi', 'ephemeral-storage': '1', 'example.com/gpu': '1' } } }] });
    assert.deepEqual(filterNode(podInfo(big), info(plan.n1)), {
      code: 'Unschedulable',
      reasons: ['Insufficient cpu', 'Insufficient memory', 'Insufficient ephemeral-storage', 'Insufficient example.com/gpu'],
    });
    const used = info(plan.n1, [pod('a', withRequests('1500m')), pod('b'), pod('c')]);
    assert.deepEqual(filterNode(podInfo(pod('d', withRequests('600m'))), used)?.reasons, ['Too many pods', 'Insufficient cpu']);
    assert.deepEqual(filterNode(podInfo(pod('d')), used)?.reasons, ['Too many pods'], 'a pod without requests is only counted');
    assert.equal(filterNode(podInfo(pod('e', withRequests('500m'))), info(plan.n1, [pod('a', withRequests('1500m'))])), null);
  });
});

describe('FailedScheduling text', () => {
  it('counts each reason once per node and sorts the histogram as strings', () => {
    const s = (...reasons: string[]): Status => ({ code: 'Unschedulable', reasons });
    const many = [...Array(10)].map(() => s('b'));
    assert.equal(fitErrorMessage(12, [...many, s('a'), s('a')]), '0/12 nodes are available: 10 b, 2 a.');
    assert.equal(fitErrorMessage(3, [], { preFilterMsg: 'pod affinity terms conflict' }), '0/3 nodes are available: pod affinity terms conflict.');
  });

  it('node affinity on one node and cpu on two: the v1.32 text with the preemption part', () => {
    const p = pod('p', { ...withRequests('3'), affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'zone', operator: 'In', values: ['a', 'b'] }] }] } } }, tolerations: [{ key: 'dedicated', operator: 'Exists' }] });
    const nodes = [info(plan.n1), info(plan.n2, [pod('x', withRequests('2'))]), info(node('n4', '8', '8Gi', '10', { zone: 'c' }))];
    assert.equal(
      schedulePod(podInfo(p), nodes, noSpread).message,
      "0/3 nodes are available: 1 node(s) didn't match Pod's node affinity/selector, 2 Insufficient cpu. preemption: 0/3 nodes are available: 1 Preemption is not helpful for scheduling, 2 No preemption victims found for incoming pod.",
    );
  });

  it('only unresolvable reasons: preemption is not helpful anywhere; TaintToleration runs before NodeAffinity', () => {
    assert.equal(
      schedulePod(podInfo(pod('p', { nodeSelector: { disk: 'nvme' } })), all(), noSpread).message,
      "0/3 nodes are available: 1 node(s) had untolerated taint {dedicated: gpu}, 2 node(s) didn't match Pod's node affinity/selector. preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling.",
    );
  });

  it('preemptionPolicy Never, no nodes, and a conflict in the matchFields terms', () => {
    const never = pod('p', { ...withRequests('64'), preemptionPolicy: 'Never', tolerations: [{ operator: 'Exists' }] });
    assert.equal(schedulePod(podInfo(never), all(), noSpread).message, '0/3 nodes are available: 3 Insufficient cpu. preemption: not eligible due to preemptionPolicy=Never.');
    assert.equal(schedulePod(podInfo(pod('p')), [], noSpread).message, 'no nodes available to schedule pods');
    const term = (vals: string[][]) => ({ matchFields: vals.map((v) => ({ key: 'metadata.name', operator: 'In', values: v })) });
    const conflict = pod('p', { affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [term([['n1'], ['n2']])] } } } });
    assert.equal(affinityNodeNames(conflict), 'conflict');
    assert.equal(schedulePod(podInfo(conflict), all(), noSpread).message, '0/3 nodes are available: pod affinity terms conflict. preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling.');
  });

  it('matchFields names narrow the nodes tried; the others did not satisfy NodeAffinity', () => {
    const only = pod('p', { ...withRequests('3'), affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchFields: [{ key: 'metadata.name', operator: 'In', values: ['n1', 'gone'] }] }] } } } });
    assert.deepEqual(affinityNodeNames(only), new Set(['n1', 'gone']));
    assert.equal(
      schedulePod(podInfo(only), all(), noSpread).message,
      "0/3 nodes are available: 1 Insufficient cpu, 2 node(s) didn't satisfy plugin(s) [NodeAffinity]. preemption: 0/3 nodes are available: 1 No preemption victims found for incoming pod, 2 Preemption is not helpful for scheduling.",
    );
  });

  it('lower-priority pods: still no room gives the filter reasons; room means upstream would preempt (no text)', () => {
    const nodes = [info(plan.n1, [pod('low', { ...withRequests('1'), priority: 0 })])];
    const high = (cpu: string) => podInfo(pod('p', { ...withRequests(cpu), priority: 100 }));
    const statuses = new Map<string, Status>([['n1', { code: 'Unschedulable', reasons: ['Insufficient cpu'] }]]);
    assert.equal(preemptionMessage(high('3'), nodes, statuses), 'preemption: 0/1 nodes are available: 1 Insufficient cpu.');
    assert.equal(preemptionMessage(high('2'), nodes, statuses), undefined);
  });
});

describe('scores', () => {
  it('DefaultNormalizeScore, straight and reversed', () => {
    assert.deepEqual(normalize([0, 1, 3], false), [0, 33, 100]);
    assert.deepEqual(normalize([0, 1, 3], true), [100, 67, 0]);
    assert.deepEqual(normalize([0, 0], true), [100, 100]);
  });

  it('LeastAllocated uses the non-zero requests; BalancedAllocation the real ones', () => {
    const p = podInfo(pod('p', withRequests('1', '1Gi')));
    // n2: cpu (4000-1000)*100/4000 = 75, memory (8-1)*100/8 = 87 -> 81
    assert.equal(leastAllocated(p, info(plan.n2)), 81);
    // an empty pod counts as 100m / 200Mi: cpu 97, memory 97
    assert.equal(leastAllocated(podInfo(pod('e')), info(plan.n2)), 97);
    // fractions 0.25 and 0.125: 100 * (1 - 0.0625) = 93
    assert.equal(balancedAllocation(p, info(plan.n2)), 93);
  });

  it('selectHost takes the best and breaks ties with the random source', () => {
    const scores = new Map([['a', 5], ['b', 9], ['c', 9]]);
    assert.equal(selectHost(scores, () => 0.9), 'b');
    assert.equal(selectHost(scores, () => 0.1), 'c');
  });

  it('prefers least allocated, avoids PreferNoSchedule taints, honours preferred affinity', () => {
    const a = node('a', '4', '8Gi', '110', {});
    const b = node('b', '4', '8Gi', '110', {}, { taints: [{ key: 'soft', effect: 'PreferNoSchedule' }] });
    const busy = [info(a, [pod('x', withRequests('3', '6Gi'))]), info(node('b', '4', '8Gi', '110', {}))];
    assert.equal(schedulePod(podInfo(pod('p')), busy, noSpread, () => 0).node, 'b');
    assert.equal(schedulePod(podInfo(pod('p')), [info(a), info(b)], noSpread, () => 0).node, 'a');
    const pref = pod('p', { affinity: { nodeAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 50, preference: { matchExpressions: [{ key: 'kubernetes.io/hostname', operator: 'In', values: ['b'] }] } }] } } });
    assert.equal(schedulePod(podInfo(pref), [info(a), info(node('b', '4', '8Gi', '110', {}))], noSpread, () => 0).node, 'b');
  });
});
