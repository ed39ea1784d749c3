/**
 * @module Just enough HTTP/1.1 parsing for the proxy's fast path, on latin1
 * strings and Buffers: a request head (request line and header pairs, or
 * `undefined` for anything unusual, which then goes to node:http), a
 * response head (status and framing), and a scanner that finds where a
 * chunked body ends without copying it. Pure.
 */

export const MAX_HEAD = 32 * 1024;

export interface RequestHead {
  method: string;
  target: string;
  /** Header pairs as received: [name, value, name, value, ...]. */
  raw: string[];
  host: string;
  contentLength: number;
  connectionClose: boolean;
}

/** Control characters (tab allowed in header values), which the fast path leaves to node:http's stricter checks. */
function hasCtl(s: string, allowTab: boolean): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if ((c < 32 && !(allowTab && c === 9)) || c === 127) return true;
  }
  return false;
}

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const METHOD = /^[A-Z]{3,10}$/;

/**
 * Parses a request head (without the final CRLF CRLF). Undefined when the
 * fast path should not handle it: not HTTP/1.1, a body that is not a plain
 * Content-Length, an Upgrade or Expect, obsolete line folding, duplicate
 * Host or Content-Length, odd characters.
 */
export function parseRequestHead(head: string): RequestHead | undefined {
  const lines = head.split('\r\n');
  const rl = lines[0];
  const s1 = rl.indexOf(' ');
  const s2 = rl.lastIndexOf(' ');
  if (s1 <= 0 || s2 <= s1 || rl.slice(s2 + 1) !== 'HTTP/1.1') return undefined;
  const method = rl.slice(0, s1);
  const target = rl.slice(s1 + 1, s2);
  if (!METHOD.test(method) || target.charCodeAt(0) !== 47 || target.includes(' ') || hasCtl(target, false)) return undefined;
  const raw: string[] = [];
  let host: string | undefined;
  let contentLength = -1;
  let connectionClose = false;
  for (let i = 1; i < lines.length; i++) {
    const l = lines[i];
    const c = l.indexOf(':');
    if (c <= 0) return undefined;
    const name = l.slice(0, c);
    if (!TOKEN.test(name)) return undefined;
    const value = l.slice(c + 1).trim();
    if (hasCtl(value, true)) return undefined;
    switch (name.length) {
      case 4:
        if (name.toLowerCase() === 'host') {
          if (host !== undefined) return undefined;
          host = value;
        }
        break;
      case 6:
        if (name.toLowerCase() === 'expect') return undefined;
        break;
      case 7:
        if (name.toLowerCase() === 'upgrade') return undefined;
        break;
      case 10:
        if (name.toLowerCase() === 'connection' && /(^|,)\s*close\s*(,|$)/i.test(value)) connectionClose = true;
        break;
      case 14:
        if (name.toLowerCase() === 'content-length') {
          if (contentLength >= 0 || !/^\d{1,15}$/.test(value)) return undefined;
          contentLength = Number(value);
        }
        break;
      case 17:
        if (name.toLowerCase() === 'transfer-encoding') return undefined;
        break;
    }
    raw.push(name, value);
  }
  if (host === undefined) return undefined;
  return { method, target, raw, host, contentLength: contentLength < 0 ? 0 : contentLength, connectionClose };
}

export type Framing = { kind: 'none' } | { kind: 'length'; n: number } | { kind: 'chunked' } | { kind: 'close' };

export interface ResponseHead {
  status: number;
  reason: string;
  raw: string[];
  framing: Framing;
  /** The upstream will close the connection after this response. */
  close: boolean;
}

/** Parses a response head; `headRequest` marks a response to HEAD (no body whatever the headers say). */
export function parseResponseHead(head: string, headRequest: boolean): ResponseHead | undefined {
  const lines = head.split('\r\n');
  const m = /^HTTP\/1\.([01]) (\d{3})(?: (.*))?$/.exec(lines[0]);
  if (!m) return undefined;
  const status = Number(m[2]);
  const raw: string[] = [];
  let length = -1;
  let chunked = false;
  let close = m[1] === '0';
  for (let i = 1; i < lines.length; i++) {
    const l = lines[i];
    const c = l.indexOf(':');
    if (c <= 0) return undefined;
    const name = l.slice(0, c);
    const value = l.slice(c + 1).trim();
    const lower = name.length === 14 || name.length === 17 || name.length === 10 ? name.toLowerCase() : '';
    if (lower === 'content-length') {
      if (!/^\d{1,15}$/.test(value) || (length >= 0 && Number(value) !== length)) return undefined;
      length = Number(value);
    } else if (lower === 'transfer-encoding') {
      if (!/(^|,)\s*chunked\s*$/i.test(value)) return undefined;
      chunked = true;
    } else if (lower === 'connection') {
      if (/(^|,)\s*close\s*(,|$)/i.test(value)) close = true;
      else if (m[1] === '0' && /keep-alive/i.test(value)) close = false;
    }
    raw.push(name, value);
  }
  let framing: Framing;
  if (headRequest || status === 204 || status === 304 || (status >= 100 && status < 200)) framing = { kind: 'none' };
  else if (chunked) framing = { kind: 'chunked' };
  else if (length >= 0) framing = { kind: 'length', n: length };
  else {
    framing = { kind: 'close' };
    close = true;
  }
  return { status, reason: m[3] ?? '', raw, framing, close };
}

/** The state of a chunked body scan, carried across reads. */
export interface ChunkScan {
  /** 0 size line, 1 data, 2 CRLF after data, 3 trailer lines, 4 done. */
  state: number;
  /** Bytes of data left in the current chunk. */
  left: number;
  size: number;
  /** Hex digits seen on the size line (a line without any is an error). */
  digits: number;
  /** In a size line: past the digits (extensions); in the trailer: characters on the current line. */
  ext: number;
  sawCr: boolean;
}

export function newChunkScan(): ChunkScan {
  return { state: 0, left: 0, size: 0, digits: 0, ext: 0, sawCr: false };
}

/**
 * Scans `buf` from `start`: the index just past the end of the chunked
 * body when it ends in this buffer, -1 when more is needed, -2 on a
 * framing error.
 */
export function scanChunked(s: ChunkScan, buf: Buffer, start: number): number {
  let i = start;
  while (i < buf.length) {
    switch (s.state) {
      case 0: {
        const c = buf[i++];
        if (c === 13) s.sawCr = true;
        else if (c === 10) {
          if (!s.sawCr || s.digits === 0) return -2;
          s.sawCr = false;
          s.digits = 0;
          s.ext = 0;
          if (s.size === 0) s.state = 3;
          else {
            s.left = s.size;
            s.state = 1;
          }
          s.size = 0;
        } else if (s.ext === 0 && ((c >= 48 && c <= 57) || (c >= 65 && c <= 70) || (c >= 97 && c <= 102))) {
          if (++s.digits > 12) return -2;
          s.size = s.size * 16 + (c <= 57 ? c - 48 : (c | 32) - 87);
        } else if (c === 59 || c === 32 || c === 9) s.ext = 1;
        else if (s.ext === 0) return -2;
        break;
      }
      case 1: {
        const n = Math.min(s.left, buf.length - i);
        s.left -= n;
        i += n;
        if (s.left === 0) s.state = 2;
        break;
      }
      case 2: {
        const c = buf[i++];
        if (c === 13 && !s.sawCr) s.sawCr = true;
        else if (c === 10 && s.sawCr) {
          s.sawCr = false;
          s.state = 0;
        } else return -2;
        break;
      }
      case 3: {
        // Trailer section: lines until an empty one.
        const c = buf[i++];
        if (c === 13) s.sawCr = true;
        else if (c === 10) {
          s.sawCr = false;
          if (s.ext === 0) {
            s.state = 4;
            return i;
          }
          s.ext = 0;
        } else s.ext++;
        break;
      }
      default:
        return i;
    }
  }
  return -1;
}
