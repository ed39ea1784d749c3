/**
 * The relay set in-process, over loopback only.
 *
 * Address plan: endpoints listen on 127.0.0.1 (ephemeral ports); each test's
 * "cluster IP" is its own 127.77.0.N (a free port found on it); clients that
 * must differ by IP connect from 127.77.1.N.
 */
import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import { connect, createServer } from 'node:net';
import { after, test } from 'node:test';
import { trackedEndpoints, connectOutcome, freePort, open, sleep, spec, udpAsk, udpEndpoint, whoAnswers, type Named } from './relay-fixtures.ts';
import { RelaySet } from './relays.ts';

const cleanups: (() => unknown)[] = [];
after(async () => {
  for (const c of cleanups.reverse()) await c();
});

const endpoints = (...names: string[]): Promise<Named[]> => trackedEndpoints(cleanups, ...names);

function relaySet(): RelaySet {
  const r = new RelaySet();
  cleanups.push(() => r.close());
  return r;
}

test('TCP: round-robin over 3 endpoints', async () => {
  const eps = await endpoints('a', 'b', 'c');
  const relays = relaySet();
  const port = await freePort('127.77.0.1');
  assert.deepEqual(await relays.apply([spec('127.77.0.1', port, eps.map((e) => e.port))]), { listeners: 1, errors: [] });
  const seen: string[] = [];
  for (let i = 0; i < 6; i++) seen.push(await whoAnswers('127.77.0.1', port));
  assert.deepEqual(seen, ['a', 'b', 'c', 'a', 'b', 'c']);
  assert.equal(relays.metrics().tcpConnections, 6);
});

test('TCP: an endpoint that refuses is skipped, the client never notices', async () => {
  const [a, c] = await endpoints('a', 'c');
  const dead = await freePort();
  const relays = relaySet();
  const port = await freePort('127.77.0.2');
  await relays.apply([spec('127.77.0.2', port, [a.port, dead, c.port])]);
  const seen: string[] = [];
  for (let i = 0; i < 6; i++) seen.push(await whoAnswers('127.77.0.2', port));
  assert.deepEqual(seen, ['a', 'c', 'a', 'c', 'a', 'c']);
  assert.equal(relays.metrics().tcpDialFailures, 3);
});

test('TCP: when every endpoint refuses, the client is reset', async () => {
  const relays = relaySet();
  const port = await freePort('127.77.0.3');
  await relays.apply([spec('127.77.0.3', port, [await freePort(), await freePort()])]);
  assert.equal(await connectOutcome('127.77.0.3', port), 'ECONNRESET');
  const m = relays.metrics();
  assert.equal(m.tcpRejected, 1);
  assert.equal(m.tcpDialFailures, 4, 'upstream tried 4 times');
});

test('TCP: ClientIP affinity holds, and ends after the timeout', async () => {
  const eps = await endpoints('a', 'b', 'c');
  const relays = relaySet();
  const port = await freePort('127.77.0.4');
  await relays.apply([spec('127.77.0.4', port, eps.map((e) => e.port), { affinityTimeoutSeconds: 1 })]);
  const from = (ip: string): Promise<string> => whoAnswers('127.77.0.4', port, { localAddress: ip });
  assert.deepEqual([await from('127.77.1.1'), await from('127.77.1.1'), await from('127.77.1.1')], ['a', 'a', 'a']);
  assert.deepEqual([await from('127.77.1.2'), await from('127.77.1.2')], ['b', 'b']);
  // Use refreshes the affinity: 0.6 s + 0.6 s apart still sticks.
  await sleep(600);
  assert.equal(await from('127.77.1.1'), 'a');
  await sleep(600);
  assert.equal(await from('127.77.1.1'), 'a');
  await sleep(1200);
  assert.equal(await from('127.77.1.1'), 'c', 'expired: the next endpoint in turn');
  assert.equal(await from('127.77.1.1'), 'c');
});

test('TCP: an endpoint update keeps the open connection and sends new ones to the new endpoint', async () => {
  const [a, b] = await endpoints('a', 'b');
  const relays = relaySet();
  const port = await freePort('127.77.0.5');
  await relays.apply([spec('127.77.0.5', port, [a.port])]);
  const conn = await open('127.77.0.5', port);
  assert.equal(conn.name, 'a');
  assert.equal(await conn.echo('before'), 'before');
  assert.deepEqual(await relays.apply([spec('127.77.0.5', port, [b.port])]), { listeners: 1, errors: [] });
  assert.equal(await conn.echo('after'), 'after');
  assert.equal(await whoAnswers('127.77.0.5', port), 'b');
  for (let i = 0; i < 50 && relays.metrics().tcpActive !== 1; i++) await sleep(10);
  assert.equal(relays.metrics().tcpActive, 1, 'the first connection is still open');
  conn.socket.destroy();
});

test('TCP: a removed listener refuses at once; open connections go on', async () => {
  const [a] = await endpoints('a');
  const relays = relaySet();
  const port = await freePort('127.77.0.6');
  await relays.apply([spec('127.77.0.6', port, [a.port])]);
  const conn = await open('127.77.0.6', port);
  assert.deepEqual(await relays.apply([]), { listeners: 0, errors: [] });
  assert.equal(await connectOutcome('127.77.0.6', port), 'ECONNREFUSED');
  assert.equal(await conn.echo('still here'), 'still here');
  conn.socket.destroy();
});

test('a listener that cannot bind is reported; the others open; the next table retries it', async () => {
  const [a] = await endpoints('a');
  const squatter = createServer();
  const busy = await freePort('127.77.0.7');
  await new Promise<void>((r) => squatter.listen(busy, '127.77.0.7', r));
  const relays = relaySet();
  const other = await freePort('127.77.0.7');
  const table = [spec('127.77.0.7', busy, [a.port]), spec('127.77.0.7', other, [a.port])];
  const r = await relays.apply(table);
  assert.equal(r.listeners, 1);
  assert.deepEqual(
    r.errors.map((e) => [e.listener, e.code]),
    [[`tcp 127.77.0.7:${busy}`, 'EADDRINUSE']],
  );
  assert.equal(await whoAnswers('127.77.0.7', other), 'a');
  await new Promise((res) => squatter.close(res));
  assert.deepEqual(await relays.apply(table), { listeners: 2, errors: [] });
  assert.equal(await whoAnswers('127.77.0.7', busy), 'a');
});

test('bad specs are reported as INVALID, never thrown', async () => {
  const relays = relaySet();
  const r = await relays.apply([spec('127.77.0.7', 0, [1]), spec('127.77.0.7', 1, []), { ...spec('127.77.0.7', 2, [1]), protocol: 'SCTP' as 'TCP' }]);
  assert.equal(r.listeners, 0);
  assert.deepEqual(
    r.errors.map((e) => e.code),
    ['INVALID', 'INVALID', 'INVALID'],
  );
});

test('TCP: half-close passes through (client FIN, reply still arrives), and a 4 MB echo round-trips', async () => {
  const server = createServer({ allowHalfOpen: true }, (s) => {
    let got = '';
    s.on('data', (d) => (got += d.toString()));
    s.on('end', () => s.end(`got:${got}`));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  cleanups.push(() => new Promise((r) => server.close(r)));
  const [echo] = await endpoints('echo');
  const relays = relaySet();
  const p1 = await freePort('127.77.0.9');
  const p2 = await freePort('127.77.0.9');
  await relays.apply([spec('127.77.0.9', p1, [(server.address() as { port: number }).port]), spec('127.77.0.9', p2, [echo.port])]);

  const reply = await new Promise<string>((resolve, reject) => {
    const s = connect({ host: '127.77.0.9', port: p1 });
    let out = '';
    s.on('data', (d) => (out += d.toString()));
    s.on('end', () => resolve(out));
    s.on('error', reject);
    s.end('ping');
  });
  assert.equal(reply, 'got:ping');

  const conn = await open('127.77.0.9', p2);
  const big = 'x'.repeat(4 << 20);
  assert.equal((await conn.echo(big)).length, big.length);
  conn.socket.destroy();
  await sleep(50);
  const m = relays.metrics();
  assert.ok(m.tcpBytesIn >= (4 << 20) + 4 && m.tcpBytesOut >= (4 << 20) + 12, `bytes counted: ${m.tcpBytesIn}/${m.tcpBytesOut}`);
});

test('UDP: two clients, replies from the service address, sessions stick, many short queries', async () => {
  const u1 = await udpEndpoint('u1');
  const u2 = await udpEndpoint('u2');
  cleanups.push(u1.close, u2.close);
  const relays = relaySet();
  const port = await freePort('127.77.0.8');
  const svc = spec('127.77.0.8', port, [u1.port, u2.port], { protocol: 'UDP' });
  assert.deepEqual(await relays.apply([svc]), { listeners: 1, errors: [] });

  const c1 = createSocket('udp4');
  const c2 = createSocket('udp4');
  cleanups.push(() => c1.close(), () => c2.close());
  assert.deepEqual(await udpAsk(c1, '127.77.0.8', port, 'q1'), { text: 'u1:q1', from: `127.77.0.8:${port}` });
  assert.deepEqual(await udpAsk(c2, '127.77.0.8', port, 'q2'), { text: 'u2:q2', from: `127.77.0.8:${port}` });
  for (let i = 0; i < 50; i++) assert.equal((await udpAsk(c1, '127.77.0.8', port, `n${i}`)).text, `u1:n${i}`);
  // A resolver that uses a fresh source port per query: every one answered, spread round-robin.
  const answers: string[] = [];
  for (let i = 0; i < 20; i++) {
    const s = createSocket('udp4');
    answers.push((await udpAsk(s, '127.77.0.8', port, 'x')).text);
    s.close();
  }
  assert.deepEqual(new Set(answers), new Set(['u1:x', 'u2:x']));
  assert.equal(relays.metrics().udpSessions, 22);

  // u1 leaves: c1's session to it ends, its next datagram goes to u2.
  await relays.apply([{ ...svc, endpoints: [{ ip: '127.0.0.1', port: u2.port }] }]);
  assert.equal((await udpAsk(c1, '127.77.0.8', port, 'q3')).text, 'u2:q3');
});

test('UDP: an endpoint that answers ICMP unreachable ends the session and loses the affinity; a busy UDP port is reported', async () => {
  const u1 = await udpEndpoint('u1');
  cleanups.push(u1.close);
  const gone = createSocket('udp4');
  await new Promise<void>((r) => gone.bind(0, '127.0.0.1', r));
  const dead = gone.address().port;
  await new Promise<void>((r) => gone.close(r));
  const squatter = createSocket('udp4');
  await new Promise<void>((r) => squatter.bind(0, '127.77.0.10', r));
  cleanups.push(() => squatter.close());
  const busy = squatter.address().port;

  const relays = relaySet();
  const port = await freePort('127.77.0.10');
  const svc = spec('127.77.0.10', port, [dead, u1.port], { protocol: 'UDP', affinityTimeoutSeconds: 60 });
  const r = await relays.apply([svc, { ...svc, port: busy }]);
  assert.equal(r.listeners, 1);
  assert.deepEqual(
    r.errors.map((e) => [e.listener, e.code]),
    [[`udp 127.77.0.10:${busy}`, 'EADDRINUSE']],
  );

  const c = createSocket('udp4');
  cleanups.push(() => c.close());
  await assert.rejects(udpAsk(c, '127.77.0.10', port, 'lost', 300), /no UDP answer/);
  assert.equal((await udpAsk(c, '127.77.0.10', port, 'again')).text, 'u1:again');
  assert.ok(relays.metrics().udpErrors >= 1);
});
