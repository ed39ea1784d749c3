/**
 * @module Typed values as structured-merge-diff walks them for server-side
 * apply: the field set an object sets (ToFieldSet), the comparison of two
 * objects (added, modified, removed), the merge of an applied configuration
 * into a live object, and removal of field paths (RemoveItems). Structs and
 * maps are granular unless atomic; lists are atomic, sets or maps keyed by
 * their list-map keys; `any` is a granular map whose lists are atomic.
 */
import type { Schema, SchemaSet } from '../../api/schema/types.ts';
import {
  type FieldSet,
  type Path,
  type PathElement,
  field,
  has,
  insert,
  isEmpty,
  keyElement,
  newSet,
  pathText,
  peKey,
  withPrefix,
} from './fieldpath.ts';
import { deepEqual, fieldSchema, isDeclaredField, isObject, itemSchema, listKind, resolve } from './schema-walk.ts';

type Obj = Record<string, unknown>;

/** A value that does not fit its schema, with upstream's ValidationError text. */
export class TypedError extends Error {
  constructor(path: Path, message: string) {
    super(`${pathText(path)}: ${message}`);
    this.name = 'TypedError';
  }
}

type Node =
  | { t: 'leaf' }
  | { t: 'struct' | 'map'; s: Schema }
  | { t: 'list'; keys: string[] | null; items: Schema | undefined; s: Schema };

const ANY: Schema = { kind: 'any' };

/** How a schema (and the values at hand, for `any` and shape mismatches) is walked. */
function classify(set: SchemaSet, schema: Schema | undefined, ...values: unknown[]): Node {
  const s = resolve(set, schema) ?? ANY;
  const present = values.filter((v) => v !== undefined && v !== null);
  const all = (f: (v: unknown) => boolean) => present.every(f);
  if (s.kind === 'any') return present.length && all(isObject) ? { t: 'map', s } : { t: 'leaf' };
  if (s.kind === 'object' || s.kind === 'map') {
    if (s.mapType === 'atomic' || !all(isObject)) return { t: 'leaf' };
    return { t: s.kind === 'object' ? 'struct' : 'map', s };
  }
  if (s.kind === 'array') {
    const lk = listKind(s);
    if (lk.type === 'atomic' || !all(Array.isArray)) return { t: 'leaf' };
    return { t: 'list', keys: lk.type === 'map' ? lk.keys : null, items: itemSchema(set, s), s };
  }
  return { t: 'leaf' };
}

const emptyOrNull = (v: unknown): boolean =>
  v === undefined || v === null || (Array.isArray(v) ? v.length === 0 : isObject(v) && Object.keys(v).length === 0);

/** listItemToPathElement: the key fields (or schema defaults) of a map item, the value of a set item. */
function itemElement(set: SchemaSet, node: Extract<Node, { t: 'list' }>, item: unknown): PathElement | string {
  if (node.keys === null) {
    if (isObject(item) || Array.isArray(item)) return "associative list without keys has an element that's a map type";
    return { kind: 'value', value: item };
  }
  if (!isObject(item)) return 'associative list with keys may not have non-map elements';
  const fields: [string, unknown][] = [];
  for (const k of node.keys) {
    let v = item[k];
    if (v === undefined) v = resolve(set, fieldSchema(set, node.items, k))?.default;
    if (v === undefined) return `associative list with keys has an element that omits key field ${JSON.stringify(k)} (and doesn't have default value)`;
    fields.push([k, v]);
  }
  return keyElement(fields);
}

interface Indexed {
  order: string[];
  byKey: Map<string, { pe: PathElement; item: unknown }>;
}

/** Indexes list items by path element; repeated keys keep the first item (as upstream tolerates in live objects). */
function indexItems(set: SchemaSet, node: Extract<Node, { t: 'list' }>, list: unknown, path: Path, strict: boolean): Indexed {
  const idx: Indexed = { order: [], byKey: new Map() };
  if (!Array.isArray(list)) return idx;
  list.forEach((item, i) => {
    const pe = itemElement(set, node, item);
    if (typeof pe === 'string') {
      if (strict) throw new TypedError(path, `element ${i}: ${pe}`);
      return;
    }
    const k = peKey(pe);
    if (idx.byKey.has(k)) {
      if (strict) throw new TypedError(path, `duplicate entries for key ${pathText([pe])}`);
      return;
    }
    idx.order.push(k);
    idx.byKey.set(k, { pe, item });
  });
  return idx;
}

/**
 * ToFieldSet: every scalar, atomic value, list item and map entry the value
 * sets. Strict mode (an applied configuration) rejects undeclared fields and
 * bad list items as upstream's typed conversion does.
 */
export function toFieldSet(set: SchemaSet, value: unknown, schema: Schema | undefined, strict = false): FieldSet {
  const out = newSet();
  walkSet(set, value, schema, [], out, strict);
  return out;
}

function walkSet(set: SchemaSet, v: unknown, schema: Schema | undefined, path: Path, out: FieldSet, strict: boolean): void {
  const node = classify(set, schema, v);
  if (node.t === 'leaf') {
    if (path.length) insert(out, path);
  } else if (node.t === 'list') {
    const idx = indexItems(set, node, v, path, strict);
    for (const k of idx.order) {
      const { pe, item } = idx.byKey.get(k)!;
      walkSet(set, item, node.items, [...path, pe], out, strict);
      insert(out, [...path, pe]);
    }
  } else if (isObject(v)) {
    for (const [k, cv] of Object.entries(v)) {
      const declared = node.t === 'struct' && isDeclaredField(set, node.s, k);
      const p = [...path, field(k)];
      if (node.t === 'struct' && !declared && strict) throw new TypedError(p, 'field not declared in schema');
      walkSet(set, cv, declared || node.t === 'map' ? fieldSchema(set, node.s, k) : undefined, p, out, strict);
      if (!declared) insert(out, p);
    }
  }
}

export interface Comparison {
  added: FieldSet;
  modified: FieldSet;
  removed: FieldSet;
}

/** Compare: leaves added, removed or changed; granular maps and lists are themselves added or removed. */
export function compare(set: SchemaSet, lhs: unknown, rhs: unknown, schema: Schema | undefined): Comparison {
  const c: Comparison = { added: newSet(), modified: newSet(), removed: newSet() };
  walkCompare(set, lhs, rhs, schema, [], c);
  return c;
}

function leafRule(l: unknown, r: unknown, path: Path, c: Comparison): void {
  if (l === undefined) insert(c.added, path);
  else if (r === undefined) insert(c.removed, path);
  else if (!deepEqual(l, r)) insert(c.modified, path);
}

function walkCompare(set: SchemaSet, l: unknown, r: unknown, schema: Schema | undefined, path: Path, c: Comparison): void {
  const node = classify(set, schema, l, r);
  if (node.t === 'leaf' || (emptyOrNull(l) && emptyOrNull(r))) {
    if (path.length) leafRule(l, r, path, c);
    return;
  }
  if (node.t === 'list') {
    const li = indexItems(set, node, l, path, false);
    const ri = indexItems(set, node, r, path, false);
    for (const k of new Set([...li.order, ...ri.order])) {
      const pe = (li.byKey.get(k) ?? ri.byKey.get(k))!.pe;
      walkCompare(set, li.byKey.get(k)?.item, ri.byKey.get(k)?.item, node.items, [...path, pe], c);
    }
  } else {
    const lm = isObject(l) ? l : {};
    const rm = isObject(r) ? r : {};
    for (const k of new Set([...Object.keys(lm), ...Object.keys(rm)])) {
      walkCompare(set, lm[k], rm[k], fieldSchema(set, node.s, k), [...path, field(k)], c);
    }
  }
  if (!path.length) return;
  if (l === undefined) insert(c.added, path);
  else if (r === undefined) insert(c.removed, path);
}

/** Merge: the applied configuration (rhs) wins on leaves; granular maps and lists merge item by item. */
export function merge(set: SchemaSet, l: unknown, r: unknown, schema: Schema | undefined): unknown {
  if (r === undefined) return l;
  if (l === undefined) return r;
  const node = classify(set, schema, l, r);
  if (node.t === 'leaf' || (emptyOrNull(l) && emptyOrNull(r))) return r;
  if (node.t === 'list') return mergeList(set, node, l, r);
  const lm = isObject(l) ? l : {};
  const rm = isObject(r) ? r : {};
  const out: Obj = {};
  for (const k of new Set([...Object.keys(lm), ...Object.keys(rm)])) {
    const v = merge(set, lm[k], rm[k], fieldSchema(set, node.s, k));
    if (v !== undefined) out[k] = v;
  }
  return out;
}

/** The merging walker's list order: the applied order, with live-only items kept near their neighbours. */
function mergeList(set: SchemaSet, node: Extract<Node, { t: 'list' }>, l: unknown, r: unknown): unknown[] {
  const li = indexItems(set, node, l, [], false);
  const ri = indexItems(set, node, r, [], false);
  const shared = ri.order.filter((k) => li.byKey.has(k));
  let next = shared.shift();
  const out: unknown[] = [];
  const take = (k: string) => {
    const v = merge(set, li.byKey.get(k)?.item, ri.byKey.get(k)?.item, node.items);
    if (v !== undefined) out.push(v);
  };
  let lI = 0;
  let rI = 0;
  while (lI < li.order.length || rI < ri.order.length) {
    if (lI < li.order.length && rI < ri.order.length) {
      const k = li.order[lI];
      if (k === ri.order[rI]) {
        take(k);
        lI++;
        rI++;
        next = shared.shift();
        continue;
      }
      if (ri.byKey.has(k) && next !== undefined && next !== k) {
        lI++;
        continue;
      }
    }
    if (lI < li.order.length && !ri.byKey.has(li.order[lI])) {
      take(li.order[lI++]);
      continue;
    }
    if (rI < ri.order.length) {
      const k = ri.order[rI++];
      take(k);
      if (next === k) next = shared.shift();
      continue;
    }
    lI++; // a live item already merged through the applied list
  }
  return out;
}

/**
 * RemoveItems: drops every path of `remove` from the value (a member drops
 * its whole subtree). A map emptied by the removal is dropped too, as an
 * empty map field is omitted when upstream serialises the typed object.
 */
export function removeItems(set: SchemaSet, v: unknown, remove: FieldSet, schema: Schema | undefined): unknown {
  if (isEmpty(remove)) return v;
  const node = classify(set, schema, v);
  if (node.t === 'leaf') return v;
  if (node.t === 'list') {
    if (!Array.isArray(v)) return v;
    return v.flatMap((item) => {
      const pe = itemElement(set, node, item);
      if (typeof pe === 'string') return [item];
      if (has(remove, [pe])) return [];
      return [removeItems(set, item, withPrefix(remove, pe), node.items)];
    });
  }
  if (!isObject(v)) return v;
  const out: Obj = {};
  for (const [k, cv] of Object.entries(v)) {
    const pe = field(k);
    if (has(remove, [pe])) continue;
    const cs = fieldSchema(set, node.s, k);
    const nv = removeItems(set, cv, withPrefix(remove, pe), cs);
    const emptied = resolve(set, cs)?.kind === 'map' && isObject(nv) && !Object.keys(nv).length && isObject(cv) && Object.keys(cv).length > 0;
    if (!emptied) out[k] = nv;
  }
  return out;
}

/** EnsureNamedFieldsAreMembers: a struct field with owned children counts as owned itself. */
export function ensureNamedFieldsAreMembers(set: SchemaSet, fs: FieldSet, schema: Schema | undefined): FieldSet {
  const s = resolve(set, schema);
  const out: FieldSet = { member: fs.member, children: new Map() };
  for (const [k, c] of fs.children) {
    const cs = c.pe.kind === 'field' ? fieldSchema(set, s, c.pe.name) : itemSchema(set, s);
    const inner = ensureNamedFieldsAreMembers(set, c, cs);
    if (c.pe.kind === 'field' && s?.kind === 'object' && Object.hasOwn(s.properties, c.pe.name)) inner.member = true;
    out.children.set(k, { ...inner, pe: c.pe });
  }
  return out;
}

/**
 * The object a create compares against, standing in for upstream's freshly
 * constructed Go object: nested structs exist (empty) and required lists and
 * maps are null, so only maps, pointer-like fields and list items the request
 * adds are recorded as added containers (the `.` entries of managedFields).
 */
export function zeroObject(set: SchemaSet, schema: Schema | undefined, seen = new Set<Schema>()): Obj {
  const s = resolve(set, schema);
  const out: Obj = {};
  if (s?.kind !== 'object' || seen.has(s) || seen.size > 16) return out;
  seen.add(s);
  for (const [k, p] of Object.entries(s.properties)) {
    const ps = resolve(set, p);
    if (ps?.kind === 'object' && ps.mapType !== 'atomic') out[k] = zeroObject(set, ps, seen);
    else if (s.required?.includes(k) && (ps?.kind === 'array' || ps?.kind === 'map')) out[k] = null;
  }
  seen.delete(s);
  return out;
}
