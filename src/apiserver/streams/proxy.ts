/**
 * @module Proxying pod streams to the kubelet, as upstream's
 * UpgradeAwareHandler and LocationStreamer do: an upgrade request is
 * re-sent to the kubelet with the node credentials and then both sockets
 * are piped (the WebSocket or SPDY bytes pass untouched); a log request is
 * a plain GET whose body is streamed back, with the kubelet's errors
 * turned into a Status (GenericHttpResponseChecker).
 */
import { request, STATUS_CODES, type IncomingMessage, type ServerResponse } from 'node:http';
import { connect } from 'node:net';
import type { Duplex } from 'node:stream';
import * as errors from '../../api/errors.ts';
import type { KubeletLocation } from './location.ts';

/** Request headers that are hop-by-hop or belong to the client's credentials; never forwarded. */
const DROP = /^(host|authorization|content-length|transfer-encoding|proxy-.*|impersonate-.*|keep-alive)$/i;

/** Go's text for a dial error: `dial tcp 127.0.0.1:10250: connect: connection refused`. */
export function dialErrorText(loc: KubeletLocation, e: NodeJS.ErrnoException): string {
  const why = { ECONNREFUSED: 'connect: connection refused', ETIMEDOUT: 'i/o timeout', EHOSTUNREACH: 'connect: no route to host', ECONNRESET: 'read: connection reset by peer' }[e.code ?? ''] ?? e.message;
  return `dial tcp ${loc.host}:${loc.port}: ${why}`;
}

/** Writes a Status as a complete HTTP response on a socket that never got one. */
export function writeStatus(socket: Duplex, err: unknown): void {
  const e = errors.isApiError(err) ? err : errors.internalError((err as Error)?.message ?? String(err));
  const body = JSON.stringify(e.status);
  if (socket.destroyed || !socket.writable) return;
  socket.end(
    `HTTP/1.1 ${e.code} ${STATUS_CODES[e.code] ?? 'Error'}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}

/** Forwards an upgrade request to the kubelet and splices the two connections. */
export function proxyUpgrade(req: IncomingMessage, client: Duplex, head: Buffer, loc: KubeletLocation, token: string): void {
  const upstream = connect(loc.port, loc.host);
  let connected = false;
  const cleanup = () => {
    client.destroy();
    upstream.destroy();
  };
  upstream.once('connect', () => {
    connected = true;
    upstream.setNoDelay(true);
    const lines = [`${req.method ?? 'GET'} ${loc.path} HTTP/1.1`, `Host: ${loc.host}:${loc.port}`, `Authorization: Bearer ${token}`];
    for (let i = 0; i < req.rawHeaders.length; i += 2) {
      if (!DROP.test(req.rawHeaders[i])) lines.push(`${req.rawHeaders[i]}: ${req.rawHeaders[i + 1]}`);
    }
    upstream.write(lines.join('\r\n') + '\r\n\r\n');
    if (head.length) upstream.write(head);
    client.pipe(upstream);
    upstream.pipe(client);
  });
  upstream.on('error', (e: NodeJS.ErrnoException) => {
    if (connected) return cleanup();
    writeStatus(client, new errors.ApiError(500, '', `error dialing backend: ${dialErrorText(loc, e)}`));
  });
  upstream.on('close', () => {
    if (connected) client.destroy();
  });
  client.on('error', cleanup);
  client.on('close', () => upstream.destroy());
  if ('setNoDelay' in client && typeof client.setNoDelay === 'function') client.setNoDelay(true);
}

/** GenericHttpResponseChecker: a kubelet error becomes a Status naming pods/log. */
export function kubeletError(status: number, body: string, podName: string): errors.ApiError {
  const details = { name: podName, group: '', kind: 'pods/log' };
  if (status === 500) return errors.internalError(body);
  if (status === 400) return errors.badRequest(body);
  if (status === 404) return new errors.ApiError(404, 'NotFound', `the server could not find the requested resource ( pods/log ${podName})`, details);
  return new errors.ApiError(status, '', `the server responded with the status code ${status} but did not return more information ( pods/log ${podName})`, details);
}

/** Streams a kubelet log response to the client; rejects (before anything is sent) with a Status error. */
export function proxyLogs(res: ServerResponse, loc: KubeletLocation, token: string, podName: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const up = request({ host: loc.host, port: loc.port, path: loc.path, method: 'GET', headers: { Authorization: `Bearer ${token}` } }, (kres) => {
      const status = kres.statusCode ?? 500;
      if (status < 200 || status > 206) {
        let body = '';
        kres.setEncoding('utf8');
        kres.on('data', (c: string) => {
          if (body.length < 64 << 10) body += c;
        });
        kres.on('end', () => reject(kubeletError(status, body, podName)));
        kres.on('error', reject);
        return;
      }
      res.writeHead(200, { 'Content-Type': 'text/plain', 'Cache-Control': 'no-cache, private' });
      kres.pipe(res);
      kres.on('end', () => resolve());
      kres.on('error', () => {
        res.destroy();
        resolve();
      });
    });
    up.on('error', (e: NodeJS.ErrnoException) => {
      if (res.headersSent) {
        res.destroy();
        return resolve();
      }
      reject(new errors.ApiError(500, '', `Get "http://${loc.host}:${loc.port}${loc.path}": ${dialErrorText(loc, e)}`));
    });
    // The client went away (logs -f interrupted): stop reading from the kubelet.
    res.on('close', () => {
      up.destroy();
      resolve();
    });
    up.end();
  });
}
