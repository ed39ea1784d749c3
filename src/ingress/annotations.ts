/**
 * @module The `nginx.ingress.kubernetes.io/*` annotations nanokube honours,
 * parsed and validated into a LocationConfig with ingress-nginx's defaults.
 * An invalid value is an error string (the controller records a Warning
 * Event and leaves the Ingress's routes out); an annotation of the prefix
 * that nanokube does not implement is listed as unknown (logged, ignored).
 */
import { isIP } from 'node:net';
import type { AffinityConfig, BackendProtocol, CorsConfig, LocationConfig } from './types.ts';

export const PREFIX = 'nginx.ingress.kubernetes.io/';

/** ingress-nginx's defaults (its ConfigMap defaults: proxy-body-size 1m, connect 5 s, read/send 60 s). */
export const DEFAULT_LOCATION: LocationConfig = Object.freeze({
  useRegex: false,
  sslRedirect: true,
  forceSslRedirect: false,
  backendProtocol: 'HTTP',
  proxyBodySize: 1024 * 1024,
  proxyConnectTimeoutSeconds: 5,
  proxyReadTimeoutSeconds: 60,
  proxySendTimeoutSeconds: 60,
  whitelist: [],
}) as LocationConfig;

export const CORS_DEFAULTS: CorsConfig = Object.freeze({
  allowOrigins: ['*'],
  allowMethods: 'GET, PUT, POST, DELETE, PATCH, OPTIONS',
  allowHeaders: 'DNT,Keep-Alive,User-Agent,X-Requested-With,If-Modified-Since,Cache-Control,Content-Type,Range,Authorization',
  exposeHeaders: '',
  allowCredentials: true,
  maxAgeSeconds: 1728000,
}) as CorsConfig;

const KNOWN = new Set(
  [
    'rewrite-target', 'use-regex', 'ssl-redirect', 'force-ssl-redirect', 'backend-protocol', 'proxy-body-size',
    'proxy-connect-timeout', 'proxy-read-timeout', 'proxy-send-timeout', 'affinity', 'affinity-mode',
    'session-cookie-name', 'session-cookie-path', 'session-cookie-max-age', 'session-cookie-expires',
    'session-cookie-samesite', 'session-cookie-secure', 'app-root', 'permanent-redirect', 'permanent-redirect-code',
    'temporal-redirect', 'temporal-redirect-code', 'whitelist-source-range', 'allowlist-source-range', 'enable-cors',
    'cors-allow-origin', 'cors-allow-methods', 'cors-allow-headers', 'cors-expose-headers', 'cors-allow-credentials',
    'cors-max-age',
  ].map((n) => PREFIX + n),
);

export interface ParsedAnnotations {
  config: LocationConfig;
  /** One message per invalid annotation, `annotation NAME: why`. Non-empty = leave the Ingress's routes out. */
  errors: string[];
  /** `nginx.ingress.kubernetes.io/*` annotations nanokube does not implement. */
  unknown: string[];
}

/** Go's strconv.ParseBool, which ingress-nginx's parser uses. */
function parseBool(v: string): boolean | undefined {
  if (['1', 't', 'T', 'true', 'TRUE', 'True'].includes(v)) return true;
  if (['0', 'f', 'F', 'false', 'FALSE', 'False'].includes(v)) return false;
  return undefined;
}

/** An nginx size (`0`, `512`, `8k`, `1m`, `2G`) in bytes. */
export function parseSize(v: string): number | undefined {
  const m = /^(\d+)([kKmMgG]?)$/.exec(v.trim());
  if (!m) return undefined;
  const mult = { '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 }[m[2].toLowerCase() as '' | 'k' | 'm' | 'g'];
  return Number(m[1]) * mult;
}

function parseUint(v: string): number | undefined {
  return /^\d{1,9}$/.test(v.trim()) ? Number(v.trim()) : undefined;
}

/** A CIDR or a single address (IPv4 or IPv6), as nginx's allow directive takes them. */
export function validCidr(v: string): boolean {
  const [ip, bits, extra] = v.split('/');
  const fam = isIP(ip);
  if (!fam || extra !== undefined) return false;
  if (bits === undefined) return true;
  const n = /^\d{1,3}$/.test(bits) ? Number(bits) : -1;
  return n >= 0 && n <= (fam === 4 ? 32 : 128);
}

function validUrl(v: string): boolean {
  try {
    const u = new URL(v);
    return (u.protocol === 'http:' || u.protocol === 'https:') && !/\s/.test(v);
  } catch {
    return false;
  }
}

const ORIGIN = /^(\*|https?:\/\/(\*\.)?[A-Za-z0-9.-]+(:\d{1,5})?)$/;

export function parseAnnotations(annotations: Record<string, string> | undefined): ParsedAnnotations {
  const a = annotations ?? {};
  const errors: string[] = [];
  const unknown = Object.keys(a).filter((k) => k.startsWith(PREFIX) && !KNOWN.has(k)).sort();
  const config: LocationConfig = { ...DEFAULT_LOCATION, whitelist: [] };
  const get = (n: string): string | undefined => {
    const v = a[PREFIX + n];
    return v === undefined ? undefined : v.trim();
  };
  const bad = (n: string, why: string) => errors.push(`annotation ${PREFIX}${n}: ${why}`);
  const bool = (n: string): boolean | undefined => {
    const v = get(n);
    if (v === undefined) return undefined;
    const b = parseBool(v);
    if (b === undefined) bad(n, `invalid boolean value "${v}"`);
    return b;
  };
  const uint = (n: string): number | undefined => {
    const v = get(n);
    if (v === undefined) return undefined;
    const x = parseUint(v);
    if (x === undefined) bad(n, `invalid integer value "${v}"`);
    return x;
  };

  const rewrite = get('rewrite-target');
  if (rewrite !== undefined && rewrite !== '') {
    // ingress-nginx refuses characters that would escape the generated nginx directive.
    if (/[\s;{}"'\\]/.test(rewrite)) bad('rewrite-target', `invalid value "${rewrite}"`);
    else config.rewriteTarget = rewrite;
  }
  config.useRegex = bool('use-regex') ?? false;
  config.sslRedirect = bool('ssl-redirect') ?? true;
  config.forceSslRedirect = bool('force-ssl-redirect') ?? false;

  const proto = get('backend-protocol');
  if (proto !== undefined) {
    const p = proto.toUpperCase();
    if (p === 'HTTP' || p === 'HTTPS' || p === 'GRPC' || p === 'GRPCS') config.backendProtocol = p as BackendProtocol;
    else if (p === 'AUTO_HTTP') config.backendProtocol = 'HTTP';
    else if (p === 'FCGI') bad('backend-protocol', 'FCGI is not supported by nanokube');
    else bad('backend-protocol', `invalid value "${proto}" (HTTP, HTTPS, GRPC, GRPCS, AUTO_HTTP)`);
  }

  const size = get('proxy-body-size');
  if (size !== undefined) {
    const s = parseSize(size);
    if (s === undefined) bad('proxy-body-size', `invalid size "${size}"`);
    else config.proxyBodySize = s;
  }
  config.proxyConnectTimeoutSeconds = uint('proxy-connect-timeout') ?? config.proxyConnectTimeoutSeconds;
  config.proxyReadTimeoutSeconds = uint('proxy-read-timeout') ?? config.proxyReadTimeoutSeconds;
  config.proxySendTimeoutSeconds = uint('proxy-send-timeout') ?? config.proxySendTimeoutSeconds;

  const affinity = parseAffinity(get, bad, bool, uint);
  if (affinity) config.affinity = affinity;

  const appRoot = get('app-root');
  if (appRoot !== undefined && appRoot !== '') {
    if (!appRoot.startsWith('/') || /[\s;{}"']/.test(appRoot)) bad('app-root', `"${appRoot}" is not a path starting with /`);
    else config.appRoot = appRoot;
  }
  for (const [n, dflt, key] of [
    ['permanent-redirect', 301, 'permanentRedirect'],
    ['temporal-redirect', 302, 'temporalRedirect'],
  ] as const) {
    const url = get(n);
    if (url === undefined || url === '') continue;
    const code = uint(`${n}-code`) ?? dflt;
    if (!validUrl(url)) bad(n, `"${url}" is not an http(s) URL`);
    else if (code < 300 || code > 308) bad(`${n}-code`, `${code} is not a redirect code (300-308)`);
    else config[key] = { url, code };
  }

  const ranges = get('whitelist-source-range') ?? get('allowlist-source-range');
  if (ranges !== undefined && ranges !== '') {
    const list = ranges.split(',').map((s) => s.trim()).filter(Boolean);
    const wrong = list.filter((c) => !validCidr(c));
    if (wrong.length > 0) bad('whitelist-source-range', `invalid CIDR ${wrong.join(', ')}`);
    else config.whitelist = list;
  }

  if (bool('enable-cors')) config.cors = parseCors(get, bad, bool, uint);
  return { config, errors, unknown };
}

type Get = (n: string) => string | undefined;
type Bad = (n: string, why: string) => void;

function parseAffinity(get: Get, bad: Bad, bool: (n: string) => boolean | undefined, uint: (n: string) => number | undefined): AffinityConfig | undefined {
  const kind = get('affinity');
  if (kind === undefined || kind === '') return undefined;
  if (kind !== 'cookie') {
    bad('affinity', `unsupported affinity "${kind}" (only cookie)`);
    return undefined;
  }
  const out: AffinityConfig = { name: 'INGRESSCOOKIE', path: '', secure: false, mode: 'balanced' };
  const name = get('session-cookie-name');
  if (name !== undefined && name !== '') {
    if (!/^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/.test(name)) bad('session-cookie-name', `invalid cookie name "${name}"`);
    else out.name = name;
  }
  const path = get('session-cookie-path');
  if (path !== undefined && path !== '') {
    if (!path.startsWith('/') || /[\s;]/.test(path)) bad('session-cookie-path', `invalid path "${path}"`);
    else out.path = path;
  }
  out.maxAgeSeconds = uint('session-cookie-max-age');
  out.expiresSeconds = uint('session-cookie-expires');
  const ss = get('session-cookie-samesite');
  if (ss !== undefined && ss !== '') {
    if (ss === 'None' || ss === 'Lax' || ss === 'Strict') out.sameSite = ss;
    else bad('session-cookie-samesite', `invalid value "${ss}" (None, Lax, Strict)`);
  }
  out.secure = bool('session-cookie-secure') ?? false;
  const mode = get('affinity-mode');
  if (mode !== undefined && mode !== '') {
    if (mode === 'balanced' || mode === 'persistent') out.mode = mode;
    else bad('affinity-mode', `invalid value "${mode}" (balanced, persistent)`);
  }
  return out;
}

function parseCors(get: Get, bad: Bad, bool: (n: string) => boolean | undefined, uint: (n: string) => number | undefined): CorsConfig {
  const out: CorsConfig = { ...CORS_DEFAULTS, allowOrigins: [...CORS_DEFAULTS.allowOrigins] };
  const origin = get('cors-allow-origin');
  if (origin !== undefined && origin !== '') {
    const list = origin.split(',').map((s) => s.trim()).filter(Boolean);
    const wrong = list.filter((o) => !ORIGIN.test(o));
    if (wrong.length > 0) bad('cors-allow-origin', `invalid origin ${wrong.join(', ')}`);
    else out.allowOrigins = list;
  }
  const methods = get('cors-allow-methods');
  if (methods !== undefined && methods !== '') {
    if (!/^[A-Za-z, ]+$/.test(methods)) bad('cors-allow-methods', `invalid value "${methods}"`);
    else out.allowMethods = methods;
  }
  for (const [n, key] of [
    ['cors-allow-headers', 'allowHeaders'],
    ['cors-expose-headers', 'exposeHeaders'],
  ] as const) {
    const v = get(n);
    if (v === undefined || v === '') continue;
    if (!/^[A-Za-z0-9\-_, *]+$/.test(v)) bad(n, `invalid value "${v}"`);
    else out[key] = v;
  }
  out.allowCredentials = bool('cors-allow-credentials') ?? true;
  out.maxAgeSeconds = uint('cors-max-age') ?? out.maxAgeSeconds;
  return out;
}
