/**
 * @module IPv4 address and CIDR arithmetic shared by the allocators, the
 * node agent and the proxy.
 */
import { isIPv4 } from 'node:net';

export function ipToInt(ip: string): number {
  return ip.split('.').reduce((acc, o) => acc * 256 + Number(o), 0);
}

export function intToIp(n: number): string {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
}

export interface Cidr {
  base: number;
  bits: number;
  size: number;
  text: string;
}

export function parseCidr(text: string): Cidr {
  const [ip, b] = text.split('/');
  const bits = Number(b);
  if (!isIPv4(ip) || !Number.isInteger(bits) || bits < 0 || bits > 32) throw new Error(`invalid CIDR address: ${text}`);
  const size = 2 ** (32 - bits);
  const base = Math.floor(ipToInt(ip) / size) * size;
  return { base, bits, size, text: `${intToIp(base)}/${bits}` };
}

export function cidrContains(c: Cidr, ip: string): boolean {
  if (!isIPv4(ip)) return false;
  const n = ipToInt(ip);
  return n >= c.base && n < c.base + c.size;
}

/** The nth address of the range (0 = network address). */
export function nthIp(c: Cidr, n: number): string {
  return intToIp(c.base + n);
}
