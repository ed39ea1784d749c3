/**
 * @module core/v1 Endpoints and discovery.k8s.io/v1 EndpointSlice
 * validation: addresses (valid, not loopback/link-local/unspecified),
 * ports, hostnames, node names, and the slice limits.
 */
import type { FieldError, Path } from '../field-errors.ts';
import { duplicate, invalid, notSupported, path, required, tooMany } from '../field-errors.ts';
import { supportedProtocols, validateDNS1123Label } from './containers.ts';
import { immutable, validateLabels, validateObjectMeta, validateObjectMetaUpdate } from './meta.ts';
import {
  isDNS1123Label,
  isDNS1123Subdomain,
  isQualifiedName,
  isValidLabelValue,
  isValidPortNum,
  nameIsDNSSubdomain,
  validateIP,
  validateIPv4,
  validateIPv6,
  validateNonSpecialIP,
} from './names.ts';

const metaOpts = { namespaced: true, nameFn: nameIsDNSSubdomain, kubeFinalizers: true };

function endpointAddress(a: any, p: Path): FieldError[] {
  const errs = validateIP(p.child('ip'), a.ip ?? '');
  if (a.hostname) errs.push(...validateDNS1123Label(a.hostname, p.child('hostname')));
  if (typeof a.nodeName === 'string') errs.push(...isDNS1123Subdomain(a.nodeName).map((m) => invalid(p.child('nodeName'), a.nodeName, m)));
  errs.push(...validateNonSpecialIP(a.ip ?? '', p.child('ip')));
  return errs;
}

function endpointPort(port: any, requireName: boolean, p: Path): FieldError[] {
  const errs: FieldError[] = [];
  if (requireName && !port.name) errs.push(required(p.child('name'), ''));
  else if (port.name) errs.push(...validateDNS1123Label(port.name, p.child('name')));
  errs.push(...isValidPortNum(port.port ?? 0).map((m) => invalid(p.child('port'), port.port ?? 0, m)));
  if (!port.protocol) errs.push(required(p.child('protocol'), ''));
  else if (!supportedProtocols.includes(port.protocol)) errs.push(notSupported(p.child('protocol'), port.protocol, supportedProtocols));
  if (typeof port.appProtocol === 'string') errs.push(...isQualifiedName(port.appProtocol).map((m) => invalid(p.child('appProtocol'), port.appProtocol, m)));
  return errs;
}

export function validateEndpoints(ep: any): FieldError[] {
  const errs = validateObjectMeta(ep.metadata, metaOpts);
  (ep.subsets ?? []).forEach((ss: any, i: number) => {
    const sp = path('subsets').index(i);
    const addrs: any[] = ss.addresses ?? [];
    const notReady: any[] = ss.notReadyAddresses ?? [];
    if (addrs.length === 0 && notReady.length === 0) errs.push(required(sp, 'must specify `addresses` or `notReadyAddresses`'));
    addrs.forEach((a, j) => errs.push(...endpointAddress(a, sp.child('addresses').index(j))));
    notReady.forEach((a, j) => errs.push(...endpointAddress(a, sp.child('notReadyAddresses').index(j))));
    const ports: any[] = ss.ports ?? [];
    ports.forEach((port, j) => errs.push(...endpointPort(port, ports.length > 1, sp.child('ports').index(j))));
  });
  return errs;
}

export function validateEndpointsUpdate(ep: any, old: any): FieldError[] {
  return [...validateObjectMetaUpdate(ep.metadata, old.metadata), ...validateEndpoints(ep)];
}

const addressTypes = ['FQDN', 'IPv4', 'IPv6'];

/** IsFullyQualifiedDomainName. */
function fqdn(p: Path, name: string): FieldError[] {
  if (!name) return [required(p, '')];
  const n = name.endsWith('.') ? name.slice(0, -1) : name;
  const e = isDNS1123Subdomain(n);
  if (e.length) return [invalid(p, n, e.join(','))];
  if (n.split('.').length < 2) return [invalid(p, n, 'should be a domain with at least two segments separated by dots')];
  for (const label of n.split('.')) {
    const le = isDNS1123Label(label);
    if (le.length) return [invalid(p, label, le.join(','))];
  }
  return [];
}

function sliceEndpoints(eps: any[] | undefined, addressType: string, p: Path): FieldError[] {
  const list = eps ?? [];
  if (list.length > 1000) return [tooMany(p, list.length, 1000)];
  const errs: FieldError[] = [];
  list.forEach((ep, i) => {
    const ip = p.index(i);
    const ap = ip.child('addresses');
    const addrs: string[] = ep.addresses ?? [];
    if (addrs.length === 0) errs.push(required(ap, 'must contain at least 1 address'));
    else if (addrs.length > 100) errs.push(tooMany(ap, addrs.length, 100));
    addrs.forEach((a, j) => {
      if (addressType === 'IPv4') errs.push(...validateIPv4(ap.index(j), a), ...validateNonSpecialIP(a, ap.index(j)));
      else if (addressType === 'IPv6') errs.push(...validateIPv6(ap.index(j), a), ...validateNonSpecialIP(a, ap.index(j)));
      else if (addressType === 'FQDN') errs.push(...fqdn(ap.index(j), a));
    });
    if (typeof ep.nodeName === 'string') errs.push(...isDNS1123Subdomain(ep.nodeName).map((m) => invalid(ip.child('nodeName'), ep.nodeName, m)));
    const topo = ep.deprecatedTopology;
    if (topo && Object.keys(topo).length > 16) errs.push(tooMany(ip.child('deprecatedTopology'), Object.keys(topo).length, 16));
    errs.push(...validateLabels(topo, ip.child('deprecatedTopology')));
    if (typeof ep.hostname === 'string') errs.push(...validateDNS1123Label(ep.hostname, ip.child('hostname')));
    const zones: any[] = ep.hints?.forZones ?? [];
    const fz = ip.child('hints').child('forZones');
    if (zones.length > 8) errs.push(tooMany(fz, zones.length, 8));
    else {
      const seen = new Set<string>();
      zones.forEach((z, j) => {
        const zp = fz.index(j).child('name');
        const name = String(z.name ?? '');
        if (seen.has(name)) errs.push(duplicate(zp, name));
        else seen.add(name);
        errs.push(...isValidLabelValue(name).map((m) => invalid(zp, name, m)));
      });
    }
  });
  return errs;
}

function slicePorts(ports: any[] | undefined, p: Path): FieldError[] {
  const list = ports ?? [];
  if (list.length > 100) return [tooMany(p, list.length, 100)];
  const errs: FieldError[] = [];
  const names = new Set<string>();
  list.forEach((port, i) => {
    const ip = p.index(i);
    const name: string = port.name ?? '';
    if (name) errs.push(...validateDNS1123Label(name, ip.child('name')));
    if (names.has(name)) errs.push(duplicate(ip.child('name'), name));
    else names.add(name);
    if (port.protocol === undefined || port.protocol === null) errs.push(required(ip.child('protocol'), ''));
    else if (!supportedProtocols.includes(port.protocol)) errs.push(notSupported(ip.child('protocol'), port.protocol, supportedProtocols));
    if (typeof port.appProtocol === 'string') errs.push(...isQualifiedName(port.appProtocol).map((m) => invalid(ip.child('appProtocol'), port.appProtocol, m)));
  });
  return errs;
}

function validateSlice(es: any, types: string[]): FieldError[] {
  const errs = validateObjectMeta(es.metadata, metaOpts);
  const at = es.addressType;
  if (!at) errs.push(required(path('addressType'), ''));
  else if (!types.includes(at)) errs.push(notSupported(path('addressType'), at, types));
  errs.push(...sliceEndpoints(es.endpoints, at, path('endpoints')));
  errs.push(...slicePorts(es.ports, path('ports')));
  return errs;
}

export function validateEndpointSlice(es: any): FieldError[] {
  return validateSlice(es, addressTypes);
}

/** Updates may keep the deprecated "IP" address type. */
export function validateEndpointSliceUpdate(es: any, old: any): FieldError[] {
  return [
    ...validateObjectMetaUpdate(es.metadata, old.metadata),
    ...validateSlice(es, ['FQDN', 'IP', 'IPv4', 'IPv6']),
    ...immutable(es.addressType ?? '', old.addressType ?? '', path('addressType')),
  ];
}
