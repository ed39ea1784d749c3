/**
 * @module The request path: bytes of a query in, bytes of the response out
 * (or nothing, for a packet that must not be answered). It never throws:
 * the listeners, the fuzz test and the benchmark all drive this one
 * function.
 *
 * Order, as CoreDNS's plugin chain runs for the default Corefile: header
 * checks (FORMERR, NOTIMP, BADVERS; REFUSED for zone transfers and classes
 * other than IN), then the cluster zones from the cluster view
 * (`records.ts`), then stub domains and the root `forward`, through the
 * response cache. An ExternalName's CNAME is followed: inside the cluster
 * zones from the view, outside them through the forwarding path, as
 * CoreDNS's kubernetes plugin does with its upstream lookup.
 *
 * Cluster answers are kept encoded, keyed by the query's bytes after its
 * ID, until the view or the configuration changes (the `generation`): a
 * repeated question costs a map lookup and a copy. This stands where
 * CoreDNS's `cache` sits in front of its kubernetes plugin, without its
 * staleness: a change of the view is served by the next query.
 */
import type { Answer as Rr } from 'dns-packet';
import { performance } from 'node:perf_hooks';
import type { CachedMessage } from './cache.ts';
import { ResponseCache } from './cache.ts';
import type { Forwarder } from './forwarder.ts';
import type { DnsMetrics } from './metrics.ts';
import { canonical, matchZone } from './names.ts';
import { answer } from './records.ts';
import type { ClusterView, DnsConfig, Upstream } from './types.ts';
import { encodeResponse, parseQuery, udpLimit, type RcodeName, type WireQuestion } from './wire.ts';

export interface RequestContext {
  proto: 'udp' | 'tcp';
  /** CoreDNS's `family` label: 1 for IPv4, 2 for IPv6. */
  family: 1 | 2;
}

/** The view, with the change counter ClusterIndex keeps (a view without one is never cached). */
export type HandlerView = ClusterView & { readonly generation?: number };

export interface HandlerOptions {
  view: HandlerView;
  metrics: DnsMetrics;
  forwarder: Forwarder;
  config: DnsConfig;
  /** The root `forward` upstreams, resolved (a resolv.conf already read). */
  upstreams: Upstream[];
  /** The EDNS0 UDP size advertised (default 1232, the DNS flag day 2020 value). */
  advertise?: number;
  /** Told about a failure inside the path (a bug: the query gets no answer); the fuzz test counts them. */
  onError?: (e: unknown) => void;
}

interface WireEntry {
  variants: Buffer[];
  next: number;
  zone: string;
  type: string;
  rcode: string;
  /** Forwarded answers: when their aged TTLs change (Date.now() ms), and the cache kind for metrics. */
  until?: number;
  cached?: 'success' | 'denial';
}

/** A forwarded answer, with what the encoded-answer cache needs when it came through the forward cache. */
type Resolved = CachedMessage & { until?: number; kind?: 'success' | 'denial' };

interface Outcome {
  rcode: RcodeName;
  aa: boolean;
  answers: Rr[];
  authorities: Rr[];
  additionals: Rr[];
}

const TYPE_AXFR = 252;
const TYPE_IXFR = 251;
const CLASS_IN = 1;
const WIRE_CACHE_MAX = 8192;
/** Rotations kept encoded for `loadbalance` (round robin over the first N starting points). */
const MAX_VARIANTS = 8;
/** CNAME hops followed for an ExternalName (CoreDNS stops loops the same way, by depth). */
const MAX_CHASE = 8;

const isAddress = (r: Rr) => r.type === 'A' || r.type === 'AAAA';

/** The answer section rotated by `k` among its address records (CoreDNS's loadbalance works on A/AAAA only). */
function rotated(answers: Rr[], k: number): Rr[] {
  const addrs = answers.filter(isAddress);
  if (addrs.length < 2 || k % addrs.length === 0) return answers;
  const shift = k % addrs.length;
  const order = [...addrs.slice(shift), ...addrs.slice(0, shift)];
  let i = 0;
  return answers.map((r) => (isAddress(r) ? order[i++] : r));
}

export class RequestHandler {
  readonly #view: HandlerView;
  readonly #metrics: DnsMetrics;
  readonly #forwarder: Forwarder;
  readonly #advertise: number;
  readonly #onError: (e: unknown) => void;
  #config: DnsConfig;
  #upstreams: Upstream[];
  #cache?: ResponseCache;
  readonly #wire = new Map<string, WireEntry>();
  #wireGeneration = -1;
  #configGeneration = 0;
  #rotation = 0;

  constructor(opts: HandlerOptions) {
    this.#view = opts.view;
    this.#metrics = opts.metrics;
    this.#forwarder = opts.forwarder;
    this.#advertise = opts.advertise ?? 1232;
    this.#onError = opts.onError ?? (() => {});
    this.#config = opts.config;
    this.#upstreams = opts.upstreams;
    this.#cache = opts.config.cache ? new ResponseCache({ config: opts.config.cache }) : undefined;
  }

  get config(): DnsConfig {
    return this.#config;
  }

  /** A new configuration, applied from the next query on (CoreDNS's reload, without dropping the listeners). */
  configure(config: DnsConfig, upstreams: Upstream[]): void {
    const old = this.#config.cache;
    const same = old && config.cache && old.successTtl === config.cache.successTtl && old.denialTtl === config.cache.denialTtl && old.capacity === config.cache.capacity;
    if (!same) this.#cache = config.cache ? new ResponseCache({ config: config.cache }) : undefined;
    this.#config = config;
    this.#upstreams = upstreams;
    this.#configGeneration++;
    this.#wire.clear();
  }

  /** Answers one query. Never throws; undefined means "send nothing". */
  handle(buf: Buffer, ctx: RequestContext): Buffer | undefined | Promise<Buffer | undefined> {
    const start = performance.now();
    try {
      const hit = this.#fromWireCache(buf, ctx, start);
      if (hit) return hit;
      const out = this.#handleParsed(buf, ctx, start);
      return out instanceof Promise ? out.catch((e: unknown) => void this.#onError(e)) : out;
    } catch (e) {
      // A bug in the path must not take the server down; the client retries or times out.
      this.#onError(e);
      return undefined;
    }
  }

  #wireKey(buf: Buffer, ctx: RequestContext): string | undefined {
    const gen = this.#view.generation;
    if (gen === undefined || buf.length < 12 || buf.length > 512) return undefined;
    const g = gen * 1024 + (this.#configGeneration % 1024);
    if (g !== this.#wireGeneration) {
      this.#wire.clear();
      this.#wireGeneration = g;
    }
    return ctx.proto + buf.toString('latin1', 2);
  }

  #fromWireCache(buf: Buffer, ctx: RequestContext, start: number): Buffer | undefined {
    const key = this.#wireKey(buf, ctx);
    const e = key === undefined ? undefined : this.#wire.get(key);
    if (!e) return undefined;
    if (e.until !== undefined) {
      if (Date.now() >= e.until) {
        this.#wire.delete(key!);
        return undefined;
      }
      this.#metrics.cache(true, e.cached!);
    }
    const v = e.variants[e.next++ % e.variants.length];
    const out = Buffer.allocUnsafe(v.length);
    v.copy(out);
    out[0] = buf[0];
    out[1] = buf[1];
    this.#metrics.request(e.zone, ctx.proto, ctx.family, e.type);
    this.#metrics.response(e.zone, e.rcode, e.type, (performance.now() - start) / 1000);
    return out;
  }

  #handleParsed(buf: Buffer, ctx: RequestContext, start: number): Buffer | undefined | Promise<Buffer | undefined> {
    const parsed = parseQuery(buf);
    if (parsed.kind === 'drop') return undefined;
    const limit = ctx.proto === 'udp' ? udpLimit(parsed.edns, this.#advertise) : 65535;
    const ednsSize = parsed.edns ? this.#advertise : undefined;
    const q = parsed.question;
    const type = q?.type ?? 'other';
    const write = (zone: string, o: Outcome, cacheKey?: string, forwarded?: Resolved): Buffer => {
      const msg = { header: parsed.header, rcode: o.rcode, aa: o.aa, ra: true, question: q, answers: o.answers, authorities: o.authorities, additionals: o.additionals, ednsSize };
      let out = encodeResponse(msg, limit);
      if (cacheKey !== undefined) {
        const n = this.#config.loadbalance ? Math.min(MAX_VARIANTS, o.answers.filter(isAddress).length) : 1;
        const variants = [out];
        for (let k = 1; k < n; k++) variants.push(encodeResponse({ ...msg, answers: rotated(o.answers, k) }, limit));
        if (this.#wire.size >= WIRE_CACHE_MAX) this.#wire.clear();
        const entry: WireEntry = { variants, next: 0, zone, type, rcode: o.rcode, until: forwarded?.until, cached: forwarded?.kind };
        this.#wire.set(cacheKey, entry);
        // Later copies of this question rotate from the second variant; this one went out as the first.
        entry.next = 1;
      } else if (this.#config.loadbalance && o.answers.length > 1) {
        out = encodeResponse({ ...msg, answers: rotated(o.answers, this.#rotation++) }, limit);
      }
      this.#metrics.response(zone, o.rcode, type, (performance.now() - start) / 1000);
      return out;
    };
    const fail = (rcode: RcodeName): Outcome => ({ rcode, aa: false, answers: [], authorities: [], additionals: [] });

    if (parsed.kind === 'error' || !q) {
      this.#metrics.request('.', ctx.proto, ctx.family, type);
      return write('.', fail(parsed.kind === 'error' ? parsed.rcode : 'FORMERR'));
    }
    const zone = this.#serverZone(q.name);
    this.#metrics.request(zone, ctx.proto, ctx.family, type);
    // Zone transfers are not offered (CoreDNS without the transfer plugin refuses them); neither are classes other than IN.
    if (q.typeCode === TYPE_AXFR || q.typeCode === TYPE_IXFR || q.classCode !== CLASS_IN) return write(zone, fail('REFUSED'));

    const local = answer({ name: q.name, type: q.type }, this.#view, this.#config.cluster);
    if (local && !local.fallthrough) {
      const o: Outcome = { rcode: local.rcode, aa: true, answers: local.answers, authorities: local.authorities, additionals: local.additionals };
      if (local.chase === undefined) return write(zone, o, this.#wireKey(buf, ctx));
      return this.#chase(local.chase, q, o, 0).then((done) => write(zone, done));
    }
    // Keyed before the wait: the bytes of the query, not of whatever came in meanwhile.
    const key = this.#wireKey(buf, ctx);
    return this.#resolve(q.name, q).then(
      (m) => write(zone, { ...m, aa: false }, m.until !== undefined ? key : undefined, m),
      () => write(zone, fail('SERVFAIL')),
    );
  }

  /** CoreDNS's `zone` metrics label: the server block that took the query ("." or a stub domain). */
  #serverZone(name: string): string {
    if (this.#config.stubDomains.length === 0) return '.';
    const z = matchZone(
      canonical(name),
      this.#config.stubDomains.map((s) => s.zone),
    );
    return z === undefined ? '.' : `${z}.`;
  }

  /** A name outside the cluster zones (or falling through): stub domain or root forward, through the cache. */
  async #resolve(name: string, q: WireQuestion): Promise<Resolved> {
    const cn = canonical(name);
    const stubs = this.#config.stubDomains;
    const stub = stubs.length > 0 ? matchZone(cn, stubs.map((s) => s.zone)) : undefined;
    const upstreams = stub !== undefined ? stubs.find((s) => s.zone === stub)!.upstreams : this.#config.forward ? this.#upstreams : [];
    // No forward configured: CoreDNS's chain ends without an answer, which it serves as SERVFAIL.
    if (upstreams.length === 0) return { rcode: 'SERVFAIL', answers: [], authorities: [], additionals: [] };
    const key = `${cn}|${q.typeCode}|${q.classCode}`;
    const cache = this.#cache;
    const hit = cache?.get(key);
    if (hit) {
      this.#metrics.cache(true, hit.kind);
      return hit;
    }
    if (cache) this.#metrics.cache(false, 'success');
    const m = await this.#forwarder.query(upstreams, { name, typeCode: q.typeCode, classCode: q.classCode });
    if (!cache) return m;
    cache.set(key, m);
    // Read back through the cache: TTLs capped as the next hit will see them, and `until` when kept.
    return cache.get(key) ?? m;
  }

  /** Follows an ExternalName CNAME for an address question; the CNAME stays the first answer whatever happens. */
  async #chase(target: string, q: WireQuestion, o: Outcome, depth: number): Promise<Outcome> {
    if (depth >= MAX_CHASE || target === '') return o;
    const local = answer({ name: target, type: q.type }, this.#view, this.#config.cluster);
    if (local && !local.fallthrough) {
      const next = { ...o, answers: [...o.answers, ...local.answers] };
      return local.chase === undefined ? next : this.#chase(local.chase, q, next, depth + 1);
    }
    try {
      const m = await this.#resolve(target, { ...q, name: target });
      return { ...o, answers: [...o.answers, ...m.answers.filter((r) => r.type !== 'OPT')] };
    } catch {
      return o;
    }
  }
}
