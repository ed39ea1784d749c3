/**
 * The per-location policy and header rewriting (pure). Address plan:
 * clients 127.0.0.1 and 10.1.2.3, nothing is dialled.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseAnnotations, PREFIX } from './annotations.ts';
import { forwardedFor, newRequestId, plainAddress, responseHeadersH1, responseHeadersH2, upstreamHeaders } from './headers.ts';
import type { Match } from './match.ts';
import { allowed, corsHeaders, decide, type RequestFacts } from './policy.ts';
import type { Route, Server } from './types.ts';

function at(annotations: Record<string, string>, opts: { tls?: boolean; upstream?: string } = {}): Match {
  const config = parseAnnotations(Object.fromEntries(Object.entries(annotations).map(([k, v]) => [PREFIX + k, v]))).config;
  const route: Route = { ingress: 'default/i', namespace: 'default', path: '/', pathType: 'Prefix', upstream: opts.upstream ?? 'default-a-80', service: 'a', servicePort: '80', config };
  const server: Server = { host: 'h.test', routes: [route], fallback: route, regexHost: false, ...(opts.tls ? { tlsSecret: 'default/s' } : {}) };
  return { server, route, matched: true };
}

const facts = (f: Partial<RequestFacts> = {}): RequestFacts => ({ method: 'GET', scheme: 'http', host: 'h.test', path: '/p', uri: '/p?q=1', remoteAddr: '127.0.0.1', ...f });

test('decide: proxy by default; 404 for the default backend; 503 without endpoints', () => {
  assert.deepEqual(decide(at({}), facts(), 2), { kind: 'proxy' });
  assert.deepEqual(decide(at({}, { upstream: '' }), facts(), 0), { kind: 'respond', status: 404 });
  assert.deepEqual(decide(at({}), facts(), 0), { kind: 'respond', status: 503 });
});

test('decide: HTTPS redirect (308, port dropped) for TLS hosts unless ssl-redirect false; force-ssl-redirect; never on https', () => {
  assert.deepEqual(decide(at({}, { tls: true }), facts({ host: 'h.test:30080' }), 1), { kind: 'respond', status: 308, headers: ['Location', 'https://h.test/p?q=1'] });
  assert.equal(decide(at({ 'ssl-redirect': 'false' }, { tls: true }), facts(), 1).kind, 'proxy');
  assert.equal(decide(at({}, { tls: true }), facts({ scheme: 'https' }), 1).kind, 'proxy');
  assert.equal(decide(at({ 'force-ssl-redirect': 'true' }), facts(), 1).kind, 'respond');
  assert.equal(decide(at({}), facts(), 1).kind, 'proxy');
});

test('decide: body size by Content-Length; 0 means unlimited', () => {
  assert.deepEqual(decide(at({ 'proxy-body-size': '1k' }), facts({ contentLength: 1025 }), 1), { kind: 'respond', status: 413 });
  assert.equal(decide(at({ 'proxy-body-size': '1k' }), facts({ contentLength: 1024 }), 1).kind, 'proxy');
  assert.equal(decide(at({ 'proxy-body-size': '0' }), facts({ contentLength: 1e9 }), 1).kind, 'proxy');
  assert.deepEqual(decide(at({}), facts({ contentLength: 1024 * 1024 + 1 }), 1), { kind: 'respond', status: 413 }, 'the 1m default');
});

test('decide: app-root only on /, redirects before the HTTPS redirect, temporal before permanent', () => {
  assert.deepEqual(decide(at({ 'app-root': '/app' }), facts({ path: '/', uri: '/' }), 1), { kind: 'respond', status: 302, headers: ['Location', 'http://h.test/app'] });
  assert.equal(decide(at({ 'app-root': '/app' }), facts(), 1).kind, 'proxy');
  const both = at({ 'permanent-redirect': 'https://p.example/', 'temporal-redirect': 'https://t.example/' }, { tls: true });
  assert.deepEqual(decide(both, facts(), 1), { kind: 'respond', status: 302, headers: ['Location', 'https://t.example/'] });
});

test('whitelist-source-range: IPv4 ranges, single addresses, IPv6; an empty list allows everyone', () => {
  const cfg = at({ 'whitelist-source-range': '10.0.0.0/8, 192.0.2.7, ::1' }).route.config;
  assert.equal(allowed(cfg, '10.1.2.3'), true);
  assert.equal(allowed(cfg, '192.0.2.7'), true);
  assert.equal(allowed(cfg, '192.0.2.8'), false);
  assert.equal(allowed(cfg, '::1'), true);
  assert.equal(allowed(cfg, '127.0.0.1'), false);
  assert.equal(allowed(at({}).route.config, '203.0.113.1'), true);
  assert.deepEqual(decide(at({ 'whitelist-source-range': '10.0.0.0/8' }), facts(), 1), { kind: 'respond', status: 403 });
  assert.equal(plainAddress('::ffff:10.1.2.3'), '10.1.2.3');
});

test('CORS: preflight 204 with Max-Age and an empty text body; wildcard subdomains match one label', () => {
  const c = at({ 'enable-cors': 'true', 'cors-allow-origin': 'https://*.corp.example', 'cors-expose-headers': 'X-Total' }).route.config.cors!;
  const pre = decide(at({ 'enable-cors': 'true' }), facts({ method: 'OPTIONS', origin: 'https://a.example' }), 1);
  assert.equal(pre.kind, 'respond');
  assert.equal(pre.kind === 'respond' && pre.status, 204);
  const h = corsHeaders(c, 'https://api.corp.example', false)!;
  assert.equal(h[h.indexOf('Access-Control-Allow-Origin') + 1], 'https://api.corp.example');
  assert.equal(h[h.indexOf('Access-Control-Expose-Headers') + 1], 'X-Total');
  assert.equal(corsHeaders(c, 'https://a.b.corp.example', false), undefined);
  assert.equal(corsHeaders(c, 'https://corp.example', false), undefined);
  assert.equal(corsHeaders(c, undefined, false), undefined);
});

test('headers: hop-by-hop and spoofed X-Forwarded-* dropped, ingress-nginx set added, HTTP/2 pseudo-headers skipped', () => {
  const raw = [':path', '/', 'Host', 'x', 'Connection', 'keep-alive, X-Hop', 'X-Hop', '1', 'X-Forwarded-For', '1.2.3.4', 'X-Forwarded-For', '5.6.7.8', 'Proxy', 'evil', 'Accept', '*/*', 'TE', 'trailers'];
  const out = upstreamHeaders(raw, { host: 'x:80', remoteAddr: '10.1.2.3', scheme: 'http', port: '80', requestId: 'r', originalForwardedFor: forwardedFor(raw) });
  assert.deepEqual(out, [
    'Host', 'x:80', 'Accept', '*/*',
    'X-Request-ID', 'r', 'X-Real-IP', '10.1.2.3', 'X-Forwarded-For', '10.1.2.3', 'X-Forwarded-Host', 'x:80', 'X-Forwarded-Port', '80',
    'X-Forwarded-Proto', 'http', 'X-Forwarded-Scheme', 'http', 'X-Scheme', 'http', 'X-Original-Forwarded-For', '1.2.3.4, 5.6.7.8',
  ]);
  const up = upstreamHeaders(['Upgrade', 'websocket', 'Connection', 'Upgrade'], { host: 'x', remoteAddr: '1', scheme: 'http', port: '80', requestId: 'r', originalForwardedFor: '', upgrade: 'websocket' });
  assert.deepEqual(up.slice(0, 6), ['Host', 'x', 'Upgrade', 'websocket', 'Connection', 'upgrade']);
});

test('response headers: Server nginx, hop-by-hop gone; HTTP/2 gets lower-case names and arrays for repeats', () => {
  const raw = ['Server', 'gunicorn', 'Connection', 'keep-alive', 'Transfer-Encoding', 'chunked', 'Set-Cookie', 'a=1', 'Set-Cookie', 'b=2', 'Content-Type', 'text/plain'];
  assert.deepEqual(responseHeadersH1(raw, ['X-Extra', '1']), ['Server', 'nginx', 'Set-Cookie', 'a=1', 'Set-Cookie', 'b=2', 'Content-Type', 'text/plain', 'X-Extra', '1']);
  assert.deepEqual(responseHeadersH2(raw), { server: 'nginx', 'set-cookie': ['a=1', 'b=2'], 'content-type': 'text/plain' });
});

test('request ids: 32 hex digits, all different', () => {
  const ids = new Set(Array.from({ length: 1000 }, () => newRequestId()));
  assert.equal(ids.size, 1000);
  for (const id of ids) assert.match(id, /^[0-9a-f]{32}$/);
});
