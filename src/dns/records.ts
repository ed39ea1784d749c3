/**
 * @module The record rules (pure): the Kubernetes DNS-Based Service
 * Discovery specification, schema 1.1.0, as CoreDNS's kubernetes plugin
 * serves it. `answer(question, view, config)` gives the answer, authority
 * and additional sections and the rcode for a name in the cluster zones,
 * or undefined for a name outside them.
 *
 * Names below `<zone>` (matched case-insensitively; owners of answers keep
 * the question's spelling, so 0x20-randomising clients are served):
 *   ``                          SOA, NS (`ns.dns.<zone>`)
 *   `dns-version`               TXT "1.1.0"
 *   `ns.dns`                    A/AAAA of kube-system/kube-dns
 *   `svc`, `<ns>.svc`           empty non-terminals (the latter while a Service lives in <ns>)
 *   `<svc>.<ns>.svc`            A/AAAA (cluster IPs, or ready endpoints when headless),
 *                               CNAME (ExternalName), SRV (every port)
 *   `<host>.<svc>.<ns>.svc`     A/AAAA of the endpoint whose hostname (or dashed IP) is <host>
 *   `_<port>._<proto>.<svc>.<ns>.svc`  SRV for a named port
 *   `pod`, `<ns>.pod`, `<a-b-c-d>.<ns>.pod`  pod records (`pods insecure`)
 * Reverse zones: PTR for cluster IPs and endpoint addresses.
 */
import type { Answer as Rr } from 'dns-packet';
import { canonical, dashedIp, ipFromDashed, ipFromReverse, labelsUnder, matchZone } from './names.ts';
import type { ClusterView, ClusterZoneConfig, DnsEndpoint, DnsService } from './types.ts';

export const SCHEMA_VERSION = '1.1.0';

export interface Question {
  /** As asked (any case; a trailing dot is allowed). */
  name: string;
  /** dns-packet's type name (`A`, `SRV`, `UNKNOWN_65`...). */
  type: string;
}

export type Rcode = 'NOERROR' | 'NXDOMAIN' | 'SERVFAIL' | 'REFUSED' | 'FORMERR' | 'NOTIMP';

export interface Reply {
  rcode: Rcode;
  authoritative: boolean;
  answers: Rr[];
  authorities: Rr[];
  additionals: Rr[];
  /** ExternalName: the CNAME target the server resolves next (through the upstream resolver). */
  chase?: string;
  /** NXDOMAIN in a zone with `fallthrough`: the server passes the query on to forwarding. */
  fallthrough?: boolean;
  /** The zone that answered (metrics label). */
  zone: string;
}

interface Srv {
  port: number;
  target: string;
}

/** What exists at one name. */
interface NameNode {
  a: string[];
  aaaa: string[];
  srv: Srv[];
  /** Address records of SRV targets (additional section). */
  extra: Rr[];
  cname?: string;
  txt?: string;
}

const emptyNode = (): NameNode => ({ a: [], aaaa: [], srv: [], extra: [] });
const isV6 = (ip: string) => ip.includes(':');
const isReverseZone = (z: string) => z === 'in-addr.arpa' || z.endsWith('.in-addr.arpa') || z === 'ip6.arpa' || z.endsWith('.ip6.arpa');

function soa(zone: string, view: ClusterView, ttl: number): Rr {
  return {
    name: zone,
    type: 'SOA',
    ttl,
    class: 'IN',
    data: { mname: `ns.dns.${zone}`, rname: `hostmaster.${zone}`, serial: view.serial() >>> 0, refresh: 7200, retry: 1800, expire: 86400, minimum: ttl },
  };
}

function addresses(node: NameNode, ips: Iterable<string>): void {
  for (const ip of ips) {
    const list = isV6(ip) ? node.aaaa : node.a;
    if (!list.includes(ip)) list.push(ip);
  }
}

const addressRr = (name: string, ip: string, ttl: number): Rr => ({ name, type: isV6(ip) ? 'AAAA' : 'A', ttl, class: 'IN', data: ip });

/** Endpoints that DNS publishes: ready ones, plus not-ready ones when the Service publishes them. */
function published(view: ClusterView, svc: DnsService): DnsEndpoint[] {
  return view.endpoints(svc.namespace, svc.name).filter((e) => e.ready || svc.publishNotReady);
}

const endpointName = (e: DnsEndpoint) => e.hostname ?? dashedIp(e.ip);
const isHeadless = (s: DnsService) => s.type !== 'ExternalName' && s.clusterIPs.length === 0;

function serviceNode(view: ClusterView, svc: DnsService, fqdn: string, ttl: number): NameNode | undefined {
  const node = emptyNode();
  if (svc.type === 'ExternalName') {
    node.cname = canonical(svc.externalName ?? '');
    return node;
  }
  if (!isHeadless(svc)) {
    addresses(node, svc.clusterIPs);
    for (const p of svc.ports) node.srv.push({ port: p.port, target: fqdn });
    for (const ip of svc.clusterIPs) if (svc.ports.length > 0) node.extra.push(addressRr(fqdn, ip, ttl));
    return node;
  }
  const eps = published(view, svc);
  // Spec 2.4.1: a headless Service without ready endpoints is NXDOMAIN.
  if (eps.length === 0) return undefined;
  addresses(
    node,
    eps.map((e) => e.ip),
  );
  for (const e of eps) {
    const target = `${endpointName(e)}.${fqdn}`;
    for (const p of e.ports) node.srv.push({ port: p.port, target });
    if (e.ports.length > 0) node.extra.push(addressRr(target, e.ip, ttl));
  }
  return node;
}

function portNode(view: ClusterView, svc: DnsService, port: string, proto: string, fqdn: string, ttl: number): NameNode | undefined {
  if (svc.type === 'ExternalName') return undefined;
  const match = (p: { name: string; protocol: string }) => p.name !== '' && p.name === port && p.protocol.toLowerCase() === proto;
  const node = emptyNode();
  if (!isHeadless(svc)) {
    for (const p of svc.ports.filter(match)) node.srv.push({ port: p.port, target: fqdn });
    if (node.srv.length > 0) for (const ip of svc.clusterIPs) node.extra.push(addressRr(fqdn, ip, ttl));
  } else {
    for (const e of published(view, svc)) {
      const target = `${endpointName(e)}.${fqdn}`;
      const ports = e.ports.filter(match);
      for (const p of ports) node.srv.push({ port: p.port, target });
      if (ports.length > 0) node.extra.push(addressRr(target, e.ip, ttl));
    }
  }
  return node.srv.length > 0 ? node : undefined;
}

/** The node for labels under the cluster domain, or undefined when the name does not exist. */
function clusterNode(view: ClusterView, cfg: ClusterZoneConfig, zone: string, labels: string[]): NameNode | undefined {
  const n = labels.length;
  if (n === 0) return emptyNode();
  const last = labels[n - 1];
  if (n === 1 && last === 'dns-version') return { ...emptyNode(), txt: SCHEMA_VERSION };
  if (last === 'dns' && n <= 2) {
    if (n === 1) return emptyNode();
    if (labels[0] !== 'ns') return undefined;
    const node = emptyNode();
    addresses(node, view.service('kube-system', 'kube-dns')?.clusterIPs ?? []);
    return node;
  }
  if (last === 'pod') {
    if (cfg.pods === 'disabled' || n > 3) return undefined;
    if (n < 3) return emptyNode();
    const ip = ipFromDashed(labels[0]);
    if (!ip) return undefined;
    const node = emptyNode();
    addresses(node, [ip]);
    return node;
  }
  if (last !== 'svc' || n > 5) return undefined;
  if (n === 1) return emptyNode();
  const ns = labels[n - 2];
  if (n === 2) return view.hasNamespace(ns) ? emptyNode() : undefined;
  const svc = view.service(ns, labels[n - 3]);
  if (!svc) return undefined;
  const fqdn = `${svc.name}.${ns}.svc.${zone}`;
  if (n === 3) return serviceNode(view, svc, fqdn, cfg.ttl);
  if (n === 5) {
    if (!labels[0].startsWith('_') || !labels[1].startsWith('_')) return undefined;
    return portNode(view, svc, labels[0].slice(1), labels[1].slice(1), fqdn, cfg.ttl);
  }
  const first = labels[0];
  if (first.startsWith('_')) {
    // `_tcp.<svc>...`: an empty non-terminal above the SRV names of that protocol.
    const proto = first.slice(1);
    return svc.ports.some((p) => p.name !== '' && p.protocol.toLowerCase() === proto) ? emptyNode() : undefined;
  }
  if (svc.type === 'ExternalName') return undefined;
  const node = emptyNode();
  addresses(
    node,
    published(view, svc)
      .filter((e) => endpointName(e) === first)
      .map((e) => e.ip),
  );
  return node.a.length + node.aaaa.length > 0 ? node : undefined;
}

function reverseAnswer(q: Question, owner: string, view: ClusterView, cfg: ClusterZoneConfig, zone: string): Reply {
  const ip = ipFromReverse(canonical(q.name));
  const entries = ip ? view.reverse(ip) : [];
  const domain = cfg.zones.find((z) => !isReverseZone(z)) ?? 'cluster.local';
  const base = { authoritative: true, answers: [] as Rr[], authorities: [] as Rr[], additionals: [] as Rr[], zone };
  if (entries.length === 0) {
    return { ...base, rcode: 'NXDOMAIN', authorities: [soa(zone, view, cfg.ttl)], fallthrough: fallsThrough(cfg, zone) };
  }
  if (q.type !== 'PTR' && q.type !== 'ANY') return { ...base, rcode: 'NOERROR', authorities: [soa(zone, view, cfg.ttl)] };
  const names = entries.map((e) => (e.endpoint ? `${e.endpoint}.` : '') + `${e.service}.${e.namespace}.svc.${domain}`);
  const answers: Rr[] = [...new Set(names)].map((data) => ({ name: owner, type: 'PTR', ttl: cfg.ttl, class: 'IN', data }));
  return { ...base, rcode: 'NOERROR', answers };
}

function fallsThrough(cfg: ClusterZoneConfig, zone: string): boolean {
  if (!cfg.fallthrough) return false;
  return cfg.fallthrough.length === 0 || matchZone(zone, cfg.fallthrough) !== undefined;
}

function srvRecords(owner: string, srv: Srv[], ttl: number): Rr[] {
  // Weights split 100 among the records of the one priority, as CoreDNS does.
  const weight = Math.max(1, Math.floor(100 / Math.max(1, srv.length)));
  return srv.map((s) => ({ name: owner, type: 'SRV', ttl, class: 'IN', data: { priority: 0, weight, port: s.port, target: s.target } }));
}

/** The answer for a name in the cluster zones, or undefined when the name is outside them. */
export function answer(q: Question, view: ClusterView, cfg: ClusterZoneConfig): Reply | undefined {
  const qn = canonical(q.name);
  const zone = matchZone(qn, cfg.zones);
  if (zone === undefined) return undefined;
  const owner = q.name.endsWith('.') ? q.name.slice(0, -1) : q.name;
  if (isReverseZone(zone) && qn !== zone) return reverseAnswer(q, owner, view, cfg, zone);
  const ttl = cfg.ttl;
  const labels = labelsUnder(qn, zone)!;
  const node = clusterNode(view, cfg, zone, labels);
  const base = { authoritative: true, answers: [] as Rr[], authorities: [] as Rr[], additionals: [] as Rr[], zone };
  if (!node) return { ...base, rcode: 'NXDOMAIN', authorities: [soa(zone, view, ttl)], fallthrough: fallsThrough(cfg, zone) };

  const answers: Rr[] = [];
  let additionals: Rr[] = [];
  let chase: string | undefined;
  const t = q.type;
  if (node.cname !== undefined) {
    answers.push({ name: owner, type: 'CNAME', ttl, class: 'IN', data: node.cname });
    if (t !== 'CNAME' && t !== 'ANY') chase = node.cname;
  } else if (labels.length === 0 && (t === 'SOA' || t === 'NS' || t === 'ANY')) {
    if (t !== 'NS') answers.push({ ...soa(zone, view, ttl), name: owner });
    if (t !== 'SOA') {
      answers.push({ name: owner, type: 'NS', ttl, class: 'IN', data: `ns.dns.${zone}` });
      for (const ip of view.service('kube-system', 'kube-dns')?.clusterIPs ?? []) additionals.push(addressRr(`ns.dns.${zone}`, ip, ttl));
    }
  } else {
    if (t === 'A' || t === 'ANY') for (const ip of node.a) answers.push({ name: owner, type: 'A', ttl, class: 'IN', data: ip });
    if (t === 'AAAA' || t === 'ANY') for (const ip of node.aaaa) answers.push({ name: owner, type: 'AAAA', ttl, class: 'IN', data: ip });
    if ((t === 'TXT' || t === 'ANY') && node.txt !== undefined) answers.push({ name: owner, type: 'TXT', ttl, class: 'IN', data: [node.txt] });
    if (t === 'SRV') {
      answers.push(...srvRecords(owner, node.srv, ttl));
      additionals = node.extra;
    }
  }
  if (answers.length === 0) return { ...base, rcode: 'NOERROR', authorities: [soa(zone, view, ttl)] };
  return { ...base, rcode: 'NOERROR', answers, additionals, chase };
}
