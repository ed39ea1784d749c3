/** Address plan: a fake kubelet on 127.0.0.1:<random>; a closed port on 127.0.0.1:<random>. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer as createHttpServer, request, type IncomingMessage } from 'node:http';
import { createServer, type AddressInfo } from 'node:net';
import { kubeletError, proxyLogs, proxyUpgrade } from './proxy.ts';

async function listen(server: { listen(port: number, host: string, cb: () => void): unknown; address(): unknown }): Promise<number> {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return (server.address() as AddressInfo).port;
}

async function closedPort(): Promise<number> {
  const s = createServer();
  const port = await listen(s);
  await new Promise((r) => s.close(r));
  return port;
}

describe('proxying to the kubelet', () => {
  it('maps kubelet errors as GenericHttpResponseChecker does', () => {
    assert.deepEqual([kubeletError(400, 'bad', 'p').code, kubeletError(400, 'bad', 'p').message], [400, 'bad']);
    assert.equal(kubeletError(500, 'boom', 'p').message, 'Internal error occurred: boom');
    assert.equal(kubeletError(404, 'whatever', 'p').message, 'the server could not find the requested resource ( pods/log p)');
    assert.equal(kubeletError(422, '', 'p').message, 'the server responded with the status code 422 but did not return more information ( pods/log p)');
  });

  it('re-sends an upgrade with the node token and the kubelet path, then splices the sockets', async () => {
    let seen: IncomingMessage | undefined;
    const kubelet = createHttpServer();
    kubelet.on('upgrade', (req, socket) => {
      seen = req;
      socket.write('HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: test\r\n\r\n');
      socket.on('data', (d) => socket.write(`echo:${d}`));
      socket.on('end', () => socket.end()); // server sockets are half-open by default
    });
    const kport = await listen(kubelet);
    const front = createHttpServer();
    front.on('upgrade', (req, socket, head) => proxyUpgrade(req, socket, head, { host: '127.0.0.1', port: kport, path: '/exec/ns/p/c?output=1' }, 'node-token'));
    const fport = await listen(front);
    try {
      const socket = await new Promise<import('node:net').Socket>((resolve, reject) => {
        const req = request({ host: '127.0.0.1', port: fport, path: '/api/v1/namespaces/ns/pods/p/exec', headers: { Connection: 'Upgrade', Upgrade: 'test', Authorization: 'Bearer user-token', 'X-Extra': 'kept' } });
        req.on('upgrade', (_res, s) => resolve(s));
        req.on('error', reject);
        req.end();
      });
      socket.write('hi');
      const echoed = await new Promise<string>((r) => socket.once('data', (d) => r(d.toString())));
      assert.equal(echoed, 'echo:hi');
      assert.equal(seen!.url, '/exec/ns/p/c?output=1');
      assert.equal(seen!.headers.authorization, 'Bearer node-token');
      assert.equal(seen!.headers['x-extra'], 'kept');
      socket.destroy();
    } finally {
      kubelet.close();
      kubelet.closeAllConnections();
      front.close();
      front.closeAllConnections();
    }
  });

  it('answers an upgrade with a Status when the kubelet cannot be reached', async () => {
    const dead = await closedPort();
    const front = createHttpServer();
    front.on('upgrade', (req, socket, head) => proxyUpgrade(req, socket, head, { host: '127.0.0.1', port: dead, path: '/exec/ns/p/c' }, 't'));
    const fport = await listen(front);
    try {
      const res = await new Promise<IncomingMessage>((resolve, reject) => {
        const req = request({ host: '127.0.0.1', port: fport, path: '/x', headers: { Connection: 'Upgrade', Upgrade: 'websocket' } });
        req.on('response', resolve);
        req.on('error', reject);
        req.end();
      });
      let body = '';
      for await (const c of res) body += c;
      assert.equal(res.statusCode, 500);
      assert.equal(JSON.parse(body).message, `error dialing backend: dial tcp 127.0.0.1:${dead}: connect: connection refused`);
    } finally {
      front.close();
    }
  });

  it('streams log bodies, and turns kubelet failures into errors before anything is sent', async () => {
    const kubelet = createHttpServer((req, res) => {
      if (req.url!.startsWith('/containerLogs/ns/p/c')) return void res.end('line 1\nline 2\n');
      res.writeHead(400).end('container "c" in pod "q" is waiting to start: ContainerCreating');
    });
    const kport = await listen(kubelet);
    const front = createHttpServer((req, res) => {
      proxyLogs(res, { host: '127.0.0.1', port: kport, path: req.url! }, 't', 'p').catch((e) => res.writeHead(e.code).end(e.message));
    });
    const fport = await listen(front);
    try {
      const ok = await fetch(`http://127.0.0.1:${fport}/containerLogs/ns/p/c`);
      assert.deepEqual([ok.status, ok.headers.get('content-type'), await ok.text()], [200, 'text/plain', 'line 1\nline 2\n']);
      const waiting = await fetch(`http://127.0.0.1:${fport}/containerLogs/ns/q/c`);
      assert.deepEqual([waiting.status, await waiting.text()], [400, 'container "c" in pod "q" is waiting to start: ContainerCreating']);
    } finally {
      kubelet.close();
      front.close();
    }
  });
});
