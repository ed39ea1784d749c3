/**
 * @module Namespace, Node, Event (core/v1) and Lease (coordination.k8s.io/v1)
 * validation.
 */
import type { FieldError, Path } from '../field-errors.ts';
import { forbidden, invalid, notSupported, path, required } from '../field-errors.ts';
import { goQuote, goValue } from './goformat.ts';
import { validateKubeFinalizerName, validateLabelName, validateObjectMeta, validateObjectMetaUpdate } from './meta.ts';
import { isDNS1123Subdomain, isQualifiedName, isValidLabelValue, nameIsDNSLabel, nameIsDNSSubdomain, parseIPSloppy, validateCIDR } from './names.ts';
import { validateResourceQuantityValue } from './resources.ts';

// Namespace

export function validateNamespace(ns: any): FieldError[] {
  const errs = validateObjectMeta(ns.metadata, { namespaced: false, nameFn: nameIsDNSLabel, kubeFinalizers: true });
  // Upstream reports spec finalizer errors on the list's path, without an index.
  const fp = path('spec', 'finalizers');
  for (const f of ns.spec?.finalizers ?? []) errs.push(...isQualifiedName(f).map((m) => invalid(fp, f, m)), ...validateKubeFinalizerName(f, fp));
  return errs;
}

export function validateNamespaceUpdate(ns: any, old: any): FieldError[] {
  return validateObjectMetaUpdate(ns.metadata, old.metadata);
}

export function validateNamespaceStatusUpdate(ns: any, old: any): FieldError[] {
  const errs = validateObjectMetaUpdate(ns.metadata, old.metadata);
  const phase = ns.status?.phase ?? '';
  const pp = path('status', 'Phase');
  if (!ns.metadata?.deletionTimestamp) {
    if (phase !== 'Active') errs.push(invalid(pp, phase, "may only be 'Active' if `deletionTimestamp` is empty"));
  } else if (phase !== 'Terminating') errs.push(invalid(pp, phase, "may only be 'Terminating' if `deletionTimestamp` is not empty"));
  return errs;
}

// Node

const taintEffects = ['NoSchedule', 'PreferNoSchedule', 'NoExecute'];

function taintText(t: any): string {
  return `core.Taint{Key:${goQuote(String(t.key ?? ''))}, Value:${goQuote(String(t.value ?? ''))}, Effect:${goQuote(String(t.effect ?? ''))}, TimeAdded:<nil>}`;
}

/** validateNodeTaints; upstream passes metadata's path, so errors read metadata.taints[i]. */
function validateTaints(taints: any[] | undefined, p: Path): FieldError[] {
  const errs: FieldError[] = [];
  const seen = new Set<string>();
  (taints ?? []).forEach((t, i) => {
    const ip = p.index(i);
    errs.push(...validateLabelName(String(t.key ?? ''), ip.child('key')));
    const msgs = isValidLabelValue(String(t.value ?? ''));
    if (msgs.length) errs.push(invalid(ip.child('value'), t.value ?? '', msgs.join(';')));
    if (!t.effect) errs.push(required(ip.child('effect'), ''));
    else if (!taintEffects.includes(t.effect)) errs.push(notSupported(ip.child('effect'), t.effect, taintEffects));
    const key = `${t.effect ?? ''}\u0000${t.key ?? ''}`;
    if (seen.has(key)) {
      errs.push({ type: 'FieldValueDuplicate', field: String(ip), value: goValue(t, taintText(t)), detail: 'taints must be unique by key and effect pair' });
      return;
    }
    seen.add(key);
  });
  return errs;
}

function nodeResources(node: any): FieldError[] {
  const errs: FieldError[] = [];
  for (const section of ['capacity', 'allocatable']) {
    const list: Record<string, unknown> = node.status?.[section] ?? {};
    for (const k of Object.keys(list).sort()) errs.push(...validateResourceQuantityValue(k, list[k], path('status', section, k)));
  }
  return errs;
}

export function validateNode(node: any): FieldError[] {
  const errs = validateObjectMeta(node.metadata, { namespaced: false, nameFn: nameIsDNSSubdomain, kubeFinalizers: true });
  errs.push(...validateTaints(node.spec?.taints, path('metadata', 'taints')));
  errs.push(...nodeResources(node));
  const cidrs: string[] = node.spec?.podCIDRs ?? [];
  const cp = path('spec', 'podCIDRs');
  cidrs.forEach((c, i) => errs.push(...validateCIDR(cp.index(i), c)));
  if (cidrs.length > 1) {
    const fams = cidrs.map((c) => parseIPSloppy(c.split('/')[0])?.family);
    if (cidrs.length > 2 || fams[0] === fams[1])
      errs.push(invalid(cp, goValue(cidrs, `[]string{${cidrs.map(goQuote).join(', ')}}`), 'may specify no more than one CIDR for each IP family'));
    const seen = new Set<string>();
    cidrs.forEach((c, i) => {
      if (seen.has(c)) errs.push({ type: 'FieldValueDuplicate', field: String(cp.index(i)), value: c });
      seen.add(c);
    });
  }
  return errs;
}

/** ValidateNodeUpdate, used by both the main resource and the status subresource. */
export function validateNodeUpdate(node: any, old: any): FieldError[] {
  const errs = validateObjectMetaUpdate(node.metadata, old.metadata);
  errs.push(...nodeResources(node));
  const seen = new Set<string>();
  (node.status?.addresses ?? []).forEach((a: any, i: number) => {
    const key = `${a.type}\u0000${a.address}`;
    if (seen.has(key))
      errs.push({
        type: 'FieldValueDuplicate',
        field: String(path('status', 'addresses').index(i)),
        value: goValue(a, `core.NodeAddress{Type:${goQuote(String(a.type ?? ''))}, Address:${goQuote(String(a.address ?? ''))}}`),
      });
    seen.add(key);
  });
  const oc: string[] = old.spec?.podCIDRs ?? [];
  const nc: string[] = node.spec?.podCIDRs ?? [];
  if (oc.length) {
    const msg = 'node updates may not change podCIDR except from "" to valid';
    if (oc.length !== nc.length) errs.push(forbidden(path('spec', 'podCIDRs'), msg));
    else oc.forEach((c, i) => c !== nc[i] && errs.push(forbidden(path('spec', 'podCIDRs'), msg)));
  }
  if (old.spec?.providerID && old.spec.providerID !== node.spec?.providerID)
    errs.push(forbidden(path('spec', 'providerID'), 'node updates may not change providerID except from "" to valid'));
  errs.push(...validateTaints(node.spec?.taints, path('metadata', 'taints')));
  if ((node.spec?.externalID ?? '') !== (old.spec?.externalID ?? '')) errs.push(forbidden(path('spec', 'externalID'), 'may not be updated'));
  return errs;
}

// Event (core/v1: only the legacy rules; events.k8s.io is not served)

export function validateEvent(ev: any): FieldError[] {
  const errs: FieldError[] = [];
  const ns: string = ev.metadata?.namespace ?? '';
  const ions: string = ev.involvedObject?.namespace ?? '';
  const mismatch = (): FieldError => invalid(path('involvedObject', 'namespace'), ions, 'does not match event.namespace');
  if (!ev.eventTime) {
    if (!ions) {
      if (ns !== '' && ns !== 'default') errs.push(mismatch());
    } else if (ns !== ions) errs.push(mismatch());
  } else {
    if (!ions && ns !== 'default' && ns !== 'kube-system') errs.push(mismatch());
    const rc: string = ev.reportingComponent ?? '';
    if (!rc) errs.push(required(path('reportingController'), ''));
    errs.push(...isQualifiedName(rc).map((m) => invalid(path('reportingController'), rc, m)));
    const limit = (field: string, value: string, max: number): void => {
      if (Buffer.byteLength(value) > max) errs.push(invalid(path(field), '', `can have at most ${max} characters`));
    };
    if (!ev.reportingInstance) errs.push(required(path('reportingInstance'), ''));
    limit('reportingInstance', ev.reportingInstance ?? '', 128);
    if (!ev.action) errs.push(required(path('action'), ''));
    limit('action', ev.action ?? '', 128);
    if (!ev.reason) errs.push(required(path('reason'), ''));
    limit('reason', ev.reason ?? '', 128);
    limit('message', ev.message ?? '', 1024);
  }
  errs.push(...isDNS1123Subdomain(ns).map((m) => invalid(path('namespace'), ns, m)));
  return errs;
}

// Lease

export function validateLease(lease: any): FieldError[] {
  const errs = validateObjectMeta(lease.metadata, { namespaced: true, nameFn: nameIsDNSSubdomain });
  errs.push(...leaseSpec(lease.spec));
  return errs;
}

function leaseSpec(spec: any): FieldError[] {
  const s = spec ?? {};
  const sp = path('spec');
  const errs: FieldError[] = [];
  if (typeof s.leaseDurationSeconds === 'number' && s.leaseDurationSeconds <= 0)
    errs.push(invalid(sp.child('leaseDurationSeconds'), s.leaseDurationSeconds, 'must be greater than 0'));
  if (typeof s.leaseTransitions === 'number' && s.leaseTransitions < 0)
    errs.push(invalid(sp.child('leaseTransitions'), s.leaseTransitions, 'must be greater than or equal to 0'));
  if (s.preferredHolder && !s.strategy) errs.push(forbidden(sp.child('preferredHolder'), 'may only be specified if `strategy` is defined'));
  return errs;
}

export function validateLeaseUpdate(lease: any, old: any): FieldError[] {
  return [...validateObjectMetaUpdate(lease.metadata, old.metadata, path('metadata'), false), ...leaseSpec(lease.spec)];
}
