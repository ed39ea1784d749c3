/**
 * @module The DNS add-on's wiring: informers (Services, EndpointSlices,
 * the Corefile ConfigMap) feed the cluster index and the configuration;
 * the DNS listeners answer through the request handler; `/health`,
 * `/ready` and `/metrics` answer on their own ports, as CoreDNS's health,
 * ready and prometheus plugins do. The sources are a narrow interface the
 * informers satisfy, so tests drive the app without an API server.
 */
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { KubeObject } from '../api/meta.ts';
import type { Handler } from '../client/informer.ts';
import { ClusterIndex } from './cluster-view.ts';
import { parseCorefile, parseResolvConf } from './corefile.ts';
import { Forwarder, type ForwarderOptions } from './forwarder.ts';
import { RequestHandler } from './handler.ts';
import { DnsMetrics } from './metrics.ts';
import { DnsServer } from './server.ts';
import { DEFAULT_COREFILE, DnsError, type DnsConfig, type Upstream } from './types.ts';

/** What the app needs of an informer. */
export interface Source {
  on(h: Handler): void;
  waitSynced(): Promise<void>;
  start(signal: AbortSignal): Promise<void>;
  list(): KubeObject[];
}

export interface DnsAppOptions {
  services: Source;
  slices: Source;
  /** ConfigMaps; the app reads the one named by `configMap`. */
  configMaps: Source;
  configMap: { namespace: string; name: string };
  host: string;
  dnsPort: number;
  healthPort: number;
  readyPort: number;
  metricsPort: number;
  reusePort?: boolean;
  forwarder?: ForwarderOptions;
  /** Reads a resolv.conf named by `forward . FILE` (default: the file system). */
  readFile?: (path: string) => string;
  log?: (line: string) => void;
}

const TRIGGER_TIME = 'endpoints.kubernetes.io/last-change-trigger-time';
const secs = (ms: number) => (ms / 1000).toFixed(3);

export class DnsApp {
  readonly index = new ClusterIndex();
  readonly metrics: DnsMetrics;
  readonly #opts: DnsAppOptions;
  readonly #log: (line: string) => void;
  readonly #forwarder: Forwarder;
  #handler?: RequestHandler;
  #dns?: DnsServer;
  readonly #http: Server[] = [];
  readonly #ports = { dns: 0, health: 0, ready: 0, metrics: 0 };
  #synced = false;

  constructor(opts: DnsAppOptions) {
    this.#opts = opts;
    this.#log = opts.log ?? ((l) => console.log(l));
    this.metrics = new DnsMetrics({ server: `dns://:${opts.dnsPort}` });
    this.#forwarder = new Forwarder(opts.forwarder);
  }

  get ports(): { dns: number; health: number; ready: number; metrics: number } {
    return { ...this.#ports };
  }

  get handler(): RequestHandler | undefined {
    return this.#handler;
  }

  ready(): boolean {
    return this.#synced && this.#dns?.ready() === true;
  }

  /** Starts everything; resolves when the DNS listeners answer (the informers synced). */
  async start(signal: AbortSignal): Promise<void> {
    const o = this.#opts;
    o.services.on((type, obj) => {
      const t0 = performance.now();
      this.index.applyService(type, obj);
      if (this.#synced) this.metrics.programmed('service', (performance.now() - t0) / 1000);
    });
    o.slices.on((type, obj) => {
      const arrival = Date.now();
      this.index.applySlice(type, obj);
      if (!this.#synced) return;
      // The controller's trigger time says when the change (a pod turning ready...) happened upstream.
      const trigger = Date.parse(obj.metadata.annotations?.[TRIGGER_TIME] ?? '');
      this.metrics.programmed('endpointslice', (Date.now() - (Number.isFinite(trigger) && type !== 'DELETED' ? trigger : arrival)) / 1000);
    });
    o.configMaps.on((type, obj) => {
      if (!this.#handler || !this.#isOurs(obj)) return;
      if (type === 'DELETED') this.#log(`dns: config kept: ConfigMap ${o.configMap.namespace}/${o.configMap.name} was deleted`);
      else this.#reload(obj);
    });

    await this.#startHttp(signal);
    const t0 = performance.now();
    for (const s of [o.services, o.slices, o.configMaps]) void s.start(signal);
    await Promise.race([Promise.all([o.services.waitSynced(), o.slices.waitSynced(), o.configMaps.waitSynced()]), aborted(signal)]);
    if (signal.aborted) return;
    const sizes = this.index.sizes;
    this.#log(`dns: synced services=${sizes.services} endpointslices=${sizes.slices} took=${secs(performance.now() - t0)}s`);

    const initial = this.#initialConfig();
    // CoreDNS's `errors` plugin: a failure inside the request path is logged, and the query goes unanswered.
    const onError = (e: unknown) => this.#log(`dns: error: ${(e as Error)?.message ?? String(e)}`);
    this.#handler = new RequestHandler({ view: this.index, metrics: this.metrics, forwarder: this.#forwarder, config: initial.config, upstreams: initial.upstreams, onError });
    this.#dns = new DnsServer({ handler: this.#handler, host: o.host, port: o.dnsPort, reusePort: o.reusePort });
    await this.#dns.start(signal);
    this.#ports.dns = this.#dns.port;
    this.#synced = true;
    this.#log(`dns: listening on ${o.host}:${this.#dns.port} (udp, tcp)`);
    signal.addEventListener('abort', () => this.#forwarder.close(), { once: true });
  }

  #isOurs(obj: KubeObject): boolean {
    return obj.metadata.namespace === this.#opts.configMap.namespace && obj.metadata.name === this.#opts.configMap.name;
  }

  /** Reads the config; throws DnsError when the Corefile or its resolv.conf cannot be used. */
  #load(text: string): { config: DnsConfig; upstreams: Upstream[] } {
    const config = parseCorefile(text);
    let upstreams: Upstream[] = [];
    if (config.forward && 'resolvConf' in config.forward) {
      const path = config.forward.resolvConf;
      let content: string;
      try {
        content = (this.#opts.readFile ?? ((p) => readFileSync(p, 'utf8')))(path);
      } catch (e) {
        throw new DnsError('COREFILE', `forward: cannot read ${path}: ${(e as Error).message}`);
      }
      upstreams = parseResolvConf(content);
      if (upstreams.length === 0) throw new DnsError('COREFILE', `forward: no nameserver in ${path}`);
    } else if (config.forward) upstreams = config.forward.upstreams;
    return { config, upstreams };
  }

  #describe(source: string, c: { config: DnsConfig; upstreams: Upstream[] }): string {
    const cfg = c.config;
    const up = c.upstreams.map((u) => `${u.host}:${u.port}`).join(',') || 'none';
    const stubs = cfg.stubDomains.map((s) => `${s.zone}=${s.upstreams.map((u) => `${u.host}:${u.port}`).join(',')}`).join(' ') || 'none';
    const ignored = cfg.ignored.length ? ` ignored=${cfg.ignored.join(',')}` : '';
    const port = cfg.port !== this.#opts.dnsPort && this.#opts.dnsPort !== 0 ? ` (Corefile port ${cfg.port} ignored: the listener uses --dns-port ${this.#opts.dnsPort})` : '';
    return `dns: config loaded from ${source} zones=${cfg.cluster.zones.join(',') || 'none'} pods=${cfg.cluster.pods} ttl=${cfg.cluster.ttl} upstreams=${up} stubs=${stubs} cache=${cfg.cache ? cfg.cache.successTtl : 'off'}${ignored}${port}`;
  }

  #initialConfig(): { config: DnsConfig; upstreams: Upstream[] } {
    const { namespace, name } = this.#opts.configMap;
    const cm = this.#opts.configMaps.list().find((x) => this.#isOurs(x));
    const text = cm?.data?.Corefile;
    if (typeof text === 'string') {
      try {
        const c = this.#load(text);
        this.#log(this.#describe(`${namespace}/${name}`, c));
        return c;
      } catch (e) {
        this.#log(`dns: ConfigMap ${namespace}/${name} not used, built-in Corefile instead: ${(e as Error).message}`);
      }
    } else this.#log(`dns: no Corefile in ConfigMap ${namespace}/${name}, built-in Corefile instead`);
    try {
      const c = this.#load(DEFAULT_COREFILE);
      this.#log(this.#describe('the built-in Corefile', c));
      return c;
    } catch (e) {
      // No usable resolv.conf: serve the cluster zones and forward nothing rather than not start.
      this.#log(`dns: built-in Corefile without forwarding: ${(e as Error).message}`);
      const config = parseCorefile(DEFAULT_COREFILE.replace(/forward \. \/etc\/resolv\.conf/, '# no forward'));
      return { config, upstreams: [] };
    }
  }

  #reload(obj: KubeObject): void {
    const { namespace, name } = this.#opts.configMap;
    const text = obj.data?.Corefile;
    try {
      if (typeof text !== 'string') throw new DnsError('COREFILE', 'no key Corefile');
      const c = this.#load(text);
      this.#handler!.configure(c.config, c.upstreams);
      this.#log(this.#describe(`${namespace}/${name}`, c));
    } catch (e) {
      this.#log(`dns: config kept (previous one still in force): ${namespace}/${name}: ${(e as Error).message}`);
    }
  }

  async #startHttp(signal: AbortSignal): Promise<void> {
    const o = this.#opts;
    const text = (res: import('node:http').ServerResponse, code: number, body: string, type = 'text/plain; charset=utf-8') => {
      res.writeHead(code, { 'Content-Type': type, 'Content-Length': Buffer.byteLength(body) });
      res.end(body);
    };
    const routes: { key: 'health' | 'ready' | 'metrics'; port: number; path: string; serve: (res: import('node:http').ServerResponse) => void }[] = [
      { key: 'health', port: o.healthPort, path: '/health', serve: (res) => text(res, 200, 'OK') },
      { key: 'ready', port: o.readyPort, path: '/ready', serve: (res) => (this.ready() ? text(res, 200, 'OK') : text(res, 503, 'not ready')) },
      { key: 'metrics', port: o.metricsPort, path: '/metrics', serve: (res) => text(res, 200, this.metrics.text(), 'text/plain; version=0.0.4; charset=utf-8') },
    ];
    for (const r of routes) {
      const srv = createServer((req, res) => {
        const path = (req.url ?? '/').split('?')[0];
        if (path === r.path) r.serve(res);
        else text(res, 404, '404 page not found\n');
      });
      await new Promise<void>((ok, ko) => {
        srv.once('error', (e) => ko(new DnsError('LISTEN', `${r.key} listener ${o.host}:${r.port}: ${e.message}`)));
        srv.listen({ host: o.host, port: r.port }, () => ok());
      });
      this.#ports[r.key] = (srv.address() as { port: number }).port;
      this.#http.push(srv);
    }
    signal.addEventListener('abort', () => this.#closeHttp(), { once: true });
  }

  #closeHttp(): void {
    for (const s of this.#http) {
      s.closeAllConnections();
      s.close();
    }
  }

  /** Stops the listeners (the signal given to start does the same). */
  async close(): Promise<void> {
    this.#synced = false;
    this.#closeHttp();
    this.#forwarder.close();
    await this.#dns?.close();
  }
}

const aborted = (signal: AbortSignal) => new Promise<void>((ok) => (signal.aborted ? ok() : signal.addEventListener('abort', () => ok(), { once: true })));
