/**
 * The Corefile subset: kubeadm's default Corefile, stub domains, options,
 * and the errors that keep the previous configuration. Upstream addresses
 * are documentation/loopback addresses; nothing is sent anywhere.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseCorefile, parseResolvConf, parseUpstream } from './corefile.ts';
import { DEFAULT_COREFILE, DnsError } from './types.ts';

test("kubeadm's default Corefile", () => {
  const c = parseCorefile(DEFAULT_COREFILE);
  assert.deepEqual(c.cluster, { zones: ['cluster.local', 'in-addr.arpa', 'ip6.arpa'], pods: 'insecure', ttl: 30, fallthrough: ['in-addr.arpa', 'ip6.arpa'] });
  assert.deepEqual(c.forward, { resolvConf: '/etc/resolv.conf' });
  assert.deepEqual(c.cache, { successTtl: 30, denialTtl: 30, capacity: 9984 });
  assert.equal(c.loadbalance, true);
  assert.equal(c.port, 53);
  assert.deepEqual(c.stubDomains, []);
  assert.deepEqual(c.ignored, []);
});

test('CoreDNS defaults: pods disabled, ttl 5, no fallthrough, no cache, no forward', () => {
  const c = parseCorefile('.:1053 {\n kubernetes cluster.local\n}\n');
  assert.deepEqual(c.cluster, { zones: ['cluster.local'], pods: 'disabled', ttl: 5, fallthrough: undefined });
  assert.equal(c.cache, undefined);
  assert.equal(c.forward, undefined);
  assert.equal(c.port, 1053);
  // `fallthrough` without zones falls through for every zone
  assert.deepEqual(parseCorefile('. {\n kubernetes example.org {\n  fallthrough\n }\n}').cluster.fallthrough, []);
  // no kubernetes plugin: no cluster zone at all
  assert.deepEqual(parseCorefile('.:53 {\n forward . 192.0.2.1\n}').cluster.zones, []);
});

test('forward to addresses, ports, IPv6 and dns:// forms; stub domains as extra server blocks', () => {
  const c = parseCorefile(`.:53 {
    kubernetes Cluster.Local. {
      pods disabled
    }
    forward . 192.0.2.1 192.0.2.2:5353 [2001:db8::1]:53 dns://192.0.2.3 {
      max_concurrent 1000
      policy sequential
    }
}
consul.local:53 {
    errors
    cache 30
    forward . 10.150.0.1
}
dns://corp.example:53 corp2.example {
    forward . 10.0.0.1:1053
}
`);
  assert.deepEqual(c.cluster.zones, ['cluster.local']);
  assert.deepEqual(c.forward, {
    upstreams: [
      { host: '192.0.2.1', port: 53 },
      { host: '192.0.2.2', port: 5353 },
      { host: '2001:db8::1', port: 53 },
      { host: '192.0.2.3', port: 53 },
    ],
  });
  assert.deepEqual(c.stubDomains, [
    { zone: 'consul.local', upstreams: [{ host: '10.150.0.1', port: 53 }] },
    { zone: 'corp.example', upstreams: [{ host: '10.0.0.1', port: 1053 }] },
    { zone: 'corp2.example', upstreams: [{ host: '10.0.0.1', port: 1053 }] },
  ]);
});

test('cache options: success and denial capacities and TTL caps', () => {
  const c = parseCorefile('.:53 {\n cache 300 {\n  success 5000 60\n  denial 1000 10\n  prefetch 10\n }\n}');
  assert.deepEqual(c.cache, { successTtl: 60, denialTtl: 10, capacity: 6000 });
  assert.deepEqual(parseCorefile('.:53 {\n cache\n}').cache, { successTtl: 3600, denialTtl: 1800, capacity: 9984 });
});

test('unknown plugins and options are listed as ignored, not fatal; comments and quotes are read', () => {
  const c = parseCorefile(`# a comment
.:53 { # trailing comment
    rewrite name foo.example.com bar.default.svc.cluster.local
    hosts {
      192.0.2.1 "my host"
      fallthrough
    }
    kubernetes cluster.local {
      pods verified
      namespaces default
    }
}
nothing.example {
    errors
}
`);
  assert.deepEqual(c.ignored, ['rewrite', 'hosts', 'kubernetes/pods verified (served as insecure)', 'kubernetes/namespaces', 'server block nothing.example (no forward)']);
  assert.equal(c.cluster.pods, 'insecure');
});

test('a Corefile that does not parse is a DnsError COREFILE naming the line', () => {
  const bad: [string, RegExp][] = [
    ['.:53 {\n kubernetes cluster.local\n', /line 1: unclosed "\{"/],
    ['.:53 {\n}\n}\n', /line 3: server block \(empty\) without "\{"/],
    ['.:53 {\n kubernetes cluster.local {\n  ttl 99999\n }\n}', /line 3: ttl: bad ttl 99999/],
    ['.:53 {\n kubernetes cluster.local {\n  pods sometimes\n }\n}', /line 3: pods: unknown mode sometimes/],
    ['.:53 {\n forward . not-an-ip\n}', /line 2: upstream not-an-ip is not an IP address/],
    ['.:53 {\n forward . tls://192.0.2.1\n}', /line 2: unsupported upstream transport/],
    ['.:53 {\n forward .\n}', /line 2: forward needs FROM and at least one TO/],
    ['.:53 {\n forward example.org 192.0.2.1\n}', /only "\." or the block's zone/],
    ['.:99999 {\n}', /bad port/],
    ['consul.local {\n forward . 192.0.2.1\n}', /no server block for "\."/],
    ['.:53 {\n}\n.:53 {\n}', /a second server block/],
    ['', /no server block/],
    ['.:53 {\n kubernetes\n}', /kubernetes needs a zone/],
    ['.:53 {\n loadbalance weighted\n}', /loadbalance: unknown policy weighted/],
    ['consul.local {\n forward . /etc/resolv.conf\n}\n.:53 {\n}', /a stub domain forwards to addresses/],
  ];
  for (const [text, re] of bad) {
    assert.throws(
      () => parseCorefile(text),
      (e: unknown) => e instanceof DnsError && e.code === 'COREFILE' && re.test(e.message),
      `${JSON.stringify(text)} should fail with ${re}`,
    );
  }
});

test('resolv.conf: nameservers in order, comments, options and bad lines skipped', () => {
  const text = '# generated\nsearch example.org\nnameserver 192.0.2.53\nnameserver fe80::1%eth0 ; link-local\nnameserver bogus\noptions ndots:5\nnameserver 2001:db8::53\n';
  assert.deepEqual(parseResolvConf(text), [
    { host: '192.0.2.53', port: 53 },
    { host: 'fe80::1', port: 53 },
    { host: '2001:db8::53', port: 53 },
  ]);
  assert.deepEqual(parseResolvConf(''), []);
  assert.deepEqual(parseUpstream('2001:db8::1', 1), { host: '2001:db8::1', port: 53 });
});
