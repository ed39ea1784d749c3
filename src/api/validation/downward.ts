/**
 * @module Downward API selectors (validateObjectFieldSelector,
 * validateContainerResourceFieldSelector) shared by env vars and volumes.
 */
import type { FieldError, Path } from '../field-errors.ts';
import { invalid, notSupported, required } from '../field-errors.ts';
import { isQualifiedName } from './names.ts';
import { formatQuantity, tryParseQuantity } from './quantity.ts';

export const envFieldPaths = [
  'metadata.name',
  'metadata.namespace',
  'metadata.uid',
  'spec.nodeName',
  'spec.serviceAccountName',
  'status.hostIP',
  'status.hostIPs',
  'status.podIP',
  'status.podIPs',
];
export const volumeFieldPaths = ['metadata.annotations', 'metadata.labels', 'metadata.name', 'metadata.namespace', 'metadata.uid'];
const convertibleFieldPaths = new Set([
  'metadata.annotations',
  'metadata.labels',
  'metadata.name',
  'metadata.namespace',
  'metadata.uid',
  'spec.nodeName',
  'spec.restartPolicy',
  'spec.serviceAccountName',
  'spec.schedulerName',
  'status.phase',
  'status.hostIP',
  'status.hostIPs',
  'status.podIP',
  'status.podIPs',
  'spec.host',
]);
export const containerResourceFields = ['limits.cpu', 'limits.ephemeral-storage', 'limits.memory', 'requests.cpu', 'requests.ephemeral-storage', 'requests.memory'];

/** validateObjectFieldSelector with podshelper.ConvertDownwardAPIFieldLabel for v1. */
export function validateObjectFieldSelector(fs: any, allowed: string[], p: Path): FieldError[] {
  if (!fs.apiVersion) return [required(p.child('apiVersion'), '')];
  if (!fs.fieldPath) return [required(p.child('fieldPath'), '')];
  const fp: string = fs.fieldPath;
  if (fs.apiVersion !== 'v1') return [invalid(p.child('fieldPath'), fp, `error converting fieldPath: unsupported pod version: ${fs.apiVersion}`)];
  const sub = /^(.*)\['(.*)'\]$/.exec(fp);
  if (sub) {
    if (sub[1] === 'metadata.annotations') return isQualifiedName(sub[2].toLowerCase()).map((m) => invalid(p, sub[2].toLowerCase(), m));
    if (sub[1] === 'metadata.labels') return isQualifiedName(sub[2]).map((m) => invalid(p, sub[2], m));
    return [invalid(p.child('fieldPath'), fp, `error converting fieldPath: field label does not support subscript: ${fp}`)];
  }
  if (!convertibleFieldPaths.has(fp)) return [invalid(p.child('fieldPath'), fp, `error converting fieldPath: field label not supported: ${fp}`)];
  const internal = fp === 'spec.host' ? 'spec.nodeName' : fp;
  return allowed.includes(internal) ? [] : [notSupported(p.child('fieldPath'), internal, allowed)];
}

const memoryDivisors = ['1', '1k', '1M', '1G', '1T', '1P', '1E', '1Ki', '1Mi', '1Gi', '1Ti', '1Pi', '1Ei'];

export function validateResourceFieldSelector(fs: any, p: Path, volume: boolean): FieldError[] {
  const errs: FieldError[] = [];
  const r: string = fs.resource ?? '';
  if (volume && !fs.containerName) errs.push(required(p.child('containerName'), ''));
  else if (!r) errs.push(required(p.child('resource'), ''));
  else if (!containerResourceFields.includes(r) && !r.startsWith('requests.hugepages-') && !r.startsWith('limits.hugepages-'))
    errs.push(notSupported(p.child('resource'), r, containerResourceFields));
  const d = fs.divisor === undefined ? undefined : tryParseQuantity(fs.divisor);
  if (d && d.mantissa !== 0n) {
    const text = formatQuantity(d);
    const kind = r.endsWith('.cpu') ? 'cpu' : r.endsWith('.memory') ? 'memory' : r.endsWith('.ephemeral-storage') ? 'local ephemeral storage' : '';
    if (kind === 'cpu' && !['1m', '1'].includes(text))
      errs.push(invalid(p.child('divisor'), r, "only divisor's values 1m and 1 are supported with the cpu resource"));
    else if (kind && kind !== 'cpu' && !memoryDivisors.includes(text))
      errs.push(invalid(p.child('divisor'), r, `only divisor's values ${memoryDivisors.join(', ')} are supported with the ${kind} resource`));
  }
  return errs;
}

