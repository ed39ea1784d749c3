/**
 * @module DNS clients for the tests and the benchmark: build a query with
 * dns-packet, send it over UDP or TCP to a loopback server and decode the
 * answer; and `dig`, the real tool, against a loopback server.
 */
import { createSocket } from 'node:dgram';
import { execFile } from 'node:child_process';
import { connect } from 'node:net';
import dnsPacket from 'dns-packet';
import type { DecodedPacket } from 'dns-packet';

export interface QueryOptions {
  id?: number;
  /** EDNS0 UDP size to advertise; undefined = no OPT record. */
  edns?: number;
  rd?: boolean;
}

export function makeQuery(name: string, type: string, o: QueryOptions = {}): Buffer {
  return dnsPacket.encode({
    type: 'query',
    id: o.id ?? 4242,
    flags: o.rd === false ? 0 : dnsPacket.RECURSION_DESIRED,
    questions: [{ name, type: type as 'A' }],
    additionals: o.edns === undefined ? [] : [{ name: '.', type: 'OPT', udpPayloadSize: o.edns, extendedRcode: 0, ednsVersion: 0, flags: 0, flag_do: false, options: [] }],
  });
}

/** Sends raw bytes over UDP; resolves with the reply bytes, or undefined after `timeoutMs`. */
export function udpExchange(host: string, port: number, msg: Buffer, timeoutMs = 1000): Promise<Buffer | undefined> {
  return new Promise((resolve) => {
    const s = createSocket(host.includes(':') ? 'udp6' : 'udp4');
    const done = (b: Buffer | undefined) => {
      clearTimeout(t);
      s.close();
      resolve(b);
    };
    const t = setTimeout(() => done(undefined), timeoutMs);
    s.on('message', (m) => done(m));
    s.on('error', () => done(undefined));
    s.send(msg, port, host);
  });
}

/** Sends one length-prefixed message over TCP; resolves with the reply bytes, or undefined. */
export function tcpExchange(host: string, port: number, msg: Buffer, timeoutMs = 2000): Promise<Buffer | undefined> {
  return new Promise((resolve) => {
    const s = connect({ host, port });
    let buf = Buffer.alloc(0);
    const done = (b: Buffer | undefined) => {
      clearTimeout(t);
      s.destroy();
      resolve(b);
    };
    const t = setTimeout(() => done(undefined), timeoutMs);
    s.on('error', () => done(undefined));
    s.on('connect', () => {
      const len = Buffer.alloc(2);
      len.writeUInt16BE(msg.length);
      s.write(Buffer.concat([len, msg]));
    });
    s.on('data', (d) => {
      buf = Buffer.concat([buf, d]);
      if (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) done(buf.subarray(2, 2 + buf.readUInt16BE(0)));
    });
  });
}

/** A query over UDP or TCP, decoded. */
export async function ask(host: string, port: number, name: string, type: string, o: QueryOptions & { tcp?: boolean } = {}): Promise<DecodedPacket> {
  const q = makeQuery(name, type, o);
  const out = o.tcp ? await tcpExchange(host, port, q) : await udpExchange(host, port, q);
  if (!out) throw new Error(`no answer for ${name} ${type}`);
  return dnsPacket.decode(out);
}

/** Runs the real dig against a loopback server; resolves with its output. */
export function dig(host: string, port: number, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile('dig', [`@${host}`, '-p', String(port), '+time=2', '+tries=1', ...args], { timeout: 10_000 }, (err, stdout) => {
      if (err && !stdout) reject(err);
      else resolve(stdout);
    });
  });
}

/** The records of dig's ANSWER SECTION as [name, ttl, type, data]. */
export function digAnswers(out: string, section = 'ANSWER'): string[][] {
  const m = new RegExp(`;; ${section} SECTION:\\n([\\s\\S]*?)(\\n\\n|$)`).exec(out);
  if (!m) return [];
  return m[1]
    .split('\n')
    .filter((l) => l && !l.startsWith(';'))
    .map((l) => {
      const [name, ttl, , type, ...rest] = l.split(/\s+/);
      return [name, ttl, type, rest.join(' ')];
    });
}
