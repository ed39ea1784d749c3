/**
 * Unit tests of PodTopologySpread against one fixed plan.
 *
 * Node plan (allocatable cpu 4, memory 8Gi, pods 110, all Ready):
 *   x  zone=a    y  zone=b    z  zone=b    w  (no zone label)
 * Every node carries kubernetes.io/hostname=<name>.
 * Workload "web": Service web (selector app=web), ReplicaSet web-1
 * (selector app=web,tier=front), pods labelled app=web,tier=front in
 * namespace "default".
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../api/meta.ts';
import { nodeInfo, podInfo, schedulePod, type NodeInfo } from './scheduler-rules.ts';
import { defaultSelector, spreadConstraints, spreadFilter, spreadScores } from './scheduler-spread.ts';

function node(name: string, zone?: string): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name, labels: { 'kubernetes.io/hostname': name, ...(zone ? { 'topology.kubernetes.io/zone': zone } : {}) } },
    status: { allocatable: { cpu: '4', memory: '8Gi', pods: '110' }, conditions: [{ type: 'Ready', status: 'True' }] },
  };
}
const plan = { x: node('x', 'a'), y: node('y', 'b'), z: node('z', 'b'), w: node('w') };

const rsOwner = { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web-1', uid: 'u1', controller: true };
function web(name: string, meta: any = {}, spec: any = {}): KubeObject {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'default', labels: { app: 'web', tier: 'front' }, ownerReferences: [rsOwner], ...meta }, spec: { containers: [{ name: 'c' }], ...spec } };
}
const service = (ns: string, selector: any): KubeObject => ({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'web', namespace: ns }, spec: { selector } });
const rs: KubeObject = { apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { name: 'web-1', namespace: 'default' }, spec: { selector: { matchLabels: { app: 'web', tier: 'front' } } } };
const objs = { services: [service('default', { app: 'web' }), service('other', { app: 'web', x: 'y' }), service('default', {})], rcs: [], replicaSets: [rs] };
const info = (n: KubeObject, pods: KubeObject[] = []): NodeInfo => nodeInfo(n, pods.map(podInfo));

describe('defaultSelector (helper.DefaultSelector)', () => {
  it('merges the selecting Services of the namespace with the controlling ReplicaSet', () => {
    assert.deepEqual(defaultSelector(web('p'), objs), [
      { key: 'app', op: '=', values: ['web'] },
      { key: 'app', op: '=', values: ['web'] },
      { key: 'tier', op: '=', values: ['front'] },
    ]);
  });

  it('a ReplicationController owner adds its selector; nothing selecting gives an empty selector', () => {
    const rc: KubeObject = { apiVersion: 'v1', kind: 'ReplicationController', metadata: { name: 'r', namespace: 'default' }, spec: { selector: { run: 'r' } } };
    const p = web('p', { labels: { run: 'r' }, ownerReferences: [{ apiVersion: 'v1', kind: 'ReplicationController', name: 'r', uid: 'u', controller: true }] });
    assert.deepEqual(defaultSelector(p, { services: [], rcs: [rc], replicaSets: [] }), [{ key: 'run', op: '=', values: ['r'] }]);
    assert.deepEqual(defaultSelector(web('bare', { ownerReferences: [] }), { services: [], rcs: [], replicaSets: [] }), []);
  });
});

describe('spreadConstraints', () => {
  it('system defaults: hostname maxSkew 3 and zone maxSkew 5, ScheduleAnyway, only with a selector', () => {
    const sel = [{ key: 'app', op: '=' as const, values: ['web'] }];
    const { constraints, systemDefaulted } = spreadConstraints(web('p'), sel);
    assert.equal(systemDefaulted, true);
    assert.deepEqual(constraints.map((c) => [c.topologyKey, c.maxSkew, c.whenUnsatisfiable]), [
      ['kubernetes.io/hostname', 3, 'ScheduleAnyway'],
      ['topology.kubernetes.io/zone', 5, 'ScheduleAnyway'],
    ]);
    assert.deepEqual(spreadConstraints(web('p'), []).constraints, []);
  });

  it("the pod's own constraints replace the defaults; matchLabelKeys narrows; no labelSelector matches nothing", () => {
    const p = web('p', { labels: { app: 'web', tier: 'front', hash: 'h1' } }, {
      topologySpreadConstraints: [
        { maxSkew: 1, topologyKey: 'topology.kubernetes.io/zone', whenUnsatisfiable: 'DoNotSchedule', labelSelector: { matchLabels: { app: 'web' } }, matchLabelKeys: ['hash'] },
        { maxSkew: 2, topologyKey: 'kubernetes.io/hostname', whenUnsatisfiable: 'ScheduleAnyway' },
      ],
    });
    const { constraints, systemDefaulted } = spreadConstraints(p, [{ key: 'ignored', op: '=', values: ['x'] }]);
    assert.equal(systemDefaulted, false);
    assert.deepEqual(constraints[0].selector, [
      { key: 'app', op: '=', values: ['web'] },
      { key: 'hash', op: '=', values: ['h1'] },
    ]);
    assert.equal(constraints[1].selector, null);
  });
});

describe('spreadScores', () => {
  const sel = [{ key: 'app', op: '=' as const, values: ['web'] }];
  const hostOnly = spreadConstraints(web('p'), sel).constraints.slice(0, 1);

  it('normalises count*log(domains+2) + maxSkew-1 so the emptiest node gets 100', () => {
    const other = web('o', { namespace: 'other' });
    const gone = web('g', { deletionTimestamp: '2024-01-01T00:00:00Z' });
    const nodes = [info(plan.w, [web('a'), web('b')]), info(node('v'), [web('c'), other, gone]), info(node('u'))];
    // raw 2*ln5+2 = 5, 1*ln5+2 = 4, 2 -> 100*(5+2-s)/5
    assert.deepEqual(spreadScores(podInfo(web('p')), nodes, nodes, hostOnly, true), [40, 60, 100]);
  });

  it("with the pod's own constraints a node missing the topology label is ignored", () => {
    const own = spreadConstraints(web('p', {}, { topologySpreadConstraints: [{ maxSkew: 1, topologyKey: 'topology.kubernetes.io/zone', whenUnsatisfiable: 'ScheduleAnyway', labelSelector: { matchLabels: { app: 'web' } } }] }), []);
    const nodes = [info(plan.x, [web('a')]), info(plan.y), info(plan.w)];
    assert.deepEqual(spreadScores(podInfo(web('p')), nodes, nodes, own.constraints, own.systemDefaulted), [0, 100, 0]);
  });

  it('replicas spread 2/2/2 even when one node is far bigger (LeastAllocated alone would stack them there)', () => {
    const big: KubeObject = { ...node('big'), status: { allocatable: { cpu: '64', memory: '256Gi', pods: '110' }, conditions: [{ type: 'Ready', status: 'True' }] } };
    const nodes = { big, v: node('v'), u: node('u') };
    const placed: Record<string, KubeObject[]> = { big: [], v: [], u: [] };
    const place = (spread: ReturnType<typeof spreadConstraints>) => {
      for (const k of Object.keys(placed)) placed[k] = [];
      for (let i = 0; i < 6; i++) {
        const infos = (['big', 'v', 'u'] as const).map((n) => info(nodes[n], placed[n]));
        placed[schedulePod(podInfo(web(`p${i}`)), infos, spread, () => 0.5).node!].push(web(`p${i}`));
      }
      return [placed.big.length, placed.v.length, placed.u.length];
    };
    assert.deepEqual(place(spreadConstraints(web('p'), defaultSelector(web('p'), objs))), [2, 2, 2]);
    assert.deepEqual(place(spreadConstraints(web('p'), [])), [6, 0, 0]);
  });
});

describe('spreadFilter (DoNotSchedule)', () => {
  const hard = spreadConstraints(web('p', {}, { topologySpreadConstraints: [{ maxSkew: 1, topologyKey: 'topology.kubernetes.io/zone', whenUnsatisfiable: 'DoNotSchedule', labelSelector: { matchLabels: { app: 'web' } } }] }), []).constraints;

  it('matching pods in the domain + self - global minimum must not exceed maxSkew; a node without the key is unresolvable', () => {
    const nodes = [info(plan.x, [web('a')]), info(plan.y), info(plan.z), info(plan.w, [web('b'), web('c')])];
    const check = spreadFilter(podInfo(web('p')), nodes, hard);
    assert.deepEqual(check(nodes[0]), { code: 'Unschedulable', reasons: ["node(s) didn't match pod topology spread constraints"] });
    assert.equal(check(nodes[1]), null);
    assert.deepEqual(check(nodes[3]), { code: 'UnschedulableAndUnresolvable', reasons: ["node(s) didn't match pod topology spread constraints (missing required label)"] });
  });

  it('is part of schedulePod: the pod goes to zone b', () => {
    const nodes = [info(plan.x, [web('a')]), info(plan.y)];
    assert.equal(schedulePod(podInfo(web('p', {}, { topologySpreadConstraints: [{ maxSkew: 1, topologyKey: 'topology.kubernetes.io/zone', whenUnsatisfiable: 'DoNotSchedule', labelSelector: { matchLabels: { app: 'web' } } }] })), nodes, { constraints: hard, systemDefaulted: false }).node, 'y');
  });
});
