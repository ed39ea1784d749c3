/**
 * @module PodSpec validation (ValidatePodSpec, ValidatePodTemplateSpec) for
 * pods and for the pod templates of ReplicationControllers, ReplicaSets and
 * Deployments: policies, DNS, scheduling fields, tolerations, affinity and
 * the pod security context; containers and volumes are in their own modules.
 */
import type { FieldError, Path } from '../field-errors.ts';
import { duplicate, invalid, notSupported, required, forbidden } from '../field-errors.ts';
import { validateContainers, validateInitContainers, validateDNS1123Label, validateSeccompProfile } from './containers.ts';
import { goStringSlice, goValue } from './goformat.ts';
import { validateAnnotations, validateLabelName, validateLabelSelector, validateLabels } from './meta.ts';
import { inclusiveRangeError, isDNS1123Subdomain, isQualifiedName, isValidLabelValue, isValidUserOrGroupID, nameIsDNSLabel, validateIP } from './names.ts';
import { validateResourceQuantityValue, validateContainerResourceName } from './resources.ts';
import { validateVolumes } from './volumes.ts';

const maxInt32 = 2147483647;

export interface PodSpecOptions {
  /** The spec is a Pod's own, not a template's (upstream's opts.ResourceIsPod). */
  isPod: boolean;
}

const subdomainErrs = (v: string, p: Path): FieldError[] => isDNS1123Subdomain(v).map((m) => invalid(p, v, m));

export function validateTolerations(tols: any[] | undefined, p: Path): FieldError[] {
  const errs: FieldError[] = [];
  (tols ?? []).forEach((t, i) => {
    const ip = p.index(i);
    if (t.key) errs.push(...validateLabelName(t.key, ip.child('key')));
    if (!t.key && t.operator !== 'Exists')
      errs.push(invalid(ip.child('operator'), t.operator ?? '', 'operator must be Exists when `key` is empty, which means "match all values and all keys"'));
    if (t.tolerationSeconds !== undefined && t.tolerationSeconds !== null && t.effect !== 'NoExecute')
      errs.push(invalid(ip.child('effect'), t.effect ?? '', "effect must be 'NoExecute' when `tolerationSeconds` is set"));
    switch (t.operator ?? '') {
      case 'Equal':
      case '': {
        const msgs = isValidLabelValue(t.value ?? '');
        if (msgs.length) errs.push(invalid(ip.child('operator'), t.value ?? '', msgs.join(';')));
        break;
      }
      case 'Exists':
        if (t.value) errs.push(invalid(ip.child('operator'), t.value, "value must be empty when `operator` is 'Exists'"));
        break;
      default:
        errs.push(notSupported(ip.child('operator'), t.operator, ['Equal', 'Exists']));
    }
    if (t.effect && !['NoSchedule', 'PreferNoSchedule', 'NoExecute'].includes(t.effect))
      errs.push(notSupported(ip.child('effect'), t.effect, ['NoSchedule', 'PreferNoSchedule', 'NoExecute']));
  });
  return errs;
}

function nodeSelectorRequirement(rq: any, p: Path): FieldError[] {
  const errs: FieldError[] = [];
  const values: string[] = rq.values ?? [];
  switch (rq.operator) {
    case 'In':
    case 'NotIn':
      if (values.length === 0) errs.push(required(p.child('values'), "must be specified when `operator` is 'In' or 'NotIn'"));
      break;
    case 'Exists':
    case 'DoesNotExist':
      if (values.length > 0) errs.push(forbidden(p.child('values'), "may not be specified when `operator` is 'Exists' or 'DoesNotExist'"));
      break;
    case 'Gt':
    case 'Lt':
      if (values.length !== 1) errs.push(required(p.child('values'), "must be specified single value when `operator` is 'Lt' or 'Gt'"));
      break;
    default:
      errs.push(invalid(p.child('operator'), rq.operator ?? '', 'not a valid selector operator'));
  }
  errs.push(...validateLabelName(String(rq.key ?? ''), p.child('key')));
  return errs;
}

function nodeSelectorTerm(term: any, p: Path, checkValues: boolean): FieldError[] {
  const errs: FieldError[] = [];
  (term.matchExpressions ?? []).forEach((rq: any, j: number) => {
    const rp = p.child('matchExpressions').index(j);
    errs.push(...nodeSelectorRequirement(rq, rp));
    if (checkValues) (rq.values ?? []).forEach((v: string, k: number) => errs.push(...isValidLabelValue(v).map((m) => invalid(rp.child('values').index(k), v, m))));
  });
  (term.matchFields ?? []).forEach((rq: any, j: number) => {
    const rp = p.child('matchFields').index(j);
    if (rq.operator !== 'In' && rq.operator !== 'NotIn') errs.push(invalid(rp.child('operator'), rq.operator ?? '', 'not a valid selector operator'));
    else if ((rq.values ?? []).length !== 1)
      errs.push(required(rp.child('values'), "must be only one value when `operator` is 'In' or 'NotIn' for node field selector"));
    if (rq.key !== 'metadata.name') errs.push(invalid(rp.child('key'), rq.key ?? '', 'not a valid field selector key'));
    else (rq.values ?? []).forEach((v: string, k: number) => errs.push(...subdomainErrs(v, rp.child('values').index(k))));
  });
  return errs;
}

function podAffinityTerm(t: any, p: Path): FieldError[] {
  const errs = [...validateLabelSelector(t.labelSelector, p.child('labelSelector')), ...validateLabelSelector(t.namespaceSelector, p.child('namespaceSelector'))];
  for (const ns of t.namespaces ?? []) errs.push(...nameIsDNSLabel(ns, false).map((m) => invalid(p.child('namespace'), ns, m)));
  if (!t.topologyKey) errs.push(required(p.child('topologyKey'), 'can not be empty'));
  errs.push(...validateLabelName(t.topologyKey ?? '', p.child('topologyKey')));
  return errs;
}

function validateAffinity(a: any, p: Path): FieldError[] {
  if (!a) return [];
  const errs: FieldError[] = [];
  const na = a.nodeAffinity;
  if (na) {
    const np = p.child('nodeAffinity');
    const req = na.requiredDuringSchedulingIgnoredDuringExecution;
    if (req) {
      const tp = np.child('requiredDuringSchedulingIgnoredDuringExecution').child('nodeSelectorTerms');
      if (!(req.nodeSelectorTerms ?? []).length) errs.push(required(tp, 'must have at least one node selector term'));
      (req.nodeSelectorTerms ?? []).forEach((t: any, i: number) => errs.push(...nodeSelectorTerm(t, tp.index(i), true)));
    }
    (na.preferredDuringSchedulingIgnoredDuringExecution ?? []).forEach((t: any, i: number) => {
      const ip = np.child('preferredDuringSchedulingIgnoredDuringExecution').index(i);
      if (!(t.weight > 0 && t.weight <= 100)) errs.push(invalid(ip.child('weight'), t.weight ?? 0, 'must be in the range 1-100'));
      errs.push(...nodeSelectorTerm(t.preference ?? {}, ip.child('preference'), false));
    });
  }
  for (const kind of ['podAffinity', 'podAntiAffinity']) {
    const pa = a[kind];
    if (!pa) continue;
    const kp = p.child(kind);
    (pa.requiredDuringSchedulingIgnoredDuringExecution ?? []).forEach((t: any, i: number) =>
      errs.push(...podAffinityTerm(t, kp.child('requiredDuringSchedulingIgnoredDuringExecution').index(i))),
    );
    (pa.preferredDuringSchedulingIgnoredDuringExecution ?? []).forEach((t: any, i: number) => {
      const ip = kp.child('preferredDuringSchedulingIgnoredDuringExecution').index(i);
      if (!(t.weight > 0 && t.weight <= 100)) errs.push(invalid(ip.child('weight'), t.weight ?? 0, 'must be in the range 1-100'));
      errs.push(...podAffinityTerm(t.podAffinityTerm ?? {}, ip.child('podAffinityTerm')));
    });
  }
  return errs;
}

function validateDNSConfig(cfg: any, dnsPolicy: string, p: Path): FieldError[] {
  if (dnsPolicy === 'None') {
    if (!cfg) return [required(p, 'must provide `dnsConfig` when `dnsPolicy` is None')];
    if (!(cfg.nameservers ?? []).length) return [required(p.child('nameservers'), 'must provide at least one DNS nameserver when `dnsPolicy` is None')];
  }
  if (!cfg) return [];
  const errs: FieldError[] = [];
  const ns: string[] = cfg.nameservers ?? [];
  if (ns.length > 3) errs.push(invalid(p.child('nameservers'), goValue(ns, goStringSlice(ns)), 'must not have more than 3 nameservers'));
  ns.forEach((n, i) => errs.push(...validateIP(p.child('nameservers').index(i), n)));
  const searches: string[] = cfg.searches ?? [];
  if (searches.length > 32) errs.push(invalid(p.child('searches'), goValue(searches, goStringSlice(searches)), 'must not have more than 32 search paths'));
  if (searches.join(' ').length > 2048)
    errs.push(invalid(p.child('searches'), goValue(searches, goStringSlice(searches)), 'must not have more than 2048 characters (including spaces) in the search list'));
  searches.forEach((s, i) => errs.push(...subdomainErrs(s.endsWith('.') ? s.slice(0, -1) : s, p.child('searches').index(i))));
  (cfg.options ?? []).forEach((o: any, i: number) => {
    if (!o.name) errs.push(required(p.child('options').index(i), 'must not be empty'));
  });
  return errs;
}

function validatePodSecurityContext(sc: any, spec: any, p: Path): FieldError[] {
  if (!sc) return [];
  const errs: FieldError[] = [];
  for (const f of ['fsGroup', 'runAsUser', 'runAsGroup'])
    if (typeof sc[f] === 'number') errs.push(...isValidUserOrGroupID(sc[f]).map((m) => invalid(p.child(f), sc[f], m)));
  (sc.supplementalGroups ?? []).forEach((g: number, i: number) => errs.push(...isValidUserOrGroupID(g).map((m) => invalid(p.child('supplementalGroups').index(i), g, m))));
  if (spec.shareProcessNamespace === true && spec.hostPID === true)
    errs.push(invalid(p.child('shareProcessNamespace'), true, 'ShareProcessNamespace and HostPID cannot both be enabled'));
  const seen = new Set<string>();
  (sc.sysctls ?? []).forEach((s: any, i: number) => {
    const np = p.child('sysctls').index(i).child('name');
    const re = /^([a-z0-9]([-_a-z0-9]*[a-z0-9])?[./])*[a-z0-9]([-_a-z0-9]*[a-z0-9])?$/;
    if (!s.name) errs.push(required(np, ''));
    else if (s.name.length > 253 || !re.test(s.name))
      errs.push(invalid(np, s.name, 'must have at most 253 characters and match regex ^([a-z0-9]([-_a-z0-9]*[a-z0-9])?[\\./])*[a-z0-9]([-_a-z0-9]*[a-z0-9])?$'));
    else if (seen.has(s.name)) errs.push(duplicate(np, s.name));
    seen.add(s.name);
  });
  if (sc.fsGroupChangePolicy !== undefined && !['Always', 'OnRootMismatch'].includes(sc.fsGroupChangePolicy))
    errs.push(notSupported(p.child('fsGroupChangePolicy'), sc.fsGroupChangePolicy, ['Always', 'OnRootMismatch']));
  errs.push(...validateSeccompProfile(sc.seccompProfile, p.child('seccompProfile')));
  return errs;
}

function validateTopologySpread(cs: any[] | undefined, p: Path): FieldError[] {
  const errs: FieldError[] = [];
  (cs ?? []).forEach((c, i) => {
    const ip = p.index(i);
    if (!(c.maxSkew > 0)) errs.push(invalid(ip.child('maxSkew'), c.maxSkew ?? 0, 'must be greater than zero'));
    if (!c.topologyKey) errs.push(required(ip.child('topologyKey'), 'can not be empty'));
    if (!['DoNotSchedule', 'ScheduleAnyway'].includes(c.whenUnsatisfiable))
      errs.push(notSupported(ip.child('whenUnsatisfiable'), c.whenUnsatisfiable ?? '', ['DoNotSchedule', 'ScheduleAnyway']));
    const rest = (cs ?? []).slice(i + 1);
    if (rest.some((r) => r.topologyKey === c.topologyKey && r.whenUnsatisfiable === c.whenUnsatisfiable))
      errs.push(duplicate(ip.child('{topologyKey, whenUnsatisfiable}'), `{${c.topologyKey ?? ''}, ${c.whenUnsatisfiable ?? ''}}`));
    errs.push(...validateLabelSelector(c.labelSelector, ip.child('labelSelector')));
  });
  return errs;
}

/** ValidatePodSpec. */
export function validatePodSpec(spec: any, p: Path, opts: PodSpecOptions): FieldError[] {
  const s = spec ?? {};
  const errs: FieldError[] = [];
  if (s.terminationGracePeriodSeconds === undefined || s.terminationGracePeriodSeconds === null)
    errs.push(required(p.child('terminationGracePeriodSeconds'), ''));
  const grace: number | undefined = s.terminationGracePeriodSeconds ?? undefined;
  const hostUsers = s.hostUsers !== false;
  const vols = validateVolumes(s.volumes, p.child('volumes'));
  errs.push(...vols.errs);
  const ctx = { volumes: vols.byName, grace, restartPolicy: s.restartPolicy ?? '', hostUsers };
  errs.push(...validateContainers(s.containers, ctx, p.child('containers')));
  errs.push(...validateInitContainers(s.initContainers, s.containers, ctx, p.child('initContainers')));
  if (s.hostNetwork === true)
    (s.containers ?? []).forEach((c: any, i: number) =>
      (c.ports ?? []).forEach((port: any, j: number) => {
        const hp = port.hostPort ?? 0;
        if ((opts.isPod || hp !== 0) && hp !== port.containerPort)
          errs.push(invalid(p.child('containers').index(i).child('ports').index(j).child('hostPort'), hp, 'must match `containerPort` when `hostNetwork` is true'));
      }),
    );
  const rp = s.restartPolicy ?? '';
  if (!rp) errs.push(required(p.child('restartPolicy'), ''));
  else if (!['Always', 'OnFailure', 'Never'].includes(rp)) errs.push(notSupported(p.child('restartPolicy'), rp, ['Always', 'OnFailure', 'Never']));
  const dp = s.dnsPolicy ?? '';
  if (!dp) errs.push(required(p.child('dnsPolicy'), ''));
  else if (!['ClusterFirstWithHostNet', 'ClusterFirst', 'Default', 'None'].includes(dp))
    errs.push(notSupported(p.child('dnsPolicy'), dp, ['ClusterFirstWithHostNet', 'ClusterFirst', 'Default', 'None']));
  errs.push(...validateLabels(s.nodeSelector, p.child('nodeSelector')));
  errs.push(...validatePodSecurityContext(s.securityContext, s, p.child('securityContext')));
  (s.imagePullSecrets ?? []).forEach((r: any, i: number) => {
    if (Object.keys(r).some((k) => k !== 'name')) errs.push(invalid(p.child('imagePullSecrets').index(i), r, 'only name may be set'));
  });
  errs.push(...validateAffinity(s.affinity, p.child('affinity')));
  errs.push(...validateDNSConfig(s.dnsConfig, dp, p.child('dnsConfig')));
  (s.readinessGates ?? []).forEach((g: any, i: number) =>
    errs.push(...isQualifiedName(g.conditionType ?? '').map((m) => invalid(p.child('readinessGates').index(i).child('conditionType'), g.conditionType ?? '', m))),
  );
  const gates = new Set<string>();
  (s.schedulingGates ?? []).forEach((g: any, i: number) => {
    const gp = p.child('schedulingGates').index(i);
    errs.push(...isQualifiedName(g.name ?? '').map((m) => invalid(gp, g.name ?? '', m)));
    if (gates.has(g.name)) errs.push(duplicate(gp, g.name));
    gates.add(g.name);
  });
  errs.push(...validateTopologySpread(s.topologySpreadConstraints, p.child('topologySpreadConstraints')));
  if (s.serviceAccountName) errs.push(...subdomainErrs(s.serviceAccountName, p.child('serviceAccountName')));
  if (s.nodeName) errs.push(...subdomainErrs(s.nodeName, p.child('nodeName')));
  if (typeof s.activeDeadlineSeconds === 'number' && (s.activeDeadlineSeconds < 1 || s.activeDeadlineSeconds > maxInt32))
    errs.push(invalid(p.child('activeDeadlineSeconds'), s.activeDeadlineSeconds, inclusiveRangeError(1, maxInt32)));
  if (s.hostname) errs.push(...validateDNS1123Label(s.hostname, p.child('hostname')));
  if (s.subdomain) errs.push(...validateDNS1123Label(s.subdomain, p.child('subdomain')));
  errs.push(...validateTolerations(s.tolerations, p.child('tolerations')));
  (s.hostAliases ?? []).forEach((ha: any, i: number) => {
    const hp = p.child('hostAliases').index(i);
    errs.push(...validateIP(hp.child('ip'), ha.ip ?? ''));
    (ha.hostnames ?? []).forEach((h: string, j: number) => errs.push(...subdomainErrs(h, hp.child('hostnames').index(j))));
  });
  if (s.priorityClassName) errs.push(...subdomainErrs(s.priorityClassName, p.child('priorityClassName')));
  if (typeof s.runtimeClassName === 'string') errs.push(...subdomainErrs(s.runtimeClassName, p.child('runtimeClassName')));
  if (s.preemptionPolicy !== undefined && s.preemptionPolicy !== null) {
    if (!s.preemptionPolicy) errs.push(required(p.child('preemptionPolicy'), ''));
    else if (!['PreemptLowerPriority', 'Never'].includes(s.preemptionPolicy))
      errs.push(notSupported(p.child('preemptionPolicy'), s.preemptionPolicy, ['PreemptLowerPriority', 'Never']));
  }
  for (const k of Object.keys(s.overhead ?? {}).sort()) {
    const op = p.child('overhead').child('limits').key(k);
    errs.push(...validateContainerResourceName(k, op), ...validateResourceQuantityValue(k, s.overhead[k], op));
  }
  if (s.os) {
    if (!s.os.name) errs.push(required(p.child('os').child('name'), 'cannot be empty'));
    else if (!['linux', 'windows'].includes(s.os.name)) errs.push(notSupported(p.child('os'), s.os.name, ['linux', 'windows']));
  }
  return errs;
}

/** ValidatePodTemplateSpec: a template's labels, annotations and spec; no ephemeral containers. */
export function validatePodTemplateSpec(t: any, p: Path): FieldError[] {
  const meta = t?.metadata ?? {};
  const errs = [...validateLabels(meta.labels, p.child('labels')), ...validateAnnotations(meta.annotations, p.child('annotations'))];
  errs.push(...validatePodSpec(t?.spec, p.child('spec'), { isPod: false }));
  if ((t?.spec?.ephemeralContainers ?? []).length) errs.push(forbidden(p.child('spec', 'ephemeralContainers'), 'ephemeral containers not allowed in pod template'));
  return errs;
}
