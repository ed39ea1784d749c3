/**
 * @module The service proxy's pure model: Services and EndpointSlices (plain
 * JSON, as the informers hold them) become one `ProxyServicePort` per
 * service port for this node, the way kube-proxy's ServiceChangeTracker,
 * EndpointsChangeTracker (endpointSliceCache) and CategorizeEndpoints see
 * them. IPv4 only. Garbage never throws: what cannot be used is skipped.
 * Objects are taken as immutable, as informers hand them out (a change is a
 * new object): a Service whose object, slices and node are the same as in
 * the previous call keeps its ProxyServicePort objects, so that comparing
 * two states costs little for what did not change.
 */
import { isIPv4 } from 'node:net';
import type { KubeObject } from '../api/meta.ts';
import { ipToInt } from '../api/net.ts';
import type { ProxyEndpoint, ProxyNodeInfo, ProxyServicePort, ProxyState, Protocol } from './types.ts';

export const SERVICE_NAME_LABEL = 'kubernetes.io/service-name';
/** Upstream's default sessionAffinityConfig.clientIP.timeoutSeconds (3 hours). */
export const DEFAULT_AFFINITY_SECONDS = 10800;
/** Upstream's upper bound for timeoutSeconds (one day). */
const MAX_AFFINITY_SECONDS = 86400;

const PROTOCOLS = new Set<string>(['TCP', 'UDP', 'SCTP']);

const isObj = (v: unknown): v is Record<string, any> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isPort = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 1 && v <= 65535;
const str = (v: unknown): string => (typeof v === 'string' ? v : '');
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const ipv4s = (v: unknown): string[] => [...new Set(arr(v).filter((x): x is string => typeof x === 'string' && isIPv4(x)))];

/** A slice port's protocol: the API defaults a missing one to TCP (SetDefaults_EndpointPort). */
function protocolOf(v: unknown): Protocol | undefined {
  const p = v === undefined || v === null ? 'TCP' : v;
  return typeof p === 'string' && PROTOCOLS.has(p) ? (p as Protocol) : undefined;
}

/** GetClusterIPByFamily(IPv4): the IPv4 entry of spec.clusterIPs, else spec.clusterIP when it is IPv4. */
function clusterIPv4(spec: Record<string, any>): string | undefined {
  const ip = str(spec.clusterIP);
  // ShouldSkipService: headless ("None") and "" (ExternalName, or not allocated yet).
  if (ip === '' || ip === 'None') return undefined;
  const ips = arr(spec.clusterIPs);
  if (ips.length) return ips.find((x): x is string => typeof x === 'string' && isIPv4(x));
  return isIPv4(ip) ? ip : undefined;
}

function compareEndpoints(a: ProxyEndpoint, b: ProxyEndpoint): number {
  return ipToInt(a.ip) - ipToInt(b.ip) || a.port - b.port;
}

/** Endpoints of every port of one Service, by `${portName}/${protocol}`, merged over its slices. */
type EndpointsByPort = Map<string, Map<string, ProxyEndpoint>>;

/** endpointSliceCache.addEndpoints: first address of each endpoint; a duplicate ip:port keeps the local one. */
function addSlice(byPort: EndpointsByPort, slice: KubeObject, nodeName: string): void {
  if (slice.addressType !== 'IPv4') return;
  const eps = arr(slice.endpoints).filter(isObj);
  for (const p of arr(slice.ports)) {
    if (!isObj(p) || !isPort(p.port)) continue;
    // SetDefaults_EndpointPort: a missing name is "", a missing protocol TCP.
    const name = p.name === undefined || p.name === null ? '' : p.name;
    const protocol = protocolOf(p.protocol);
    if (typeof name !== 'string' || !protocol) continue;
    const k = `${name}/${protocol}`;
    let set = byPort.get(k);
    if (!set) byPort.set(k, (set = new Map()));
    for (const e of eps) {
      const ip = arr(e.addresses)[0];
      if (typeof ip !== 'string' || !isIPv4(ip)) continue;
      const c = isObj(e.conditions) ? e.conditions : {};
      // The API's rules: ready nil means ready, serving nil means "as ready", terminating nil means false.
      const ready = c.ready !== false;
      const serving = typeof c.serving === 'boolean' ? c.serving : ready;
      const terminating = c.terminating === true;
      const local = typeof e.nodeName === 'string' && e.nodeName !== '' && e.nodeName === nodeName;
      const key = `${ip}:${p.port}`;
      if (!set.has(key) || local) set.set(key, { ip, port: p.port, ready, serving, terminating, local });
    }
  }
}

/** Ready endpoints, or serving-terminating ones when none is ready (CategorizeEndpoints' fallback). */
function usable(eps: ProxyEndpoint[]): ProxyEndpoint[] {
  const ready = eps.filter((e) => e.ready);
  return ready.length ? ready : eps.filter((e) => e.serving && e.terminating);
}

/** Slices grouped by `${namespace}/${service}`, each group in name order (upstream keys them by name). */
function slicesByService(slices: KubeObject[]): Map<string, KubeObject[]> {
  const out = new Map<string, KubeObject[]>();
  for (const s of slices) {
    if (!isObj(s) || !isObj(s.metadata)) continue;
    const svc = s.metadata.labels?.[SERVICE_NAME_LABEL];
    const ns = s.metadata.namespace;
    if (typeof svc !== 'string' || !svc || typeof ns !== 'string' || !ns) continue;
    const k = `${ns}/${svc}`;
    const list = out.get(k);
    if (list) list.push(s);
    else out.set(k, [s]);
  }
  for (const list of out.values()) list.sort((a, b) => (str(a.metadata.name) < str(b.metadata.name) ? -1 : str(a.metadata.name) > str(b.metadata.name) ? 1 : 0));
  return out;
}

/** The service ports of one Service, or [] when the proxy does not handle it. */
function servicePorts(svc: KubeObject, byPort: EndpointsByPort | undefined): ProxyServicePort[] {
  const spec = isObj(svc.spec) ? svc.spec : undefined;
  const namespace = str(svc.metadata?.namespace);
  const name = str(svc.metadata?.name);
  if (!spec || !namespace || !name) return [];
  const type = spec.type === undefined || spec.type === null ? 'ClusterIP' : spec.type;
  if (type === 'ExternalName') return [];
  const clusterIP = clusterIPv4(spec);
  if (!clusterIP) return [];
  const nodePorts = type === 'NodePort' || type === 'LoadBalancer';
  const externalIPs = ipv4s(spec.externalIPs);
  // Ingress entries with ipMode Proxy are reached through the load balancer, never captured locally.
  const loadBalancerIPs =
    type === 'LoadBalancer' ? ipv4s(arr(svc.status?.loadBalancer?.ingress).flatMap((i) => (isObj(i) && i.ipMode !== 'Proxy' ? [i.ip] : []))) : [];
  // apiservice.ExternallyAccessible + ExternalPolicyLocal.
  const externalPolicyLocal = spec.externalTrafficPolicy === 'Local' && (nodePorts || externalIPs.length > 0);
  const internalPolicyLocal = spec.internalTrafficPolicy === 'Local';
  let affinityTimeoutSeconds: number | undefined;
  if (spec.sessionAffinity === 'ClientIP') {
    const t = spec.sessionAffinityConfig?.clientIP?.timeoutSeconds;
    affinityTimeoutSeconds = Number.isInteger(t) && t > 0 && t <= MAX_AFFINITY_SECONDS ? t : DEFAULT_AFFINITY_SECONDS;
  }
  const out: ProxyServicePort[] = [];
  const seen = new Set<string>();
  for (const p of arr(spec.ports)) {
    if (!isObj(p) || !isPort(p.port)) continue;
    const portName = p.name === undefined || p.name === null ? '' : p.name;
    const protocol = protocolOf(p.protocol);
    if (typeof portName !== 'string' || !protocol) continue;
    const key = portName ? `${namespace}/${name}:${portName}` : `${namespace}/${name}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const all = [...(byPort?.get(`${portName}/${protocol}`)?.values() ?? [])].sort(compareEndpoints);
    const local = all.filter((e) => e.local);
    const everywhere = usable(all);
    const sp: ProxyServicePort = {
      key,
      namespace,
      name,
      portName,
      protocol,
      clusterIP,
      port: p.port,
      externalIPs,
      loadBalancerIPs,
      externalPolicyLocal,
      internalPolicyLocal,
      clusterEndpoints: internalPolicyLocal ? usable(local) : everywhere,
      localEndpoints: externalPolicyLocal ? usable(local) : [],
      hasAnyEndpoints: all.length > 0,
    };
    if (internalPolicyLocal) sp.clusterPolicyEndpoints = everywhere;
    if (nodePorts && isPort(p.nodePort)) sp.nodePort = p.nodePort;
    if (affinityTimeoutSeconds !== undefined) sp.affinityTimeoutSeconds = affinityTimeoutSeconds;
    out.push(sp);
  }
  return out;
}

/** The ports last computed for a Service object, with what they were computed from. */
interface Memo {
  nodeName: string;
  slices: KubeObject[] | undefined;
  ports: ProxyServicePort[];
}
const memo = new WeakMap<KubeObject, Memo>();

const sameObjects = (a: KubeObject[] | undefined, b: KubeObject[] | undefined) => a === b || (!!a && !!b && a.length === b.length && a.every((x, i) => x === b[i]));

/**
 * The whole desired state for one node: every service port of every Service
 * the proxy handles (not headless, not ExternalName, with an IPv4 cluster
 * IP), with its endpoints categorised for this node, sorted by key. Linear
 * in the number of objects.
 */
export function proxyState(services: KubeObject[], slices: KubeObject[], node: ProxyNodeInfo): ProxyState {
  const grouped = slicesByService(Array.isArray(slices) ? slices : []);
  const out: ProxyServicePort[] = [];
  const seen = new Set<string>();
  for (const svc of Array.isArray(services) ? services : []) {
    if (!isObj(svc) || !isObj(svc.metadata)) continue;
    const id = `${str(svc.metadata.namespace)}/${str(svc.metadata.name)}`;
    if (seen.has(id)) continue;
    seen.add(id);
    const group = grouped.get(id);
    const m = memo.get(svc);
    if (m && m.nodeName === node.nodeName && sameObjects(m.slices, group)) {
      out.push(...m.ports);
      continue;
    }
    let byPort: EndpointsByPort | undefined;
    if (group) {
      byPort = new Map();
      for (const s of group) addSlice(byPort, s, node.nodeName);
    }
    const ports = servicePorts(svc, byPort);
    memo.set(svc, { nodeName: node.nodeName, slices: group, ports });
    out.push(...ports);
  }
  out.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  return { node, services: out };
}
