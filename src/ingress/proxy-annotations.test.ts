/**
 * The ingress-nginx annotations as the proxy applies them. Address plan:
 * the proxy on 127.0.0.1 (ephemeral ports); backends a on 127.0.0.2, b on
 * 127.0.0.3, an HTTPS backend on 127.0.0.7; clients connect from
 * 127.0.0.1 (inside a whitelist of 127.0.0.0/8, outside one of
 * 10.0.0.0/8).
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import { request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { selfSignedCert } from './certs.ts';
import { ingress } from './fixtures.ts';
import { backend, get, serviceFor, startProxy, type Backend, type Harness } from './testing.ts';

const A = 'nginx.ingress.kubernetes.io/';
let px: Harness;
let a: Backend;
let b: Backend;
let tlsBackend: HttpsServer;
let tlsPort = 0;

before(async () => {
  const slowHandler = (req: import('node:http').IncomingMessage, res: import('node:http').ServerResponse) => {
    if (req.url !== '/slow') return false;
    setTimeout(() => res.end('late'), 2500);
    return true;
  };
  [a, b] = await Promise.all([backend('a', '127.0.0.2', slowHandler), backend('b', '127.0.0.3', slowHandler)]);
  const cert = await selfSignedCert({ cn: 'backend.internal' });
  tlsBackend = createHttpsServer({ cert: cert.cert, key: cert.key }, (req, res) => res.end(`tls backend ${req.url}`));
  await new Promise<void>((r) => tlsBackend.listen(0, '127.0.0.7', r));
  tlsPort = (tlsBackend.address() as AddressInfo).port;
  px = await startProxy();
  const ab = [...serviceFor('ab', [a, b])];
  const one = (name: string, host: string, annotations: Record<string, string>, path = '/', service = 'ab') =>
    ingress(name, { annotations, rules: [{ host, paths: [{ path, service }] }] });
  px.apply(
    [
      one('sticky', 'sticky.test', { [A + 'affinity']: 'cookie', [A + 'session-cookie-max-age']: '3600' }),
      one('plain', 'rr.test', {}),
      one('body', 'body.test', { [A + 'proxy-body-size']: '8' }),
      one('timeout', 'timeout.test', { [A + 'proxy-read-timeout']: '1' }),
      one('allow', 'allow.test', { [A + 'whitelist-source-range']: '127.0.0.0/8, ::1' }),
      one('deny', 'deny.test', { [A + 'whitelist-source-range']: '10.0.0.0/8' }),
      one('cors', 'cors.test', { [A + 'enable-cors']: 'true', [A + 'cors-allow-origin']: 'https://app.example, https://*.corp.example' }),
      one('corsany', 'corsany.test', { [A + 'enable-cors']: 'true' }),
      one('approot', 'approot.test', { [A + 'app-root']: '/app1' }),
      one('perm', 'perm.test', { [A + 'permanent-redirect']: 'https://www.example.org/moved' }),
      one('temp', 'temp.test', { [A + 'temporal-redirect']: 'https://www.example.org/later', [A + 'temporal-redirect-code']: '307' }),
      one('https', 'tlsbackend.test', { [A + 'backend-protocol']: 'HTTPS' }, '/', 'secure'),
    ],
    [...ab, ...serviceFor('secure', [{ ip: '127.0.0.7', port: tlsPort }])],
  );
});

after(async () => {
  await px.close();
  await Promise.all([a.close(), b.close()]);
  tlsBackend.closeAllConnections();
  await new Promise((r) => tlsBackend.close(r));
});

test('affinity cookie: INGRESSCOOKIE is set once, and requests carrying it stick to one endpoint', async () => {
  const first = await get(px.http, '/', { host: 'sticky.test' });
  const setCookie = first.headers['set-cookie']?.[0] ?? '';
  assert.match(setCookie, /^INGRESSCOOKIE=[0-9a-f]{40}; Path=\/; Max-Age=3600; HttpOnly$/);
  const cookie = setCookie.split(';')[0];
  const names = new Set<string>();
  for (let i = 0; i < 6; i++) {
    const r = await get(px.http, '/', { host: 'sticky.test', headers: { Cookie: `other=1; ${cookie}` } });
    assert.equal(r.headers['set-cookie'], undefined);
    names.add(r.json().name);
  }
  assert.deepEqual([...names], [first.json().name]);
  // Without affinity the same client is spread over both.
  const spread = new Set<string>();
  for (let i = 0; i < 4; i++) spread.add((await get(px.http, '/', { host: 'rr.test', headers: { Cookie: cookie } })).json().name);
  assert.equal(spread.size, 2);
});

test('proxy-body-size: 413 for a larger Content-Length or chunked body, smaller ones pass', async () => {
  const big = await get(px.http, '/', { host: 'body.test', method: 'POST', body: '123456789' });
  assert.equal(big.status, 413);
  assert.match(big.body, /413 Request Entity Too Large/);
  assert.equal((await get(px.http, '/', { host: 'body.test', method: 'POST', body: '12345678' })).json().body, '12345678');
  const chunked = await new Promise<number>((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: px.http, method: 'POST', path: '/', agent: false, headers: { Host: 'body.test', 'Transfer-Encoding': 'chunked' } }, (res) => {
      res.resume();
      resolve(res.statusCode!);
    });
    req.on('error', reject);
    req.write('12345');
    setTimeout(() => req.end('67890'), 50);
  });
  assert.equal(chunked, 413);
});

test('proxy-read-timeout: 504 when the upstream is silent for longer, after trying the other endpoint', async () => {
  const t0 = performance.now();
  const r = await get(px.http, '/slow', { host: 'timeout.test' });
  assert.equal(r.status, 504);
  assert.match(r.body, /504 Gateway Time-out/);
  const took = performance.now() - t0;
  // At least the two timeouts of 1 s each (no upper bound: tests check behaviour, not speed).
  assert.ok(took >= 1900, `two tries of 1 s, took ${took} ms`);
});

test('whitelist-source-range: 403 outside the ranges', async () => {
  assert.equal((await get(px.http, '/', { host: 'allow.test' })).status, 200);
  const r = await get(px.http, '/', { host: 'deny.test' });
  assert.equal(r.status, 403);
  assert.match(r.body, /403 Forbidden/);
});

test('CORS: preflight answered with 204, allowed origins echoed on requests, others get no CORS headers', async () => {
  const pre = await get(px.http, '/api', { host: 'cors.test', method: 'OPTIONS', headers: { Origin: 'https://x.corp.example', 'Access-Control-Request-Method': 'PUT' } });
  assert.equal(pre.status, 204);
  assert.equal(pre.headers['access-control-allow-origin'], 'https://x.corp.example');
  assert.equal(pre.headers['access-control-allow-credentials'], 'true');
  assert.equal(pre.headers['access-control-allow-methods'], 'GET, PUT, POST, DELETE, PATCH, OPTIONS');
  assert.equal(pre.headers['access-control-max-age'], '1728000');
  assert.equal(pre.body, '');
  assert.equal(a.seen.concat(b.seen).filter((s) => s.method === 'OPTIONS').length, 0, 'a preflight never reaches the backend');
  const get1 = await get(px.http, '/api', { host: 'cors.test', headers: { Origin: 'https://app.example' } });
  assert.equal(get1.status, 200);
  assert.equal(get1.headers['access-control-allow-origin'], 'https://app.example');
  const other = await get(px.http, '/api', { host: 'cors.test', headers: { Origin: 'https://evil.example' } });
  assert.equal(other.headers['access-control-allow-origin'], undefined);
  const any = await get(px.http, '/', { host: 'corsany.test', headers: { Origin: 'https://whoever.example' } });
  assert.equal(any.headers['access-control-allow-origin'], '*');
});

test('app-root, permanent-redirect and temporal-redirect', async () => {
  const root = await get(px.http, '/', { host: 'approot.test' });
  assert.equal(root.status, 302);
  assert.equal(root.headers.location, 'http://approot.test/app1');
  assert.equal((await get(px.http, '/app1', { host: 'approot.test' })).status, 200);
  const perm = await get(px.http, '/any', { host: 'perm.test' });
  assert.equal(perm.status, 301);
  assert.equal(perm.headers.location, 'https://www.example.org/moved');
  const temp = await get(px.http, '/any', { host: 'temp.test' });
  assert.equal(temp.status, 307);
  assert.equal(temp.headers.location, 'https://www.example.org/later');
});

test('backend-protocol HTTPS: TLS to the endpoint without verifying its certificate', async () => {
  const r = await get(px.http, '/hello', { host: 'tlsbackend.test' });
  assert.equal(r.status, 200);
  assert.equal(r.body, 'tls backend /hello');
});
