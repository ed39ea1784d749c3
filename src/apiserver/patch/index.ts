/**
 * @module The patch engines behind PATCH: picks the engine by content type
 * (JSON patch, merge patch, strategic merge patch, server-side apply),
 * checks the patch options as upstream's ValidatePatchOptions does, and
 * returns the new object without touching the live one.
 */
import { ApiError, type GroupResource, invalid, notFound } from '../../api/errors.ts';
import { type FieldError, forbidden, required, tooLong, invalid as fieldInvalid } from '../../api/field-errors.ts';
import type { GVK, KubeObject } from '../../api/meta.ts';
import type { SchemaSet } from '../../api/schema/types.ts';
import { parseApplyBody, serverSideApply } from './apply.ts';
import { applyJsonPatch, decodeJsonPatch } from './json-patch.ts';
import { applyMergePatch, decodeMergePatch } from './merge-patch.ts';
import { applyStrategicPatch, decodeStrategicPatch } from './strategic.ts';

export { applyJsonPatch, decodeJsonPatch, MAX_JSON_PATCH_OPERATIONS } from './json-patch.ts';
export { applyMergePatch, decodeMergePatch } from './merge-patch.ts';
export { applyStrategicPatch, decodeStrategicPatch } from './strategic.ts';
export { LAST_APPLIED, parseApplyBody, serverSideApply, type ApplyOptions, type ApplyResult } from './apply.ts';
export { managerOrUserAgent, updateManagedFields, type UpdateManagedOptions } from './update-managed.ts';

export const JSON_PATCH = 'application/json-patch+json';
export const MERGE_PATCH = 'application/merge-patch+json';
export const STRATEGIC_MERGE_PATCH = 'application/strategic-merge-patch+json';
export const APPLY_PATCH_YAML = 'application/apply-patch+yaml';
export const APPLY_PATCH_CBOR = 'application/apply-patch+cbor';

export interface PatchInput {
  /** The request's Content-Type; parameters such as `; charset=utf-8` are ignored. */
  patchType: string;
  body: string | Uint8Array;
  /** The stored object; undefined when it does not exist (only apply creates). */
  live: KubeObject | undefined;
  schemas: SchemaSet;
  gvk: GVK;
  /** For the NotFound error of a non-apply patch to a missing object (default: the kind in lower case plus s). */
  resource?: GroupResource;
  name?: string;
  fieldManager?: string;
  /** The force parameter. Only apply may force; `true` on another patch type is rejected. */
  force?: boolean;
  subresource?: string;
  now?: Date;
  /** False for kinds that do not take strategic merge patches (custom resources). Default true. */
  strategic?: boolean;
  /** Passed to server-side apply: paths this endpoint resets (e.g. [['status']]). */
  ignoredFields?: string[][];
  /** Passed to server-side apply: defaulting of the merged object. */
  defaulter?: (obj: KubeObject) => void;
}

/** NewUnsupportedMediaTypeError with the patch types the resource accepts. */
function unsupported(strategic: boolean): ApiError {
  const accepted = [JSON_PATCH, MERGE_PATCH, ...(strategic ? [STRATEGIC_MERGE_PATCH] : []), APPLY_PATCH_YAML];
  return new ApiError(415, 'UnsupportedMediaType', `the body of the request was in an unknown format - accepted media types include: ${accepted.join(', ')}`);
}

/**
 * ValidatePatchOptions: force only with apply, a fieldManager for apply,
 * printable and at most 128 bytes. (Upstream also rejects an explicit
 * force=false on other patch types; that is the caller's to check.)
 */
export function validatePatchOptions(patchType: string, fieldManager: string | undefined, force: boolean | undefined): void {
  const errs: FieldError[] = [];
  const manager = fieldManager ?? '';
  if (patchType !== APPLY_PATCH_YAML && patchType !== APPLY_PATCH_CBOR) {
    if (force) errs.push(forbidden('force', 'may not be specified for non-apply patch'));
  } else if (!manager) {
    errs.push(required('fieldManager', 'is required for apply patch'));
  }
  if (Buffer.byteLength(manager) > 128) errs.push(tooLong('fieldManager', manager, 128));
  let pos = 0;
  for (const ch of manager) {
    if (!/[\p{L}\p{M}\p{N}\p{P}\p{S}]/u.test(ch) && ch !== ' ') {
      const cp = ch.codePointAt(0)!;
      errs.push(fieldInvalid('fieldManager', manager, `invalid character U+${cp.toString(16).toUpperCase().padStart(4, '0')} (at position ${pos})`));
    }
    pos += Buffer.byteLength(ch);
  }
  if (errs.length) throw invalid({ group: 'meta.k8s.io', kind: 'PatchOptions' }, '', errs);
}

/**
 * Applies a PATCH body to the live object and returns the new object; a
 * server-side apply to a missing object creates it. Non-apply patches leave
 * managedFields as the patch left them (record the write with
 * updateManagedFields); server-side apply returns them computed.
 */
export function applyPatch(input: PatchInput): KubeObject {
  const patchType = input.patchType.split(';')[0].trim();
  const strategic = input.strategic ?? true;
  const known = [JSON_PATCH, MERGE_PATCH, APPLY_PATCH_YAML, ...(strategic ? [STRATEGIC_MERGE_PATCH] : [])];
  if (!known.includes(patchType)) throw unsupported(strategic);
  validatePatchOptions(patchType, input.fieldManager, input.force);
  const body = typeof input.body === 'string' ? input.body : new TextDecoder().decode(input.body);

  if (patchType === APPLY_PATCH_YAML) {
    return serverSideApply(input.live, parseApplyBody(body), {
      schemas: input.schemas,
      gvk: input.gvk,
      manager: input.fieldManager!,
      force: input.force,
      subresource: input.subresource,
      now: input.now ?? new Date(),
      ignoredFields: input.ignoredFields,
      defaulter: input.defaulter,
    }).object;
  }
  if (!input.live) {
    throw notFound(input.resource ?? { group: input.gvk.group, resource: `${input.gvk.kind.toLowerCase()}s` }, input.name ?? '');
  }
  if (patchType === JSON_PATCH) return applyJsonPatch(input.live, decodeJsonPatch(body));
  if (patchType === MERGE_PATCH) return applyMergePatch(input.live, decodeMergePatch(body));
  const root = input.schemas.forKind(input.gvk.group, input.gvk.version, input.gvk.kind)?.schema;
  return applyStrategicPatch(input.live, decodeStrategicPatch(body), root, input.schemas);
}
