/**
 * @module Server-side apply (PATCH with application/apply-patch+yaml) as
 * upstream's fieldmanager chain does it: the applied configuration merges
 * into the live object by list and map types; fields this manager applied
 * before and no longer applies are pruned unless another manager owns them;
 * fields another manager owns with a different value conflict (409) unless
 * forced; managedFields record the applier's set. For the manager `kubectl`
 * the client-side apply annotation is honoured both ways (conflicts on
 * fields it already applied are taken over; the annotation is kept current).
 */
import { badRequest } from '../../api/errors.ts';
import { apiVersionOf, type GVK, type KubeObject, nowRfc3339, parseApiVersion } from '../../api/meta.ts';
import type { Schema, SchemaSet } from '../../api/schema/types.ts';
import { parse as parseYaml } from 'yaml';
import { type FieldSet, difference, fieldPaths, has, intersection, isEmpty, newSet, recursiveDifference, union } from './fieldpath.ts';
import { goJson, serverError } from './go-format.ts';
import { type Managed, conflictError, decodeManagedFields, encodeManagedFields, managerId, stripMeta, updateOwnership } from './managed.ts';
import { clone, deepEqual, isObject } from './schema-walk.ts';
import { TypedError, compare, ensureNamedFieldsAreMembers, merge, removeItems, toFieldSet } from './typed.ts';

export const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';

export interface ApplyOptions {
  schemas: SchemaSet;
  gvk: GVK;
  /** The fieldManager query parameter (required for apply). */
  manager: string;
  force?: boolean;
  subresource?: string;
  now: Date;
  /** Field paths owned by no one through this endpoint (upstream's reset fields), e.g. [['status']]. */
  ignoredFields?: string[][];
  /** Run on the merged object, as upstream defaults the result of an apply. */
  defaulter?: (obj: KubeObject) => void;
}

export interface ApplyResult {
  object: KubeObject;
  /** True when the object did not exist. */
  created: boolean;
  /** False when the object's content (managedFields aside) is unchanged. */
  changed: boolean;
}

/** Decodes an apply body (YAML or JSON) as sigs.k8s.io/yaml would; errors are 400 `error decoding YAML: ...`. */
export function parseApplyBody(body: string): Record<string, unknown> {
  let doc: unknown;
  try {
    doc = parseYaml(body, { version: '1.1' });
  } catch (e) {
    throw badRequest(`error decoding YAML: error converting YAML to JSON: yaml: ${(e as Error).message.split('\n')[0]}`);
  }
  if (doc === null || doc === undefined) return {};
  if (!isObject(doc)) {
    const kind = Array.isArray(doc) ? 'array' : typeof doc === 'boolean' ? 'bool' : typeof doc;
    throw badRequest(`error decoding YAML: error unmarshaling JSON: while decoding JSON: json: cannot unmarshal ${kind} into Go value of type map[string]interface {}`);
  }
  return doc;
}

const gvkString = (g: GVK): string => `${g.group}/${g.version}, Kind=${g.kind}`;

function withoutManagedFields(obj: KubeObject | Record<string, unknown>): KubeObject {
  const o = clone(obj) as KubeObject;
  if (isObject(o.metadata)) delete o.metadata.managedFields;
  return o;
}

/**
 * Applies `config` for `opts.manager` to `live` (undefined: create). Never
 * mutates its inputs. Throws ApiError: 400 for a bad configuration, 409 for
 * conflicts, 500 (as upstream) for values that do not fit the schema.
 */
export function serverSideApply(live: KubeObject | undefined, config: Record<string, unknown>, opts: ApplyOptions): ApplyResult {
  const { schemas: set, gvk } = opts;
  const gv = parseApiVersion(typeof config.apiVersion === 'string' ? config.apiVersion : '');
  const kind = typeof config.kind === 'string' ? config.kind : '';
  if (gv.group !== gvk.group || gv.version !== gvk.version || kind !== gvk.kind) {
    throw badRequest(`invalid object type: ${gvkString({ ...gv, kind })}`);
  }
  const meta = isObject(config.metadata) ? config.metadata : {};
  if (meta.managedFields !== undefined && meta.managedFields !== null) throw badRequest('metadata.managedFields must be nil');
  const schema = set.forKind(gvk.group, gvk.version, gvk.kind)?.schema;
  const apiVersion = apiVersionOf(gvk.group, gvk.version);

  let managed: Managed;
  try {
    managed = decodeManagedFields(live?.metadata.managedFields);
  } catch (e) {
    throw serverError(`failed to decode managed fields: ${(e as Error).message}`);
  }
  let applied: FieldSet;
  try {
    applied = toFieldSet(set, config, schema, true);
  } catch (e) {
    if (!(e instanceof TypedError)) throw e;
    throw serverError(`failed to create typed patch object (${meta.namespace ?? ''}/${meta.name ?? ''}; ${gvkString(gvk)}): ${e.message}`);
  }
  const ignored = fieldPaths(opts.ignoredFields);
  if (ignored) applied = recursiveDifference(applied, ignored);

  const liveObj = live ? withoutManagedFields(live) : ({} as KubeObject);
  const id = managerId({ manager: opts.manager, operation: 'Apply', apiVersion, subresource: opts.subresource });
  const ctx = { set, schema, ignored };
  const attempt = (force: boolean) => {
    const m: Managed = new Map([...managed].map(([k, e]) => [k, { ...e }]));
    const lastSet = m.get(id)?.set;
    m.set(id, { manager: opts.manager, operation: 'Apply', apiVersion, subresource: opts.subresource || undefined, time: m.get(id)?.time, set: applied });
    const merged = prune(set, schema, merge(set, liveObj, clone(config), schema), m, id, lastSet);
    const { conflicts } = updateOwnership(ctx, liveObj, merged, m, id, force);
    return { m, merged, conflicts };
  };
  let result = attempt(!!opts.force);
  if (result.conflicts.length && opts.manager === 'kubectl') {
    // lastAppliedManager: fields kubectl applied client-side with the same values may be taken over.
    const allowed = allowedFromLastApplied(set, schema, liveObj, apiVersion);
    if (allowed) {
      const left = result.conflicts.filter(([, p]) => !has(allowed, p));
      result = left.length ? { ...result, conflicts: left } : attempt(true);
    }
  }
  if (result.conflicts.length) throw conflictError(result.m, result.conflicts);

  const { m } = result;
  const changed = !live || !deepEqual(liveObj, result.merged);
  const object = (changed ? result.merged : liveObj) as KubeObject;
  stripMeta(m, id);
  if (changed && m.has(id)) m.get(id)!.time = nowRfc3339(opts.now);
  if (changed) opts.defaulter?.(object);
  if (opts.manager === 'kubectl' && object.metadata?.annotations?.[LAST_APPLIED]) {
    // lastAppliedUpdater: keep the client-side apply annotation in step with what was applied.
    object.metadata.annotations[LAST_APPLIED] = buildLastApplied(config);
  }
  const mf = encodeManagedFields(m);
  object.metadata ??= {};
  if (mf) object.metadata.managedFields = mf;
  return { object, created: !live, changed };
}

/** buildLastApplied: the configuration without the annotation itself, as runtime.Encode writes it. */
function buildLastApplied(config: Record<string, unknown>): string {
  const c = clone(config);
  if (isObject(c.metadata) && isObject(c.metadata.annotations)) delete c.metadata.annotations[LAST_APPLIED];
  return goJson(c) + '\n';
}

/**
 * Updater.prune: removes what this manager applied last time and no longer
 * applies, unless another manager (or the new configuration) owns it.
 */
function prune(
  set: SchemaSet,
  schema: Schema | undefined,
  merged: unknown,
  m: Managed,
  id: string,
  lastSet: FieldSet | undefined,
): unknown {
  if (!lastSet || isEmpty(lastSet)) return merged;
  const ensure = (s: FieldSet) => ensureNamedFieldsAreMembers(set, s, schema);
  const last = ensure(lastSet);
  const firstPass = removeItems(set, merged, last, schema);
  // addBackOwnedItems: whatever any manager owns stays.
  let owned = newSet();
  for (const e of m.values()) owned = union(owned, ensure(e.set));
  const mergedSet = ensure(toFieldSet(set, merged, schema));
  const prunedSet = ensure(toFieldSet(set, firstPass, schema));
  const secondPass = removeItems(set, merged, difference(mergedSet, union(prunedSet, owned)), schema);
  // addBackDanglingItems: only what this manager owned before may go.
  const danglingSet = ensure(toFieldSet(set, secondPass, schema));
  return removeItems(set, merged, intersection(difference(mergedSet, danglingSet), last), schema);
}

/** allowedConflictsFromLastApplied: fields of the annotation whose values the live object still has. */
function allowedFromLastApplied(set: SchemaSet, schema: Schema | undefined, live: KubeObject, apiVersion: string): FieldSet | undefined {
  const text = live.metadata?.annotations?.[LAST_APPLIED];
  if (!text) return undefined;
  try {
    const last: unknown = JSON.parse(text);
    if (!isObject(last) || last.apiVersion !== apiVersion) return undefined;
    const lastSet = toFieldSet(set, last, schema, true);
    const c = compare(set, last, live, schema);
    return difference(difference(difference(lastSet, c.modified), c.added), c.removed);
  } catch {
    return undefined;
  }
}
