/**
 * @module The list half of the strategic merge patch: merging lists by
 * patchMergeKey or as sets of primitives, `$patch` items, deletion lists, and
 * upstream's ordering rules (normalizeElementOrder, mergeSortedSlice), which
 * decide where merged items land and are reproduced exactly.
 */
import type { Schema } from '../../api/schema/types.ts';
import { goValue, serverError } from './go-format.ts';
import { isObject, itemSchema, patchMeta } from './schema-walk.ts';
import { DIRECTIVE, fresh, mergeMap, smpErrors, type SmpContext } from './strategic.ts';

type Obj = Record<string, unknown>;
export type ElementKind = 'map' | 'scalar';

/** mergeSliceHandler: merge-strategy lists merge; any other list is replaced by the patch. */
export function mergeSliceHandler(ctx: SmpContext, original: unknown[], patch: unknown[], fs: Schema | undefined, isDeleteList: boolean): unknown[] {
  const meta = patchMeta(fs);
  if (meta.strategy !== 'merge') return fs ? (fresh(ctx, patch, { ...fs, patchStrategy: undefined }) as unknown[]) : patch;
  return mergeSlice(ctx, original, patch, itemSchema(ctx.set, fs), meta.mergeKey, isDeleteList);
}

/** sliceElementType: all elements must share one type, and not be lists. */
export function sliceElementKind(...lists: unknown[][]): ElementKind {
  let prev: string | undefined;
  for (const list of lists) {
    for (const v of list) {
      const t = v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v;
      if (prev === undefined) {
        prev = t;
        if (t === 'array') throw smpErrors.noListOfLists();
      } else if (prev !== t) {
        throw serverError(`list element types are not identical: ${goValue(lists)}`);
      }
    }
  }
  if (prev === undefined) throw serverError('no elements in any of the given slices');
  return prev === 'object' ? 'map' : 'scalar';
}

function mergeSlice(ctx: SmpContext, original: unknown[], patch: unknown[], items: Schema | undefined, mergeKey: string, isDeleteList: boolean): unknown[] {
  if (original.length === 0 && patch.length === 0) return original;
  const kind = sliceElementKind(original, patch);
  let merged: unknown[];
  if (kind !== 'map') {
    if (isDeleteList) return original.filter((v) => !patch.includes(v));
    merged = dedupe([...original, ...patch]);
  } else {
    if (!mergeKey) throw serverError('cannot merge lists without merge key for type struct');
    [original, patch] = withSpecialElements(original, patch, mergeKey);
    merged = withoutSpecialElements(ctx, original, patch, mergeKey, items);
  }
  const [patchItems, serverOnly] = partition(merged, patch, kind === 'map' ? mergeKey : '');
  return normalizeElementOrder(patchItems, serverOnly, patch, original, kind === 'map' ? mergeKey : '', kind);
}

function dedupe(list: unknown[]): unknown[] {
  return list.filter((v, i) => list.indexOf(v) === i);
}

/** mergeSliceWithSpecialElements: applies `$patch: delete|replace` items; returns the new original and the plain patch items. */
function withSpecialElements(original: unknown[], patch: unknown[], mergeKey: string): [unknown[], unknown[]] {
  const plain: unknown[] = [];
  let replace = false;
  for (const v of patch) {
    const m = v as Obj;
    if (!Object.hasOwn(m, DIRECTIVE)) {
      plain.push(v);
      continue;
    }
    const directive = m[DIRECTIVE];
    if (directive === 'delete') {
      if (!Object.hasOwn(m, mergeKey)) throw smpErrors.noMergeKey(m, mergeKey);
      original = original.filter((o, i) => {
        if (!isObject(o)) throw serverError(`value for key ${i} is not a map.`);
        return !(Object.hasOwn(o, mergeKey) && o[mergeKey] === m[mergeKey]);
      });
    } else if (directive === 'replace') {
      replace = true;
    } else if (directive === 'merge') {
      throw serverError('merging lists cannot yet be specified in the patch');
    } else {
      throw smpErrors.badPatchType(directive, m);
    }
  }
  return replace ? [plain, []] : [original, plain];
}

/** mergeSliceWithoutSpecialElements: items with a known merge key merge into the original item; others append. */
function withoutSpecialElements(ctx: SmpContext, original: unknown[], patch: unknown[], mergeKey: string, items: Schema | undefined): unknown[] {
  const out = [...original];
  for (const v of patch) {
    const m = v as Obj;
    if (!Object.hasOwn(m, mergeKey)) throw smpErrors.noMergeKey(m, mergeKey);
    const i = findByKey(out, mergeKey, m[mergeKey]);
    if (i >= 0) out[i] = mergeMap(ctx, out[i] as Obj, m, items);
    else out.push(fresh(ctx, m, items));
  }
  return out;
}

function findByKey(list: unknown[], mergeKey: string, value: unknown): number {
  for (let i = 0; i < list.length; i++) {
    const o = list[i];
    if (!isObject(o)) throw serverError(`value for key ${i} is not a map.`);
    if (Object.hasOwn(o, mergeKey) && o[mergeKey] === value) return i;
  }
  return -1;
}

/** Splits `list` into items present in `by` (by merge key, or by value for primitives) and the rest. */
export function partition(list: unknown[], by: unknown[], mergeKey: string): [unknown[], unknown[]] {
  const inBy: unknown[] = [];
  const rest: unknown[] = [];
  for (const v of list) {
    let found: boolean;
    if (!mergeKey) found = by.includes(v);
    else {
      if (!isObject(v)) throw smpErrors.badArgType('map[string]interface {}', v);
      if (!Object.hasOwn(v, mergeKey)) throw smpErrors.noMergeKey(v, mergeKey);
      found = by.some((b) => isObject(b) && Object.hasOwn(b, mergeKey) && b[mergeKey] === v[mergeKey]);
    }
    (found ? inBy : rest).push(v);
  }
  return [inBy, rest];
}

/** index(): position of `v` in `list` by merge key (maps) or value (primitives), -1 if absent. */
function indexIn(list: unknown[], v: unknown, mergeKey: string, kind: ElementKind): number {
  const key = (x: unknown) => (kind === 'map' ? (isObject(x) ? x[mergeKey] : undefined) : x);
  const want = key(v);
  return list.findIndex((x) => key(x) === want);
}

/** normalizeElementOrder: patch items in patch order, server-only items in live order, then interleaved. */
export function normalizeElementOrder(
  patch: unknown[],
  serverOnly: unknown[],
  patchOrder: unknown[],
  serverOrder: unknown[],
  mergeKey: string,
  kind: ElementKind,
): unknown[] {
  const p = normalizeSliceOrder(patch, patchOrder, mergeKey, kind);
  const s = normalizeSliceOrder(serverOnly, serverOrder, mergeKey, kind);
  return mergeSortedSlice(s, p, serverOrder, mergeKey, kind);
}

function normalizeSliceOrder(toSort: unknown[], order: unknown[], mergeKey: string, kind: ElementKind): unknown[] {
  let toDelete: unknown[] = [];
  if (kind === 'map') {
    for (const list of [toSort, order]) {
      for (const item of list) {
        if (!isObject(item)) throw smpErrors.badArgType('map[string]interface {}', item);
        if (!Object.hasOwn(item, mergeKey)) throw smpErrors.noMergeKey(item, mergeKey);
      }
    }
    toDelete = toSort.filter((v) => (v as Obj)[DIRECTIVE] === 'delete');
    toSort = toSort.filter((v) => (v as Obj)[DIRECTIVE] !== 'delete');
  }
  const pos = (v: unknown) => {
    const i = indexIn(order, v, mergeKey, kind);
    return i < 0 ? Infinity : i;
  };
  return [...toSort.map((v, i) => ({ v, i, p: pos(v) })).sort((a, b) => a.p - b.p || a.i - b.i).map((x) => x.v), ...toDelete];
}

/**
 * mergeSortedSlice: inserts the server-only items (left) among the patch
 * items (right), taking a left item first only when both are in the live
 * list and the left one comes earlier there.
 */
function mergeSortedSlice(left: unknown[], right: unknown[], serverOrder: unknown[], mergeKey: string, kind: ElementKind): unknown[] {
  const out: unknown[] = [];
  let i = 0;
  let j = 0;
  while (i < left.length || j < right.length) {
    if (i >= left.length) out.push(right[j++]);
    else if (j >= right.length) out.push(left[i++]);
    else {
      const li = indexIn(serverOrder, left[i], mergeKey, kind);
      const ri = indexIn(serverOrder, right[j], mergeKey, kind);
      if (li >= 0 && ri >= 0 && li < ri) out.push(left[i++]);
      else out.push(right[j++]);
    }
  }
  return out;
}

/**
 * validatePatchWithSetOrderList: the patch list's items (deletions and
 * directive items aside) must appear in the `$setElementOrder` list, in the
 * same relative order.
 */
export function validatePatchWithSetOrderList(patchList: unknown[], order: unknown[], mergeKey: string): void {
  if (order.length === 0 || patchList.length === 0) return;
  let nonDelete = patchList;
  if (mergeKey) {
    for (const v of patchList) if (!isObject(v)) throw smpErrors.badArgType('map[string]interface {}', v);
    nonDelete = patchList.filter((v) => (v as Obj)[DIRECTIVE] !== 'delete');
  }
  let pi = 0;
  let oi = 0;
  while (pi < nonDelete.length && oi < order.length) {
    if (isObject(nonDelete[pi]) && Object.hasOwn(nonDelete[pi] as Obj, DIRECTIVE)) {
      pi++;
      continue;
    }
    if (keyEqual(nonDelete[pi], order[oi], mergeKey)) pi++;
    oi++;
  }
  if (pi < nonDelete.length && oi >= order.length) {
    throw serverError(`The order in patch list:\n${goValue(patchList)}\n doesn't match $setElementOrder list:\n${goValue(order)}\n`);
  }
}

/** mergeKeyValueEqual. */
function keyEqual(left: unknown, right: unknown, mergeKey: string): boolean {
  if (!mergeKey) return left === right;
  if (!isObject(left)) throw smpErrors.badArgType('map[string]interface {}', left);
  if (!isObject(right)) throw smpErrors.badArgType('map[string]interface {}', right);
  if (!Object.hasOwn(left, mergeKey)) throw smpErrors.noMergeKey(left, mergeKey);
  if (!Object.hasOwn(right, mergeKey)) throw smpErrors.noMergeKey(right, mergeKey);
  return left[mergeKey] === right[mergeKey];
}
