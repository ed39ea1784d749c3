/**
 * @module managedFields for ordinary writes (create, update, non-apply
 * patch), as upstream's FieldManager.Update does it: the fields that changed
 * join the writer's `Update` entry (stamped with the time), other managers
 * lose the fields that changed or went away, empty entries are dropped, and
 * update entries beyond ten merge into `ancient-changes`. managedFields sent
 * by the client replace the live ones (an empty list resets them); an object
 * that exists without managedFields is not tracked.
 */
import type { GVK, KubeObject, ManagedFieldsEntry } from '../../api/meta.ts';
import { apiVersionOf, nowRfc3339 } from '../../api/meta.ts';
import type { SchemaSet } from '../../api/schema/types.ts';
import { difference, fieldPaths, isEmpty, union } from './fieldpath.ts';
import { type Managed, STRIPPED, capManagers, decodeManagedFields, encodeManagedFields, managerId, updateOwnership } from './managed.ts';
import { clone } from './schema-walk.ts';
import { zeroObject } from './typed.ts';

export interface UpdateManagedOptions {
  schemas: SchemaSet;
  gvk: GVK;
  /** The writer: the fieldManager parameter, else the user agent's prefix (see managerOrUserAgent). */
  manager: string;
  operation: 'Update';
  /** Defaults to the gvk's group/version. */
  apiVersion?: string;
  subresource?: string;
  now: Date;
  /** Field paths owned by no one through this endpoint (upstream's reset fields), e.g. [['spec']] for status. */
  ignoredFields?: string[][];
}

/** The manager identifier of the write in progress (managedFieldsUpdater's "current-operation"). */
const CURRENT = '\u0000current-operation';

/** isResetManagedFields: `[]` or `[{}]`. */
function isReset(mf: ManagedFieldsEntry[] | undefined): boolean {
  if (!mf) return false;
  return mf.length === 0 || (mf.length === 1 && Object.keys(mf[0]).length === 0);
}

function decodeOrEmpty(mf: ManagedFieldsEntry[] | undefined): Managed {
  try {
    return decodeManagedFields(mf);
  } catch {
    return new Map();
  }
}

/** decodeLiveOrNew: which managedFields an update starts from. */
function startingPoint(oldObj: KubeObject | undefined, newObj: KubeObject, subresource: string | undefined): Managed {
  if (subresource) return decodeOrEmpty(oldObj?.metadata.managedFields);
  const sent = newObj.metadata?.managedFields;
  if (isReset(sent)) return new Map();
  try {
    const m = decodeManagedFields(sent);
    if (m.size) return m;
  } catch {
    // fall back to the live object's entries
  }
  return decodeOrEmpty(oldObj?.metadata.managedFields);
}

/**
 * Records this write by `opts.manager` in `newObj.metadata.managedFields`
 * (the only change made to `newObj`, which is returned). `oldObj` is the
 * stored object, undefined for a create; it is not modified.
 */
export function updateManagedFields(oldObj: KubeObject | undefined, newObj: KubeObject, opts: UpdateManagedOptions): KubeObject {
  newObj.metadata ??= {};
  const m = startingPoint(oldObj, newObj, opts.subresource);
  delete newObj.metadata.managedFields;
  // skipNonAppliedManager: an existing object without managedFields stays untracked.
  if (!m.size && oldObj) return newObj;

  const set = opts.schemas;
  const schema = set.forKind(opts.gvk.group, opts.gvk.version, opts.gvk.kind)?.schema;
  const apiVersion = opts.apiVersion ?? apiVersionOf(opts.gvk.group, opts.gvk.version);
  const live = oldObj ? clone(oldObj) : (zeroObject(set, schema) as KubeObject);
  if (live.metadata) delete live.metadata.managedFields;
  const ignored = fieldPaths(opts.ignoredFields);

  const { comparison: c } = updateOwnership({ set, schema, ignored }, live, newObj, m, CURRENT, true);
  // The write owns what it added or changed; metadata the server sets is never owned.
  const current = difference(union(c.modified, c.added), STRIPPED);
  if (!isEmpty(current)) {
    const id = managerId({ manager: opts.manager, operation: 'Update', apiVersion, subresource: opts.subresource });
    const prev = m.get(id);
    m.set(id, {
      manager: opts.manager,
      operation: 'Update',
      apiVersion,
      subresource: opts.subresource || undefined,
      time: nowRfc3339(opts.now),
      set: prev ? union(current, prev.set) : current,
    });
  }
  capManagers(m);
  const mf = encodeManagedFields(m);
  if (mf) newObj.metadata.managedFields = mf;
  return newObj;
}

/** managerOrUserAgent: the fieldManager parameter, else the user agent up to its first '/', printable and at most 128 bytes. */
export function managerOrUserAgent(manager: string | undefined, userAgent: string | undefined): string {
  if (manager) return manager;
  let out = '';
  for (const ch of (userAgent ?? '').split('/')[0]) {
    if (!/[\p{L}\p{M}\p{N}\p{P}\p{S}]/u.test(ch) && ch !== ' ') continue;
    if (Buffer.byteLength(out + ch) > 128) break;
    out += ch;
  }
  return out;
}
