/**
 * @module The text of a pod's /etc/resolv.conf and /etc/hosts, exactly as
 * a real node writes them: resolv.conf as containerd renders the CRI
 * DNSConfig the kubelet computed (search, then nameserver lines, then
 * options), hosts as the kubelet's managedHostsFileContent.
 */
import type { DnsConfig } from '../types.ts';

/** containerd's parseDNSOptions: each line only when it has values. */
export function resolvConf(dns: DnsConfig): string {
  let out = '';
  if (dns.searches.length > 0) out += `search ${dns.searches.join(' ')}\n`;
  for (const ns of dns.nameservers) out += `nameserver ${ns}\n`;
  if (dns.options.length > 0) out += `options ${dns.options.join(' ')}\n`;
  return out;
}

export interface HostsFileInput {
  podIPs: string[];
  hostname: string;
  /** `<subdomain>.<namespace>.svc.<cluster domain>` when the pod has spec.subdomain. */
  hostDomain?: string;
  hostAliases: { ip: string; hostnames: string[] }[];
}

/** The kubelet's managedHostsFileContent (pkg/kubelet/kubelet_pods.go). */
export function hostsFile(h: HostsFileInput): string {
  let out = '# Kubernetes-managed hosts file.\n';
  out += '127.0.0.1\tlocalhost\n';
  out += '::1\tlocalhost ip6-localhost ip6-loopback\n';
  out += 'fe00::0\tip6-localnet\n';
  out += 'fe00::0\tip6-mcastprefix\n';
  out += 'fe00::1\tip6-allnodes\n';
  out += 'fe00::2\tip6-allrouters\n';
  for (const ip of h.podIPs) {
    out += h.hostDomain ? `${ip}\t${h.hostname}.${h.hostDomain}\t${h.hostname}\n` : `${ip}\t${h.hostname}\n`;
  }
  if (h.hostAliases.length > 0) {
    out += '\n# Entries added by HostAliases.\n';
    for (const a of h.hostAliases) out += `${a.ip}\t${a.hostnames.join('\t')}\n`;
  }
  return out;
}
