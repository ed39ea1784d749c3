/**
 * @module Create, update and patch: decode, check fields, default, admit,
 * validate, allocate, check quota, record managed fields, write. Shared by
 * the main resource and the status subresource.
 */
import * as errors from '../../api/errors.ts';
import type { KubeObject } from '../../api/meta.ts';
import { apiVersionOf } from '../../api/meta.ts';
import { decodeBody, mediaType, readBody, warningHeader } from '../http.ts';
import { allowCreateOnUpdate, generateName, prepareForCreate, prepareForUpdate } from '../strategy.ts';
import { dryRun, fieldManager, fieldValidation, type Ctx } from './context.ts';

const PATCH_TYPES = new Set([
  'application/json-patch+json',
  'application/merge-patch+json',
  'application/strategic-merge-patch+json',
  'application/apply-patch+yaml',
]);

/** Type-checks the decoded body and handles unknown fields per fieldValidation. */
export function checkBody(ctx: Ctx, body: unknown): KubeObject {
  const { def } = ctx;
  const want = apiVersionOf(def.group, def.version);
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw errors.badRequest(`Object 'Kind' is missing in '${JSON.stringify(body)}'`);
  }
  const obj = body as KubeObject;
  if (obj.apiVersion !== undefined && obj.apiVersion !== want) {
    throw errors.badRequest(`the API version in the data (${obj.apiVersion}) does not match the expected API version (${want})`);
  }
  if (obj.kind !== undefined && obj.kind !== def.kind) {
    throw errors.badRequest(`${obj.kind} in version "${def.version}" cannot be handled as a ${def.kind}: no kind "${obj.kind}" is registered for version "${want}"`);
  }
  obj.apiVersion = want;
  obj.kind = def.kind;
  if (obj.metadata === undefined || obj.metadata === null) obj.metadata = {};
  const check = ctx.types.checkFields(def, obj);
  if (check.typeErrors.length) {
    throw errors.badRequest(`${def.kind} in version "${def.version}" cannot be handled as a ${def.kind}: ${check.typeErrors[0]}`);
  }
  if (check.unknown.length) {
    const mode = fieldValidation(ctx.query);
    if (mode === 'Strict') {
      throw errors.badRequest(`${def.kind} in version "${def.version}" cannot be handled as a ${def.kind}: strict decoding error: ${check.unknown.map((f) => `unknown field "${f}"`).join(', ')}`);
    }
    if (mode === 'Warn') for (const f of check.unknown) ctx.warnings.push(`unknown field "${f}"`);
    return ctx.types.pruneUnknown(def, obj);
  }
  return obj;
}

function checkNamespace(ctx: Ctx, obj: KubeObject): void {
  const { def, info } = ctx;
  if (!def.namespaced) return;
  if (!obj.metadata.namespace) obj.metadata.namespace = info.namespace;
  else if (info.namespace && obj.metadata.namespace !== info.namespace) {
    throw errors.badRequest('the namespace of the provided object does not match the namespace sent on the request');
  }
  if (!obj.metadata.namespace) throw errors.badRequest('the server could not find the requested resource');
}

function respond(ctx: Ctx, code: number, obj: KubeObject): void {
  const headers: Record<string, string | string[]> = {};
  if (ctx.warnings.length) headers['Warning'] = ctx.warnings.map(warningHeader);
  const data = JSON.stringify(obj);
  ctx.res.writeHead(code, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(data), ...headers });
  ctx.res.end(data);
}

function invalidIf(ctx: Ctx, obj: KubeObject, errs: ReturnType<Ctx['types']['validateCreate']>): void {
  if (errs.length) throw errors.invalid({ group: ctx.def.group, kind: ctx.def.kind }, obj.metadata.name ?? '', errs);
}

/** The create pipeline, also used by PUT-creates and server-side apply of a new object. */
export async function createObject(ctx: Ctx, obj: KubeObject): Promise<{ obj: KubeObject; code: number }> {
  const { def, types, admission } = ctx;
  const dry = dryRun(ctx.query);
  checkNamespace(ctx, obj);
  if (!obj.metadata.name && obj.metadata.generateName) obj.metadata.name = generateName(obj.metadata.generateName);
  if (ctx.info.subresource) throw errors.methodNotSupported({ group: def.group, resource: `${def.plural}/${ctx.info.subresource}` }, 'create');
  prepareForCreate(def, obj, ctx.now);
  types.applyDefaults(def, obj);
  await admission.mutateCreate(def, obj);
  invalidIf(ctx, obj, types.validateCreate(def, obj));
  const rollback = await admission.allocate(def, obj, undefined, dry);
  try {
    if (!obj.metadata.managedFields?.length) types.updateManagedFields(def, undefined, obj, { manager: fieldManager(ctx), subresource: '', now: ctx.now });
    const created = await admission.withQuota(def, obj, undefined, async () => (dry ? obj : ctx.objects.create(def, obj)));
    if (dry) await rollback();
    else ctx.afterWrite(def, obj.metadata.namespace);
    return { obj: created, code: 201 };
  } catch (e) {
    await rollback();
    throw e;
  }
}

export async function handleCreate(ctx: Ctx): Promise<void> {
  const body = await readBody(ctx.req);
  const obj = checkBody(ctx, decodeBody(body, mediaType(ctx.req)));
  const { obj: out, code } = await createObject(ctx, obj);
  respond(ctx, code, out);
}

/** Whether an update changes nothing that is stored (upstream then skips the write). */
function unchanged(a: KubeObject, b: KubeObject): boolean {
  const strip = (o: KubeObject) => JSON.stringify({ ...o, metadata: { ...o.metadata, resourceVersion: undefined, managedFields: undefined } });
  return strip(a) === strip(b);
}

/**
 * The update pipeline for a new state of an existing object. `expectedRv` is
 * the precondition (0: none). Completes a pending deletion when the last
 * finalizer goes.
 */
export async function updateObject(
  ctx: Ctx,
  next: KubeObject,
  old: KubeObject,
  expectedRv: number,
  opts: { applied?: boolean } = {},
): Promise<KubeObject> {
  const { def, types, admission } = ctx;
  const sub = ctx.info.subresource ?? '';
  const dry = dryRun(ctx.query);
  if (expectedRv && String(expectedRv) !== old.metadata.resourceVersion) {
    throw errors.conflict({ group: def.group, resource: def.plural }, old.metadata.name ?? '', errors.MODIFIED);
  }
  // Most kinds allow an unconditional update (no resourceVersion): it applies to the current object.
  next.metadata.resourceVersion ||= old.metadata.resourceVersion;
  let obj = prepareForUpdate(def, next, old, sub);
  types.applyDefaults(def, obj);
  const errs = sub === 'status' ? types.validateStatusUpdate(def, obj, old) : types.validateUpdate(def, obj, old);
  invalidIf(ctx, obj, errs);
  // Server-side apply computed managedFields itself; other writes record theirs below.
  const applied = opts.applied ? obj.metadata.managedFields : undefined;
  obj.metadata.managedFields = old.metadata.managedFields;
  const rollback = sub === 'status' ? async () => {} : await admission.allocate(def, obj, old, dry);
  try {
    if (unchanged(obj, old)) {
      await rollback();
      return old;
    }
    if (applied) obj.metadata.managedFields = applied;
    else types.updateManagedFields(def, old, obj, { manager: fieldManager(ctx), subresource: sub, now: ctx.now });
    if (dry) {
      await rollback();
      return { ...obj, metadata: { ...obj.metadata, resourceVersion: old.metadata.resourceVersion } };
    }
    const rv = Number(old.metadata.resourceVersion);
    if (obj.metadata.deletionTimestamp && !(obj.metadata.finalizers ?? []).length && finalizable(def.kind, obj)) {
      const gone = await ctx.objects.delete(def, obj.metadata.namespace, obj.metadata.name!, rv);
      await admission.release(def, old, undefined);
      ctx.afterWrite(def, obj.metadata.namespace);
      return { ...obj, metadata: { ...obj.metadata, resourceVersion: gone.metadata.resourceVersion } };
    }
    obj = await admission.withQuota(def, obj, old, () => ctx.objects.update(def, obj, rv));
    await admission.release(def, old, obj);
    ctx.afterWrite(def, obj.metadata.namespace);
    return obj;
  } catch (e) {
    await rollback();
    throw e;
  }
}

/** A pod being deleted gracefully stays until its kubelet confirms; other objects go with their last finalizer. */
function finalizable(kind: string, obj: KubeObject): boolean {
  if (kind === 'Namespace') return !(obj.spec?.finalizers ?? []).length;
  if (kind === 'Pod') return (obj.metadata.deletionGracePeriodSeconds ?? 0) === 0;
  return true;
}

export async function handleUpdate(ctx: Ctx): Promise<void> {
  const { def, info } = ctx;
  const body = await readBody(ctx.req);
  const obj = checkBody(ctx, decodeBody(body, mediaType(ctx.req)));
  checkNamespace(ctx, obj);
  if (obj.metadata.name && obj.metadata.name !== info.name) {
    throw errors.badRequest(`the name of the object (${obj.metadata.name}) does not match the name on the URL (${info.name})`);
  }
  obj.metadata.name = info.name;
  const old = await ctx.objects.tryGet(def, obj.metadata.namespace, info.name!);
  if (!old) {
    if (!allowCreateOnUpdate(def) || info.subresource) throw errors.notFound({ group: def.group, resource: def.plural }, info.name!);
    const { obj: out, code } = await createObject(ctx, obj);
    return respond(ctx, code, out);
  }
  const rv = Number(obj.metadata.resourceVersion ?? 0) || 0;
  respond(ctx, 200, await updateObject(ctx, obj, old, rv));
}

export async function handlePatch(ctx: Ctx): Promise<void> {
  const { def, info, types } = ctx;
  const type = mediaType(ctx.req);
  if (!PATCH_TYPES.has(type)) throw errors.unsupportedMediaType(type);
  const body = await readBody(ctx.req);
  const apply = type === 'application/apply-patch+yaml';
  if (apply && !ctx.query.get('fieldManager')) throw errors.badRequest('PATCH, application/apply-patch+yaml requires fieldManager to be specified');
  const force = ctx.query.get('force') === 'true';
  if (!apply && ctx.query.has('force')) throw errors.badRequest('force is only allowed for apply patch');
  const manager = fieldManager(ctx);
  for (let attempt = 0; ; attempt++) {
    const live = await ctx.objects.tryGet(def, info.namespace, info.name!);
    if (!live && !apply) throw errors.notFound({ group: def.group, resource: def.plural }, info.name!);
    let patched = types.applyPatch({ def, patchType: type, body, live, fieldManager: manager, force, now: ctx.now });
    patched = checkBody(ctx, patched);
    if (patched.metadata.name !== info.name) {
      throw errors.badRequest(`the name of the object (${patched.metadata.name}) does not match the name on the URL (${info.name})`);
    }
    try {
      if (!live) {
        checkNamespace(ctx, patched);
        const { obj, code } = await createObject(ctx, patched);
        return respond(ctx, code, obj);
      }
      // A resourceVersion in the patch is a precondition; otherwise retry on conflict like upstream's patcher.
      const pinned = patched.metadata.resourceVersion !== live.metadata.resourceVersion ? Number(patched.metadata.resourceVersion) : 0;
      const rv = pinned || Number(live.metadata.resourceVersion);
      return respond(ctx, 200, await updateObject(ctx, patched, live, rv, { applied: apply }));
    } catch (e) {
      const retry = e instanceof errors.ApiError && (e.reason === 'Conflict' || e.reason === 'AlreadyExists') && attempt < 5;
      if (!retry || (live && patched.metadata.resourceVersion !== live.metadata.resourceVersion)) throw e;
    }
  }
}
