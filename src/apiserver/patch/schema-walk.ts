/**
 * @module Reading the schema language the way the patch engines need it:
 * following refs (keeping the markers written at the ref site), finding a
 * field's or an item's schema, and deriving the list and map types that
 * server-side apply uses from the OpenAPI extensions, as upstream's
 * kube-openapi schemaconv does (x-kubernetes-list-type first, then the patch
 * strategy: merge with a key is a map keyed on it, merge without one a set,
 * anything else atomic).
 */
import type { Schema, SchemaMeta, SchemaSet } from '../../api/schema/types.ts';

const metaKeys: (keyof SchemaMeta)[] = ['patchStrategy', 'patchMergeKey', 'listType', 'listMapKeys', 'mapType', 'default'];

/** Follows refs; markers written beside a ref (x-kubernetes-patch-strategy on a field) override the definition's. */
export function resolve(set: SchemaSet, s: Schema | undefined): Schema | undefined {
  if (!s || s.kind !== 'ref') return s;
  let target = set.resolve(s);
  for (let depth = 0; target.kind === 'ref' && depth < 32; depth++) target = set.resolve(target);
  const overlay: Partial<SchemaMeta> = {};
  for (const k of metaKeys) if (s[k] !== undefined) (overlay as Record<string, unknown>)[k] = s[k];
  return Object.keys(overlay).length ? ({ ...target, ...overlay } as Schema) : target;
}

/** The schema of `key` inside an object or map schema; `any` stays `any`; undefined when unknown. */
export function fieldSchema(set: SchemaSet, parent: Schema | undefined, key: string): Schema | undefined {
  const p = resolve(set, parent);
  if (!p) return undefined;
  if (p.kind === 'object') return resolve(set, p.properties[key]);
  if (p.kind === 'map') return resolve(set, p.values);
  if (p.kind === 'any') return p;
  return undefined;
}

/** Whether `key` is a declared field of a struct (as opposed to a map entry). */
export function isDeclaredField(set: SchemaSet, parent: Schema | undefined, key: string): boolean {
  const p = resolve(set, parent);
  return p?.kind === 'object' && Object.hasOwn(p.properties, key);
}

export function itemSchema(set: SchemaSet, list: Schema | undefined): Schema | undefined {
  const l = resolve(set, list);
  if (!l) return undefined;
  if (l.kind === 'array') return resolve(set, l.items);
  if (l.kind === 'any') return l;
  return undefined;
}

export type ListKind = { type: 'atomic' } | { type: 'set' } | { type: 'map'; keys: string[] };

/** Server-side apply's view of a list (schemaconv: x-kubernetes-list-type, else the patch strategy, else atomic). */
export function listKind(s: Schema): ListKind {
  if (s.kind !== 'array') return { type: 'atomic' };
  if (s.listType === 'atomic') return { type: 'atomic' };
  if (s.listType === 'set') return { type: 'set' };
  if (s.listType === 'map') return { type: 'map', keys: s.listMapKeys ?? [] };
  if (s.patchStrategy === 'merge' || s.patchStrategy === 'merge,retainKeys') {
    return s.patchMergeKey ? { type: 'map', keys: [s.patchMergeKey] } : { type: 'set' };
  }
  return { type: 'atomic' };
}

/** The strategic merge patch markers of a field: `merge`/`replace`/'' and whether retainKeys is on. */
export function patchMeta(s: Schema | undefined): { strategy: string; mergeKey: string; retainKeys: boolean } {
  const parts = (s?.patchStrategy ?? '').split(',').filter(Boolean);
  const strategy = parts.includes('merge') ? 'merge' : parts.includes('replace') ? 'replace' : '';
  return { strategy, mergeKey: s?.patchMergeKey ?? '', retainKeys: parts.includes('retainKeys') };
}

export const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Deep equality of JSON values (object key order ignored). */
export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a)) return Array.isArray(b) && a.length === b.length && a.every((v, i) => deepEqual(v, b[i]));
  if (isObject(a) && isObject(b)) {
    const ka = Object.keys(a);
    if (ka.length !== Object.keys(b).length) return false;
    return ka.every((k) => Object.hasOwn(b, k) && deepEqual(a[k], b[k]));
  }
  return false;
}

/** A deep copy of a JSON value. */
export function clone<T>(v: T): T {
  return v === undefined ? v : structuredClone(v);
}
