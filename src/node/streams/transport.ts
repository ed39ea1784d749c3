/**
 * @module Byte transports under a SPDY connection, with backpressure: an
 * upgraded socket (`Upgrade: SPDY/3.1`), or a WebSocket whose binary
 * messages carry the bytes (the `SPDY/3.1+portforward.k8s.io` tunnel).
 */
import type { Duplex } from 'node:stream';
import type { WebSocket } from 'ws';
import type { ByteTransport } from './spdy.ts';

const HIGH_WATER = 1 << 20;
const LOW_WATER = 256 << 10;

export function wsTransport(ws: WebSocket): ByteTransport {
  let pending = 0;
  let waiters: (() => void)[] = [];
  const wake = () => {
    const w = waiters;
    waiters = [];
    for (const cb of w) cb();
  };
  ws.on('close', wake);
  return {
    write(chunk) {
      if (ws.readyState !== ws.OPEN) return;
      pending += chunk.length;
      ws.send(chunk, { binary: true }, () => {
        pending -= chunk.length;
        if (pending <= LOW_WATER) wake();
      });
    },
    congested: () => pending > HIGH_WATER,
    onDrain(cb) {
      if (pending <= HIGH_WATER || ws.readyState !== ws.OPEN) cb();
      else waiters.push(cb);
    },
    close() {
      if (ws.readyState === ws.OPEN) ws.close(1000);
    },
  };
}

export function socketTransport(socket: Duplex): ByteTransport {
  return {
    write(chunk) {
      if (!socket.destroyed && socket.writable) socket.write(chunk);
    },
    congested: () => socket.writableLength > HIGH_WATER,
    onDrain(cb) {
      if (socket.writableLength <= HIGH_WATER || socket.destroyed) cb();
      else socket.once('drain', cb);
    },
    close() {
      socket.end();
    },
  };
}
