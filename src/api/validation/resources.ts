/**
 * @module Resource names and quantities (pkg/apis/core/helper and the
 * resource parts of core validation): which names are standard for
 * containers, quotas and limit ranges, which must be integers, and the
 * requests <= limits rule.
 */
import type { FieldError, Path } from '../field-errors.ts';
import { forbidden, invalid, required } from '../field-errors.ts';
import { goStringer } from './goformat.ts';
import { isNegativeErrorMsg } from './meta.ts';
import { isQualifiedName } from './names.ts';
import type { Quantity } from './quantity.ts';
import { QuantityError, compareQuantities, formatQuantity, isInteger, isNegative, parseQuantity } from './quantity.ts';

const standardResources = new Set([
  'cpu',
  'memory',
  'ephemeral-storage',
  'requests.cpu',
  'requests.memory',
  'requests.ephemeral-storage',
  'limits.cpu',
  'limits.memory',
  'limits.ephemeral-storage',
  'pods',
  'resourcequotas',
  'services',
  'replicationcontrollers',
  'secrets',
  'configmaps',
  'persistentvolumeclaims',
  'storage',
  'requests.storage',
  'services.nodeports',
  'services.loadbalancers',
]);

const standardQuotaResources = new Set([
  'cpu',
  'memory',
  'ephemeral-storage',
  'requests.cpu',
  'requests.memory',
  'requests.storage',
  'requests.ephemeral-storage',
  'limits.cpu',
  'limits.memory',
  'limits.ephemeral-storage',
  'pods',
  'resourcequotas',
  'services',
  'replicationcontrollers',
  'secrets',
  'persistentvolumeclaims',
  'configmaps',
  'services.nodeports',
  'services.loadbalancers',
]);

const integerResources = new Set([
  'pods',
  'resourcequotas',
  'services',
  'replicationcontrollers',
  'secrets',
  'configmaps',
  'persistentvolumeclaims',
  'services.nodeports',
  'services.loadbalancers',
]);

export const isHugePageResourceName = (n: string): boolean => n.startsWith('hugepages-');
const isQuotaHugePageResourceName = (n: string): boolean => n.startsWith('hugepages-') || n.startsWith('requests.hugepages-');
export const isStandardQuotaResourceName = (n: string): boolean => standardQuotaResources.has(n) || isQuotaHugePageResourceName(n);
const isStandardResourceName = (n: string): boolean => standardResources.has(n) || isQuotaHugePageResourceName(n);
const isStandardContainerResourceName = (n: string): boolean => ['cpu', 'memory', 'ephemeral-storage'].includes(n) || isHugePageResourceName(n);

/** IsNativeResource: unprefixed, or prefixed with a kubernetes.io domain. */
export const isNativeResource = (n: string): boolean => !n.includes('/') || n.includes('kubernetes.io/');

export function isExtendedResourceName(n: string): boolean {
  if (isNativeResource(n) || n.startsWith('requests.')) return false;
  return isQualifiedName(`requests.${n}`).length === 0;
}

export const isOvercommitAllowed = (n: string): boolean => isNativeResource(n) && !isHugePageResourceName(n);
export const isIntegerResourceName = (n: string): boolean => integerResources.has(n) || isExtendedResourceName(n);

/** validateResourceName. */
export function validateResourceName(name: string, p: Path | string): FieldError[] {
  const errs = isQualifiedName(name).map((m) => invalid(p, name, m));
  if (errs.length) return errs;
  if (name.split('/').length === 1 && !isStandardResourceName(name)) errs.push(invalid(p, name, 'must be a standard resource type or fully qualified'));
  return errs;
}

export function validateContainerResourceName(name: string, p: Path | string): FieldError[] {
  const errs = validateResourceName(name, p);
  if (name.split('/').length === 1) {
    if (!isStandardContainerResourceName(name)) errs.push(invalid(p, name, 'must be a standard resource for containers'));
  } else if (!isNativeResource(name) && !isExtendedResourceName(name)) {
    errs.push(invalid(p, name, "doesn't follow extended resource name standard"));
  }
  return errs;
}

export function validateResourceQuotaResourceName(name: string, p: Path | string): FieldError[] {
  const errs = validateResourceName(name, p);
  if (name.split('/').length === 1 && !isStandardQuotaResourceName(name)) errs.push(invalid(p, name, 'must be a standard resource for quota'));
  return errs;
}

/** Parses a quantity field, or reports it the way the decoder would have. */
export function quantityOf(raw: unknown, p: Path | string, errs: FieldError[]): Quantity | undefined {
  try {
    return parseQuantity(raw as string | number);
  } catch (e) {
    errs.push(invalid(p, raw ?? null, e instanceof QuantityError ? e.message : String(e)));
    return undefined;
  }
}

/** A quantity as upstream prints a resource.Quantity value: bare canonical text. */
export const quantityValueOf = (q: Quantity): unknown => goStringer(formatQuantity(q), formatQuantity(q));

/** ValidateResourceQuantityValue: non-negative, and whole for countable resources. */
export function validateResourceQuantityValue(name: string, raw: unknown, p: Path | string): FieldError[] {
  const errs: FieldError[] = [];
  const q = quantityOf(raw, p, errs);
  if (!q) return errs;
  if (isNegative(q)) errs.push(invalid(p, formatQuantity(q), isNegativeErrorMsg));
  if (isIntegerResourceName(name) && !isInteger(q)) errs.push(invalid(p, quantityValueOf(q), 'must be an integer'));
  return errs;
}

const hugePageSizes: Record<string, bigint> = { Ki: 1024n, Mi: 1024n ** 2n, Gi: 1024n ** 3n };

function hugePageDivisible(name: string, q: Quantity): boolean {
  const m = /^hugepages-(\d+)(Ki|Mi|Gi)$/.exec(name);
  if (!m || q.scale < 0) return !m;
  const size = BigInt(m[1]) * hugePageSizes[m[2]];
  const v = q.mantissa * 10n ** BigInt(q.scale);
  return v > 0n && v % size === 0n;
}

/** validateResourceRequirements for containers (ValidateContainerResourceRequirements). */
export function validateResourceRequirements(res: any, p: Path): FieldError[] {
  const errs: FieldError[] = [];
  const limPath = p.child('limits');
  const reqPath = p.child('requests');
  const limits: Record<string, unknown> = res?.limits ?? {};
  const requests: Record<string, unknown> = res?.requests ?? {};
  let cpuOrMemory = false;
  let hugePages = false;
  for (const name of Object.keys(limits).sort()) {
    const fp = limPath.key(name);
    errs.push(...validateContainerResourceName(name, fp));
    errs.push(...validateResourceQuantityValue(name, limits[name], fp));
    if (isHugePageResourceName(name)) {
      hugePages = true;
      const q = quantityOf(limits[name], fp, []);
      if (q && !hugePageDivisible(name, q)) errs.push(invalid(fp, formatQuantity(q), `${formatQuantity(q)} is not positive integer multiple of ${name}`));
    }
    if (name === 'cpu' || name === 'memory') cpuOrMemory = true;
  }
  for (const name of Object.keys(requests).sort()) {
    const fp = reqPath.key(name);
    errs.push(...validateContainerResourceName(name, fp));
    errs.push(...validateResourceQuantityValue(name, requests[name], fp));
    const q = quantityOf(requests[name], fp, []);
    if (name in limits) {
      const lim = quantityOf(limits[name], fp, []);
      if (q && lim) {
        const c = compareQuantities(q, lim);
        if (c !== 0 && !isOvercommitAllowed(name))
          errs.push(invalid(reqPath, formatQuantity(q), `must be equal to ${name} limit of ${formatQuantity(lim)}`));
        else if (c > 0) errs.push(invalid(reqPath, formatQuantity(q), `must be less than or equal to ${name} limit of ${formatQuantity(lim)}`));
      }
    } else if (!isOvercommitAllowed(name)) {
      errs.push(required(limPath, 'Limit must be set for non overcommitable resources'));
    }
    if (isHugePageResourceName(name)) {
      hugePages = true;
      if (q && !hugePageDivisible(name, q)) errs.push(invalid(fp, formatQuantity(q), `${formatQuantity(q)} is not positive integer multiple of ${name}`));
    }
    if (name === 'cpu' || name === 'memory') cpuOrMemory = true;
  }
  if (!cpuOrMemory && hugePages) errs.push(forbidden(p, 'HugePages require cpu or memory'));
  return errs;
}
