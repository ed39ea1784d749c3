/**
 * Unit tests of the record rules against the fixture view of testing.ts
 * (services 10.96.0.0/12, pods 10.244.0.0/16, zone cluster.local).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { answer, type Reply } from './records.ts';
import { fixtureView } from './testing.ts';
import type { ClusterZoneConfig } from './types.ts';

const cfg: ClusterZoneConfig = { zones: ['cluster.local', 'in-addr.arpa', 'ip6.arpa'], pods: 'insecure', ttl: 5, fallthrough: ['in-addr.arpa', 'ip6.arpa'] };
const view = fixtureView();
const ask = (name: string, type = 'A', c = cfg): Reply => {
  const r = answer({ name, type }, view, c);
  assert.ok(r, `${name} is in the cluster zones`);
  return r;
};
const data = (r: Reply) => r.answers.map((a) => (a as { data: unknown }).data);
const isNxdomain = (r: Reply) => {
  assert.equal(r.rcode, 'NXDOMAIN');
  assert.equal(r.answers.length, 0);
  assert.equal(r.authorities[0].type, 'SOA');
};
const isNodata = (r: Reply) => {
  assert.equal(r.rcode, 'NOERROR');
  assert.equal(r.answers.length, 0);
  assert.equal(r.authorities[0].type, 'SOA', 'NODATA carries the SOA');
};

test('A for a ClusterIP service, authoritative, with the configured TTL', () => {
  const r = ask('my-nginx.default.svc.cluster.local');
  assert.equal(r.rcode, 'NOERROR');
  assert.equal(r.authoritative, true);
  assert.deepEqual(r.answers, [{ name: 'my-nginx.default.svc.cluster.local', type: 'A', ttl: 5, class: 'IN', data: '10.96.0.20' }]);
});

test('names are matched case-insensitively and owners keep the question spelling', () => {
  const r = ask('My-NGINX.Default.SVC.Cluster.Local.');
  assert.deepEqual(data(r), ['10.96.0.20']);
  assert.equal(r.answers[0].name, 'My-NGINX.Default.SVC.Cluster.Local');
});

test('search-list-shaped names: only the one that exists answers, the others are NXDOMAIN', () => {
  // A pod in `default` asking `my-nginx.default` (ndots:5) tries these in order.
  isNxdomain(ask('my-nginx.default.default.svc.cluster.local'));
  assert.deepEqual(data(ask('my-nginx.default.svc.cluster.local')), ['10.96.0.20']);
  // `my-nginx.default.svc` tries `my-nginx.default.svc.default.svc.cluster.local` first.
  isNxdomain(ask('my-nginx.default.svc.default.svc.cluster.local'));
  isNxdomain(ask('my-nginx.default.svc.svc.cluster.local'));
  // a full name with the search suffix appended
  isNxdomain(ask('my-nginx.default.svc.cluster.local.default.svc.cluster.local'));
  // from namespace `other`, the short name expands into other's domain and is not found
  isNxdomain(ask('my-nginx.other.svc.cluster.local'));
  assert.deepEqual(data(ask('db.other.svc.cluster.local')), ['10.96.5.5']);
});

test('AAAA of an IPv4-only service is NODATA; dual-stack services answer both families', () => {
  isNodata(ask('my-nginx.default.svc.cluster.local', 'AAAA'));
  assert.deepEqual(data(ask('dual.default.svc.cluster.local', 'AAAA')), ['fd00:96::21']);
  assert.deepEqual(data(ask('dual.default.svc.cluster.local', 'A')), ['10.96.0.21']);
});

test('a type the name does not have is NODATA (TXT, MX on a service)', () => {
  isNodata(ask('my-nginx.default.svc.cluster.local', 'TXT'));
  isNodata(ask('my-nginx.default.svc.cluster.local', 'MX'));
});

test('headless: one A per ready endpoint, not-ready left out', () => {
  assert.deepEqual(data(ask('myapp-svc-headless.default.svc.cluster.local')), ['10.244.0.5', '10.244.0.6', '10.244.0.7']);
});

test('headless with publishNotReadyAddresses includes not-ready endpoints', () => {
  assert.deepEqual(data(ask('pending.default.svc.cluster.local')), ['10.244.2.2']);
});

test('headless without endpoints is NXDOMAIN (spec 2.4.1)', () => {
  isNxdomain(ask('empty-headless.default.svc.cluster.local'));
});

test('per-endpoint names: hostname, else the dashed IP', () => {
  assert.deepEqual(data(ask('web-0.web.default.svc.cluster.local')), ['10.244.1.10']);
  assert.deepEqual(data(ask('10-244-0-6.myapp-svc-headless.default.svc.cluster.local')), ['10.244.0.6']);
  // an endpoint with a hostname is not reachable by its dashed IP (CoreDNS's endpointHostname)
  isNxdomain(ask('10-244-1-10.web.default.svc.cluster.local'));
  isNxdomain(ask('web-9.web.default.svc.cluster.local'));
  // not-ready endpoints have no names
  isNxdomain(ask('10-244-0-8.myapp-svc-headless.default.svc.cluster.local'));
});

test('SRV for a named port of a ClusterIP service, with the service A in additional', () => {
  const r = ask('_https._tcp.kubernetes.default.svc.cluster.local', 'SRV');
  assert.deepEqual(data(r), [{ priority: 0, weight: 100, port: 443, target: 'kubernetes.default.svc.cluster.local' }]);
  assert.deepEqual(
    r.additionals.map((a) => [a.name, a.type, (a as { data: unknown }).data]),
    [['kubernetes.default.svc.cluster.local', 'A', '10.96.0.1']],
  );
  // protocol matters: dns is UDP, dns-tcp is TCP
  assert.equal(data(ask('_dns._udp.kube-dns.kube-system.svc.cluster.local', 'SRV')).length, 1);
  isNxdomain(ask('_dns._tcp.kube-dns.kube-system.svc.cluster.local', 'SRV'));
  isNxdomain(ask('_nope._tcp.kubernetes.default.svc.cluster.local', 'SRV'));
  // the SRV name exists, so an A question for it is NODATA, as is the `_tcp` empty non-terminal
  isNodata(ask('_https._tcp.kubernetes.default.svc.cluster.local', 'A'));
  isNodata(ask('_tcp.kubernetes.default.svc.cluster.local', 'A'));
});

test('SRV for a headless service: one per endpoint, endpoint port, hostname targets, A records in additional', () => {
  const r = ask('_http._tcp.web.default.svc.cluster.local', 'SRV');
  assert.deepEqual(data(r), [
    { priority: 0, weight: 50, port: 8080, target: 'web-0.web.default.svc.cluster.local' },
    { priority: 0, weight: 50, port: 8080, target: 'web-1.web.default.svc.cluster.local' },
  ]);
  assert.deepEqual(
    r.additionals.map((a) => [a.name, (a as { data: unknown }).data]),
    [
      ['web-0.web.default.svc.cluster.local', '10.244.1.10'],
      ['web-1.web.default.svc.cluster.local', '10.244.1.11'],
    ],
  );
  const dashed = ask('_http._tcp.myapp-svc-headless.default.svc.cluster.local', 'SRV');
  assert.deepEqual(
    data(dashed).map((d: any) => d.target),
    ['10-244-0-5', '10-244-0-6', '10-244-0-7'].map((h) => `${h}.myapp-svc-headless.default.svc.cluster.local`),
  );
});

test('SRV on the plain service name lists every port (CoreDNS), unnamed ones too', () => {
  assert.deepEqual(data(ask('my-nginx.default.svc.cluster.local', 'SRV')), [{ priority: 0, weight: 100, port: 80, target: 'my-nginx.default.svc.cluster.local' }]);
});

test('PTR for a cluster IP and for an endpoint address', () => {
  assert.deepEqual(data(ask('1.0.96.10.in-addr.arpa', 'PTR')), ['kubernetes.default.svc.cluster.local']);
  assert.deepEqual(data(ask('10.1.244.10.in-addr.arpa', 'PTR')), ['web-0.web.default.svc.cluster.local']);
  assert.deepEqual(data(ask('5.0.244.10.in-addr.arpa', 'PTR')), ['10-244-0-5.myapp-svc-headless.default.svc.cluster.local']);
  const v6 = '1.2.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.6.9.0.0.0.0.d.f.ip6.arpa';
  assert.deepEqual(data(ask(v6, 'PTR')), ['dual.default.svc.cluster.local']);
});

test('PTR for an unknown IP is NXDOMAIN that falls through to forwarding', () => {
  const r = ask('4.4.8.8.in-addr.arpa', 'PTR');
  isNxdomain(r);
  assert.equal(r.fallthrough, true);
  assert.equal(r.authorities[0].name, 'in-addr.arpa');
  // without fallthrough it stays NXDOMAIN
  assert.equal(ask('4.4.8.8.in-addr.arpa', 'PTR', { ...cfg, fallthrough: undefined }).fallthrough, false);
  // cluster names never fall through with `fallthrough in-addr.arpa ip6.arpa`
  assert.equal(ask('nope.default.svc.cluster.local').fallthrough, false);
});

test('ExternalName: CNAME, chased for address questions, not for CNAME', () => {
  const r = ask('numbers-api.default.svc.cluster.local');
  assert.deepEqual(
    r.answers.map((a) => [a.type, (a as { data: unknown }).data]),
    [['CNAME', 'api.example.test']],
  );
  assert.equal(r.chase, 'api.example.test');
  assert.equal(ask('numbers-api.default.svc.cluster.local', 'CNAME').chase, undefined);
});

test('pod records: pods insecure answers any well-formed dashed IP; disabled is NXDOMAIN', () => {
  assert.deepEqual(data(ask('10-244-0-9.default.pod.cluster.local')), ['10.244.0.9']);
  assert.deepEqual(data(ask('1-2-3-4.anything.pod.cluster.local')), ['1.2.3.4']);
  assert.deepEqual(data(ask('fd00--9.default.pod.cluster.local', 'AAAA')), ['fd00::9']);
  isNodata(ask('10-244-0-9.default.pod.cluster.local', 'AAAA'));
  isNxdomain(ask('10-244-0-300.default.pod.cluster.local'));
  isNxdomain(ask('not-an-ip.default.pod.cluster.local'));
  isNxdomain(ask('10-244-0-9.default.pod.cluster.local', 'A', { ...cfg, pods: 'disabled' }));
});

test('dns-version TXT is the schema version', () => {
  assert.deepEqual(data(ask('dns-version.cluster.local', 'TXT')), [['1.1.0']]);
});

test('zone apex: SOA and NS; NXDOMAIN carries the SOA CoreDNS writes', () => {
  const s = ask('cluster.local', 'SOA');
  assert.deepEqual(s.answers[0], {
    name: 'cluster.local',
    type: 'SOA',
    ttl: 5,
    class: 'IN',
    data: { mname: 'ns.dns.cluster.local', rname: 'hostmaster.cluster.local', serial: 1700000000, refresh: 7200, retry: 1800, expire: 86400, minimum: 5 },
  });
  const ns = ask('cluster.local', 'NS');
  assert.deepEqual(data(ns), ['ns.dns.cluster.local']);
  assert.deepEqual(ns.additionals.map((a) => (a as { data: unknown }).data), ['10.96.0.10']);
  assert.deepEqual(data(ask('ns.dns.cluster.local')), ['10.96.0.10']);
  const nx = ask('nope.cluster.local');
  isNxdomain(nx);
  assert.deepEqual(nx.authorities[0], s.answers[0]);
});

test('empty non-terminals are NODATA: svc, <ns>.svc (while a service lives there), pod', () => {
  isNodata(ask('svc.cluster.local'));
  isNodata(ask('default.svc.cluster.local'));
  isNxdomain(ask('nosuchns.svc.cluster.local'));
  isNodata(ask('pod.cluster.local'));
});

test('names outside the cluster zones are not answered here', () => {
  assert.equal(answer({ name: 'example.com', type: 'A' }, view, cfg), undefined);
  assert.equal(answer({ name: 'cluster.localx', type: 'A' }, view, cfg), undefined);
});
