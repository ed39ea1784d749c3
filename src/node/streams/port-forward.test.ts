/**
 * Address plan: an echo server on 127.0.0.1:<random>; a closed port on
 * 127.0.0.1:<random>. The fake pod's enterPrefix() is empty, so the
 * connect helper runs on the host and dials loopback.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server, type Socket } from 'node:net';
import { FakeRuntime } from './fake-runtime.ts';
import { servePortForward } from './port-forward.ts';
import { SpdyTestClient } from './testing.ts';
import type { PodView } from './types.ts';

describe('port-forward over SPDY', () => {
  let echo: Server;
  let echoPort = 0;
  let closedPort = 0;
  const sockets = new Set<Socket>();
  const rt = new FakeRuntime();
  let pod: PodView;

  before(async () => {
    echo = createServer({ allowHalfOpen: true }, (s) => {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
      s.on('data', (d) => s.write(d));
      s.on('end', () => s.end());
    });
    await new Promise<void>((r) => echo.listen(0, '127.0.0.1', r));
    echoPort = (echo.address() as { port: number }).port;
    const tmp = createServer();
    await new Promise<void>((r) => tmp.listen(0, '127.0.0.1', r));
    closedPort = (tmp.address() as { port: number }).port;
    await new Promise((r) => tmp.close(r));
    pod = rt.addPod({ namespace: 'default', name: 'p', containers: [] });
  });
  const clients: SpdyTestClient[] = [];
  const client = () => {
    const c = new SpdyTestClient();
    clients.push(c);
    servePortForward(c.conn, pod);
    return c;
  };
  after(async () => {
    // Ending the connections kills their connect helpers (by PID).
    for (const c of clients) c.conn.transportClosed();
    for (const s of sockets) s.destroy();
    echo.close();
    await rt.stop();
  });

  const pair = async (c: SpdyTestClient, id: number, port: number | string) => {
    // As kubectl does: the error stream first (and closed for writing at once), then the data stream.
    await c.open(id, { streamtype: 'error', port: String(port), requestid: String(id) }, true);
    await c.open(id + 2, { streamtype: 'data', port: String(port), requestid: String(id) });
  };

  it('copies bytes both ways and closes both streams when the pod side ends', async () => {
    const c = client();
    await pair(c, 1, echoPort);
    c.send(3, 'ping');
    await c.until(() => c.received(3).data === 'ping');
    c.send(3, 'pong', true); // half-close: the echo server answers, then ends
    await c.until(() => c.received(3).fin && c.received(1).fin);
    assert.deepEqual(c.received(3), { data: 'pingpong', fin: true });
    assert.deepEqual(c.received(1), { data: '', fin: true });
  });

  it('serves several connections at once, paired by requestID', async () => {
    const c = client();
    await pair(c, 1, echoPort);
    await pair(c, 5, echoPort);
    c.send(7, 'second');
    c.send(3, 'first');
    await c.until(() => c.received(3).data === 'first' && c.received(7).data === 'second');
  });

  it('writes a refused connection to the error stream in containerd words', async () => {
    const c = client();
    await pair(c, 1, closedPort);
    await c.until(() => c.received(1).fin && c.received(3).fin);
    assert.equal(
      c.received(1).data,
      `error forwarding port ${closedPort} to pod fake-uid-p, uid : failed to connect to localhost:${closedPort} inside namespace "fake-uid-p", ` +
        `IPv4: dial tcp4 127.0.0.1:${closedPort}: connect: connection refused IPv6 dial tcp6 [::1]:${closedPort}: connect: ${c.received(1).data.split('connect: ').pop()}`,
    );
  });

  it('refuses a port that is not a number', async () => {
    const c = client();
    await pair(c, 1, 'http');
    await c.until(() => c.received(1).fin);
    assert.equal(c.received(1).data, 'error parsing port "http": strconv.ParseUint: parsing "http": invalid syntax');
  });

  it('ends the connections inside the pod when the client goes away', async () => {
    for (const other of clients) other.conn.transportClosed();
    await new SpdyTestClient().until(() => sockets.size === 0);
    const c = client();
    await pair(c, 1, echoPort);
    c.send(3, 'x');
    await c.until(() => c.received(3).data === 'x');
    assert.equal(sockets.size, 1);
    c.conn.transportClosed();
    await c.until(() => sockets.size === 0);
  });
});
