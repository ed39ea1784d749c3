/**
 * @module ObjectMeta validation as k8s.io/apimachinery/pkg/api/validation
 * (ValidateObjectMeta, ValidateObjectMetaUpdate) plus the label, annotation,
 * owner reference, finalizer and label selector rules shared by every kind.
 */
import type { FieldError, Path } from '../field-errors.ts';
import { forbidden, invalid, path as mkPath, required, tooLong } from '../field-errors.ts';
import type { ObjectMeta } from '../meta.ts';
import { goQuote, goStringSlice, goValue } from './goformat.ts';
import type { NameFn } from './names.ts';
import { isQualifiedName, isValidLabelValue, nameIsDNSLabel } from './names.ts';

export const fieldImmutable = 'field is immutable';
export const isNegativeErrorMsg = 'must be greater than or equal to 0';
const totalAnnotationSizeLimit = 256 * 1024;

const sortedKeys = (m: Record<string, unknown> | undefined | null): string[] => (m && typeof m === 'object' ? Object.keys(m).sort() : []);

/** ValidateNonnegativeField. */
export function nonNegative(value: unknown, p: Path | string): FieldError[] {
  return typeof value === 'number' && value < 0 ? [invalid(p, value, isNegativeErrorMsg)] : [];
}

/** ValidateImmutableField: compares as JSON (apiequality.Semantic on decoded values). */
export function immutable(newVal: unknown, oldVal: unknown, p: Path | string, shown: unknown = newVal): FieldError[] {
  return deepEqual(newVal, oldVal) ? [] : [invalid(p, shown ?? null, fieldImmutable)];
}

/** Semantic equality of decoded JSON: absent, null and a zero value are the same (Go's omitempty round trip). */
export function deepEqual(a: unknown, b: unknown): boolean {
  // Go zero values ("", 0, false) decode the same as an absent field, so they compare equal to it.
  const empty = (v: unknown): boolean =>
    v === undefined ||
    v === null ||
    v === '' ||
    v === 0 ||
    v === false ||
    (Array.isArray(v) && v.length === 0) ||
    (typeof v === 'object' && !Array.isArray(v) && Object.keys(v as object).length === 0);
  if (a === b) return true;
  if (empty(a) && empty(b)) return typeof a === typeof b || a === undefined || b === undefined || a === null || b === null;
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    return a.every((x, i) => deepEqual(x, b[i]));
  }
  if (a && b && typeof a === 'object' && typeof b === 'object') {
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    for (const k of keys) if (!deepEqual((a as any)[k], (b as any)[k])) return false;
    return true;
  }
  return a === b;
}

export function validateLabelName(key: string, p: Path | string): FieldError[] {
  return isQualifiedName(key).map((m) => invalid(p, key, m));
}

/** v1validation.ValidateLabels: errors carry the map's path, not the key's. */
export function validateLabels(labels: Record<string, string> | undefined, p: Path | string): FieldError[] {
  const errs: FieldError[] = [];
  for (const k of sortedKeys(labels)) {
    errs.push(...validateLabelName(k, p));
    const v = String(labels![k] ?? '');
    errs.push(...isValidLabelValue(v).map((m) => invalid(p, v, m)));
  }
  return errs;
}

export function validateAnnotations(ann: Record<string, string> | undefined, p: Path | string): FieldError[] {
  const errs: FieldError[] = [];
  let size = 0;
  for (const k of sortedKeys(ann)) {
    // The rule is QualifiedName except that case doesn't matter.
    errs.push(...isQualifiedName(k.toLowerCase()).map((m) => invalid(p, k, m)));
    size += Buffer.byteLength(k) + Buffer.byteLength(String(ann![k] ?? ''));
  }
  if (size > totalAnnotationSizeLimit) errs.push(tooLong(p, '', totalAnnotationSizeLimit));
  return errs;
}

function parseGroupVersion(apiVersion: string): { group: string; version: string } | undefined {
  if (apiVersion === '') return { group: '', version: '' };
  const parts = apiVersion.split('/');
  if (parts.length === 1) return { group: '', version: parts[0] };
  if (parts.length === 2) return { group: parts[0], version: parts[1] };
  return undefined;
}

function ownerRefText(r: any): string {
  const b = (v: unknown): string => (v === undefined || v === null ? '(*bool)(nil)' : `(*bool)(${v})`);
  return `v1.OwnerReference{APIVersion:${goQuote(String(r.apiVersion ?? ''))}, Kind:${goQuote(String(r.kind ?? ''))}, Name:${goQuote(
    String(r.name ?? ''),
  )}, UID:${goQuote(String(r.uid ?? ''))}, Controller:${b(r.controller)}, BlockOwnerDeletion:${b(r.blockOwnerDeletion)}}`;
}

export function validateOwnerReferences(refs: any[] | undefined, p: Path): FieldError[] {
  const errs: FieldError[] = [];
  let firstController = '';
  for (const r of refs ?? []) {
    const gv = parseGroupVersion(String(r.apiVersion ?? ''));
    if (!gv || gv.version === '') errs.push(invalid(p.child('apiVersion'), r.apiVersion ?? '', 'version must not be empty'));
    if (!r.kind) errs.push(invalid(p.child('kind'), r.kind ?? '', 'must not be empty'));
    if (!r.name) errs.push(invalid(p.child('name'), r.name ?? '', 'must not be empty'));
    if (!r.uid) errs.push(invalid(p.child('uid'), r.uid ?? '', 'must not be empty'));
    if (gv && gv.group === '' && gv.version === 'v1' && r.kind === 'Event')
      errs.push(invalid(p, goValue(r, ownerRefText(r)), '/v1, Kind=Event is disallowed from being an owner'));
    if (r.controller === true) {
      const name = `${r.kind}/${r.name}`;
      if (firstController)
        errs.push(
          invalid(
            p,
            goValue(refs, `[]v1.OwnerReference{${refs!.map(ownerRefText).join(', ')}}`),
            `Only one reference can have Controller set to true. Found "true" in references for ${firstController} and ${name}`,
          ),
        );
      else firstController = name;
    }
  }
  return errs;
}

/** ValidateFinalizers: qualified names, and orphan/foregroundDeletion are exclusive. */
export function validateFinalizers(finalizers: string[] | undefined, p: Path): FieldError[] {
  const errs: FieldError[] = [];
  for (const f of finalizers ?? []) errs.push(...isQualifiedName(f).map((m) => invalid(p, f, m)));
  const list = finalizers ?? [];
  if (list.includes('orphan') && list.includes('foregroundDeletion'))
    errs.push(invalid(p, goValue(list, goStringSlice(list)), 'finalizer orphan and foregroundDeletion cannot be both set'));
  return errs;
}

/** validateKubeFinalizerName: the core API's extra rule for finalizers without a '/'. */
export function validateKubeFinalizerName(f: string, p: Path | string): FieldError[] {
  if (f.split('/').length === 1 && !['kubernetes', 'orphan', 'foregroundDeletion'].includes(f))
    return [invalid(p, f, 'name is neither a standard finalizer name nor is it fully qualified')];
  return [];
}

function validateManagedFields(entries: any[] | undefined, p: Path): FieldError[] {
  const errs: FieldError[] = [];
  (entries ?? []).forEach((e, i) => {
    const ip = p.index(i);
    if (e.operation !== 'Apply' && e.operation !== 'Update') errs.push(invalid(ip.child('operation'), e.operation ?? '', 'must be `Apply` or `Update`'));
    if (e.fieldsType && e.fieldsType !== 'FieldsV1') errs.push(invalid(ip.child('fieldsType'), e.fieldsType, 'must be `FieldsV1`'));
    if (typeof e.manager === 'string' && e.manager.length > 128) errs.push(tooLong(ip.child('manager'), '', 128));
  });
  return errs;
}

export interface MetaOptions {
  namespaced: boolean;
  nameFn: NameFn;
  /** The core API's wrapper adds validateKubeFinalizerName per finalizer. */
  kubeFinalizers?: boolean;
}

/** ValidateObjectMeta (create). */
export function validateObjectMeta(meta: ObjectMeta | undefined, opts: MetaOptions, p: Path = mkPath('metadata')): FieldError[] {
  const m: ObjectMeta = meta ?? {};
  const errs: FieldError[] = [];
  if (m.generateName) errs.push(...opts.nameFn(m.generateName, true).map((msg) => invalid(p.child('generateName'), m.generateName, msg)));
  if (!m.name) errs.push(required(p.child('name'), 'name or generateName is required'));
  else errs.push(...opts.nameFn(m.name, false).map((msg) => invalid(p.child('name'), m.name, msg)));
  errs.push(...commonMeta(m, opts.namespaced, p));
  if (opts.kubeFinalizers) (m.finalizers ?? []).forEach((f, i) => errs.push(...validateKubeFinalizerName(f, p.child('finalizers').index(i))));
  return errs;
}

function commonMeta(m: ObjectMeta, namespaced: boolean, p: Path): FieldError[] {
  const errs: FieldError[] = [];
  if (namespaced) {
    if (!m.namespace) errs.push(required(p.child('namespace'), ''));
    else errs.push(...nameIsDNSLabel(m.namespace, false).map((msg) => invalid(p.child('namespace'), m.namespace, msg)));
  } else if (m.namespace) {
    errs.push(forbidden(p.child('namespace'), 'not allowed on this type'));
  }
  errs.push(...nonNegative(m.generation, p.child('generation')));
  errs.push(...validateLabels(m.labels, p.child('labels')));
  errs.push(...validateAnnotations(m.annotations, p.child('annotations')));
  errs.push(...validateOwnerReferences(m.ownerReferences, p.child('ownerReferences')));
  errs.push(...validateFinalizers(m.finalizers, p.child('finalizers')));
  errs.push(...validateManagedFields(m.managedFields, p.child('managedFields')));
  return errs;
}

/** Go's time.Time.String() for metav1.Time values. */
function goTime(t: string | undefined): unknown {
  if (!t) return goValue(null, '0001-01-01 00:00:00 +0000 UTC');
  const d = new Date(t);
  if (Number.isNaN(d.getTime())) return t;
  return goValue(t, d.toISOString().replace('T', ' ').replace(/\.\d+Z$/, ' +0000 UTC'));
}

/**
 * ValidateObjectMetaUpdate. The caller sets metadata.resourceVersion from the
 * stored object for unconditional updates before calling, as upstream's
 * registry store does.
 */
export function validateObjectMetaUpdate(n: ObjectMeta | undefined, o: ObjectMeta | undefined, p: Path = mkPath('metadata'), kubeFinalizers = true): FieldError[] {
  const nm: ObjectMeta = n ?? {};
  const om: ObjectMeta = o ?? {};
  const errs: FieldError[] = [];
  if (om.deletionTimestamp) {
    const extra = [...new Set(nm.finalizers ?? [])].filter((f) => !(om.finalizers ?? []).includes(f)).sort();
    if (extra.length)
      errs.push(forbidden(p.child('finalizers'), `no new finalizers can be added if the object is being deleted, found new finalizers ${goStringSlice(extra)}`));
  }
  if (!nm.resourceVersion) errs.push(invalid(p.child('resourceVersion'), nm.resourceVersion ?? '', 'must be specified for an update'));
  if ((nm.generation ?? 0) < (om.generation ?? 0)) errs.push(invalid(p.child('generation'), nm.generation ?? 0, 'must not be decremented'));
  errs.push(...immutable(nm.name ?? '', om.name ?? '', p.child('name')));
  errs.push(...immutable(nm.namespace ?? '', om.namespace ?? '', p.child('namespace')));
  errs.push(...immutable(nm.uid ?? '', om.uid ?? '', p.child('uid')));
  errs.push(...immutable(nm.creationTimestamp, om.creationTimestamp, p.child('creationTimestamp'), goTime(nm.creationTimestamp)));
  errs.push(
    ...immutable(nm.deletionTimestamp, om.deletionTimestamp, p.child('deletionTimestamp'), nm.deletionTimestamp ? goTime(nm.deletionTimestamp) : null),
  );
  errs.push(...immutable(nm.deletionGracePeriodSeconds, om.deletionGracePeriodSeconds, p.child('deletionGracePeriodSeconds')));
  errs.push(...validateLabels(nm.labels, p.child('labels')));
  errs.push(...validateAnnotations(nm.annotations, p.child('annotations')));
  errs.push(...validateOwnerReferences(nm.ownerReferences, p.child('ownerReferences')));
  errs.push(...validateManagedFields(nm.managedFields, p.child('managedFields')));
  if (kubeFinalizers) (nm.finalizers ?? []).forEach((f, i) => errs.push(...validateKubeFinalizerName(f, p.child('finalizers').index(i))));
  return errs;
}

/** metav1validation.ValidateLabelSelector with AllowInvalidLabelValueInSelector=false. */
export function validateLabelSelector(sel: any, p: Path): FieldError[] {
  if (sel === undefined || sel === null) return [];
  const errs = validateLabels(sel.matchLabels, p.child('matchLabels'));
  (sel.matchExpressions ?? []).forEach((r: any, i: number) => {
    const rp = p.child('matchExpressions').index(i);
    const values: string[] = r.values ?? [];
    switch (r.operator) {
      case 'In':
      case 'NotIn':
        if (values.length === 0) errs.push(required(rp.child('values'), "must be specified when `operator` is 'In' or 'NotIn'"));
        break;
      case 'Exists':
      case 'DoesNotExist':
        if (values.length > 0) errs.push(forbidden(rp.child('values'), "may not be specified when `operator` is 'Exists' or 'DoesNotExist'"));
        break;
      default:
        errs.push(invalid(rp.child('operator'), r.operator ?? '', 'not a valid selector operator'));
    }
    errs.push(...validateLabelName(String(r.key ?? ''), rp.child('key')));
    values.forEach((v, j) => errs.push(...isValidLabelValue(String(v)).map((m) => invalid(rp.child('values').index(j), v, m))));
  });
  return errs;
}
