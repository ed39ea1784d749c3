/**
 * The agent's stream server on 127.0.0.1:<random>, driven with plain HTTP
 * and WebSocket clients (no apiserver); the fake pod runs its commands on
 * the host.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WebSocket } from 'ws';
import { FakeRuntime } from './fake-runtime.ts';
import { parseRoute, StreamServer } from './server.ts';

const TOKEN = 'test-token';

interface Session {
  messages: Buffer[];
  status?: Record<string, unknown>;
  closeCode?: number;
  /** Set when the handshake was refused. */
  refused?: { code: number; body: string };
  ws: WebSocket;
  closed: Promise<void>;
}

describe('the agent stream server', () => {
  const dir = mkdtempSync(join(tmpdir(), 'nanokube-agent-streams-'));
  const rt = new FakeRuntime();
  const stop = new AbortController();
  const server = new StreamServer({ runtime: rt, token: TOKEN });
  let base = '';

  before(async () => {
    writeFileSync(join(dir, 'c.log'), '2026-11-22T02:00:00Z stdout F hello\n');
    rt.addPod({
      namespace: 'ns',
      name: 'p',
      containers: [
        { name: 'c', logPath: join(dir, 'c.log') },
        { name: 'done', logPath: join(dir, 'c.log'), command: ['true'] },
      ],
    });
    await server.start(stop.signal);
    base = `127.0.0.1:${server.port}`;
    assert.equal(server.ready(), true);
  });
  after(async () => {
    stop.abort();
    await rt.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const get = async (path: string, token = TOKEN) => {
    const r = await fetch(`http://${base}${path}`, { headers: { authorization: `Bearer ${token}` } });
    return { status: r.status, body: await r.text() };
  };

  function connect(path: string, protocols: string[] = ['v5.channel.k8s.io'], token = TOKEN): Session {
    const ws = new WebSocket(`ws://${base}${path}`, protocols, { headers: { authorization: `Bearer ${token}` } });
    const s: Session = { messages: [], ws, closed: Promise.resolve() };
    s.closed = new Promise((resolve) => {
      ws.on('message', (d: Buffer) => {
        if (d[0] === 3) s.status = JSON.parse(d.subarray(1).toString());
        else s.messages.push(d);
      });
      ws.on('close', (code) => {
        s.closeCode = code;
        resolve();
      });
      ws.on('unexpected-response', (_req, res) => {
        let body = '';
        res.on('data', (c) => (body += c));
        res.on('end', () => {
          s.refused = { code: res.statusCode ?? 0, body };
          resolve();
        });
      });
      ws.on('error', () => resolve());
    });
    return s;
  }
  const out = (s: Session, channel: number) => Buffer.concat(s.messages.filter((m) => m[0] === channel).map((m) => m.subarray(1))).toString();

  it('parses the kubelet paths', () => {
    assert.deepEqual(parseRoute('/exec/ns/p/c'), { kind: 'exec', namespace: 'ns', pod: 'p', container: 'c' });
    assert.deepEqual(parseRoute('/portForward/ns/p'), { kind: 'portForward', namespace: 'ns', pod: 'p' });
    assert.equal(parseRoute('/exec/ns/p'), undefined);
    assert.equal(parseRoute('/run/ns/p/c'), undefined);
  });

  it('wants the cluster token', async () => {
    assert.deepEqual(await get('/containerLogs/ns/p/c', 'wrong'), { status: 401, body: 'Unauthorized' });
    const s = connect('/exec/ns/p/c?command=true&output=1', undefined, 'wrong');
    await s.closed;
    assert.equal(s.refused?.code, 401);
  });

  it('serves logs, with the kubelet errors as plain text', async () => {
    assert.deepEqual(await get('/containerLogs/ns/p/c'), { status: 200, body: 'hello\n' });
    assert.deepEqual(await get('/containerLogs/ns/nope/c'), { status: 404, body: 'pod "nope" does not exist\n' });
    assert.deepEqual(await get('/containerLogs/ns/p/x'), { status: 404, body: 'container "x" not found in pod "p"\n' });
    assert.deepEqual(await get('/containerLogs/ns/p/c?previous=true'), { status: 400, body: 'previous terminated container "c" in pod "p" not found' });
    assert.deepEqual(await get('/containerLogs/ns/p/c?tailLines=-1'), { status: 422, body: '{"message": "Invalid request."}' });
    assert.equal((await get('/exec/ns/p/c')).body, 'Upgrade request required');
    assert.equal((await get('/nothing')).status, 404);
  });

  it('runs a command over v5 and ends with its status', async () => {
    const s = connect('/exec/ns/p/c?command=sh&command=-c&command=echo%20out%3B%20echo%20err%20%3E%262%3B%20exit%202&output=1&error=1');
    await s.closed;
    assert.equal(s.ws.protocol, 'v5.channel.k8s.io');
    assert.deepEqual([out(s, 1), out(s, 2)], ['out\n', 'err\n']);
    assert.equal(s.status?.reason, 'NonZeroExitCode');
    assert.equal(s.closeCode, 1000);
  });

  it('closes stdin on the v5 CLOSE signal', async () => {
    const s = connect('/exec/ns/p/c?command=wc&command=-c&input=1&output=1&error=1');
    await new Promise((r) => s.ws.once('open', r));
    s.ws.send(Buffer.from([0, ...Buffer.from('12345')]));
    s.ws.send(Buffer.from([255, 0]));
    await s.closed;
    assert.equal(out(s, 1).trim(), '5');
    assert.deepEqual(s.status, { metadata: {}, status: 'Success' });
  });

  it('speaks v4 when the client offers only v4', async () => {
    const s = connect('/exec/ns/p/c?command=head&command=-n1&input=1&output=1', ['v4.channel.k8s.io']);
    await new Promise((r) => s.ws.once('open', r));
    s.ws.send(Buffer.from([0, ...Buffer.from('line\nmore\n')]));
    await s.closed;
    assert.equal(s.ws.protocol, 'v4.channel.k8s.io');
    assert.equal(out(s, 1), 'line\n');
  });

  it('ends the command when the client goes away', async () => {
    const s = connect('/exec/ns/p/c?command=sh&command=-c&command=echo%20%24%24%3B%20exec%20sleep%2030&output=1');
    while (!out(s, 1).includes('\n')) await new Promise((r) => setTimeout(r, 10));
    const pid = Number(out(s, 1).trim());
    s.ws.terminate();
    const deadline = Date.now() + 5000;
    for (;;) {
      try {
        process.kill(pid, 0);
      } catch {
        break;
      }
      assert.ok(Date.now() < deadline, `process ${pid} still runs`);
      await new Promise((r) => setTimeout(r, 20));
    }
  });

  it('refuses upgrades it cannot serve, with a Status', async () => {
    const cases: [string, string[], number, RegExp][] = [
      ['/exec/ns/p/x?command=true&output=1', ['v5.channel.k8s.io'], 500, /container not found \("x"\)/],
      ['/exec/ns/nope/c?command=true&output=1', ['v5.channel.k8s.io'], 404, /pod does not exist/],
      ['/exec/ns/p/c?command=true', ['v5.channel.k8s.io'], 400, /you must specify at least 1 of stdin, stdout, stderr/],
      ['/exec/ns/p/c?output=1', ['v5.channel.k8s.io'], 400, /command is required/],
      ['/exec/ns/p/c?command=true&output=1', ['base64.channel.k8s.io'], 400, /none of the protocols/],
      ['/portForward/ns/p', ['v4.channel.k8s.io'], 400, /SPDY\/3\.1\+portforward\.k8s\.io/],
    ];
    for (const [path, protocols, code, text] of cases) {
      const s = connect(path, protocols);
      await s.closed;
      assert.equal(s.refused?.code, code, path);
      const status = JSON.parse(s.refused!.body);
      assert.equal(status.kind, 'Status');
      assert.match(status.message, text);
    }
  });

  it('refuses SPDY for exec (kubectl falls back to it only when WebSocket fails)', async () => {
    const r = await fetch(`http://${base}/exec/ns/p/c?command=true&output=1`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}`, connection: 'Upgrade', upgrade: 'SPDY/3.1', 'x-stream-protocol-version': 'v4.channel.k8s.io' },
    }).catch((e) => e as Error);
    // fetch cannot read an upgrade response; what matters is that nothing hangs and no 101 is sent.
    assert.ok(r instanceof Error || r.status === 400);
  });

  it('tells an attach to a stopped container that it is not running', async () => {
    while (rt.findContainer('ns', 'p', 'done')!.running()) await new Promise((r) => setTimeout(r, 10));
    const s = connect('/attach/ns/p/done?output=1');
    await s.closed;
    assert.equal(s.status?.reason, 'InternalError');
    assert.match(String(s.status?.message), /container "done" in pod "p" is not running/);
  });
});
