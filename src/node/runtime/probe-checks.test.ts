// Address plan: every server listens on 127.0.0.1 with an ephemeral port; exec runs on the host (empty enter prefix).
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { createServer as createTcpServer, type AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { probeURL, resolvePort, runProbeCheck, KUBE_PROBE_USER_AGENT, type ProbeTarget } from './probe-checks.ts';

const target: ProbeTarget = { podIP: '127.0.0.1', ports: [{ name: 'http', containerPort: 8080 }], sandbox: { enterPrefix: () => [] }, env: { PATH: '/usr/bin:/bin' } };

describe('probe checks', () => {
  let server: Server;
  let port = 0;
  let seen: Record<string, string | string[] | undefined> = {};
  before(async () => {
    server = createServer((req, res) => {
      seen = req.headers;
      const url = new URL(req.url!, 'http://x');
      if (url.pathname === '/ok') res.writeHead(200).end('fine');
      else if (url.pathname === '/moved') res.writeHead(301, { Location: '/ok' }).end();
      else if (url.pathname === '/away') res.writeHead(302, { Location: 'http://127.0.0.2:1/' }).end();
      else if (url.pathname === '/loop') res.writeHead(302, { Location: '/loop' }).end();
      else if (url.pathname === '/slow') setTimeout(() => res.writeHead(200).end(), 1500);
      else res.writeHead(500).end('broken');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as AddressInfo).port;
  });
  after(() => {
    server.closeAllConnections();
    server.close();
  });
  const http = (path: string, extra = {}) => runProbeCheck({ httpGet: { port, path, ...extra } }, target, 1000);

  it('httpGet: 2xx passes with kube-probe headers', async () => {
    assert.deepEqual(await http('/ok'), { result: 'success', message: 'fine' });
    assert.equal(seen['user-agent'], KUBE_PROBE_USER_AGENT);
    assert.equal(seen.accept, '*/*');
  });
  it('httpGet: headers of the probe replace the defaults, Host included', async () => {
    await http('/ok', { httpHeaders: [{ name: 'User-Agent', value: 'me' }, { name: 'Host', value: 'example.test' }, { name: 'X-A', value: '1' }] });
    assert.equal(seen['user-agent'], 'me');
    assert.equal(seen.host, 'example.test');
    assert.equal(seen['x-a'], '1');
  });
  it('httpGet: 500 fails with the kubelet text', async () => assert.deepEqual(await http('/bad'), { result: 'failure', message: 'HTTP probe failed with statuscode: 500' }));
  it('httpGet: same-host redirects are followed, other hosts pass as 3xx', async () => {
    assert.equal((await http('/moved')).result, 'success');
    assert.equal((await http('/away')).result, 'success');
    assert.equal((await http('/loop')).result, 'success');
  });
  it('httpGet: timeout fails', async () => {
    const r = await runProbeCheck({ httpGet: { port, path: '/slow' } }, target, 200);
    assert.equal(r.result, 'failure');
    assert.match(r.message, /context deadline exceeded/);
  });
  it('httpGet: connection refused', async () => {
    const r = await runProbeCheck({ httpGet: { port: 1, path: '/' } }, target, 1000);
    assert.deepEqual(r, { result: 'failure', message: 'Get "http://127.0.0.1:1/": dial tcp 127.0.0.1:1: connect: connection refused' });
  });
  it('named ports and URLs', () => {
    assert.equal(resolvePort('http', target.ports), 8080);
    assert.equal(resolvePort(81), 81);
    assert.throws(() => resolvePort('nope', target.ports), /couldn't find port nope/);
    assert.equal(probeURL({ port: 'http', path: 'healthz?x=1', scheme: 'HTTPS' }, target).href, 'https://127.0.0.1:8080/healthz?x=1');
    assert.equal(probeURL({ port: 81, host: '::1' }, target).href, 'http://[::1]:81/');
  });
  it('tcpSocket: open and refused', async () => {
    const srv = createTcpServer((s) => s.end());
    await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
    try {
      const p = (srv.address() as AddressInfo).port;
      assert.equal((await runProbeCheck({ tcpSocket: { port: p } }, target, 1000)).result, 'success');
      assert.deepEqual(await runProbeCheck({ tcpSocket: { port: 1 } }, target, 1000), { result: 'failure', message: 'dial tcp 127.0.0.1:1: connect: connection refused' });
    } finally {
      srv.close();
    }
  });
  it('exec: exit code decides, output is the message, timeout fails', async () => {
    assert.deepEqual(await runProbeCheck({ exec: { command: ['sh', '-c', 'echo ok'] } }, target, 2000), { result: 'success', message: 'ok\n' });
    assert.deepEqual(await runProbeCheck({ exec: { command: ['sh', '-c', 'echo no >&2; exit 3'] } }, target, 2000), { result: 'failure', message: 'no\n' });
    const slow = await runProbeCheck({ exec: { command: ['sleep', '5'] } }, target, 100);
    assert.equal(slow.result, 'failure');
    assert.match(slow.message, /timed out/);
  });
  it('a probe without a handler fails', async () => assert.equal((await runProbeCheck({}, target, 100)).result, 'failure'));
});
