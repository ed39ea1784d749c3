/**
 * @module RFC 7386 JSON merge patch (application/merge-patch+json) as
 * upstream's jsonpatch.MergePatch does it: objects merge member by member, a
 * null member deletes, anything else (arrays included) replaces; nulls inside
 * newly added objects are dropped. Also used by the strategic merge patch for
 * subtrees without a schema.
 */
import { badRequest, invalid } from '../../api/errors.ts';
import { invalid as fieldInvalid } from '../../api/field-errors.ts';
import { clone, isObject } from './schema-walk.ts';

/** ErrBadJSONPatch's text. */
export const BAD_JSON_PATCH = 'Invalid JSON Patch';

/** Parses a merge patch body; a syntax error or a scalar patch is ErrBadJSONPatch (400). */
export function decodeMergePatch(body: string): unknown {
  let patch: unknown;
  try {
    patch = JSON.parse(body);
  } catch {
    throw badRequest(BAD_JSON_PATCH);
  }
  return patch;
}

/** Applies a merge patch to a copy of `obj`; never mutates its input. */
export function applyMergePatch<T extends object>(obj: T, patch: unknown): T {
  if (Array.isArray(patch)) {
    // The patched document is the array, which then fails to decode as an object.
    throw invalid({ group: '', kind: '' }, '', [
      fieldInvalid('patch', JSON.stringify(patch), 'json: cannot unmarshal array into Go value of type map[string]interface {}'),
    ]);
  }
  if (!isObject(patch)) throw badRequest(BAD_JSON_PATCH);
  return mergeObjects(clone(obj) as Record<string, unknown>, patch) as T;
}

/** Merges `patch` into `doc` (mutated and returned); both must be objects. */
export function mergeObjects(doc: Record<string, unknown>, patch: Record<string, unknown>): Record<string, unknown> {
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) {
      delete doc[k];
      continue;
    }
    const cur = doc[k];
    if (cur === undefined || cur === null) doc[k] = pruneNulls(clone(v));
    else doc[k] = mergeValue(cur, v);
  }
  return doc;
}

/** jsonpatch's merge of one member: objects recurse; otherwise the patch value wins. */
export function mergeValue(cur: unknown, patch: unknown): unknown {
  if (patch === null) return undefined;
  if (!isObject(cur)) return pruneNulls(clone(patch));
  if (!isObject(patch)) return clone(patch);
  return mergeObjects(cur, patch);
}

/** Drops null members of objects, recursively (array elements stay, their members are pruned). */
function pruneNulls(v: unknown): unknown {
  if (Array.isArray(v)) return v.map((x) => (x === null ? x : pruneNulls(x)));
  if (isObject(v)) {
    for (const [k, x] of Object.entries(v)) {
      if (x === null) delete v[k];
      else pruneNulls(x);
    }
  }
  return v;
}
