import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseResolvConf, podDns, resolvConfText } from './dns.ts';

// Address plan: cluster DNS 10.96.0.10; the node's resolver 127.0.0.53 (a local stub in tests).
const host = parseResolvConf('# generated\nnameserver 127.0.0.53\nsearch corp.example\noptions edns0 trust-ad\n');
const c = { clusterDns: ['10.96.0.10'], domain: 'cluster.local', host };
const pod = (spec: object, ns = 'default') => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: ns }, spec });

test('ClusterFirst gives the cluster DNS, the namespace search path and ndots:5 (S1.3)', () => {
  assert.equal(
    resolvConfText(podDns(pod({}), c)),
    'search default.svc.cluster.local svc.cluster.local cluster.local corp.example\nnameserver 10.96.0.10\noptions ndots:5\n',
  );
  assert.match(resolvConfText(podDns(pod({}, 'test'), c)), /^search test\.svc\.cluster\.local svc\.cluster\.local cluster\.local/);
});

test('Default copies the node, hostNetwork with ClusterFirst falls back to Default', () => {
  assert.equal(resolvConfText(podDns(pod({ dnsPolicy: 'Default' }), c)), 'search corp.example\nnameserver 127.0.0.53\noptions edns0 trust-ad\n');
  assert.equal(podDns(pod({ hostNetwork: true }), c).nameservers[0], '127.0.0.53');
  assert.equal(podDns(pod({ hostNetwork: true, dnsPolicy: 'ClusterFirstWithHostNet' }), c).nameservers[0], '10.96.0.10');
});

test('None takes dnsConfig only; dnsConfig options override by name', () => {
  const d = podDns(pod({ dnsPolicy: 'None', dnsConfig: { nameservers: ['1.2.3.4'], searches: ['a.b'], options: [{ name: 'ndots', value: '2' }, { name: 'edns0' }] } }), c);
  assert.equal(resolvConfText(d), 'search a.b\nnameserver 1.2.3.4\noptions ndots:2 edns0\n');
  const merged = podDns(pod({ dnsConfig: { options: [{ name: 'ndots', value: '1' }] } }), c);
  assert.deepEqual(merged.options, ['ndots:1']);
});
