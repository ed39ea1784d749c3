/**
 * The request path without sockets: `handle(bytes) → bytes` for every
 * rcode the server writes, header echo, EDNS0 sizes and truncation.
 * Cluster names from the fixture of testing.ts (services 10.96.0.0/12,
 * pods 10.244.0.0/16, headless `big` with 60 endpoints 10.244.3.1-60).
 * No forward is configured, so nothing leaves the process.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import dnsPacket from 'dns-packet';
import { parseCorefile } from './corefile.ts';
import { Forwarder } from './forwarder.ts';
import { RequestHandler, type RequestContext } from './handler.ts';
import { DnsMetrics } from './metrics.ts';
import { makeQuery } from './test-client.ts';
import { bigHeadless, fixtureView } from './testing.ts';

const view = bigHeadless(fixtureView(), 60);
const config = parseCorefile('.:53 {\n kubernetes cluster.local in-addr.arpa ip6.arpa {\n  pods insecure\n }\n}');
const metrics = new DnsMetrics({ server: 'dns://:53' });
const handler = new RequestHandler({ view, metrics, forwarder: new Forwarder(), config, upstreams: [] });
const UDP: RequestContext = { proto: 'udp', family: 1 };
const TCP: RequestContext = { proto: 'tcp', family: 1 };

type Decoded = dnsPacket.DecodedPacket & { rcode?: string; flag_tc?: boolean; flag_aa?: boolean; flag_rd?: boolean; flag_cd?: boolean };
async function send(buf: Buffer, ctx = UDP): Promise<{ raw: Buffer; msg: Decoded }> {
  const raw = await handler.handle(buf, ctx);
  assert.ok(raw, 'an answer');
  return { raw, msg: dnsPacket.decode(raw) as Decoded };
}
const opt = (m: Decoded) => m.additionals?.find((a) => a.type === 'OPT') as dnsPacket.OptAnswer | undefined;

test('the header is echoed: ID, RD, CD, the question with its case and class', async () => {
  const q = makeQuery('My-Nginx.default.svc.cluster.local', 'A', { id: 0xbeef });
  q[3] |= 0x10; // CD
  const { msg } = await send(q);
  assert.equal(msg.id, 0xbeef);
  assert.equal(msg.flag_rd, true);
  assert.equal(msg.flag_cd, true);
  assert.equal(msg.flag_aa, true);
  assert.deepEqual(msg.questions, [{ name: 'My-Nginx.default.svc.cluster.local', type: 'A', class: 'IN' }]);
});

test('FORMERR: no question, two questions, records in the answer section, an undecodable body', async () => {
  const none = dnsPacket.encode({ type: 'query', id: 1, questions: [] });
  assert.equal((await send(none)).msg.rcode, 'FORMERR');
  const two = dnsPacket.encode({ type: 'query', id: 2, questions: [{ name: 'a.test', type: 'A' }, { name: 'b.test', type: 'A' }] });
  assert.equal((await send(two)).msg.rcode, 'FORMERR');
  const withAnswer = dnsPacket.encode({ type: 'query', id: 3, questions: [{ name: 'a.test', type: 'A' }], answers: [{ name: 'a.test', type: 'A', data: '192.0.2.1' }] });
  assert.equal((await send(withAnswer)).msg.rcode, 'FORMERR');
  const cut = makeQuery('my-nginx.default.svc.cluster.local', 'A', { id: 4 }).subarray(0, 20);
  const r = await send(cut);
  assert.equal(r.msg.rcode, 'FORMERR');
  assert.equal(r.msg.id, 4);
});

test('NOTIMP for opcodes other than QUERY (NOTIFY, UPDATE)', async () => {
  for (const opcode of [4, 5]) {
    const q = makeQuery('cluster.local', 'SOA');
    q[2] = (q[2] & 0x87) | (opcode << 3);
    assert.equal((await send(q)).msg.rcode, 'NOTIMP');
  }
});

test('BADVERS for an EDNS version other than 0 (extended rcode in the OPT record)', async () => {
  const q = makeQuery('my-nginx.default.svc.cluster.local', 'A', { edns: 1232 });
  q[q.length - 11 + 6] = 1; // the OPT record's version byte
  const { raw, msg } = await send(q);
  assert.equal(raw[3] & 0xf, 0, 'low bits of BADVERS (16) are 0');
  assert.equal(opt(msg)?.extendedRcode, 1);
});

test('REFUSED: AXFR, IXFR, a class other than IN', async () => {
  assert.equal((await send(makeQuery('cluster.local', 'AXFR'), TCP)).msg.rcode, 'REFUSED');
  assert.equal((await send(makeQuery('cluster.local', 'IXFR'))).msg.rcode, 'REFUSED');
  const ch = dnsPacket.encode({ type: 'query', id: 5, questions: [{ name: 'version.bind', type: 'TXT', class: 'CH' }] });
  assert.equal((await send(ch)).msg.rcode, 'REFUSED');
});

test('SERVFAIL for a name outside the cluster zones when no forward is configured', async () => {
  assert.equal((await send(makeQuery('www.example.test', 'A'))).msg.rcode, 'SERVFAIL');
});

test('NXDOMAIN / NODATA with the SOA in authority', async () => {
  const nx = (await send(makeQuery('nope.default.svc.cluster.local', 'A'))).msg;
  assert.equal(nx.rcode, 'NXDOMAIN');
  assert.equal(nx.authorities?.[0].type, 'SOA');
  const nodata = (await send(makeQuery('my-nginx.default.svc.cluster.local', 'MX'))).msg;
  assert.equal(nodata.rcode, 'NOERROR');
  assert.equal(nodata.answers?.length, 0);
  assert.equal(nodata.authorities?.[0].type, 'SOA');
});

test('UDP size: 512 without EDNS, the client size up to 1232 with it; TCP unlimited', async () => {
  const name = 'big.default.svc.cluster.local';
  const plain = await send(makeQuery(name, 'A'));
  assert.ok(plain.raw.length <= 512);
  assert.equal(plain.msg.flag_tc, true);
  assert.equal(opt(plain.msg), undefined);
  const small = await send(makeQuery(name, 'A', { edns: 700 }));
  assert.ok(small.raw.length <= 700 && small.raw.length > 512);
  assert.equal(small.msg.flag_tc, true);
  assert.equal(opt(small.msg)?.udpPayloadSize, 1232, 'the server advertises 1232');
  const tiny = await send(makeQuery(name, 'A', { edns: 100 }));
  assert.ok(tiny.raw.length <= 512 && tiny.raw.length > 400, 'sizes below 512 are read as 512');
  const big = await send(makeQuery(name, 'A', { edns: 4096 }));
  assert.equal(big.msg.flag_tc, false);
  assert.equal(big.msg.answers?.length, 60);
  assert.ok(big.raw.length <= 1232);
  const tcp = await send(makeQuery(name, 'SRV'), TCP);
  assert.equal(tcp.msg.flag_tc, false);
  assert.equal(tcp.msg.answers?.length, 60);
  assert.equal(tcp.msg.additionals?.length, 60);
});

test('owner names are compressed: 60 A records of one name cost 16 bytes each', async () => {
  const { raw } = await send(makeQuery('big.default.svc.cluster.local', 'A'), TCP);
  const header = 12 + 'big.default.svc.cluster.local'.length + 2 + 4;
  assert.equal(raw.length, header + 60 * 16);
});

test('a dropped packet: a response, a runt', async () => {
  const resp = makeQuery('a.test', 'A');
  resp[2] |= 0x80;
  assert.equal(await handler.handle(resp, UDP), undefined);
  assert.equal(await handler.handle(Buffer.alloc(11), UDP), undefined);
});

test('metrics count requests and responses per rcode, also for answers from the encoded cache', async () => {
  const before = metrics.responses.get('.|NOERROR');
  await send(makeQuery('kubernetes.default.svc.cluster.local', 'A'));
  await send(makeQuery('kubernetes.default.svc.cluster.local', 'A'));
  assert.equal(metrics.responses.get('.|NOERROR'), before + 2);
  assert.ok(metrics.requests.get('.|udp|1|A') >= 2);
  assert.ok(metrics.duration.count('.|A') >= 2);
});
