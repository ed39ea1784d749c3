/**
 * @module A small upstream DNS server for tests and the benchmark, on a
 * loopback address: it answers from a table of records, with NXDOMAIN or
 * NODATA (and a SOA) otherwise, over UDP and TCP; it counts the queries it
 * saw, can go silent (timeout tests) and can truncate UDP answers (TC
 * retry tests). Never a real resolver: nothing leaves the machine.
 */
import { createSocket, type Socket } from 'node:dgram';
import { createServer, type Server } from 'node:net';
import dnsPacket from 'dns-packet';
import type { Answer as Rr } from 'dns-packet';

export interface StubRecord {
  type: string;
  data: unknown;
  ttl?: number;
}

export interface StubUpstreamOptions {
  host?: string;
  /** name (lower case, no trailing dot) → records. */
  records?: Record<string, StubRecord[]>;
  /** The SOA given with NXDOMAIN / NODATA: its zone and minimum (negative TTL). */
  soaZone?: string;
  negativeTtl?: number;
  /** Names whose UDP answers are sent truncated (TC, no records), so the asker retries over TCP. */
  truncate?: string[];
}

export class StubUpstream {
  readonly host: string;
  records: Record<string, StubRecord[]>;
  readonly queries: { name: string; type: string; proto: 'udp' | 'tcp' }[] = [];
  /** When true, queries are counted but not answered. */
  silent = false;
  readonly #opts: StubUpstreamOptions;
  #udp?: Socket;
  #tcp?: Server;
  #port = 0;

  constructor(opts: StubUpstreamOptions = {}) {
    this.#opts = opts;
    this.host = opts.host ?? '127.0.0.1';
    this.records = opts.records ?? {};
  }

  get port(): number {
    return this.#port;
  }

  /** Answers a query message; exported for the benchmark's in-process use. */
  answer(buf: Buffer, proto: 'udp' | 'tcp'): Buffer | undefined {
    let q: dnsPacket.DecodedPacket;
    try {
      q = dnsPacket.decode(buf);
    } catch {
      return undefined;
    }
    const question = q.questions?.[0];
    if (!question) return undefined;
    const name = question.name.toLowerCase().replace(/\.$/, '');
    this.queries.push({ name, type: question.type, proto });
    if (this.silent) return undefined;
    const all = this.records[name];
    const hits = (all ?? []).filter((r) => r.type === question.type || (r.type === 'CNAME' && question.type !== 'CNAME'));
    const zone = this.#opts.soaZone ?? 'test';
    const negative = this.#opts.negativeTtl ?? 60;
    const soa = { name: zone, type: 'SOA', ttl: negative, data: { mname: `ns.${zone}`, rname: `hostmaster.${zone}`, serial: 1, refresh: 3600, retry: 600, expire: 86400, minimum: negative } } as Rr;
    const truncated = proto === 'udp' && (this.#opts.truncate ?? []).includes(name);
    const answers = truncated ? [] : hits.map((r) => ({ name: question.name, type: r.type, ttl: r.ttl ?? 300, class: 'IN', data: r.data }) as Rr);
    return dnsPacket.encode({
      type: 'response',
      id: q.id,
      // dns-packet writes the rcode only as the low bits of `flags` (3 = NXDOMAIN).
      flags: dnsPacket.RECURSION_DESIRED | dnsPacket.RECURSION_AVAILABLE | (truncated ? dnsPacket.TRUNCATED_RESPONSE : 0) | (all || truncated ? 0 : 3),
      questions: q.questions,
      answers,
      authorities: answers.length === 0 && !truncated ? [soa] : [],
    });
  }

  async start(): Promise<void> {
    const udp = createSocket(this.host.includes(':') ? 'udp6' : 'udp4');
    await new Promise<void>((ok, ko) => {
      udp.once('error', ko);
      udp.bind({ address: this.host, port: 0 }, () => ok());
    });
    this.#port = udp.address().port;
    udp.on('message', (m, r) => {
      const out = this.answer(m, 'udp');
      if (out) udp.send(out, r.port, r.address);
    });
    const tcp = createServer((s) => {
      let buf = Buffer.alloc(0);
      s.on('error', () => s.destroy());
      s.on('data', (d) => {
        buf = Buffer.concat([buf, d]);
        while (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) {
          const out = this.answer(buf.subarray(2, 2 + buf.readUInt16BE(0)), 'tcp');
          buf = buf.subarray(2 + buf.readUInt16BE(0));
          if (!out) continue;
          const len = Buffer.alloc(2);
          len.writeUInt16BE(out.length);
          s.write(Buffer.concat([len, out]));
        }
      });
    });
    await new Promise<void>((ok, ko) => {
      tcp.once('error', ko);
      tcp.listen({ host: this.host, port: this.#port }, () => ok());
    });
    this.#udp = udp;
    this.#tcp = tcp;
  }

  async close(): Promise<void> {
    await Promise.all([new Promise<void>((ok) => (this.#udp ? this.#udp.close(() => ok()) : ok())), new Promise<void>((ok) => (this.#tcp ? this.#tcp.close(() => ok()) : ok()))]);
  }
}
