/**
 * @module The wire side of the request path: reading a query (dns-packet
 * decodes it; only the two header words are read here, to answer packets
 * dns-packet cannot decode) and writing a response within a size limit.
 *
 * Responses are encoded by dns-packet record by record, then assembled
 * here, because dns-packet 5 writes every name in full: an owner name seen
 * earlier in the message becomes a 2-byte pointer to it (RFC 1035 4.1.4),
 * which is what lets a 60-endpoint headless answer fit in a TCP message and
 * as much of it as possible in 512 bytes of UDP. Names inside RDATA stay
 * uncompressed (SRV targets must, RFC 2782; for CNAME/PTR it only costs
 * bytes). Records that do not fit are dropped: additional records quietly,
 * answer and authority records with the TC bit set (RFC 2181 9).
 */
import dnsPacket from 'dns-packet';
import type { Answer as Rr, DecodedPacket, OptAnswer } from 'dns-packet';
import { canonical, isEncodable } from './names.ts';

/** dns-packet's per-part codecs, which it exports but its type definitions leave out. */
interface Codec<T> {
  encode(v: T, buf?: Buffer, offset?: number): Buffer;
  decode(buf: Buffer, offset?: number): T;
  encodingLength(v: T): number;
}
type Part<T> = Codec<T> & { encode: { bytes: number }; decode: { bytes: number } };
const parts = dnsPacket as unknown as { answer: Part<Rr>; question: Part<{ name: string; type: string; class?: string }>; name: Part<string> };

export const RCODE = { NOERROR: 0, FORMERR: 1, SERVFAIL: 2, NXDOMAIN: 3, NOTIMP: 4, REFUSED: 5, BADVERS: 16 } as const;
export type RcodeName = keyof typeof RCODE;

export interface Header {
  id: number;
  opcode: number;
  rd: boolean;
  cd: boolean;
}

export interface WireQuestion {
  /** As decoded (case kept), no trailing dot; '' for the root. */
  name: string;
  /** dns-packet's type name. */
  type: string;
  typeCode: number;
  classCode: number;
}

export interface Edns {
  udpPayloadSize: number;
  version: number;
  do: boolean;
}

export type ParsedQuery =
  | { kind: 'drop' }
  /** Answer with this rcode (FORMERR, NOTIMP, BADVERS), and the question when there is one. */
  | { kind: 'error'; header: Header; rcode: RcodeName; question?: WireQuestion; edns?: Edns }
  | { kind: 'query'; header: Header; question: WireQuestion; edns?: Edns };

const TYPE_CODES: Record<string, number> = {};

/** dns-packet's type name → its code (unknown names are `UNKNOWN_<n>`). */
export function typeCode(type: string): number {
  let c = TYPE_CODES[type];
  if (c === undefined) c = TYPE_CODES[type] = type.startsWith('UNKNOWN_') ? Number(type.slice(8)) : typeCodeOf(type);
  return c;
}

function typeCodeOf(type: string): number {
  // dns-packet encodes a question's type through its own table; read the code back from 4 bytes.
  const b = Buffer.alloc(5);
  parts.question.encode({ name: '.', type: type as 'A' }, b, 0);
  return b.readUInt16BE(1);
}

/** Reads a query. Never throws. */
export function parseQuery(buf: Buffer): ParsedQuery {
  // Too short for a header: nothing to answer to (no ID); a response (QR set) is never answered (no loops).
  if (buf.length < 12 || (buf[2] & 0x80) !== 0) return { kind: 'drop' };
  const flags = buf.readUInt16BE(2);
  const header: Header = { id: buf.readUInt16BE(0), opcode: (flags >> 11) & 0xf, rd: (flags & 0x100) !== 0, cd: (flags & 0x10) !== 0 };
  // Counts the bytes cannot hold (a question takes at least 5 bytes, a record 11) mark a malformed
  // packet before decoding: dns-packet would otherwise build up to 65535 records before failing.
  const [qd, an, ns, ar] = [buf.readUInt16BE(4), buf.readUInt16BE(6), buf.readUInt16BE(8), buf.readUInt16BE(10)];
  if (12 + qd * 5 + (an + ns + ar) * 11 > buf.length) return { kind: 'error', header, rcode: header.opcode === 0 ? 'FORMERR' : 'NOTIMP' };
  let msg: DecodedPacket;
  try {
    msg = dnsPacket.decode(buf);
  } catch {
    return { kind: 'error', header, rcode: header.opcode === 0 ? 'FORMERR' : 'NOTIMP' };
  }
  const qs = msg.questions ?? [];
  let question: WireQuestion | undefined;
  if (qs.length === 1 && isEncodable(qs[0].name)) {
    const q = qs[0];
    // The class as a number: dns-packet names only IN/CS/CH/HS/ANY and cannot write others back.
    const classOffset = 12 + (parts.question.decode(buf, 12), parts.question.decode.bytes) - 2;
    question = { name: q.name === '.' ? '' : q.name, type: q.type, typeCode: typeCode(q.type), classCode: buf.readUInt16BE(classOffset) & 0x7fff };
  }
  if (header.opcode !== 0) return { kind: 'error', header, rcode: 'NOTIMP', question };
  const opts = (msg.additionals ?? []).filter((a) => a.type === 'OPT') as OptAnswer[];
  if (opts.length > 1 || !question || (msg.answers ?? []).length > 0) return { kind: 'error', header, rcode: 'FORMERR', question };
  let edns: Edns | undefined;
  if (opts.length === 1) {
    const o = opts[0];
    edns = { udpPayloadSize: o.udpPayloadSize, version: o.ednsVersion, do: (o.flags & 0x8000) !== 0 };
    // RFC 6891 6.1.3: an EDNS version the server does not implement is BADVERS.
    if (o.ednsVersion !== 0) return { kind: 'error', header, rcode: 'BADVERS', question, edns };
  }
  return { kind: 'query', header, question, edns };
}

export interface ResponseMessage {
  header: Header;
  rcode: RcodeName;
  aa: boolean;
  ra: boolean;
  question?: WireQuestion;
  answers: Rr[];
  authorities: Rr[];
  additionals: Rr[];
  /** Include an OPT record (the query had one): the size advertised. */
  ednsSize?: number;
}

/** The largest UDP response for a query: 512 without EDNS, else the client's size within [512, advertised]. */
export function udpLimit(edns: Edns | undefined, advertised: number): number {
  if (!edns) return 512;
  return Math.max(512, Math.min(edns.udpPayloadSize, advertised));
}

/** Encodes a response of at most `limit` bytes (see the module comment). Throws only on a bad question. */
export function encodeResponse(m: ResponseMessage, limit: number): Buffer {
  const rc = RCODE[m.rcode];
  const flags = (m.header.opcode << 11) | (m.aa ? 0x400 : 0) | (m.header.rd ? 0x100 : 0) | (m.ra ? 0x80 : 0) | (m.header.cd ? 0x10 : 0) | (rc & 0xf);
  const questions = m.question ? [{ name: m.question.name || '.', type: `UNKNOWN_${m.question.typeCode}` as 'A' }] : [];
  const head = dnsPacket.encode({ type: 'response', id: m.header.id, flags, questions });
  if (m.question) head.writeUInt16BE(m.question.classCode, head.length - 2);
  const opt =
    m.ednsSize !== undefined
      ? parts.answer.encode({ name: '.', type: 'OPT', udpPayloadSize: m.ednsSize, extendedRcode: rc >> 4, ednsVersion: 0, flags: 0, flag_do: false, options: [] } as OptAnswer)
      : undefined;
  const room = limit - (opt?.length ?? 0);
  const pieces: Buffer[] = [head];
  let size = head.length;
  const offsets = new Map<string, number>();
  if (m.question) offsets.set(canonical(m.question.name), 12);
  const counts = [0, 0, 0];
  let truncated = false;
  const sections = [m.answers, m.authorities, m.additionals];
  outer: for (let s = 0; s < 3; s++) {
    for (const rr of sections[s]) {
      if (rr.type === 'OPT') continue;
      let piece: Buffer;
      try {
        if (!isEncodable(rr.name)) continue;
        piece = parts.answer.encode(rr);
      } catch {
        continue; // a record dns-packet cannot write (bad upstream data) is left out, never the whole answer
      }
      const key = canonical(rr.name);
      const at = offsets.get(key);
      if (at !== undefined) {
        const owner = parts.name.encodingLength(rr.name || '.');
        const ptr = Buffer.allocUnsafe(2);
        ptr.writeUInt16BE(0xc000 | at);
        piece = Buffer.concat([ptr, piece.subarray(owner)]);
      }
      if (size + piece.length > room) {
        truncated = s < 2;
        break outer;
      }
      if (at === undefined && size < 0x3fff) offsets.set(key, size);
      pieces.push(piece);
      size += piece.length;
      counts[s]++;
    }
  }
  if (opt) {
    pieces.push(opt);
    counts[2]++;
  }
  const out = Buffer.concat(pieces);
  out.writeUInt16BE(counts[0], 6);
  out.writeUInt16BE(counts[1], 8);
  out.writeUInt16BE(counts[2], 10);
  if (truncated) out[2] |= 0x02;
  return out;
}
