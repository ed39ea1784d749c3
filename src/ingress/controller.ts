/**
 * @module The control loop of the ingress controller, in kube-proxy's shape:
 * informer handlers only mark the state dirty; one sync computes the whole
 * route table from the caches (class filter, then ingressesToRoutes),
 * hands it to the proxy workers when it changed and waits until they run
 * it (that wait closes the programming-latency measurement), records
 * Events (Normal Sync per new generation of an Ingress, Warning per
 * problem), and patches `status.loadBalancer` where it differs. The
 * cluster is read through ClusterView, a narrow interface tests fake.
 */
import type { KubeObject } from '../api/meta.ts';
import type { EventRecorder } from '../controllers/events.ts';
import { classifyIngress, type ClassOptions } from './class-filter.ts';
import { Histogram, PROGRAMMING_BUCKETS } from './metrics.ts';
import { ingressesToRoutes } from './routes.ts';
import { publishAddresses, statusDiffers, statusPatch } from './status.ts';
import type { RouteTable } from './types.ts';

/** What the controller reads: informer caches, and a change signal. */
export interface ClusterView {
  ingresses(): KubeObject[];
  ingressClasses(): KubeObject[];
  services(): KubeObject[];
  endpointSlices(): KubeObject[];
  secrets(): KubeObject[];
  nodes(): KubeObject[];
  onChange(cb: () => void): void;
  waitSynced(): Promise<void>;
}

export interface StatusWriter {
  patchStatus(ing: KubeObject, patch: object): Promise<void>;
}

export interface ControllerOptions extends ClassOptions {
  view: ClusterView;
  status: StatusWriter;
  recorder?: EventRecorder;
  /** `namespace/name` of the Service whose addresses are published; '' = node addresses. */
  publishService: string;
  /** Only Ingresses of this namespace ('' = all). */
  watchNamespace: string;
  /** Makes the table live in every worker; resolves once it is. */
  apply: (t: RouteTable) => Promise<void>;
  log: (line: string) => void;
  /** Delay that gathers a burst of changes into one sync. */
  debounceMs?: number;
}

const tableKey = (t: RouteTable) => JSON.stringify([t.servers, t.upstreams, t.certs]);

export class IngressController {
  readonly #o: ControllerOptions;
  readonly programming = new Histogram(PROGRAMMING_BUCKETS);
  #version = 0;
  #lastKey = '';
  #reloads = 0;
  #dirtySince = 0;
  #timer: NodeJS.Timeout | undefined;
  #running = false;
  #again = false;
  #ready = false;
  #synced = false;
  #signal: AbortSignal | undefined;
  /** `uid/resourceVersion/message` of Events already recorded. */
  readonly #evented = new Set<string>();
  /** Ingress `ns/name` → `resourceVersion addresses` last patched: a stale cache never patches twice. */
  readonly #patched = new Map<string, string>();

  constructor(o: ControllerOptions) {
    this.#o = o;
  }

  get reloads(): number {
    return this.#reloads;
  }

  get version(): number {
    return this.#version;
  }

  ready(): boolean {
    return this.#ready;
  }

  async start(signal: AbortSignal): Promise<void> {
    this.#signal = signal;
    this.#o.view.onChange(() => this.#schedule());
    await this.#o.view.waitSynced();
    if (signal.aborted) return;
    this.#synced = true;
    await this.sync();
    this.#ready = true;
    signal.addEventListener('abort', () => clearTimeout(this.#timer), { once: true });
  }

  #schedule(delay = this.#o.debounceMs ?? 5): void {
    if (this.#dirtySince === 0) this.#dirtySince = performance.now();
    // Before every cache is synced a table would be built from half the cluster (routes to "missing" Services).
    if (!this.#synced || this.#timer || this.#signal?.aborted) return;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      void this.sync();
    }, delay);
  }

  /** One full sync; concurrent calls fold into one more run. */
  async sync(): Promise<void> {
    if (this.#running) {
      this.#again = true;
      return;
    }
    this.#running = true;
    try {
      do {
        this.#again = false;
        await this.#syncOnce();
      } while (this.#again && !this.#signal?.aborted);
    } catch (e) {
      this.#o.log(`ingress: sync failed: ${(e as Error).message}; retrying in 1s`);
      this.#schedule(1000);
    } finally {
      this.#running = false;
    }
  }

  async #syncOnce(): Promise<void> {
    const t0 = performance.now();
    const since = this.#dirtySince || t0;
    this.#dirtySince = 0;
    const v = this.#o.view;
    const ns = this.#o.watchNamespace;
    const classes = v.ingressClasses();
    const ours = v.ingresses().filter((i) => (ns === '' || i.metadata.namespace === ns) && classifyIngress(i, classes, this.#o).ours);
    const r = ingressesToRoutes(ours, v.services(), v.endpointSlices(), v.secrets(), { version: this.#version + 1 });
    const key = tableKey(r.table);
    let applied = false;
    if (key !== this.#lastKey) {
      this.#version++;
      await this.#o.apply(r.table);
      this.#lastKey = key;
      this.#reloads++;
      applied = true;
      this.programming.observe((performance.now() - since) / 1000);
    }
    this.#events(ours, r.problems, r.unknown);
    this.#updateStatus(ours);
    if (applied) {
      const took = (performance.now() - t0) / 1000;
      this.#o.log(`ingress: synced ingresses=${ours.length} servers=${r.table.servers.length} upstreams=${Object.keys(r.table.upstreams).length} version=${this.#version} took=${took.toFixed(3)}s`);
    }
  }

  #once(key: string): boolean {
    if (this.#evented.has(key)) return false;
    this.#evented.add(key);
    if (this.#evented.size > 10_000) this.#evented.delete(this.#evented.values().next().value!);
    return true;
  }

  #events(ours: KubeObject[], problems: { ingress: string; reason: string; message: string }[], unknown: string[]): void {
    const byKey = new Map(ours.map((i) => [`${i.metadata.namespace}/${i.metadata.name}`, i]));
    for (const ing of ours) {
      // ingress-nginx records "Scheduled for sync" each time it sees a new version of an Ingress.
      if (this.#once(`${ing.metadata.uid}/${ing.metadata.resourceVersion}/sync`)) this.#o.recorder?.event(ing, 'Normal', 'Sync', 'Scheduled for sync');
    }
    for (const p of problems) {
      const ing = byKey.get(p.ingress);
      if (!ing || !this.#once(`${ing.metadata.uid}/${ing.metadata.resourceVersion}/${p.reason}/${p.message}`)) continue;
      this.#o.log(`ingress: ${p.ingress}: ${p.reason}: ${p.message}`);
      this.#o.recorder?.event(ing, 'Warning', p.reason, p.message);
    }
    for (const u of unknown) {
      const ing = byKey.get(u.slice(0, u.indexOf(':')));
      if (ing && this.#once(`${ing.metadata.uid}/${ing.metadata.resourceVersion}/unknown/${u}`)) this.#o.log(`ingress: ${u} is not implemented by nanokube; ignored`);
    }
  }

  #updateStatus(ours: KubeObject[]): void {
    const [sns, sname] = this.#o.publishService.split('/');
    const svc = sname ? this.#o.view.services().find((s) => s.metadata.namespace === sns && s.metadata.name === sname) : undefined;
    const want = publishAddresses(svc, this.#o.view.nodes());
    const wantKey = JSON.stringify(want);
    for (const ing of ours) {
      const k = `${ing.metadata.namespace}/${ing.metadata.name}`;
      const mark = `${ing.metadata.resourceVersion} ${wantKey}`;
      if (!statusDiffers(ing, want) || this.#patched.get(k) === mark) continue;
      this.#patched.set(k, mark);
      this.#o.status.patchStatus(ing, statusPatch(want)).catch((e: Error) => {
        this.#patched.delete(k);
        this.#o.log(`ingress: status of ${k}: ${e.message}`);
        this.#schedule(2000);
      });
    }
    if (this.#patched.size > ours.length * 2 + 100) this.#patched.clear();
  }
}
