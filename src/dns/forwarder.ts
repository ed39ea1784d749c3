/**
 * @module Forwarding to upstream resolvers (CoreDNS's *forward* plugin,
 * its behaviour): the question goes out over UDP with a fresh random ID and
 * EDNS0, a truncated (TC) answer is asked again over TCP of the same
 * upstream, an unanswered try moves on to the next upstream after a
 * per-try timeout, and the whole exchange has a deadline. A reply is only
 * taken from the address and port it was sent to, with the ID and question
 * that were asked (spoofed or stray packets are dropped). Identical
 * questions in flight share one exchange.
 */
import { createSocket, type Socket } from 'node:dgram';
import { randomInt } from 'node:crypto';
import { connect } from 'node:net';
import { isIPv6 } from 'node:net';
import dnsPacket from 'dns-packet';
import type { Answer as Rr, DecodedPacket } from 'dns-packet';
import { DnsError, type Upstream } from './types.ts';
import { canonical } from './names.ts';
import type { CachedMessage } from './cache.ts';
import type { RcodeName } from './wire.ts';

export interface ForwardQuestion {
  name: string;
  typeCode: number;
  classCode: number;
}

export interface ForwarderOptions {
  /** One try's wait for an answer (default 2000 ms, CoreDNS's read timeout). */
  tryTimeoutMs?: number;
  /** The whole exchange, all tries included (default 5000 ms). */
  deadlineMs?: number;
  /** Local address for the UDP sockets (default any). */
  bindV4?: string;
}

interface Pending {
  upstream: Upstream;
  name: string;
  typeCode: number;
  done: (m: DecodedPacket) => void;
}

const RCODES: Record<string, RcodeName> = { NOERROR: 'NOERROR', FORMERR: 'FORMERR', SERVFAIL: 'SERVFAIL', NXDOMAIN: 'NXDOMAIN', NOTIMP: 'NOTIMP', REFUSED: 'REFUSED' };

function encodeQuery(id: number, q: ForwardQuestion): Buffer {
  const buf = dnsPacket.encode({
    type: 'query',
    id,
    flags: dnsPacket.RECURSION_DESIRED,
    questions: [{ name: q.name || '.', type: `UNKNOWN_${q.typeCode}` as 'A' }],
    additionals: [{ name: '.', type: 'OPT', udpPayloadSize: 1232, extendedRcode: 0, ednsVersion: 0, flags: 0, flag_do: false, options: [] }],
  });
  // The question's class sits just before the 11-byte OPT record.
  buf.writeUInt16BE(q.classCode, buf.length - 11 - 2);
  return buf;
}

function toMessage(m: DecodedPacket): CachedMessage {
  const rcode = RCODES[(m as { rcode?: string }).rcode ?? ''] ?? 'SERVFAIL';
  const strip = (l: Rr[] | undefined) => (l ?? []).filter((r) => r.type !== 'OPT');
  return { rcode, answers: strip(m.answers), authorities: strip(m.authorities), additionals: strip(m.additionals) };
}

export class Forwarder {
  readonly #tryTimeout: number;
  readonly #deadline: number;
  readonly #bindV4?: string;
  readonly #pending = new Map<number, Pending>();
  readonly #inflight = new Map<string, Promise<CachedMessage>>();
  #sockets: { 4?: Promise<Socket>; 6?: Promise<Socket> } = {};
  #rotate = 0;
  #closed = false;

  constructor(opts: ForwarderOptions = {}) {
    this.#tryTimeout = opts.tryTimeoutMs ?? 2000;
    this.#deadline = opts.deadlineMs ?? 5000;
    this.#bindV4 = opts.bindV4;
  }

  /** Asks the upstreams; rejects with DnsError TIMEOUT when none answered in time. */
  query(upstreams: Upstream[], q: ForwardQuestion): Promise<CachedMessage> {
    if (this.#closed) return Promise.reject(new DnsError('CLOSED', 'forwarder closed'));
    if (upstreams.length === 0) return Promise.reject(new DnsError('UPSTREAM', 'no upstream resolvers'));
    const key = `${upstreams.map((u) => `${u.host}:${u.port}`).join(',')}|${canonical(q.name)}|${q.typeCode}|${q.classCode}`;
    let p = this.#inflight.get(key);
    if (!p) {
      p = this.#exchange(upstreams, q).finally(() => this.#inflight.delete(key));
      this.#inflight.set(key, p);
    }
    return p;
  }

  async #exchange(upstreams: Upstream[], q: ForwardQuestion): Promise<CachedMessage> {
    try {
      encodeQuery(0, q);
    } catch (e) {
      // A name dns-packet cannot write (from a malformed query) fails now, not after every retry.
      throw new DnsError('UPSTREAM', `cannot forward ${JSON.stringify(q.name)}: ${(e as Error).message}`);
    }
    const end = Date.now() + this.#deadline;
    const start = this.#rotate++ % upstreams.length;
    let lastError: unknown;
    // Bounded tries as well as the deadline: a try that fails at once (no route, refused TCP) must not spin.
    const tries = Math.max(3, upstreams.length * 2);
    for (let i = 0; i < tries && Date.now() < end; i++) {
      const up = upstreams[(start + i) % upstreams.length];
      const wait = Math.min(this.#tryTimeout, end - Date.now());
      try {
        const m = await this.#udp(up, q, wait);
        if (m.flag_tc) return toMessage(await this.#tcp(up, q, Math.max(wait, 1000)));
        return toMessage(m);
      } catch (e) {
        lastError = e;
        if (this.#closed) break;
      }
    }
    throw lastError instanceof DnsError ? lastError : new DnsError('TIMEOUT', `no answer from ${upstreams.map((u) => `${u.host}:${u.port}`).join(', ')}`);
  }

  #socket(family: 4 | 6): Promise<Socket> {
    let s = this.#sockets[family];
    if (!s) {
      s = new Promise<Socket>((resolve, reject) => {
        const sock = createSocket(family === 6 ? 'udp6' : 'udp4');
        sock.on('message', (msg, rinfo) => this.#onMessage(msg, rinfo.address, rinfo.port));
        sock.once('error', reject);
        sock.bind({ port: 0, address: family === 4 ? this.#bindV4 : undefined }, () => {
          sock.removeListener('error', reject);
          sock.on('error', () => {}); // a send error (ICMP unreachable) ends up as that try's timeout
          sock.unref();
          resolve(sock);
        });
      });
      this.#sockets[family] = s;
    }
    return s;
  }

  #onMessage(msg: Buffer, address: string, port: number): void {
    if (msg.length < 12) return;
    const p = this.#pending.get(msg.readUInt16BE(0));
    if (!p || p.upstream.port !== port || p.upstream.host !== address) return;
    let m: DecodedPacket;
    try {
      m = dnsPacket.decode(msg);
    } catch {
      return;
    }
    const q = m.questions?.[0];
    if (!m.flag_qr || !q || canonical(q.name) !== canonical(p.name) || q.type !== typeName(p.typeCode)) return;
    p.done(m);
  }

  async #udp(up: Upstream, q: ForwardQuestion, timeoutMs: number): Promise<DecodedPacket> {
    const sock = await this.#socket(isIPv6(up.host) ? 6 : 4);
    let id = randomInt(0, 0x10000);
    while (this.#pending.has(id)) id = randomInt(0, 0x10000);
    const msg = encodeQuery(id, q);
    // The name as it reads back from the wire: a decoded name with odd bytes or escaped dots does not
    // survive a decode/encode round trip unchanged, and the reply echoes the wire form.
    const wireName = (dnsPacket.decode(msg).questions ?? [])[0]?.name ?? q.name;
    return new Promise<DecodedPacket>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#pending.delete(id);
        reject(new DnsError('TIMEOUT', `no answer from ${up.host}:${up.port} in ${timeoutMs} ms`));
      }, timeoutMs);
      this.#pending.set(id, {
        upstream: up,
        name: wireName,
        typeCode: q.typeCode,
        done: (m) => {
          clearTimeout(timer);
          this.#pending.delete(id);
          resolve(m);
        },
      });
      sock.send(msg, up.port, up.host);
    });
  }

  #tcp(up: Upstream, q: ForwardQuestion, timeoutMs: number): Promise<DecodedPacket> {
    return new Promise((resolve, reject) => {
      const id = randomInt(0, 0x10000);
      const sock = connect({ host: up.host, port: up.port });
      let buf = Buffer.alloc(0);
      const fail = (e: unknown) => {
        sock.destroy();
        reject(e instanceof DnsError ? e : new DnsError('UPSTREAM', `tcp ${up.host}:${up.port}: ${(e as Error).message}`));
      };
      sock.setTimeout(timeoutMs, () => fail(new DnsError('TIMEOUT', `no TCP answer from ${up.host}:${up.port}`)));
      sock.on('error', fail);
      sock.on('connect', () => {
        const msg = encodeQuery(id, q);
        const len = Buffer.alloc(2);
        len.writeUInt16BE(msg.length);
        sock.write(Buffer.concat([len, msg]));
      });
      sock.on('data', (d) => {
        buf = Buffer.concat([buf, d]);
        if (buf.length < 2 || buf.length < 2 + buf.readUInt16BE(0)) return;
        sock.destroy();
        try {
          const m = dnsPacket.decode(buf.subarray(2, 2 + buf.readUInt16BE(0)));
          if (m.id !== id) throw new Error('answer with another ID');
          resolve(m);
        } catch (e) {
          fail(e);
        }
      });
      sock.on('end', () => fail(new Error('connection closed before the answer')));
    });
  }

  close(): void {
    this.#closed = true;
    for (const s of Object.values(this.#sockets)) void s?.then((x) => x.close()).catch(() => {});
    this.#sockets = {};
  }
}

const TYPE_NAMES = new Map<number, string>();
/** dns-packet's name for a type code, read back through its own decoder. */
function typeName(code: number): string {
  let n = TYPE_NAMES.get(code);
  if (n === undefined) {
    const b = Buffer.from([0, code >> 8, code & 0xff, 0, 1]);
    n = (dnsPacket as unknown as { question: { decode(b: Buffer): { type: string } } }).question.decode(b).type;
    TYPE_NAMES.set(code, n);
  }
  return n;
}
