/**
 * @module One remotecommand session over a WebSocket (v5 or v4 channel
 * protocol): decodes stdin, resize and CLOSE messages for the exec and
 * attach handlers, sends output with backpressure, and ends with the
 * Status on the error channel followed by a normal close, the order
 * kubectl's client expects (it returns once stdout/stderr end and the
 * error channel has been read).
 */
import type { WebSocket } from 'ws';
import { parseMessage, parseResize, PROTOCOL_V5, RESIZE, STDIN, frame, statusFrame, type ChannelStatus } from './channel.ts';

const HIGH_WATER = 1 << 20;
const LOW_WATER = 256 << 10;

export class ChannelSession {
  readonly protocol: string;
  onStdin?: (data: Buffer) => void;
  onStdinClose?: () => void;
  onResize?: (size: { width: number; height: number }) => void;
  /** The client went away (or the session finished). */
  onClose?: () => void;
  readonly #ws: WebSocket;
  #pending = 0;
  #drainWaiters: (() => void)[] = [];
  #closed = false;
  #finished = false;

  constructor(ws: WebSocket, protocol: string) {
    this.#ws = ws;
    this.protocol = protocol;
    const closeSignal = protocol === PROTOCOL_V5;
    ws.on('message', (data: Buffer, isBinary: boolean) => {
      if (!isBinary) return; // the channel protocols are binary only
      const msg = parseMessage(data, closeSignal);
      if (msg.kind === 'close' && msg.channel === STDIN) this.onStdinClose?.();
      else if (msg.kind === 'data' && msg.channel === STDIN) this.onStdin?.(msg.data);
      else if (msg.kind === 'data' && msg.channel === RESIZE) {
        const size = parseResize(msg.data);
        if (size) this.onResize?.(size);
      }
    });
    ws.on('error', () => {});
    ws.on('close', () => {
      this.#closed = true;
      for (const w of this.#drainWaiters.splice(0)) w();
      this.onClose?.();
    });
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** True while more than HIGH_WATER bytes wait to be written to the client. */
  get congested(): boolean {
    return this.#pending > HIGH_WATER;
  }

  whenDrained(): Promise<void> {
    if (!this.congested || this.#closed) return Promise.resolve();
    return new Promise((resolve) => this.#drainWaiters.push(resolve));
  }

  send(channel: number, data: Buffer | string): void {
    if (this.#closed || this.#finished) return;
    this.#write(frame(channel, data));
  }

  /** Stops reading client messages (stdin backpressure). */
  pauseInput(): void {
    if (!this.#closed) this.#ws.pause();
  }

  resumeInput(): void {
    if (!this.#closed) this.#ws.resume();
  }

  /** Sends the final Status and closes the connection normally. */
  finish(status: ChannelStatus): void {
    if (this.#finished || this.#closed) return;
    this.#write(statusFrame(status));
    this.#finished = true;
    this.#ws.close(1000);
  }

  #write(f: Buffer): void {
    this.#pending += f.length;
    this.#ws.send(f, { binary: true }, () => {
      this.#pending -= f.length;
      if (this.#pending <= LOW_WATER) for (const w of this.#drainWaiters.splice(0)) w();
    });
  }
}
