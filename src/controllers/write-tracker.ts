/**
 * @module What a controller wrote and its informer has not shown yet (the
 * role of upstream's endpointSliceTracker and staleEndpointsTracker): a sync
 * that runs before the watch delivers the controller's own write works from
 * the write, not from the older cached object, so it neither conflicts with
 * itself nor creates a second slice where it just created one.
 */
import type { KubeObject } from '../api/meta.ts';

const rvOf = (o: KubeObject | undefined) => Number(o?.metadata.resourceVersion ?? 0) || 0;
const keyOf = (o: KubeObject) => `${o.metadata.namespace ?? ''}/${o.metadata.name}`;

interface Written {
  rv: number;
  /** undefined: deleted by us. */
  obj?: KubeObject;
  /** For deletions: the namespace/owner grouping the caller lists by. */
  group: string;
}

export class WriteTracker {
  readonly #written = new Map<string, Written>();
  readonly #groupOf: (o: KubeObject) => string;

  /** groupOf names the set a synced object belongs to (the Service for slices). */
  constructor(opts: { groupOf?: (o: KubeObject) => string } = {}) {
    this.#groupOf = opts.groupOf ?? keyOf;
  }

  wrote(obj: KubeObject): void {
    this.#written.set(keyOf(obj), { rv: rvOf(obj), obj, group: this.#groupOf(obj) });
  }

  deleted(obj: KubeObject, rv?: number): void {
    this.#written.set(keyOf(obj), { rv: rv ?? rvOf(obj) + 1, group: this.#groupOf(obj) });
  }

  /** The freshest view of one object: ours when the cache is older. */
  current(cached: KubeObject | undefined, key: string): KubeObject | undefined {
    const w = this.#written.get(key);
    if (!w) return cached;
    // The cache caught up (also when its event came before our write returned): forget ours.
    if ((cached && rvOf(cached) >= w.rv) || (!cached && !w.obj)) {
      this.#written.delete(key);
      return cached;
    }
    return w.obj;
  }

  /** The freshest view of a group: cached objects overlaid with our writes to that group. */
  group(cached: KubeObject[], group: string): KubeObject[] {
    const out = new Map<string, KubeObject>();
    for (const o of cached) out.set(keyOf(o), o);
    for (const [k, w] of this.#written) {
      if (w.group !== group) continue;
      const c = out.get(k);
      if ((c && rvOf(c) >= w.rv) || (!c && !w.obj)) {
        this.#written.delete(k);
        continue;
      }
      if (w.obj) out.set(k, w.obj);
      else out.delete(k);
    }
    return [...out.values()];
  }

  /**
   * Feeds an informer event. Returns true when the event is news to this
   * controller (someone else's change), false for the echo of its own write.
   */
  observe(type: 'ADDED' | 'MODIFIED' | 'DELETED', obj: KubeObject): boolean {
    const k = keyOf(obj);
    const w = this.#written.get(k);
    if (!w) return true;
    if (type === 'DELETED') {
      this.#written.delete(k);
      return w.obj !== undefined;
    }
    const rv = rvOf(obj);
    if (rv < w.rv) return false;
    this.#written.delete(k);
    return rv !== w.rv;
  }

  get size(): number {
    return this.#written.size;
  }
}
