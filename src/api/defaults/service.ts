/**
 * @module Service defaults: SetDefaults_Service, plus what upstream's
 * service registry fills in around IP allocation (clusterIP/clusterIPs kept
 * in sync, ipFamilies and ipFamilyPolicy for a single-stack IPv4 cluster).
 * Allocating the IP itself is the caller's job; it calls
 * defaultServiceIPFamilies again once an IP is assigned.
 */
import { isIP } from 'node:net';

const externallyAccessible = (spec: any): boolean =>
  spec.type === 'LoadBalancer' || spec.type === 'NodePort' || (spec.type === 'ClusterIP' && (spec.externalIPs ?? []).length > 0);

export function defaultService(svc: any): void {
  const spec = svc.spec;
  if (!spec || typeof spec !== 'object') return;
  if (!spec.sessionAffinity) spec.sessionAffinity = 'None';
  if (spec.sessionAffinity === 'None') delete spec.sessionAffinityConfig;
  if (spec.sessionAffinity === 'ClientIP') {
    const t = spec.sessionAffinityConfig?.clientIP?.timeoutSeconds;
    if (t === undefined || t === null) spec.sessionAffinityConfig = { clientIP: { timeoutSeconds: 10800 } };
  }
  if (!spec.type) spec.type = 'ClusterIP';
  for (const port of spec.ports ?? []) {
    if (!port.protocol) port.protocol = 'TCP';
    if (port.targetPort === undefined || port.targetPort === null || port.targetPort === 0 || port.targetPort === '') port.targetPort = port.port;
  }
  if (externallyAccessible(spec) && !spec.externalTrafficPolicy) spec.externalTrafficPolicy = 'Cluster';
  if ((spec.internalTrafficPolicy === undefined || spec.internalTrafficPolicy === null) && ['NodePort', 'LoadBalancer', 'ClusterIP'].includes(spec.type))
    spec.internalTrafficPolicy = 'Cluster';
  if (spec.type === 'LoadBalancer') {
    if (spec.allocateLoadBalancerNodePorts === undefined || spec.allocateLoadBalancerNodePorts === null) spec.allocateLoadBalancerNodePorts = true;
    for (const ing of svc.status?.loadBalancer?.ingress ?? []) if (ing.ip && !ing.ipMode) ing.ipMode = 'VIP';
  }
  defaultServiceIPFamilies(svc);
}

/**
 * NormalizeClusterIPs and initIPFamilyFields for a single-stack IPv4 cluster.
 * Families are set only once the service has a cluster IP (or "None"), and
 * never for ExternalName services, which have none.
 */
export function defaultServiceIPFamilies(svc: any): void {
  const spec = svc.spec;
  if (!spec || typeof spec !== 'object') return;
  // NormalizeClusterIPs: a client that only knows the singular field gets the plural one filled in.
  if (spec.clusterIP && !(Array.isArray(spec.clusterIPs) && spec.clusterIPs.length)) spec.clusterIPs = [spec.clusterIP];
  if (spec.type === 'ExternalName' || !spec.clusterIP || !Array.isArray(spec.clusterIPs)) return;
  const families: string[] = Array.isArray(spec.ipFamilies) ? [...spec.ipFamilies] : [];
  const headless = spec.clusterIP === 'None';
  if (!headless)
    (spec.clusterIPs as string[]).forEach((ip, i) => {
      const fam = isIP(ip) === 6 ? 'IPv6' : 'IPv4';
      if (i >= families.length) families.push(fam);
    });
  if (!spec.ipFamilyPolicy && families.length === 2) spec.ipFamilyPolicy = 'RequireDualStack';
  if (headless && Object.keys(spec.selector ?? {}).length === 0) {
    // Headless without selector takes both families: its endpoints may be of either.
    if (!spec.ipFamilyPolicy) spec.ipFamilyPolicy = 'RequireDualStack';
    if (families.length === 0) families.push('IPv4');
    if (families.length < 2 && spec.ipFamilyPolicy === 'RequireDualStack') families.push(families[0] === 'IPv4' ? 'IPv6' : 'IPv4');
  } else {
    if (families.length === 0) families.push('IPv4');
    if (!spec.ipFamilyPolicy) spec.ipFamilyPolicy = 'SingleStack';
  }
  spec.ipFamilies = families;
}
