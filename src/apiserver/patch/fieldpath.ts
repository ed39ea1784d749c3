/**
 * @module Field paths and field sets as structured-merge-diff's fieldpath
 * package models them: a path element is a field name, a list item's key
 * fields, a set item's value or an index; a set is a tree whose nodes may be
 * members. Serialises to and from the FieldsV1 format stored in
 * metadata.managedFields (`{"f:spec":{"f:containers":{"k:{\"name\":\"x\"}":{".":{}}}}}`)
 * and prints paths as conflict messages do (`.spec.containers[name="x"].image`).
 */
import { goJson } from './go-format.ts';
import { isObject } from './schema-walk.ts';

export type PathElement =
  | { kind: 'field'; name: string }
  | { kind: 'key'; fields: [string, unknown][] }
  | { kind: 'value'; value: unknown }
  | { kind: 'index'; index: number };

export type Path = PathElement[];

export interface FieldSet {
  member: boolean;
  children: Map<string, FieldSet & { pe: PathElement }>;
}

export const field = (name: string): PathElement => ({ kind: 'field', name });

export function newSet(): FieldSet {
  return { member: false, children: new Map() };
}

/** A set of field-name paths (`[['status'], ['metadata', 'labels']]`); undefined for none. */
export function fieldPaths(list: string[][] | undefined): FieldSet | undefined {
  if (!list?.length) return undefined;
  const s = newSet();
  for (const p of list) insert(s, p.map(field));
  return s;
}

/** The FieldsV1 key of an element: `f:name`, `k:{"name":"x"}`, `v:"a"`, `i:0`. */
export function peKey(pe: PathElement): string {
  switch (pe.kind) {
    case 'field':
      return `f:${pe.name}`;
    case 'key':
      return `k:${goJson(Object.fromEntries(pe.fields))}`;
    case 'value':
      return `v:${goJson(pe.value)}`;
    case 'index':
      return `i:${pe.index}`;
  }
}

/** Parses a FieldsV1 key; throws on anything else. */
export function parsePeKey(s: string): PathElement {
  const rest = s.slice(2);
  if (s.startsWith('f:')) return field(rest);
  if (s.startsWith('i:') && /^\d+$/.test(rest)) return { kind: 'index', index: Number(rest) };
  if (s.startsWith('v:')) return { kind: 'value', value: JSON.parse(rest) };
  if (s.startsWith('k:')) {
    const o: unknown = JSON.parse(rest);
    if (!isObject(o)) throw new Error(`unknown path element type: ${s}`);
    return keyElement(Object.entries(o));
  }
  throw new Error(`unknown path element type: ${s}`);
}

export function keyElement(fields: [string, unknown][]): PathElement {
  return { kind: 'key', fields: [...fields].sort((a, b) => cmpStr(a[0], b[0])) };
}

/** PathElement.String(): `.name`, `[k=v,...]`, `[=v]`, `[i]`. */
function peText(pe: PathElement): string {
  switch (pe.kind) {
    case 'field':
      return `.${pe.name}`;
    case 'key':
      return `[${pe.fields.map(([k, v]) => `${k}=${valueText(v)}`).join(',')}]`;
    case 'value':
      return `[=${valueText(pe.value)}]`;
    case 'index':
      return `[${pe.index}]`;
  }
}

const valueText = (v: unknown): string => goJson(v);

export function pathText(path: Path): string {
  return path.map(peText).join('');
}

const cmpStr = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

const rank = (v: unknown): number =>
  typeof v === 'number' ? 0 : typeof v === 'string' ? 1 : typeof v === 'boolean' ? 2 : Array.isArray(v) ? 3 : isObject(v) ? 4 : 5;

/** value.Compare: numbers < strings < booleans < lists < maps < null. */
export function compareValues(a: unknown, b: unknown): number {
  const ra = rank(a);
  const rb = rank(b);
  if (ra !== rb) return ra - rb;
  if (ra === 0) return (a as number) - (b as number);
  if (ra === 1) return cmpStr(a as string, b as string);
  if (ra === 2) return Number(a) - Number(b);
  return cmpStr(JSON.stringify(a), JSON.stringify(b));
}

const peRank = { field: 0, key: 1, value: 2, index: 3 };

export function comparePE(a: PathElement, b: PathElement): number {
  if (a.kind !== b.kind) return peRank[a.kind] - peRank[b.kind];
  if (a.kind === 'field') return cmpStr(a.name, (b as typeof a).name);
  if (a.kind === 'value') return compareValues(a.value, (b as typeof a).value);
  if (a.kind === 'index') return a.index - (b as typeof a).index;
  const bf = (b as typeof a).fields;
  for (let i = 0; ; i++) {
    if (i >= a.fields.length || i >= bf.length) return a.fields.length - bf.length;
    const c = cmpStr(a.fields[i][0], bf[i][0]) || compareValues(a.fields[i][1], bf[i][1]);
    if (c) return c;
  }
}

function sortedChildren(s: FieldSet): (FieldSet & { pe: PathElement })[] {
  return [...s.children.values()].sort((a, b) => comparePE(a.pe, b.pe));
}

function child(s: FieldSet, pe: PathElement, create: true): FieldSet & { pe: PathElement };
function child(s: FieldSet, pe: PathElement, create: false): (FieldSet & { pe: PathElement }) | undefined;
function child(s: FieldSet, pe: PathElement, create: boolean) {
  const k = peKey(pe);
  let c = s.children.get(k);
  if (!c && create) s.children.set(k, (c = { pe, member: false, children: new Map() }));
  return c;
}

export function insert(s: FieldSet, path: Path): void {
  let cur = s;
  for (const pe of path) cur = child(cur, pe, true);
  cur.member = true;
}

export function has(s: FieldSet, path: Path): boolean {
  let cur: FieldSet | undefined = s;
  for (const pe of path) if (!(cur = child(cur, pe, false))) return false;
  return cur.member;
}

/** The subtree under `pe` (what Set.WithPrefix returns), or an empty set. */
export function withPrefix(s: FieldSet, pe: PathElement): FieldSet {
  return child(s, pe, false) ?? newSet();
}

export function isEmpty(s: FieldSet): boolean {
  return !s.member && [...s.children.values()].every(isEmpty);
}

function combine(a: FieldSet, b: FieldSet, member: (x: boolean, y: boolean) => boolean, keepA: boolean, keepB: boolean): FieldSet {
  const out = newSet();
  out.member = member(a.member, b.member);
  for (const [k, ca] of a.children) {
    const cb = b.children.get(k);
    const c = cb ? combine(ca, cb, member, keepA, keepB) : keepA ? copy(ca) : undefined;
    if (c && !isEmpty(c)) out.children.set(k, { ...c, pe: ca.pe });
  }
  if (keepB) for (const [k, cb] of b.children) if (!a.children.has(k) && !isEmpty(cb)) out.children.set(k, { ...copy(cb), pe: cb.pe });
  return out;
}

function copy(s: FieldSet): FieldSet {
  return combine(s, newSet(), (x) => x, true, false);
}

export const union = (a: FieldSet, b: FieldSet): FieldSet => combine(a, b, (x, y) => x || y, true, true);
export const difference = (a: FieldSet, b: FieldSet): FieldSet => combine(a, b, (x, y) => x && !y, true, false);
export const intersection = (a: FieldSet, b: FieldSet): FieldSet => combine(a, b, (x, y) => x && y, false, false);

/** a minus every path of `a` that is, or lies under, a member of `b` (Set.RecursiveDifference). */
export function recursiveDifference(a: FieldSet, b: FieldSet): FieldSet {
  if (b.member) return newSet();
  const out = newSet();
  out.member = a.member;
  for (const [k, ca] of a.children) {
    const cb = b.children.get(k);
    const c = cb ? recursiveDifference(ca, cb) : copy(ca);
    if (!isEmpty(c)) out.children.set(k, { ...c, pe: ca.pe });
  }
  return out;
}

/** Set.Iterate: at each level the members in order, then each child's paths. */
export function iterate(s: FieldSet, fn: (p: Path) => void, prefix: Path = []): void {
  const kids = sortedChildren(s);
  for (const c of kids) if (c.member) fn([...prefix, c.pe]);
  for (const c of kids) iterate(c, fn, [...prefix, c.pe]);
}

export function paths(s: FieldSet): Path[] {
  const out: Path[] = [];
  iterate(s, (p) => out.push(p));
  return out;
}

/** The FieldsV1 object for a set: members with children carry a `.` entry. */
export function toFieldsV1(s: FieldSet): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const c of sortedChildren(s)) {
    const inner = toFieldsV1(c);
    out[peKey(c.pe)] = c.member && Object.keys(inner).length ? { '.': {}, ...inner } : inner;
  }
  return out;
}

/** Parses FieldsV1; throws on a malformed document. */
export function fromFieldsV1(v: unknown): FieldSet {
  const s = newSet();
  fill(s, v);
  return s;
}

function fill(s: FieldSet, v: unknown): void {
  if (!isObject(v)) throw new Error('expected an object');
  for (const [k, inner] of Object.entries(v)) {
    if (k === '.') {
      s.member = true;
      continue;
    }
    const c = child(s, parsePeKey(k), true);
    if (!isObject(inner)) throw new Error('expected an object');
    if (Object.keys(inner).length === 0) c.member = true;
    else fill(c, inner);
  }
}
