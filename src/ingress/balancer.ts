/**
 * @module Endpoint choice: round-robin per upstream (its position survives
 * route swaps, as ingress-nginx's Lua balancer keeps its state across
 * dynamic reconfigurations), skipping endpoints already tried for this
 * request (proxy_next_upstream), and cookie affinity: the cookie holds a
 * hash of the endpoint, so a client sticks to its pod for as long as the
 * pod is an endpoint of the upstream.
 */
import { createHash } from 'node:crypto';
import type { AffinityConfig, Route, Upstream } from './types.ts';

/** The affinity cookie's value for an endpoint (ingress-nginx stores a hash, not the address). */
export function stickyValue(endpoint: string): string {
  return createHash('sha1').update(endpoint).digest('hex');
}

const stickyIndex = new WeakMap<Upstream, Map<string, string>>();

function endpointForSticky(up: Upstream, value: string): string | undefined {
  let m = stickyIndex.get(up);
  if (!m) {
    m = new Map(up.endpoints.map((e) => [stickyValue(e), e]));
    stickyIndex.set(up, m);
  }
  return m.get(value);
}

export interface Pick {
  endpoint: string;
  /** Set when the response must carry a (new) affinity cookie. */
  setCookie?: string;
}

/** One cookie's value from a Cookie header, without parsing the rest. */
export function cookieValue(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const i = part.indexOf('=');
    if (i > 0 && part.slice(0, i).trim() === name) return part.slice(i + 1).trim();
  }
  return undefined;
}

/** The Set-Cookie header of ingress-nginx's sticky balancer. */
export function affinityCookie(a: AffinityConfig, route: Route, value: string, secureScheme: boolean): string {
  const parts = [`${a.name}=${value}`, `Path=${a.path || (route.regex !== undefined ? '/' : route.path)}`];
  if (a.expiresSeconds !== undefined) parts.push(`Expires=${new Date(Date.now() + a.expiresSeconds * 1000).toUTCString()}`);
  if (a.maxAgeSeconds !== undefined) parts.push(`Max-Age=${a.maxAgeSeconds}`);
  if (a.secure || (a.sameSite === 'None' && secureScheme)) parts.push('Secure');
  parts.push('HttpOnly');
  if (a.sameSite) parts.push(`SameSite=${a.sameSite}`);
  return parts.join('; ');
}

export class Balancer {
  readonly #next = new Map<string, number>();

  /**
   * The endpoint for a try. `tried` holds the endpoints that failed for this
   * request; undefined when every endpoint was tried.
   */
  pick(up: Upstream, tried: ReadonlySet<string>, affinity?: { config: AffinityConfig; cookie?: string }): Pick | undefined {
    const eps = up.endpoints;
    if (eps.length === 0) return undefined;
    if (affinity && tried.size === 0 && affinity.cookie) {
      const e = endpointForSticky(up, affinity.cookie);
      if (e) return { endpoint: e };
    }
    let i = this.#next.get(up.name) ?? 0;
    for (let n = 0; n < eps.length; n++, i++) {
      const e = eps[i % eps.length];
      if (tried.has(e)) continue;
      this.#next.set(up.name, (i + 1) % eps.length);
      return affinity ? { endpoint: e, setCookie: stickyValue(e) } : { endpoint: e };
    }
    return undefined;
  }
}
