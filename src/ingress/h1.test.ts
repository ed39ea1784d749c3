/**
 * The HTTP/1.1 fast path: the parsers (pure), and through the proxy with raw
 * sockets: chunked and close-delimited responses, HEAD and 304, pipelined
 * requests, a Content-Length upload, and the hand-over to node:http
 * (HTTP/1.0, chunked upload) on the same connection. Address plan: the
 * proxy on 127.0.0.1, a raw backend on 127.0.0.2 (ephemeral ports).
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { connect, createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { ingress } from './fixtures.ts';
import { newChunkScan, parseRequestHead, parseResponseHead, scanChunked } from './h1-parse.ts';
import { serviceFor, startProxy, type Harness } from './testing.ts';

test('parseRequestHead: the common case, and what goes to node:http instead', () => {
  const r = parseRequestHead('GET /a?b=1 HTTP/1.1\r\nHost: x.test\r\nContent-Length: 3\r\nConnection: close\r\nX-A:  v ');
  assert.deepEqual(r, { method: 'GET', target: '/a?b=1', raw: ['Host', 'x.test', 'Content-Length', '3', 'Connection', 'close', 'X-A', 'v'], host: 'x.test', contentLength: 3, connectionClose: true });
  for (const bad of [
    'GET / HTTP/1.0\r\nHost: x',
    'GET http://x/ HTTP/1.1\r\nHost: x',
    'POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked',
    'GET / HTTP/1.1\r\nHost: x\r\nUpgrade: websocket',
    'POST / HTTP/1.1\r\nHost: x\r\nExpect: 100-continue',
    'GET / HTTP/1.1\r\nHost: x\r\nHost: y',
    'GET / HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nContent-Length: 1',
    'GET / HTTP/1.1\r\nHost: x\r\n folded',
    'GET / HTTP/1.1\r\nX: y',
    'get / HTTP/1.1\r\nHost: x',
  ]) {
    assert.equal(parseRequestHead(bad), undefined, bad);
  }
});

test('parseResponseHead: framing by Content-Length, chunked, none (HEAD, 204, 304, 1xx), close', () => {
  assert.deepEqual(parseResponseHead('HTTP/1.1 200 OK\r\nContent-Length: 5', false)?.framing, { kind: 'length', n: 5 });
  assert.deepEqual(parseResponseHead('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked', false)?.framing, { kind: 'chunked' });
  assert.deepEqual(parseResponseHead('HTTP/1.1 200 OK\r\nContent-Length: 5', true)?.framing, { kind: 'none' });
  assert.deepEqual(parseResponseHead('HTTP/1.1 304 Not Modified\r\nContent-Length: 5', false)?.framing, { kind: 'none' });
  const close = parseResponseHead('HTTP/1.1 200 OK\r\nX: y', false)!;
  assert.deepEqual([close.framing, close.close], [{ kind: 'close' }, true]);
  assert.equal(parseResponseHead('HTTP/1.0 200 OK\r\nContent-Length: 1', false)?.close, true);
  assert.equal(parseResponseHead('HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 1', false)?.close, true);
  assert.equal(parseResponseHead('HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2', false), undefined);
  assert.equal(parseResponseHead('HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip', false), undefined);
});

test('scanChunked: finds the end across reads, with extensions and trailers; rejects bad framing', () => {
  const body = Buffer.from('4;ext=1\r\nWiki\r\n5\r\npedia\r\nA\r\n in chunks\r\n0\r\nX-Trailer: 1\r\n\r\nNEXT');
  for (let split = 1; split < body.length - 4; split += 7) {
    const s = newChunkScan();
    const a = scanChunked(s, body.subarray(0, split), 0);
    const end = a >= 0 ? a : split + scanChunked(s, body.subarray(split), 0);
    assert.equal(end, body.length - 4, `split at ${split}`);
  }
  assert.equal(scanChunked(newChunkScan(), Buffer.from('0\r\n\r\n'), 0), 5);
  assert.equal(scanChunked(newChunkScan(), Buffer.from('zz\r\n'), 0), -2);
  assert.equal(scanChunked(newChunkScan(), Buffer.from('3\r\nabcX\r\n'), 0), -2);
  assert.equal(scanChunked(newChunkScan(), Buffer.from('\r\n'), 0), -2);
});

// A backend that answers from a script keyed by path, on raw sockets.
const BIG = 4 * 1024 * 1024;
let backend: Server;
let port = 0;
const answers: Record<string, string> = {
  '/chunked': 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nServer: raw\r\n\r\n5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n',
  '/close': 'HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\nuntil close',
  '/head': 'HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n',
  '/304': 'HTTP/1.1 304 Not Modified\r\nETag: "x"\r\n\r\n',
  '/continue': 'HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok',
};

before(async () => {
  backend = createServer((s) => {
    let buf = '';
    s.on('data', (d) => {
      buf += d.toString('latin1');
      for (;;) {
        const i = buf.indexOf('\r\n\r\n');
        if (i < 0) return;
        const head = buf.slice(0, i);
        let body: string;
        if (/transfer-encoding: chunked/i.test(head)) {
          const end = buf.indexOf('0\r\n\r\n', i + 4);
          if (end < 0) return;
          body = buf.slice(i + 4, end).replace(/[0-9a-f]+\r\n(.*?)\r\n/gis, '$1');
          buf = buf.slice(end + 5);
        } else {
          const len = Number(/content-length: (\d+)/i.exec(head)?.[1] ?? 0);
          if (buf.length < i + 4 + len) return;
          body = buf.slice(i + 4, i + 4 + len);
          buf = buf.slice(i + 4 + len);
        }
        const path = head.split(' ')[1];
        const a = answers[path];
        if (path === '/big') {
          s.write(`HTTP/1.1 200 OK\r\nContent-Length: ${BIG}\r\n\r\n`);
          s.write(Buffer.alloc(BIG, 120));
        } else if (a) {
          s.write(a);
          if (path === '/close') s.end();
        } else {
          const out = `${head.split('\r\n')[0]}|${body}`;
          s.write(`HTTP/1.1 200 OK\r\nContent-Length: ${out.length}\r\n\r\n${out}`);
        }
      }
    });
    s.on('error', () => undefined);
  });
  await new Promise<void>((r) => backend.listen(0, '127.0.0.2', r));
  port = (backend.address() as AddressInfo).port;
  px = await startProxy();
  px.apply([ingress('raw', { rules: [{ host: 'raw.test', paths: [{ path: '/', service: 'raw' }] }] })], serviceFor('raw', [{ ip: '127.0.0.2', port }]));
});
let px: Harness;
after(async () => {
  await px.close();
  await new Promise((r) => backend.close(r));
});

/** Sends bytes on one connection and collects what comes back until `done` says so or the peer closes. */
function exchange(bytes: string | string[], done: (got: string) => boolean): Promise<string> {
  return new Promise((resolve, reject) => {
    const s: Socket = connect(px.http, '127.0.0.1');
    let got = '';
    const parts = Array.isArray(bytes) ? bytes : [bytes];
    s.on('connect', async () => {
      for (const p of parts) {
        s.write(p);
        await new Promise((r) => setTimeout(r, 20));
      }
    });
    s.on('data', (d) => {
      got += d.toString('latin1');
      if (done(got)) {
        s.destroy();
        resolve(got);
      }
    });
    s.on('close', () => resolve(got));
    s.on('error', reject);
  });
}

const count = (s: string, what: string) => s.split(what).length - 1;

test('chunked responses are relayed as received, then the connection serves the next request', async () => {
  const got = await exchange('GET /chunked HTTP/1.1\r\nHost: raw.test\r\n\r\nGET /x HTTP/1.1\r\nHost: raw.test\r\n\r\n', (g) => g.includes('GET /x HTTP/1.1|'));
  assert.match(got, /^HTTP\/1\.1 200 OK\r\nServer: nginx\r\nDate: .+\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n6\r\n world\r\n0\r\n\r\nHTTP\/1\.1 200 OK/);
  assert.equal(count(got, 'Server: raw'), 0);
});

test('a close-delimited response ends with the connection, announced with Connection: close', async () => {
  const got = await exchange('GET /close HTTP/1.1\r\nHost: raw.test\r\n\r\n', () => false);
  assert.match(got, /Connection: close\r\n\r\nuntil close$/);
});

test('HEAD, 304 and an interim 100 carry no body; pipelined requests are answered in order', async () => {
  const got = await exchange(
    'HEAD /head HTTP/1.1\r\nHost: raw.test\r\n\r\nGET /304 HTTP/1.1\r\nHost: raw.test\r\n\r\nGET /continue HTTP/1.1\r\nHost: raw.test\r\n\r\nGET /last HTTP/1.1\r\nHost: raw.test\r\n\r\n',
    (g) => g.includes('GET /last HTTP/1.1|'),
  );
  const statuses = [...got.matchAll(/HTTP\/1\.1 (\d{3})/g)].map((m) => m[1]);
  assert.deepEqual(statuses, ['200', '304', '200', '200']);
  assert.match(got, /Content-Length: 100\r\n\r\nHTTP\/1\.1 304/);
  assert.equal(count(got, '100 Continue'), 0);
});

test('a Content-Length upload arriving in pieces reaches the backend whole', async () => {
  const got = await exchange(['POST /up HTTP/1.1\r\nHost: raw.test\r\nContent-Length: 10\r\n\r\n01234', '56789'], (g) => g.includes('|0123456789'));
  assert.match(got, /POST \/up HTTP\/1\.1\|0123456789$/);
});

test('hand-over to node:http: HTTP/1.0, and a chunked upload after a fast-path request on the same connection', async () => {
  const old = await exchange('GET /ten HTTP/1.0\r\nHost: raw.test\r\n\r\n', () => false);
  assert.match(old, /^HTTP\/1\.1 200 OK/);
  assert.match(old, /GET \/ten HTTP\/1\.1\|$/);
  const got = await exchange(
    ['GET /first HTTP/1.1\r\nHost: raw.test\r\n\r\n', 'POST /second HTTP/1.1\r\nHost: raw.test\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n'],
    (g) => g.includes('|abc'),
  );
  assert.match(got, /GET \/first HTTP\/1\.1\|/);
  assert.match(got, /POST \/second HTTP\/1\.1\|abc/);
});

test('the 404 backend answers on the fast path and keeps the connection', async () => {
  const got = await exchange('GET / HTTP/1.1\r\nHost: nobody.test\r\n\r\nGET /y HTTP/1.1\r\nHost: raw.test\r\n\r\n', (g) => g.includes('GET /y HTTP/1.1|'));
  assert.match(got, /^HTTP\/1\.1 404 Not Found\r\nServer: nginx\r\nDate: .+\r\nContent-Type: text\/html\r\nContent-Length: 146\r\n\r\n<html>/);
});

test('a slow reader of a big response: backpressure, then the upstream connection serves the next request', async () => {
  const s = connect(px.http, '127.0.0.1');
  await new Promise((r) => s.once('connect', r));
  s.pause();
  s.write('GET /big HTTP/1.1\r\nHost: raw.test\r\n\r\n');
  await new Promise((r) => setTimeout(r, 300));
  let n = 0;
  await new Promise<void>((resolve) => {
    s.on('data', (d) => {
      n += d.length;
      if (n >= BIG) resolve();
    });
    s.resume();
  });
  s.destroy();
  // The kept-alive upstream connection paused above must read again for whoever takes it next.
  const t0 = performance.now();
  for (let i = 0; i < 3; i++) {
    const got = await exchange(`GET /after${i} HTTP/1.1\r\nHost: raw.test\r\n\r\n`, (g) => g.includes(`/after${i} HTTP/1.1|`));
    assert.match(got, /HTTP\/1\.1 200 OK/);
  }
  // A stalled connection never answers: this bound catches a hang, it does not measure speed.
  assert.ok(performance.now() - t0 < 10_000);
});

test('many concurrent keep-alive clients, some hanging up mid-request: every answer matches its request', async () => {
  const client = async (id: number) => {
    const s = connect(px.http, '127.0.0.1');
    await new Promise((r) => s.once('connect', r));
    let buf = '';
    s.on('data', (d) => (buf += d.toString('latin1')));
    s.on('error', () => undefined);
    for (let i = 0; i < 10; i++) {
      const path = `/c${id}-${i}`;
      s.write(`GET ${path} HTTP/1.1\r\nHost: raw.test\r\n\r\n`);
      if (id % 7 === 0 && i === 5) {
        s.destroy(); // hangs up with a request in flight
        return 'aborted';
      }
      const want = `GET ${path} HTTP/1.1|`;
      for (let t = 0; !buf.includes(want); t++) {
        if (t > 200) throw new Error(`client ${id} waited for ${path}; got ${JSON.stringify(buf.slice(-200))}`);
        await new Promise((r) => setTimeout(r, 5));
      }
      buf = buf.slice(buf.indexOf(want) + want.length);
    }
    s.destroy();
    return 'ok';
  };
  const results = await Promise.all(Array.from({ length: 60 }, (_, i) => client(i)));
  assert.equal(results.filter((r) => r === 'ok').length, 51);
  const after = await exchange('GET /still HTTP/1.1\r\nHost: raw.test\r\n\r\n', (g) => g.includes('/still HTTP/1.1|'));
  assert.match(after, /200 OK/);
});
