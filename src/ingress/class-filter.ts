/**
 * @module Which Ingresses this controller serves, as ingress-nginx decides:
 * the legacy `kubernetes.io/ingress.class` annotation first, then
 * `spec.ingressClassName` naming an IngressClass whose `spec.controller` is
 * ours, and a class-less Ingress only while one of our IngressClasses is
 * marked `ingressclass.kubernetes.io/is-default-class: "true"`. Pure: the
 * controller re-runs it whenever Ingresses or IngressClasses change.
 */
import type { KubeObject } from '../api/meta.ts';

export const LEGACY_CLASS_ANNOTATION = 'kubernetes.io/ingress.class';
export const DEFAULT_CLASS_ANNOTATION = 'ingressclass.kubernetes.io/is-default-class';

export interface ClassOptions {
  /** --ingress-class: the IngressClass name, and the value the legacy annotation must have. */
  ingressClass: string;
  /** --controller-class: the `spec.controller` of our IngressClasses. */
  controllerClass: string;
}

export interface ClassDecision {
  ours: boolean;
  /** The class shown for it (for logs and events), '' when none. */
  className: string;
  why: string;
}

/** Our IngressClass objects (spec.controller equals ours). */
export function ourClasses(classes: KubeObject[], opts: ClassOptions): KubeObject[] {
  return classes.filter((c) => c.spec?.controller === opts.controllerClass);
}

export function classifyIngress(ing: KubeObject, classes: KubeObject[], opts: ClassOptions): ClassDecision {
  const legacy = ing.metadata.annotations?.[LEGACY_CLASS_ANNOTATION];
  // ingress-nginx gives the deprecated annotation precedence over spec.ingressClassName.
  if (legacy !== undefined && legacy !== '') {
    return legacy === opts.ingressClass
      ? { ours: true, className: legacy, why: `annotation ${LEGACY_CLASS_ANNOTATION}=${legacy}` }
      : { ours: false, className: legacy, why: `annotation ${LEGACY_CLASS_ANNOTATION}=${legacy} is not ${opts.ingressClass}` };
  }
  const mine = ourClasses(classes, opts);
  const name: unknown = ing.spec?.ingressClassName;
  if (typeof name === 'string' && name !== '') {
    const cls = classes.find((c) => c.metadata.name === name);
    if (!cls) return { ours: false, className: name, why: `IngressClass ${name} not found` };
    return mine.includes(cls)
      ? { ours: true, className: name, why: `IngressClass ${name}` }
      : { ours: false, className: name, why: `IngressClass ${name} has controller ${cls.spec?.controller}` };
  }
  const def = mine.find((c) => c.metadata.annotations?.[DEFAULT_CLASS_ANNOTATION] === 'true');
  return def
    ? { ours: true, className: def.metadata.name!, why: `default IngressClass ${def.metadata.name}` }
    : { ours: false, className: '', why: 'no class and no default IngressClass of ours' };
}

/** The Ingresses that are ours, in input order. */
export function filterIngresses(ingresses: KubeObject[], classes: KubeObject[], opts: ClassOptions): KubeObject[] {
  return ingresses.filter((i) => classifyIngress(i, classes, opts).ours);
}
