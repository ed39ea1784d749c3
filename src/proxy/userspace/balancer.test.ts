/**
 * Round-robin and ClientIP affinity with a fake clock.
 *
 * Address plan: endpoints 10.244.0.1-3:80, clients 10.0.0.1 and 10.0.0.2.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Balancer } from './balancer.ts';

const eps = [
  { ip: '10.244.0.1', port: 80 },
  { ip: '10.244.0.2', port: 80 },
  { ip: '10.244.0.3', port: 80 },
];
const ips = (b: Balancer, client: string, n: number): string[] => Array.from({ length: n }, () => b.pick(client)!.ip);

test('round-robin in order, whatever the client', () => {
  const b = new Balancer();
  b.update(eps);
  assert.deepEqual([b.pick('10.0.0.1')!.ip, b.pick('10.0.0.2')!.ip, b.pick('10.0.0.1')!.ip, b.pick('10.0.0.1')!.ip], ['10.244.0.1', '10.244.0.2', '10.244.0.3', '10.244.0.1']);
});

test('no endpoints: nothing to pick', () => {
  const b = new Balancer();
  b.update([]);
  assert.equal(b.pick('10.0.0.1'), undefined);
});

test('affinity: a client sticks while it keeps coming, timeout counted from the last use', () => {
  let now = 0;
  const b = new Balancer({ now: () => now });
  b.update(eps, 10);
  assert.deepEqual(ips(b, '10.0.0.1', 3), ['10.244.0.1', '10.244.0.1', '10.244.0.1']);
  assert.deepEqual(ips(b, '10.0.0.2', 2), ['10.244.0.2', '10.244.0.2']);
  now = 9_000;
  assert.equal(b.pick('10.0.0.1')!.ip, '10.244.0.1');
  now = 18_000; // 9 s after the last use
  assert.equal(b.pick('10.0.0.1')!.ip, '10.244.0.1');
  now = 28_000; // 10 s after: expired
  assert.equal(b.pick('10.0.0.1')!.ip, '10.244.0.3');
});

test('affinity reset (a failed dial) moves the client to the next endpoint, which becomes its affinity', () => {
  const b = new Balancer({ now: () => 0 });
  b.update(eps, 10);
  assert.equal(b.pick('10.0.0.1')!.ip, '10.244.0.1');
  assert.equal(b.pick('10.0.0.1', true)!.ip, '10.244.0.2');
  assert.equal(b.pick('10.0.0.1')!.ip, '10.244.0.2');
  b.forget('10.0.0.1');
  assert.equal(b.pick('10.0.0.1')!.ip, '10.244.0.3');
});

test('update: affinities to removed endpoints are dropped, others kept; turning affinity off clears them', () => {
  const b = new Balancer({ now: () => 0 });
  b.update(eps, 10);
  assert.equal(b.pick('10.0.0.1')!.ip, '10.244.0.1');
  assert.equal(b.pick('10.0.0.2')!.ip, '10.244.0.2');
  b.update([eps[1], eps[2]], 10);
  assert.equal(b.pick('10.0.0.2')!.ip, '10.244.0.2');
  assert.notEqual(b.pick('10.0.0.1')!.ip, '10.244.0.1');
  assert.ok(b.has(eps[2]) && !b.has(eps[0]));
  b.update([eps[1], eps[2]]);
  const first = b.pick('10.0.0.2')!.ip;
  assert.notEqual(b.pick('10.0.0.2')!.ip, first, 'round-robin again');
});

test('sweep forgets expired clients', () => {
  let now = 0;
  const b = new Balancer({ now: () => now });
  b.update(eps, 1);
  b.pick('10.0.0.1');
  now = 1000;
  b.sweep();
  now = 0; // even with the clock back, the entry is gone
  assert.equal(b.pick('10.0.0.1')!.ip, '10.244.0.2');
});
