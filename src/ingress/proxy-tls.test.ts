/**
 * TLS, HTTP/2, redirects, WebSocket and gRPC through the proxy. Address
 * plan: the proxy on 127.0.0.1 (ephemeral ports); backend a on 127.0.0.2,
 * a WebSocket echo server on 127.0.0.5, an h2c (gRPC-like) backend on
 * 127.0.0.6. Certificates are made here, as `kubectl create secret tls`
 * would hold them.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { connect as tlsConnect, type PeerCertificate } from 'node:tls';
import { request as httpsRequest } from 'node:https';
import { connect as h2connect, createServer as createH2cServer, type Http2Server } from 'node:http2';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocket, WebSocketServer } from 'ws';
import { selfSignedCert, FAKE_CERT_CN } from './certs.ts';
import { ingress, tlsSecret } from './fixtures.ts';
import { backend, get, serviceFor, startProxy, type Backend, type Harness } from './testing.ts';
import type { KubeObject } from '../api/meta.ts';
import type { TlsCert } from './types.ts';

let px: Harness;
let a: Backend;
let secure: TlsCert;
let wild: TlsCert;
let wsHttp: ReturnType<typeof createServer>;
let wsPort = 0;
let h2c: Http2Server;
let h2cPort = 0;

before(async () => {
  a = await backend('a', '127.0.0.2');
  secure = await selfSignedCert({ cn: 'secure.test', dns: ['secure.test'] });
  wild = await selfSignedCert({ cn: '*.wild.test', dns: ['*.wild.test'] });
  wsHttp = createServer();
  const wss = new WebSocketServer({ server: wsHttp });
  wss.on('connection', (sock, req) => {
    sock.send(`hello ${req.url} ${req.headers['x-forwarded-proto']}`);
    sock.on('message', (m) => sock.send(`echo ${m}`));
  });
  await new Promise<void>((r) => wsHttp.listen(0, '127.0.0.5', r));
  wsPort = (wsHttp.address() as AddressInfo).port;
  h2c = createH2cServer();
  h2c.on('stream', (stream, headers) => {
    const chunks: Buffer[] = [];
    stream.on('data', (c: Buffer) => chunks.push(c));
    stream.on('end', () => {
      stream.respond({ ':status': 200, 'content-type': 'application/grpc' }, { waitForTrailers: true });
      stream.on('wantTrailers', () => stream.sendTrailers({ 'grpc-status': '0', 'grpc-message': 'ok' }));
      stream.end(Buffer.concat([Buffer.from(`${headers[':path']} ${headers.te} `), ...chunks]));
    });
  });
  await new Promise<void>((r) => h2c.listen(0, '127.0.0.6', r));
  h2cPort = (h2c.address() as AddressInfo).port;
  px = await startProxy();
  px.apply(
    [
      ingress('tls', {
        tls: [{ hosts: ['secure.test'], secretName: 'secure-tls' }, { hosts: ['*.wild.test'], secretName: 'wild-tls' }, { hosts: ['nosecret.test'] }],
        rules: [
          { host: 'secure.test', paths: [{ path: '/', service: 'a' }] },
          { host: '*.wild.test', paths: [{ path: '/', service: 'a' }] },
          { host: 'nosecret.test', paths: [{ path: '/', service: 'a' }] },
          { host: 'plain.test', paths: [{ path: '/', service: 'a' }] },
        ],
      }),
      ingress('noredirect', {
        annotations: { 'nginx.ingress.kubernetes.io/ssl-redirect': 'false' },
        tls: [{ hosts: ['optional.test'], secretName: 'secure-tls' }],
        rules: [{ host: 'optional.test', paths: [{ path: '/', service: 'a' }] }],
      }),
      ingress('force', { annotations: { 'nginx.ingress.kubernetes.io/force-ssl-redirect': 'true' }, rules: [{ host: 'force.test', paths: [{ path: '/', service: 'a' }] }] }),
      ingress('ws', { rules: [{ host: 'ws.test', paths: [{ path: '/', service: 'ws' }] }] }),
      ingress('grpc', { annotations: { 'nginx.ingress.kubernetes.io/backend-protocol': 'GRPC' }, rules: [{ host: 'grpc.test', paths: [{ path: '/', service: 'grpc' }] }] }),
    ],
    [...serviceFor('a', [a]), ...serviceFor('ws', [{ ip: '127.0.0.5', port: wsPort }]), ...serviceFor('grpc', [{ ip: '127.0.0.6', port: h2cPort }])],
    [tlsSecret('secure-tls', secure.cert, secure.key), tlsSecret('wild-tls', wild.cert, wild.key)] as KubeObject[],
  );
});

after(async () => {
  await px.close();
  await a.close();
  wsHttp.closeAllConnections();
  await new Promise((r) => wsHttp.close(r));
  await new Promise((r) => h2c.close(r));
});

function peerCert(servername?: string): Promise<{ cert: PeerCertificate; alpn: string | false }> {
  return new Promise((resolve, reject) => {
    const s = tlsConnect({ host: '127.0.0.1', port: px.https, servername, rejectUnauthorized: false, ALPNProtocols: ['h2', 'http/1.1'] }, () => {
      resolve({ cert: s.getPeerCertificate(), alpn: s.alpnProtocol ?? false });
      s.destroy();
    });
    s.on('error', reject);
  });
}

test('TLS by SNI: the Secret of the host (exact and wildcard), the default certificate otherwise or without SNI', async () => {
  assert.equal((await peerCert('secure.test')).cert.subject.CN, 'secure.test');
  assert.equal((await peerCert('x.wild.test')).cert.subject.CN, '*.wild.test');
  assert.equal((await peerCert('a.b.wild.test')).cert.subject.CN, FAKE_CERT_CN, 'a wildcard covers one label');
  assert.equal((await peerCert('nosecret.test')).cert.subject.CN, FAKE_CERT_CN);
  assert.equal((await peerCert('unknown.test')).cert.subject.CN, FAKE_CERT_CN);
  assert.equal((await peerCert()).cert.subject.CN, FAKE_CERT_CN);
});

test('HTTPS with HTTP/1.1: the certificate verifies against the Secret, X-Forwarded-Proto https, X-Forwarded-Port 443', async () => {
  const body = await new Promise<string>((resolve, reject) => {
    const req = httpsRequest({ host: '127.0.0.1', port: px.https, path: '/s', servername: 'secure.test', ca: secure.cert, headers: { Host: 'secure.test' }, agent: false }, (res) => {
      let b = '';
      res.on('data', (c) => (b += c));
      res.on('end', () => resolve(b));
    });
    req.on('error', reject);
    req.end();
  });
  const h = JSON.parse(body).headers;
  assert.equal(h['x-forwarded-proto'], 'https');
  assert.equal(h['x-forwarded-port'], '443');
});

test('HTTP/2 by ALPN: h2 negotiated, requests proxied to an HTTP/1.1 backend', async () => {
  assert.equal((await peerCert('secure.test')).alpn, 'h2');
  const session = h2connect(`https://127.0.0.1:${px.https}`, { servername: 'secure.test', ca: secure.cert });
  try {
    const res = await new Promise<{ status: number; server: string; body: string }>((resolve, reject) => {
      const s = session.request({ ':path': '/h2?x=1', ':authority': 'secure.test', cookie: 'a=1' });
      let status = 0;
      let server = '';
      let body = '';
      s.on('response', (h) => ((status = Number(h[':status'])), (server = String(h.server))));
      s.on('data', (c) => (body += c));
      s.on('end', () => resolve({ status, server, body }));
      s.on('error', reject);
      s.end();
    });
    assert.equal(res.status, 200);
    assert.equal(res.server, 'nginx');
    const echoed = JSON.parse(res.body);
    assert.equal(echoed.url, '/h2?x=1');
    assert.equal(echoed.headers.host, 'secure.test');
    assert.equal(echoed.headers['x-forwarded-proto'], 'https');
    // And the 404 backend over HTTP/2.
    const miss = await new Promise<number>((resolve) => {
      const s = session.request({ ':path': '/', ':authority': 'unknown.test' });
      s.on('response', (h) => resolve(Number(h[':status'])));
      s.resume();
      s.end();
    });
    assert.equal(miss, 404);
  } finally {
    session.close();
  }
});

test('redirect to HTTPS: 308 for a TLS host, none with ssl-redirect false, force-ssl-redirect without TLS', async () => {
  const r = await get(px.http, '/path?q=1', { host: 'secure.test:8080' });
  assert.equal(r.status, 308);
  assert.equal(r.headers.location, 'https://secure.test/path?q=1');
  assert.match(r.body, /308 Permanent Redirect/);
  assert.equal((await get(px.http, '/', { host: 'nosecret.test' })).status, 308, 'a TLS host without a Secret redirects too (default certificate)');
  assert.equal((await get(px.http, '/', { host: 'optional.test' })).status, 200);
  assert.equal((await get(px.http, '/', { host: 'plain.test' })).status, 200);
  const f = await get(px.http, '/f', { host: 'force.test' });
  assert.equal(f.status, 308);
  assert.equal(f.headers.location, 'https://force.test/f');
});

test('WebSocket echo through the proxy, over ws:// and wss://', async () => {
  const talk = (url: string, opts: object) =>
    new Promise<string[]>((resolve, reject) => {
      const got: string[] = [];
      const ws = new WebSocket(url, opts);
      ws.on('message', (m) => {
        got.push(String(m));
        if (got.length === 1) ws.send('ping');
        else ws.close();
      });
      ws.on('close', () => resolve(got));
      ws.on('error', reject);
    });
  assert.deepEqual(await talk(`ws://127.0.0.1:${px.http}/chat`, { headers: { Host: 'ws.test' } }), ['hello /chat http', 'echo ping']);
  assert.deepEqual(await talk(`wss://127.0.0.1:${px.https}/chat`, { headers: { Host: 'ws.test' }, rejectUnauthorized: false }), ['hello /chat https', 'echo ping']);
});

test('backend-protocol GRPC: HTTP/2 to the backend, te: trailers, trailers passed back', async () => {
  const session = h2connect(`https://127.0.0.1:${px.https}`, { rejectUnauthorized: false });
  try {
    const out = await new Promise<{ status: number; body: string; trailers: Record<string, unknown> }>((resolve, reject) => {
      const s = session.request({ ':method': 'POST', ':path': '/pkg.Svc/Call', ':authority': 'grpc.test', 'content-type': 'application/grpc', te: 'trailers' });
      let status = 0;
      let body = '';
      let trailers = {};
      s.on('response', (h) => (status = Number(h[':status'])));
      s.on('trailers', (t) => (trailers = t));
      s.on('data', (c) => (body += c));
      s.on('end', () => resolve({ status, body, trailers }));
      s.on('error', reject);
      s.end('payload');
    });
    assert.equal(out.status, 200);
    assert.equal(out.body, '/pkg.Svc/Call trailers payload');
    assert.equal(out.trailers['grpc-status'], '0');
    assert.equal(out.trailers['grpc-message'], 'ok');
  } finally {
    session.close();
  }
});
