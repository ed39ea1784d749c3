/**
 * @module The service proxy's contracts: what the pure model makes of
 * Services and EndpointSlices for one node (`ProxyState`), and what a
 * syncer (nftables or userspace) does with it. Shaped like kube-proxy's
 * ServicePort / Endpoint after CategorizeEndpoints.
 */

export type Protocol = 'TCP' | 'UDP' | 'SCTP';

/** One endpoint of one service port, as kube-proxy's `Endpoint` (target port already resolved). */
export interface ProxyEndpoint {
  ip: string;
  port: number;
  ready: boolean;
  serving: boolean;
  terminating: boolean;
  /** On this node (EndpointSlice `nodeName` equals the proxy's node). */
  local: boolean;
}

/** One port of one proxied Service (ClusterIP, NodePort, LoadBalancer; never headless or ExternalName). */
export interface ProxyServicePort {
  /** kube-proxy's ServicePortName: `ns/name:portName` (`ns/name` when the port has no name). Sort key. */
  key: string;
  namespace: string;
  name: string;
  /** `spec.ports[].name`, '' when unnamed. */
  portName: string;
  protocol: Protocol;
  /** spec.clusterIPs of the family the proxy serves (IPv4 for now). */
  clusterIP: string;
  port: number;
  /** Set for NodePort and LoadBalancer services (unless allocateLoadBalancerNodePorts is false). */
  nodePort?: number;
  externalIPs: string[];
  /** status.loadBalancer.ingress[].ip */
  loadBalancerIPs: string[];
  /** Set when sessionAffinity is ClientIP: sessionAffinityConfig.clientIP.timeoutSeconds, default 10800. */
  affinityTimeoutSeconds?: number;
  /** externalTrafficPolicy: Local (only for NodePort/LoadBalancer/externalIPs traffic). */
  externalPolicyLocal: boolean;
  /** internalTrafficPolicy: Local. */
  internalPolicyLocal: boolean;
  /**
   * Endpoints for traffic to the cluster IP, after CategorizeEndpoints: the ready ones (all of them,
   * or only local ones with internalTrafficPolicy Local), falling back to serving-terminating ones
   * when none is ready. Sorted by ip then port.
   */
  clusterEndpoints: ProxyEndpoint[];
  /** Local endpoints for externalTrafficPolicy Local (same fallback rule); [] otherwise. Sorted. */
  localEndpoints: ProxyEndpoint[];
  /**
   * Only with internalTrafficPolicy Local (when clusterEndpoints holds the local ones): every usable
   * endpoint in the cluster (ready, else serving-terminating), kube-proxy's own "clusterEndpoints".
   * External traffic with externalTrafficPolicy Cluster, and pod or node traffic to an external
   * address with externalTrafficPolicy Local, still goes to all of them. Sorted.
   */
  clusterPolicyEndpoints?: ProxyEndpoint[];
  /** Any endpoint at all, ready or not (kube-proxy: "hasAnyEndpoints", decides reject vs. drop-free). */
  hasAnyEndpoints: boolean;
}

/** What the proxy knows of its own node. */
export interface ProxyNodeInfo {
  nodeName: string;
  /** Addresses NodePorts answer on (the node's InternalIPs; plus 127.0.0.1 in host mode). */
  nodePortAddresses: string[];
  /** The cluster CIDR (kube-proxy --cluster-cidr): traffic to a ClusterIP from outside it is masqueraded. */
  clusterCidr: string;
  /** The service CIDR: a packet to an unallocated address in it is dropped/refused, never routed out. */
  serviceCidr: string;
}

/** The whole desired state for one node: every proxied service port, sorted by key. */
export interface ProxyState {
  node: ProxyNodeInfo;
  services: ProxyServicePort[];
}

export interface SyncResult {
  /** True when the whole ruleset/listener table was (re)written, false for an incremental change. */
  full: boolean;
  /** Rules (nftables) or listeners (userspace) programmed after the sync. */
  rules: number;
}

/** Applies a ProxyState to the node. One sync at a time (the caller serialises). */
export interface ProxySyncer {
  readonly mode: 'nftables' | 'userspace';
  /** Makes the node's forwarding match `state`; on failure the next call must do a full resync. */
  sync(state: ProxyState): Promise<SyncResult>;
  /** Removes everything this syncer programmed (tables, listeners, child processes). */
  close(): Promise<void>;
}
