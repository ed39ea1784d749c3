/**
 * @module The relay child's state: every open listener and every pool's
 * balancer, reconciled against a whole listener table at a time. New
 * listeners are bound, gone ones closed, kept ones get their endpoints
 * updated in place (their established TCP connections are untouched). A
 * listener that cannot bind is reported and left out, never fatal; the next
 * table tries it again.
 */
import type { Socket } from 'node:net';
import { Balancer } from './balancer.ts';
import { newMetrics, type RelayMetrics } from './metrics.ts';
import { TcpRelay } from './tcp-relay.ts';
import { listenerKey, poolKey, type RelaySpec } from './table.ts';
import { UdpRelay } from './udp-relay.ts';

/** A listener that could not be opened. */
export interface RelayBindError {
  /** `tcp 10.96.0.1:80` */
  listener: string;
  service: string;
  /** The errno code (EADDRINUSE, EADDRNOTAVAIL, EACCES ...) or INVALID. */
  code: string;
  message: string;
}

export interface ApplyResult {
  listeners: number;
  errors: RelayBindError[];
}

type Listener = TcpRelay | UdpRelay;

/** How often idle UDP sessions and expired affinities are swept. */
const SWEEP_MS = 1000;

export class RelaySet {
  readonly #listeners = new Map<string, Listener>();
  readonly #balancers = new Map<string, Balancer>();
  readonly #metrics = newMetrics();
  readonly #open = new Set<Socket>();
  readonly #sweeper: NodeJS.Timeout;

  constructor() {
    this.#sweeper = setInterval(() => this.#sweep(), SWEEP_MS);
    this.#sweeper.unref();
  }

  /** Makes the open listeners match `table`. One call at a time (the child queues commands). */
  async apply(table: RelaySpec[]): Promise<ApplyResult> {
    const errors: RelayBindError[] = [];
    const wanted = new Map<string, RelaySpec>();
    for (const spec of table) {
      const problem = invalid(spec);
      if (problem) errors.push({ listener: describe(spec), service: String(spec?.service ?? ''), code: 'INVALID', message: problem });
      else wanted.set(listenerKey(spec), spec);
    }

    // Balancers first: a pool's endpoints come from the first of its listeners (they all
    // carry the same list, made from one service port).
    const pools = new Map<string, RelaySpec>();
    for (const spec of wanted.values()) if (!pools.has(poolKey(spec))) pools.set(poolKey(spec), spec);
    for (const [key, spec] of pools) {
      let b = this.#balancers.get(key);
      if (!b) this.#balancers.set(key, (b = new Balancer()));
      b.update(spec.endpoints, spec.affinityTimeoutSeconds);
    }
    for (const key of this.#balancers.keys()) if (!pools.has(key)) this.#balancers.delete(key);

    for (const [key, l] of this.#listeners) {
      if (!wanted.has(key)) {
        l.close();
        this.#listeners.delete(key);
      }
    }
    const opening: Promise<void>[] = [];
    for (const [key, spec] of wanted) {
      const balancer = this.#balancers.get(poolKey(spec))!;
      const l = this.#listeners.get(key);
      if (l) {
        // The same balancer object, updated above (or another pool's: the address changed hands).
        l.use(balancer);
        continue;
      }
      opening.push(this.#openListener(key, spec, balancer, errors));
    }
    await Promise.all(opening);
    return { listeners: this.#listeners.size, errors };
  }

  /** The counters, TCP bytes of open connections included. */
  metrics(): RelayMetrics {
    const m = { ...this.#metrics };
    for (const s of this.#open) {
      m.tcpBytesIn += s.bytesRead;
      m.tcpBytesOut += s.bytesWritten;
    }
    return m;
  }

  /** Closes every listener and established connection. */
  close(): void {
    clearInterval(this.#sweeper);
    for (const l of this.#listeners.values()) l.close();
    this.#listeners.clear();
    for (const s of this.#open) s.destroy();
  }

  async #openListener(key: string, spec: RelaySpec, balancer: Balancer, errors: RelayBindError[]): Promise<void> {
    const relay = spec.protocol === 'TCP' ? new TcpRelay({ balancer, shared: { metrics: this.#metrics, open: this.#open } }) : new UdpRelay({ balancer, metrics: this.#metrics });
    try {
      await relay.listen(spec.address, spec.port);
      this.#listeners.set(key, relay);
    } catch (err) {
      const e = err as NodeJS.ErrnoException;
      errors.push({ listener: key, service: spec.service, code: e.code ?? 'ERROR', message: e.message });
    }
  }

  #sweep(): void {
    const now = Date.now();
    for (const b of this.#balancers.values()) b.sweep();
    for (const l of this.#listeners.values()) if (l instanceof UdpRelay) l.sweep(now);
  }
}

function describe(spec: RelaySpec): string {
  try {
    return listenerKey(spec);
  } catch {
    return '?';
  }
}

/** Why a spec from the agent cannot be used (the child trusts nothing it parses). */
function invalid(spec: RelaySpec): string | undefined {
  if (!spec || typeof spec !== 'object') return 'not an object';
  if (spec.protocol !== 'TCP' && spec.protocol !== 'UDP') return `unsupported protocol ${String(spec.protocol)}`;
  if (typeof spec.address !== 'string' || !spec.address) return 'no address';
  if (!Number.isInteger(spec.port) || spec.port <= 0 || spec.port > 65535) return `bad port ${String(spec.port)}`;
  if (typeof spec.service !== 'string' || (spec.pool !== 'cluster' && spec.pool !== 'local')) return 'no service or pool';
  if (!Array.isArray(spec.endpoints) || spec.endpoints.length === 0) return 'no endpoints';
  for (const e of spec.endpoints) if (!e || typeof e.ip !== 'string' || !Number.isInteger(e.port) || e.port <= 0 || e.port > 65535) return 'bad endpoint';
  return undefined;
}
