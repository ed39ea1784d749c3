/**
 * @module Indexes over informer caches: objects by namespace (client-go's
 * namespace index), so a pod event looks at the Services of its own
 * namespace and a Service sync at the pods of its own, not at the whole
 * cluster; and EndpointSlices by the Service they belong to.
 */
import type { KubeObject } from '../api/meta.ts';

export class NamespaceIndex {
  readonly #byNs = new Map<string, Map<string, KubeObject>>();

  apply(type: 'ADDED' | 'MODIFIED' | 'DELETED', obj: KubeObject): void {
    const ns = obj.metadata.namespace ?? '';
    let m = this.#byNs.get(ns);
    if (type === 'DELETED') {
      m?.delete(obj.metadata.name!);
      if (m && m.size === 0) this.#byNs.delete(ns);
      return;
    }
    if (!m) this.#byNs.set(ns, (m = new Map()));
    m.set(obj.metadata.name!, obj);
  }

  list(ns: string): Iterable<KubeObject> {
    return this.#byNs.get(ns)?.values() ?? [];
  }
}

/**
 * The EndpointSlices one controller manages, by the Service they belong to
 * (`kubernetes.io/service-name`), kept from an informer of all slices: a
 * slice that changes hands or Services moves out of its old place.
 */
export class SliceIndex {
  readonly #byService = new Map<string, Map<string, KubeObject>>();
  readonly #manager: string;

  constructor(opts: { managedBy: string }) {
    this.#manager = opts.managedBy;
  }

  static serviceOf(s: KubeObject): string {
    return `${s.metadata.namespace}/${s.metadata.labels?.['kubernetes.io/service-name'] ?? ''}`;
  }

  #mine(s: KubeObject | undefined): boolean {
    return s?.metadata.labels?.['endpointslice.kubernetes.io/managed-by'] === this.#manager;
  }

  /** Applies an informer event; returns the Services whose slices it touched (none when neither side is ours). */
  apply(type: 'ADDED' | 'MODIFIED' | 'DELETED', obj: KubeObject, old?: KubeObject): string[] {
    const touched = new Set<string>();
    for (const prev of [old, obj]) {
      if (!this.#mine(prev)) continue;
      const key = SliceIndex.serviceOf(prev!);
      const m = this.#byService.get(key);
      if (m?.delete(prev!.metadata.name!)) touched.add(key);
      if (m?.size === 0) this.#byService.delete(key);
    }
    if (type !== 'DELETED' && this.#mine(obj)) {
      const key = SliceIndex.serviceOf(obj);
      let m = this.#byService.get(key);
      if (!m) this.#byService.set(key, (m = new Map()));
      m.set(obj.metadata.name!, obj);
      touched.add(key);
    }
    return [...touched];
  }

  list(service: string): KubeObject[] {
    return [...(this.#byService.get(service)?.values() ?? [])];
  }
}
