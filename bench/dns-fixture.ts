/**
 * @module The DNS benchmark's fixture: the same names for nanokube DNS
 * (as Service/EndpointSlice objects for its cluster index) and for the
 * peer (as an RFC 1035 zone file for nsd), plus the dnsperf query files.
 *
 * Address plan: 10 namespaces ns-0..ns-9 of 100 ClusterIP Services
 * svc-0..svc-99 at 10.96.<ns+1>.<i+1>; 20 headless Services hl-0..hl-19 in
 * ns-0 with 3 ready endpoints 10.244.<k>.1-3 each; upstream names
 * host-0..host-999.example.test at 192.0.2.x/198.51.100.x (a stub on loopback).
 */
import type { KubeObject } from '../src/api/meta.ts';

export const NAMESPACES = 10;
export const PER_NAMESPACE = 100;
export const HEADLESS = 20;
export const UPSTREAM_NAMES = 1000;
export const TTL = 5;

const svcIp = (ns: number, i: number) => `10.96.${ns + 1}.${i + 1}`;
const epIp = (k: number, j: number) => `10.244.${k}.${j + 1}`;

export function objects(): { services: KubeObject[]; slices: KubeObject[] } {
  const services: KubeObject[] = [];
  const slices: KubeObject[] = [];
  const port = [{ name: 'http', port: 80, protocol: 'TCP' }];
  for (let ns = 0; ns < NAMESPACES; ns++) {
    for (let i = 0; i < PER_NAMESPACE; i++) {
      services.push({ apiVersion: 'v1', kind: 'Service', metadata: { namespace: `ns-${ns}`, name: `svc-${i}` }, spec: { type: 'ClusterIP', clusterIP: svcIp(ns, i), clusterIPs: [svcIp(ns, i)], ports: port } });
    }
  }
  for (let k = 0; k < HEADLESS; k++) {
    services.push({ apiVersion: 'v1', kind: 'Service', metadata: { namespace: 'ns-0', name: `hl-${k}` }, spec: { type: 'ClusterIP', clusterIP: 'None', clusterIPs: ['None'], ports: port } });
    slices.push({
      apiVersion: 'discovery.k8s.io/v1',
      kind: 'EndpointSlice',
      metadata: { namespace: 'ns-0', name: `hl-${k}-x`, labels: { 'kubernetes.io/service-name': `hl-${k}` } },
      addressType: 'IPv4',
      endpoints: [0, 1, 2].map((j) => ({ addresses: [epIp(k, j)], conditions: { ready: true } })),
      ports: [{ name: 'http', port: 8080, protocol: 'TCP' }],
    });
  }
  return { services, slices };
}

/** The zone nsd serves: the records nanokube answers for the same names (A, SRV with its targets, SOA/NS). */
export function zoneFile(): string {
  const lines = [
    '$ORIGIN cluster.local.',
    `$TTL ${TTL}`,
    `@ IN SOA ns.dns.cluster.local. hostmaster.cluster.local. 1 7200 1800 86400 ${TTL}`,
    '@ IN NS ns.dns.cluster.local.',
    'ns.dns IN A 10.96.0.10',
    'dns-version IN TXT "1.1.0"',
  ];
  for (let ns = 0; ns < NAMESPACES; ns++) {
    for (let i = 0; i < PER_NAMESPACE; i++) {
      lines.push(`svc-${i}.ns-${ns}.svc IN A ${svcIp(ns, i)}`);
      lines.push(`_http._tcp.svc-${i}.ns-${ns}.svc IN SRV 0 100 80 svc-${i}.ns-${ns}.svc.cluster.local.`);
    }
  }
  for (let k = 0; k < HEADLESS; k++) for (let j = 0; j < 3; j++) lines.push(`hl-${k}.ns-0.svc IN A ${epIp(k, j)}`);
  return lines.join('\n') + '\n';
}

/** The upstream stub's records. */
export function upstreamRecords(): Record<string, { type: string; data: string; ttl: number }[]> {
  const out: Record<string, { type: string; data: string; ttl: number }[]> = {};
  for (let i = 0; i < UPSTREAM_NAMES; i++) out[`host-${i}.example.test`] = [{ type: 'A', data: i < 250 ? `192.0.2.${i + 1}` : `198.51.100.${(i % 250) + 1}`, ttl: 300 }];
  return out;
}

/** A deterministic shuffle, so both servers get the same query order. */
function shuffle<T>(xs: T[]): T[] {
  let s = 42;
  const r = () => ((s = (s * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
  for (let i = xs.length - 1; i > 0; i--) {
    const j = Math.floor(r() * (i + 1));
    [xs[i], xs[j]] = [xs[j], xs[i]];
  }
  return xs;
}

/**
 * Cluster queries, as pods send them (full names after the search list): 80% A of ClusterIP
 * Services, 5% headless A, 5% SRV, 5% AAAA (NODATA), 5% NXDOMAIN.
 */
export function clusterQueries(): string {
  const q: string[] = [];
  for (let ns = 0; ns < NAMESPACES; ns++) for (let i = 0; i < PER_NAMESPACE; i++) q.push(`svc-${i}.ns-${ns}.svc.cluster.local A`);
  for (let n = 0; n < 62; n++) q.push(`hl-${n % HEADLESS}.ns-0.svc.cluster.local A`);
  for (let n = 0; n < 62; n++) q.push(`_http._tcp.svc-${n}.ns-${n % NAMESPACES}.svc.cluster.local SRV`);
  for (let n = 0; n < 62; n++) q.push(`svc-${n}.ns-${n % NAMESPACES}.svc.cluster.local AAAA`);
  for (let n = 0; n < 62; n++) q.push(`missing-${n}.ns-${n % NAMESPACES}.svc.cluster.local A`);
  return shuffle(q).join('\n') + '\n';
}

export function upstreamQueries(): string {
  return shuffle(Array.from({ length: UPSTREAM_NAMES }, (_, i) => `host-${i}.example.test A`)).join('\n') + '\n';
}
