/**
 * @module metadata.managedFields as upstream's fieldmanager keeps it: entries
 * identified by (manager, operation, apiVersion for updates, subresource),
 * decoded to field sets and encoded back in upstream's order; the fields no
 * manager may own (stripMeta); the cap on update entries (ancient-changes);
 * and the ownership update shared by apply and ordinary writes, which
 * reports conflicts in upstream's words.
 */
import { ApiError } from '../../api/errors.ts';
import type { ManagedFieldsEntry } from '../../api/meta.ts';
import type { Schema, SchemaSet } from '../../api/schema/types.ts';
import {
  type FieldSet,
  type Path,
  difference,
  field,
  fromFieldsV1,
  insert,
  intersection,
  isEmpty,
  iterate,
  newSet,
  pathText,
  recursiveDifference,
  toFieldsV1,
  union,
} from './fieldpath.ts';
import { type Comparison, compare } from './typed.ts';

export interface ManagerEntry {
  manager: string;
  operation: 'Apply' | 'Update';
  apiVersion: string;
  subresource?: string;
  time?: string;
  set: FieldSet;
}

/** Entries by manager identifier. */
export type Managed = Map<string, ManagerEntry>;

/** BuildManagerIdentifier: the entry without fields and time, and without apiVersion for appliers. */
export function managerId(e: Pick<ManagerEntry, 'manager' | 'operation' | 'apiVersion' | 'subresource'>): string {
  const id: Record<string, string> = {};
  if (e.manager) id.manager = e.manager;
  id.operation = e.operation;
  if (e.operation === 'Update' && e.apiVersion) id.apiVersion = e.apiVersion;
  if (e.subresource) id.subresource = e.subresource;
  return JSON.stringify(id);
}

/** DecodeManagedFields; throws an Error with upstream's text for a malformed entry. */
export function decodeManagedFields(list: ManagedFieldsEntry[] | undefined): Managed {
  const out: Managed = new Map();
  (list ?? []).forEach((e, i) => {
    if (e.operation !== 'Apply' && e.operation !== 'Update') throw new Error('operation must be `Apply` or `Update`');
    if (!e.apiVersion) throw new Error('apiVersion must not be empty');
    if (!e.fieldsType) throw new Error(`missing fieldsType in managed fields entry ${i}`);
    if (e.fieldsType !== 'FieldsV1') throw new Error(`invalid fieldsType ${JSON.stringify(e.fieldsType)} in managed fields entry ${i}`);
    const entry: ManagerEntry = { manager: e.manager ?? '', operation: e.operation, apiVersion: e.apiVersion, set: fromFieldsV1(e.fieldsV1 ?? {}) };
    if (e.subresource) entry.subresource = e.subresource;
    if (e.time) entry.time = e.time;
    out.set(managerId(entry), entry);
  });
  return out;
}

const seconds = (t?: string): number => (t ? Math.floor(Date.parse(t) / 1000) : 0);
const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** encodeManagedFields: sorted by operation, time, manager, apiVersion, subresource; undefined when none. */
export function encodeManagedFields(m: Managed): ManagedFieldsEntry[] | undefined {
  if (!m.size) return undefined;
  const entries = [...m.values()].sort(
    (p, q) =>
      cmp(p.operation, q.operation) ||
      seconds(p.time) - seconds(q.time) ||
      cmp(p.manager, q.manager) ||
      cmp(p.apiVersion, q.apiVersion) ||
      cmp(p.subresource ?? '', q.subresource ?? ''),
  );
  return entries.map((e) => {
    const out: ManagedFieldsEntry = { manager: e.manager, operation: e.operation, apiVersion: e.apiVersion };
    if (e.time) out.time = e.time;
    out.fieldsType = 'FieldsV1';
    out.fieldsV1 = toFieldsV1(e.set);
    if (e.subresource) out.subresource = e.subresource;
    return out;
  });
}

/** printManager in conflict messages: `"kubectl" ` or `"mgr" using apps/v1` for updaters. */
export function printManager(e: ManagerEntry): string {
  let s = JSON.stringify(e.manager);
  if (e.subresource) s += ` with subresource ${JSON.stringify(e.subresource)}`;
  return e.operation === 'Update' ? `${s} using ${e.apiVersion}` : s;
}

/** stripMeta's set: fields the apiserver itself sets, never owned by a manager. */
export const STRIPPED: FieldSet = (() => {
  const s = newSet();
  insert(s, [field('apiVersion')]);
  insert(s, [field('kind')]);
  insert(s, [field('metadata')]);
  for (const f of ['name', 'namespace', 'creationTimestamp', 'selfLink', 'uid', 'clusterName', 'generation', 'managedFields', 'resourceVersion']) {
    insert(s, [field('metadata'), field(f)]);
  }
  return s;
})();

/** Removes the stripped fields from one entry, dropping it when nothing is left. */
export function stripMeta(m: Managed, id: string): void {
  const e = m.get(id);
  if (!e) return;
  e.set = difference(e.set, STRIPPED);
  if (isEmpty(e.set)) m.delete(id);
}

/** DefaultMaxUpdateManagers. */
export const MAX_UPDATE_MANAGERS = 10;

/** capManagers: beyond the cap, the oldest update entries merge into one `ancient-changes` entry per apiVersion. */
export function capManagers(m: Managed, max = MAX_UPDATE_MANAGERS): void {
  const updaters = [...m.keys()].filter((id) => m.get(id)!.operation === 'Update');
  if (updaters.length <= max) return;
  updaters.sort((a, b) => seconds(m.get(a)!.time) - seconds(m.get(b)!.time) || cmp(a, b));
  const firstOfVersion = new Map<string, string>();
  let length = updaters.length;
  for (let i = 0; i < updaters.length && length > max; i++) {
    const id = updaters[i];
    const e = m.get(id)!;
    const bucket = managerId({ manager: 'ancient-changes', operation: 'Update', apiVersion: e.apiVersion });
    const first = firstOfVersion.get(e.apiVersion);
    if (first === undefined) {
      firstOfVersion.set(e.apiVersion, id);
      continue;
    }
    if (!m.has(bucket)) {
      const f = m.get(first)!;
      m.delete(first);
      m.set(bucket, { ...f, manager: 'ancient-changes', subresource: undefined });
    }
    const b = m.get(bucket)!;
    m.set(bucket, { ...b, set: union(e.set, b.set), time: e.time });
    m.delete(id);
    length--;
  }
}

/** One conflict: the manager's identifier and the path it owns. */
export type Conflict = [id: string, path: Path];

/** NewConflictError: 409 Conflict with upstream's message and one FieldManagerConflict cause per path. */
export function conflictError(m: Managed, conflicts: Conflict[]): ApiError {
  const name = (id: string) => printManager(m.get(id)!);
  const causes = conflicts.map(([id, p]) => ({ reason: 'FieldManagerConflict', message: `conflict with ${name(id)}`, field: pathText(p) }));
  let message: string;
  if (conflicts.length === 1) {
    message = `Apply failed with 1 conflict: conflict with ${name(conflicts[0][0])}: ${pathText(conflicts[0][1])}`;
  } else {
    const lines: string[] = [];
    for (const id of [...new Set(conflicts.map(([i]) => i))].sort()) {
      lines.push(`conflicts with ${name(id)}:`);
      for (const [i, p] of conflicts) if (i === id) lines.push(`- ${pathText(p)}`);
    }
    message = `Apply failed with ${conflicts.length} conflicts: ${lines.join('\n')}`;
  }
  return new ApiError(409, 'Conflict', message, { causes });
}

export interface UpdateContext {
  set: SchemaSet;
  schema: Schema | undefined;
  /** Paths no manager owns through this endpoint (upstream's reset fields), removed recursively. */
  ignored?: FieldSet;
}

/**
 * Updater.update: compares live with the new object; other managers lose the
 * fields that changed (a conflict unless forced) and the fields removed.
 * Returns the comparison, or the conflicts when not forced.
 */
export function updateOwnership(
  ctx: UpdateContext,
  live: unknown,
  next: unknown,
  m: Managed,
  workflow: string,
  force: boolean,
): { comparison: Comparison; conflicts: Conflict[] } {
  const c = compare(ctx.set, live, next, ctx.schema);
  if (ctx.ignored) for (const k of ['added', 'modified', 'removed'] as const) c[k] = recursiveDifference(c[k], ctx.ignored);
  const changed = union(c.modified, c.added);
  const conflicts: Conflict[] = [];
  const taken = new Map<string, FieldSet>();
  for (const id of [...m.keys()].sort()) {
    if (id === workflow) continue;
    const cs = intersection(m.get(id)!.set, changed);
    if (isEmpty(cs)) continue;
    taken.set(id, cs);
    iterate(cs, (p) => conflicts.push([id, p]));
  }
  if (!force && conflicts.length) return { comparison: c, conflicts };
  for (const [id, e] of m) {
    if (id === workflow) continue;
    const t = taken.get(id);
    if (t) e.set = difference(e.set, t);
    e.set = difference(e.set, c.removed);
  }
  for (const [id, e] of m) if (isEmpty(e.set)) m.delete(id);
  return { comparison: c, conflicts: [] };
}
