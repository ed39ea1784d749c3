/**
 * The proxy end to end on loopback. Address plan: the proxy on 127.0.0.1
 * (ephemeral HTTP and HTTPS ports); backends a on 127.0.0.2, b on
 * 127.0.0.3, c on 127.0.0.4 (ephemeral ports); 127.0.0.9 is a refused
 * endpoint (a port nothing listens on).
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { Agent, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ingress } from './fixtures.ts';
import { backend, get, serviceFor, startProxy, type Backend, type Harness } from './testing.ts';
import { slice } from './fixtures.ts';

let px: Harness;
let a: Backend;
let b: Backend;
let c: Backend;
const logs: string[] = [];

before(async () => {
  [a, b, c] = await Promise.all([backend('a', '127.0.0.2'), backend('b', '127.0.0.3'), backend('c', '127.0.0.4')]);
  px = await startProxy({ accessLog: (l) => logs.push(l) });
});
after(async () => {
  await px.close();
  await Promise.all([a.close(), b.close(), c.close()]);
});

const objs = () => [...serviceFor('a', [a]), ...serviceFor('b', [b]), ...serviceFor('c', [c])];

test('routes by host and path; an unknown host or path gets the 404 default backend', async () => {
  px.apply(
    [
      ingress('whale', {
        rules: [
          { host: 'a.whale.hey', paths: [{ path: '/', service: 'a' }] },
          { host: 'b.whale.hey', paths: [{ path: '/', service: 'b' }, { path: '/c', service: 'c' }] },
        ],
      }),
    ],
    objs(),
  );
  assert.equal((await get(px.http, '/', { host: 'a.whale.hey' })).json().name, 'a');
  assert.equal((await get(px.http, '/x', { host: 'b.whale.hey' })).json().name, 'b');
  assert.equal((await get(px.http, '/c/d', { host: 'b.whale.hey:80' })).json().name, 'c');
  const miss = await get(px.http, '/', { host: 'c.whale.hey' });
  assert.equal(miss.status, 404);
  assert.match(miss.body, /<title>404 Not Found<\/title>/);
  assert.match(miss.body, /<center>nginx<\/center>/);
  assert.equal(miss.headers['content-type'], 'text/html');
});

test('S2: rewrite-target / with a Prefix path sends / upstream; /other gets 404', async () => {
  px.apply([ingress('minimal-ingress', { annotations: { 'nginx.ingress.kubernetes.io/rewrite-target': '/' }, rules: [{ paths: [{ path: '/testpath', service: 'a' }] }] })], objs());
  const r = await get(px.http, '/testpath', { host: '10.0.0.1:31080' });
  assert.equal(r.status, 200);
  assert.equal(r.json().url, '/');
  assert.equal((await get(px.http, '/other')).status, 404);
});

test('rewrite-target with capture groups: /something(/|$)(.*) to /$2, query kept', async () => {
  px.apply(
    [
      ingress('rw', {
        annotations: { 'nginx.ingress.kubernetes.io/rewrite-target': '/$2', 'nginx.ingress.kubernetes.io/use-regex': 'true' },
        rules: [{ host: 'rewrite.bar.com', paths: [{ path: '/something(/|$)(.*)', pathType: 'ImplementationSpecific', service: 'a' }] }],
      }),
    ],
    objs(),
  );
  const h = { host: 'rewrite.bar.com' };
  assert.equal((await get(px.http, '/something', h)).json().url, '/');
  assert.equal((await get(px.http, '/something/', h)).json().url, '/');
  assert.equal((await get(px.http, '/something/new?x=1', h)).json().url, '/new?x=1');
  assert.equal((await get(px.http, '/somethingelse', h)).status, 404);
});

test('X-Forwarded-*, X-Real-IP, X-Request-ID (kept or generated), Host passed through, Server: nginx', async () => {
  px.apply([ingress('h', { rules: [{ host: 'h.test', paths: [{ path: '/', service: 'a' }] }] })], objs());
  const r = await get(px.http, '/p', { host: 'h.test:8080', headers: { 'X-Forwarded-For': '203.0.113.9', Connection: 'keep-alive, X-Secret', 'X-Secret': 's' } });
  const h = r.json().headers;
  assert.equal(h.host, 'h.test:8080');
  assert.equal(h['x-real-ip'], '127.0.0.1');
  assert.equal(h['x-forwarded-for'], '127.0.0.1');
  assert.equal(h['x-original-forwarded-for'], '203.0.113.9');
  assert.equal(h['x-forwarded-host'], 'h.test:8080');
  assert.equal(h['x-forwarded-port'], String(px.http));
  assert.equal(h['x-forwarded-proto'], 'http');
  assert.equal(h['x-scheme'], 'http');
  assert.match(h['x-request-id'], /^[0-9a-f]{32}$/);
  assert.equal(h['x-secret'], undefined, 'a header named in Connection is hop-by-hop');
  assert.equal(r.headers.server, 'nginx');
  const kept = await get(px.http, '/', { host: 'h.test', headers: { 'X-Request-ID': 'abc-123' } });
  assert.equal(kept.json().headers['x-request-id'], 'abc-123');
});

test('503 when the backend has no ready endpoint, or its Service does not exist', async () => {
  px.apply(
    [ingress('n', { rules: [{ host: 'n.test', paths: [{ path: '/none', service: 'empty' }, { path: '/missing', service: 'ghost' }] }] })],
    [...objs(), ...serviceFor('empty', []), slice('empty', [{ ip: '127.0.0.2', ready: false }], [{ port: a.port }])],
  );
  const r = await get(px.http, '/none', { host: 'n.test' });
  assert.equal(r.status, 503);
  assert.match(r.body, /503 Service Temporarily Unavailable/);
  assert.equal((await get(px.http, '/missing', { host: 'n.test' })).status, 503);
});

test('round-robin over endpoints; a refused endpoint is skipped (proxy_next_upstream error)', async () => {
  const dead = createServer();
  await new Promise<void>((r) => dead.listen(0, '127.0.0.9', r));
  const deadPort = (dead.address() as AddressInfo).port;
  await new Promise((r) => dead.close(r));
  px.apply([ingress('rr', { rules: [{ host: 'rr.test', paths: [{ path: '/', service: 'abc' }] }] })], [...serviceFor('abc', [a, b, { ip: '127.0.0.9', port: deadPort }])]);
  const names: string[] = [];
  for (let i = 0; i < 6; i++) {
    const r = await get(px.http, '/', { host: 'rr.test' });
    assert.equal(r.status, 200);
    names.push(r.json().name);
  }
  assert.deepEqual(new Set(names), new Set(['a', 'b']));
  assert.ok(logs.some((l) => l.includes(`127.0.0.9:${deadPort}, 127.0.0.`)), 'the access log lists both tries');
  // Only refused endpoints: 502 after the tries.
  px.apply([ingress('rr', { rules: [{ host: 'rr.test', paths: [{ path: '/', service: 'dead' }] }] })], [...serviceFor('dead', [{ ip: '127.0.0.9', port: deadPort }])]);
  assert.equal((await get(px.http, '/', { host: 'rr.test' })).status, 502);
});

test('a route swap keeps an open keep-alive connection and a request in flight', async () => {
  let release: () => void = () => undefined;
  const slow = await backend('slow', '127.0.0.5', (req, res) => {
    if (req.url !== '/slow') return false;
    release = () => res.end('slow done');
    return true;
  });
  try {
    px.apply([ingress('s', { rules: [{ host: 's.test', paths: [{ path: '/', service: 'slow' }] }] })], [...serviceFor('slow', [slow])]);
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const first = await get(px.http, '/', { host: 's.test', agent });
    assert.equal(first.json().name, 'slow');
    const inflight = get(px.http, '/slow', { host: 's.test', agent });
    await new Promise((r) => setTimeout(r, 50));
    px.apply([ingress('s', { rules: [{ host: 's.test', paths: [{ path: '/', service: 'b' }] }] })], objs());
    release();
    const done = await inflight;
    assert.equal(done.body, 'slow done');
    assert.equal(done.localPort, first.localPort, 'the in-flight request was on the kept-alive connection');
    const second = await get(px.http, '/', { host: 's.test', agent });
    assert.equal(second.json().name, 'b', 'the same connection now follows the new table');
    assert.equal(second.localPort, first.localPort);
    agent.destroy();
  } finally {
    await slow.close();
  }
});

test('access log: one line per request in the upstreaminfo format', async () => {
  px.apply([ingress('l', { ns: 'default', rules: [{ host: 'log.test', paths: [{ path: '/', service: 'a' }] }] })], objs());
  logs.length = 0;
  await get(px.http, '/logged?q=1', { host: 'log.test', headers: { 'User-Agent': 'curl/8', 'X-Request-ID': 'rid1' } });
  await new Promise((r) => setImmediate(r));
  const line = logs.find((l) => l.includes('/logged'));
  assert.ok(line);
  assert.match(line, /^127\.0\.0\.1 - - \[\d\d\/\w{3}\/\d{4}:\d\d:\d\d:\d\d \+0000\] "GET \/logged\?q=1 HTTP\/1\.1" 200 \d+ "-" "curl\/8" \d+ \d+\.\d{3} \[default-a-80\] \[\] 127\.0\.0\.2:\d+ \d+ \d+\.\d{3} 200 rid1$/);
});

test('graceful close: a request in flight finishes (then its connection closes), idle connections close at once', async () => {
  let release: () => void = () => undefined;
  const slow = await backend('slow2', '127.0.0.6', (req, res) => {
    if (req.url !== '/slow') return false;
    release = () => res.end('finished');
    return true;
  });
  const own = await startProxy();
  try {
    own.apply([ingress('g', { rules: [{ host: 'g.test', paths: [{ path: '/', service: 'slow2' }] }] })], serviceFor('slow2', [slow]));
    const idleAgent = new Agent({ keepAlive: true });
    await get(own.http, '/', { host: 'g.test', agent: idleAgent });
    const idleSocket = Object.values(idleAgent.freeSockets)[0]![0];
    const idleClosed = new Promise((r) => idleSocket.once('close', r));
    const inflight = get(own.http, '/slow', { host: 'g.test', agent: new Agent({ keepAlive: true }) });
    await new Promise((r) => setTimeout(r, 50));
    const closed = own.proxy.close(5000);
    await idleClosed;
    await assert.rejects(get(own.http, '/', { host: 'g.test' }), 'no new connections');
    release();
    const r = await inflight;
    assert.equal(r.body, 'finished');
    assert.equal(r.headers.connection, 'close');
    await closed;
  } finally {
    await own.close();
    await slow.close();
  }
});
