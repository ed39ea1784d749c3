/**
 * @module Loopback fixtures for the userspace proxy's tests: endpoints that
 * say who they are, clients that ask, and free ports. Everything binds to
 * 127.0.0.0/8 only (endpoints on 127.0.0.1, "cluster IPs" on 127.77.x.y),
 * on ephemeral ports.
 */
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { connect, createServer, type Server, type Socket } from 'node:net';
import type { RelaySpec } from './table.ts';

export interface Named {
  name: string;
  port: number;
  close(): Promise<void>;
}

/** A TCP endpoint on 127.0.0.1 that writes `name\n` on connect, then echoes what it reads. */
export async function tcpEndpoint(name: string): Promise<Named & { server: Server }> {
  const sockets = new Set<Socket>();
  const server = createServer((s) => {
    sockets.add(s);
    s.on('error', () => {});
    s.on('close', () => sockets.delete(s));
    s.write(`${name}\n`);
    s.pipe(s);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  return {
    name,
    port,
    server,
    close: () =>
      new Promise((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  };
}

/** A UDP endpoint on 127.0.0.1 that answers each datagram with `name:datagram`. */
/** Starts TCP endpoints and registers their close with the test file's cleanups. */
export async function trackedEndpoints(cleanups: (() => unknown)[], ...names: string[]): Promise<Named[]> {
  const eps = await Promise.all(names.map((n) => tcpEndpoint(n)));
  for (const e of eps) cleanups.push(() => e.close());
  return eps;
}

export async function udpEndpoint(name: string): Promise<Named> {
  const sock = createSocket('udp4');
  sock.on('message', (msg, rinfo) => sock.send(`${name}:${msg.toString()}`, rinfo.port, rinfo.address));
  await new Promise<void>((r) => sock.bind(0, '127.0.0.1', r));
  return { name, port: sock.address().port, close: () => new Promise((r) => sock.close(() => r())) };
}

/** A port nothing listens on right now (bound, then released). */
export async function freePort(address = '127.0.0.1'): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, address, r));
  const port = (server.address() as { port: number }).port;
  await new Promise((r) => server.close(r));
  return port;
}

/** A connected client that has read the endpoint's name line. */
export interface Conn {
  name: string;
  socket: Socket;
  /** Writes `text` and resolves with the echo. */
  echo(text: string): Promise<string>;
}

export function open(address: string, port: number, opts: { localAddress?: string } = {}): Promise<Conn> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: address, port, localAddress: opts.localAddress });
    let buf = '';
    let named = false;
    let pending: { n: number; done: (s: string) => void } | undefined;
    const pump = (): void => {
      if (!named) {
        const nl = buf.indexOf('\n');
        if (nl < 0) return;
        named = true;
        const name = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        const echo = (text: string): Promise<string> =>
          new Promise((done) => {
            pending = { n: text.length, done };
            socket.write(text);
          });
        resolve({ name, socket, echo });
      }
      if (pending && buf.length >= pending.n) {
        const p = pending;
        pending = undefined;
        const out = buf.slice(0, p.n);
        buf = buf.slice(p.n);
        p.done(out);
      }
    };
    socket.on('data', (d: Buffer) => {
      buf += d.toString();
      pump();
    });
    socket.on('error', reject);
    socket.on('close', () => reject(new Error('closed before the name line')));
  });
}

/** Connects, reads the endpoint's name, closes. */
export async function whoAnswers(address: string, port: number, opts: { localAddress?: string } = {}): Promise<string> {
  const c = await open(address, port, opts);
  c.socket.destroy();
  return c.name;
}

/** The error code a connection attempt ends with (ECONNREFUSED, ECONNRESET ...), or 'open'. */
export function connectOutcome(address: string, port: number): Promise<string> {
  return new Promise((resolve) => {
    const s = connect({ host: address, port });
    s.on('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? e.message));
    s.on('data', () => {
      s.destroy();
      resolve('open');
    });
    s.on('end', () => resolve('end'));
  });
}

/** Sends one datagram from `sock` and waits for the answer (and where it came from). */
export function udpAsk(sock: UdpSocket, address: string, port: number, text: string, timeoutMs = 2000): Promise<{ text: string; from: string }> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      sock.off('message', onMsg);
      reject(new Error(`no UDP answer to ${text}`));
    }, timeoutMs);
    const onMsg = (msg: Buffer, rinfo: { address: string; port: number }): void => {
      clearTimeout(timer);
      sock.off('message', onMsg);
      resolve({ text: msg.toString(), from: `${rinfo.address}:${rinfo.port}` });
    };
    sock.on('message', onMsg);
    sock.send(text, port, address);
  });
}

/** A TCP or UDP spec for a "cluster IP" listener with endpoints on 127.0.0.1. */
export function spec(address: string, port: number, endpointPorts: number[], more: Partial<RelaySpec> = {}): RelaySpec {
  return {
    protocol: 'TCP',
    address,
    port,
    kind: 'clusterIP',
    service: `test/${address}:${port}`,
    pool: 'cluster',
    endpoints: endpointPorts.map((p) => ({ ip: '127.0.0.1', port: p })),
    ...more,
  };
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
