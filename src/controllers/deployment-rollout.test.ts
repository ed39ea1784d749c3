import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../api/meta.ts';
import { planDeployment, type Plan } from './deployment-rollout.ts';
import * as u from './deployment-util.ts';

const NOW = new Date('2025-01-01T12:00:00Z');
const tpl = (image: string, hash?: string) => ({ metadata: { labels: { app: 'web', ...(hash ? { [u.hashLabel]: hash } : {}) } }, spec: { containers: [{ name: 'c', image }] } });

function deploy(o: { replicas?: number; image?: string; surge?: number | string; unavailable?: number | string; recreate?: boolean; paused?: boolean; status?: any; limit?: number } = {}): KubeObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', namespace: 'ns', uid: 'd-uid', generation: 1 },
    spec: {
      replicas: o.replicas ?? 10,
      selector: { matchLabels: { app: 'web' } },
      template: tpl(o.image ?? 'nginx:2'),
      strategy: o.recreate ? { type: 'Recreate' } : { type: 'RollingUpdate', rollingUpdate: { maxSurge: o.surge ?? '25%', maxUnavailable: o.unavailable ?? '25%' } },
      revisionHistoryLimit: o.limit ?? 10,
      progressDeadlineSeconds: 600,
      ...(o.paused ? { paused: true } : {}),
    },
    status: o.status ?? {},
  };
}

function rs(name: string, replicas: number, o: { image?: string; created?: number; revision?: string; available?: number; annotations?: Record<string, string>; conditions?: any[] } = {}): KubeObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: {
      name,
      uid: name,
      namespace: 'ns',
      generation: 1,
      creationTimestamp: new Date(Date.UTC(2025, 0, 1, 0, o.created ?? 0)).toISOString().replace(/\.\d+Z$/, 'Z'),
      annotations: { [u.revisionAnnotation]: o.revision ?? '1', ...o.annotations },
    },
    spec: { replicas, template: tpl(o.image ?? 'nginx:1', name) },
    status: { replicas, availableReplicas: o.available ?? replicas, readyReplicas: o.available ?? replicas, observedGeneration: 1, ...(o.conditions ? { conditions: o.conditions } : {}) },
  };
}

const plan = (d: KubeObject, rss: KubeObject[], pods = new Map<string, KubeObject[]>()) => planDeployment(d, rss, pods, NOW);
const summary = (p: Plan) => p.actions.map((a) => `${a.op} ${a.rs.metadata.name} ${a.rs.spec?.replicas}`);
const events = (p: Plan) => [...p.actions.flatMap((a) => ('event' in a && a.event ? [a.event.message] : [])), ...p.events.map((e) => e.message)];
const cond = (s: any, type: string) => {
  const c = s?.conditions?.find((x: any) => x.type === type);
  return c && `${c.status} ${c.reason} ${c.message}`;
};

describe('planDeployment: a new deployment', () => {
  const p = plan(deploy(), []);
  const created = p.actions[0].rs;
  const hash = u.computeHash(deploy().spec.template);

  it('creates web-<hash> at full size, with the hash in labels, selector and template', () => {
    assert.deepEqual(summary(p), [`createRS web-${hash} 10`]);
    assert.deepEqual(created.metadata.labels, { app: 'web', [u.hashLabel]: hash });
    assert.deepEqual(created.spec.selector, { matchLabels: { app: 'web', [u.hashLabel]: hash } });
    assert.deepEqual(created.spec.template.metadata.labels, { app: 'web', [u.hashLabel]: hash });
    assert.deepEqual(created.metadata.ownerReferences, [{ apiVersion: 'apps/v1', kind: 'Deployment', name: 'web', uid: 'd-uid', controller: true, blockOwnerDeletion: true }]);
    assert.deepEqual(created.metadata.annotations, { [u.revisionAnnotation]: '1', [u.desiredReplicasAnnotation]: '10', [u.maxReplicasAnnotation]: '13' });
  });

  it('records the event, the revision and the conditions', () => {
    assert.deepEqual(events(p), [`Scaled up replica set web-${hash} from 0 to 10`]);
    assert.equal(p.revision, '1');
    assert.equal(cond(p.status, 'Progressing'), `True NewReplicaSetCreated Created new replica set "web-${hash}"`);
    assert.equal(cond(p.status, 'Available'), 'False MinimumReplicasUnavailable Deployment does not have minimum availability.');
    assert.equal(p.status!.observedGeneration, 1);
    assert.equal(p.status!.unavailableReplicas, 10);
    assert.equal(p.status!.replicas, undefined, 'zero counts are omitted');
  });

  it('names the set differently once collisionCount moves', () => {
    const again = plan(deploy({ status: { collisionCount: 1 } }), []);
    assert.notEqual(again.actions[0].rs.metadata.name, created.metadata.name);
  });
});

describe('planDeployment: rolling update', () => {
  it('surges the new set and scales the old one down to minAvailable', () => {
    const p = plan(deploy(), [rs('old', 10)]);
    const name = p.actions[0].rs.metadata.name;
    assert.deepEqual(summary(p), [`createRS ${name} 3`, 'updateRS old 8']);
    assert.deepEqual(events(p), [`Scaled up replica set ${name} from 0 to 3`, 'Scaled down replica set old from 10 to 8']);
    assert.equal(p.revision, '2');
  });

  it('grows the new set while old pods are still available, never past maxSurge', () => {
    const p = plan(deploy(), [rs('old', 8), rs('new', 3, { image: 'nginx:2', created: 1, revision: '2', available: 0 })]);
    assert.deepEqual(summary(p), ['updateRS new 5']);
  });

  it('does not scale old sets down while the new pods are unavailable', () => {
    const p = plan(deploy(), [rs('old', 8), rs('new', 5, { image: 'nginx:2', created: 1, revision: '2', available: 0 })]);
    assert.deepEqual(summary(p), []);
  });

  it('first removes unavailable old replicas', () => {
    const p = plan(deploy(), [rs('old', 8, { available: 5 }), rs('new', 5, { image: 'nginx:2', created: 1, revision: '2', available: 5 })]);
    // 3 unavailable old replicas go first; then 10 available > minAvailable 8 lets 2 more go.
    assert.deepEqual(summary(p), ['updateRS old 5', 'updateRS old 3']);
  });

  const simulate = (replicas: number, surge: number | string, unavailable: number | string) => {
    const d = deploy({ replicas, surge, unavailable });
    const minAvailable = replicas - u.maxUnavailable(d);
    const maxTotal = replicas + u.maxSurge(d);
    let sets = [rs('old', replicas)];
    let clock = 1;
    for (let step = 0; step < 200; step++) {
      const p = planDeployment(d, sets, new Map(), NOW);
      assert.equal(p.error, undefined);
      for (const a of p.actions) {
        if (a.op === 'createRS') {
          const n = structuredClone(a.rs);
          n.metadata.uid = n.metadata.name;
          n.metadata.creationTimestamp = new Date(Date.UTC(2025, 0, 1, 0, clock++)).toISOString().replace(/\.\d+Z$/, 'Z');
          n.status = { replicas: 0, availableReplicas: 0 };
          sets.push(n);
        } else if (a.op === 'updateRS') sets = sets.map((s) => (s.metadata.name === a.rs.metadata.name ? { ...structuredClone(a.rs), status: s.status } : s));
        else sets = sets.filter((s) => s.metadata.name !== a.rs.metadata.name);
      }
      if (p.status) d.status = p.status;
      if (p.revision) d.metadata.annotations = { [u.revisionAnnotation]: p.revision };
      // The replica set controller deletes surplus pods at once; the kubelet readies one new pod per step.
      for (const s of sets) s.status = { ...s.status, replicas: s.spec.replicas, availableReplicas: Math.min(s.status.availableReplicas ?? 0, s.spec.replicas) };
      const fresh = sets.find((s) => s.spec.template.spec.containers[0].image === 'nginx:2' && s.status.availableReplicas < s.spec.replicas);
      assert.ok(u.specReplicas(sets) <= maxTotal, `step ${step}: ${u.specReplicas(sets)} pods > ${maxTotal}`);
      assert.ok(u.availableReplicas(sets) >= minAvailable, `step ${step}: ${u.availableReplicas(sets)} available < ${minAvailable}`);
      if (fresh) fresh.status.availableReplicas++;
      if (!p.actions.length && !p.status && cond(d.status, 'Progressing')?.includes('NewReplicaSetAvailable')) return { sets, steps: step };
    }
    throw new Error('the rollout did not finish');
  };

  for (const [replicas, surge, unavailable] of [
    [10, '25%', '25%'],
    [4, '25%', '25%'],
    [3, 1, 0],
    [5, 0, 1],
    [2, '50%', '50%'],
  ] as const) {
    it(`finishes within bounds: ${replicas} replicas, maxSurge ${surge}, maxUnavailable ${unavailable}`, () => {
      const { sets } = simulate(replicas, surge, unavailable);
      const byImage = Object.fromEntries(sets.map((s) => [s.spec.template.spec.containers[0].image, s.spec.replicas]));
      assert.deepEqual(byImage, { 'nginx:1': 0, 'nginx:2': replicas });
    });
  }
});

describe('planDeployment: Recreate', () => {
  const d = deploy({ recreate: true, replicas: 2 });

  it('scales old sets to zero first', () => {
    const p = plan(d, [rs('old', 2)]);
    assert.deepEqual(summary(p), ['updateRS old 0']);
    assert.deepEqual(events(p), ['Scaled down replica set old from 2 to 0']);
  });

  it('waits while old pods still run, also terminating ones', () => {
    const old = rs('old', 0);
    const terminating = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', deletionTimestamp: '2025-01-01T12:00:00Z' }, status: { phase: 'Running' } };
    assert.deepEqual(summary(plan(d, [old], new Map([['old', [terminating]]]))), []);
  });

  it('then creates the new set at full size', () => {
    const done = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, status: { phase: 'Succeeded' } };
    const p = plan(d, [rs('old', 0)], new Map([['old', [done]]]));
    assert.deepEqual(summary(p), [`createRS ${p.actions[0].rs.metadata.name} 2`]);
  });
});

describe('planDeployment: pause, scale, history, rollback', () => {
  it('does not create a replica set while paused, and says so', () => {
    const p = plan(deploy({ paused: true }), [rs('old', 10)]);
    assert.deepEqual(summary(p), []);
    assert.equal(cond(p.status, 'Progressing'), 'Unknown DeploymentPaused Deployment is paused');
  });

  it('marks the resume and rolls out', () => {
    const status = { conditions: [u.newCondition('Progressing', 'Unknown', 'DeploymentPaused', 'Deployment is paused', NOW)] };
    const p = plan(deploy({ status }), [rs('old', 10)]);
    assert.equal(p.actions[0].op, 'createRS');
    assert.notEqual(cond(p.status, 'Progressing')?.split(' ')[1], 'DeploymentPaused');
  });

  it('spreads a scaling event over active sets in proportion (newer first on ties)', () => {
    const ann = { [u.desiredReplicasAnnotation]: '10', [u.maxReplicasAnnotation]: '10' };
    const p = plan(deploy({ replicas: 20, status: { replicas: 10 } }), [rs('old', 5, { annotations: ann }), rs('new', 5, { image: 'nginx:2', created: 1, revision: '2', annotations: ann })]);
    assert.deepEqual(summary(p), ['updateRS new 13', 'updateRS old 12']);
    assert.deepEqual(events(p), ['Scaled up replica set new from 5 to 13', 'Scaled up replica set old from 5 to 12']);
    assert.equal(p.actions[0].rs.metadata.annotations![u.desiredReplicasAnnotation], '20');
    assert.equal(p.actions[0].rs.metadata.annotations![u.maxReplicasAnnotation], '25');
  });

  it('deletes the oldest scaled-down sets beyond revisionHistoryLimit once complete', () => {
    const cur = rs('cur', 2, { image: 'nginx:2', created: 9, revision: '4', annotations: { [u.desiredReplicasAnnotation]: '2', [u.maxReplicasAnnotation]: '3' } });
    const status = { observedGeneration: 1, replicas: 2, updatedReplicas: 2, availableReplicas: 2 };
    const p = plan(deploy({ replicas: 2, limit: 1, status }), [rs('r1', 0, { revision: '1' }), rs('r3', 0, { revision: '3', created: 3 }), rs('r2', 0, { revision: '2', created: 5 }), cur]);
    assert.deepEqual(summary(p), ['deleteRS r1 0', 'deleteRS r2 0']);
  });

  it('bumps a rolled-back set to the next revision, keeping its history', () => {
    const p = plan(deploy({ image: 'nginx:1' }), [rs('old', 0, { revision: '1' }), rs('cur', 10, { image: 'nginx:2', created: 1, revision: '2' })]);
    const first = p.actions[0];
    assert.equal(first.op, 'updateRS');
    assert.equal(first.rs.metadata.name, 'old');
    assert.equal(first.rs.metadata.annotations![u.revisionAnnotation], '3');
    assert.equal(first.rs.metadata.annotations![u.revisionHistoryAnnotation], '1');
    assert.equal(p.actions[1].op === 'updateRS' && p.actions[1].base, first.rs, 'the next write builds on the first');
  });
});

describe('planDeployment: status', () => {
  const cur = (o: object = {}) => rs('cur', 2, { image: 'nginx:2', annotations: { [u.desiredReplicasAnnotation]: '2', [u.maxReplicasAnnotation]: '3' }, ...o });

  it('reports a complete rollout', () => {
    const p = plan(deploy({ replicas: 2 }), [cur()]);
    assert.equal(cond(p.status, 'Progressing'), 'True NewReplicaSetAvailable ReplicaSet "cur" has successfully progressed.');
    assert.equal(cond(p.status, 'Available'), 'True MinimumReplicasAvailable Deployment has minimum availability.');
    assert.deepEqual({ ...p.status, conditions: undefined }, { observedGeneration: 1, replicas: 2, updatedReplicas: 2, readyReplicas: 2, availableReplicas: 2, conditions: undefined });
  });

  it('times out a rollout that made no progress within the deadline, and requeues before that', () => {
    const stale = (secs: number) => ({
      observedGeneration: 1,
      replicas: 2,
      updatedReplicas: 2,
      readyReplicas: 1,
      availableReplicas: 1,
      unavailableReplicas: 1,
      conditions: [
        u.newCondition('Available', 'False', 'MinimumReplicasUnavailable', 'Deployment does not have minimum availability.', NOW),
        u.newCondition('Progressing', 'True', 'ReplicaSetUpdated', 'x', new Date(NOW.getTime() - secs * 1000)),
      ],
    });
    const p = plan(deploy({ replicas: 2, status: stale(601) }), [cur({ available: 1 })]);
    assert.equal(cond(p.status, 'Progressing'), 'False ProgressDeadlineExceeded ReplicaSet "cur" has timed out progressing.');
    const q = plan(deploy({ replicas: 2, status: stale(100) }), [cur({ available: 1 })]);
    assert.equal(q.status, undefined);
    assert.equal(q.requeueAfterMs, 501_000);
  });

  it('carries a replica set failure into the deployment', () => {
    const failure = { type: 'ReplicaFailure', status: 'True', reason: 'FailedCreate', message: 'exceeded quota', lastTransitionTime: '2025-01-01T11:00:00Z' };
    const p = plan(deploy({ replicas: 2 }), [cur({ conditions: [failure] })]);
    assert.equal(cond(p.status, 'ReplicaFailure'), 'True FailedCreate exceeded quota');
  });

  it('warns about a deployment selecting everything and does nothing else', () => {
    const d = deploy();
    d.spec.selector = {};
    const p = plan(d, []);
    assert.deepEqual(p.actions, []);
    assert.deepEqual(p.events, [{ type: 'Warning', reason: 'SelectingAll', message: 'This deployment is selecting all pods. A non-empty selector is required.' }]);
    assert.deepEqual(p.status, { observedGeneration: 1 });
  });

  it('reports a planning error together with the writes made before it', () => {
    const p = plan(deploy({ surge: 'lots' }), [rs('old', 10)]);
    assert.match(p.error!.message, /invalid value for IntOrString/);
  });
});
