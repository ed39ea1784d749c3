/**
 * @module An informer: list, then watch from the list's resourceVersion,
 * keeping a cache by namespace/name and calling a handler on every change;
 * a watch that ends is resumed, and a 410 Gone relists (client-go's
 * reflector behaviour).
 */
import type { KubeObject } from '../api/meta.ts';
import type { ResourceDef } from '../api/resources.ts';
import type { Client } from './client.ts';

export type Handler = (type: 'ADDED' | 'MODIFIED' | 'DELETED', obj: KubeObject, old?: KubeObject) => void;

export const keyOf = (o: KubeObject): string => (o.metadata.namespace ? `${o.metadata.namespace}/${o.metadata.name}` : o.metadata.name!);

export class Informer {
  readonly def: ResourceDef;
  readonly #client: Client;
  readonly #cache = new Map<string, KubeObject>();
  readonly #handlers: Handler[] = [];
  readonly #query: string;
  #synced = false;
  #rv = '';
  #syncedWaiters: (() => void)[] = [];

  constructor(opts: { client: Client; def: ResourceDef; labelSelector?: string; fieldSelector?: string }) {
    this.#client = opts.client;
    this.def = opts.def;
    const q = new URLSearchParams();
    if (opts.labelSelector) q.set('labelSelector', opts.labelSelector);
    if (opts.fieldSelector) q.set('fieldSelector', opts.fieldSelector);
    this.#query = q.toString();
  }

  on(h: Handler): void {
    this.#handlers.push(h);
  }

  ready(): boolean {
    return this.#synced;
  }

  waitSynced(): Promise<void> {
    return this.#synced ? Promise.resolve() : new Promise((ok) => this.#syncedWaiters.push(ok));
  }

  list(): KubeObject[] {
    return [...this.#cache.values()];
  }

  get(namespace: string | undefined, name: string): KubeObject | undefined {
    return this.#cache.get(namespace ? `${namespace}/${name}` : name);
  }

  #emit(type: 'ADDED' | 'MODIFIED' | 'DELETED', obj: KubeObject, old?: KubeObject): void {
    for (const h of this.#handlers) {
      try {
        h(type, obj, old);
      } catch {
        // A failing handler must not stop the informer; handlers report their own errors.
      }
    }
  }

  async #relist(): Promise<void> {
    const list = await this.#client.list(this.def, undefined, this.#query);
    const seen = new Set<string>();
    for (const o of list.items) {
      o.apiVersion ??= list.apiVersion;
      o.kind ??= this.def.kind;
      const k = keyOf(o);
      seen.add(k);
      const old = this.#cache.get(k);
      this.#cache.set(k, o);
      if (!old) this.#emit('ADDED', o);
      else if (old.metadata.resourceVersion !== o.metadata.resourceVersion) this.#emit('MODIFIED', o, old);
    }
    for (const [k, o] of this.#cache) {
      if (!seen.has(k)) {
        this.#cache.delete(k);
        this.#emit('DELETED', o);
      }
    }
    this.#rv = list.metadata.resourceVersion ?? '';
    if (!this.#synced) {
      this.#synced = true;
      for (const w of this.#syncedWaiters.splice(0)) w();
    }
  }

  async start(signal: AbortSignal): Promise<void> {
    let needList = true;
    while (!signal.aborted) {
      try {
        if (needList) await this.#relist();
        needList = false;
        let gone = false;
        await this.#client.watch(
          this.def,
          `resourceVersion=${this.#rv}&allowWatchBookmarks=true${this.#query ? '&' + this.#query : ''}`,
          (e) => {
            if (e.type === 'ERROR') {
              gone = true;
              return;
            }
            this.#rv = e.object.metadata.resourceVersion ?? this.#rv;
            if (e.type === 'BOOKMARK') return;
            const k = keyOf(e.object);
            const old = this.#cache.get(k);
            if (e.type === 'DELETED') {
              this.#cache.delete(k);
              this.#emit('DELETED', e.object, old);
            } else {
              this.#cache.set(k, e.object);
              this.#emit(old ? 'MODIFIED' : 'ADDED', e.object, old);
            }
          },
          signal,
        );
        if (gone) needList = true;
      } catch {
        if (signal.aborted) return;
        needList = true;
        await new Promise((r) => setTimeout(r, 500));
      }
    }
  }
}
