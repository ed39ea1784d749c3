/**
 * @module Request to route: the host (exact, then `*.` wildcard over exactly
 * one label, then the catch-all server) and the path (per the Ingress
 * spec's pathType rules, or ingress-nginx's regexes on a regex host), and
 * the rewrite-target substitution nginx's `rewrite ... break` performs.
 * Regexes and host maps are compiled once per table and cached with it.
 */
import { DEFAULT_LOCATION } from './annotations.ts';
import type { LocationConfig, Route, RouteTable, Server } from './types.ts';

/** The controller's own default backend (ingress-nginx's `upstream-default-backend`, a 404). */
export function defaultBackendRoute(config: LocationConfig = DEFAULT_LOCATION): Route {
  return { ingress: '', namespace: '', path: '/', pathType: 'Prefix', upstream: '', service: '', servicePort: '', config };
}

export interface Match {
  /** Undefined when no server matched and the table has no catch-all (cannot happen with tables from ingressesToRoutes). */
  server?: Server;
  route: Route;
  /** True when the route came from the server's path rules (not its fallback). */
  matched: boolean;
}

interface Compiled {
  exact: Map<string, Server>;
  wildcard: Map<string, Server>;
  catchAll?: Server;
  regex: Map<Route, RegExp>;
}

const cache = new WeakMap<RouteTable, Compiled>();

function compile(t: RouteTable): Compiled {
  let c = cache.get(t);
  if (c) return c;
  c = { exact: new Map(), wildcard: new Map(), regex: new Map() };
  for (const s of t.servers) {
    if (s.host === '') c.catchAll = s;
    else if (s.host.startsWith('*.')) c.wildcard.set(s.host.slice(2), s);
    else c.exact.set(s.host, s);
    for (const r of s.routes) if (r.regex !== undefined) c.regex.set(r, new RegExp(`^${r.regex}`, 'i'));
  }
  cache.set(t, c);
  return c;
}

/** The Host header's name: lower case, without port and trailing dot. */
export function hostName(hostHeader: string | undefined): string {
  if (!hostHeader) return '';
  let h = hostHeader.trim().toLowerCase();
  if (h.startsWith('[')) return h.slice(0, h.indexOf(']') + 1);
  const i = h.lastIndexOf(':');
  if (i >= 0) h = h.slice(0, i);
  return h.endsWith('.') ? h.slice(0, -1) : h;
}

/** nginx matches locations against the decoded URI with merged slashes. */
export function normalizeUriPath(p: string): string {
  let out = p;
  if (out.includes('%')) {
    try {
      out = decodeURIComponent(out);
    } catch {}
  }
  return out.includes('//') ? out.replace(/\/{2,}/g, '/') : out;
}

export function serverFor(table: RouteTable, host: string): Server | undefined {
  const c = compile(table);
  const exact = c.exact.get(host);
  if (exact) return exact;
  const dot = host.indexOf('.');
  // `*.foo.com` covers exactly one label: `bar.foo.com`, never `foo.com` or `a.bar.foo.com`.
  if (dot > 0) {
    const w = c.wildcard.get(host.slice(dot + 1));
    if (w) return w;
  }
  return c.catchAll;
}

export function pathMatches(route: Route, path: string, re?: RegExp): boolean {
  if (re) return re.test(path);
  if (route.pathType === 'Exact') return path === route.path;
  if (route.pathType === 'Prefix') {
    const p = route.path.length > 1 && route.path.endsWith('/') ? route.path.replace(/\/+$/, '') || '/' : route.path;
    return p === '/' || path === p || (path.startsWith(p) && path.charCodeAt(p.length) === 47);
  }
  // ImplementationSpecific without regex: nginx's plain `location /foo`, a string prefix.
  return path.startsWith(route.path);
}

/** Finds the route for a request; `path` is the URI path without the query string. */
export function match(table: RouteTable, host: string, path: string): Match {
  const c = compile(table);
  const server = serverFor(table, hostName(host));
  const p = normalizeUriPath(path);
  if (server) {
    for (const r of server.routes) if (pathMatches(r, p, c.regex.get(r))) return { server, route: r, matched: true };
    return { server, route: server.fallback, matched: false };
  }
  return { route: defaultBackendRoute(), matched: false };
}

const rewriteCache = new WeakMap<Route, RegExp | null>();

/**
 * The upstream URI after rewrite-target, as nginx's `rewrite "(?i)PATH" TARGET break;`:
 * when the (unanchored) path regex matches, the whole URI becomes TARGET with `$1`..`$9`
 * substituted, and the original query string is appended unless TARGET has its own.
 */
export function rewriteUri(route: Route, path: string, query: string): string {
  const target = route.config.rewriteTarget;
  if (target === undefined || target === route.path) return path + query;
  let re = rewriteCache.get(route);
  if (re === undefined) {
    try {
      re = new RegExp(route.path, 'i');
    } catch {
      re = null;
    }
    rewriteCache.set(route, re);
  }
  const m = re?.exec(normalizeUriPath(path));
  if (!m) return path + query;
  const out = target.replace(/\$(\d)/g, (_s, d: string) => m[Number(d)] ?? '');
  if (out.includes('?')) return query ? `${out}&${query.slice(1)}` : out;
  return out + query;
}
