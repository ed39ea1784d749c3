/**
 * @module The DNS listeners: one UDP socket and one TCP server on the same
 * address and port, both feeding the request handler. TCP carries
 * length-prefixed messages (RFC 1035 4.2.2), several per connection and
 * answered as they complete (RFC 7766 6.2.1.1 allows out-of-order replies),
 * with an idle timeout. With `reusePort`, several processes can share the
 * port (SO_REUSEPORT), the kernel spreading queries over them.
 */
import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';
import { createServer, type Server, type Socket as TcpSocket } from 'node:net';
import { DnsError } from './types.ts';
import type { RequestContext } from './handler.ts';

export interface QueryHandler {
  handle(buf: Buffer, ctx: RequestContext): Buffer | undefined | Promise<Buffer | undefined>;
}

export interface DnsServerOptions {
  handler: QueryHandler;
  /** Default 0.0.0.0. */
  host?: string;
  /** 0 picks a free port, the same for UDP and TCP. */
  port: number;
  reusePort?: boolean;
  /** A TCP connection with no query for this long is closed (default 10 s, CoreDNS's read timeout). */
  tcpIdleMs?: number;
}

const MAX_TCP_CONNECTIONS = 1024;

export class DnsServer {
  readonly #opts: DnsServerOptions;
  #udp?: Socket;
  #tcp?: Server;
  readonly #conns = new Set<TcpSocket>();
  #port = 0;
  #ready = false;

  constructor(opts: DnsServerOptions) {
    this.#opts = opts;
  }

  get port(): number {
    return this.#port;
  }

  ready(): boolean {
    return this.#ready;
  }

  /** Binds both listeners; resolves once they accept queries. Stops through the signal. */
  async start(signal: AbortSignal): Promise<void> {
    const host = this.#opts.host ?? '0.0.0.0';
    const family = host.includes(':') ? 'udp6' : 'udp4';
    // With port 0, the UDP port is taken first and TCP asked for the same; a clash retries with a new port.
    for (let attempt = 0; ; attempt++) {
      // A 4 MiB receive buffer (the kernel caps it at net.core.rmem_max) rides out bursts while the
      // event loop is busy elsewhere (a GC pause, a relist), instead of dropping queries.
      const udp = createSocket({ type: family, reusePort: this.#opts.reusePort === true, recvBufferSize: 4 << 20 });
      try {
        await new Promise<void>((ok, ko) => {
          udp.once('error', ko);
          udp.bind({ address: host, port: this.#opts.port }, () => {
            udp.removeListener('error', ko);
            ok();
          });
        });
        const port = udp.address().port;
        const tcp = createServer({ noDelay: true }, (s) => this.#onConnection(s));
        await new Promise<void>((ok, ko) => {
          tcp.once('error', ko);
          tcp.listen({ host, port, reusePort: this.#opts.reusePort === true }, () => {
            tcp.removeListener('error', ko);
            ok();
          });
        });
        this.#udp = udp;
        this.#tcp = tcp;
        this.#port = port;
        break;
      } catch (e) {
        udp.close();
        if (this.#opts.port !== 0 || attempt >= 20) throw new DnsError('LISTEN', `listen ${host}:${this.#opts.port}: ${(e as Error).message}`);
      }
    }
    const udp = this.#udp!;
    udp.on('message', (msg, rinfo) => this.#onDatagram(msg, rinfo));
    udp.on('error', () => {}); // send errors (an ICMP unreachable from a vanished client) are not the server's failure
    this.#tcp!.on('error', () => {});
    this.#ready = true;
    if (signal.aborted) await this.close();
    else signal.addEventListener('abort', () => void this.close(), { once: true });
  }

  #onDatagram(msg: Buffer, rinfo: RemoteInfo): void {
    const ctx: RequestContext = { proto: 'udp', family: rinfo.family === 'IPv6' ? 2 : 1 };
    const out = this.#opts.handler.handle(msg, ctx);
    if (out === undefined) return;
    if (out instanceof Promise)
      void out.then((b) => {
        if (b) this.#udp?.send(b, rinfo.port, rinfo.address);
      });
    else this.#udp?.send(out, rinfo.port, rinfo.address);
  }

  #onConnection(s: TcpSocket): void {
    if (this.#conns.size >= MAX_TCP_CONNECTIONS || !this.#ready) {
      s.destroy();
      return;
    }
    this.#conns.add(s);
    const ctx: RequestContext = { proto: 'tcp', family: s.remoteFamily === 'IPv6' ? 2 : 1 };
    let buf = Buffer.alloc(0);
    s.setTimeout(this.#opts.tcpIdleMs ?? 10_000, () => s.destroy());
    s.on('error', () => s.destroy());
    s.on('close', () => this.#conns.delete(s));
    const reply = (b: Buffer | undefined) => {
      if (!b || s.destroyed) return;
      const len = Buffer.allocUnsafe(2);
      len.writeUInt16BE(b.length);
      s.write(Buffer.concat([len, b]));
    };
    s.on('data', (d) => {
      buf = buf.length === 0 ? d : Buffer.concat([buf, d]);
      while (buf.length >= 2) {
        const n = buf.readUInt16BE(0);
        if (buf.length < 2 + n) break;
        const msg = buf.subarray(2, 2 + n);
        buf = buf.subarray(2 + n);
        const out = this.#opts.handler.handle(msg, ctx);
        if (out instanceof Promise) void out.then(reply);
        else reply(out);
      }
    });
  }

  async close(): Promise<void> {
    if (!this.#ready) return;
    this.#ready = false;
    const tcp = this.#tcp;
    for (const c of this.#conns) c.destroy();
    this.#conns.clear();
    await Promise.all([
      new Promise<void>((ok) => (this.#udp ? this.#udp.close(() => ok()) : ok())),
      new Promise<void>((ok) => (tcp ? tcp.close(() => ok()) : ok())),
    ]);
  }
}
