/**
 * @module ResourceQuota and LimitRange validation: quota resource names and
 * quantities, scopes and scope selectors, and the min <= defaultRequest <=
 * default <= max ordering of limit ranges.
 */
import type { FieldError, Path } from '../field-errors.ts';
import { duplicate, forbidden, invalid, path, required } from '../field-errors.ts';
import { goQuote, goValue } from './goformat.ts';
import { fieldImmutable, validateObjectMeta, validateObjectMetaUpdate } from './meta.ts';
import { isQualifiedName, nameIsDNSSubdomain } from './names.ts';
import type { Quantity } from './quantity.ts';
import { compareQuantities, formatQuantity, quantityMilliValue, quantityValue, tryParseQuantity } from './quantity.ts';
import {
  isOvercommitAllowed,
  isStandardQuotaResourceName,
  quantityValueOf,
  validateContainerResourceName,
  validateResourceName,
  validateResourceQuantityValue,
  validateResourceQuotaResourceName,
} from './resources.ts';

const metaOpts = { namespaced: true, nameFn: nameIsDNSSubdomain, kubeFinalizers: true };
const scopes = ['Terminating', 'NotTerminating', 'BestEffort', 'NotBestEffort', 'PriorityClass', 'CrossNamespacePodAffinity'];
const podCompute = ['cpu', 'memory', 'limits.cpu', 'limits.memory', 'requests.cpu', 'requests.memory'];

function scopeValidFor(scope: string, resource: string): boolean {
  if (scope === 'BestEffort') return resource === 'pods';
  if (scopes.includes(scope)) return resource === 'pods' || podCompute.includes(resource);
  return true;
}

const scopesValue = (list: string[]): unknown => goValue(list, `[]core.ResourceQuotaScope{${list.map(goQuote).join(', ')}}`);

function hardList(hard: Record<string, unknown> | undefined, p: Path): FieldError[] {
  const errs: FieldError[] = [];
  for (const k of Object.keys(hard ?? {}).sort())
    errs.push(...validateResourceQuotaResourceName(k, p.key(k)), ...validateResourceQuantityValue(k, hard![k], p.key(k)));
  return errs;
}

function conflicting(set: Set<string>): boolean {
  return (set.has('BestEffort') && set.has('NotBestEffort')) || (set.has('Terminating') && set.has('NotTerminating'));
}

function quotaSpec(spec: any): FieldError[] {
  const s = spec ?? {};
  const sp = path('spec');
  const errs = hardList(s.hard, sp.child('hard'));
  const hardKeys = Object.keys(s.hard ?? {}).sort();
  const list: string[] = s.scopes ?? [];
  if (list.length) {
    const fp = sp.child('scopes');
    for (const scope of list) {
      if (!scopes.includes(scope)) errs.push(invalid(fp, scopesValue(list), 'unsupported scope'));
      for (const k of hardKeys)
        if (isStandardQuotaResourceName(k) && !scopeValidFor(scope, k)) errs.push(invalid(fp, scopesValue(list), 'unsupported scope applied to resource'));
    }
    if (conflicting(new Set(list))) errs.push(invalid(fp, scopesValue(list), 'conflicting scopes'));
  }
  const exprs: any[] = s.scopeSelector?.matchExpressions;
  if (s.scopeSelector) {
    const fp = sp.child('scopeSelector').child('matchExpressions');
    const seen = new Set<string>();
    for (const req of exprs ?? []) {
      if (!scopes.includes(req.scopeName)) errs.push(invalid(fp.child('scopeName'), req.scopeName ?? '', 'unsupported scope'));
      for (const k of hardKeys)
        if (isStandardQuotaResourceName(k) && !scopeValidFor(req.scopeName, k)) errs.push(invalid(fp, s.scopeSelector, 'unsupported scope applied to resource'));
      if (['BestEffort', 'NotBestEffort', 'Terminating', 'NotTerminating', 'CrossNamespacePodAffinity'].includes(req.scopeName) && req.operator !== 'Exists')
        errs.push(
          invalid(
            fp.child('operator'),
            req.operator ?? '',
            "must be 'Exists' when scope is any of ResourceQuotaScopeTerminating, ResourceQuotaScopeNotTerminating, ResourceQuotaScopeBestEffort, ResourceQuotaScopeNotBestEffort or ResourceQuotaScopeCrossNamespacePodAffinity",
          ),
        );
      const values: string[] = req.values ?? [];
      if (req.operator === 'In' || req.operator === 'NotIn') {
        if (!values.length) errs.push(required(fp.child('values'), "must be at least one value when `operator` is 'In' or 'NotIn' for scope selector"));
      } else if (req.operator === 'Exists' || req.operator === 'DoesNotExist') {
        if (values.length)
          errs.push(invalid(fp.child('values'), goValue(values, `[]string{${values.map(goQuote).join(', ')}}`), "must be no value when `operator` is 'Exist' or 'DoesNotExist' for scope selector"));
      } else errs.push(invalid(fp.child('operator'), req.operator ?? '', 'not a valid selector operator'));
      seen.add(req.scopeName);
    }
    if (conflicting(seen)) errs.push(invalid(fp, scopesValue(list), 'conflicting scopes'));
  }
  return errs;
}

function quotaStatus(status: any): FieldError[] {
  const st = path('status');
  return [...hardList(status?.hard, st.child('hard')), ...hardList(status?.used, st.child('used'))];
}

export function validateResourceQuota(rq: any): FieldError[] {
  return [...validateObjectMeta(rq.metadata, metaOpts), ...quotaSpec(rq.spec), ...quotaStatus(rq.status)];
}

export function validateResourceQuotaUpdate(rq: any, old: any): FieldError[] {
  const errs = [...validateObjectMetaUpdate(rq.metadata, old.metadata), ...quotaSpec(rq.spec)];
  const n = new Set<string>(rq.spec?.scopes ?? []);
  const o = new Set<string>(old.spec?.scopes ?? []);
  if (n.size !== o.size || [...n].some((x) => !o.has(x))) errs.push(invalid(path('spec', 'scopes'), scopesValue(rq.spec?.scopes ?? []), fieldImmutable));
  return errs;
}

export function validateResourceQuotaStatusUpdate(rq: any, old: any): FieldError[] {
  const errs = validateObjectMetaUpdate(rq.metadata, old.metadata);
  if (!rq.metadata?.resourceVersion) errs.push(required(path('resourceVersion'), ''));
  errs.push(...quotaStatus(rq.status));
  return errs;
}

// LimitRange

function limitTypeName(t: string, p: Path): FieldError[] {
  const errs = isQualifiedName(t).map((m) => invalid(p, t, m));
  if (errs.length) return errs;
  if (t.split('/').length === 1 && !['Pod', 'Container', 'PersistentVolumeClaim'].includes(t))
    errs.push(invalid(p, t, 'must be a standard limit type or fully qualified'));
  return errs;
}

const limitResourceName = (type: string, name: string, p: Path): FieldError[] =>
  type === 'Pod' || type === 'Container' ? validateContainerResourceName(name, p) : validateResourceName(name, p);

/** Go's %f: six decimals. */
const goFloat = (n: number): string => (Number.isFinite(n) ? n.toFixed(6) : n > 0 ? '+Inf' : n < 0 ? '-Inf' : 'NaN');

export function validateLimitRange(lr: any): FieldError[] {
  const errs = validateObjectMeta(lr.metadata, metaOpts);
  const fp = path('spec', 'limits');
  const types = new Set<string>();
  (lr.spec?.limits ?? []).forEach((limit: any, i: number) => {
    const ip = fp.index(i);
    const type: string = limit.type ?? '';
    errs.push(...limitTypeName(type, ip.child('type')));
    if (types.has(type)) errs.push(duplicate(ip.child('type'), type));
    types.add(type);
    const keys = new Set<string>();
    const maps: Record<string, Map<string, Quantity>> = {};
    const collect = (field: string): void => {
      maps[field] = new Map();
      for (const k of Object.keys(limit[field] ?? {}).sort()) {
        errs.push(...limitResourceName(type, k, ip.child(field).key(k)));
        keys.add(k);
        const q = tryParseQuantity(limit[field][k]);
        if (q) maps[field].set(k, q);
      }
    };
    collect('max');
    collect('min');
    if (type === 'Pod') {
      maps.default = new Map();
      maps.defaultRequest = new Map();
      if (Object.keys(limit.default ?? {}).length) errs.push(forbidden(ip.child('default'), "may not be specified when `type` is 'Pod'"));
      if (Object.keys(limit.defaultRequest ?? {}).length) errs.push(forbidden(ip.child('defaultRequest'), "may not be specified when `type` is 'Pod'"));
    } else {
      collect('default');
      collect('defaultRequest');
    }
    if (type === 'PersistentVolumeClaim' && !('storage' in (limit.min ?? {})) && !('storage' in (limit.max ?? {})))
      errs.push(required(ip.child('limits'), 'either minimum or maximum storage value is required, but neither was provided'));
    collect('maxLimitRequestRatio');
    for (const k of [...keys].sort()) {
      const min = maps.min.get(k);
      const max = maps.max.get(k);
      const def = maps.default.get(k);
      const req = maps.defaultRequest.get(k);
      const ratio = maps.maxLimitRequestRatio.get(k);
      const s = (q: Quantity): string => formatQuantity(q);
      if (min && max && compareQuantities(min, max) > 0)
        errs.push(invalid(ip.child('min').key(k), quantityValueOf(min), `min value ${s(min)} is greater than max value ${s(max)}`));
      if (req && min && compareQuantities(min, req) > 0)
        errs.push(invalid(ip.child('defaultRequest').key(k), quantityValueOf(req), `min value ${s(min)} is greater than default request value ${s(req)}`));
      if (req && max && compareQuantities(req, max) > 0)
        errs.push(invalid(ip.child('defaultRequest').key(k), quantityValueOf(req), `default request value ${s(req)} is greater than max value ${s(max)}`));
      if (req && def && compareQuantities(req, def) > 0)
        errs.push(invalid(ip.child('defaultRequest').key(k), quantityValueOf(req), `default request value ${s(req)} is greater than default limit value ${s(def)}`));
      if (def && min && compareQuantities(min, def) > 0)
        errs.push(invalid(ip.child('default').key(k), quantityValueOf(min), `min value ${s(min)} is greater than default value ${s(def)}`));
      if (def && max && compareQuantities(def, max) > 0)
        errs.push(invalid(ip.child('default').key(k), quantityValueOf(max), `default value ${s(def)} is greater than max value ${s(max)}`));
      if (ratio && compareQuantities(ratio, '1') < 0)
        errs.push(invalid(ip.child('maxLimitRequestRatio').key(k), quantityValueOf(ratio), `ratio ${s(ratio)} is less than 1`));
      if (ratio && min && max) {
        const maxMilli = 9223372036854775n;
        let ratioValue = Number(quantityValue(ratio));
        let minV = Number(quantityValue(min));
        let maxV = Number(quantityValue(max));
        if (quantityValue(ratio) < maxMilli && quantityValue(min) < maxMilli && quantityValue(max) < maxMilli) {
          ratioValue = Number(quantityMilliValue(ratio)) / 1000;
          minV = Number(quantityMilliValue(min));
          maxV = Number(quantityMilliValue(max));
        }
        const limitRatio = maxV / minV;
        if (ratioValue > limitRatio)
          errs.push(invalid(ip.child('maxLimitRequestRatio').key(k), quantityValueOf(ratio), `ratio ${s(ratio)} is greater than max/min = ${goFloat(limitRatio)}`));
      }
      if (!isOvercommitAllowed(k) && def && req && compareQuantities(def, req) !== 0)
        errs.push(invalid(ip.child('defaultRequest').key(k), quantityValueOf(req), `default value ${s(def)} must equal to defaultRequest value ${s(req)} in ${k}`));
    }
  });
  return errs;
}

export function validateLimitRangeUpdate(lr: any, old: any): FieldError[] {
  return [...validateObjectMetaUpdate(lr.metadata, old.metadata), ...validateLimitRange(lr)];
}
