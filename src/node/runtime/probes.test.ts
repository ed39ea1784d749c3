import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { applyProbeResult, initialProbeState, probeTick, probeTiming, ProbeWorker, type ContainerView, type ProbeKind, type ProbeResult, type ProbeState } from './probes.ts';

const running = (over: Partial<ContainerView> = {}): ContainerView => ({ containerID: 'c1', running: true, startedAt: 0, started: true, terminated: false, restartPolicy: 'Always', ...over });

/** Feeds outcomes through tick + apply and returns the held result after each. */
function run(kind: ProbeKind, spec: Parameters<typeof probeTiming>[0], outcomes: ('success' | 'failure')[]): { results: ProbeResult[]; kills: number[] } {
  const timing = probeTiming(spec);
  let s: ProbeState = initialProbeState(kind);
  const results: ProbeResult[] = [];
  const kills: number[] = [];
  outcomes.forEach((o, i) => {
    const t = probeTick(s, kind, timing, running({ started: kind !== 'startup' }), 100_000);
    s = t.state;
    if (t.decision === 'probe') {
      const a = applyProbeResult(s, kind, timing, o);
      s = a.state;
      if (a.kill) kills.push(i);
    }
    results.push(s.result);
  });
  return { results, kills };
}

describe('probe state machine', () => {
  it('defaults: delay 0, timeout 1, period 10, success 1, failure 3', () => {
    assert.deepEqual(probeTiming({}), { initialDelaySeconds: 0, timeoutSeconds: 1, periodSeconds: 10, successThreshold: 1, failureThreshold: 3 });
  });
  it('initial results: readiness failure, liveness success, startup unknown', () => {
    assert.deepEqual((['readiness', 'liveness', 'startup'] as const).map((k) => initialProbeState(k).result), ['failure', 'success', 'unknown']);
  });
  it('readiness: one success makes ready, three failures in a row unready', () => {
    assert.deepEqual(run('readiness', {}, ['success', 'failure', 'failure', 'success', 'failure', 'failure', 'failure']).results, ['success', 'success', 'success', 'success', 'success', 'success', 'failure']);
  });
  it('successThreshold counts successes in a row', () => {
    assert.deepEqual(run('readiness', { successThreshold: 2 }, ['success', 'failure', 'success', 'success']).results, ['failure', 'failure', 'failure', 'success']);
  });
  it('liveness: failureThreshold failures kill, then the worker holds until a new container', () => {
    const r = run('liveness', { failureThreshold: 2 }, ['failure', 'failure', 'failure', 'failure']);
    assert.deepEqual(r.results, ['success', 'failure', 'failure', 'failure']);
    assert.deepEqual(r.kills, [1]);
  });
  it('a new container id resets the results and lifts the hold', () => {
    const timing = probeTiming({});
    const held: ProbeState = { containerID: 'c1', result: 'failure', resultRun: 0, onHold: true };
    assert.equal(probeTick(held, 'liveness', timing, running(), 0).decision, 'skip');
    const t = probeTick(held, 'liveness', timing, running({ containerID: 'c2' }), 0);
    assert.deepEqual(t, { state: { containerID: 'c2', result: 'success', resultRun: 0, onHold: false }, decision: 'probe' });
  });
  it('nothing before initialDelaySeconds', () => {
    const timing = probeTiming({ initialDelaySeconds: 5 });
    const s = initialProbeState('readiness');
    assert.equal(probeTick(s, 'readiness', timing, running({ startedAt: 1000 }), 5_999).decision, 'skip');
    assert.equal(probeTick(s, 'readiness', timing, running({ startedAt: 1000 }), 6_000).decision, 'probe');
  });
  it('liveness and readiness wait for the startup probe; startup stops once started', () => {
    const timing = probeTiming({});
    for (const k of ['liveness', 'readiness'] as const) assert.equal(probeTick(initialProbeState(k), k, timing, running({ started: false }), 0).decision, 'skip');
    assert.equal(probeTick(initialProbeState('startup'), 'startup', timing, running({ started: false }), 0).decision, 'probe');
    assert.equal(probeTick(initialProbeState('startup'), 'startup', timing, running({ started: true }), 0).decision, 'skip');
  });
  it('a stopped container is not ready; the worker ends when it will not restart', () => {
    const timing = probeTiming({});
    const ready: ProbeState = { containerID: 'c1', result: 'success', resultRun: 1, onHold: false };
    const t = probeTick(ready, 'readiness', timing, running({ running: false, terminated: true }), 0);
    assert.equal(t.state.result, 'failure');
    assert.equal(t.decision, 'skip');
    assert.equal(probeTick(ready, 'readiness', timing, running({ running: false, terminated: true, restartPolicy: 'Never' }), 0).decision, 'stop');
  });
  it('no container yet: wait', () => assert.equal(probeTick(initialProbeState('readiness'), 'readiness', probeTiming({}), running({ containerID: undefined }), 0).decision, 'skip'));
  it('pod deletion: liveness and startup end quietly with success', () => {
    const t = probeTick(initialProbeState('liveness'), 'liveness', probeTiming({}), running({ deleting: true }), 0);
    assert.equal(t.decision, 'stop');
    assert.equal(t.state.result, 'success');
    assert.equal(probeTick(initialProbeState('readiness'), 'readiness', probeTiming({}), running({ deleting: true }), 0).decision, 'probe');
  });
});

describe('ProbeWorker', () => {
  it('probes on trigger and every period, reports changes, events and kills', async () => {
    const outcomes: ('success' | 'failure')[] = ['success', 'failure', 'failure'];
    const results: ProbeResult[] = [];
    const unhealthy: string[] = [];
    const kills: string[] = [];
    const ac = new AbortController();
    const w = new ProbeWorker({
      kind: 'liveness',
      containerName: 'app',
      spec: { periodSeconds: 0.05 as number, failureThreshold: 2 },
      container: () => running(),
      target: () => ({ podIP: '127.0.0.1', sandbox: { enterPrefix: () => [] } }),
      check: async () => {
        const o = outcomes.shift() ?? 'failure';
        return { result: o, message: o === 'failure' ? 'HTTP probe failed with statuscode: 500' : '' };
      },
      onResult: (r) => results.push(r),
      onUnhealthy: (m) => unhealthy.push(m),
      onKill: (m) => {
        kills.push(m);
        ac.abort();
      },
    });
    await w.start(ac.signal);
    assert.deepEqual(results, ['failure']);
    assert.deepEqual(unhealthy, ['Liveness probe failed: HTTP probe failed with statuscode: 500', 'Liveness probe failed: HTTP probe failed with statuscode: 500']);
    assert.deepEqual(kills, ['Container app failed liveness probe, will be restarted']);
    assert.equal(w.result(), 'failure');
  });
  it('readiness before its first success retries after 100 ms doubling (not a whole period), without Unhealthy events; then every period', async () => {
    const ac = new AbortController();
    const outcomes: ('success' | 'failure')[] = ['failure', 'failure', 'failure', 'success', 'failure'];
    const unhealthy: string[] = [];
    const at: number[] = [];
    const t0 = Date.now();
    const w = new ProbeWorker({
      kind: 'readiness',
      containerName: 'app',
      spec: { periodSeconds: 3600, failureThreshold: 1 },
      container: () => running(),
      target: () => ({ podIP: '127.0.0.1', sandbox: { enterPrefix: () => [] } }),
      check: async () => {
        at.push(Date.now() - t0);
        const o = outcomes.shift()!;
        return { result: o, message: o };
      },
      onResult: (r) => r === 'success' && setTimeout(() => ac.abort(), 300),
      onUnhealthy: (m) => unhealthy.push(m),
    });
    await w.start(ac.signal);
    // Probes at 0, ~100, ~300 and ~700 ms: four in all, the fourth succeeds; the next would be an hour later.
    assert.equal(at.length, 4, at.join(','));
    assert.ok(at[3] >= 600, at.join(','));
    assert.deepEqual(unhealthy, []);
    assert.equal(w.result(), 'success');
  });
  it('trigger runs a probe without waiting for the period', async () => {
    const ac = new AbortController();
    let calls = 0;
    let up = false;
    const w = new ProbeWorker({
      kind: 'readiness',
      containerName: 'app',
      spec: { periodSeconds: 3600 },
      container: () => running({ containerID: up ? 'c1' : undefined }),
      target: () => ({ podIP: '127.0.0.1', sandbox: { enterPrefix: () => [] } }),
      check: async () => {
        calls++;
        return { result: 'success', message: '' };
      },
      onResult: () => ac.abort(),
    });
    const done = w.start(ac.signal);
    await new Promise((r) => setTimeout(r, 20));
    up = true;
    w.trigger();
    await done;
    assert.equal(calls, 1);
    assert.equal(w.result(), 'success');
  });
});
