/**
 * @module Predictable nftables chain and set names for service ports and
 * endpoints, exactly as kube-proxy's nftables proxier makes them
 * (hashAndTruncate, servicePortChainNameBase,
 * servicePortEndpointChainNameBase): `HASH-ns/svc/tcp/port` where HASH is the
 * first 8 base32 characters of the SHA-256 of the rest.
 */
import { hash } from 'node:crypto';

/** nftables names are at most 256 bytes; kube-proxy keeps 16 for the longest prefix ("external-" etc.). */
const BASE_MAX = 256 - 16;
const B32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/** The first 8 characters of RFC 4648 base32 (StdEncoding) of sha256(name): 40 bits, 5 bytes. */
function hash8(name: string): string {
  // crypto.hash: the one-shot form, a third faster than createHash for short names.
  const d = hash('sha256', name, 'buffer');
  // 5 bytes fit in 40 bits; a JS number holds them exactly.
  let bits = d[0] * 2 ** 32 + d[1] * 2 ** 24 + d[2] * 2 ** 16 + d[3] * 2 ** 8 + d[4];
  let out = '';
  for (let i = 0; i < 8; i++) {
    out = B32[bits % 32] + out;
    bits = Math.floor(bits / 32);
  }
  return out;
}

/** hashAndTruncate: the hash keeps names unique when the tail is cut, and tells similar names apart. */
export function hashAndTruncate(name: string): string {
  const s = `${hash8(name)}-${name}`;
  return s.length > BASE_MAX ? `${s.slice(0, BASE_MAX - 3)}...` : s;
}

/** servicePortChainNameBase: "HASH-namespace/name/protocol/portName", protocol in lower case. */
export function servicePortChainBase(namespace: string, name: string, protocol: string, portName: string): string {
  return hashAndTruncate(`${namespace}/${name}/${protocol}/${portName}`);
}

/** servicePortEndpointChainNameBase: "HASH-namespace/name/protocol/portName__ip/port". */
export function endpointChainBase(namespace: string, name: string, protocol: string, portName: string, ip: string, port: number): string {
  return hashAndTruncate(`${namespace}/${name}/${protocol}/${portName}__${ip.replaceAll(':', '.')}/${port}`);
}
