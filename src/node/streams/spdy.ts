/**
 * @module The server side of a SPDY/3.1 connection, as much of it as
 * kubectl's port-forward uses (moby/spdystream): the client opens streams
 * with SYN_STREAM and gets an empty SYN_REPLY; DATA flows both ways with
 * FIN half-closes; PINGs are echoed; RST_STREAM and GOAWAY end streams.
 * spdystream does no flow control, so WINDOW_UPDATE and SETTINGS are
 * ignored. Runs over any byte transport: a raw upgraded socket, or a
 * WebSocket whose binary messages carry the bytes (kubectl's
 * `SPDY/3.1+portforward.k8s.io` tunnel).
 */
import {
  controlFrame, dataFrame, FLAG_FIN, FrameParser, GOAWAY, HEADERS, HeaderCodec, PING, RST_CANCEL, RST_PROTOCOL_ERROR, RST_STREAM, SYN_REPLY, SYN_STREAM, u32s,
  type Frame,
} from './spdy-frames.ts';

/** The byte pipe under a SPDY connection. */
export interface ByteTransport {
  write(chunk: Buffer): void;
  /** True while too much written data waits; `onDrain` fires when it no longer does. */
  congested(): boolean;
  onDrain(cb: () => void): void;
  close(): void;
}

export class SpdyStream {
  readonly id: number;
  readonly headers: Record<string, string>;
  ondata?: (chunk: Buffer) => void;
  /** The client half-closed the stream (FIN). */
  onend?: () => void;
  /** The stream was reset, or the connection went away. */
  onreset?: () => void;
  readonly #conn: SpdyConnection;
  #ended = false;
  remoteEnded = false;

  constructor(conn: SpdyConnection, id: number, headers: Record<string, string>) {
    this.#conn = conn;
    this.id = id;
    this.headers = headers;
  }

  write(chunk: Buffer): void {
    if (!this.#ended && chunk.length) this.#conn.sendData(this.id, chunk, false);
  }

  /** Half-closes our side (DATA with FIN). */
  end(): void {
    if (this.#ended) return;
    this.#ended = true;
    this.#conn.sendData(this.id, Buffer.alloc(0), true);
  }

  reset(): void {
    this.#ended = true;
    this.#conn.resetStream(this.id, RST_CANCEL);
  }

  get congested(): boolean {
    return this.#conn.congested();
  }

  whenDrained(cb: () => void): void {
    this.#conn.onDrain(cb);
  }
}

export class SpdyConnection {
  onstream?: (stream: SpdyStream) => void;
  /** The connection is over (transport closed, GOAWAY, or a protocol error). */
  onclose?: () => void;
  readonly #transport: ByteTransport;
  readonly #parser = new FrameParser();
  readonly #codec = new HeaderCodec();
  readonly #streams = new Map<number, SpdyStream>();
  #out: (Buffer | Promise<Buffer>)[] = [];
  #flushing = false;
  #in: Promise<void> = Promise.resolve();
  #closed = false;
  #transportGone = false;

  constructor(transport: ByteTransport) {
    this.#transport = transport;
  }

  /** Feeds bytes received from the transport. */
  receive(chunk: Buffer): void {
    if (this.#closed) return;
    let frames: Frame[];
    try {
      frames = this.#parser.push(chunk);
    } catch {
      this.close();
      return;
    }
    for (const f of frames) this.#in = this.#in.then(() => this.#handle(f)).catch(() => this.close());
  }

  congested(): boolean {
    return this.#transport.congested();
  }

  onDrain(cb: () => void): void {
    this.#transport.onDrain(cb);
  }

  sendData(streamId: number, data: Buffer, fin: boolean): void {
    this.#push(dataFrame(streamId, fin ? FLAG_FIN : 0, data));
  }

  resetStream(streamId: number, status: number): void {
    this.#streams.delete(streamId);
    this.#push(controlFrame(RST_STREAM, 0, u32s(streamId, status)));
  }

  /** Ends every stream and the transport (after what was queued has been written). */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const s of this.#streams.values()) s.onreset?.();
    this.#streams.clear();
    this.onclose?.();
    // The codec may still be compressing a queued reply; it is dropped with the connection.
    void Promise.resolve().then(() => this.#codec.close());
    if (!this.#flushing) void this.#flush();
  }

  /** The transport went away underneath us. */
  transportClosed(): void {
    this.#transportGone = true;
    this.#out = [];
    this.close();
  }

  async #handle(f: Frame): Promise<void> {
    if (this.#closed) return;
    if (!f.control) {
      const s = this.#streams.get(f.streamId);
      if (!s) return;
      if (f.data.length) s.ondata?.(f.data);
      if (f.flags & FLAG_FIN) {
        s.remoteEnded = true;
        s.onend?.();
      }
      return;
    }
    const p = f.payload;
    switch (f.type) {
      case SYN_STREAM: {
        const id = p.readUInt32BE(0) & 0x7fffffff;
        const headers = await this.#codec.decompress(p.subarray(10));
        if (id === 0 || this.#streams.has(id)) {
          this.resetStream(id, RST_PROTOCOL_ERROR);
          return;
        }
        const stream = new SpdyStream(this, id, headers);
        this.#streams.set(id, stream);
        // spdystream's server replies to every stream with empty headers before anything else.
        this.#push(this.#codec.compress({}).then((block) => controlFrame(SYN_REPLY, 0, Buffer.concat([u32s(id), block]))));
        if (f.flags & FLAG_FIN) stream.remoteEnded = true;
        this.onstream?.(stream);
        if (stream.remoteEnded) stream.onend?.();
        return;
      }
      case SYN_REPLY:
      case HEADERS:
        // Decompressed only to keep the shared zlib context in step.
        await this.#codec.decompress(p.subarray(4));
        return;
      case RST_STREAM: {
        const id = p.readUInt32BE(0) & 0x7fffffff;
        const s = this.#streams.get(id);
        this.#streams.delete(id);
        s?.onreset?.();
        return;
      }
      case PING:
        this.#push(controlFrame(PING, 0, Buffer.from(p)));
        return;
      case GOAWAY:
        this.close();
        return;
      default:
        return; // SETTINGS, WINDOW_UPDATE: no flow control in spdystream
    }
  }

  /** Queues a frame in order; a reply waits for its header compression, and frames behind it wait too. */
  #push(item: Buffer | Promise<Buffer>): void {
    if (this.#transportGone) return;
    this.#out.push(item);
    if (!this.#flushing) void this.#flush();
  }

  async #flush(): Promise<void> {
    this.#flushing = true;
    try {
      while (this.#out.length) {
        const item = this.#out.shift()!;
        const buf = item instanceof Promise ? await item.catch(() => Buffer.alloc(0)) : item;
        if (buf.length && !this.#transportGone) this.#transport.write(buf);
      }
      if (this.#closed && !this.#transportGone) {
        this.#transportGone = true;
        this.#transport.close();
      }
    } finally {
      this.#flushing = false;
    }
  }
}
