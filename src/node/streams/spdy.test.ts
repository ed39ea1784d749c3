import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { controlFrame, dataFrame, decodeHeaderBlock, DICTIONARY, encodeHeaderBlock, FrameParser, GOAWAY, HeaderCodec, PING, RST_STREAM, SYN_REPLY, u32s } from './spdy-frames.ts';
import { SpdyTestClient } from './testing.ts';

/** Adler-32, the checksum of a zlib preset dictionary (RFC 1950). */
function adler32(buf: Buffer): number {
  let a = 1;
  let b = 0;
  for (const byte of buf) {
    a = (a + byte) % 65521;
    b = (b + a) % 65521;
  }
  return ((b << 16) | a) >>> 0;
}

describe('SPDY/3 framing', () => {
  it('has the draft-3 header dictionary (1423 bytes, the Adler-32 Go checks in the zlib header)', () => {
    assert.equal(DICTIONARY.length, 1423);
    assert.deepEqual([...DICTIONARY.subarray(0, 11)], [0, 0, 0, 7, ...Buffer.from('options')]);
    assert.equal(DICTIONARY.subarray(-6).toString(), 'enq=0.');
    assert.equal(adler32(DICTIONARY), 0xe3c6a7c2);
  });

  it('encodes header blocks with lower-case names and decodes them back', () => {
    const block = encodeHeaderBlock({ StreamType: 'data', port: '8080' });
    assert.deepEqual([...block.subarray(0, 8)], [0, 0, 0, 2, 0, 0, 0, 10]);
    assert.deepEqual(decodeHeaderBlock(block), { streamtype: 'data', port: '8080' });
    assert.throws(() => decodeHeaderBlock(block.subarray(0, 12)), /truncated/);
  });

  it('compresses successive blocks in one zlib context with the dictionary', async () => {
    const a = new HeaderCodec();
    const b = new HeaderCodec();
    const first = await a.compress({ streamtype: 'error', port: '80', requestid: '0' });
    const second = await a.compress({ streamtype: 'data', port: '80', requestid: '0' });
    assert.deepEqual(first.subarray(0, 2), Buffer.from([0x78, 0xbb]), 'zlib header with FDICT');
    assert.deepEqual(await b.decompress(first), { streamtype: 'error', port: '80', requestid: '0' });
    assert.deepEqual(await b.decompress(second), { streamtype: 'data', port: '80', requestid: '0' });
    assert.ok(second.length < first.length, 'the second block refers back to the first');
    a.close();
    b.close();
  });

  it('splits a byte stream into frames wherever the chunks end', () => {
    const bytes = Buffer.concat([controlFrame(PING, 0, u32s(1)), dataFrame(3, 1, Buffer.from('hello')), controlFrame(GOAWAY, 0, u32s(0, 0))]);
    for (let cut = 0; cut <= bytes.length; cut++) {
      const p = new FrameParser();
      const frames = [...p.push(bytes.subarray(0, cut)), ...p.push(bytes.subarray(cut))];
      assert.equal(frames.length, 3);
      assert.deepEqual(frames[1], { control: false, streamId: 3, flags: 1, data: Buffer.from('hello') });
    }
    assert.throws(() => new FrameParser().push(Buffer.from([0x80, 0x02, 0, 1, 0, 0, 0, 0])), /version 2/);
  });
});

describe('the server side of a SPDY connection', () => {
  it('replies to every new stream, delivers data and FIN, and writes back', async () => {
    const c = new SpdyTestClient();
    const seen: string[] = [];
    c.conn.onstream = (s) => {
      seen.push(`${s.id} ${JSON.stringify(s.headers)}`);
      s.ondata = (d) => seen.push(`${s.id} data ${d}`);
      s.onend = () => {
        seen.push(`${s.id} fin`);
        s.write(Buffer.from('bye'));
        s.end();
      };
    };
    await c.open(1, { streamtype: 'data', port: '80', requestid: '7' });
    await c.open(3, { streamtype: 'error', port: '80', requestid: '7' }, true);
    c.send(1, 'abc');
    c.send(1, '', true);
    await c.until(() => c.received(1).fin && c.replies.size === 2);
    assert.deepEqual(seen, ['1 {"streamtype":"data","port":"80","requestid":"7"}', '3 {"streamtype":"error","port":"80","requestid":"7"}', '3 fin', '1 data abc', '1 fin']);
    assert.deepEqual(c.replies.get(1), {});
    assert.deepEqual(c.received(1), { data: 'bye', fin: true });
    const firstReply = c.frames.findIndex((f) => f.control && f.type === SYN_REPLY);
    const firstData = c.frames.findIndex((f) => !f.control);
    assert.ok(firstReply < firstData, 'no data before the reply (spdystream drops it)');
  });

  it('echoes pings, resets streams, and closes on GOAWAY', async () => {
    const c = new SpdyTestClient();
    let reset = false;
    let closed = false;
    c.conn.onstream = (s) => (s.onreset = () => (reset = true));
    c.conn.onclose = () => (closed = true);
    c.conn.receive(controlFrame(PING, 0, u32s(5)));
    await c.until(() => c.frames.some((f) => f.control && f.type === PING));
    assert.deepEqual(c.frames.find((f) => f.control && f.type === PING), { control: true, type: PING, flags: 0, payload: u32s(5) });
    await c.open(1, { streamtype: 'data' });
    c.conn.receive(controlFrame(RST_STREAM, 0, u32s(1, 5)));
    await c.until(() => reset);
    c.conn.receive(controlFrame(GOAWAY, 0, u32s(1, 0)));
    await c.until(() => closed && c.closed);
  });

  it('refuses a second stream with the same id', async () => {
    const c = new SpdyTestClient();
    let streams = 0;
    c.conn.onstream = () => streams++;
    await c.open(1, {});
    await c.open(1, {});
    await c.until(() => c.frames.some((f) => f.control && f.type === RST_STREAM));
    assert.equal(streams, 1);
  });
});
