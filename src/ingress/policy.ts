/**
 * @module What the proxy does with a matched request before any upstream is
 * dialled, in the order nginx's phases run the ingress-nginx template:
 * app-root (server rewrite), proxy-body-size (find-config, when the length
 * is known), CORS and the permanent/temporal redirect (location rewrite),
 * the HTTPS redirect (ingress-nginx's rewrite_by_lua), whitelist-source-
 * range (access), then the upstream: the 404 default backend, a 503 when
 * the upstream has no ready endpoint, else proxy. Pure.
 */
import { BlockList, isIP } from 'node:net';
import { hostName, type Match } from './match.ts';
import type { CorsConfig, LocationConfig } from './types.ts';

export interface RequestFacts {
  method: string;
  scheme: 'http' | 'https';
  /** The Host header (or :authority) as the client sent it. */
  host: string;
  /** The URI path, without the query. */
  path: string;
  /** The whole request target ($request_uri). */
  uri: string;
  remoteAddr: string;
  origin?: string;
  /** Content-Length when the client sent one. */
  contentLength?: number;
}

export type Decision =
  | { kind: 'respond'; status: number; headers?: string[]; empty?: boolean }
  | { kind: 'proxy'; cors?: string[] };

const allowLists = new WeakMap<string[], BlockList>();

function allowList(cidrs: string[]): BlockList {
  let b = allowLists.get(cidrs);
  if (!b) {
    b = new BlockList();
    for (const c of cidrs) {
      const [ip, bits] = c.split('/');
      const fam = isIP(ip) === 6 ? 'ipv6' : 'ipv4';
      if (bits === undefined) b.addAddress(ip, fam);
      else b.addSubnet(ip, Number(bits), fam);
    }
    allowLists.set(cidrs, b);
  }
  return b;
}

/** Whether whitelist-source-range lets the client in (an empty list lets everyone in). */
export function allowed(cfg: LocationConfig, remoteAddr: string): boolean {
  if (cfg.whitelist.length === 0) return true;
  const fam = isIP(remoteAddr);
  if (fam === 0) return false;
  return allowList(cfg.whitelist).check(remoteAddr, fam === 6 ? 'ipv6' : 'ipv4');
}

const originRes = new WeakMap<string[], RegExp>();

/** ingress-nginx's origin regex: `((https://a\.example)|(https://[A-Za-z0-9\-]+\.b\.example))$`, case-insensitive. */
function originAllowed(c: CorsConfig, origin: string): boolean {
  let re = originRes.get(c.allowOrigins);
  if (!re) {
    const quote = (t: string) => t.replace(/[.+?^${}()|[\]\\]/g, '\\$&');
    const alts = c.allowOrigins.map((o) => (o === '*' ? '.*' : o.split('*').map(quote).join('[A-Za-z0-9\\-]+')));
    re = new RegExp(`^(${alts.map((a) => `(${a})`).join('|')})$`, 'i');
    originRes.set(c.allowOrigins, re);
  }
  return re.test(origin);
}

/** The CORS response headers (ingress-nginx's CORS template), undefined when the origin is not allowed. */
export function corsHeaders(c: CorsConfig, origin: string | undefined, preflight: boolean): string[] | undefined {
  const any = c.allowOrigins.includes('*');
  if (!any && (origin === undefined || !originAllowed(c, origin))) return undefined;
  const h = ['Access-Control-Allow-Origin', any ? '*' : origin!];
  if (c.allowCredentials) h.push('Access-Control-Allow-Credentials', 'true');
  h.push('Access-Control-Allow-Methods', c.allowMethods, 'Access-Control-Allow-Headers', c.allowHeaders);
  if (c.exposeHeaders !== '') h.push('Access-Control-Expose-Headers', c.exposeHeaders);
  h.push('Access-Control-Max-Age', String(c.maxAgeSeconds));
  if (preflight) h.push('Content-Type', 'text/plain charset=UTF-8', 'Content-Length', '0');
  return h;
}

/** Whether the location redirects plain HTTP to HTTPS (ingress-nginx: force-ssl-redirect, or ssl-redirect on a TLS host). */
export function wantsHttps(m: Match): boolean {
  const cfg = m.route.config;
  return cfg.forceSslRedirect || (cfg.sslRedirect && m.server?.tlsSecret !== undefined);
}

export function decide(m: Match, f: RequestFacts, endpoints: number): Decision {
  const cfg = m.route.config;
  if (cfg.appRoot !== undefined && f.path === '/') {
    return { kind: 'respond', status: 302, headers: ['Location', `${f.scheme}://${f.host}${cfg.appRoot}`] };
  }
  if (cfg.proxyBodySize > 0 && f.contentLength !== undefined && f.contentLength > cfg.proxyBodySize) return { kind: 'respond', status: 413 };
  let cors: string[] | undefined;
  if (cfg.cors) {
    const preflight = f.method === 'OPTIONS';
    cors = corsHeaders(cfg.cors, f.origin, preflight);
    if (cors && preflight) return { kind: 'respond', status: 204, headers: cors, empty: true };
  }
  // ingress-nginx checks temporal-redirect before permanent-redirect.
  const redirect = cfg.temporalRedirect ?? cfg.permanentRedirect;
  if (redirect) return { kind: 'respond', status: redirect.code, headers: ['Location', redirect.url] };
  if (f.scheme === 'http' && wantsHttps(m)) {
    // Newer ingress-nginx drops the port of the Host header (use-port-in-redirects is off by default).
    return { kind: 'respond', status: 308, headers: ['Location', `https://${hostName(f.host) || f.host}${f.uri}`] };
  }
  if (!allowed(cfg, f.remoteAddr)) return { kind: 'respond', status: 403 };
  if (m.route.upstream === '') return { kind: 'respond', status: 404 };
  if (endpoints === 0) return { kind: 'respond', status: 503 };
  return cors ? { kind: 'proxy', cors } : { kind: 'proxy' };
}
