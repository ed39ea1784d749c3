/**
 * @module Node registration and heartbeats: create or update the Node,
 * renew its Lease every 10 s (kubelet's nodeLeaseRenewInterval), and post
 * the node status every minute or when it changes.
 */
import type { KubeObject } from '../../api/meta.ts';
import { findKind } from '../../api/resources.ts';
import { isNotFound, type Client } from '../../client/client.ts';
import { leaseObject, nodeObject, type NodeFacts } from './node-object.ts';
import { nowRfc3339 } from '../../api/meta.ts';

const nodeDef = () => findKind('', 'Node')!;
const leaseDef = () => findKind('coordination.k8s.io', 'Lease')!;
const micro = (d = new Date()) => d.toISOString().replace('Z', '000Z');
const secs = (d = new Date()) => nowRfc3339(d);

export class Heartbeat {
  readonly #client: Client;
  readonly #facts: NodeFacts;
  readonly #log: (l: string) => void;
  #uid?: string;
  #registered = false;

  constructor(opts: { client: Client; facts: NodeFacts; log: (l: string) => void }) {
    this.#client = opts.client;
    this.#facts = opts.facts;
    this.#log = opts.log;
  }

  ready(): boolean {
    return this.#registered;
  }

  /** Registers the node (status included) and renews its lease once. */
  async register(): Promise<KubeObject> {
    let prev: KubeObject | undefined;
    try {
      prev = await this.#client.get(nodeDef(), undefined, this.#facts.name);
    } catch (e) {
      if (!isNotFound(e)) throw e;
    }
    const want = nodeObject(this.#facts, prev, secs());
    if (!prev) await this.#client.create(nodeDef(), { ...want, status: undefined } as KubeObject);
    else await this.#client.patch(nodeDef(), undefined, this.#facts.name, { metadata: { labels: want.metadata.labels, annotations: want.metadata.annotations }, spec: want.spec });
    const node = await this.#client.patch(nodeDef(), undefined, this.#facts.name, { status: want.status }, 'application/merge-patch+json', 'status');
    this.#uid = node.metadata.uid;
    await this.#renew();
    this.#registered = true;
    return node;
  }

  async #renew(): Promise<void> {
    const lease = leaseObject(this.#facts.name, this.#uid, micro());
    try {
      await this.#client.patch(leaseDef(), 'kube-node-lease', this.#facts.name, { spec: lease.spec }, 'application/merge-patch+json');
    } catch (e) {
      if (!isNotFound(e)) throw e;
      await this.#client.create(leaseDef(), lease);
    }
  }

  async #postStatus(): Promise<void> {
    const prev = await this.#client.get(nodeDef(), undefined, this.#facts.name);
    const want = nodeObject(this.#facts, prev, secs());
    await this.#client.patch(nodeDef(), undefined, this.#facts.name, { status: want.status }, 'application/merge-patch+json', 'status');
  }

  start(signal: AbortSignal): void {
    let ticks = 0;
    const timer = setInterval(() => {
      ticks++;
      const work = ticks % 6 === 0 ? this.#postStatus().then(() => this.#renew()) : this.#renew();
      work.catch((e) => {
        if (!signal.aborted) this.#log(`kubelet: heartbeat ${this.#facts.name}: ${(e as Error).message}`);
      });
    }, 10_000);
    signal.addEventListener('abort', () => clearInterval(timer), { once: true });
  }
}
