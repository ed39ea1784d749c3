/**
 * @module Strategic merge patch (application/strategic-merge-patch+json) as
 * upstream's strategicpatch.StrategicMergeMapPatch applies it server-side:
 * maps merge and null deletes; lists follow the field's patch strategy (merge
 * by patchMergeKey, union of primitives, else replace); the directives
 * `$patch: replace|delete` (on maps and list items), `$retainKeys`,
 * `$deleteFromPrimitiveList/<field>` and `$setElementOrder/<field>`. Fields
 * without a schema, and `any` subtrees, merge like a JSON merge patch.
 * Error texts and status codes follow mergepatch's errors and the patch
 * handler's interpretStrategicMergePatchError.
 */
import { badRequest } from '../../api/errors.ts';
import type { Schema, SchemaSet } from '../../api/schema/types.ts';
import { goValue, serverError, unprocessable } from './go-format.ts';
import { mergeObjects, mergeValue } from './merge-patch.ts';
import { clone, fieldSchema, isObject, itemSchema, patchMeta, resolve } from './schema-walk.ts';
import { mergeSliceHandler, normalizeElementOrder, partition, sliceElementKind, validatePatchWithSetOrderList } from './strategic-list.ts';

export const DIRECTIVE = '$patch';
export const RETAIN_KEYS = '$retainKeys';
export const DELETE_FROM_PRIMITIVE_LIST = '$deleteFromPrimitiveList';
export const SET_ELEMENT_ORDER = '$setElementOrder';

type Obj = Record<string, unknown>;

/** The package's errors, with the status interpretStrategicMergePatchError gives each. */
export const smpErrors = {
  badJsonDoc: () => badRequest('invalid JSON document'),
  noListOfLists: () => unprocessable('lists of lists are not supported'),
  badPrimitiveList: () => badRequest('invalid patch format of primitive list'),
  badRetainKeys: () => badRequest('invalid patch format of retainKeys'),
  badSetElementOrder: () => badRequest('invalid patch format of setElementOrder list'),
  noMergeKey: (m: unknown, key: string) => serverError(`map: ${goValue(m)} does not contain declared merge key: ${key}`),
  badArgType: (expected: string, actual: unknown) => serverError(`expected a ${expected}, but received a ${goTypeName(actual)}`),
  badPatchType: (t: unknown, m: unknown) => serverError(`unknown patch type: ${goValue(t)} in map: ${goValue(m)}`),
};

/** reflect.TypeOf(v).String() for a value encoding/json decoded (integers as int64). */
export function goTypeName(v: unknown): string {
  if (v === null || v === undefined) return '<nil>';
  if (Array.isArray(v)) return '[]interface {}';
  if (typeof v === 'object') return 'map[string]interface {}';
  if (typeof v === 'number') return Number.isInteger(v) ? 'int64' : 'float64';
  return typeof v === 'boolean' ? 'bool' : 'string';
}

export interface SmpContext {
  set: SchemaSet;
}

/** Parses a strategic merge patch body; JSON null is an empty patch. */
export function decodeStrategicPatch(body: string): Obj {
  let patch: unknown;
  try {
    patch = JSON.parse(body);
  } catch (e) {
    throw badRequest((e as Error).message);
  }
  if (patch === null) return {};
  if (!isObject(patch)) {
    const kind = Array.isArray(patch) ? 'array' : typeof patch === 'boolean' ? 'bool' : typeof patch;
    throw badRequest(`json: cannot unmarshal ${kind} into Go value of type map[string]interface {}`);
  }
  return patch;
}

/**
 * Applies a decoded strategic merge patch to a copy of `original` using the
 * schema of its kind (`root`; undefined: merge patch semantics throughout).
 * Never mutates its inputs.
 */
export function applyStrategicPatch<T extends object>(original: T, patch: unknown, root: Schema | undefined, set: SchemaSet): T {
  if (!isObject(patch)) throw smpErrors.badJsonDoc();
  const doc = clone(original) as unknown as Obj;
  const p = clone(patch);
  if (!resolve(set, root)) return mergeObjects(doc, p) as unknown as T;
  return mergeMap({ set }, doc, p, root) as unknown as T;
}

/** Upstream's mergeMap: `original` and `patch` are owned copies and are modified. */
export function mergeMap(ctx: SmpContext, original: Obj, patch: Obj, schema: Schema | undefined): Obj {
  if (Object.hasOwn(patch, DIRECTIVE)) return directiveInMap(patch[DIRECTIVE], patch);
  applyRetainKeys(original, patch);
  mergeSetElementOrder(ctx, original, patch, schema);
  for (const k of Object.keys(patch)) {
    const patchV = patch[k];
    let key = k;
    let isDeleteList = false;
    if (k.startsWith(DELETE_FROM_PRIMITIVE_LIST)) {
      key = extractKey(k, DELETE_FROM_PRIMITIVE_LIST);
      isDeleteList = true;
      if (patchV !== null && !Array.isArray(patchV)) throw smpErrors.badPrimitiveList();
    }
    if (patchV === null) {
      // IgnoreUnmatchedNulls: a null deletes the field if present and is otherwise dropped.
      delete original[key];
      continue;
    }
    const fs = fieldSchema(ctx.set, schema, key);
    if (!Object.hasOwn(original, key)) {
      // Upstream would add the deletion list itself here; deleting from nothing leaves nothing.
      if (!isDeleteList) original[key] = fresh(ctx, patchV, fs);
      continue;
    }
    original[key] = mergeField(ctx, original[key], patchV, fs, isDeleteList);
  }
  return original;
}

function mergeField(ctx: SmpContext, orig: unknown, patchV: unknown, fs: Schema | undefined, isDeleteList: boolean): unknown {
  if (isDeleteList && Array.isArray(orig) && patchMeta(fs).strategy !== 'merge') {
    // Upstream replaces such a list by the deletion list (or fails without a schema); deleting is what was asked.
    return orig.filter((v) => !(patchV as unknown[]).includes(v));
  }
  if (!fs || fs.kind === 'any') return mergeValue(orig, patchV);
  if (goTypeName(orig) !== goTypeName(patchV)) return fresh(ctx, patchV, fs);
  const meta = patchMeta(fs);
  if (isObject(orig) && isObject(patchV)) {
    return meta.strategy === 'replace' ? fresh(ctx, patchV, fs) : mergeMap(ctx, orig, patchV, fs);
  }
  if (Array.isArray(orig) && Array.isArray(patchV)) {
    return mergeSliceHandler(ctx, orig, patchV, fs, isDeleteList);
  }
  return patchV;
}

/**
 * The value of a field the original lacks. Upstream stores the raw patch
 * value and lets typed decoding drop directives; here they are applied to an
 * empty value so the stored JSON never carries them.
 */
export function fresh(ctx: SmpContext, v: unknown, s: Schema | undefined): unknown {
  if (!s || s.kind === 'any') return mergeValue(undefined, v);
  if (isObject(v) && (s.kind === 'object' || s.kind === 'map')) return mergeMap(ctx, {}, v, s);
  if (Array.isArray(v) && s.kind === 'array') {
    const items = itemSchema(ctx.set, s);
    if (patchMeta(s).strategy === 'merge') return mergeSliceHandler(ctx, [], v, s, false);
    return v.map((x) => (isObject(x) && items && (items.kind === 'object' || items.kind === 'map') ? mergeMap(ctx, {}, x, items) : x));
  }
  return v;
}

/** handleDirectiveInMergeMap: `$patch: replace` keeps the patch as the value, `$patch: delete` empties it. */
function directiveInMap(directive: unknown, patch: Obj): Obj {
  if (directive === 'replace') {
    delete patch[DIRECTIVE];
    return patch;
  }
  if (directive === 'delete') return {};
  throw smpErrors.badPatchType(directive, patch);
}

/** applyRetainKeysDirective: clear original fields missing from `$retainKeys`; the patch may only set listed ones. */
function applyRetainKeys(original: Obj, patch: Obj): void {
  if (!Object.hasOwn(patch, RETAIN_KEYS)) return;
  const list = patch[RETAIN_KEYS];
  delete patch[RETAIN_KEYS];
  if (!Array.isArray(list)) throw smpErrors.badRetainKeys();
  const keep = new Set(list);
  for (const [k, v] of Object.entries(patch)) {
    if (v === null || k.startsWith(DELETE_FROM_PRIMITIVE_LIST) || k.startsWith(SET_ELEMENT_ORDER)) continue;
    if (!keep.has(k)) throw smpErrors.badRetainKeys();
  }
  for (const k of Object.keys(original)) if (!keep.has(k)) delete original[k];
}

/** extractKey: the field name after `<prefix>/`. */
function extractKey(s: string, prefix: string): string {
  const i = s.indexOf('/');
  if (i < 0 || s.slice(0, i) !== prefix) {
    throw prefix === DELETE_FROM_PRIMITIVE_LIST ? smpErrors.badPrimitiveList() : smpErrors.badSetElementOrder();
  }
  return s.slice(i + 1);
}

/**
 * mergePatchIntoOriginal: each `$setElementOrder/<field>` merges its list now
 * and orders the result: the directive's order, then the patch's, then the
 * live list's for items the patch does not mention.
 */
function mergeSetElementOrder(ctx: SmpContext, original: Obj, patch: Obj, schema: Schema | undefined): void {
  for (const key of Object.keys(patch)) {
    if (!key.startsWith(SET_ELEMENT_ORDER)) continue;
    const order = patch[key];
    delete patch[key];
    if (!Array.isArray(order)) throw smpErrors.badArgType('[]interface {}', order);
    const field = extractKey(key, SET_ELEMENT_ORDER);
    const foundOriginal = Object.hasOwn(original, field);
    const foundPatch = Object.hasOwn(patch, field);
    const origList = original[field];
    const patchList = patch[field];
    if (foundOriginal && !Array.isArray(origList)) throw smpErrors.badArgType('[]interface {}', origList);
    if (foundPatch && !Array.isArray(patchList)) throw smpErrors.badArgType('[]interface {}', patchList);
    const fs = fieldSchema(ctx.set, schema, field);
    const { mergeKey } = patchMeta(fs);
    validatePatchWithSetOrderList((patchList as unknown[] | undefined) ?? [], order, mergeKey);
    let merged: unknown[];
    if (foundOriginal && foundPatch) merged = mergeSliceHandler(ctx, origList as unknown[], patchList as unknown[], fs, false);
    else if (foundPatch) merged = fresh(ctx, patchList, fs) as unknown[];
    else if (foundOriginal) merged = origList as unknown[];
    else continue;
    const [patchItems, serverOnly] = partition(merged, order, mergeKey);
    const kind = sliceElementKind((origList as unknown[] | undefined) ?? [], (patchList as unknown[] | undefined) ?? []);
    original[field] = normalizeElementOrder(patchItems, serverOnly, order, (origList as unknown[] | undefined) ?? [], mergeKey, kind);
    delete patch[field];
  }
}
