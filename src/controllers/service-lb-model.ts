/**
 * @module The service-lb rules (pure): which address each LoadBalancer
 * Service gets. Without a pool, the node addresses, as k3s ServiceLB does
 * (every Ready, schedulable node's InternalIP), where two Services may not
 * share a port; with `--lb-pool`, one address of the pool per Service, as
 * MetalLB's layer-2 mode does, kept across restarts and reused late.
 */
import { isIPv4, isIPv6 } from 'node:net';
import type { KubeObject } from '../api/meta.ts';
import { intToIp, ipToInt } from '../api/net.ts';

export type ServiceLBErrorCode =
  /** A `--lb-pool` that is not a list of IPv4 CIDRs, ranges or addresses. */
  'INVALID_POOL';

export class ServiceLBError extends Error {
  readonly code: ServiceLBErrorCode;
  constructor(code: ServiceLBErrorCode, message: string) {
    super(message);
    this.name = 'ServiceLBError';
    this.code = code;
  }
}

/** `--lb-pool` parsed: disjoint inclusive ranges of IPv4 addresses (as numbers), ascending. */
export interface LbPool {
  ranges: { first: number; last: number }[];
  /** The flag as given, for messages. */
  text: string;
  size: number;
}

export interface LbIngress {
  ip: string;
  ipMode: 'VIP';
}

/** What the model remembers between runs: the pool address of each Service, and freed ones, oldest first. */
export interface LbHistory {
  assigned: Map<string, string>;
  released: string[];
}

export interface LbEvent {
  key: string;
  type: 'Warning';
  reason: 'SyncLoadBalancerFailed';
  message: string;
}

export interface LbPlan {
  /**
   * Desired `status.loadBalancer.ingress` per Service key (namespace/name):
   * a list (empty for a Service that is no longer a LoadBalancer and must be
   * cleared), or 'pending' (no address; the ingress is written empty).
   * Services not in the map are left alone.
   */
  desired: Map<string, LbIngress[] | 'pending'>;
  /** A Warning per pending Service, saying why. */
  events: LbEvent[];
  history: LbHistory;
}

export const EXCLUDE_LB_LABEL = 'node.kubernetes.io/exclude-from-external-load-balancers';
/** How many freed addresses are remembered for late reuse. */
const RELEASED_CAP = 4096;

/**
 * Parses `--lb-pool`: comma-separated CIDRs (`172.30.0.200/29`, every
 * address counts, as MetalLB's default), ranges (`172.30.0.200-172.30.0.210`)
 * or single addresses. Empty text means no pool. Overlaps are merged.
 */
export function parsePool(text: string): LbPool | undefined {
  const parts = text.split(',').map((s) => s.trim()).filter(Boolean);
  if (parts.length === 0) return undefined;
  const raw: { first: number; last: number }[] = [];
  const bad = (part: string, why: string) => new ServiceLBError('INVALID_POOL', `invalid --lb-pool "${text}": "${part}" ${why} (want a CIDR like 172.30.0.200/29 or a range like 172.30.0.200-172.30.0.210, comma-separated)`);
  for (const part of parts) {
    if (isIPv6(part.split(/[/-]/)[0].trim())) throw bad(part, 'is IPv6; only IPv4 pools are supported');
    if (part.includes('/')) {
      const [ip, bitsText, extra] = part.split('/');
      const bits = Number(bitsText);
      if (extra !== undefined || !isIPv4(ip) || !/^\d+$/.test(bitsText) || bits > 32) throw bad(part, 'is not an IPv4 CIDR');
      const size = 2 ** (32 - bits);
      const base = Math.floor(ipToInt(ip) / size) * size;
      raw.push({ first: base, last: base + size - 1 });
    } else if (part.includes('-')) {
      const [a, b, extra] = part.split('-').map((s) => s.trim());
      if (extra !== undefined || !isIPv4(a) || !isIPv4(b)) throw bad(part, 'is not a range of two IPv4 addresses');
      if (ipToInt(a) > ipToInt(b)) throw bad(part, 'ends before it starts');
      raw.push({ first: ipToInt(a), last: ipToInt(b) });
    } else if (isIPv4(part)) {
      raw.push({ first: ipToInt(part), last: ipToInt(part) });
    } else throw bad(part, 'is neither a CIDR, a range nor an IPv4 address');
  }
  raw.sort((x, y) => x.first - y.first);
  const ranges: { first: number; last: number }[] = [];
  for (const r of raw) {
    const prev = ranges[ranges.length - 1];
    if (prev && r.first <= prev.last + 1) prev.last = Math.max(prev.last, r.last);
    else ranges.push({ ...r });
  }
  return { ranges, text: parts.join(','), size: ranges.reduce((n, r) => n + r.last - r.first + 1, 0) };
}

export function poolContains(pool: LbPool, ip: string): boolean {
  if (!isIPv4(ip)) return false;
  const n = ipToInt(ip);
  return pool.ranges.some((r) => n >= r.first && n <= r.last);
}

const keyOf = (o: KubeObject) => `${o.metadata.namespace ?? ''}/${o.metadata.name}`;

/** A Service this controller gives an address: type LoadBalancer, no loadBalancerClass (that belongs to another implementation). */
export function isManagedLoadBalancer(svc: KubeObject): boolean {
  return svc.spec?.type === 'LoadBalancer' && !svc.spec?.loadBalancerClass;
}

/** The Service's `status.loadBalancer.ingress`, as a list whatever is stored. */
export function currentIngress(svc: KubeObject): any[] {
  const ing = svc.status?.loadBalancer?.ingress;
  return Array.isArray(ing) ? ing : [];
}

/** Whether the stored ingress is exactly the desired one (nothing else in it: no hostname, ports). */
export function ingressEqual(current: any[], desired: LbIngress[]): boolean {
  if (current.length !== desired.length) return false;
  return current.every((c, i) => c && typeof c === 'object' && Object.keys(c).length === 2 && c.ip === desired[i].ip && c.ipMode === desired[i].ipMode);
}

function families(svc: KubeObject): string[] {
  const f = svc.spec?.ipFamilies;
  const list = Array.isArray(f) ? f.filter((x) => x === 'IPv4' || x === 'IPv6') : [];
  return list.length ? list : ['IPv4'];
}

/** The ports a Service takes on an address, as `PORT/PROTOCOL`. */
function portKeys(svc: KubeObject): string[] {
  const ports = Array.isArray(svc.spec?.ports) ? svc.spec.ports : [];
  return ports.filter((p: any) => Number.isInteger(p?.port)).map((p: any) => `${p.port}/${typeof p.protocol === 'string' && p.protocol ? p.protocol : 'TCP'}`);
}

/** Oldest first (creationTimestamp, then namespace/name): the order in which Services claim ports and addresses. */
export function byAge(a: KubeObject, b: KubeObject): number {
  const t = (o: KubeObject) => {
    const ms = Date.parse(o.metadata.creationTimestamp ?? '');
    return Number.isNaN(ms) ? Infinity : ms;
  };
  const d = t(a) - t(b);
  if (d !== 0 && !Number.isNaN(d)) return d;
  const ka = keyOf(a);
  const kb = keyOf(b);
  return ka < kb ? -1 : ka > kb ? 1 : 0;
}

function isReadyNode(node: KubeObject): boolean {
  const conds = Array.isArray(node.status?.conditions) ? node.status.conditions : [];
  return conds.some((c: any) => c?.type === 'Ready' && c.status === 'True');
}

/**
 * The node addresses a LoadBalancer Service gets without a pool: the
 * InternalIP of every Ready, schedulable node not labelled
 * `node.kubernetes.io/exclude-from-external-load-balancers` (upstream's
 * service controller node predicates), IPv4 then IPv6 as the Service's
 * ipFamilies order them, each family sorted (k3s's filterByIPFamily).
 */
export function nodeAddresses(nodes: KubeObject[]): { v4: string[]; v6: string[] } {
  const v4 = new Set<string>();
  const v6 = new Set<string>();
  for (const node of nodes) {
    if (!node?.metadata || !isReadyNode(node) || node.spec?.unschedulable === true) continue;
    if (node.metadata.labels && EXCLUDE_LB_LABEL in node.metadata.labels) continue;
    const addrs = Array.isArray(node.status?.addresses) ? node.status.addresses : [];
    for (const a of addrs) {
      if (a?.type !== 'InternalIP' || typeof a.address !== 'string') continue;
      if (isIPv4(a.address)) v4.add(a.address);
      else if (isIPv6(a.address)) v6.add(a.address);
    }
  }
  return { v4: [...v4].sort((a, b) => ipToInt(a) - ipToInt(b)), v6: [...v6].sort() };
}

/**
 * The whole desired state: every Service's load-balancer ingress, the
 * Warnings for those left pending, and the pool history to pass to the
 * next run. `services` is every Service in the cluster (statuses as
 * stored: a pool address already in a status stays with its Service).
 */
export function loadBalancerStatus(services: KubeObject[], nodes: KubeObject[], pool: LbPool | undefined, history: LbHistory = { assigned: new Map(), released: [] }): LbPlan {
  const desired = new Map<string, LbIngress[] | 'pending'>();
  const events: LbEvent[] = [];
  const pending = (key: string, message: string) => {
    desired.set(key, 'pending');
    events.push({ key, type: 'Warning', reason: 'SyncLoadBalancerFailed', message });
  };
  const valid = services.filter((s) => s?.metadata?.name && s.spec && typeof s.spec === 'object');
  const managed = valid.filter(isManagedLoadBalancer).sort(byAge);
  // A Service that stopped being a LoadBalancer keeps its old status (the apiserver copies status on
  // update); upstream's service controller clears it, and status validation requires it.
  for (const svc of valid) if (svc.spec.type !== 'LoadBalancer' && currentIngress(svc).length) desired.set(keyOf(svc), []);

  if (!pool) {
    assignNodeAddresses(managed, nodes, desired, pending);
    return { desired, events, history: { assigned: new Map(), released: [] } };
  }
  const assigned = assignFromPool(managed, valid, pool, history, desired, pending);
  // Addresses that had a Service and lost it go to the back of the line (MetalLB avoids quick reuse too).
  const inUse = new Set(assigned.values());
  const released = history.released.filter((ip) => !inUse.has(ip));
  for (const ip of history.assigned.values()) if (!inUse.has(ip) && !released.includes(ip)) released.push(ip);
  return { desired, events, history: { assigned, released: released.slice(-RELEASED_CAP) } };
}

function assignNodeAddresses(managed: KubeObject[], nodes: KubeObject[], desired: LbPlan['desired'], pending: (key: string, msg: string) => void): void {
  const addrs = nodeAddresses(nodes);
  // k3s's svclb pods hold each port as a hostPort on every node: the oldest Service keeps a port, a
  // later one asking for the same port and protocol (on the same address family) cannot have it.
  const taken = new Map<string, string>();
  for (const svc of managed) {
    const key = keyOf(svc);
    const fams = families(svc);
    const ips = fams.flatMap((f) => (f === 'IPv4' ? addrs.v4 : addrs.v6));
    if (ips.length === 0) {
      pending(key, `no Ready, schedulable node has an InternalIP address${fams.length === 1 ? ` of family ${fams[0]}` : ''}; start the server with --lb-pool to give LoadBalancer Services pool addresses`);
      continue;
    }
    const ports = portKeys(svc).flatMap((p) => fams.map((f) => `${p}/${f}`));
    const clash = ports.find((p) => taken.has(p));
    if (clash) {
      const [port, proto] = clash.split('/');
      pending(key, `no ports available for service: port ${port}/${proto} is already served on the node addresses by Service ${taken.get(clash)} (created earlier); use another port or start the server with --lb-pool`);
      continue;
    }
    for (const p of ports) taken.set(p, key);
    desired.set(key, ips.map((ip) => ({ ip, ipMode: 'VIP' })));
  }
}

function assignFromPool(managed: KubeObject[], all: KubeObject[], pool: LbPool, history: LbHistory, desired: LbPlan['desired'], pending: (key: string, msg: string) => void): Map<string, string> {
  const assigned = new Map<string, string>();
  const used = new Map<string, string>();
  const take = (key: string, ip: string) => {
    assigned.set(key, ip);
    used.set(ip, key);
    desired.set(key, [{ ip, ipMode: 'VIP' }]);
  };
  // Addresses another implementation (a loadBalancerClass) reports are not ours to hand out again.
  for (const svc of all) {
    if (svc.spec.type !== 'LoadBalancer' || !svc.spec.loadBalancerClass) continue;
    for (const ing of currentIngress(svc)) if (typeof ing?.ip === 'string' && poolContains(pool, ing.ip)) used.set(ing.ip, keyOf(svc));
  }
  const wanted = (svc: KubeObject): string | undefined => (typeof svc.spec.loadBalancerIP === 'string' && svc.spec.loadBalancerIP ? svc.spec.loadBalancerIP : undefined);
  const v4 = managed.filter((svc) => families(svc).includes('IPv4'));
  for (const svc of managed) if (!v4.includes(svc)) pending(keyOf(svc), `the Service has no IPv4 family and --lb-pool ${pool.text} holds IPv4 addresses only`);

  // 1. Keep what a Service has (its status, else what this controller gave it before): allocation is
  //    stable across restarts and across failed writes. On a clash the older Service keeps it.
  const rest: KubeObject[] = [];
  for (const svc of v4) {
    const key = keyOf(svc);
    const had = [...currentIngress(svc).map((i) => i?.ip), history.assigned.get(key)].find((ip) => typeof ip === 'string' && poolContains(pool, ip) && !used.has(ip));
    const want = wanted(svc);
    if (had && (!want || want === had)) take(key, had);
    else rest.push(svc);
  }
  // 2. spec.loadBalancerIP, when it is in the pool and free.
  const auto: KubeObject[] = [];
  for (const svc of rest) {
    const key = keyOf(svc);
    const want = wanted(svc);
    if (!want) auto.push(svc);
    else if (!isIPv4(want)) pending(key, `spec.loadBalancerIP "${want}" is not an IPv4 address`);
    else if (!poolContains(pool, want)) pending(key, `spec.loadBalancerIP ${want} is not in --lb-pool ${pool.text}`);
    else if (used.has(want)) pending(key, `spec.loadBalancerIP ${want} is already assigned to Service ${used.get(want)}`);
    else take(key, want);
  }
  // 3. The rest, oldest first: never-used addresses in pool order, then freed ones, longest freed
  //    first; an address freed in this very run (its Service deleted or changed) comes last.
  const late = [...history.released];
  for (const ip of history.assigned.values()) if (!used.has(ip) && !late.includes(ip)) late.push(ip);
  const lateSet = new Set(late);
  for (const svc of auto) {
    const key = keyOf(svc);
    const ip = firstFree(pool, (ip) => used.has(ip) || lateSet.has(ip)) ?? late.find((ip) => !used.has(ip) && poolContains(pool, ip));
    if (ip) take(key, ip);
    else pending(key, `no available IP in --lb-pool ${pool.text}: all ${pool.size} addresses are assigned`);
  }
  return assigned;
}

/** The first pool address for which skip is false, scanning in order; skip is true for few addresses. */
function firstFree(pool: LbPool, skip: (ip: string) => boolean): string | undefined {
  for (const r of pool.ranges) {
    for (let n = r.first; n <= r.last; n++) {
      const ip = intToIp(n);
      if (!skip(ip)) return ip;
    }
  }
  return undefined;
}
