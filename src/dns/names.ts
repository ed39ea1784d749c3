/**
 * @module Name helpers for the record rules: zone matching, the dashed-IP
 * form of addresses (`10-244-0-5`, `fd00--5`, as CoreDNS writes endpoint
 * and pod names), and reverse names (in-addr.arpa / ip6.arpa) to IPs.
 */
import { isIPv4, isIPv6 } from 'node:net';

/** Lower case, without the trailing dot (the root is ''). */
export function canonical(name: string): string {
  const n = name.endsWith('.') ? name.slice(0, -1) : name;
  return n === '.' ? '' : n.toLowerCase();
}

/** The labels of `name` below `zone` (both canonical), or undefined when `name` is not in `zone`. */
export function labelsUnder(name: string, zone: string): string[] | undefined {
  if (zone === '') return name === '' ? [] : name.split('.');
  if (name === zone) return [];
  if (!name.endsWith('.' + zone)) return undefined;
  return name.slice(0, name.length - zone.length - 1).split('.');
}

/** The longest zone of `zones` containing `name`, or undefined. */
export function matchZone(name: string, zones: readonly string[]): string | undefined {
  let best: string | undefined;
  for (const z of zones) {
    if (labelsUnder(name, z) !== undefined && (best === undefined || z.length > best.length)) best = z;
  }
  return best;
}

/** `10.244.0.5` → `10-244-0-5`; `fd00::5` → `fd00--5` (CoreDNS's endpoint hostname when none is set). */
export function dashedIp(ip: string): string {
  return ip.includes(':') ? ip.replace(/:/g, '-') : ip.replace(/\./g, '-');
}

/** The inverse of dashedIp, only for well-formed addresses: `10-244-0-5` → `10.244.0.5`. */
export function ipFromDashed(label: string): string | undefined {
  const v4 = label.replace(/-/g, '.');
  if (isIPv4(v4) && /^\d+(\.\d+){3}$/.test(v4)) return v4;
  const v6 = label.replace(/-/g, ':');
  if (v6.includes(':') && isIPv6(v6)) return v6;
  return undefined;
}

/** Every hex digit of an IPv6 address, most significant first (32 nibbles). */
function nibbles(ip: string): string[] | undefined {
  if (!isIPv6(ip) || ip.includes('.')) return undefined;
  const [head, tail] = ip.includes('::') ? ip.split('::') : [ip, undefined];
  const h = head ? head.split(':') : [];
  const t = tail ? tail.split(':') : [];
  const groups = tail === undefined ? h : [...h, ...Array(8 - h.length - t.length).fill('0'), ...t];
  if (groups.length !== 8) return undefined;
  return groups.flatMap((g) => g.padStart(4, '0').split(''));
}

/** The canonical text of an IP (IPv6 compressed as Node prints it), for map keys. */
export function normalizeIp(ip: string): string {
  if (!ip.includes(':')) return ip;
  const n = nibbles(ip.toLowerCase());
  if (!n) return ip.toLowerCase();
  const groups: string[] = [];
  for (let i = 0; i < 32; i += 4) groups.push(n.slice(i, i + 4).join('').replace(/^0+(?=.)/, ''));
  // RFC 5952: the longest run (length ≥ 2) of zero groups becomes '::'.
  let best = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== '0') {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === '0') j++;
    if (j - i > bestLen) {
      best = i;
      bestLen = j - i;
    }
    i = j;
  }
  if (best < 0) return groups.join(':');
  return `${groups.slice(0, best).join(':')}::${groups.slice(best + bestLen).join(':')}`;
}

/**
 * The IP a full reverse name stands for (`5.0.244.10.in-addr.arpa` → `10.244.0.5`,
 * 32 nibbles under ip6.arpa), or undefined for a partial or malformed name.
 */
export function ipFromReverse(name: string): string | undefined {
  const v4 = labelsUnder(name, 'in-addr.arpa');
  if (v4) {
    if (v4.length !== 4 || !v4.every((l) => /^(0|[1-9]\d{0,2})$/.test(l) && Number(l) <= 255)) return undefined;
    return [...v4].reverse().join('.');
  }
  const v6 = labelsUnder(name, 'ip6.arpa');
  if (v6) {
    if (v6.length !== 32 || !v6.every((l) => /^[0-9a-f]$/.test(l))) return undefined;
    const hex = [...v6].reverse().join('');
    const groups: string[] = [];
    for (let i = 0; i < 32; i += 4) groups.push(hex.slice(i, i + 4));
    return normalizeIp(groups.join(':'));
  }
  return undefined;
}

/** The reverse name of an IP, without the trailing dot. */
export function reverseName(ip: string): string {
  if (!ip.includes(':')) return `${ip.split('.').reverse().join('.')}.in-addr.arpa`;
  const n = nibbles(ip.toLowerCase()) ?? [];
  return `${n.reverse().join('.')}.ip6.arpa`;
}

/** A name dns-packet can encode: labels of 1..63 bytes, at most 255 bytes on the wire. */
export function isEncodable(name: string): boolean {
  if (name === '' || name === '.') return true;
  const n = name.endsWith('.') ? name.slice(0, -1) : name;
  let total = 1;
  for (const l of n.split('.')) {
    const len = Buffer.byteLength(l);
    if (len < 1 || len > 63) return false;
    total += len + 1;
  }
  return total <= 255;
}
