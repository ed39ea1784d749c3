/**
 * @module Service validation (ValidateService, ValidateServiceUpdate,
 * ValidateServiceStatusUpdate): ports, types, cluster IPs and IP families,
 * session affinity, traffic policies, external IPs and load balancer fields.
 * Whether a nodePort lies in the configured range or is free is the
 * allocator's business, not this module's.
 */
import type { FieldError, Path } from '../field-errors.ts';
import { duplicate, forbidden, invalid, notSupported, path, required } from '../field-errors.ts';
import { supportedProtocols, validateDNS1123Label, validatePortNumOrName } from './containers.ts';
import { goQuote, goSliceValue, goValue } from './goformat.ts';
import { validateLabels, validateObjectMeta, validateObjectMetaUpdate } from './meta.ts';
import { isDNS1123Subdomain, isQualifiedName, isValidPortNum, nameIsDNS1035Label, parseIPSloppy, validateCIDR, validateIP, validateNonSpecialIP } from './names.ts';

const serviceTypes = ['ClusterIP', 'ExternalName', 'LoadBalancer', 'NodePort'];

const isHeadless = (svc: any): boolean => {
  const ips: string[] = svc.spec?.clusterIPs ?? [];
  return ips.length === 1 && ips[0] === 'None';
};

const externallyAccessible = (spec: any): boolean =>
  spec.type === 'LoadBalancer' || spec.type === 'NodePort' || (spec.type === 'ClusterIP' && (spec.externalIPs ?? []).length > 0);

const needsHealthCheck = (spec: any): boolean => spec.type === 'LoadBalancer' && spec.externalTrafficPolicy === 'Local';

/** %#v of the (protocol, port) key upstream reports duplicates with. */
function servicePortKey(protocol: string, port: number): string {
  return `core.ServicePort{Name:"", Protocol:${goQuote(protocol)}, AppProtocol:(*string)(nil), Port:${port}, TargetPort:intstr.IntOrString{Type:0, IntVal:0, StrVal:""}, NodePort:0}`;
}

function validateServicePort(sp: any, requireName: boolean, names: Set<string>, p: Path): FieldError[] {
  const errs: FieldError[] = [];
  if (requireName && !sp.name) errs.push(required(p.child('name'), ''));
  else if (sp.name) {
    errs.push(...validateDNS1123Label(sp.name, p.child('name')));
    if (names.has(sp.name)) errs.push(duplicate(p.child('name'), sp.name));
    else names.add(sp.name);
  }
  errs.push(...isValidPortNum(sp.port ?? 0).map((m) => invalid(p.child('port'), sp.port ?? 0, m)));
  if (!sp.protocol) errs.push(required(p.child('protocol'), ''));
  else if (!supportedProtocols.includes(sp.protocol)) errs.push(notSupported(p.child('protocol'), sp.protocol, supportedProtocols));
  errs.push(...validatePortNumOrName(sp.targetPort ?? 0, p.child('targetPort')));
  if (typeof sp.appProtocol === 'string') errs.push(...isQualifiedName(sp.appProtocol).map((m) => invalid(p.child('appProtocol'), sp.appProtocol, m)));
  return errs;
}

/** ValidateServiceClusterIPsRelatedFields. */
function clusterIPFields(svc: any): FieldError[] {
  const spec = svc.spec ?? {};
  if (spec.type === 'ExternalName') return [];
  const errs: FieldError[] = [];
  const sp = path('spec');
  const ipsPath = sp.child('clusterIPs');
  const ips: string[] = spec.clusterIPs ?? [];
  if (spec.clusterIP) {
    if (ips.length === 0) errs.push(required(ipsPath, ''));
    else if (ips[0] !== spec.clusterIP) errs.push(invalid(ipsPath, goSliceValue(ips), 'first value must match `clusterIP`'));
  } else if (ips.length) {
    errs.push(invalid(ipsPath, goSliceValue(ips), 'must be empty when `clusterIP` is not specified'));
  }
  const fams: string[] = spec.ipFamilies ?? [];
  const seen = new Set<string>();
  fams.forEach((f, i) => {
    if (f !== 'IPv4' && f !== 'IPv6') errs.push(notSupported(sp.child('ipFamilies').index(i), f, ['IPv4', 'IPv6']));
    if (seen.has(f)) errs.push(duplicate(sp.child('ipFamilies').index(i), f));
    seen.add(f);
  });
  const policy = spec.ipFamilyPolicy;
  if (policy !== undefined && policy !== null && !['PreferDualStack', 'RequireDualStack', 'SingleStack'].includes(policy))
    errs.push(notSupported(sp.child('ipFamilyPolicy'), policy, ['PreferDualStack', 'RequireDualStack', 'SingleStack']));
  let bad = false;
  ips.forEach((ip, i) => {
    if (i === 0 && ip === 'None') {
      if (ips.length > 1) {
        bad = true;
        errs.push(invalid(ipsPath, goSliceValue(ips), "'None' must be the first and only value"));
      }
      return;
    }
    const e = validateIP(ipsPath.index(i), ip);
    if (e.length) bad = true;
    errs.push(...e);
  });
  if (ips.length > 2) errs.push(invalid(ipsPath, goSliceValue(ips), 'may only hold up to 2 values'));
  if (bad) return errs;
  if (ips.length > 1 && parseIPSloppy(ips[0])?.family === parseIPSloppy(ips[1])?.family)
    errs.push(invalid(ipsPath, goSliceValue(ips), 'may specify no more than one IP for each IP family'));
  if (!isHeadless(svc))
    ips.forEach((ip, i) => {
      if (i >= fams.length) return;
      const v6 = parseIPSloppy(ip)?.family === 6;
      if (fams[i] === 'IPv4' && v6) errs.push(invalid(ipsPath.index(i), ip, `expected an IPv4 value as indicated by \`ipFamilies[${i}]\``));
      if (fams[i] === 'IPv6' && !v6) errs.push(invalid(ipsPath.index(i), ip, `expected an IPv6 value as indicated by \`ipFamilies[${i}]\``));
    });
  return errs;
}

/** ValidateService. */
export function validateService(svc: any): FieldError[] {
  const mp = path('metadata');
  const errs = validateObjectMeta(svc.metadata, { namespaced: true, nameFn: nameIsDNS1035Label, kubeFinalizers: true });
  const ann = svc.metadata?.annotations ?? {};
  const hints = 'service.kubernetes.io/topology-aware-hints';
  const mode = 'service.kubernetes.io/topology-mode';
  if (mode in ann && hints in ann && ann[mode] !== ann[hints])
    errs.push(invalid(mp.child('annotations').key(mode), ann[mode], `must match annotations[${hints}] when both are specified`));
  const spec = svc.spec ?? {};
  const sp = path('spec');
  const ports: any[] = spec.ports ?? [];
  if (ports.length === 0 && !isHeadless(svc) && spec.type !== 'ExternalName') errs.push(required(sp.child('ports'), ''));
  const ips: string[] = spec.clusterIPs ?? [];
  if (spec.type === 'LoadBalancer' && isHeadless(svc)) errs.push(invalid(sp.child('clusterIPs').index(0), ips[0], "may not be set to 'None' for LoadBalancer services"));
  if (spec.type === 'NodePort' && isHeadless(svc)) errs.push(invalid(sp.child('clusterIPs').index(0), ips[0], "may not be set to 'None' for NodePort services"));
  if (spec.type === 'ExternalName') {
    if (ips.length) errs.push(forbidden(sp.child('clusterIPs'), 'may not be set for ExternalName services'));
    if ((spec.ipFamilies ?? []).length) errs.push(forbidden(sp.child('ipFamilies'), 'may not be set for ExternalName services'));
    if (spec.ipFamilyPolicy !== undefined && spec.ipFamilyPolicy !== null) errs.push(forbidden(sp.child('ipFamilyPolicy'), 'may not be set for ExternalName services'));
    const cname = String(spec.externalName ?? '').replace(/\.$/, '');
    if (cname) errs.push(...isDNS1123Subdomain(cname).map((m) => invalid(sp.child('externalName'), cname, m)));
    else errs.push(required(sp.child('externalName'), ''));
  }
  const names = new Set<string>();
  ports.forEach((port, i) => errs.push(...validateServicePort(port, ports.length > 1, names, sp.child('ports').index(i))));
  if (spec.selector) errs.push(...validateLabels(spec.selector, sp.child('selector')));
  const aff = spec.sessionAffinity;
  if (!aff) errs.push(required(sp.child('sessionAffinity'), ''));
  else if (aff !== 'ClientIP' && aff !== 'None') errs.push(notSupported(sp.child('sessionAffinity'), aff, ['ClientIP', 'None']));
  const cfgPath = sp.child('sessionAffinityConfig');
  if (aff === 'ClientIP') {
    const cfg = spec.sessionAffinityConfig;
    const why = 'when session affinity type is ClientIP';
    if (!cfg) errs.push(required(cfgPath, why));
    else if (!cfg.clientIP) errs.push(required(cfgPath.child('clientIP'), why));
    else if (cfg.clientIP.timeoutSeconds === undefined || cfg.clientIP.timeoutSeconds === null) errs.push(required(cfgPath.child('clientIP').child('timeoutSeconds'), why));
    else if (!(cfg.clientIP.timeoutSeconds > 0 && cfg.clientIP.timeoutSeconds <= 86400))
      errs.push(invalid(cfgPath.child('clientIP').child('timeoutSeconds'), cfg.clientIP.timeoutSeconds, 'must be greater than 0 and less than 86400'));
  } else if (aff === 'None' && spec.sessionAffinityConfig) {
    errs.push(forbidden(cfgPath, 'must not be set when session affinity is None'));
  }
  errs.push(...clusterIPFields(svc));
  (spec.externalIPs ?? []).forEach((ip: string, i: number) => {
    const e = validateIP(sp.child('externalIPs').index(i), ip);
    errs.push(...(e.length ? e : validateNonSpecialIP(ip, sp.child('externalIPs').index(i))));
  });
  if (!spec.type) errs.push(required(sp.child('type'), ''));
  else if (!serviceTypes.includes(spec.type)) errs.push(notSupported(sp.child('type'), spec.type, serviceTypes));
  if (spec.type === 'ClusterIP')
    ports.forEach((port, i) => {
      if (port.nodePort) errs.push(forbidden(sp.child('ports').index(i).child('nodePort'), "may not be used when `type` is 'ClusterIP'"));
    });
  const nodePorts = new Set<string>();
  ports.forEach((port, i) => {
    if (!port.nodePort) return;
    const key = `${port.protocol}/${port.nodePort}`;
    if (nodePorts.has(key)) errs.push(duplicate(sp.child('ports').index(i).child('nodePort'), port.nodePort));
    nodePorts.add(key);
  });
  const keys = new Set<string>();
  ports.forEach((port, i) => {
    const key = `${port.protocol ?? ''}/${port.port ?? 0}`;
    if (keys.has(key)) errs.push(duplicate(sp.child('ports').index(i), goValue({ protocol: port.protocol, port: port.port }, servicePortKey(port.protocol ?? '', port.port ?? 0))));
    keys.add(key);
  });
  const ranges: string[] = spec.loadBalancerSourceRanges ?? [];
  const rangesAnn = 'service.beta.kubernetes.io/load-balancer-source-ranges';
  if (ranges.length) {
    const fp = sp.child('LoadBalancerSourceRanges');
    if (spec.type !== 'LoadBalancer') errs.push(forbidden(fp, "may only be used when `type` is 'LoadBalancer'"));
    ranges.forEach((r, i) => errs.push(...validateCIDR(fp.index(i), r.trim())));
  } else if (rangesAnn in ann) {
    const fp = mp.child('annotations').key(rangesAnn);
    if (spec.type !== 'LoadBalancer') errs.push(forbidden(fp, "may only be used when `type` is 'LoadBalancer'"));
    const v = String(ann[rangesAnn]).trim();
    if (v) for (const c of v.split(',')) errs.push(...validateCIDR(fp, c.trim()));
  }
  if (spec.allocateLoadBalancerNodePorts !== undefined && spec.allocateLoadBalancerNodePorts !== null && spec.type !== 'LoadBalancer')
    errs.push(forbidden(sp.child('allocateLoadBalancerNodePorts'), "may only be used when `type` is 'LoadBalancer'"));
  if (spec.type === 'LoadBalancer' && (spec.allocateLoadBalancerNodePorts === undefined || spec.allocateLoadBalancerNodePorts === null))
    errs.push(required(path('allocateLoadBalancerNodePorts'), ''));
  if (spec.loadBalancerClass !== undefined && spec.loadBalancerClass !== null) {
    if (spec.type === 'LoadBalancer')
      errs.push(...isQualifiedName(spec.loadBalancerClass).map((m) => invalid(sp.child('loadBalancerClass'), spec.loadBalancerClass, m)));
    else errs.push(forbidden(sp.child('loadBalancerClass'), "may only be used when `type` is 'LoadBalancer'"));
  }
  if (!externallyAccessible(spec)) {
    if (spec.externalTrafficPolicy)
      errs.push(invalid(sp.child('externalTrafficPolicy'), spec.externalTrafficPolicy, 'may only be set for externally-accessible services'));
  } else if (!spec.externalTrafficPolicy) errs.push(required(sp.child('externalTrafficPolicy'), ''));
  else if (!['Cluster', 'Local'].includes(spec.externalTrafficPolicy))
    errs.push(notSupported(sp.child('externalTrafficPolicy'), spec.externalTrafficPolicy, ['Cluster', 'Local']));
  if (!needsHealthCheck(spec)) {
    if (spec.healthCheckNodePort)
      errs.push(
        invalid(sp.child('healthCheckNodePort'), spec.healthCheckNodePort, "may only be set when `type` is 'LoadBalancer' and `externalTrafficPolicy` is 'Local'"),
      );
  } else if (!spec.healthCheckNodePort) errs.push(required(sp.child('healthCheckNodePort'), ''));
  else errs.push(...isValidPortNum(spec.healthCheckNodePort).map((m) => invalid(sp.child('healthCheckNodePort'), spec.healthCheckNodePort, m)));
  const itp = spec.internalTrafficPolicy;
  if ((itp === undefined || itp === null) && ['NodePort', 'LoadBalancer', 'ClusterIP'].includes(spec.type)) errs.push(required(sp.child('internalTrafficPolicy'), ''));
  if (itp !== undefined && itp !== null && !['Cluster', 'Local'].includes(itp)) errs.push(notSupported(sp.child('internalTrafficPolicy'), itp, ['Cluster', 'Local']));
  if (spec.trafficDistribution !== undefined && spec.trafficDistribution !== null && spec.trafficDistribution !== 'PreferClose')
    errs.push(notSupported(sp.child('trafficDistribution'), spec.trafficDistribution, ['PreferClose']));
  return errs;
}

/** validateUpgradeDowngradeClusterIPs and validateUpgradeDowngradeIPFamilies. */
function clusterIPUpdates(svc: any, old: any): FieldError[] {
  const ns = svc.spec ?? {};
  const os = old.spec ?? {};
  if (ns.type === 'ExternalName' || os.type === 'ExternalName') return [];
  const errs: FieldError[] = [];
  const n: string[] = ns.clusterIPs ?? [];
  const o: string[] = os.clusterIPs ?? [];
  const ipsPath = path('spec', 'clusterIPs');
  const nh = isHeadless(svc);
  const oh = isHeadless(old);
  if (!(nh && oh)) {
    if (n.length === o.length) o.forEach((ip, i) => ip !== n[i] && errs.push(invalid(ipsPath.index(i), goSliceValue(n), 'may not change once set')));
    else if (o.length > n.length) {
      if (n.length === 0) errs.push(invalid(ipsPath.index(0), goSliceValue(n), 'primary clusterIP can not be unset'));
      if (o.length && n.length && n[0] !== o[0]) errs.push(invalid(ipsPath.index(0), goSliceValue(n), 'may not change once set'));
      if (n.length === 1 && ns.ipFamilyPolicy !== 'SingleStack')
        errs.push(invalid(path('spec', 'ipFamilyPolicy'), ns.ipFamilyPolicy ?? null, "must be set to 'SingleStack' when releasing the secondary clusterIP"));
    } else if (o.length && n[0] !== o[0]) errs.push(invalid(ipsPath.index(0), goSliceValue(n), 'may not change once set'));
  }
  if (nh !== oh || nh) return errs;
  const nf: string[] = ns.ipFamilies ?? [];
  const of: string[] = os.ipFamilies ?? [];
  const fp = path('spec', 'ipFamilies').index(0);
  if (nf.length === of.length) {
    of.forEach((f, i) => f !== nf[i] && errs.push(invalid(fp, goValue(nf, `[]core.IPFamily{${nf.map(goQuote).join(', ')}}`), 'may not change once set')));
  } else if (of.length > nf.length) {
    if (n.length === 0) errs.push(invalid(fp, goValue(nf, `[]core.IPFamily{${nf.map(goQuote).join(', ')}}`), 'primary ipFamily can not be unset'));
    if (nf.length && nf[0] !== of[0]) errs.push(invalid(fp, goSliceValue(n), 'may not change once set'));
    if (nf.length === 1 && ns.ipFamilyPolicy !== 'SingleStack')
      errs.push(invalid(path('spec', 'ipFamilyPolicy'), ns.ipFamilyPolicy ?? null, "must be set to 'SingleStack' when releasing the secondary ipFamily"));
  } else if (of.length && nf.length && nf[0] !== of[0]) errs.push(invalid(fp, goSliceValue(n), 'may not change once set'));
  return errs;
}

export function validateServiceUpdate(svc: any, old: any): FieldError[] {
  const errs = validateObjectMetaUpdate(svc.metadata, old.metadata);
  errs.push(...clusterIPUpdates(svc, old));
  const ns = svc.spec ?? {};
  const os = old.spec ?? {};
  if (ns.type === 'LoadBalancer' && os.type === 'LoadBalancer' && (ns.loadBalancerClass ?? null) !== (os.loadBalancerClass ?? null))
    errs.push(invalid(path('spec', 'loadBalancerClass'), ns.loadBalancerClass ?? null, 'may not change once set'));
  if (needsHealthCheck(os) && needsHealthCheck(ns) && ns.healthCheckNodePort !== os.healthCheckNodePort)
    errs.push(forbidden(path('spec', 'healthCheckNodePort'), 'field is immutable'));
  errs.push(...validateService(svc));
  return errs;
}

/** ValidateServiceStatusUpdate with ValidateLoadBalancerStatus (LoadBalancerIPMode is on in 1.32). */
export function validateServiceStatusUpdate(svc: any, old: any): FieldError[] {
  const errs = validateObjectMetaUpdate(svc.metadata, old.metadata);
  const ip = path('status', 'loadBalancer', 'ingress');
  const ingress: any[] = svc.status?.loadBalancer?.ingress ?? [];
  if (svc.spec?.type !== 'LoadBalancer' && ingress.length) {
    errs.push(forbidden(ip, "may only be used when `spec.type` is 'LoadBalancer'"));
    return errs;
  }
  ingress.forEach((ing, i) => {
    const p = ip.index(i);
    if (ing.ip) errs.push(...validateIP(p.child('ip'), ing.ip));
    if (ing.ipMode === undefined || ing.ipMode === null) {
      if (ing.ip) errs.push(required(p.child('ipMode'), 'must be specified when `ip` is set'));
    } else if (!ing.ip) errs.push(forbidden(p.child('ipMode'), 'may not be specified when `ip` is not set'));
    else if (!['Proxy', 'VIP'].includes(ing.ipMode)) errs.push(notSupported(p.child('ipMode'), ing.ipMode, ['Proxy', 'VIP']));
    if (ing.hostname) {
      errs.push(...isDNS1123Subdomain(ing.hostname).map((m) => invalid(p.child('hostname'), ing.hostname, m)));
      if (parseIPSloppy(ing.hostname)) errs.push(invalid(p.child('hostname'), ing.hostname, 'must be a DNS name, not an IP address'));
    }
  });
  return errs;
}
