/**
 * @module One probe attempt, as the kubelet's prober makes it
 * (pkg/probe/http, tcp, exec): httpGet succeeds on 200-399, follows
 * redirects to the same host only (another host's redirect counts as
 * success, as upstream warns and passes), sends `User-Agent: kube-probe/1.32`
 * and `Accept: *\/*` unless the probe sets them, skips TLS verification for
 * HTTPS; tcpSocket succeeds when a connection opens; exec succeeds on exit 0
 * and runs inside the pod. Host defaults to the pod IP.
 */
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { connect } from 'node:net';
import type { Sandbox } from '../types.ts';
import { runInSandbox } from './exec.ts';

export type ProbeOutcome = 'success' | 'failure';

export interface ProbeCheckResult {
  result: ProbeOutcome;
  /** The text the kubelet puts in the Unhealthy event (`Readiness probe failed: ...`). */
  message: string;
}

export interface HTTPGetAction {
  path?: string;
  port: number | string;
  host?: string;
  scheme?: string;
  httpHeaders?: { name: string; value: string }[];
}

export interface ProbeHandler {
  httpGet?: HTTPGetAction;
  tcpSocket?: { port: number | string; host?: string };
  exec?: { command?: string[] };
  grpc?: { port: number; service?: string };
}

export interface ProbeTarget {
  podIP: string;
  /** The container's ports, for named ports. */
  ports?: { name?: string; containerPort: number }[];
  sandbox: Pick<Sandbox, 'enterPrefix'>;
  /** The container's process environment, for exec probes. */
  env?: Record<string, string>;
}

export const KUBE_PROBE_USER_AGENT = 'kube-probe/1.32';
const MAX_REDIRECTS = 10;
// The kubelet reads at most 10 KiB of a probe's body or output.
const MAX_BODY = 10 * 1024;

/** A named port is the container port of that name (findPortByName); an unknown name is an error. */
export function resolvePort(port: number | string, ports: ProbeTarget['ports'] = []): number {
  if (typeof port === 'number') return port;
  if (/^\d+$/.test(port)) return Number(port);
  const found = ports.find((p) => p.name === port);
  if (!found) throw new Error(`couldn't find port ${port} in container`);
  return found.containerPort;
}

export async function runProbeCheck(handler: ProbeHandler, target: ProbeTarget, timeoutMs: number): Promise<ProbeCheckResult> {
  try {
    if (handler.exec) return await execCheck(handler.exec.command ?? [], target, timeoutMs);
    if (handler.httpGet) return await httpCheck(handler.httpGet, target, timeoutMs);
    if (handler.tcpSocket) return await tcpCheck(handler.tcpSocket.host || target.podIP, resolvePort(handler.tcpSocket.port, target.ports), timeoutMs);
    if (handler.grpc) return { result: 'failure', message: 'gRPC probes are not supported by nanokube yet' };
    return { result: 'failure', message: 'missing probe handler' };
  } catch (err) {
    return { result: 'failure', message: (err as Error).message };
  }
}

async function execCheck(command: string[], target: ProbeTarget, timeoutMs: number): Promise<ProbeCheckResult> {
  const r = await runInSandbox(target.sandbox, command, { timeoutMs, maxOutput: MAX_BODY, env: target.env });
  if (r.timedOut) return { result: 'failure', message: `command ${JSON.stringify(command.join(' '))} timed out` };
  if (r.exitCode === 0) return { result: 'success', message: r.output };
  return { result: 'failure', message: r.output };
}

function joinHostPort(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

/** formatURL of the prober: scheme://host:port + path (the path may carry a query). */
export function probeURL(a: HTTPGetAction, target: ProbeTarget): URL {
  const scheme = (a.scheme ?? 'HTTP').toLowerCase();
  const path = a.path ?? '';
  return new URL(`${scheme}://${joinHostPort(a.host || target.podIP, resolvePort(a.port, target.ports))}${path.startsWith('/') || path === '' ? path : `/${path}`}`);
}

async function httpCheck(a: HTTPGetAction, target: ProbeTarget, timeoutMs: number): Promise<ProbeCheckResult> {
  let url = probeURL(a, target);
  const headers: Record<string, string> = {};
  for (const h of a.httpHeaders ?? []) headers[h.name.toLowerCase() === 'host' ? 'Host' : h.name] = h.value;
  const has = (n: string) => Object.keys(headers).some((k) => k.toLowerCase() === n);
  if (!has('user-agent')) headers['User-Agent'] = KUBE_PROBE_USER_AGENT;
  if (!has('accept')) headers.Accept = '*/*';
  const deadline = Date.now() + timeoutMs;
  for (let hop = 0; ; hop++) {
    const res = await get(url, headers, Math.max(1, deadline - Date.now()));
    if (res.status >= 300 && res.status < 400 && res.location && hop < MAX_REDIRECTS) {
      const next = new URL(res.location, url);
      // A redirect to another host is not followed: its 3xx is the answer, and 3xx passes.
      if (next.hostname !== url.hostname) return { result: 'success', message: `Probe terminated redirects, Response body: ${res.body}` };
      url = next;
      continue;
    }
    if (res.status >= 200 && res.status < 400) return { result: 'success', message: res.body };
    return { result: 'failure', message: `HTTP probe failed with statuscode: ${res.status}` };
  }
}

function get(url: URL, headers: Record<string, string>, timeoutMs: number): Promise<{ status: number; body: string; location?: string }> {
  return new Promise((resolve, reject) => {
    const opts = { method: 'GET', headers, agent: false as const, rejectUnauthorized: false, timeout: timeoutMs };
    const onResponse = (res: IncomingMessage) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => {
        if (body.length < MAX_BODY) body += c.slice(0, MAX_BODY - body.length);
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, location: res.headers.location }));
      res.on('error', reject);
    };
    const req = url.protocol === 'https:' ? httpsRequest(url, opts, onResponse) : httpRequest(url, opts, onResponse);
    const timer = setTimeout(() => req.destroy(new Error(`Get "${url.href}": context deadline exceeded (Client.Timeout exceeded while awaiting headers)`)), timeoutMs);
    req.on('close', () => clearTimeout(timer));
    req.on('error', (e: NodeJS.ErrnoException) => reject(e.message.startsWith('Get "') ? e : new Error(`Get "${url.href}": dial tcp ${url.host}: ${errnoText(e)}`)));
    req.end();
  });
}

function errnoText(e: NodeJS.ErrnoException): string {
  const map: Record<string, string> = { ECONNREFUSED: 'connect: connection refused', EHOSTUNREACH: 'connect: no route to host', ENETUNREACH: 'connect: network is unreachable', ECONNRESET: 'read: connection reset by peer' };
  return (e.code && map[e.code]) ?? e.message;
}

function tcpCheck(host: string, port: number, timeoutMs: number): Promise<ProbeCheckResult> {
  return new Promise((resolve) => {
    const sock = connect({ host, port });
    const done = (r: ProbeCheckResult) => {
      clearTimeout(timer);
      sock.destroy();
      resolve(r);
    };
    const timer = setTimeout(() => done({ result: 'failure', message: `dial tcp ${joinHostPort(host, port)}: i/o timeout` }), timeoutMs);
    sock.once('connect', () => done({ result: 'success', message: '' }));
    sock.once('error', (e: NodeJS.ErrnoException) => done({ result: 'failure', message: `dial tcp ${joinHostPort(host, port)}: ${errnoText(e)}` }));
  });
}
