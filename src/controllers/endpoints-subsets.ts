/**
 * @module The Endpoints rendering of a Service's backends: one address per
 * pod (ready or not ready), subsets grouping addresses by identical port
 * sets (upstream's RepackSubsets), the 1000-address cap, and the desired
 * Endpoints object with its labels and annotations.
 */
import type { KubeObject } from '../api/meta.ts';
import type { Backend, ResolvedPort } from './endpoints-model.ts';
import { HEADLESS_LABEL, TRIGGER_TIME_ANNOTATION, isHeadless, isIPv6, rfc3339Nano, semanticEqual } from './endpoints-model.ts';

export interface EndpointAddress {
  ip: string;
  hostname?: string;
  nodeName?: string;
  targetRef?: { kind: string; namespace: string; name: string; uid: string };
}

export interface EndpointPort {
  name?: string;
  port: number;
  protocol: string;
  appProtocol?: string;
}

export interface EndpointSubset {
  addresses?: EndpointAddress[];
  notReadyAddresses?: EndpointAddress[];
  ports?: EndpointPort[];
}

/** endpointPortFromServicePort; EndpointPort.name is omitempty, so an unnamed port has no name key. */
export function endpointPort(p: ResolvedPort): EndpointPort {
  const out: EndpointPort = p.name ? { name: p.name, port: p.port, protocol: p.protocol } : { port: p.port, protocol: p.protocol };
  if (p.appProtocol !== undefined) out.appProtocol = p.appProtocol;
  return out;
}

/** maxCapacity of upstream's endpoints controller. */
export const MAX_ENDPOINTS_ADDRESSES = 1000;
export const OVER_CAPACITY_ANNOTATION = 'endpoints.kubernetes.io/over-capacity';

/**
 * The IP family the Endpoints carry (podToEndpointAddressForService): the
 * Service's first ipFamily; without one, the clusterIP's family, or for a
 * headless Service the pod IP's.
 */
function serviceFamily(svc: KubeObject, b: Backend): 'IPv4' | 'IPv6' {
  const fams: string[] = svc.spec?.ipFamilies ?? [];
  if (fams.length) return fams[0] === 'IPv6' ? 'IPv6' : 'IPv4';
  const ip = svc.spec?.clusterIP;
  if (ip && ip !== 'None') return isIPv6(ip) ? 'IPv6' : 'IPv4';
  return b.ips[0] && isIPv6(b.ips[0]) ? 'IPv6' : 'IPv4';
}

export function endpointAddress(svc: KubeObject, b: Backend): EndpointAddress | undefined {
  const want6 = serviceFamily(svc, b) === 'IPv6';
  const ip = b.ips.find((x) => isIPv6(x) === want6);
  if (!ip) return undefined;
  const a: EndpointAddress = { ip };
  if (b.hostname) a.hostname = b.hostname;
  // Upstream always sets nodeName (a pointer to spec.nodeName); an empty one would not validate here, so it is left out.
  if (b.nodeName) a.nodeName = b.nodeName;
  a.targetRef = { kind: 'Pod', namespace: b.namespace, name: b.name, uid: b.uid };
  return a;
}

const portKey = (p: EndpointPort | undefined) => (p ? `${p.name ?? ''}\0${p.port}\0${p.protocol}\0${p.appProtocol ?? '\u0001'}` : '');
const addrKey = (a: EndpointAddress) => `${a.ip}\0${a.targetRef?.uid ?? ''}`;
const cmp = (x: string, y: string) => (x < y ? -1 : x > y ? 1 : 0);

/** LessEndpointAddress: by IP (byte order), then by targetRef uid. */
function sortAddresses(list: EndpointAddress[]): EndpointAddress[] {
  return list.sort((a, b) => cmp(a.ip, b.ip) || cmp(a.targetRef?.uid ?? '', b.targetRef?.uid ?? ''));
}

/**
 * RepackSubsets: every address is mapped to the ports it offers (ready wins
 * over not ready for the same port), then addresses offering the same set of
 * ports share one subset. Upstream orders ports and subsets by a hash of
 * their Go value; here ports go by name, port, protocol and subsets by their
 * first address, so the result is deterministic all the same.
 */
export function repackSubsets(subsets: EndpointSubset[]): EndpointSubset[] {
  const addrs = new Map<string, EndpointAddress>();
  // port key -> address key -> ready
  const byPort = new Map<string, { port?: EndpointPort; addrs: Map<string, boolean> }>();
  const note = (a: EndpointAddress, port: EndpointPort | undefined, ready: boolean) => {
    const ak = addrKey(a);
    if (!addrs.has(ak)) addrs.set(ak, a);
    const pk = portKey(port);
    let e = byPort.get(pk);
    if (!e) byPort.set(pk, (e = { port, addrs: new Map() }));
    if (e.addrs.get(ak) !== true) e.addrs.set(ak, ready);
  };
  for (const ss of subsets) {
    const ports: (EndpointPort | undefined)[] = ss.ports?.length ? ss.ports : [undefined];
    for (const p of ports) {
      for (const a of ss.addresses ?? []) note(a, p, true);
      for (const a of ss.notReadyAddresses ?? []) note(a, p, false);
    }
  }
  // Group ports by the exact (address, ready) set they map to.
  const groups = new Map<string, { set: Map<string, boolean>; ports: EndpointPort[] }>();
  for (const { port, addrs: set } of byPort.values()) {
    const key = [...set].map(([k, r]) => `${k}=${r}`).sort().join('|');
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { set, ports: [] }));
    if (port) g.ports.push(port);
  }
  const out: EndpointSubset[] = [];
  for (const g of groups.values()) {
    const ready: EndpointAddress[] = [];
    const notReady: EndpointAddress[] = [];
    for (const [k, r] of g.set) (r ? ready : notReady).push(addrs.get(k)!);
    const ss: EndpointSubset = {};
    if (ready.length) ss.addresses = sortAddresses(ready);
    if (notReady.length) ss.notReadyAddresses = sortAddresses(notReady);
    if (g.ports.length) ss.ports = g.ports.sort((a, b) => cmp(portKey(a), portKey(b)));
    out.push(ss);
  }
  const first = (s: EndpointSubset) => addrKey((s.addresses ?? s.notReadyAddresses ?? [{ ip: '' }])[0]);
  return out.sort((a, b) => cmp(first(a), first(b)) || cmp((a.ports ?? []).map(portKey).join(','), (b.ports ?? []).map(portKey).join(',')));
}

/**
 * The subsets of a Service's Endpoints (syncService): terminating pods only
 * with publishNotReadyAddresses, which also makes every address ready; a
 * headless Service without ports gets its addresses without ports; a pod
 * without a service port's named targetPort is left out of that port.
 */
export function desiredSubsets(svc: KubeObject, backends: Backend[]): EndpointSubset[] {
  const publish = svc.spec?.publishNotReadyAddresses === true;
  const svcPorts: unknown[] = svc.spec?.ports ?? [];
  const subsets: EndpointSubset[] = [];
  for (const b of backends) {
    if (b.terminating && !publish) continue;
    const addr = endpointAddress(svc, b);
    if (!addr) continue;
    const ready = publish || b.ready;
    const add = (ports: EndpointPort[]) => subsets.push(ready ? { addresses: [addr], ports } : { notReadyAddresses: [addr], ports });
    if (svcPorts.length === 0) {
      if (svc.spec?.clusterIP === 'None') add([]);
    } else {
      for (const p of b.ports) add([endpointPort(p)]);
    }
  }
  return repackSubsets(subsets);
}

/**
 * truncateEndpoints: over 1000 addresses, ready addresses are kept first;
 * each subset keeps a share proportional to its size, rounded up, and the
 * last ones get what is left.
 */
export function truncateSubsets(subsets: EndpointSubset[]): { subsets: EndpointSubset[]; truncated: boolean } {
  let ready = 0;
  let notReady = 0;
  for (const s of subsets) {
    ready += s.addresses?.length ?? 0;
    notReady += s.notReadyAddresses?.length ?? 0;
  }
  if (ready + notReady <= MAX_ENDPOINTS_ADDRESSES) return { subsets, truncated: false };
  const truncateReady = ready > MAX_ENDPOINTS_ADDRESSES;
  const max = truncateReady ? MAX_ENDPOINTS_ADDRESSES : MAX_ENDPOINTS_ADDRESSES - ready;
  const total = truncateReady ? ready : notReady;
  let left = max;
  const out = subsets.map((s) => {
    const n = (truncateReady ? s.addresses : s.notReadyAddresses)?.length ?? 0;
    const take = Math.min(Math.ceil((n / total) * max), left);
    const next: EndpointSubset = { ...s };
    if (truncateReady) {
      next.addresses = (s.addresses ?? []).slice(0, take);
      delete next.notReadyAddresses;
      left -= next.addresses.length;
    } else {
      next.notReadyAddresses = (s.notReadyAddresses ?? []).slice(0, take);
      left -= next.notReadyAddresses.length;
    }
    if (!next.addresses?.length) delete next.addresses;
    if (!next.notReadyAddresses?.length) delete next.notReadyAddresses;
    return next;
  });
  // A subset left without addresses would not validate ("must specify `addresses` or `notReadyAddresses`"); upstream can write one, here it is dropped.
  return { subsets: out.filter((s) => s.addresses || s.notReadyAddresses), truncated: true };
}

/**
 * The Endpoints object a Service should have, or undefined when `current`
 * already says the same (no write). Labels are the Service's plus the
 * headless label; annotations keep the current ones, with the trigger time
 * set or cleared and the over-capacity mark set or cleared.
 */
export function desiredEndpoints(svc: KubeObject, backends: Backend[], current: KubeObject | undefined, triggerTime: string | undefined): KubeObject | undefined {
  const { subsets, truncated } = truncateSubsets(desiredSubsets(svc, backends));
  const labels: Record<string, string> = { ...(svc.metadata.labels ?? {}) };
  if (isHeadless(svc)) labels[HEADLESS_LABEL] = '';
  else delete labels[HEADLESS_LABEL];
  if (current) {
    const sameCapacity = !!current.metadata.annotations?.[OVER_CAPACITY_ANNOTATION] === truncated;
    if (semanticEqual(current.subsets, subsets) && semanticEqual(current.metadata.labels, labels) && sameCapacity) return undefined;
  }
  const annotations: Record<string, string> = { ...(current?.metadata.annotations ?? {}) };
  if (triggerTime) annotations[TRIGGER_TIME_ANNOTATION] = rfc3339Nano(triggerTime);
  else delete annotations[TRIGGER_TIME_ANNOTATION];
  if (truncated) annotations[OVER_CAPACITY_ANNOTATION] = 'truncated';
  else delete annotations[OVER_CAPACITY_ANNOTATION];
  const meta = current ? { ...current.metadata } : { name: svc.metadata.name, namespace: svc.metadata.namespace };
  meta.labels = labels;
  if (!Object.keys(labels).length) delete meta.labels;
  meta.annotations = annotations;
  if (!Object.keys(annotations).length) delete meta.annotations;
  const ep: KubeObject = { apiVersion: 'v1', kind: 'Endpoints', metadata: meta };
  if (subsets.length) ep.subsets = subsets;
  return ep;
}
