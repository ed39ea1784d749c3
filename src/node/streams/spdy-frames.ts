/**
 * @module SPDY/3.1 framing as kubectl's port-forward speaks it (through
 * moby/spdystream): frame encoding and parsing, header blocks, and their
 * zlib compression with the SPDY/3 dictionary, one compression context per
 * direction for the whole connection.
 */
import { constants as zc, createDeflate, createInflate, type Deflate, type Inflate } from 'node:zlib';

export const SYN_STREAM = 1;
export const SYN_REPLY = 2;
export const RST_STREAM = 3;
export const SETTINGS = 4;
export const PING = 6;
export const GOAWAY = 7;
export const HEADERS = 8;
export const WINDOW_UPDATE = 9;
export const FLAG_FIN = 0x01;
export const RST_PROTOCOL_ERROR = 1;
export const RST_REFUSED_STREAM = 3;
export const RST_CANCEL = 5;

const WORDS = [
  'options', 'head', 'post', 'put', 'delete', 'trace', 'accept', 'accept-charset', 'accept-encoding', 'accept-language',
  'accept-ranges', 'age', 'allow', 'authorization', 'cache-control', 'connection', 'content-base', 'content-encoding',
  'content-language', 'content-length', 'content-location', 'content-md5', 'content-range', 'content-type', 'date', 'etag',
  'expect', 'expires', 'from', 'host', 'if-match', 'if-modified-since', 'if-none-match', 'if-range', 'if-unmodified-since',
  'last-modified', 'location', 'max-forwards', 'pragma', 'proxy-authenticate', 'proxy-authorization', 'range', 'referer',
  'retry-after', 'server', 'te', 'trailer', 'transfer-encoding', 'upgrade', 'user-agent', 'vary', 'via', 'warning',
  'www-authenticate', 'method', 'get', 'status', '200 OK', 'version', 'HTTP/1.1', 'url', 'public', 'set-cookie',
  'keep-alive', 'origin',
];
const TAIL =
  '100101201202205206300302303304305306307402405406407408409410411412413414415416417502504505' +
  '203 Non-Authoritative Information204 No Content301 Moved Permanently400 Bad Request401 Unauthorized' +
  '403 Forbidden404 Not Found500 Internal Server Error501 Not Implemented503 Service Unavailable' +
  'Jan Feb Mar Apr May Jun Jul Aug Sept Oct Nov Dec 00:00:00 Mon, Tue, Wed, Thu, Fri, Sat, Sun, GMT' +
  'chunked,text/html,image/png,image/jpg,image/gif,application/xml,application/xhtml+xml,text/plain,' +
  'text/javascript,publicprivatemax-age=gzip,deflate,sdchcharset=utf-8charset=iso-8859-1,utf-,*,enq=0.';

/** The zlib dictionary of SPDY/3 (draft 3, section 2.6.10.1): length-prefixed words, then a tail. */
export const DICTIONARY: Buffer = Buffer.concat([
  ...WORDS.flatMap((w) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(w.length);
    return [len, Buffer.from(w, 'latin1')];
  }),
  Buffer.from(TAIL, 'latin1'),
]);

export type Frame =
  | { control: true; type: number; flags: number; payload: Buffer }
  | { control: false; streamId: number; flags: number; data: Buffer };

export function controlFrame(type: number, flags: number, payload: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt16BE(0x8003, 0); // control bit + version 3
  head.writeUInt16BE(type, 2);
  head.writeUInt32BE(((flags & 0xff) << 24) | payload.length, 4);
  return Buffer.concat([head, payload]);
}

export function dataFrame(streamId: number, flags: number, data: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(streamId & 0x7fffffff, 0);
  head.writeUInt32BE(((flags & 0xff) << 24) | data.length, 4);
  return Buffer.concat([head, data]);
}

export function u32s(...values: number[]): Buffer {
  const b = Buffer.alloc(values.length * 4);
  values.forEach((v, i) => b.writeUInt32BE(v >>> 0, i * 4));
  return b;
}

/** Splits a byte stream into frames; keeps the unfinished tail for the next push. */
export class FrameParser {
  #buf: Buffer = Buffer.alloc(0);

  push(chunk: Buffer): Frame[] {
    this.#buf = this.#buf.length ? Buffer.concat([this.#buf, chunk]) : chunk;
    const frames: Frame[] = [];
    while (this.#buf.length >= 8) {
      const length = this.#buf.readUInt32BE(4) & 0xffffff;
      if (this.#buf.length < 8 + length) break;
      const flags = this.#buf[4];
      const body = this.#buf.subarray(8, 8 + length);
      if (this.#buf[0] & 0x80) {
        const version = this.#buf.readUInt16BE(0) & 0x7fff;
        if (version !== 3) throw new Error(`unsupported SPDY version ${version}`);
        frames.push({ control: true, type: this.#buf.readUInt16BE(2), flags, payload: body });
      } else {
        frames.push({ control: false, streamId: this.#buf.readUInt32BE(0) & 0x7fffffff, flags, data: body });
      }
      this.#buf = this.#buf.subarray(8 + length);
    }
    return frames;
  }
}

/** A name/value header block: count, then length-prefixed names and values (several values NUL-separated). */
export function encodeHeaderBlock(headers: Record<string, string>): Buffer {
  const parts: Buffer[] = [u32s(Object.keys(headers).length)];
  for (const [k, v] of Object.entries(headers)) {
    const name = Buffer.from(k.toLowerCase(), 'utf8');
    const value = Buffer.from(v, 'utf8');
    parts.push(u32s(name.length), name, u32s(value.length), value);
  }
  return Buffer.concat(parts);
}

export function decodeHeaderBlock(block: Buffer): Record<string, string> {
  const out: Record<string, string> = {};
  let off = 0;
  const take = (n: number): Buffer => {
    if (off + n > block.length) throw new Error('truncated SPDY header block');
    const b = block.subarray(off, off + n);
    off += n;
    return b;
  };
  const count = take(4).readUInt32BE(0);
  for (let i = 0; i < count; i++) {
    const name = take(take(4).readUInt32BE(0)).toString('utf8');
    const value = take(take(4).readUInt32BE(0)).toString('utf8');
    out[name.toLowerCase()] = value.split('\0')[0];
  }
  return out;
}

/** One direction's zlib context; operations run one at a time, in call order. */
class ZlibContext {
  readonly #z: Deflate | Inflate;
  #chunks: Buffer[] = [];
  #chain: Promise<unknown> = Promise.resolve();

  constructor(z: Deflate | Inflate) {
    this.#z = z;
    z.on('data', (c: Buffer) => this.#chunks.push(c));
    z.on('error', () => {});
  }

  run(input: Buffer): Promise<Buffer> {
    const p = this.#chain.then(
      () =>
        new Promise<Buffer>((resolve, reject) => {
          this.#chunks = [];
          this.#z.write(input, (err) => (err ? reject(err) : resolve(Buffer.concat(this.#chunks))));
        }),
    );
    this.#chain = p.catch(() => {});
    return p;
  }

  close(): void {
    this.#z.destroy();
  }
}

/** Header compression for one connection: every block is sync-flushed, as Go's framer does. */
export class HeaderCodec {
  readonly #deflate = new ZlibContext(createDeflate({ dictionary: DICTIONARY, flush: zc.Z_SYNC_FLUSH }));
  readonly #inflate = new ZlibContext(createInflate({ dictionary: DICTIONARY, flush: zc.Z_SYNC_FLUSH }));

  async compress(headers: Record<string, string>): Promise<Buffer> {
    return this.#deflate.run(encodeHeaderBlock(headers));
  }

  async decompress(block: Buffer): Promise<Record<string, string>> {
    return decodeHeaderBlock(await this.#inflate.run(block));
  }

  close(): void {
    this.#deflate.close();
    this.#inflate.close();
  }
}
