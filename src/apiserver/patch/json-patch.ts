/**
 * @module RFC 6902 JSON patch (application/json-patch+json) with the
 * semantics and error texts of the library upstream's patch handler uses
 * (gopkg.in/evanphx/json-patch.v4): `replace` of a missing object member adds
 * it, negative array indices count from the end, a failed op is a generic 422
 * whose library text is the error's cause, a malformed document a 400. Each
 * operation is checked here and then carried out by fast-json-patch on a copy.
 */
import fjp from 'fast-json-patch';
import { ApiError, badRequest } from '../../api/errors.ts';
import { unprocessable } from './go-format.ts';
import { clone, deepEqual, isObject } from './schema-walk.ts';

/** maxJSONPatchOperations in upstream's patch handler. */
export const MAX_JSON_PATCH_OPERATIONS = 10000;

type Container = Record<string, unknown> | unknown[];
type Op = Record<string, unknown>;

const goKind = (v: unknown): string =>
  v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v === 'boolean' ? 'bool' : typeof v === 'object' ? 'object' : typeof v;

/** Parses and checks the shape of a patch document as jsonpatch.DecodePatch does. */
export function decodeJsonPatch(body: string): Op[] {
  let doc: unknown;
  try {
    doc = JSON.parse(body);
  } catch (e) {
    throw badRequest((e as Error).message);
  }
  return checkDocument(doc);
}

function checkDocument(doc: unknown): Op[] {
  if (doc === null) return [];
  if (!Array.isArray(doc)) throw badRequest(`json: cannot unmarshal ${goKind(doc)} into Go value of type jsonpatch.Patch`);
  for (const op of doc) {
    if (op !== null && !isObject(op)) throw badRequest(`json: cannot unmarshal ${goKind(op)} into Go value of type jsonpatch.Operation`);
  }
  if (doc.length > MAX_JSON_PATCH_OPERATIONS) {
    throw new ApiError(413, 'RequestEntityTooLarge', `The allowed maximum operations in a JSON patch is ${MAX_JSON_PATCH_OPERATIONS}, got ${doc.length}`);
  }
  return doc.map((op) => op ?? {});
}

/** Applies a decoded JSON patch document to a copy of `obj`; never mutates its input. */
export function applyJsonPatch<T extends object>(obj: T, patchDoc: unknown): T {
  const ops = checkDocument(patchDoc);
  const doc = clone(obj) as unknown as Record<string, unknown>;
  for (const op of ops) {
    const text = applyOne(doc, op);
    if (text) throw unprocessable(text);
  }
  return doc as unknown as T;
}

const decodeToken = (t: string): string => t.replace(/~[01]/g, (m) => (m === '~1' ? '/' : '~'));
const pointer = (tokens: string[]): string => tokens.map((t) => '/' + fjp.escapePathComponent(t)).join('');

interface Target {
  con: Container;
  key: string;
  /** Tokens of the container from the root. */
  at: string[];
}

/** findObject: the container of the last token, or undefined when a parent is missing or not a container. */
function findObject(doc: Container, path: string): Target | undefined {
  const split = path.split('/');
  if (split.length < 2) return undefined;
  let cur: unknown = doc;
  const at: string[] = [];
  for (const part of split.slice(1, -1).map(decodeToken)) {
    const next = Array.isArray(cur) ? cur[arrayIndex(part) ?? -1] : (cur as Record<string, unknown>)[part];
    if (next === null || typeof next !== 'object') return undefined;
    at.push(Array.isArray(cur) ? String(arrayIndex(part)) : part);
    cur = next;
  }
  return { con: cur as Container, key: decodeToken(split[split.length - 1]), at };
}

/** strconv.Atoi for an array token; undefined when it is not an integer. */
function arrayIndex(key: string): number | undefined {
  return /^[+-]?\d+$/.test(key) ? Number(key) : undefined;
}

const atoiError = (key: string) => `strconv.Atoi: parsing ${JSON.stringify(key)}: invalid syntax`;
const invalidIndex = (i: number) => `Unable to access invalid index: ${i}: invalid index referenced`;

/** get: an object member (undefined when absent) or an array element; a string is an error text. */
function get(t: Target): { value: unknown } | string {
  if (!Array.isArray(t.con)) return { value: t.con[t.key] };
  const i = arrayIndex(t.key);
  if (i === undefined) return atoiError(t.key);
  if (i >= t.con.length || i < 0) return invalidIndex(i);
  return { value: t.con[i] };
}

/** Checks an add and returns the pointer fast-json-patch should add at, or an error text. */
function addPointer(t: Target): string | { err: string } {
  if (!Array.isArray(t.con) || t.key === '-') return pointer([...t.at, t.key]);
  let i = arrayIndex(t.key);
  if (i === undefined) return { err: `value was not a proper array index: '${t.key}': ${atoiError(t.key)}` };
  const size = t.con.length + 1;
  if (i >= size || i < -size) return { err: invalidIndex(i) };
  if (i < 0) i += size;
  return pointer([...t.at, String(i)]);
}

/** Checks a remove and returns the pointer to remove, or an error text. */
function removePointer(t: Target): string | { err: string } {
  if (!Array.isArray(t.con)) {
    if (!Object.hasOwn(t.con, t.key)) return { err: `Unable to remove nonexistent key: ${t.key}: missing value` };
    return pointer([...t.at, t.key]);
  }
  let i = arrayIndex(t.key);
  if (i === undefined) return { err: atoiError(t.key) };
  if (i >= t.con.length || i < -t.con.length) return { err: invalidIndex(i) };
  if (i < 0) i += t.con.length;
  return pointer([...t.at, String(i)]);
}

function strField(op: Op, name: 'path' | 'from'): string | undefined {
  return typeof op[name] === 'string' ? (op[name] as string) : undefined;
}

const run = (doc: Container, o: { op: 'add' | 'remove' | 'replace'; path: string; value?: unknown }) =>
  fjp.applyOperation(doc, o as fjp.Operation, false, true);

/** Applies one operation to `doc` in place; returns the library's error text on failure. */
function applyOne(doc: Container, op: Op): string | undefined {
  const kind = typeof op.op === 'string' ? op.op : 'unknown';
  const path = strField(op, 'path');
  const value = op.value === undefined ? null : clone(op.value);
  switch (kind) {
    case 'add': {
      if (path === undefined) return 'add operation failed to decode path: missing value';
      const t = findObject(doc, path);
      if (!t) return `add operation does not apply: doc is missing path: "${path}": missing value`;
      const p = addPointer(t);
      if (typeof p !== 'string') return `error in add for path: '${path}': ${p.err}`;
      run(doc, { op: 'add', path: p, value });
      return undefined;
    }
    case 'remove': {
      if (path === undefined) return 'remove operation failed to decode path: missing value';
      const t = findObject(doc, path);
      if (!t) return `remove operation does not apply: doc is missing path: "${path}": missing value`;
      const p = removePointer(t);
      if (typeof p !== 'string') return `error in remove for path: '${path}': ${p.err}`;
      run(doc, { op: 'remove', path: p });
      return undefined;
    }
    case 'replace': {
      if (path === undefined) return 'replace operation failed to decode path: operation missing path field: missing value';
      const t = findObject(doc, path);
      if (!t) return `replace operation does not apply: doc is missing path: ${path}: missing value`;
      if (typeof get(t) === 'string') return `replace operation does not apply: doc is missing key: ${path}: missing value`;
      // v4 leniency: replacing an absent object member sets it (as fast-json-patch's replace does).
      run(doc, { op: 'replace', path: pointer([...t.at, t.key]), value });
      return undefined;
    }
    case 'move':
    case 'copy':
      return moveOrCopy(doc, kind, op, path);
    case 'test': {
      if (path === undefined) return 'test operation failed to decode path: operation missing path field: missing value';
      const t = findObject(doc, path);
      if (!t) return `test operation does not apply: is missing path: ${path}: missing value`;
      const got = get(t);
      if (typeof got === 'string') return `error in test for path: '${path}': ${got}`;
      const actual = got.value ?? null;
      if (actual === null && op.value === null) return undefined;
      if (actual !== null && op.value !== undefined && deepEqual(actual, op.value)) return undefined;
      return `testing value ${path} failed: test failed`;
    }
    default:
      return `Unexpected kind: ${kind}`;
  }
}

function moveOrCopy(doc: Container, kind: 'move' | 'copy', op: Op, path: string | undefined): string | undefined {
  const from = strField(op, 'from');
  if (from === undefined) return `${kind} operation failed to decode from: operation, missing from field: missing value`;
  const src = findObject(doc, from);
  if (!src) return `${kind} operation does not apply: doc is missing from path: ${from}: missing value`;
  const got = get(src);
  if (typeof got === 'string') return kind === 'move' ? `error in move for path: '${src.key}': ${got}` : `error in copy for from: '${from}': ${got}`;
  if (kind === 'move') {
    const p = removePointer(src);
    if (typeof p !== 'string') return `error in move for path: '${src.key}': ${p.err}`;
    run(doc, { op: 'remove', path: p });
  }
  if (path === undefined) return `${kind} operation failed to decode path: ${kind === 'move' ? 'operation missing path field: ' : ''}missing value`;
  const dst = findObject(doc, path);
  if (!dst) return `${kind} operation does not apply: doc is missing destination path: ${path}: missing value`;
  const p = addPointer(dst);
  if (typeof p !== 'string') return kind === 'move' ? `error in move for path: '${path}': ${p.err}` : `error while adding value during copy: ${p.err}`;
  run(doc, { op: 'add', path: p, value: clone(got.value ?? null) });
  return undefined;
}
