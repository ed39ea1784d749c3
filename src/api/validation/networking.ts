/**
 * @module networking.k8s.io/v1 Ingress and IngressClass validation: rules,
 * hosts and wildcards, paths and pathTypes, backends (service name and
 * exactly one of port number or name), TLS, and the controller name.
 */
import type { FieldError, Path } from '../field-errors.ts';
import { forbidden, invalid, notSupported, path, required, tooLong } from '../field-errors.ts';
import { goValue } from './goformat.ts';
import { immutable, validateObjectMeta, validateObjectMetaUpdate } from './meta.ts';
import {
  isDNS1123Subdomain,
  isValidPathSegmentName,
  isValidPortName,
  isValidPortNum,
  isWildcardDNS1123Subdomain,
  nameIsDNS1035Label,
  nameIsDNSLabel,
  nameIsDNSSubdomain,
  parseIPSloppy,
  validateDomainPrefixedPath,
  validateIP,
} from './names.ts';

const pathTypes = ['Exact', 'ImplementationSpecific', 'Prefix'];
const invalidSequences = ['//', '/./', '/../', '%2f', '%2F'];
const invalidSuffixes = ['/..', '/.'];

function typedLocalRef(ref: any, p: Path): FieldError[] {
  if (!ref) return [];
  const errs: FieldError[] = [];
  if (typeof ref.apiGroup === 'string') errs.push(...isDNS1123Subdomain(ref.apiGroup).map((m) => invalid(p.child('apiGroup'), ref.apiGroup, m)));
  if (!ref.kind) errs.push(required(p.child('kind'), 'kind is required'));
  else errs.push(...isValidPathSegmentName(ref.kind).map((m) => invalid(p.child('kind'), ref.kind, m)));
  if (!ref.name) errs.push(required(p.child('name'), 'name is required'));
  else errs.push(...isValidPathSegmentName(ref.name).map((m) => invalid(p.child('name'), ref.name, m)));
  return errs;
}

function backend(b: any, p: Path): FieldError[] {
  const hasResource = !!b?.resource;
  const hasService = !!b?.service;
  if (hasResource && hasService) return [invalid(p, '', 'cannot set both resource and service backends')];
  if (hasResource) return typedLocalRef(b.resource, p.child('resource'));
  if (!hasService) return [invalid(p, '', 'resource or service backend is required')];
  const errs: FieldError[] = [];
  const svc = b.service;
  if (!svc.name) errs.push(required(p.child('service', 'name'), ''));
  else errs.push(...nameIsDNS1035Label(svc.name, false).map((m) => invalid(p.child('service', 'name'), svc.name, m)));
  const name = svc.port?.name ?? '';
  const num = svc.port?.number ?? 0;
  if (name && num) errs.push(invalid(p, '', 'cannot set both port name & port number'));
  else if (name) errs.push(...isValidPortName(name).map((m) => invalid(p.child('service', 'port', 'name'), name, m)));
  else if (num) errs.push(...isValidPortNum(num).map((m) => invalid(p.child('service', 'port', 'number'), num, m)));
  else errs.push(required(p, 'port name or number is required'));
  return errs;
}

function httpPath(hp: any, p: Path): FieldError[] {
  if (hp.pathType === undefined || hp.pathType === null) return [required(p.child('pathType'), 'pathType must be specified')];
  const errs: FieldError[] = [];
  const v: string = hp.path ?? '';
  switch (hp.pathType) {
    case 'Exact':
    case 'Prefix':
      if (!v.startsWith('/')) errs.push(invalid(p.child('path'), v, 'must be an absolute path'));
      if (v) {
        for (const seq of invalidSequences) if (v.includes(seq)) errs.push(invalid(p.child('path'), v, `must not contain '${seq}'`));
        for (const suf of invalidSuffixes) if (v.endsWith(suf)) errs.push(invalid(p.child('path'), v, `cannot end with '${suf}'`));
      }
      break;
    case 'ImplementationSpecific':
      if (v && !v.startsWith('/')) errs.push(invalid(p.child('path'), v, 'must be an absolute path'));
      break;
    default:
      errs.push(notSupported(p.child('pathType'), hp.pathType, pathTypes));
  }
  errs.push(...backend(hp.backend, p.child('backend')));
  return errs;
}

function ruleValue(rule: any, p: Path): FieldError[] {
  if (!rule.http) return [];
  const hp = p.child('http');
  const paths: any[] = rule.http.paths ?? [];
  const errs: FieldError[] = paths.length ? [] : [required(hp.child('paths'), '')];
  paths.forEach((x, i) => errs.push(...httpPath(x, hp.child('paths').index(i))));
  return errs;
}

interface IngressOptions {
  allowInvalidSecretName: boolean;
  allowInvalidWildcardHostRule: boolean;
}

function ingressSpec(spec: any, opts: IngressOptions): FieldError[] {
  const sp = path('spec');
  const s = spec ?? {};
  const errs: FieldError[] = [];
  const rules: any[] = s.rules ?? [];
  if (rules.length === 0 && !s.defaultBackend)
    errs.push(invalid(sp, goValue(s.rules ?? null, s.rules ? '[]networking.IngressRule{}' : '[]networking.IngressRule(nil)'), 'either `defaultBackend` or `rules` must be specified'));
  if (s.defaultBackend) errs.push(...backend(s.defaultBackend, sp.child('defaultBackend')));
  rules.forEach((r, i) => {
    const rp = sp.child('rules').index(i);
    let wildcard = false;
    if (r.host) {
      if (parseIPSloppy(r.host)) errs.push(invalid(rp.child('host'), r.host, 'must be a DNS name, not an IP address'));
      if (r.host.includes('*')) {
        errs.push(...isWildcardDNS1123Subdomain(r.host).map((m) => invalid(rp.child('host'), r.host, m)));
        wildcard = true;
      } else errs.push(...isDNS1123Subdomain(r.host).map((m) => invalid(rp.child('host'), r.host, m)));
    }
    if (!wildcard || !opts.allowInvalidWildcardHostRule) errs.push(...ruleValue(r, rp));
  });
  (s.tls ?? []).forEach((t: any, i: number) => {
    const tp = sp.child('tls').index(i);
    (t.hosts ?? []).forEach((h: string, j: number) => {
      const check = h.includes('*') ? isWildcardDNS1123Subdomain : isDNS1123Subdomain;
      errs.push(...check(h).map((m) => invalid(tp.child('hosts').index(j), h, m)));
    });
    if (!opts.allowInvalidSecretName && t.secretName)
      errs.push(...nameIsDNSSubdomain(t.secretName, false).map((m) => invalid(tp.child('secretName'), t.secretName, m)));
  });
  if (typeof s.ingressClassName === 'string')
    errs.push(...nameIsDNSSubdomain(s.ingressClassName, false).map((m) => invalid(sp.child('ingressClassName'), s.ingressClassName, m)));
  return errs;
}

const ingressMeta = { namespaced: true, nameFn: nameIsDNSSubdomain, kubeFinalizers: true };

export function validateIngress(ing: any): FieldError[] {
  const errs = [...validateObjectMeta(ing.metadata, ingressMeta), ...ingressSpec(ing.spec, { allowInvalidSecretName: false, allowInvalidWildcardHostRule: false })];
  const cls = ing.metadata?.annotations?.['kubernetes.io/ingress.class'];
  if (cls !== undefined && typeof ing.spec?.ingressClassName === 'string' && cls !== ing.spec.ingressClassName)
    errs.push(invalid(path('annotations').child('kubernetes.io/ingress.class'), cls, 'must match `ingressClassName` when both are specified'));
  return errs;
}

export function validateIngressUpdate(ing: any, old: any): FieldError[] {
  // Values the old object already held stay acceptable (upstream's ratcheting options).
  const oldSpec = old.spec ?? {};
  const opts = {
    allowInvalidSecretName: (oldSpec.tls ?? []).some((t: any) => t.secretName && nameIsDNSSubdomain(t.secretName, false).length > 0),
    allowInvalidWildcardHostRule: (oldSpec.rules ?? []).some((r: any) => String(r.host ?? '').includes('*') && ruleValue(r, path('x')).length > 0),
  };
  return [...validateObjectMetaUpdate(ing.metadata, old.metadata), ...validateObjectMeta(ing.metadata, ingressMeta), ...ingressSpec(ing.spec, opts)];
}

export function validateIngressStatusUpdate(ing: any, old: any): FieldError[] {
  const errs = validateObjectMetaUpdate(ing.metadata, old.metadata);
  (ing.status?.loadBalancer?.ingress ?? []).forEach((x: any, i: number) => {
    const p = path('status', 'loadBalancer').child('ingress').index(i);
    if (x.ip) errs.push(...validateIP(p.child('ip'), x.ip));
    if (x.hostname) {
      errs.push(...isDNS1123Subdomain(x.hostname).map((m) => invalid(p.child('hostname'), x.hostname, m)));
      if (parseIPSloppy(x.hostname)) errs.push(invalid(p.child('hostname'), x.hostname, 'must be a DNS name, not an IP address'));
    }
  });
  return errs;
}

function ingressClassSpec(spec: any): FieldError[] {
  const sp = path('spec');
  const s = spec ?? {};
  const errs: FieldError[] = [];
  const controller: string = s.controller ?? '';
  if (controller.length > 250) errs.push(tooLong(sp.child('controller'), '', 250));
  errs.push(...validateDomainPrefixedPath(sp.child('controller'), controller));
  const params = s.parameters;
  if (params) {
    const pp = sp.child('parameters');
    errs.push(...typedLocalRef(params, pp));
    if (params.scope === undefined || params.scope === null) errs.push(required(pp.child('scope'), ''));
    else if (!['Cluster', 'Namespace'].includes(params.scope)) errs.push(notSupported(pp.child('scope'), params.scope, ['Cluster', 'Namespace']));
    else if (params.scope === 'Namespace') {
      if (params.namespace === undefined || params.namespace === null) errs.push(required(pp.child('namespace'), "`parameters.scope` is set to 'Namespace'"));
      else errs.push(...nameIsDNSLabel(params.namespace, false).map((m) => invalid(pp.child('namespace'), params.namespace, m)));
    } else if (params.namespace !== undefined && params.namespace !== null) {
      errs.push(forbidden(pp.child('namespace'), "`parameters.scope` is set to 'Cluster'"));
    }
  }
  return errs;
}

const classMeta = { namespaced: false, nameFn: nameIsDNSSubdomain, kubeFinalizers: true };

export function validateIngressClass(ic: any): FieldError[] {
  return [...validateObjectMeta(ic.metadata, classMeta), ...ingressClassSpec(ic.spec)];
}

export function validateIngressClassUpdate(ic: any, old: any): FieldError[] {
  return [
    ...validateObjectMetaUpdate(ic.metadata, old.metadata),
    ...immutable(ic.spec?.controller ?? '', old.spec?.controller ?? '', path('spec', 'controller')),
    ...validateIngressClass(ic),
  ];
}
