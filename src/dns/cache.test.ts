/**
 * The forward cache's rules with a fake clock: TTLs capped and aged,
 * negative answers kept for the SOA minimum (RFC 2308), SERVFAIL and
 * negative answers without a SOA never kept, capacity bounded.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Answer as Rr } from 'dns-packet';
import { cacheTtl, ResponseCache, type CachedMessage } from './cache.ts';

const cfg = { successTtl: 30, denialTtl: 20, capacity: 2 };
const a = (ttl: number): Rr => ({ name: 'www.example.test', type: 'A', ttl, class: 'IN', data: '192.0.2.1' });
const soa = (ttl: number, minimum: number): Rr => ({ name: 'example.test', type: 'SOA', ttl, class: 'IN', data: { mname: 'ns.example.test', rname: 'h.example.test', serial: 1, refresh: 1, retry: 1, expire: 1, minimum } });
const msg = (rcode: CachedMessage['rcode'], answers: Rr[], authorities: Rr[] = []): CachedMessage => ({ rcode, answers, authorities, additionals: [] });

test('cacheTtl: the smallest record TTL, capped by the success TTL', () => {
  assert.deepEqual(cacheTtl(msg('NOERROR', [a(300), a(60)]), cfg), { ttl: 30, kind: 'success' });
  assert.deepEqual(cacheTtl(msg('NOERROR', [a(7), a(60)]), cfg), { ttl: 7, kind: 'success' });
  assert.equal(cacheTtl(msg('NOERROR', [a(0)]), cfg), undefined, 'TTL 0 is not cached');
});

test('cacheTtl: NXDOMAIN and NODATA live for min(SOA TTL, SOA minimum, denial cap); without a SOA not at all', () => {
  assert.deepEqual(cacheTtl(msg('NXDOMAIN', [], [soa(3600, 5)]), cfg), { ttl: 5, kind: 'denial' });
  assert.deepEqual(cacheTtl(msg('NOERROR', [], [soa(10, 900)]), cfg), { ttl: 10, kind: 'denial' });
  assert.deepEqual(cacheTtl(msg('NXDOMAIN', [], [soa(3600, 900)]), cfg), { ttl: 20, kind: 'denial' });
  assert.equal(cacheTtl(msg('NXDOMAIN', []), cfg), undefined);
  assert.equal(cacheTtl(msg('SERVFAIL', []), cfg), undefined);
  assert.equal(cacheTtl(msg('REFUSED', [a(60)]), cfg), undefined);
});

test('entries age: TTLs count down, then the entry is gone', () => {
  let now = 1_000_000;
  const c = new ResponseCache({ config: cfg, now: () => now });
  c.set('k', msg('NOERROR', [a(10)]));
  assert.equal((c.get('k')!.answers[0] as { ttl: number }).ttl, 10);
  now += 4_500;
  assert.equal((c.get('k')!.answers[0] as { ttl: number }).ttl, 6);
  now += 5_500;
  assert.equal(c.get('k'), undefined);
  assert.equal(c.size, 0);
});

test('capacity: the oldest entry goes first', () => {
  const c = new ResponseCache({ config: cfg });
  c.set('a', msg('NOERROR', [a(10)]));
  c.set('b', msg('NOERROR', [a(10)]));
  c.set('c', msg('NOERROR', [a(10)]));
  assert.equal(c.size, 2);
  assert.equal(c.get('a'), undefined);
  assert.ok(c.get('b') && c.get('c'));
  assert.equal(c.get('c')!.kind, 'success');
});
