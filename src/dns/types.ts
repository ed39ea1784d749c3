/**
 * @module The DNS server's contracts: the narrow, read-only view of the
 * cluster the record rules read (stripped-down Services and endpoints, as
 * CoreDNS's kubernetes plugin keeps them), the configuration a Corefile
 * turns into, and the area's error class.
 */

/** A Service with only what DNS needs. Names are lower case. */
export interface DnsService {
  namespace: string;
  name: string;
  type: 'ClusterIP' | 'NodePort' | 'LoadBalancer' | 'ExternalName';
  /** spec.clusterIPs; empty for headless (`None`) and ExternalName. */
  clusterIPs: string[];
  /** spec.externalName, without a trailing dot. */
  externalName?: string;
  /** spec.ports; name '' when unnamed; protocol upper case. */
  ports: DnsPort[];
  /** spec.publishNotReadyAddresses (or the deprecated tolerate-unready-endpoints annotation). */
  publishNotReady: boolean;
}

export interface DnsPort {
  name: string;
  port: number;
  protocol: string;
}

/** One address of one EndpointSlice endpoint. */
export interface DnsEndpoint {
  ip: string;
  /** The endpoint's `hostname` (lower case), when set. */
  hostname?: string;
  ready: boolean;
  /** The slice's ports (the target ports), for headless SRV records. */
  ports: DnsPort[];
}

/** What a reverse (PTR) lookup finds for one IP. */
export interface ReverseEntry {
  namespace: string;
  service: string;
  /** Set for an endpoint address: its hostname or dashed IP. Unset for a cluster IP. */
  endpoint?: string;
}

/** The read-only cluster view the pure record rules use; tests fake it. */
export interface ClusterView {
  service(namespace: string, name: string): DnsService | undefined;
  /** Every address of every slice of the Service, ready or not, ordered by slice then position. */
  endpoints(namespace: string, name: string): DnsEndpoint[];
  /** True when some Service lives in the namespace (the server does not watch Namespaces). */
  hasNamespace(namespace: string): boolean;
  reverse(ip: string): ReverseEntry[];
  /** SOA serial: the Unix time of the last change, as CoreDNS's kubernetes plugin reports it. */
  serial(): number;
}

export interface Upstream {
  host: string;
  port: number;
}

/** The kubernetes plugin's part of the configuration. */
export interface ClusterZoneConfig {
  /** Zones served from the cluster view, lower case, no trailing dot; the first is the cluster domain. */
  zones: string[];
  /** Pod A records `a-b-c-d.ns.pod.zone`: 'insecure' answers any well-formed IP, 'disabled' gives NXDOMAIN. */
  pods: 'insecure' | 'disabled';
  ttl: number;
  /** Zones whose NXDOMAIN goes on to forwarding; undefined = no fallthrough, [] = every zone. */
  fallthrough?: string[];
}

export interface StubDomain {
  zone: string;
  upstreams: Upstream[];
}

export interface CacheConfig {
  /** Cap on positive TTLs (CoreDNS `cache [TTL]`). */
  successTtl: number;
  /** Cap on negative TTLs. */
  denialTtl: number;
  capacity: number;
}

/** Everything a Corefile configures, with every default set by `defaultConfig`. */
export interface DnsConfig {
  cluster: ClusterZoneConfig;
  /** `forward . ...` of the root block; undefined when there is none. `resolvConf` means the process's /etc/resolv.conf. */
  forward?: { upstreams: Upstream[] } | { resolvConf: string };
  stubDomains: StubDomain[];
  cache?: CacheConfig;
  loadbalance: boolean;
  /** The port in `.:53` (listeners come from flags; kept to report a mismatch). */
  port: number;
  /** Plugins seen but not implemented, for the load log line. */
  ignored: string[];
}

export const DEFAULT_COREFILE = `.:53 {
    errors
    health {
       lameduck 5s
    }
    ready
    kubernetes cluster.local in-addr.arpa ip6.arpa {
       pods insecure
       fallthrough in-addr.arpa ip6.arpa
       ttl 30
    }
    prometheus :9153
    forward . /etc/resolv.conf {
       max_concurrent 1000
    }
    cache 30
    loop
    reload
    loadbalance
}
`;

export type DnsErrorCode = 'COREFILE' | 'TIMEOUT' | 'UPSTREAM' | 'CLOSED' | 'LISTEN';

export class DnsError extends Error {
  readonly code: DnsErrorCode;
  constructor(code: DnsErrorCode, message: string) {
    super(message);
    this.name = 'DnsError';
    this.code = code;
  }
}
