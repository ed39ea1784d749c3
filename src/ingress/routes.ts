/**
 * @module Ingresses to a route table, per the Ingress specification with
 * ingress-nginx's choices where the spec leaves room: rules merged by host
 * across Ingresses (the oldest creationTimestamp wins a conflicting path),
 * Exact before Prefix and longest first, ImplementationSpecific as nginx's
 * string prefix unless the host uses regexes (`use-regex`, or a
 * rewrite-target that differs from the path: then every location of the
 * host is a case-insensitive regex anchored at the start, as ingress-nginx
 * enforces), `spec.defaultBackend` for unmatched paths, TLS hosts from
 * `kubernetes.io/tls` Secrets. Pure: invalid input is left out with a
 * reason, never thrown.
 */
import { X509Certificate, createPrivateKey } from 'node:crypto';
import type { KubeObject } from '../api/meta.ts';
import { parseAnnotations } from './annotations.ts';
import { backendRef, indexBackends, resolveUpstream, type BackendIndex } from './backends.ts';
import type { PathType, Route, RouteProblem, RouteTable, Server, TlsCert, Upstream } from './types.ts';

import { defaultBackendRoute } from './match.ts';

export { match, defaultBackendRoute, type Match } from './match.ts';

export interface RoutesOptions {
  /** The table's version number (the caller counts). */
  version?: number;
}

export interface RoutesResult {
  table: RouteTable;
  problems: RouteProblem[];
  /** Unknown `nginx.ingress.kubernetes.io/*` annotations, `ns/name: annotation` (logged, not evented). */
  unknown: string[];
}


interface HostAcc {
  host: string;
  routes: Map<string, Route>;
  fallback?: Route;
  tls?: { secret: string; ok: boolean };
}

const ingKey = (i: KubeObject) => `${i.metadata.namespace}/${i.metadata.name}`;

/** Oldest first, then by namespace/name: the order that decides conflicts, as ingress-nginx sorts. */
export function sortIngresses(ings: KubeObject[]): KubeObject[] {
  return [...ings].sort((a, b) => {
    const ta = a.metadata.creationTimestamp ?? '';
    const tb = b.metadata.creationTimestamp ?? '';
    return ta < tb ? -1 : ta > tb ? 1 : ingKey(a) < ingKey(b) ? -1 : ingKey(a) > ingKey(b) ? 1 : 0;
  });
}

/** A Prefix path without its trailing slashes (the spec ignores them), `/` stays `/`. */
export function normalizePrefix(p: string): string {
  const t = p.replace(/\/+$/, '');
  return t === '' ? '/' : t;
}

function validHost(h: string): boolean {
  return /^(\*\.)?([a-z0-9]([-a-z0-9]*[a-z0-9])?\.)*[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(h);
}

function decodeSecret(s: KubeObject): TlsCert | string {
  const crt = s.data?.['tls.crt'];
  const key = s.data?.['tls.key'];
  if (typeof crt !== 'string' || typeof key !== 'string') return 'secret has no tls.crt and tls.key';
  const cert = Buffer.from(crt, 'base64').toString('utf8');
  const k = Buffer.from(key, 'base64').toString('utf8');
  try {
    new X509Certificate(cert);
    createPrivateKey(k);
  } catch (e) {
    return `invalid certificate or key: ${(e as Error).message}`;
  }
  return { cert, key: k };
}

/** Whether the certificate covers the host (a wildcard host is checked with a sample label). */
function certCovers(pem: string, host: string): boolean {
  try {
    return new X509Certificate(pem).checkHost(host.startsWith('*.') ? `wildcard-check${host.slice(1)}` : host) !== undefined;
  } catch {
    return false;
  }
}

export function ingressesToRoutes(
  ingresses: KubeObject[],
  services: KubeObject[],
  endpointSlices: KubeObject[],
  secrets: KubeObject[],
  opts: RoutesOptions = {},
): RoutesResult {
  const problems: RouteProblem[] = [];
  const unknown: string[] = [];
  const idx: BackendIndex = indexBackends(services, endpointSlices);
  const upstreams: Record<string, Upstream> = {};
  const certs: Record<string, TlsCert> = {};
  const hosts = new Map<string, HostAcc>();
  const acc = (h: string) => {
    let a = hosts.get(h);
    if (!a) hosts.set(h, (a = { host: h, routes: new Map() }));
    return a;
  };
  acc('');
  const secretIdx = new Map(secrets.map((s) => [`${s.metadata.namespace}/${s.metadata.name}`, s]));

  for (const ing of sortIngresses(ingresses)) {
    const key = ingKey(ing);
    const ns = ing.metadata.namespace ?? 'default';
    const problem = (reason: string, message: string) => problems.push({ ingress: key, reason, message });
    const parsed = parseAnnotations(ing.metadata.annotations);
    for (const u of parsed.unknown) unknown.push(`${key}: ${u}`);
    if (parsed.errors.length > 0) {
      for (const e of parsed.errors) problem('InvalidAnnotation', `${e}; the Ingress's routes are left out`);
      continue;
    }
    const config = parsed.config;
    const makeRoute = (backend: any, path: string, pathType: PathType): Route | undefined => {
      const ref = backendRef(backend);
      if (typeof ref === 'string') {
        problem('InvalidBackend', `path ${path}: ${ref}`);
        return undefined;
      }
      const { upstream, problem: why } = resolveUpstream(idx, ns, ref);
      if (why) problem('ServiceUnavailable', `path ${path}: ${why} (requests get 503)`);
      upstreams[upstream.name] ??= upstream;
      return { ingress: key, namespace: ns, path, pathType, upstream: upstream.name, service: ref.service, servicePort: String(ref.port), config };
    };

    const rules: any[] = Array.isArray(ing.spec?.rules) ? ing.spec.rules : [];
    const defBackend = ing.spec?.defaultBackend;
    if (defBackend) {
      const r = makeRoute(defBackend, '/', 'Prefix');
      if (r) {
        // A rule-less Ingress's backend becomes the catch-all server's default; with rules, the
        // default of its own hosts (ingress-nginx: "use backend specified in Ingress as the default backend for all its rules").
        const targets = rules.length === 0 ? [''] : [...new Set(rules.map((x) => String(x?.host ?? '').toLowerCase()))];
        for (const h of targets) {
          const a = acc(h);
          a.fallback ??= r;
        }
      }
    }
    for (const rule of rules) {
      const host = String(rule?.host ?? '').toLowerCase();
      if (host !== '' && !validHost(host)) {
        problem('InvalidHost', `host "${host}" is not a valid DNS name or wildcard`);
        continue;
      }
      const a = acc(host);
      for (const p of rule?.http?.paths ?? []) {
        const pathType: PathType = p?.pathType === 'Exact' || p?.pathType === 'Prefix' ? p.pathType : 'ImplementationSpecific';
        const path: string = typeof p?.path === 'string' && p.path !== '' ? p.path : '/';
        if (!path.startsWith('/')) {
          problem('InvalidPath', `path "${path}" must begin with /`);
          continue;
        }
        const route = makeRoute(p?.backend, path, pathType);
        if (!route) continue;
        const norm = pathType === 'Prefix' ? normalizePrefix(path) : path;
        const k = `${pathType === 'Exact' ? 'E' : 'P'} ${norm}`;
        const prev = a.routes.get(k);
        if (prev) {
          problem('PathConflict', `path ${path} of host "${host || '*'}" is already defined by the older Ingress ${prev.ingress}`);
          continue;
        }
        a.routes.set(k, route);
      }
    }
    for (const t of Array.isArray(ing.spec?.tls) ? ing.spec.tls : []) {
      const tlsHosts: string[] = (t?.hosts ?? []).map((h: string) => String(h).toLowerCase());
      const secretName: string = t?.secretName ?? '';
      for (const h of tlsHosts) {
        const a = hosts.get(h);
        if (!a || a.tls) continue;
        if (secretName === '') {
          a.tls = { secret: '', ok: true };
          continue;
        }
        const sk = `${ns}/${secretName}`;
        const s = secretIdx.get(sk);
        const dec = s ? decodeSecret(s) : `secret ${sk} not found`;
        if (typeof dec === 'string') {
          problem('InvalidTLS', `TLS host ${h}: ${dec}; the default certificate is served`);
          continue;
        }
        if (!certCovers(dec.cert, h)) {
          problem('InvalidTLS', `TLS host ${h}: certificate of secret ${sk} does not contain a Common Name or Subject Alternative Name for it; the default certificate is served`);
          continue;
        }
        certs[sk] = dec;
        a.tls = { secret: sk, ok: true };
      }
    }
  }

  const servers: Server[] = [];
  for (const a of [...hosts.values()].sort((x, y) => (x.host < y.host ? -1 : x.host > y.host ? 1 : 0))) {
    let routes = [...a.routes.values()];
    const regexHost = routes.some((r) => r.config.useRegex || (r.config.rewriteTarget !== undefined && r.config.rewriteTarget !== r.path));
    if (regexHost) {
      const ok: Route[] = [];
      for (const r of routes) {
        try {
          new RegExp(`^${r.path}`, 'i');
          ok.push({ ...r, regex: r.path });
        } catch (e) {
          problems.push({ ingress: r.ingress, reason: 'InvalidPath', message: `path ${r.path} is not a valid regular expression: ${(e as Error).message}` });
        }
      }
      // nginx tries regex locations in file order; ingress-nginx writes them longest path first.
      routes = ok.sort((x, y) => y.path.length - x.path.length);
    } else {
      routes.sort((x, y) => {
        if ((x.pathType === 'Exact') !== (y.pathType === 'Exact')) return x.pathType === 'Exact' ? -1 : 1;
        const lx = x.pathType === 'Prefix' ? normalizePrefix(x.path).length : x.path.length;
        const ly = y.pathType === 'Prefix' ? normalizePrefix(y.path).length : y.path.length;
        return ly - lx;
      });
    }
    servers.push({
      host: a.host,
      ...(a.tls ? { tlsSecret: a.tls.secret } : {}),
      routes,
      fallback: a.fallback ?? defaultBackendRoute(),
      regexHost,
    });
  }
  return { table: { version: opts.version ?? 0, servers, upstreams, certs }, problems, unknown };
}
