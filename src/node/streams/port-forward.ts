/**
 * @module `kubectl port-forward` (the portforward.k8s.io protocol over
 * SPDY): the client opens an error stream and a data stream per local
 * connection, paired by their `requestID` header; the server connects to
 * localhost:<port> inside the pod's network namespace and copies bytes.
 *
 * The connection is made by a small Node process started through the
 * sandbox's enterPrefix() (the shape of dockershim's `nsenter ... socat`):
 * Node cannot enter a network namespace itself, and one short-lived
 * process per connection (~40 ms to start) keeps no state to clean up. A
 * failure to connect goes to the error stream in containerd's words.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import type { SpdyConnection, SpdyStream } from './spdy.ts';
import type { PodView } from './types.ts';

/** How long the second stream of a pair may take to arrive (the kubelet's stream creation timeout). */
const PAIR_TIMEOUT_MS = 30_000;

/** Runs inside the pod: connect to localhost:<argv[1]> (IPv4, then IPv6) and copy stdin/stdout. */
export const CONNECT_SCRIPT = `
const net = require('node:net');
const port = Number(process.argv[1]);
const ns = process.argv[2];
const why = (e) => ({ ECONNREFUSED: 'connection refused', ENETUNREACH: 'network is unreachable', EADDRNOTAVAIL: 'cannot assign requested address', ETIMEDOUT: 'i/o timeout' })[e.code] || e.message;
const errs = [];
const dial = (host, next) => {
  const s = net.connect({ host, port });
  s.once('error', (e) => { errs.push(e); next(); });
  s.once('connect', () => {
    s.removeAllListeners('error');
    s.on('error', () => process.exit(0));
    s.on('close', () => process.exit(0));
    process.stdin.pipe(s);
    s.pipe(process.stdout);
  });
};
dial('127.0.0.1', () => dial('::1', () => {
  process.stderr.write('failed to connect to localhost:' + port + ' inside namespace "' + ns + '", IPv4: dial tcp4 127.0.0.1:' + port + ': connect: ' + why(errs[0]) + ' IPv6 dial tcp6 [::1]:' + port + ': connect: ' + why(errs[1]) + ' ');
  process.exit(1);
}));
`;

export type Dialer = (pod: PodView, port: number) => ChildProcess;

export const dialInPod: Dialer = (pod, port) => {
  const argv = [...pod.sandbox.enterPrefix(), process.execPath, '-e', CONNECT_SCRIPT, String(port), pod.sandbox.id];
  return spawn(argv[0], argv.slice(1), { stdio: ['pipe', 'pipe', 'pipe'], env: {} });
};

interface Pair {
  data?: SpdyStream;
  error?: SpdyStream;
  timer: NodeJS.Timeout;
}

export function servePortForward(conn: SpdyConnection, pod: PodView, dial: Dialer = dialInPod): void {
  const pairs = new Map<string, Pair>();
  const children = new Set<ChildProcess>();
  conn.onclose = () => {
    for (const p of pairs.values()) clearTimeout(p.timer);
    pairs.clear();
    for (const c of children) c.kill('SIGKILL');
  };
  conn.onstream = (stream) => {
    const type = stream.headers.streamtype;
    const id = stream.headers.requestid ?? '';
    if (type !== 'data' && type !== 'error') {
      stream.reset();
      return;
    }
    let pair = pairs.get(id);
    if (!pair) {
      pair = { timer: setTimeout(() => timeOut(id), PAIR_TIMEOUT_MS) };
      pairs.set(id, pair);
    }
    if (pair[type]) {
      stream.reset();
      return;
    }
    pair[type] = stream;
    if (pair.data && pair.error) {
      clearTimeout(pair.timer);
      pairs.delete(id);
      forward(pair.data, pair.error);
    }
  };

  function timeOut(id: string): void {
    const p = pairs.get(id);
    pairs.delete(id);
    p?.data?.reset();
    p?.error?.reset();
  }

  function forward(data: SpdyStream, error: SpdyStream): void {
    const fail = (msg: string) => {
      error.write(Buffer.from(`error forwarding port ${data.headers.port} to pod ${pod.sandbox.id}, uid : ${msg}`));
      error.end();
      data.end();
    };
    const portText = data.headers.port ?? '';
    const port = Number(portText);
    if (!/^\d+$/.test(portText) || port < 1 || port > 65535) {
      error.write(Buffer.from(`error parsing port "${portText}": strconv.ParseUint: parsing "${portText}": invalid syntax`));
      error.end();
      data.end();
      return;
    }
    const child = dial(pod, port);
    children.add(child);
    let stderr = '';
    child.stderr?.on('data', (c: Buffer) => (stderr += c.toString()));
    child.stdout?.on('data', (c: Buffer) => {
      data.write(c);
      if (data.congested) {
        child.stdout!.pause();
        data.whenDrained(() => child.stdout!.resume());
      }
    });
    child.stdin?.on('error', () => {});
    data.ondata = (c) => child.stdin?.write(c);
    data.onend = () => child.stdin?.end();
    data.onreset = error.onreset = () => child.kill('SIGKILL');
    child.on('error', (e) => {
      children.delete(child);
      fail(`failed to execute portforward in network namespace "${pod.sandbox.id}": ${e.message}`);
    });
    child.on('close', (code) => {
      children.delete(child);
      if (code) return fail(stderr.trim() ? stderr : `failed to execute portforward in network namespace "${pod.sandbox.id}": exit status ${code}`);
      error.end();
      data.end();
    });
  }
}
