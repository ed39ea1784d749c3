/**
 * @module The DNS server's Prometheus metrics, named and labelled as
 * CoreDNS's (plugin/metrics, plugin/cache), plus nanokube's DNS programming
 * latency, written in the Prometheus text format (version 0.0.4).
 */

type Labels = Record<string, string>;

const escape = (v: string) => v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
const labelText = (l: Labels) => {
  const parts = Object.entries(l).map(([k, v]) => `${k}="${escape(v)}"`);
  return parts.length ? `{${parts.join(',')}}` : '';
};

class Counter {
  readonly #values = new Map<string, { labels: Labels; value: number }>();
  readonly name: string;
  readonly help: string;
  constructor(name: string, help: string) {
    this.name = name;
    this.help = help;
  }
  /** `key` identifies the label set cheaply on the hot path; `labels` are only read on first use. */
  inc(key: string, labels: () => Labels, by = 1): void {
    const v = this.#values.get(key);
    if (v) v.value += by;
    else this.#values.set(key, { labels: labels(), value: by });
  }
  get(key: string): number {
    return this.#values.get(key)?.value ?? 0;
  }
  text(): string {
    let out = `# HELP ${this.name} ${this.help}\n# TYPE ${this.name} counter\n`;
    for (const { labels, value } of this.#values.values()) out += `${this.name}${labelText(labels)} ${value}\n`;
    return out;
  }
}

class Histogram {
  readonly #series = new Map<string, { labels: Labels; counts: number[]; sum: number; count: number }>();
  readonly name: string;
  readonly help: string;
  readonly buckets: number[];
  constructor(name: string, help: string, buckets: number[]) {
    this.name = name;
    this.help = help;
    this.buckets = buckets;
  }
  observe(key: string, labels: () => Labels, seconds: number): void {
    let s = this.#series.get(key);
    if (!s) this.#series.set(key, (s = { labels: labels(), counts: this.buckets.map(() => 0), sum: 0, count: 0 }));
    for (let i = 0; i < this.buckets.length; i++) if (seconds <= this.buckets[i]) s.counts[i]++;
    s.sum += seconds;
    s.count++;
  }
  count(key: string): number {
    return this.#series.get(key)?.count ?? 0;
  }
  text(): string {
    let out = `# HELP ${this.name} ${this.help}\n# TYPE ${this.name} histogram\n`;
    for (const s of this.#series.values()) {
      this.buckets.forEach((b, i) => (out += `${this.name}_bucket${labelText({ ...s.labels, le: String(b) })} ${s.counts[i]}\n`));
      out += `${this.name}_bucket${labelText({ ...s.labels, le: '+Inf' })} ${s.count}\n`;
      out += `${this.name}_sum${labelText(s.labels)} ${s.sum}\n${this.name}_count${labelText(s.labels)} ${s.count}\n`;
    }
    return out;
  }
}

/** CoreDNS's request duration buckets (plugin/metrics/vars: 0.00025 s doubling to 8.192 s). */
const DURATION_BUCKETS = Array.from({ length: 16 }, (_, i) => 0.00025 * 2 ** i);
const LATENCY_BUCKETS = [0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/** Query types CoreDNS names in its labels; the rest are "other". */
const MONITORED = new Set(['A', 'AAAA', 'NS', 'PTR', 'SOA', 'MX', 'TXT', 'SRV', 'CNAME', 'ANY', 'IXFR', 'AXFR', 'HTTPS', 'NAPTR', 'DS', 'DNSKEY']);
export const typeLabel = (t: string) => (MONITORED.has(t) ? t : 'other');

export class DnsMetrics {
  readonly server: string;
  readonly requests = new Counter('coredns_dns_requests_total', 'Counter of DNS requests made per zone, protocol and family.');
  readonly responses = new Counter('coredns_dns_responses_total', 'Counter of response status codes.');
  readonly duration = new Histogram('coredns_dns_request_duration_seconds', 'Histogram of the time (in seconds) each request took per zone.', DURATION_BUCKETS);
  readonly cacheHits = new Counter('coredns_cache_hits_total', 'The count of cache hits.');
  readonly cacheMisses = new Counter('coredns_cache_misses_total', 'The count of cache misses.');
  readonly programming = new Histogram('nanokube_dns_programming_latency_seconds', 'Time from a Service or EndpointSlice change to its records being served.', LATENCY_BUCKETS);

  constructor(opts: { server: string }) {
    this.server = opts.server;
  }

  request(zone: string, proto: string, family: number, type: string): void {
    const t = typeLabel(type);
    this.requests.inc(`${zone}|${proto}|${family}|${t}`, () => ({ server: this.server, zone, proto, family: String(family), type: t }));
  }

  response(zone: string, rcode: string, type: string, seconds: number): void {
    const t = typeLabel(type);
    this.responses.inc(`${zone}|${rcode}`, () => ({ server: this.server, zone, rcode }));
    this.duration.observe(`${zone}|${t}`, () => ({ server: this.server, zone, type: t }), seconds);
  }

  cache(hit: boolean, kind: 'success' | 'denial'): void {
    if (hit) this.cacheHits.inc(kind, () => ({ server: this.server, type: kind }));
    else this.cacheMisses.inc('all', () => ({ server: this.server }));
  }

  programmed(kind: string, seconds: number): void {
    this.programming.observe(kind, () => ({ kind }), Math.max(0, seconds));
  }

  text(): string {
    return [this.requests, this.responses, this.duration, this.cacheHits, this.cacheMisses, this.programming].map((m) => m.text()).join('');
  }
}
