/**
 * @module An informer cache indexed by namespace (client-go's namespace
 * index), so a pod event looks at the Services of its own namespace and a
 * Service sync at the pods of its own, not at the whole cluster.
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
