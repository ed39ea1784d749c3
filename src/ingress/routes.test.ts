/**
 * Route rules. Address plan: pods 10.244.0.x:8080, Services in `default`,
 * nothing is dialled. Each Kubernetes docs example (the pathType table) has
 * a positive and a negative request.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ingressesToRoutes, match } from './routes.ts';
import { rewriteUri } from './match.ts';
import { ingress, service, slice, tlsSecret } from './fixtures.ts';
import { selfSignedCert } from './certs.ts';
import type { KubeObject } from '../api/meta.ts';

const svcs = ['a', 'b', 'c', 'd', 'e', 'f'].map((n) => service(n));
const slices = ['a', 'b', 'c', 'd', 'e', 'f'].map((n, i) => slice(n, [{ ip: `10.244.0.${i + 1}` }]));

function table(ings: KubeObject[], secrets: KubeObject[] = []) {
  return ingressesToRoutes(ings, svcs, slices, secrets);
}

/** Which service answers `path` on `host` ('' = the 404 default backend). */
function who(t: ReturnType<typeof table>, path: string, host = 'x.test'): string {
  return match(t.table, host, path).route.service;
}

function paths(...ps: [string, string, string][]) {
  return table([ingress('ing', { rules: [{ paths: ps.map(([path, pathType, s]) => ({ path, pathType, service: s })) }] })]);
}

test('spec table: Prefix / matches every path', () => {
  const t = paths(['/', 'Prefix', 'a']);
  assert.equal(who(t, '/'), 'a');
  assert.equal(who(t, '/anything/at/all'), 'a');
});

test('spec table: Exact /foo matches /foo only (not /bar, /foo/), Exact /foo/ does not match /foo', () => {
  const t = paths(['/foo', 'Exact', 'a']);
  assert.equal(who(t, '/foo'), 'a');
  assert.equal(who(t, '/bar'), '');
  assert.equal(who(t, '/foo/'), '');
  assert.equal(who(paths(['/foo/', 'Exact', 'a']), '/foo'), '');
  assert.equal(who(paths(['/foo/', 'Exact', 'a']), '/foo/'), 'a');
});

test('spec table: Prefix /foo and /foo/ both match /foo and /foo/', () => {
  for (const p of ['/foo', '/foo/']) {
    const t = paths([p, 'Prefix', 'a']);
    assert.equal(who(t, '/foo'), 'a', p);
    assert.equal(who(t, '/foo/'), 'a', p);
    assert.equal(who(t, '/fo'), '', p);
  }
});

test('spec table: Prefix is element-wise (/aaa/bb does not match /aaa/bbb, /aaa/bbb not /aaa/bbbxyz)', () => {
  assert.equal(who(paths(['/aaa/bb', 'Prefix', 'a']), '/aaa/bbb'), '');
  const t = paths(['/aaa/bbb', 'Prefix', 'a']);
  assert.equal(who(t, '/aaa/bbb'), 'a');
  assert.equal(who(t, '/aaa/bbb/'), 'a');
  assert.equal(who(t, '/aaa/bbb/ccc'), 'a');
  assert.equal(who(t, '/aaa/bbbxyz'), '');
  assert.equal(who(paths(['/aaa/bbb/', 'Prefix', 'a']), '/aaa/bbb'), 'a');
});

test('spec table: longest prefix wins, / catches the rest, no match goes to the default backend', () => {
  const t = paths(['/', 'Prefix', 'a'], ['/aaa', 'Prefix', 'b'], ['/aaa/bbb', 'Prefix', 'c']);
  assert.equal(who(t, '/aaa/ccc'), 'b');
  assert.equal(who(t, '/aaa/bbb'), 'c');
  assert.equal(who(t, '/ccc'), 'a');
  assert.equal(who(paths(['/aaa', 'Prefix', 'a']), '/ccc'), '');
});

test('spec table: Exact is preferred over Prefix for the same path', () => {
  const t = paths(['/foo', 'Prefix', 'a'], ['/foo', 'Exact', 'b']);
  assert.equal(who(t, '/foo'), 'b');
  assert.equal(who(t, '/foo/x'), 'a');
});

test('ImplementationSpecific is nginx string prefix; matching is case sensitive', () => {
  const t = paths(['/foo', 'ImplementationSpecific', 'a']);
  assert.equal(who(t, '/foobar'), 'a');
  assert.equal(who(t, '/fo'), '');
  assert.equal(who(paths(['/Foo', 'Prefix', 'a']), '/foo'), '');
});

test('use-regex: every location of the host becomes a case-insensitive regex, longest first', () => {
  const t = table([
    ingress('r', { annotations: { 'nginx.ingress.kubernetes.io/use-regex': 'true' }, rules: [{ host: 'x.test', paths: [{ path: '/api/v[0-9]+/.*', pathType: 'ImplementationSpecific', service: 'a' }] }] }),
    ingress('p', { rules: [{ host: 'x.test', paths: [{ path: '/static', pathType: 'Prefix', service: 'b' }] }] }),
  ]);
  assert.equal(who(t, '/API/v2/users'), 'a');
  assert.equal(who(t, '/api/vX/users'), '');
  assert.equal(who(t, '/staticfiles'), 'b', 'Prefix on a regex host is ^/static (ingress-nginx)');
  assert.equal(who(t, '/other'), '');
});

test('rewrite-target with capture groups: /something(/|$)(.*) -> /$2', () => {
  const t = table([
    ingress('rw', { annotations: { 'nginx.ingress.kubernetes.io/rewrite-target': '/$2' }, rules: [{ host: 'x.test', paths: [{ path: '/something(/|$)(.*)', pathType: 'ImplementationSpecific', service: 'a' }] }] }),
  ]);
  const m = match(t.table, 'x.test', '/something/new');
  assert.equal(m.route.service, 'a');
  assert.equal(rewriteUri(m.route, '/something/new', '?q=1'), '/new?q=1');
  assert.equal(rewriteUri(m.route, '/something', ''), '/');
  assert.equal(who(t, '/somethingelse'), '', '(/|$) needs a slash or the end after /something');
  assert.equal(rewriteUri(match(t.table, 'x.test', '/something/a/b').route, '/something/a/b', ''), '/a/b');
  assert.equal(who(t, '/nothing'), '');
});

test('rewrite-target / without captures sends every matched URI to /', () => {
  const t = table([ingress('min', { annotations: { 'nginx.ingress.kubernetes.io/rewrite-target': '/' }, rules: [{ paths: [{ path: '/testpath', pathType: 'Prefix', service: 'a' }] }] })]);
  const m = match(t.table, '10.0.0.1:30080', '/testpath');
  assert.equal(m.route.service, 'a');
  assert.equal(rewriteUri(m.route, '/testpath', ''), '/');
  assert.equal(who(t, '/other', 'anything'), '');
});

test('hosts: exact, wildcard over one label, unknown host falls to the catch-all server', () => {
  const t = table([
    ingress('h', {
      rules: [
        { host: 'a.whale.hey', paths: [{ service: 'a' }] },
        { host: '*.foo.com', paths: [{ service: 'b' }] },
        { paths: [{ path: '/any', service: 'c' }] },
        { host: 'only.test', paths: [{ path: '/p', service: 'd' }] },
      ],
    }),
  ]);
  assert.equal(who(t, '/', 'a.whale.hey'), 'a');
  assert.equal(who(t, '/', 'A.Whale.Hey:80'), 'a');
  assert.equal(who(t, '/', 'bar.foo.com'), 'b');
  assert.equal(who(t, '/', 'baz.bar.foo.com'), '', 'a wildcard covers one label only');
  assert.equal(who(t, '/', 'foo.com'), '');
  assert.equal(who(t, '/any', 'unknown.test'), 'c');
  assert.equal(who(t, '/any', 'only.test'), '', 'a matched host never falls through to the catch-all rules');
});

test('merge: Ingresses share a host; the oldest wins a conflicting path and the newer one gets a problem', () => {
  const old = ingress('old', { created: '2026-01-01T00:00:00Z', rules: [{ host: 'x.test', paths: [{ path: '/p', service: 'a' }] }] });
  const young = ingress('young', {
    created: '2026-01-02T00:00:00Z',
    rules: [{ host: 'x.test', paths: [{ path: '/p', service: 'b' }, { path: '/q', service: 'c' }] }],
  });
  const t = table([young, old]);
  assert.equal(who(t, '/p'), 'a');
  assert.equal(who(t, '/q'), 'c');
  assert.deepEqual(t.problems.map((p) => [p.ingress, p.reason]), [['default/young', 'PathConflict']]);
});

test('defaultBackend: rule-less Ingress is the catch-all default; with rules, the default of its hosts', () => {
  const t = table([
    ingress('def', { defaultBackend: { service: 'a' } }),
    ingress('hosted', { defaultBackend: { service: 'b' }, rules: [{ host: 'x.test', paths: [{ path: '/p', service: 'c' }] }] }),
  ]);
  assert.equal(who(t, '/nothing', 'other.test'), 'a');
  assert.equal(who(t, '/nothing', 'x.test'), 'b');
  assert.equal(who(t, '/p', 'x.test'), 'c');
  assert.equal(who(table([]), '/', 'x'), '', 'no Ingress at all: the 404 backend');
});

test('backends: port by number and by name, ready endpoints only, straight to pod IP:targetPort', () => {
  const s = service('web', [{ port: 80, name: 'http' }, { port: 9090, name: 'metrics' }]);
  const sl = slice('web', [{ ip: '10.244.0.9' }, { ip: '10.244.0.8' }, { ip: '10.244.0.7', ready: false }], [{ port: 8080, name: 'http' }, { port: 9100, name: 'metrics' }]);
  const r = ingressesToRoutes(
    [ingress('w', { rules: [{ paths: [{ path: '/a', service: 'web', port: 80 }, { path: '/m', service: 'web', port: 'metrics' }] }] })],
    [s],
    [sl],
    [],
  );
  assert.deepEqual(r.table.upstreams['default-web-80'].endpoints, ['10.244.0.8:8080', '10.244.0.9:8080']);
  assert.deepEqual(r.table.upstreams['default-web-metrics'].endpoints, ['10.244.0.8:9100', '10.244.0.9:9100']);
  assert.equal(match(r.table, 'h', '/m').route.upstream, 'default-web-metrics');
});

test('backends: a missing Service or port is an empty upstream (503) with a problem, never a throw', () => {
  const r = ingressesToRoutes([ingress('w', { rules: [{ paths: [{ path: '/a', service: 'nosuch' }, { path: '/b', service: 'a', port: 81 }] }] })], svcs, slices, []);
  assert.deepEqual(r.table.upstreams['default-nosuch-80'].endpoints, []);
  assert.deepEqual(r.table.upstreams['default-a-81'].endpoints, []);
  assert.deepEqual(r.problems.map((p) => p.reason), ['ServiceUnavailable', 'ServiceUnavailable']);
  assert.equal(match(r.table, 'h', '/a').route.upstream, 'default-nosuch-80');
});

test('invalid input is left out with a reason: bad annotation, bad path, bad host, resource backend, garbage', () => {
  const bad = ingress('bad', { annotations: { 'nginx.ingress.kubernetes.io/proxy-body-size': 'lots' }, rules: [{ paths: [{ path: '/x', service: 'a' }] }] });
  const badPath = ingress('bp', { rules: [{ paths: [{ path: 'nope', pathType: 'Prefix', service: 'a' }] }] });
  const badHost = ingress('bh', { rules: [{ host: 'Bad_Host!', paths: [{ service: 'a' }] }] });
  const res = ingress('res', { rules: [{ paths: [{ path: '/r', service: 'a' }] }] });
  res.spec.rules[0].http.paths[0].backend = { resource: { kind: 'StorageBucket', name: 'b' } };
  const garbage = { apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', metadata: { name: 'g', namespace: 'default' }, spec: { rules: [null, { http: { paths: [null] } }] } } as KubeObject;
  const r = table([bad, badPath, badHost, res, garbage]);
  assert.equal(who(r, '/x'), '');
  assert.deepEqual(r.problems.map((p) => `${p.ingress} ${p.reason}`).sort(), [
    'default/bad InvalidAnnotation',
    'default/bh InvalidHost',
    'default/bp InvalidPath',
    'default/g InvalidBackend',
    'default/res InvalidBackend',
  ]);
});

test('unknown nginx annotations are reported, not fatal', () => {
  const r = table([ingress('u', { annotations: { 'nginx.ingress.kubernetes.io/configuration-snippet': 'x' }, rules: [{ paths: [{ path: '/u', service: 'a' }] }] })]);
  assert.equal(who(r, '/u'), 'a');
  assert.deepEqual(r.unknown, ['default/u: nginx.ingress.kubernetes.io/configuration-snippet']);
});

test('TLS: a covering Secret is used, a missing or mismatched one falls back to the default certificate', async () => {
  const c = await selfSignedCert({ cn: 'a.whale.hey', dns: ['a.whale.hey'] });
  const t = table(
    [
      ingress('t', {
        tls: [{ hosts: ['a.whale.hey'], secretName: 'a-tls' }, { hosts: ['b.whale.hey'], secretName: 'a-tls' }, { hosts: ['c.whale.hey'], secretName: 'gone' }, { hosts: ['d.whale.hey'] }],
        rules: ['a', 'b', 'c', 'd'].map((h) => ({ host: `${h}.whale.hey`, paths: [{ service: 'a' }] })),
      }),
    ],
    [tlsSecret('a-tls', c.cert, c.key)],
  );
  const tls = Object.fromEntries(t.table.servers.map((s) => [s.host, s.tlsSecret]));
  assert.equal(tls['a.whale.hey'], 'default/a-tls');
  assert.equal(tls['b.whale.hey'], undefined);
  assert.equal(tls['c.whale.hey'], undefined);
  assert.equal(tls['d.whale.hey'], '', 'no secretName: the default certificate, still a TLS host');
  assert.equal(t.table.certs['default/a-tls'].cert, c.cert);
  assert.deepEqual(t.problems.map((p) => p.reason), ['InvalidTLS', 'InvalidTLS']);
});
