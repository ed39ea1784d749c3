/**
 * @module Objects over the key/value store: the key layout
 * (`/registry/<group>/<plural>/<namespace>/<name>`, as kube-apiserver lays
 * out etcd), JSON encoding, resourceVersion = the key's modRevision, and
 * the translation of store errors into API errors where they enter.
 */
import * as errors from '../api/errors.ts';
import type { KubeObject } from '../api/meta.ts';
import type { ResourceDef } from '../api/resources.ts';
import { StoreError, type KeyValue, type Store, type WatchEvent } from '../store/types.ts';

export function gr(def: ResourceDef): errors.GroupResource {
  return { group: def.group, resource: def.plural };
}

/** The key prefix of a resource, or of one namespace of it. Always ends with '/'. */
export function prefixOf(def: ResourceDef, namespace?: string): string {
  const base = `/registry/${def.group || 'core'}/${def.plural}/`;
  return def.namespaced && namespace ? `${base}${namespace}/` : base;
}

export function keyOf(def: ResourceDef, namespace: string | undefined, name: string): string {
  return def.namespaced ? `${prefixOf(def)}${namespace}/${name}` : `${prefixOf(def)}${name}`;
}

/** Stored objects carry no resourceVersion; it is the store's modRevision. */
export function decode(kv: KeyValue): KubeObject {
  const obj = JSON.parse(kv.value) as KubeObject;
  obj.metadata.resourceVersion = String(kv.modRevision);
  return obj;
}

const shared = new WeakMap<KeyValue, KubeObject>();

/**
 * decode() once per stored value for everyone who reads the same KeyValue
 * (every watcher of one event): the result is shared and must not be mutated.
 */
export function decodeShared(kv: KeyValue): KubeObject {
  let obj = shared.get(kv);
  if (!obj) shared.set(kv, (obj = decode(kv)));
  return obj;
}

function encode(obj: KubeObject): string {
  // Canonical order (apiVersion, kind, metadata first) lets rawWithRv splice the
  // resourceVersion into stored JSON without parsing it.
  const { resourceVersion: _rv, selfLink: _sl, ...metadata } = obj.metadata;
  const { apiVersion, kind, metadata: _m, ...rest } = obj;
  return JSON.stringify({ apiVersion, kind, metadata, ...rest });
}

/**
 * The stored JSON of an object with its resourceVersion, without a parse and
 * a stringify: what a large unfiltered list sends. Falls back to decode for
 * values not in canonical order.
 */
export function rawWithRv(kv: KeyValue, apiVersion: string, kind: string): string {
  const head = `{"apiVersion":${JSON.stringify(apiVersion)},"kind":${JSON.stringify(kind)},"metadata":{`;
  if (kv.value.startsWith(head) && kv.value[head.length] === '"') {
    return `${head}"resourceVersion":"${kv.modRevision}",${kv.value.slice(head.length)}`;
  }
  const obj = decode(kv);
  return JSON.stringify({ ...obj, apiVersion, kind });
}

export function translate(err: unknown, def: ResourceDef, name: string): unknown {
  if (!(err instanceof StoreError)) return err;
  switch (err.code) {
    case 'KEY_EXISTS':
      return errors.alreadyExists(gr(def), name);
    case 'NOT_FOUND':
      return errors.notFound(gr(def), name);
    case 'CONFLICT':
      return errors.conflict(gr(def), name, errors.MODIFIED);
    case 'COMPACTED':
      return errors.expired(`too old resource version: ${err.message}`);
    default:
      return errors.internalError(err.message);
  }
}

export function parseRv(rv: string | undefined, what = 'resourceVersion'): number {
  if (rv === undefined || rv === '') return 0;
  const n = Number(rv);
  if (!/^\d+$/.test(rv) || !Number.isSafeInteger(n)) throw errors.badRequest(`invalid ${what}: ${JSON.stringify(rv)}`);
  return n;
}

export class Objects {
  readonly store: Store;
  constructor(opts: { store: Store }) {
    this.store = opts.store;
  }

  async get(def: ResourceDef, namespace: string | undefined, name: string): Promise<KubeObject> {
    const kv = await this.store.get(keyOf(def, namespace, name));
    if (!kv) throw errors.notFound(gr(def), name);
    return decode(kv);
  }

  async tryGet(def: ResourceDef, namespace: string | undefined, name: string): Promise<KubeObject | undefined> {
    const kv = await this.store.get(keyOf(def, namespace, name));
    return kv ? decode(kv) : undefined;
  }

  async create(def: ResourceDef, obj: KubeObject): Promise<KubeObject> {
    const name = obj.metadata.name ?? '';
    try {
      return decode(await this.store.create(keyOf(def, obj.metadata.namespace, name), encode(obj)));
    } catch (e) {
      throw translate(e, def, name);
    }
  }

  /** Compare-and-swap on expectedRv (0: unconditional). */
  async update(def: ResourceDef, obj: KubeObject, expectedRv: number): Promise<KubeObject> {
    const name = obj.metadata.name ?? '';
    try {
      return decode(await this.store.update(keyOf(def, obj.metadata.namespace, name), encode(obj), expectedRv));
    } catch (e) {
      throw translate(e, def, name);
    }
  }

  async delete(def: ResourceDef, namespace: string | undefined, name: string, expectedRv: number): Promise<KubeObject> {
    try {
      return decode(await this.store.delete(keyOf(def, namespace, name), expectedRv));
    } catch (e) {
      throw translate(e, def, name);
    }
  }

  async list(def: ResourceDef, namespace?: string): Promise<{ items: KubeObject[]; revision: number }> {
    const res = await this.store.list(prefixOf(def, namespace));
    return { items: res.items.map(decode), revision: res.revision };
  }

  /**
   * Read-modify-write with retries on conflict, the way upstream's
   * GuaranteedUpdate works. `mutate` returns the new object, or undefined to
   * leave it unchanged.
   */
  async guaranteedUpdate(
    def: ResourceDef,
    namespace: string | undefined,
    name: string,
    mutate: (cur: KubeObject) => KubeObject | undefined | Promise<KubeObject | undefined>,
  ): Promise<KubeObject> {
    for (let attempt = 0; ; attempt++) {
      const cur = await this.get(def, namespace, name);
      const next = await mutate(structuredClone(cur));
      if (!next) return cur;
      try {
        return await this.update(def, next, Number(cur.metadata.resourceVersion));
      } catch (e) {
        if (!(e instanceof errors.ApiError && e.reason === 'Conflict') || attempt >= 10) throw e;
      }
    }
  }
}

export type { WatchEvent };
