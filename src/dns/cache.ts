/**
 * @module The cache of forwarded answers (CoreDNS's *cache* plugin, its
 * behaviour not its code): an entry lives for the smallest TTL of its
 * records, capped by the configured success TTL; a negative answer
 * (NXDOMAIN, or NOERROR with no answer) lives for its SOA's minimum
 * (RFC 2308), capped by the denial TTL, and is not cached without a SOA.
 * TTLs handed out count down with the entry's age. SERVFAIL is never
 * cached. Capacity is bounded; the oldest entry goes first.
 */
import type { Answer as Rr } from 'dns-packet';
import type { CacheConfig } from './types.ts';
import type { RcodeName } from './wire.ts';

export interface CachedMessage {
  rcode: RcodeName;
  answers: Rr[];
  authorities: Rr[];
  additionals: Rr[];
}

interface Entry {
  msg: CachedMessage;
  stored: number;
  ttl: number;
  kind: 'success' | 'denial';
}

const ttlOf = (r: Rr) => (r as { ttl?: number }).ttl ?? 0;

/** Seconds to keep `msg`, and whether it is a denial; undefined when it must not be cached. */
export function cacheTtl(msg: CachedMessage, cfg: CacheConfig): { ttl: number; kind: 'success' | 'denial' } | undefined {
  if (msg.rcode !== 'NOERROR' && msg.rcode !== 'NXDOMAIN') return undefined;
  if (msg.rcode === 'NOERROR' && msg.answers.length > 0) {
    const ttl = Math.min(cfg.successTtl, ...[...msg.answers, ...msg.authorities].map(ttlOf));
    return ttl > 0 ? { ttl, kind: 'success' } : undefined;
  }
  const soa = msg.authorities.find((r) => r.type === 'SOA') as { ttl?: number; data: { minimum?: number } } | undefined;
  if (!soa) return undefined;
  const ttl = Math.min(cfg.denialTtl, soa.ttl ?? 0, soa.data.minimum ?? 0);
  return ttl > 0 ? { ttl, kind: 'denial' } : undefined;
}

function aged(list: Rr[], elapsed: number, cap: number): Rr[] {
  return list.map((r) => (r.type === 'OPT' ? r : ({ ...r, ttl: Math.max(0, Math.min(ttlOf(r), cap) - elapsed) } as Rr)));
}

export class ResponseCache {
  readonly #entries = new Map<string, Entry>();
  readonly #cfg: CacheConfig;
  readonly #now: () => number;

  constructor(opts: { config: CacheConfig; now?: () => number }) {
    this.#cfg = opts.config;
    this.#now = opts.now ?? Date.now;
  }

  get size(): number {
    return this.#entries.size;
  }

  /**
   * The message with TTLs aged, or undefined on a miss. `until` is when the aged TTLs next change
   * (or the entry expires): until then, the same bytes can be served again.
   */
  get(key: string): (CachedMessage & { kind: 'success' | 'denial'; until: number }) | undefined {
    const e = this.#entries.get(key);
    if (!e) return undefined;
    const elapsed = Math.floor((this.#now() - e.stored) / 1000);
    if (elapsed >= e.ttl) {
      this.#entries.delete(key);
      return undefined;
    }
    const m = e.msg;
    return {
      rcode: m.rcode,
      kind: e.kind,
      until: e.stored + (elapsed + 1) * 1000,
      answers: aged(m.answers, elapsed, e.ttl),
      authorities: aged(m.authorities, elapsed, e.ttl),
      additionals: aged(m.additionals, elapsed, e.ttl),
    };
  }

  set(key: string, msg: CachedMessage): void {
    const t = cacheTtl(msg, this.#cfg);
    if (!t) return;
    if (this.#entries.size >= this.#cfg.capacity && !this.#entries.has(key)) {
      const oldest = this.#entries.keys().next();
      if (!oldest.done) this.#entries.delete(oldest.value);
    }
    this.#entries.delete(key);
    this.#entries.set(key, { msg, stored: this.#now(), ttl: t.ttl, kind: t.kind });
  }

  clear(): void {
    this.#entries.clear();
  }
}
