/** Each annotation with a valid and an invalid value, and the defaults. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseAnnotations, parseSize, PREFIX, DEFAULT_LOCATION, CORS_DEFAULTS } from './annotations.ts';

const p = (a: Record<string, string>) => parseAnnotations(Object.fromEntries(Object.entries(a).map(([k, v]) => [PREFIX + k, v])));

test('defaults are ingress-nginx defaults', () => {
  const r = parseAnnotations(undefined);
  assert.deepEqual(r.errors, []);
  assert.deepEqual(r.config, { ...DEFAULT_LOCATION, whitelist: [] });
  assert.equal(r.config.proxyBodySize, 1048576);
  assert.equal(r.config.sslRedirect, true);
});

const cases: [string, Record<string, string>, (c: ReturnType<typeof p>['config']) => unknown, unknown, Record<string, string>][] = [
  ['rewrite-target', { 'rewrite-target': '/$2' }, (c) => c.rewriteTarget, '/$2', { 'rewrite-target': '/x; return 200' }],
  ['use-regex', { 'use-regex': 'true' }, (c) => c.useRegex, true, { 'use-regex': 'yes' }],
  ['ssl-redirect', { 'ssl-redirect': 'false' }, (c) => c.sslRedirect, false, { 'ssl-redirect': 'nope' }],
  ['force-ssl-redirect', { 'force-ssl-redirect': 'True' }, (c) => c.forceSslRedirect, true, { 'force-ssl-redirect': '2' }],
  ['backend-protocol', { 'backend-protocol': 'grpc' }, (c) => c.backendProtocol, 'GRPC', { 'backend-protocol': 'SPDY' }],
  ['backend-protocol HTTPS', { 'backend-protocol': 'HTTPS' }, (c) => c.backendProtocol, 'HTTPS', { 'backend-protocol': 'FCGI' }],
  ['proxy-body-size', { 'proxy-body-size': '8m' }, (c) => c.proxyBodySize, 8 * 1048576, { 'proxy-body-size': '8mb' }],
  ['proxy-body-size 0', { 'proxy-body-size': '0' }, (c) => c.proxyBodySize, 0, { 'proxy-body-size': '-1' }],
  ['proxy-connect-timeout', { 'proxy-connect-timeout': '2' }, (c) => c.proxyConnectTimeoutSeconds, 2, { 'proxy-connect-timeout': '2s' }],
  ['proxy-read-timeout', { 'proxy-read-timeout': '1' }, (c) => c.proxyReadTimeoutSeconds, 1, { 'proxy-read-timeout': 'x' }],
  ['proxy-send-timeout', { 'proxy-send-timeout': '3' }, (c) => c.proxySendTimeoutSeconds, 3, { 'proxy-send-timeout': '1.5' }],
  ['affinity', { affinity: 'cookie' }, (c) => c.affinity?.name, 'INGRESSCOOKIE', { affinity: 'ip' }],
  ['session-cookie-name', { affinity: 'cookie', 'session-cookie-name': 'route' }, (c) => c.affinity?.name, 'route', { affinity: 'cookie', 'session-cookie-name': 'a b' }],
  ['session-cookie-samesite', { affinity: 'cookie', 'session-cookie-samesite': 'Lax' }, (c) => c.affinity?.sameSite, 'Lax', { affinity: 'cookie', 'session-cookie-samesite': 'lax' }],
  ['session-cookie-max-age', { affinity: 'cookie', 'session-cookie-max-age': '172800' }, (c) => c.affinity?.maxAgeSeconds, 172800, { affinity: 'cookie', 'session-cookie-max-age': 'forever' }],
  ['session-cookie-path', { affinity: 'cookie', 'session-cookie-path': '/app' }, (c) => c.affinity?.path, '/app', { affinity: 'cookie', 'session-cookie-path': 'app' }],
  ['affinity-mode', { affinity: 'cookie', 'affinity-mode': 'persistent' }, (c) => c.affinity?.mode, 'persistent', { affinity: 'cookie', 'affinity-mode': 'sticky' }],
  ['app-root', { 'app-root': '/app1' }, (c) => c.appRoot, '/app1', { 'app-root': 'app1' }],
  ['permanent-redirect', { 'permanent-redirect': 'https://www.google.com' }, (c) => c.permanentRedirect, { url: 'https://www.google.com', code: 301 }, { 'permanent-redirect': 'not a url' }],
  ['permanent-redirect-code', { 'permanent-redirect': 'https://a.example/', 'permanent-redirect-code': '308' }, (c) => c.permanentRedirect?.code, 308, { 'permanent-redirect': 'https://a.example/', 'permanent-redirect-code': '200' }],
  ['temporal-redirect', { 'temporal-redirect': 'http://b.example/x' }, (c) => c.temporalRedirect, { url: 'http://b.example/x', code: 302 }, { 'temporal-redirect': 'ftp://b.example/' }],
  ['whitelist-source-range', { 'whitelist-source-range': '10.0.0.0/24, 127.0.0.1' }, (c) => c.whitelist, ['10.0.0.0/24', '127.0.0.1'], { 'whitelist-source-range': '10.0.0.0/33' }],
  ['enable-cors', { 'enable-cors': 'true' }, (c) => c.cors, CORS_DEFAULTS, { 'enable-cors': 'on' }],
  ['cors-allow-origin', { 'enable-cors': 'true', 'cors-allow-origin': 'https://a.example, https://*.b.example:8443' }, (c) => c.cors?.allowOrigins, ['https://a.example', 'https://*.b.example:8443'], { 'enable-cors': 'true', 'cors-allow-origin': 'a.example' }],
  ['cors-allow-methods', { 'enable-cors': 'true', 'cors-allow-methods': 'GET, POST' }, (c) => c.cors?.allowMethods, 'GET, POST', { 'enable-cors': 'true', 'cors-allow-methods': 'GET;' }],
  ['cors-allow-headers', { 'enable-cors': 'true', 'cors-allow-headers': 'X-Custom, Content-Type' }, (c) => c.cors?.allowHeaders, 'X-Custom, Content-Type', { 'enable-cors': 'true', 'cors-allow-headers': 'X:Y' }],
  ['cors-expose-headers', { 'enable-cors': 'true', 'cors-expose-headers': '*' }, (c) => c.cors?.exposeHeaders, '*', { 'enable-cors': 'true', 'cors-expose-headers': 'a$b' }],
  ['cors-allow-credentials', { 'enable-cors': 'true', 'cors-allow-credentials': 'false' }, (c) => c.cors?.allowCredentials, false, { 'enable-cors': 'true', 'cors-allow-credentials': 'maybe' }],
  ['cors-max-age', { 'enable-cors': 'true', 'cors-max-age': '600' }, (c) => c.cors?.maxAgeSeconds, 600, { 'enable-cors': 'true', 'cors-max-age': '10m' }],
];

for (const [name, good, get, want, badValue] of cases) {
  test(`annotation ${name}: valid value parsed, invalid value is an error string`, () => {
    const ok = p(good);
    assert.deepEqual(ok.errors, []);
    assert.deepEqual(get(ok.config), want);
    const bad = p(badValue);
    assert.equal(bad.errors.length, 1, JSON.stringify(bad.errors));
    assert.match(bad.errors[0], new RegExp(`^annotation ${PREFIX.replace(/\./g, '\\.')}`));
  });
}

test('unknown annotations of the prefix are listed; others are not our business', () => {
  const r = parseAnnotations({ [PREFIX + 'server-snippet']: 'x', 'example.com/foo': 'bar', [PREFIX + 'use-regex']: 'true' });
  assert.deepEqual(r.unknown, [PREFIX + 'server-snippet']);
  assert.deepEqual(r.errors, []);
});

test('parseSize: nginx sizes', () => {
  assert.equal(parseSize('512'), 512);
  assert.equal(parseSize('10k'), 10240);
  assert.equal(parseSize('1G'), 1024 ** 3);
  assert.equal(parseSize('1.5m'), undefined);
});
