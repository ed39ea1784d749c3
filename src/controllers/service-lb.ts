/**
 * @module The service-lb controller (k3s's ServiceLB, or MetalLB's layer-2
 * mode with `--lb-pool`): every LoadBalancer Service without a
 * loadBalancerClass gets `status.loadBalancer.ingress`, with no extra
 * command. Service and Node events queue one sync; the sync computes every
 * Service's address from the caches (service-lb-model.ts), since addresses
 * and ports are shared among Services, and merge-patches `services/status`
 * of those whose ingress differs, with the events of upstream's service
 * controller.
 */
import type { KubeObject } from '../api/meta.ts';
import { findKind } from '../api/resources.ts';
import { isNotFound, type Client } from '../client/client.ts';
import type { Informer } from '../client/informer.ts';
import { Backoff } from './backoff.ts';
import type { EventRecorder } from './events.ts';
import { WorkQueue } from './queue.ts';
import { currentIngress, EXCLUDE_LB_LABEL, ingressEqual, isManagedLoadBalancer, loadBalancerStatus, parsePool, type LbHistory, type LbIngress, type LbPool } from './service-lb-model.ts';
import { sharedInformer, startShared } from './shared-informers.ts';

const serviceDef = findKind('', 'Service')!;
const nodeDef = findKind('', 'Node')!;
const SYNC = 'all';
const rvOf = (o: KubeObject) => Number(o.metadata.resourceVersion ?? 0) || 0;
const keyOf = (o: KubeObject) => `${o.metadata.namespace ?? ''}/${o.metadata.name}`;

export interface ServiceLBOptions {
  client: Client;
  log: (line: string) => void;
  /** Events on the Service, as component `service-lb-controller`. */
  recorder?: EventRecorder;
  /** `--lb-pool`; empty or absent: node addresses. A bad value throws ServiceLBError('INVALID_POOL'). */
  pool?: string;
}

/** What in a Node decides whether its addresses serve LoadBalancers (heartbeats alone do not). */
function nodeFingerprint(node: KubeObject | undefined): string {
  if (!node) return '';
  const ready = (Array.isArray(node.status?.conditions) ? node.status.conditions : []).find((c: any) => c?.type === 'Ready')?.status;
  const addrs = (Array.isArray(node.status?.addresses) ? node.status.addresses : []).filter((a: any) => a?.type === 'InternalIP').map((a: any) => a.address);
  return JSON.stringify([ready, node.spec?.unschedulable === true, EXCLUDE_LB_LABEL in (node.metadata.labels ?? {}), addrs]);
}

export class ServiceLBController {
  readonly #client: Client;
  readonly #log: (l: string) => void;
  readonly #recorder?: EventRecorder;
  readonly #pool: LbPool | undefined;
  readonly #services: Informer;
  readonly #nodes: Informer;
  readonly #queue: WorkQueue;
  #history: LbHistory = { assigned: new Map(), released: [] };
  /** Our status writes the Service cache has not shown yet, by key. */
  readonly #written = new Map<string, KubeObject>();
  /** The last Warning sent per Service (key/uid), so a Service that stays pending is not re-announced each sync. */
  readonly #warned = new Map<string, string>();
  #synced = false;

  constructor(opts: ServiceLBOptions) {
    // Parsed first: a bad flag stops the server at start-up with a clear message, before any watch.
    this.#pool = parsePool(opts.pool ?? '');
    this.#client = opts.client;
    this.#log = opts.log;
    this.#recorder = opts.recorder;
    const backoff = new Backoff({ requeue: (k, ms) => this.#queue.addAfter(k, ms), log: (_k, e, n) => this.#log(`service-lb: sync (failure ${n}): ${(e as Error).message}`) });
    this.#queue = new WorkQueue({ work: (k) => backoff.run(k, () => this.#sync()) });
    this.#services = sharedInformer(opts.client, serviceDef, () => this.#queue.add(SYNC));
    this.#nodes = sharedInformer(opts.client, nodeDef, (type, node, old) => {
      // With a pool, nodes play no part; without one, only readiness, schedulability and addresses count.
      if (this.#pool || (type === 'MODIFIED' && nodeFingerprint(old) === nodeFingerprint(node))) return;
      this.#queue.add(SYNC);
    });
  }

  ready(): boolean {
    return this.#services.ready() && this.#nodes.ready();
  }

  start(signal: AbortSignal): void {
    // The first sync waits for both full lists: allocation must see every Service's current status.
    void Promise.all([startShared(this.#client, serviceDef, signal), startShared(this.#client, nodeDef, signal)]).then(() => {
      this.#queue.add(SYNC);
      this.#queue.start(signal);
    });
  }

  /** Cached Services, with our own writes where the cache is behind them. */
  #freshServices(): KubeObject[] {
    const seen = new Set<string>();
    const out = this.#services.list().map((svc) => {
      const key = keyOf(svc);
      seen.add(key);
      const w = this.#written.get(key);
      if (w && w.metadata.uid === svc.metadata.uid && rvOf(svc) < rvOf(w)) return w;
      this.#written.delete(key);
      return svc;
    });
    for (const k of this.#written.keys()) if (!seen.has(k)) this.#written.delete(k);
    return out;
  }

  async #sync(): Promise<void> {
    const t0 = performance.now();
    const services = this.#freshServices();
    const byKey = new Map(services.map((s) => [keyOf(s), s]));
    const plan = loadBalancerStatus(services, this.#nodes.list(), this.#pool, this.#history);
    this.#history = plan.history;
    const warnings = new Map(plan.events.map((e) => [e.key, e.message]));
    const writes: Promise<void>[] = [];
    let pending = 0;
    for (const [key, want] of plan.desired) {
      const svc = byKey.get(key)!;
      const ingress = want === 'pending' ? [] : want;
      const same = ingressEqual(currentIngress(svc), ingress);
      if (!isManagedLoadBalancer(svc)) {
        if (!same) writes.push(this.#write(svc, ingress, ['DeletingLoadBalancer', 'Deleting load balancer'], ['DeletedLoadBalancer', 'Deleted load balancer']));
        continue;
      }
      const warnKey = `${key}/${svc.metadata.uid}`;
      const warning = want === 'pending' ? warnings.get(key) : undefined;
      if (warning) pending++;
      if (same && this.#warned.get(warnKey) === warning) continue;
      if (warning) this.#warned.set(warnKey, warning);
      else this.#warned.delete(warnKey);
      const done: [string, string] = warning ? ['SyncLoadBalancerFailed', `Error syncing load balancer: ${warning}`] : ['EnsuredLoadBalancer', 'Ensured load balancer'];
      writes.push(this.#write(svc, same ? undefined : ingress, ['EnsuringLoadBalancer', 'Ensuring load balancer'], done));
    }
    for (const k of this.#warned.keys()) if (!byKey.has(k.slice(0, k.lastIndexOf('/')))) this.#warned.delete(k);
    const results = await Promise.allSettled(writes);
    const failed = results.filter((r) => r.status === 'rejected');
    if (writes.length || !this.#synced) {
      const took = ((performance.now() - t0) / 1000).toFixed(3);
      this.#log(`service-lb: synced services=${services.length} loadbalancers=${[...byKey.values()].filter(isManagedLoadBalancer).length} pending=${pending} written=${writes.length - failed.length} failed=${failed.length} took=${took}s`);
    }
    this.#synced = true;
    if (failed.length) throw (failed[0] as PromiseRejectedResult).reason;
  }

  /**
   * One Service: the opening event, the status patch when there is an
   * ingress to write, then the closing event. A Service deleted meanwhile is no error; any
   * other failure is a SyncLoadBalancerFailed Warning and a retry.
   */
  async #write(svc: KubeObject, ingress: LbIngress[] | undefined, start: [string, string], done: [string, string]): Promise<void> {
    const type = done[0] === 'SyncLoadBalancerFailed' ? 'Warning' : 'Normal';
    this.#recorder?.event(svc, 'Normal', start[0], start[1]);
    if (ingress) {
      // Merge patch: `ingress: null` removes the list, leaving `loadBalancer: {}` as upstream clears it.
      const body = { status: { loadBalancer: { ingress: ingress.length ? ingress : null } } };
      try {
        const written = await this.#client.patch(serviceDef, svc.metadata.namespace, svc.metadata.name!, body, 'application/merge-patch+json', 'status');
        this.#written.set(keyOf(svc), written);
      } catch (e) {
        if (isNotFound(e)) return;
        this.#recorder?.event(svc, 'Warning', 'SyncLoadBalancerFailed', `Error syncing load balancer: failed to update load balancer status: ${(e as Error).message}`);
        throw e;
      }
    }
    this.#recorder?.event(svc, type, done[0], done[1]);
  }
}
