/**
 * @module The controller's metrics in the Prometheus text format, served on
 * the healthz port at /metrics: requests by server name and status
 * (`nanokube_ingress_requests_total`, counted in the workers and summed by
 * the primary), route table applications (`nanokube_ingress_config_reloads_total`,
 * the counterpart of ingress-nginx's reload counter: nanokube swaps tables
 * and never reloads), the last table's version, and the latency from an
 * informer event to the table being live in every worker
 * (`nanokube_ingress_programming_latency_seconds`).
 */

/** Requests by `host\tstatus`; workers drain it to the primary every second. */
export class RequestCounts {
  #m = new Map<string, number>();

  add(host: string, status: number, n = 1): void {
    const k = `${host}\t${status}`;
    this.#m.set(k, (this.#m.get(k) ?? 0) + n);
  }

  /** Entries since the last drain, and empties the map. */
  drain(): [string, number][] {
    const out = [...this.#m];
    this.#m.clear();
    return out;
  }

  merge(entries: [string, number][]): void {
    for (const [k, n] of entries) this.#m.set(k, (this.#m.get(k) ?? 0) + n);
  }

  entries(): [string, number][] {
    return [...this.#m].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  }
}

export class Histogram {
  readonly #bounds: number[];
  readonly #counts: number[];
  #sum = 0;
  #n = 0;

  constructor(bounds: number[]) {
    this.#bounds = bounds;
    this.#counts = bounds.map(() => 0);
  }

  observe(v: number): void {
    this.#sum += v;
    this.#n++;
    for (let i = 0; i < this.#bounds.length; i++) if (v <= this.#bounds[i]) this.#counts[i]++;
  }

  render(name: string, help: string): string {
    let s = `# HELP ${name} ${help}\n# TYPE ${name} histogram\n`;
    this.#bounds.forEach((b, i) => (s += `${name}_bucket{le="${b}"} ${this.#counts[i]}\n`));
    return s + `${name}_bucket{le="+Inf"} ${this.#n}\n${name}_sum ${this.#sum}\n${name}_count ${this.#n}\n`;
  }
}

const esc = (v: string) => v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');

export interface MetricsView {
  requests: RequestCounts;
  reloads: number;
  tableVersion: number;
  programming: Histogram;
  workers: number;
}

export function renderMetrics(v: MetricsView): string {
  let s = '# HELP nanokube_ingress_requests_total Requests answered, by server name and status.\n# TYPE nanokube_ingress_requests_total counter\n';
  for (const [k, n] of v.requests.entries()) {
    const [host, status] = k.split('\t');
    s += `nanokube_ingress_requests_total{host="${esc(host)}",status="${status}"} ${n}\n`;
  }
  s += '# HELP nanokube_ingress_config_reloads_total Route tables applied by every worker.\n# TYPE nanokube_ingress_config_reloads_total counter\n';
  s += `nanokube_ingress_config_reloads_total ${v.reloads}\n`;
  s += '# HELP nanokube_ingress_config_version The version of the route table in use.\n# TYPE nanokube_ingress_config_version gauge\n';
  s += `nanokube_ingress_config_version ${v.tableVersion}\n`;
  s += '# HELP nanokube_ingress_workers Proxy worker processes.\n# TYPE nanokube_ingress_workers gauge\n';
  s += `nanokube_ingress_workers ${v.workers}\n`;
  return s + v.programming.render('nanokube_ingress_programming_latency_seconds', 'From an API change to the route table live in every worker.');
}

export const PROGRAMMING_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];
