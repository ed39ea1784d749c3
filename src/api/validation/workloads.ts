/**
 * @module ReplicationController (core/v1), ReplicaSet and Deployment
 * (apps/v1) validation: replicas, selectors matching the template, the
 * template's restartPolicy, rolling update parameters, and the apps/v1
 * strategies' immutable selectors.
 */
import type { FieldError, Path } from '../field-errors.ts';
import { forbidden, invalid, notSupported, path, required } from '../field-errors.ts';
import { goMapValue, goQuote, goStringer, goValue, intOrStringText, labelSelectorValue } from './goformat.ts';
import { immutable, nonNegative, validateLabelSelector, validateObjectMeta, validateObjectMetaUpdate } from './meta.ts';
import { isValidPercent, nameIsDNSSubdomain } from './names.ts';
import { validatePodTemplateSpec } from './podspec.ts';

const metaOpts = { namespaced: true, nameFn: nameIsDNSSubdomain, kubeFinalizers: true };

/** labels.Selector.Matches for a metav1.LabelSelector. */
export function selectorMatches(sel: any, labels: Record<string, string> | undefined): boolean {
  const l = labels ?? {};
  for (const [k, v] of Object.entries(sel?.matchLabels ?? {})) if (l[k] !== v) return false;
  for (const r of sel?.matchExpressions ?? []) {
    const has = r.key in l;
    const vals: string[] = r.values ?? [];
    if (r.operator === 'In' && !(has && vals.includes(l[r.key]))) return false;
    if (r.operator === 'NotIn' && has && vals.includes(l[r.key])) return false;
    if (r.operator === 'Exists' && !has) return false;
    if (r.operator === 'DoesNotExist' && has) return false;
  }
  return true;
}

const selectorEmpty = (sel: any): boolean => Object.keys(sel?.matchLabels ?? {}).length + (sel?.matchExpressions ?? []).length === 0;

/** ValidatePodTemplateSpecForReplicaSet (and ForRC): template present, matched by the selector, restartPolicy Always. */
function templateFor(kind: string, template: any, matches: boolean, p: Path): FieldError[] {
  if (!template) return [required(p, '')];
  const errs: FieldError[] = [];
  const labels = template.metadata?.labels;
  if (!matches) errs.push(invalid(p.child('metadata', 'labels'), goMapValue(labels), '`selector` does not match template `labels`'));
  errs.push(...validatePodTemplateSpec(template, p));
  const rp = template.spec?.restartPolicy ?? '';
  if (rp !== 'Always') errs.push(notSupported(p.child('spec', 'restartPolicy'), rp, ['Always']));
  if (template.spec?.activeDeadlineSeconds !== undefined && template.spec?.activeDeadlineSeconds !== null)
    errs.push(forbidden(p.child('spec', 'activeDeadlineSeconds'), `activeDeadlineSeconds in ${kind} is not Supported`));
  return errs;
}

// ReplicationController

function rcSpec(spec: any): FieldError[] {
  const sp = path('spec');
  const s = spec ?? {};
  const errs = [...nonNegative(s.minReadySeconds, sp.child('minReadySeconds'))];
  const selector: Record<string, string> = s.selector ?? {};
  if (Object.keys(selector).length === 0) errs.push(required(sp.child('selector'), ''));
  errs.push(...nonNegative(s.replicas, sp.child('replicas')));
  const matches = Object.keys(selector).length === 0 || Object.entries(selector).every(([k, v]) => s.template?.metadata?.labels?.[k] === v);
  errs.push(...templateFor('ReplicationController', s.template, matches, sp.child('template')));
  return errs;
}

export function validateReplicationController(rc: any): FieldError[] {
  return [...validateObjectMeta(rc.metadata, metaOpts), ...rcSpec(rc.spec)];
}

export function validateReplicationControllerUpdate(rc: any, old: any): FieldError[] {
  return [...validateObjectMetaUpdate(rc.metadata, old.metadata), ...rcSpec(rc.spec)];
}

/** ValidateReplicationControllerStatus / ValidateReplicaSetStatus. */
function replicaStatus(st: any, p: Path): FieldError[] {
  const s = st ?? {};
  const errs: FieldError[] = [];
  for (const f of ['replicas', 'fullyLabeledReplicas', 'readyReplicas', 'availableReplicas', 'observedGeneration']) errs.push(...nonNegative(s[f], p.child(f)));
  const n = (f: string): number => s[f] ?? 0;
  const msg = 'cannot be greater than status.replicas';
  for (const f of ['fullyLabeledReplicas', 'readyReplicas', 'availableReplicas']) if (n(f) > n('replicas')) errs.push(invalid(p.child(f), n(f), msg));
  if (n('availableReplicas') > n('readyReplicas')) errs.push(invalid(p.child('availableReplicas'), n('availableReplicas'), 'cannot be greater than readyReplicas'));
  return errs;
}

export function validateReplicationControllerStatusUpdate(rc: any, old: any): FieldError[] {
  return [...validateObjectMetaUpdate(rc.metadata, old.metadata), ...replicaStatus(rc.status, path('status'))];
}

// ReplicaSet and Deployment share the selector and template rules.

function selectorAndTemplate(kind: string, s: any, sp: Path, emptyKind: string): FieldError[] {
  const errs: FieldError[] = [];
  let usable = true;
  if (!s.selector) {
    errs.push(required(sp.child('selector'), ''));
  } else {
    const selErrs = validateLabelSelector(s.selector, sp.child('selector'));
    errs.push(...selErrs);
    if (selectorEmpty(s.selector)) errs.push(invalid(sp.child('selector'), labelSelectorValue(s.selector), `empty selector is invalid for ${emptyKind}`));
    // metav1.LabelSelectorAsSelector fails on the same inputs the validation rejects.
    if (selErrs.length) {
      usable = false;
      errs.push(invalid(sp.child('selector'), labelSelectorValue(s.selector), 'invalid label selector'));
    }
  }
  if (usable) {
    // A nil selector converts to labels.Nothing(), which is not Empty() and matches nothing.
    const matches = s.selector ? selectorEmpty(s.selector) || selectorMatches(s.selector, s.template?.metadata?.labels) : false;
    errs.push(...templateFor(kind, s.template, matches, sp.child('template')));
  }
  return errs;
}

function rsSpec(spec: any): FieldError[] {
  const sp = path('spec');
  const s = spec ?? {};
  const errs = [...nonNegative(s.replicas, sp.child('replicas')), ...nonNegative(s.minReadySeconds, sp.child('minReadySeconds'))];
  // Upstream's ReplicaSet validation reuses the Deployment wording for an empty selector.
  errs.push(...selectorAndTemplate('ReplicaSet', s, sp, 'deployment'));
  return errs;
}

export function validateReplicaSet(rs: any): FieldError[] {
  return [...validateObjectMeta(rs.metadata, metaOpts), ...rsSpec(rs.spec)];
}

/** The apps/v1 strategy adds selector immutability to ValidateReplicaSetUpdate. */
export function validateReplicaSetUpdate(rs: any, old: any): FieldError[] {
  const errs = [...validateObjectMetaUpdate(rs.metadata, old.metadata), ...rsSpec(rs.spec)];
  errs.push(...immutable(rs.spec?.selector, old.spec?.selector, path('spec', 'selector'), labelSelectorValue(rs.spec?.selector)));
  return errs;
}

export function validateReplicaSetStatusUpdate(rs: any, old: any): FieldError[] {
  return [...validateObjectMetaUpdate(rs.metadata, old.metadata), ...replicaStatus(rs.status, path('status'))];
}

function percentValue(v: unknown): number | undefined {
  return typeof v === 'string' && isValidPercent(v).length === 0 ? Number(v.slice(0, -1)) : undefined;
}

/** getIntOrPercentValue: a percent's number, an int, or 0 for anything else. */
function intOrPercent(v: unknown): number {
  const pv = percentValue(v);
  if (pv !== undefined) return pv;
  if (typeof v === 'number') return v;
  return 0;
}

/** ValidatePositiveIntOrPercent. */
function positiveIntOrPercent(v: unknown, p: Path): FieldError[] {
  if (typeof v === 'string') return isValidPercent(v).map((m) => invalid(p, goStringer(v, v), m));
  if (typeof v === 'number') return nonNegative(v, p);
  return [invalid(p, v ?? null, "must be an integer or percentage (e.g '5%%')")];
}

function deploymentStrategy(st: any, p: Path): FieldError[] {
  const s = st ?? {};
  const errs: FieldError[] = [];
  if (s.type === 'Recreate') {
    if (s.rollingUpdate) errs.push(forbidden(p.child('rollingUpdate'), "may not be specified when strategy `type` is 'Recreate'"));
  } else if (s.type === 'RollingUpdate') {
    if (!s.rollingUpdate) errs.push(required(p.child('rollingUpdate'), 'this should be defaulted and never be nil'));
    else {
      const rp = p.child('rollingUpdate');
      const mu = s.rollingUpdate.maxUnavailable ?? 0;
      const ms = s.rollingUpdate.maxSurge ?? 0;
      errs.push(...positiveIntOrPercent(mu, rp.child('maxUnavailable')), ...positiveIntOrPercent(ms, rp.child('maxSurge')));
      if (intOrPercent(mu) === 0 && intOrPercent(ms) === 0)
        errs.push(invalid(rp.child('maxUnavailable'), goStringer(mu, intOrStringText(mu)), 'may not be 0 when `maxSurge` is 0'));
      const pv = percentValue(mu);
      if (pv !== undefined && pv > 100) errs.push(invalid(rp.child('maxUnavailable'), goStringer(mu, intOrStringText(mu)), 'must not be greater than 100%'));
    }
  } else {
    const ru = s.rollingUpdate ? '(*apps.RollingUpdateDeployment)(0xc000000000)' : '(*apps.RollingUpdateDeployment)(nil)';
    errs.push(notSupported(p, goValue(s, `apps.DeploymentStrategy{Type:${goQuote(String(s.type ?? ''))}, RollingUpdate:${ru}}`), ['Recreate', 'RollingUpdate']));
  }
  return errs;
}

function deploymentSpec(spec: any): FieldError[] {
  const sp = path('spec');
  const s = spec ?? {};
  const errs = [...nonNegative(s.replicas, sp.child('replicas'))];
  // Upstream checks a Deployment's template with the ReplicaSet function, wording included.
  errs.push(...selectorAndTemplate('ReplicaSet', s, sp, 'deployment'));
  errs.push(...deploymentStrategy(s.strategy, sp.child('strategy')));
  errs.push(...nonNegative(s.minReadySeconds, sp.child('minReadySeconds')));
  if (typeof s.revisionHistoryLimit === 'number') errs.push(...nonNegative(s.revisionHistoryLimit, sp.child('revisionHistoryLimit')));
  if (typeof s.progressDeadlineSeconds === 'number') {
    errs.push(...nonNegative(s.progressDeadlineSeconds, sp.child('progressDeadlineSeconds')));
    if (s.progressDeadlineSeconds <= (s.minReadySeconds ?? 0))
      errs.push(invalid(sp.child('progressDeadlineSeconds'), s.progressDeadlineSeconds, 'must be greater than minReadySeconds'));
  }
  return errs;
}

export function validateDeployment(d: any): FieldError[] {
  return [...validateObjectMeta(d.metadata, metaOpts), ...deploymentSpec(d.spec)];
}

export function validateDeploymentUpdate(d: any, old: any): FieldError[] {
  const errs = [...validateObjectMetaUpdate(d.metadata, old.metadata), ...deploymentSpec(d.spec)];
  errs.push(...immutable(d.spec?.selector, old.spec?.selector, path('spec', 'selector'), labelSelectorValue(d.spec?.selector)));
  return errs;
}

export function validateDeploymentStatusUpdate(d: any, old: any): FieldError[] {
  const errs = validateObjectMetaUpdate(d.metadata, old.metadata);
  const p = path('status');
  const s = d.status ?? {};
  for (const f of ['observedGeneration', 'replicas', 'updatedReplicas', 'readyReplicas', 'availableReplicas', 'unavailableReplicas', 'collisionCount'])
    errs.push(...nonNegative(s[f], p.child(f)));
  const n = (f: string): number => s[f] ?? 0;
  for (const f of ['updatedReplicas', 'readyReplicas', 'availableReplicas'])
    if (n(f) > n('replicas')) errs.push(invalid(p.child(f), n(f), 'cannot be greater than status.replicas'));
  if (n('availableReplicas') > n('readyReplicas')) errs.push(invalid(p.child('availableReplicas'), n('availableReplicas'), 'cannot be greater than readyReplicas'));
  const oc = old.status?.collisionCount;
  if (typeof oc === 'number' && (typeof s.collisionCount !== 'number' || s.collisionCount < oc))
    errs.push(invalid(p.child('collisionCount'), s.collisionCount ?? 0, 'cannot be decremented'));
  return errs;
}
