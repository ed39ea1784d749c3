/**
 * Per-key retry back-off. No addresses involved.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Backoff } from './backoff.ts';

describe('Backoff', () => {
  it('doubles from 5 ms up to the cap, logs at powers of two, and forgets a key once it succeeds', async () => {
    const requeued: [string, number][] = [];
    const logged: number[] = [];
    const b = new Backoff({ requeue: (k, ms) => requeued.push([k, ms]), log: (_k, _e, n) => logged.push(n), maxMs: 100 });
    const fail = async () => {
      throw new Error('rejected');
    };
    for (let i = 0; i < 6; i++) await b.run('a', fail);
    assert.deepEqual(
      requeued.map(([, ms]) => ms),
      [5, 10, 20, 40, 80, 100],
    );
    assert.deepEqual(logged, [1, 2, 4]);
    await b.run('a', async () => {});
    await b.run('a', fail);
    assert.deepEqual(requeued.at(-1), ['a', 5]);
  });
});
