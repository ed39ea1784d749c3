/**
 * @module The apiserver's pod streams: pods/log (GET), and pods/exec,
 * pods/attach, pods/portforward (connection upgrades: WebSocket for
 * kubectl 1.30+, SPDY for older clients and port-forward's fallback),
 * located on the pod's node and proxied to the kubelet API of its agent.
 */
import type { IncomingMessage } from 'node:http';
import { timingSafeEqual } from 'node:crypto';
import type { Duplex } from 'node:stream';
import * as errors from '../../api/errors.ts';
import type { Ctx } from '../handlers/context.ts';
import type { Objects } from '../objects.ts';
import { parseRequest } from '../request-info.ts';
import { locate, type StreamKind } from './location.ts';
import { proxyLogs, proxyUpgrade, writeStatus } from './proxy.ts';

export interface StreamDeps {
  objects: Objects;
  /** The cluster token: checks the client's bearer token, and is what agents accept from the apiserver. */
  token: string;
  /** Aborted when the apiserver stops: upgraded connections are not the HTTP server's any more, so they are ended here. */
  signal?: AbortSignal;
}

const UPGRADE_KINDS = new Set<StreamKind>(['exec', 'attach', 'portforward']);

function authenticated(req: IncomingMessage, token: string): boolean {
  const h = String(req.headers.authorization ?? '');
  if (!h.startsWith('Bearer ')) return false;
  const given = Buffer.from(h.slice(7).trim());
  const want = Buffer.from(token);
  return given.length === want.length && timingSafeEqual(given, want);
}

/** The server's `upgrade` event: pods/exec, pods/attach, pods/portforward; anything else is refused. */
export function handleStreamUpgrade(deps: StreamDeps, req: IncomingMessage, socket: Duplex, head: Buffer): void {
  socket.on('error', () => {});
  const signal = deps.signal;
  if (signal) {
    const end = () => void socket.destroy();
    if (signal.aborted) return end();
    signal.addEventListener('abort', end, { once: true });
    socket.once('close', () => signal.removeEventListener('abort', end));
  }
  (async () => {
    if (!authenticated(req, deps.token)) throw errors.unauthorized();
    const url = new URL(req.url ?? '/', 'https://localhost');
    const info = parseRequest(req.method ?? 'GET', url.pathname.replace(/\/+$/, ''), url.searchParams);
    const kind = info.kind === 'resource' ? (info.subresource as StreamKind | undefined) : undefined;
    if (info.kind !== 'resource' || info.group !== '' || info.version !== 'v1' || info.resource !== 'pods' || !kind || !UPGRADE_KINDS.has(kind)) {
      throw errors.badRequest(`upgrade requests are only served for pods/exec, pods/attach and pods/portforward`);
    }
    if (!info.namespace || !info.name) throw new errors.ApiError(404, 'NotFound', 'the server could not find the requested resource', {});
    if (req.method !== 'GET' && req.method !== 'POST') throw errors.methodNotSupported({ group: '', resource: `pods/${kind}` }, String(req.method).toLowerCase());
    const loc = await locate(deps.objects, info.namespace, info.name, kind, url.searchParams);
    proxyUpgrade(req, socket, head, loc!, deps.token);
  })().catch((e) => writeStatus(socket, e));
}

/** Dispatch of pods/{log,exec,attach,portforward} requests that are not upgrades. */
export async function handlePodStream(ctx: Ctx, deps: { token: string }): Promise<void> {
  const kind = ctx.info.subresource as StreamKind;
  const gr = { group: '', resource: `pods/${kind}` };
  if (kind !== 'log') {
    // Only an upgraded connection can carry exec, attach or port-forward.
    throw errors.badRequest('Upgrade request required');
  }
  if (ctx.info.verb !== 'get') throw errors.methodNotSupported(gr, ctx.info.verb);
  const name = ctx.info.name!;
  const loc = await locate(ctx.objects, ctx.info.namespace!, name, 'log', ctx.query);
  if (!loc) {
    ctx.res.writeHead(200, { 'Content-Type': 'text/plain' });
    return void ctx.res.end();
  }
  await proxyLogs(ctx.res, loc, deps.token, name);
}
