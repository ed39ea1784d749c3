import { test } from 'node:test';
import assert from 'node:assert/strict';
import { podPhase, podStatus, type PodRuntimeState } from './status.ts';

// Address plan: node 172.30.0.10, pod 10.244.0.5.
const pod = (restartPolicy = 'Always') => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'default' }, spec: { restartPolicy }, status: { qosClass: 'BestEffort' } });
const running = { running: { startedAt: '2026-11-22T00:00:00Z' } };
const base = (over: Partial<PodRuntimeState> = {}): PodRuntimeState => ({
  sandboxReady: true,
  podIP: '10.244.0.5',
  hostIP: '172.30.0.10',
  startTime: '2026-11-22T00:00:00Z',
  initContainers: [],
  containers: [{ name: 'c', image: 'nginx', state: running, restartCount: 0, ready: true, started: true }],
  ...over,
});

test('a running ready container makes the pod Running and Ready', () => {
  const s = podStatus(pod(), base(), '2026-11-22T00:00:01Z') as any;
  assert.equal(s.phase, 'Running');
  assert.equal(s.conditions.find((c: any) => c.type === 'Ready').status, 'True');
  assert.equal(s.podIP, '10.244.0.5');
  assert.deepEqual(s.podIPs, [{ ip: '10.244.0.5' }]);
  assert.equal(s.containerStatuses[0].ready, true);
  assert.equal(s.containerStatuses[0].started, true);
});

test('an unready container keeps the pod out of Ready with upstream message', () => {
  const s = podStatus(pod(), base({ containers: [{ name: 'web', image: 'nginx', state: running, restartCount: 0, ready: false, started: true }] }), 'now') as any;
  const ready = s.conditions.find((c: any) => c.type === 'Ready');
  assert.equal(ready.status, 'False');
  assert.equal(ready.reason, 'ContainersNotReady');
  assert.equal(ready.message, 'containers with unready status: [web]');
});

test('phases follow restartPolicy as kubelet getPhase', () => {
  const done = (code: number) => ({ terminated: { exitCode: code, reason: code ? 'Error' : 'Completed', finishedAt: 't' } });
  const one = (state: any) => base({ containers: [{ name: 'c', image: 'busybox', state, restartCount: 0, ready: false, started: false }] });
  assert.equal(podPhase(pod('Never'), one(done(0))), 'Succeeded');
  assert.equal(podPhase(pod('Never'), one(done(1))), 'Failed');
  assert.equal(podPhase(pod('OnFailure'), one(done(1))), 'Running');
  assert.equal(podPhase(pod('Always'), one(done(0))), 'Running');
  assert.equal(podPhase(pod(), one({ waiting: { reason: 'ContainerCreating' } })), 'Pending');
  const crashLoop = base({
    containers: [{ name: 'c', image: 'busybox', state: { waiting: { reason: 'CrashLoopBackOff' } }, lastState: done(1), restartCount: 3, ready: false, started: false }],
  });
  assert.equal(podPhase(pod(), crashLoop), 'Running', 'a crash-looping container with a last state counts as stopped, not waiting');
});

test('init containers gate Initialized and the phase', () => {
  const st = base({ initContainers: [{ name: 'init', image: 'busybox', state: running, restartCount: 0, ready: false, started: true }] });
  const s = podStatus(pod(), st, 'now') as any;
  assert.equal(s.phase, 'Pending');
  const init = s.conditions.find((c: any) => c.type === 'Initialized');
  assert.equal(init.status, 'False');
  assert.equal(init.message, 'containers with incomplete status: [init]');
  assert.equal(s.initContainerStatuses.length, 1);
});

test('lastTransitionTime moves only when a condition changes', () => {
  const first = podStatus(pod(), base(), 'T1') as any;
  const p = { ...pod(), status: first };
  const second = podStatus(p, base(), 'T2') as any;
  assert.equal(second.conditions.find((c: any) => c.type === 'Ready').lastTransitionTime, 'T1');
});
