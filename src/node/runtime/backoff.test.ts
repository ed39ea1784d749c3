import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { backoffRemaining, goDuration, KUBELET_BACKOFF, nextBackoff, scaledBackoff, type BackoffEntry } from './backoff.ts';

/** Simulates a container that crashes `runFor` ms after every start and returns the delays before each restart. */
function simulate(runFor: number, restarts: number): number[] {
  const cfg = KUBELET_BACKOFF;
  let now = 0;
  let entry: BackoffEntry | undefined;
  const delays: number[] = [];
  for (let i = 0; i < restarts; i++) {
    now += runFor;
    const finished = now;
    const wait = backoffRemaining(entry, finished, now, cfg);
    delays.push(wait);
    now += wait;
    entry = nextBackoff(entry, finished, now, cfg);
  }
  return delays;
}

describe('CrashLoopBackOff sequence', () => {
  it('immediate first restart, then 10 s doubling to the 300 s cap', () => {
    assert.deepEqual(simulate(0, 9), [0, 10_000, 20_000, 40_000, 80_000, 160_000, 300_000, 300_000, 300_000]);
  });
  it('the wait counts from the exit, so running time does not shorten it', () => {
    assert.deepEqual(simulate(4_000, 4), [0, 10_000, 20_000, 40_000]);
  });
  it('a container that ran more than 10 minutes since its last restart starts over', () => {
    let entry: BackoffEntry | undefined = { backoffMs: 300_000, lastUpdate: 0 };
    const finished = 600_001;
    assert.equal(backoffRemaining(entry, finished, finished, KUBELET_BACKOFF), 0);
    entry = nextBackoff(entry, finished, finished, KUBELET_BACKOFF);
    assert.equal(entry.backoffMs, 10_000);
  });
  it('but not one that ran exactly 10 minutes', () => {
    const entry = nextBackoff({ backoffMs: 40_000, lastUpdate: 0 }, 600_000, 600_000, KUBELET_BACKOFF);
    assert.equal(entry.backoffMs, 80_000);
  });
  it('scaled for tests keeps the ratios', () => assert.deepEqual(scaledBackoff(100), { initialMs: 100, maxMs: 3000, resetMs: 6000 }));
});

describe('goDuration', () => {
  for (const [ms, s] of [[10_000, '10s'], [20_000, '20s'], [80_000, '1m20s'], [160_000, '2m40s'], [300_000, '5m0s'], [500, '500ms'], [1500, '1.5s'], [0, '0s'], [3_600_000, '1h0m0s']] as const) {
    it(s, () => assert.equal(goDuration(ms), s));
  }
});
