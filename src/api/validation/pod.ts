/**
 * @module Pod create, update and status validation (ValidatePodCreate,
 * ValidatePodUpdate, ValidatePodStatusUpdate): the pod-only checks around
 * ValidatePodSpec, and upstream's rule that a pod's spec is immutable except
 * for images, activeDeadlineSeconds, added tolerations and removed
 * scheduling gates.
 */
import type { FieldError, Path } from '../field-errors.ts';
import { duplicate, forbidden, invalid, path, required } from '../field-errors.ts';
import { validateImageWhitespace } from './containers.ts';
import { goValue } from './goformat.ts';
import { deepEqual, immutable, validateObjectMeta, validateObjectMetaUpdate } from './meta.ts';
import { inclusiveRangeError, isDNS1123Subdomain, isQualifiedName, nameIsDNSSubdomain, parseIPSloppy, validateIP } from './names.ts';
import { validatePodSpec, validateTolerations } from './podspec.ts';

const mirrorAnnotation = 'kubernetes.io/config.mirror';
const deletionCostAnnotation = 'controller.kubernetes.io/pod-deletion-cost';

/** ValidatePodSpecificAnnotations. */
function podAnnotations(ann: Record<string, string> | undefined, spec: any, p: Path): FieldError[] {
  const errs: FieldError[] = [];
  const a = ann ?? {};
  if (mirrorAnnotation in a && !spec?.nodeName) errs.push(invalid(p.key(mirrorAnnotation), a[mirrorAnnotation], 'must set spec.nodeName if mirror pod annotation is set'));
  if (deletionCostAnnotation in a) {
    const v = a[deletionCostAnnotation];
    const n = Number(v);
    if (!/^[+-]?\d+$/.test(v) || n < -2147483648 || n > 2147483647) errs.push(invalid(p.key(deletionCostAnnotation), v, 'must be a 32bit integer'));
  }
  return errs;
}

/** validatePodMetadataAndSpec. */
function podMetadataAndSpec(pod: any): FieldError[] {
  const sp = path('spec');
  const errs = validateObjectMeta(pod.metadata, { namespaced: true, nameFn: nameIsDNSSubdomain, kubeFinalizers: true });
  errs.push(...podAnnotations(pod.metadata?.annotations, pod.spec, path('metadata', 'annotations')));
  errs.push(...validatePodSpec(pod.spec, sp, { isPod: true }));
  if (!pod.spec?.serviceAccountName)
    (pod.spec?.volumes ?? []).forEach((v: any, vi: number) =>
      (v.projected?.sources ?? []).forEach((s: any, si: number) => {
        if (s.serviceAccountToken)
          errs.push(
            forbidden(
              sp.child('volumes').index(vi).child('projected').child('sources').index(si).child('serviceAccountToken'),
              'must not be specified when serviceAccountName is not set',
            ),
          );
      }),
    );
  errs.push(...validateImageWhitespace(pod.spec?.containers, sp.child('containers')));
  errs.push(...validateImageWhitespace(pod.spec?.initContainers, sp.child('initContainers')));
  return errs;
}

export function validatePodCreate(pod: any): FieldError[] {
  const errs = podMetadataAndSpec(pod);
  const sp = path('spec');
  if ((pod.spec?.ephemeralContainers ?? []).length) errs.push(forbidden(sp.child('ephemeralContainers'), 'cannot be set on create'));
  if (pod.spec?.nodeName && (pod.spec?.schedulingGates ?? []).length)
    errs.push(forbidden(sp.child('nodeName'), 'cannot be set until all schedulingGates have been cleared'));
  return errs;
}

const updatableFields = [
  '`spec.containers[*].image`',
  '`spec.initContainers[*].image`',
  '`spec.activeDeadlineSeconds`',
  '`spec.tolerations` (only additions to existing tolerations)',
  '`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)',
];

/** A short, cmp.Diff-like listing of what changed (upstream's exact diff is Go-specific). */
function specDiff(oldSpec: any, newSpec: any): string {
  const lines: string[] = [];
  const walk = (a: any, b: any, at: string): void => {
    if (deepEqual(a, b)) return;
    if (a && b && typeof a === 'object' && typeof b === 'object' && Array.isArray(a) === Array.isArray(b)) {
      for (const k of [...new Set([...Object.keys(a), ...Object.keys(b)])]) walk(a[k], b[k], Array.isArray(a) ? `${at}[${k}]` : at ? `${at}.${k}` : k);
      return;
    }
    lines.push(`- \t${at}: ${JSON.stringify(a ?? null)}`, `+ \t${at}: ${JSON.stringify(b ?? null)}`);
  };
  walk(oldSpec, newSpec, '');
  return `  core.PodSpec{\n${lines.join('\n')}\n  }\n`;
}

export function validatePodUpdate(pod: any, old: any): FieldError[] {
  const errs = validateObjectMetaUpdate(pod.metadata, old.metadata);
  errs.push(...podMetadataAndSpec(pod));
  errs.push(...podAnnotationUpdates(pod, old));
  const sp = path('spec');
  const ns = pod.spec ?? {};
  const os = old.spec ?? {};
  for (const kind of ['containers', 'initContainers']) {
    const n: any[] = ns[kind] ?? [];
    const o: any[] = os[kind] ?? [];
    if (n.length !== o.length) {
      errs.push(forbidden(sp.child(kind), 'pod updates may not add or remove containers'));
      return errs;
    }
    n.forEach((c, i) => {
      if (!c.image) errs.push(required(sp.child(kind).index(i).child('image'), ''));
      else if (c.image !== c.image.trim()) errs.push(invalid(sp.child(kind).index(i).child('image'), c.image, 'must not have leading or trailing whitespace'));
    });
  }
  const ads = sp.child('activeDeadlineSeconds');
  if (typeof ns.activeDeadlineSeconds === 'number') {
    if (ns.activeDeadlineSeconds < 0 || ns.activeDeadlineSeconds > 2147483647) {
      errs.push(invalid(ads, ns.activeDeadlineSeconds, inclusiveRangeError(0, 2147483647)));
      return errs;
    }
    if (typeof os.activeDeadlineSeconds === 'number' && os.activeDeadlineSeconds < ns.activeDeadlineSeconds) {
      errs.push(invalid(ads, ns.activeDeadlineSeconds, 'must be less than or equal to previous value'));
      return errs;
    }
  } else if (typeof os.activeDeadlineSeconds === 'number') {
    errs.push(invalid(ads, null, 'must not update from a positive integer to nil value'));
  }
  errs.push(...onlyAddedTolerations(ns.tolerations, os.tolerations, sp.child('tolerations')));
  const oldGates = new Set((os.schedulingGates ?? []).map((g: any) => g.name));
  (ns.schedulingGates ?? []).forEach((g: any, i: number) => {
    if (!oldGates.has(g.name))
      errs.push(forbidden(sp.child('schedulingGates').index(i).child('name'), `only deletion is allowed, but found new scheduling gate '${g.name}'`));
  });
  if (deepEqual(ns, os)) return errs;
  const munged = structuredClone(ns);
  (munged.containers ?? []).forEach((c: any, i: number) => (c.image = os.containers?.[i]?.image));
  (munged.initContainers ?? []).forEach((c: any, i: number) => (c.image = os.initContainers?.[i]?.image));
  munged.activeDeadlineSeconds = os.activeDeadlineSeconds;
  munged.schedulingGates = os.schedulingGates;
  munged.tolerations = os.tolerations;
  if (typeof os.terminationGracePeriodSeconds === 'number' && os.terminationGracePeriodSeconds < 0 && munged.terminationGracePeriodSeconds === 1)
    munged.terminationGracePeriodSeconds = os.terminationGracePeriodSeconds;
  if ((os.schedulingGates ?? []).length) {
    // Gated pods may gain nodeSelector entries and node affinity terms.
    munged.nodeSelector = os.nodeSelector;
    if (munged.affinity || os.affinity) munged.affinity = { ...(munged.affinity ?? {}), nodeAffinity: os.affinity?.nodeAffinity };
  }
  if (!deepEqual(munged, os))
    errs.push(forbidden(sp, `pod updates may not change fields other than ${updatableFields.join(',')}\n${specDiff(os, munged)}`));
  return errs;
}

/** ValidatePodSpecificAnnotationUpdates: the mirror pod annotation is fixed. */
function podAnnotationUpdates(pod: any, old: any): FieldError[] {
  const errs: FieldError[] = [];
  const p = path('metadata', 'annotations');
  const n = pod.metadata?.annotations ?? {};
  const o = old.metadata?.annotations ?? {};
  if (mirrorAnnotation in o && n[mirrorAnnotation] !== o[mirrorAnnotation]) errs.push(forbidden(p.key(mirrorAnnotation), 'may not remove or update mirror pod annotation'));
  if (mirrorAnnotation in n && !(mirrorAnnotation in o)) errs.push(forbidden(p.key(mirrorAnnotation), 'may not add mirror pod annotation'));
  return errs;
}

function onlyAddedTolerations(n: any[] | undefined, o: any[] | undefined, p: Path): FieldError[] {
  for (const old of o ?? []) {
    const found = (n ?? []).some((t) => deepEqual({ ...old, tolerationSeconds: t.tolerationSeconds }, t));
    if (!found) return [forbidden(p, 'existing toleration can not be modified except its tolerationSeconds')];
  }
  return validateTolerations(n, p);
}

function validateStatusIPs(list: any[] | undefined, p: Path, errs: FieldError[]): void {
  const ips = (list ?? []).map((x) => x.ip ?? '');
  ips.forEach((ip, i) => errs.push(...validateIP(p.index(i), ip)));
  if (ips.length > 1) {
    const fams = ips.map((ip) => parseIPSloppy(ip)?.family);
    if (ips.length > 2 || fams[0] === fams[1]) {
      const t = p.toString().endsWith('podIPs') ? 'PodIP' : 'HostIP';
      const text = `[]core.${t}{${ips.map((ip) => `core.${t}{IP:${JSON.stringify(ip)}}`).join(', ')}}`;
      errs.push(invalid(p, goValue(list, text), 'may specify no more than one IP for each IP family'));
    }
    const seen = new Set<string>();
    ips.forEach((ip, i) => {
      const t = p.toString().endsWith('podIPs') ? 'PodIP' : 'HostIP';
      if (seen.has(ip)) errs.push(duplicate(p.index(i), goValue(list![i], `core.${t}{IP:${JSON.stringify(ip)}}`)));
      seen.add(ip);
    });
  }
}

export function validatePodStatusUpdate(pod: any, old: any): FieldError[] {
  const errs = validateObjectMetaUpdate(pod.metadata, old.metadata);
  errs.push(...podAnnotationUpdates(pod, old));
  (pod.status?.conditions ?? []).forEach((c: any, i: number) => {
    if (['PodScheduled', 'Ready', 'Initialized'].includes(c.type)) return;
    errs.push(...isQualifiedName(c.type ?? '').map((m) => invalid(path('metadata', 'conditions').index(i).child('Type'), c.type ?? '', m)));
  });
  const st = path('status');
  if ((pod.spec?.nodeName ?? '') !== (old.spec?.nodeName ?? '')) errs.push(forbidden(st.child('nodeName'), 'may not be changed directly'));
  const nn = pod.status?.nominatedNodeName;
  if (nn && nn !== old.status?.nominatedNodeName) errs.push(...isDNS1123Subdomain(nn).map((m) => invalid(st.child('nominatedNodeName'), nn, m)));
  errs.push(...immutable(pod.status?.qosClass ?? '', old.status?.qosClass ?? '', st.child('qosClass')));
  validateStatusIPs(pod.status?.podIPs, st.child('podIPs'), errs);
  const hostIPs: any[] = pod.status?.hostIPs ?? [];
  if (hostIPs.length) {
    if ((pod.status?.hostIP ?? '') !== hostIPs[0].ip) errs.push(invalid(st.child('hostIPs').index(0).child('ip'), hostIPs[0].ip ?? '', 'must be equal to `hostIP`'));
    validateStatusIPs(hostIPs, st.child('hostIPs'), errs);
  }
  return errs;
}
