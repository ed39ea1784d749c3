/**
 * @module The userspace proxy's listener table (pure): which (address, port,
 * protocol) sockets the node opens for a ProxyState, and which endpoints each
 * one forwards to. Like the original kube-proxy userspace mode, there is one
 * listener per address a service port is reachable on, instead of one
 * "portal" port plus iptables redirects: the node's namespace routes the whole
 * service CIDR to `lo`, so binding a ClusterIP works directly.
 *
 * A service port without usable endpoints gets NO listener: a TCP SYN to a
 * local address with nothing bound is answered by the kernel with RST and a
 * UDP datagram with ICMP port unreachable, so the client sees "connection
 * refused" at once. That is how this mode meets the proxy model's "reject
 * when a service has no endpoints" (kube-proxy's REJECT rule).
 */
import { isIPv4 } from 'node:net';
import type { ProxyEndpoint, ProxyServicePort, ProxyState } from '../types.ts';

/** Where a listener's address comes from (for logs and errors). */
export type RelayKind = 'clusterIP' | 'nodePort' | 'externalIP' | 'loadBalancer';

/** An endpoint as the relay needs it. */
export interface RelayEndpoint {
  ip: string;
  port: number;
}

/** One socket the relay child opens, and where its traffic goes. */
export interface RelaySpec {
  protocol: 'TCP' | 'UDP';
  address: string;
  port: number;
  kind: RelayKind;
  /** The service port's key (`ns/name:portName`). */
  service: string;
  /**
   * Which endpoint list this listener uses: `cluster` (clusterEndpoints) or `local`
   * (localEndpoints, for external addresses under externalTrafficPolicy Local).
   * Listeners of one service port and pool share one round-robin and affinity state,
   * as kube-proxy's LoadBalancerRR kept one state per ServicePortName.
   */
  pool: 'cluster' | 'local';
  /** Never empty (a service port without endpoints has no listener). */
  endpoints: RelayEndpoint[];
  /** sessionAffinity ClientIP: seconds an idle client stays on its endpoint. */
  affinityTimeoutSeconds?: number;
}

/** `tcp 10.96.0.1:443`: a listener's identity, unique in a table. */
export function listenerKey(spec: Pick<RelaySpec, 'protocol' | 'address' | 'port'>): string {
  return `${spec.protocol.toLowerCase()} ${spec.address}:${spec.port}`;
}

/** The balancer state a listener uses: one per service port and endpoint pool. */
export function poolKey(spec: Pick<RelaySpec, 'service' | 'pool'>): string {
  return `${spec.service}#${spec.pool}`;
}

function relayEndpoints(eps: ProxyEndpoint[]): RelayEndpoint[] {
  return eps.map((e) => ({ ip: e.ip, port: e.port }));
}

/**
 * The listeners for a node. Services come sorted by key, so when two service ports
 * claim the same address and port (two services with one externalIP:port), the first
 * by key wins and the other is left out, deterministically. SCTP is skipped: the
 * userspace proxy never supported it (Node has no SCTP sockets either). Addresses
 * that are not IPv4 are skipped (the proxy serves IPv4 only for now).
 */
export function relayTable(state: ProxyState): RelaySpec[] {
  const out: RelaySpec[] = [];
  const taken = new Set<string>();
  const add = (svc: ProxyServicePort, kind: RelayKind, address: string, port: number, pool: RelaySpec['pool'], endpoints: RelayEndpoint[]): void => {
    if (svc.protocol === 'SCTP' || endpoints.length === 0 || !isIPv4(address) || !(port > 0 && port < 65536)) return;
    const spec: RelaySpec = { protocol: svc.protocol, address, port, kind, service: svc.key, pool, endpoints };
    if (svc.affinityTimeoutSeconds !== undefined) spec.affinityTimeoutSeconds = svc.affinityTimeoutSeconds;
    const key = listenerKey(spec);
    if (taken.has(key)) return;
    taken.add(key);
    out.push(spec);
  };
  for (const svc of state.services) {
    const cluster = relayEndpoints(svc.clusterEndpoints);
    // externalTrafficPolicy only concerns traffic that arrives from outside: node ports,
    // external IPs and load-balancer IPs, never the cluster IP.
    const externalPool: RelaySpec['pool'] = svc.externalPolicyLocal ? 'local' : 'cluster';
    const external = svc.externalPolicyLocal ? relayEndpoints(svc.localEndpoints) : cluster;
    add(svc, 'clusterIP', svc.clusterIP, svc.port, 'cluster', cluster);
    if (svc.nodePort) {
      for (const a of state.node.nodePortAddresses) add(svc, 'nodePort', a, svc.nodePort, externalPool, external);
    }
    for (const a of svc.externalIPs) add(svc, 'externalIP', a, svc.port, externalPool, external);
    for (const a of svc.loadBalancerIPs) add(svc, 'loadBalancer', a, svc.port, externalPool, external);
  }
  return out;
}
