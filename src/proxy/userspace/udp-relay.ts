/**
 * @module One UDP listener of the userspace proxy. Each client address
 * (ip:port) gets a session: a socket connected to the endpoint the pool's
 * Balancer picked. Datagrams from the client go out on it; replies come
 * back through the listening socket, so the client sees them from the
 * address it sent to (what a DNS client checks).
 *
 * Sessions end after UDP_IDLE_MS without traffic either way. kube-proxy
 * userspace's `--udp-timeout` was 250 ms, counted from the last datagram
 * forwarded, which dropped any reply slower than that; we keep 10 s, well
 * under conntrack's 30 s for UDP, and cap the sessions per listener so a
 * resolver using a fresh source port per query (many short queries) cannot
 * exhaust file descriptors: the oldest session is dropped first.
 */
import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';
import type { Balancer } from './balancer.ts';
import type { RelayMetrics } from './metrics.ts';
import type { RelayEndpoint } from './table.ts';

export const UDP_IDLE_MS = 10_000;
export const MAX_UDP_SESSIONS = 4096;

interface Session {
  upstream: Socket;
  endpoint: RelayEndpoint;
  clientIP: string;
  lastUsed: number;
  /** Datagrams that arrived before the upstream socket's connect completed (dgram does not queue those). */
  early: Buffer[] | undefined;
}

export class UdpRelay {
  readonly #socket: Socket;
  readonly #metrics: RelayMetrics;
  readonly #sessions = new Map<string, Session>();
  #balancer: Balancer;
  #closed = false;

  constructor(opts: { balancer: Balancer; metrics: RelayMetrics }) {
    this.#balancer = opts.balancer;
    this.#metrics = opts.metrics;
    this.#socket = createSocket({ type: 'udp4' });
    this.#socket.on('message', this.#onMessage);
  }

  /** Binds; rejects with the bind error. */
  listen(address: string, port: number): Promise<void> {
    const socket = this.#socket;
    return new Promise((resolve, reject) => {
      const onError = (err: Error): void => {
        socket.off('listening', onListening);
        socket.close();
        reject(err);
      };
      const onListening = (): void => {
        socket.off('error', onError);
        // After the bind, errors are per datagram (a send that failed): count, keep serving.
        socket.on('error', () => this.#metrics.udpErrors++);
        resolve();
      };
      socket.once('error', onError);
      socket.once('listening', onListening);
      socket.bind({ address, port, exclusive: true });
    });
  }

  /**
   * Switches balancer (or sees the same one updated): sessions whose endpoint is gone end,
   * so a client that keeps its source port (a resolver) moves to a live endpoint at once,
   * as kube-proxy clears conntrack entries of removed UDP endpoints.
   */
  use(balancer: Balancer): void {
    this.#balancer = balancer;
    for (const [key, s] of this.#sessions) if (!balancer.has(s.endpoint)) this.#end(key, s);
  }

  /** Ends sessions idle for UDP_IDLE_MS. */
  sweep(now: number): void {
    for (const [key, s] of this.#sessions) if (now - s.lastUsed >= UDP_IDLE_MS) this.#end(key, s);
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const [key, s] of this.#sessions) this.#end(key, s);
    this.#socket.close();
  }

  readonly #onMessage = (msg: Buffer, rinfo: RemoteInfo): void => {
    const m = this.#metrics;
    m.udpPacketsIn++;
    m.udpBytesIn += msg.length;
    const key = `${rinfo.address}:${rinfo.port}`;
    const s = this.#sessions.get(key) ?? this.#open(key, rinfo);
    if (!s) {
      m.udpErrors++;
      return;
    }
    s.lastUsed = Date.now();
    if (s.early) s.early.push(msg);
    else s.upstream.send(msg, this.#onSent);
  };

  readonly #onSent = (err: Error | null): void => {
    if (err) this.#metrics.udpErrors++;
  };

  #open(key: string, client: RemoteInfo): Session | undefined {
    const endpoint = this.#balancer.pick(client.address);
    if (!endpoint) return undefined;
    if (this.#sessions.size >= MAX_UDP_SESSIONS) {
      const [oldKey, old] = this.#sessions.entries().next().value!;
      this.#end(oldKey, old);
    }
    const m = this.#metrics;
    const upstream = createSocket({ type: 'udp4' });
    const s: Session = { upstream, endpoint, clientIP: client.address, lastUsed: Date.now(), early: [] };
    const { port, address } = client;
    upstream.on('message', (reply) => {
      s.lastUsed = Date.now();
      m.udpPacketsOut++;
      m.udpBytesOut += reply.length;
      if (!this.#closed) this.#socket.send(reply, port, address, this.#onSent);
    });
    const onError = (err: NodeJS.ErrnoException): void => {
      m.udpErrors++;
      // ICMP port unreachable from the endpoint: its next session must not stick to it.
      if (err.code === 'ECONNREFUSED') this.#balancer.forget(s.clientIP);
      this.#end(key, s);
    };
    upstream.on('error', onError);
    upstream.connect(endpoint.port, endpoint.ip, (err?: Error) => {
      if (err) return onError(err);
      const early = s.early ?? [];
      s.early = undefined;
      if (this.#sessions.get(key) !== s) return;
      for (const msg of early) upstream.send(msg, this.#onSent);
    });
    this.#sessions.set(key, s);
    m.udpSessions++;
    m.udpActive++;
    return s;
  }

  #end(key: string, s: Session): void {
    if (this.#sessions.get(key) !== s) return;
    this.#sessions.delete(key);
    this.#metrics.udpActive--;
    try {
      s.upstream.close();
    } catch {}
  }
}
