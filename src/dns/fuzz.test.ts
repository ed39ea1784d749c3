/**
 * Fuzzing the request path: 100,000 random and mutated packets through
 * `handle` (bytes in, bytes out), then 3,000 over the real UDP socket. The
 * path must never fail inside (onError), must answer a parsable response
 * with the query's ID or nothing, within the UDP size, and must still
 * answer a valid query afterwards. A seeded generator makes a failure
 * reproducible: the seed is in the assertion message (FUZZ_SEED=n reruns it).
 *
 * Address plan: the server on 127.0.0.1 (ephemeral port); the upstream
 * stub on 127.0.0.6 answers for example.test, so forwarded mutants stay on
 * loopback. Cluster names from the fixture of testing.ts.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import dnsPacket from 'dns-packet';
import { parseCorefile } from './corefile.ts';
import { Forwarder } from './forwarder.ts';
import { RequestHandler, type RequestContext } from './handler.ts';
import { DnsMetrics } from './metrics.ts';
import { DnsServer } from './server.ts';
import { StubUpstream } from './stub-upstream.ts';
import { makeQuery, udpExchange } from './test-client.ts';
import { bigHeadless, fixtureView } from './testing.ts';
import { mulberry32 as rng } from '../testing/prng.ts';

const SEED = Number(process.env.FUZZ_SEED ?? Date.now() % 1_000_000);


const SEEDS: Buffer[] = [
  makeQuery('my-nginx.default.svc.cluster.local', 'A'),
  makeQuery('big.default.svc.cluster.local', 'A', { edns: 1232 }),
  makeQuery('_http._tcp.web.default.svc.cluster.local', 'SRV', { edns: 4096 }),
  makeQuery('numbers-api.default.svc.cluster.local', 'A'),
  makeQuery('10-244-0-9.default.pod.cluster.local', 'AAAA'),
  makeQuery('1.0.96.10.in-addr.arpa', 'PTR'),
  makeQuery('dns-version.cluster.local', 'TXT'),
  makeQuery('cluster.local', 'SOA', { edns: 512 }),
  makeQuery('www.example.test', 'A', { edns: 1232 }),
  makeQuery('nope.default.svc.cluster.local', 'ANY'),
];

function mutate(r: () => number, seed: Buffer): Buffer {
  const int = (n: number) => Math.floor(r() * n);
  let b = Buffer.from(seed);
  const rounds = 1 + int(4);
  for (let i = 0; i < rounds; i++) {
    switch (int(9)) {
      case 0: // bit flips
        for (let k = 1 + int(8); k > 0; k--) b[int(b.length)] ^= 1 << int(8);
        break;
      case 1: // truncation
        b = b.subarray(0, int(b.length + 1));
        break;
      case 2: // trailing garbage
        b = Buffer.concat([b, Buffer.from(Array.from({ length: int(64) }, () => int(256)))]);
        break;
      case 3: // a section count (QD/AN/NS/AR) set to something else
        if (b.length >= 12) b.writeUInt16BE([0, 1, 2, 0xffff, int(0x10000)][int(5)], 4 + 2 * int(4));
        break;
      case 4: // a label length byte made wrong
        if (b.length > 13) b[12 + int(Math.min(40, b.length - 12))] = [0, 63, 64, 0xff, int(256)][int(5)];
        break;
      case 5: // a compression pointer to itself, backwards, forwards or past the end
        if (b.length > 14) {
          const at = 12 + int(b.length - 13);
          const target = [at, 12, at - 2, b.length + 10, int(0x3fff)][int(5)];
          b.writeUInt16BE(0xc000 | (Math.max(0, target) & 0x3fff), at);
        }
        break;
      case 6: // random byte values
        for (let k = 1 + int(4); k > 0; k--) b[int(b.length)] = int(256);
        break;
      case 7: // header flags: opcode, QR, rcode, Z
        if (b.length >= 4) b.writeUInt16BE(int(0x10000), 2);
        break;
      default: // a pointer loop pair: two pointers to each other
        if (b.length > 18) {
          const p1 = 12 + int(b.length - 16);
          const p2 = p1 + 2;
          b.writeUInt16BE(0xc000 | p2, p1);
          b.writeUInt16BE(0xc000 | p1, p2);
        }
    }
  }
  return b;
}

function packet(r: () => number): Buffer {
  if (r() < 0.2) return Buffer.from(Array.from({ length: Math.floor(r() * 600) }, () => Math.floor(r() * 256)));
  return mutate(r, SEEDS[Math.floor(r() * SEEDS.length)]);
}

const upstream = new StubUpstream({ host: '127.0.0.6', records: { 'www.example.test': [{ type: 'A', data: '192.0.2.10' }], 'api.example.test': [{ type: 'A', data: '192.0.2.20' }] } });
const errors: unknown[] = [];
let handler: RequestHandler;
const forwarder = new Forwarder({ tryTimeoutMs: 200, deadlineMs: 400 });

before(async () => {
  await upstream.start();
  const config = parseCorefile(`.:53 {\n kubernetes cluster.local in-addr.arpa ip6.arpa {\n  pods insecure\n  fallthrough in-addr.arpa ip6.arpa\n }\n forward . 127.0.0.6:${upstream.port}\n cache 30\n loadbalance\n}\n`);
  handler = new RequestHandler({
    view: bigHeadless(fixtureView(), 60),
    metrics: new DnsMetrics({ server: 'dns://:0' }),
    forwarder,
    config,
    upstreams: [{ host: '127.0.0.6', port: upstream.port }],
    onError: (e) => errors.push(e),
  });
});

after(async () => {
  forwarder.close();
  await upstream.close();
});

function check(input: Buffer, out: Buffer | undefined, ctx: RequestContext, n: number): void {
  if (out === undefined) return;
  const where = `seed ${SEED}, packet ${n}, input ${input.toString('hex')}`;
  let m: dnsPacket.DecodedPacket;
  try {
    m = dnsPacket.decode(out);
  } catch (e) {
    assert.fail(`unparsable response (${(e as Error).message}); ${where}`);
  }
  assert.equal(m.id, input.readUInt16BE(0), `response ID; ${where}`);
  assert.equal(m.type, 'response', where);
  if (ctx.proto === 'udp') assert.ok(out.length <= 1232, `UDP size ${out.length}; ${where}`);
}

test(`100,000 random and mutated packets through the request path never break it (seed ${SEED})`, async () => {
  const r = rng(SEED);
  const pending: Promise<void>[] = [];
  let answered = 0;
  for (let n = 0; n < 100_000; n++) {
    const input = packet(r);
    const ctx: RequestContext = { proto: r() < 0.8 ? 'udp' : 'tcp', family: 1 };
    const out = handler.handle(input, ctx);
    if (out instanceof Promise) {
      pending.push(
        out.then((b) => {
          if (b) answered++;
          check(input, b, ctx, n);
        }),
      );
      // keep the number of forwarded exchanges in flight bounded
      if (pending.length >= 5000) await Promise.all(pending.splice(0));
    } else {
      if (out) answered++;
      check(input, out, ctx, n);
    }
  }
  await Promise.all(pending);
  assert.deepEqual(errors, [], `failures inside the path; seed ${SEED}`);
  assert.ok(answered > 10_000, `most well-formed mutants are answered (${answered})`);
  const ok = await handler.handle(makeQuery('my-nginx.default.svc.cluster.local', 'A', { id: 77 }), { proto: 'udp', family: 1 });
  const m = dnsPacket.decode(ok!);
  assert.equal(m.id, 77);
  assert.equal((m.answers![0] as { data: string }).data, '10.96.0.20');
});

test(`3,000 fuzzed packets over the real UDP socket, then a valid query is still answered (seed ${SEED})`, async () => {
  const stop = new AbortController();
  const server = new DnsServer({ handler, host: '127.0.0.1', port: 0 });
  await server.start(stop.signal);
  try {
    const r = rng(SEED + 1);
    for (let batch = 0; batch < 30; batch++) {
      const sends: Promise<void>[] = [];
      for (let i = 0; i < 100; i++) {
        const input = packet(r);
        if (input.length === 0) continue;
        sends.push(udpExchange('127.0.0.1', server.port, input, 150).then((out) => check(input, out, { proto: 'udp', family: 1 }, batch * 100 + i)));
      }
      await Promise.all(sends);
    }
    assert.deepEqual(errors, []);
    const out = await udpExchange('127.0.0.1', server.port, makeQuery('kubernetes.default.svc.cluster.local', 'A', { id: 78 }));
    assert.ok(out, 'still answering');
    assert.equal((dnsPacket.decode(out).answers![0] as { data: string }).data, '10.96.0.1');
  } finally {
    stop.abort();
    await server.close();
  }
});
