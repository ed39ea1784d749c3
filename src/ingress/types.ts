/**
 * @module The ingress controller's shared shapes: the route table the pure
 * rules compute from Ingresses (plain JSON, so the primary can send it to
 * the proxy workers over IPC), the per-location settings the annotations
 * give, and the one error class of the area.
 */

export type PathType = 'Exact' | 'Prefix' | 'ImplementationSpecific';
export type BackendProtocol = 'HTTP' | 'HTTPS' | 'GRPC' | 'GRPCS';

/** The affinity cookie, as ingress-nginx's `affinity: cookie` and its `session-cookie-*` companions. */
export interface AffinityConfig {
  name: string;
  /** Cookie Path; '' = the location's path (ingress-nginx's default). */
  path: string;
  maxAgeSeconds?: number;
  expiresSeconds?: number;
  sameSite?: 'None' | 'Lax' | 'Strict';
  secure: boolean;
  /** balanced | persistent: both stick to the endpoint while it exists here. */
  mode: 'balanced' | 'persistent';
}

export interface CorsConfig {
  /** `*` or a list of origins (`https://a.example`, `https://*.example`). */
  allowOrigins: string[];
  allowMethods: string;
  allowHeaders: string;
  exposeHeaders: string;
  allowCredentials: boolean;
  maxAgeSeconds: number;
}

/** What the `nginx.ingress.kubernetes.io/*` annotations of one Ingress set on its locations. */
export interface LocationConfig {
  rewriteTarget?: string;
  useRegex: boolean;
  sslRedirect: boolean;
  forceSslRedirect: boolean;
  backendProtocol: BackendProtocol;
  /** Bytes; 0 = unlimited (client_max_body_size 0). */
  proxyBodySize: number;
  proxyConnectTimeoutSeconds: number;
  proxyReadTimeoutSeconds: number;
  proxySendTimeoutSeconds: number;
  affinity?: AffinityConfig;
  appRoot?: string;
  permanentRedirect?: { url: string; code: number };
  temporalRedirect?: { url: string; code: number };
  /** CIDRs (IPv4 `a.b.c.d/n`, single addresses as /32); empty = everyone. */
  whitelist: string[];
  cors?: CorsConfig;
}

/** One group of endpoints: a Service port (ingress-nginx's upstream `ns-svc-port`). */
export interface Upstream {
  name: string;
  /** Ready endpoints `ip:port`, sorted. Empty = 503. */
  endpoints: string[];
}

/** One location of one server: a path of an Ingress rule, or a server's default. */
export interface Route {
  /** `namespace/name` of the Ingress it came from ('' for the controller's own default backend). */
  ingress: string;
  namespace: string;
  path: string;
  pathType: PathType;
  /** Regex source (matched case-insensitively, anchored at the start) when the location is a regex one. */
  regex?: string;
  /** Key in RouteTable.upstreams; '' = the controller's default backend (404). */
  upstream: string;
  /** Service name and port for logs and metrics ('' for the default backend). */
  service: string;
  servicePort: string;
  config: LocationConfig;
}

export interface Server {
  /** '' is the catch-all server (ingress-nginx's `_`). */
  host: string;
  /** `ns/name` of a kubernetes.io/tls Secret; '' = the default certificate; absent = no TLS for this host. */
  tlsSecret?: string;
  /** Locations in match order: Exact first, then longest path first. */
  routes: Route[];
  /** What answers when no location matches (an Ingress's spec.defaultBackend, else the 404 backend). */
  fallback: Route;
  /** True when any location of this host is a regex one (ingress-nginx then treats all of them as regexes). */
  regexHost: boolean;
}

export interface TlsCert {
  cert: string;
  key: string;
}

export interface RouteTable {
  /** Grows with every computed table; workers report it back when applied. */
  version: number;
  servers: Server[];
  upstreams: Record<string, Upstream>;
  /** PEM pairs by Secret `ns/name`. */
  certs: Record<string, TlsCert>;
}

/** A rule left out of the table, with the reason the controller puts in a Warning Event. */
export interface RouteProblem {
  ingress: string;
  reason: string;
  message: string;
}

export type IngressErrorCode = 'BAD_ANNOTATION' | 'BAD_FLAG' | 'BAD_CERT' | 'LISTEN';

export class IngressError extends Error {
  readonly code: IngressErrorCode;
  constructor(code: IngressErrorCode, message: string) {
    super(message);
    this.name = 'IngressError';
    this.code = code;
  }
}
