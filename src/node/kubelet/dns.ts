/**
 * @module The pod's DNS configuration from dnsPolicy and dnsConfig, as
 * kubelet's dns.Configurer computes it: ClusterFirst (cluster DNS, search
 * `<ns>.svc.<domain> svc.<domain> <domain>` plus the node's, ndots:5),
 * ClusterFirstWithHostNet, Default (the node's resolv.conf), None (only
 * dnsConfig).
 */
import type { KubeObject } from '../../api/meta.ts';
import type { DnsConfig } from '../types.ts';

export interface ClusterDns {
  clusterDns: string[];
  domain: string;
  /** The node's own resolver configuration (what Default gives a pod). */
  host: DnsConfig;
}

/** Upstream's limits: 32 search domains (MaxDNSSearchPaths), 3 nameservers. */
const MAX_SEARCH = 32;
const MAX_NAMESERVERS = 3;

export function parseResolvConf(text: string): DnsConfig {
  const out: DnsConfig = { nameservers: [], searches: [], options: [] };
  for (const raw of text.split('\n')) {
    const line = raw.replace(/[#;].*$/, '').trim();
    const [key, ...rest] = line.split(/\s+/);
    if (key === 'nameserver' && rest[0]) out.nameservers.push(rest[0]);
    else if (key === 'search' || key === 'domain') out.searches = rest;
    else if (key === 'options') out.options.push(...rest);
  }
  return out;
}

function mergeOptions(base: string[], extra: { name: string; value?: string }[] | undefined): string[] {
  const byName = new Map<string, string>();
  for (const o of base) byName.set(o.split(':')[0], o);
  for (const o of extra ?? []) byName.set(o.name, o.value !== undefined && o.value !== '' ? `${o.name}:${o.value}` : o.name);
  return [...byName.values()];
}

/** The resolv.conf a pod gets; undefined means "the node's file as it is" (never used: Default copies it). */
export function podDns(pod: KubeObject, c: ClusterDns): DnsConfig {
  const policy = pod.spec?.dnsPolicy ?? 'ClusterFirst';
  const hostNetwork = pod.spec?.hostNetwork === true;
  const ns = pod.metadata.namespace ?? 'default';
  let base: DnsConfig;
  const clusterFirst = c.clusterDns.length > 0 && (policy === 'ClusterFirstWithHostNet' || (policy === 'ClusterFirst' && !hostNetwork));
  if (policy === 'None') base = { nameservers: [], searches: [], options: [] };
  else if (clusterFirst) {
    base = {
      nameservers: [...c.clusterDns],
      searches: [`${ns}.svc.${c.domain}`, `svc.${c.domain}`, c.domain, ...c.host.searches],
      options: ['ndots:5'],
    };
  } else base = { nameservers: [...c.host.nameservers], searches: [...c.host.searches], options: [...c.host.options] };
  const cfg = pod.spec?.dnsConfig;
  const nameservers = [...new Set([...base.nameservers, ...(cfg?.nameservers ?? [])])].slice(0, MAX_NAMESERVERS);
  const searches = [...new Set([...base.searches, ...(cfg?.searches ?? [])])].slice(0, MAX_SEARCH);
  return { nameservers, searches, options: mergeOptions(base.options, cfg?.options) };
}

/** The file text as kubelet writes it. */
export function resolvConfText(d: DnsConfig): string {
  const lines: string[] = [];
  if (d.searches.length) lines.push(`search ${d.searches.join(' ')}`);
  for (const n of d.nameservers) lines.push(`nameserver ${n}`);
  if (d.options.length) lines.push(`options ${d.options.join(' ')}`);
  return lines.join('\n') + '\n';
}
