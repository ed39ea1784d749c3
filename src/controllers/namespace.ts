/**
 * @module The namespace controller: a namespace being deleted (phase
 * Terminating) has every namespaced object in it deleted, and once nothing
 * is left its `kubernetes` finalizer is removed through the finalize
 * subresource, which lets the apiserver delete it.
 */
import type { KubeObject } from '../api/meta.ts';
import { findKind, resources } from '../api/resources.ts';
import { isNotFound, resourcePath, type Client } from '../client/client.ts';
import { Informer } from '../client/informer.ts';
import { WorkQueue } from './queue.ts';

export class NamespaceController {
  readonly #client: Client;
  readonly #informer: Informer;
  readonly #queue: WorkQueue;
  readonly #log: (l: string) => void;

  constructor(opts: { client: Client; log: (l: string) => void }) {
    this.#client = opts.client;
    this.#log = opts.log;
    this.#informer = new Informer({ client: opts.client, def: findKind('', 'Namespace')! });
    this.#queue = new WorkQueue({ work: (k) => this.#sync(k), retryMs: 500, onError: (k, e) => this.#log(`namespace-controller: ${k}: ${(e as Error).message}`) });
    this.#informer.on((_t, ns) => {
      if (ns.metadata.deletionTimestamp) this.#queue.add(ns.metadata.name!);
    });
  }

  ready(): boolean {
    return this.#informer.ready();
  }

  start(signal: AbortSignal): void {
    void this.#informer.start(signal);
    this.#queue.start(signal);
  }

  async #sync(name: string): Promise<void> {
    const ns = this.#informer.get(undefined, name);
    if (!ns?.metadata.deletionTimestamp) return;
    let remaining = 0;
    for (const def of resources.filter((d) => d.namespaced)) {
      const path = resourcePath(def, name);
      const list = await this.#client.request<{ items: KubeObject[] }>('GET', path);
      if (!list.items.length) continue;
      remaining += list.items.length;
      const pending = list.items.filter((o) => !o.metadata.deletionTimestamp);
      if (pending.length) await this.#client.request('DELETE', `${path}?propagationPolicy=Background`);
    }
    if (remaining > 0) {
      // Objects with finalizers or graceful pods take a moment; look again soon.
      this.#queue.addAfter(name, 200);
      return;
    }
    try {
      await this.#client.request('PUT', `${resourcePath(findKind('', 'Namespace')!, undefined, name)}/finalize`, {
        apiVersion: 'v1',
        kind: 'Namespace',
        metadata: { name },
        spec: { finalizers: [] },
      });
    } catch (e) {
      if (!isNotFound(e)) throw e;
    }
  }
}
