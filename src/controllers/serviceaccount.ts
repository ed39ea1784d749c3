/**
 * @module The service account controller: every active namespace has a
 * ServiceAccount named `default`, as upstream's serviceaccounts-controller
 * guarantees.
 */
import { findKind } from '../api/resources.ts';
import { ClientError, type Client } from '../client/client.ts';
import { Informer } from '../client/informer.ts';
import { WorkQueue } from './queue.ts';

export class ServiceAccountController {
  readonly #client: Client;
  readonly #namespaces: Informer;
  readonly #accounts: Informer;
  readonly #queue: WorkQueue;

  constructor(opts: { client: Client; log: (l: string) => void }) {
    this.#client = opts.client;
    this.#namespaces = new Informer({ client: opts.client, def: findKind('', 'Namespace')! });
    this.#accounts = new Informer({ client: opts.client, def: findKind('', 'ServiceAccount')!, fieldSelector: 'metadata.name=default' });
    this.#queue = new WorkQueue({ work: (ns) => this.#sync(ns), onError: (k, e) => opts.log(`serviceaccount-controller: ${k}: ${(e as Error).message}`) });
    this.#namespaces.on((_t, ns) => this.#queue.add(ns.metadata.name!));
    this.#accounts.on((t, sa) => {
      if (t === 'DELETED') this.#queue.add(sa.metadata.namespace!);
    });
  }

  ready(): boolean {
    return this.#namespaces.ready() && this.#accounts.ready();
  }

  start(signal: AbortSignal): void {
    void this.#namespaces.start(signal);
    void this.#accounts.start(signal);
    void Promise.all([this.#namespaces.waitSynced(), this.#accounts.waitSynced()]).then(() => this.#queue.start(signal));
  }

  async #sync(ns: string): Promise<void> {
    const n = this.#namespaces.get(undefined, ns);
    if (!n || n.metadata.deletionTimestamp || this.#accounts.get(ns, 'default')) return;
    try {
      await this.#client.create(findKind('', 'ServiceAccount')!, { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'default', namespace: ns } });
    } catch (e) {
      // AlreadyExists: the informer is behind; Forbidden/NotFound: the namespace is going away.
      if (!(e instanceof ClientError && [403, 404, 409].includes(e.code))) throw e;
    }
  }
}
