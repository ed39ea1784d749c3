/**
 * The listeners and the request path over real sockets, with the real dig.
 *
 * Address plan (all loopback, ephemeral ports): the server under test on
 * 127.0.0.1; the root upstream (a stub) on 127.0.0.2; the stub domain
 * consul.local's upstream on 127.0.0.3. Cluster names come from the fixture
 * of testing.ts (services 10.96.0.0/12, pods 10.244.0.0/16) plus a headless
 * Service `big` of 60 endpoints 10.244.3.1-60.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import dnsPacket from 'dns-packet';
import { parseCorefile } from './corefile.ts';
import { Forwarder } from './forwarder.ts';
import { RequestHandler } from './handler.ts';
import { DnsMetrics } from './metrics.ts';
import { DnsServer } from './server.ts';
import { StubUpstream } from './stub-upstream.ts';
import { ask, dig, digAnswers, makeQuery, tcpExchange, udpExchange } from './test-client.ts';
import { bigHeadless, fixtureView } from './testing.ts';

const HOST = '127.0.0.1';
const view = bigHeadless(fixtureView(), 60);
const upstream = new StubUpstream({
  host: '127.0.0.2',
  negativeTtl: 2,
  truncate: ['big.example.test'],
  records: {
    'www.example.test': [{ type: 'A', data: '192.0.2.10', ttl: 300 }],
    'short.example.test': [{ type: 'A', data: '192.0.2.11', ttl: 1 }],
    'api.example.test': [{ type: 'A', data: '192.0.2.20', ttl: 300 }],
    'again.example.test': [{ type: 'A', data: '192.0.2.21', ttl: 300 }],
    'big.example.test': Array.from({ length: 50 }, (_, i) => ({ type: 'A', data: `192.0.2.${i + 1}` })),
    '4.4.8.8.in-addr.arpa': [{ type: 'PTR', data: 'dns.example.test' }],
  },
});
const consul = new StubUpstream({ host: '127.0.0.3', records: { 'web.service.consul.local': [{ type: 'A', data: '198.51.100.7' }] } });
const metrics = new DnsMetrics({ server: 'dns://:0' });
const forwarder = new Forwarder({ tryTimeoutMs: 300, deadlineMs: 900 });
let handler: RequestHandler;
let server: DnsServer;
const stop = new AbortController();
let port = 0;

const corefile = (ttl: number) => `.:53 {
    errors
    kubernetes cluster.local in-addr.arpa ip6.arpa {
       pods insecure
       fallthrough in-addr.arpa ip6.arpa
       ttl ${ttl}
    }
    forward . 127.0.0.2:${upstream.port}
    cache 30
    loadbalance
}
consul.local:53 {
    forward . 127.0.0.3:${consul.port}
}
`;

before(async () => {
  await upstream.start();
  await consul.start();
  const config = parseCorefile(corefile(5));
  handler = new RequestHandler({ view, metrics, forwarder, config, upstreams: [{ host: '127.0.0.2', port: upstream.port }] });
  server = new DnsServer({ handler, host: HOST, port: 0 });
  await server.start(stop.signal);
  port = server.port;
});

after(async () => {
  stop.abort();
  forwarder.close();
  await server.close();
  await upstream.close();
  await consul.close();
});

const count = (s: StubUpstream, name: string) => s.queries.filter((q) => q.name === name).length;

test('dig over UDP: a ClusterIP service, authoritative, recursion available', async () => {
  const out = await dig(HOST, port, ['my-nginx.default.svc.cluster.local', 'A']);
  assert.match(out, /status: NOERROR/);
  assert.match(out, /flags: qr aa rd ra;/);
  assert.deepEqual(digAnswers(out), [['my-nginx.default.svc.cluster.local.', '5', 'A', '10.96.0.20']]);
});

test('dig over TCP answers the same', async () => {
  const out = await dig(HOST, port, ['+tcp', 'kubernetes.default.svc.cluster.local', 'A']);
  assert.deepEqual(digAnswers(out), [['kubernetes.default.svc.cluster.local.', '5', 'A', '10.96.0.1']]);
});

test('EDNS0: the OPT record is echoed with 1232; none without EDNS', async () => {
  const withEdns = await dig(HOST, port, ['+bufsize=4096', 'my-nginx.default.svc.cluster.local']);
  assert.match(withEdns, /; EDNS: version: 0, flags:; udp: 1232/);
  const without = await dig(HOST, port, ['+noedns', 'my-nginx.default.svc.cluster.local']);
  assert.doesNotMatch(without, /OPT PSEUDOSECTION/);
});

test('60-endpoint headless: truncated with TC at 512 bytes over UDP, complete over TCP and within 1232 with EDNS', async () => {
  const udp = await ask(HOST, port, 'big.default.svc.cluster.local', 'A');
  assert.equal(udp.flag_tc, true);
  assert.ok(udp.answers!.length > 0 && udp.answers!.length < 60, `partial answer, got ${udp.answers!.length}`);
  const raw = await udpExchange(HOST, port, makeQuery('big.default.svc.cluster.local', 'A'));
  assert.ok(raw!.length <= 512);
  const tcp = await dig(HOST, port, ['+tcp', 'big.default.svc.cluster.local']);
  assert.equal(digAnswers(tcp).length, 60);
  const edns = await ask(HOST, port, 'big.default.svc.cluster.local', 'A', { edns: 1232 });
  assert.equal(edns.flag_tc, false);
  assert.equal(edns.answers!.length, 60);
  // dig itself retries over TCP when it sees TC
  const retried = await dig(HOST, port, ['+noedns', 'big.default.svc.cluster.local']);
  assert.match(retried, /Truncated, retrying in TCP mode/);
  assert.equal(digAnswers(retried).length, 60);
});

test('SRV with targets and additional A records, through dig', async () => {
  const out = await dig(HOST, port, ['_http._tcp.web.default.svc.cluster.local', 'SRV']);
  assert.deepEqual(
    digAnswers(out).map((r) => r[3]),
    ['0 50 8080 web-0.web.default.svc.cluster.local.', '0 50 8080 web-1.web.default.svc.cluster.local.'],
  );
  assert.deepEqual(
    digAnswers(out, 'ADDITIONAL').map((r) => r[3]),
    ['10.244.1.10', '10.244.1.11'],
  );
});

test('NXDOMAIN and NODATA carry the SOA; case is kept', async () => {
  const nx = await dig(HOST, port, ['nope.default.svc.cluster.local']);
  assert.match(nx, /status: NXDOMAIN/);
  assert.match(digAnswers(nx, 'AUTHORITY')[0][3], /^ns\.dns\.cluster\.local\. hostmaster\.cluster\.local\. \d+ 7200 1800 86400 5$/);
  const nodata = await dig(HOST, port, ['my-nginx.default.svc.cluster.local', 'AAAA']);
  assert.match(nodata, /status: NOERROR/);
  assert.equal(digAnswers(nodata).length, 0);
  assert.equal(digAnswers(nodata, 'AUTHORITY')[0][2], 'SOA');
  const mixed = await dig(HOST, port, ['MY-Nginx.DEFAULT.svc.cluster.local']);
  assert.equal(digAnswers(mixed)[0][0], 'MY-Nginx.DEFAULT.svc.cluster.local.');
});

test('PTR, pod A record and dns-version through dig', async () => {
  assert.equal(digAnswers(await dig(HOST, port, ['-x', '10.96.0.1']))[0][3], 'kubernetes.default.svc.cluster.local.');
  assert.equal(digAnswers(await dig(HOST, port, ['10-244-0-9.default.pod.cluster.local']))[0][3], '10.244.0.9');
  assert.equal(digAnswers(await dig(HOST, port, ['dns-version.cluster.local', 'TXT']))[0][3], '"1.1.0"');
});

test('FORMERR for two questions, NOTIMP for another opcode, REFUSED for AXFR and IXFR', async () => {
  const two = dnsPacket.encode({ type: 'query', id: 7, questions: [{ name: 'a.test', type: 'A' }, { name: 'b.test', type: 'A' }] });
  assert.equal((dnsPacket.decode((await udpExchange(HOST, port, two))!) as { rcode?: string }).rcode, 'FORMERR');
  const status = makeQuery('my-nginx.default.svc.cluster.local', 'A');
  status[2] = (status[2] & 0x87) | (2 << 3); // opcode STATUS
  const st = dnsPacket.decode((await udpExchange(HOST, port, status))!) as { rcode?: string; id: number };
  assert.equal(st.rcode, 'NOTIMP');
  assert.equal(st.id, 4242);
  const axfr = await dig(HOST, port, ['cluster.local', 'AXFR']);
  assert.match(axfr, /Transfer failed|REFUSED/);
  const ixfr = await ask(HOST, port, 'cluster.local', 'IXFR', { tcp: true });
  assert.equal((ixfr as { rcode?: string }).rcode, 'REFUSED');
  // a response packet (QR set) and a runt are never answered
  const resp = makeQuery('x.test', 'A');
  resp[2] |= 0x80;
  assert.equal(await udpExchange(HOST, port, resp, 300), undefined);
  assert.equal(await udpExchange(HOST, port, Buffer.from([1, 2, 3]), 300), undefined);
});

test('ANY on a cluster name is minimal: the address records only (RFC 8482)', async () => {
  const r = await ask(HOST, port, 'myapp-svc-headless.default.svc.cluster.local', 'ANY', { edns: 1232 });
  assert.deepEqual(
    r.answers!.map((a) => a.type),
    ['A', 'A', 'A'],
  );
});

test('forwarding: an outside name goes to the upstream stub once, then comes from the cache with a lower TTL', async () => {
  const first = await dig(HOST, port, ['www.example.test']);
  assert.deepEqual(digAnswers(first)[0].slice(2), ['A', '192.0.2.10']);
  assert.match(first, /flags: qr rd ra;/, 'forwarded answers are not authoritative');
  assert.equal(count(upstream, 'www.example.test'), 1);
  const hits = metrics.cacheHits.get('success');
  await new Promise((r) => setTimeout(r, 1100));
  const second = await dig(HOST, port, ['www.example.test']);
  assert.equal(count(upstream, 'www.example.test'), 1, 'served from the cache');
  assert.ok(Number(digAnswers(second)[0][1]) < 30, 'TTL capped by `cache 30` and aged');
  assert.equal(metrics.cacheHits.get('success'), hits + 1);
});

test('the cache honours a short upstream TTL: after it expires the upstream is asked again', async () => {
  await dig(HOST, port, ['short.example.test']);
  await dig(HOST, port, ['short.example.test']);
  assert.equal(count(upstream, 'short.example.test'), 1);
  await new Promise((r) => setTimeout(r, 1100));
  await dig(HOST, port, ['short.example.test']);
  assert.equal(count(upstream, 'short.example.test'), 2);
});

test('negative caching: NXDOMAIN is kept for the SOA minimum (2 s here)', async () => {
  const nx = await dig(HOST, port, ['missing.example.test']);
  assert.match(nx, /status: NXDOMAIN/);
  await dig(HOST, port, ['missing.example.test']);
  assert.equal(count(upstream, 'missing.example.test'), 1);
  await new Promise((r) => setTimeout(r, 2100));
  await dig(HOST, port, ['missing.example.test']);
  assert.equal(count(upstream, 'missing.example.test'), 2);
});

test('stub domain: consul.local goes to its own upstream', async () => {
  const out = await dig(HOST, port, ['web.service.consul.local']);
  assert.equal(digAnswers(out)[0][3], '198.51.100.7');
  assert.equal(count(consul, 'web.service.consul.local'), 1);
  assert.equal(count(upstream, 'web.service.consul.local'), 0);
});

test('ExternalName: the CNAME, then the target address from the upstream', async () => {
  const out = await dig(HOST, port, ['numbers-api.default.svc.cluster.local']);
  assert.deepEqual(
    digAnswers(out).map((r) => [r[2], r[3]]),
    [
      ['CNAME', 'api.example.test.'],
      ['A', '192.0.2.20'],
    ],
  );
});

test('an upstream answer with TC is asked again over TCP', async () => {
  const out = await dig(HOST, port, ['+tcp', 'big.example.test']);
  assert.equal(digAnswers(out).length, 50);
  assert.deepEqual(
    upstream.queries.filter((q) => q.name === 'big.example.test').map((q) => q.proto),
    ['udp', 'tcp'],
  );
});

test('reverse names outside the cluster fall through to the upstream', async () => {
  const out = await dig(HOST, port, ['-x', '8.8.4.4']);
  assert.equal(digAnswers(out)[0][3], 'dns.example.test.');
});

test('an upstream that does not answer gives SERVFAIL after the deadline, and the server still answers', async () => {
  upstream.silent = true;
  try {
    const t0 = Date.now();
    const r = await ask(HOST, port, 'slow.example.test', 'A', { edns: 1232 });
    assert.equal((r as { rcode?: string }).rcode, 'SERVFAIL');
    assert.ok(Date.now() - t0 < 1500);
    assert.ok(count(upstream, 'slow.example.test') >= 2, 'retried');
  } finally {
    upstream.silent = false;
  }
  assert.equal(digAnswers(await dig(HOST, port, ['my-nginx.default.svc.cluster.local']))[0][3], '10.96.0.20');
});

test('loadbalance rotates the address records between answers', async () => {
  const firsts = new Set<string>();
  for (let i = 0; i < 3; i++) {
    const r = await ask(HOST, port, 'myapp-svc-headless.default.svc.cluster.local', 'A');
    firsts.add((r.answers![0] as { data: string }).data);
  }
  assert.equal(firsts.size, 3);
});

test('a new configuration applies without restarting the listeners', async () => {
  handler.configure(parseCorefile(corefile(30)), [{ host: '127.0.0.2', port: upstream.port }]);
  try {
    assert.equal(digAnswers(await dig(HOST, port, ['my-nginx.default.svc.cluster.local']))[0][1], '30');
  } finally {
    handler.configure(parseCorefile(corefile(5)), [{ host: '127.0.0.2', port: upstream.port }]);
  }
});

test('a change of the view is answered by the next query (no stale encoded answer)', async () => {
  assert.equal(digAnswers(await dig(HOST, port, ['late.default.svc.cluster.local'])).length, 0);
  view.addService({ namespace: 'default', name: 'late', clusterIPs: ['10.96.0.99'] });
  assert.equal(digAnswers(await dig(HOST, port, ['late.default.svc.cluster.local']))[0][3], '10.96.0.99');
});

test('TCP carries several queries on one connection', async () => {
  const a = makeQuery('my-nginx.default.svc.cluster.local', 'A', { id: 1 });
  const b = makeQuery('kubernetes.default.svc.cluster.local', 'A', { id: 2 });
  const frame = (m: Buffer) => Buffer.concat([Buffer.from([m.length >> 8, m.length & 0xff]), m]);
  const { connect } = await import('node:net');
  const ids = await new Promise<number[]>((resolve, reject) => {
    const s = connect({ host: HOST, port }, () => s.write(Buffer.concat([frame(a), frame(b)])));
    let buf = Buffer.alloc(0);
    const got: number[] = [];
    s.on('error', reject);
    s.on('data', (d) => {
      buf = Buffer.concat([buf, d]);
      while (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) {
        got.push(dnsPacket.decode(buf.subarray(2, 2 + buf.readUInt16BE(0))).id!);
        buf = buf.subarray(2 + buf.readUInt16BE(0));
      }
      if (got.length === 2) {
        s.destroy();
        resolve(got.sort());
      }
    });
  });
  assert.deepEqual(ids, [1, 2]);
  assert.ok(await tcpExchange(HOST, port, makeQuery('my-nginx.default.svc.cluster.local', 'A')));
});

test('a repeated forwarded question is served from the encoded answers while its TTLs hold, then re-aged', async () => {
  const q = makeQuery('again.example.test', 'A', { id: 9 });
  const ttl = async () => (dnsPacket.decode((await udpExchange(HOST, port, q))!).answers![0] as { ttl: number }).ttl;
  const hits = metrics.cacheHits.get('success');
  const first = await ttl();
  assert.equal(await ttl(), first);
  assert.equal(metrics.cacheHits.get('success'), hits + 1, 'the first was a miss, the encoded answer counts as a hit');
  await new Promise((r) => setTimeout(r, 1100));
  assert.ok((await ttl()) < first, 'the TTL counts down past a second');
  assert.equal(count(upstream, 'again.example.test'), 1);
});
