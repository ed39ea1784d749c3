/**
 * @module Round-robin with ClientIP session affinity for one service port's
 * endpoint pool, as kube-proxy userspace's LoadBalancerRR: a client IP that
 * picked an endpoint less than the affinity timeout ago (measured from its
 * last use, refreshed on every use) gets the same endpoint again; otherwise
 * the next endpoint in turn, which becomes its affinity.
 */
import type { RelayEndpoint } from './table.ts';

interface Affinity {
  endpoint: string;
  lastUsed: number;
}

const epKey = (e: RelayEndpoint): string => `${e.ip}:${e.port}`;

export class Balancer {
  #endpoints: RelayEndpoint[] = [];
  #byKey = new Map<string, RelayEndpoint>();
  #next = 0;
  #affinityMs = 0;
  readonly #affinity = new Map<string, Affinity>();
  readonly #now: () => number;

  constructor(opts: { now?: () => number } = {}) {
    this.#now = opts.now ?? Date.now;
  }

  /** Replaces the endpoints; affinities to endpoints that are gone are dropped (upstream's updateAffinityMap). */
  update(endpoints: RelayEndpoint[], affinityTimeoutSeconds?: number): void {
    this.#endpoints = endpoints.slice();
    this.#byKey = new Map(endpoints.map((e) => [epKey(e), e]));
    if (this.#next >= endpoints.length) this.#next = 0;
    this.#affinityMs = affinityTimeoutSeconds && affinityTimeoutSeconds > 0 ? affinityTimeoutSeconds * 1000 : 0;
    if (this.#affinityMs === 0) this.#affinity.clear();
    for (const [ip, a] of this.#affinity) if (!this.#byKey.has(a.endpoint)) this.#affinity.delete(ip);
  }

  /** True when `e` is one of the current endpoints. */
  has(e: RelayEndpoint): boolean {
    return this.#byKey.has(epKey(e));
  }

  get size(): number {
    return this.#endpoints.length;
  }

  /**
   * The endpoint for a new connection (TCP) or session (UDP) from `clientIP`.
   * `reset` skips the client's affinity: set after a failed dial, so the retry moves on
   * (upstream's sessionAffinityReset). Undefined when there is no endpoint.
   */
  pick(clientIP: string, reset = false): RelayEndpoint | undefined {
    const n = this.#endpoints.length;
    if (n === 0) return undefined;
    if (this.#affinityMs === 0) {
      const e = this.#endpoints[this.#next];
      this.#next = (this.#next + 1) % n;
      return e;
    }
    const now = this.#now();
    const a = this.#affinity.get(clientIP);
    if (a && !reset && now - a.lastUsed < this.#affinityMs) {
      const e = this.#byKey.get(a.endpoint);
      if (e) {
        a.lastUsed = now;
        return e;
      }
    }
    const e = this.#endpoints[this.#next];
    this.#next = (this.#next + 1) % n;
    this.#affinity.set(clientIP, { endpoint: epKey(e), lastUsed: now });
    return e;
  }

  /** Drops a client's affinity (its endpoint refused it). */
  forget(clientIP: string): void {
    this.#affinity.delete(clientIP);
  }

  /** Drops expired affinities (memory only: pick() checks the age itself). */
  sweep(): void {
    if (this.#affinity.size === 0) return;
    const now = this.#now();
    for (const [ip, a] of this.#affinity) if (now - a.lastUsed >= this.#affinityMs) this.#affinity.delete(ip);
  }
}
