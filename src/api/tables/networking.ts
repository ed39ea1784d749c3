/**
 * @module networking.k8s.io and discovery.k8s.io printers: Ingress
 * (formatHosts, formatPorts), IngressClass and EndpointSlice
 * (formatDiscoveryPorts, formatDiscoveryEndpoints), as printers.go has them.
 */
import type { KubeObject } from '../meta.ts';
import { ageColumn, col, nameColumn } from './columns.ts';
import { fieldDocs, literalDocs } from './descriptions.ts';
import { arr, int, listWithMore, str, translateTimestampSince } from './format.ts';
import { loadBalancerStatusString } from './core-services.ts';
import type { Printer } from './types.ts';

/**
 * formatHosts: up to three hosts, `*` when no rule names one. The `+ N more`
 * count is rules minus three, rules without a host included, as upstream counts.
 */
export function formatHosts(rules: any[] | null | undefined): string {
  const rs: any[] = arr(rules);
  const list: string[] = [];
  const max = 3;
  let more = false;
  for (const rule of rs) {
    if (list.length === max) more = true;
    if (!more && str(rule?.host) !== '') list.push(rule.host);
  }
  if (list.length === 0) return '*';
  const ret = list.join(',');
  return more ? `${ret} + ${rs.length - max} more...` : ret;
}

/** formatPorts: any TLS entry means the ingress answers on 443 too. */
export function formatIngressPorts(tls: any[] | null | undefined): string {
  return arr(tls).length !== 0 ? '80, 443' : '80';
}

export const ingressPrinter: Printer = {
  columns: [
    nameColumn(),
    col('Class', 'string', literalDocs.ingressClass),
    col('Hosts', 'string', literalDocs.ingressHosts),
    col('Address', 'string', literalDocs.ingressAddress),
    col('Ports', 'string', literalDocs.ingressPorts),
    ageColumn(),
  ],
  print: (ing: KubeObject, now: Date) => ({
    cells: [
      str(ing.metadata?.name),
      typeof ing.spec?.ingressClassName === 'string' ? ing.spec.ingressClassName : '<none>',
      formatHosts(ing.spec?.rules),
      loadBalancerStatusString(ing.status?.loadBalancer),
      formatIngressPorts(ing.spec?.tls),
      translateTimestampSince(ing.metadata?.creationTimestamp, now),
    ],
  }),
};

/** printIngressClass parameters: `Kind[.apiGroup]/name`, or `<none>`. */
export function ingressClassParameters(params: any): string {
  if (!params) return '<none>';
  let out = str(params.kind);
  if (typeof params.apiGroup === 'string') out += `.${params.apiGroup}`;
  return `${out}/${str(params.name)}`;
}

export const ingressClassPrinter: Printer = {
  columns: [
    nameColumn(),
    col('Controller', 'string', literalDocs.ingressClassController),
    col('Parameters', 'string', literalDocs.ingressClassParameters),
    ageColumn(),
  ],
  print: (ic, now) => ({
    cells: [
      str(ic.metadata?.name),
      str(ic.spec?.controller),
      ingressClassParameters(ic.spec?.parameters),
      translateTimestampSince(ic.metadata?.creationTimestamp, now),
    ],
  }),
};

/** formatDiscoveryPorts: port number, else port name, else `*`; at most three. */
export function formatDiscoveryPorts(ports: any[] | null | undefined): string {
  const list: string[] = [];
  const max = 3;
  let more = false;
  let count = 0;
  for (const port of arr(ports)) {
    if (list.length < max) {
      let portNum = '*';
      if (port?.port !== undefined && port?.port !== null) portNum = String(int(port.port));
      else if (typeof port?.name === 'string') portNum = port.name;
      list.push(portNum);
    } else if (list.length === max) {
      more = true;
    }
    count++;
  }
  return listWithMore(list, more, count, max);
}

/** formatDiscoveryEndpoints: every address of every endpoint, ready or not; at most three. */
export function formatDiscoveryEndpoints(endpoints: any[] | null | undefined): string {
  const list: string[] = [];
  const max = 3;
  let more = false;
  let count = 0;
  for (const ep of arr(endpoints)) {
    for (const address of arr(ep?.addresses)) {
      if (list.length < max) list.push(str(address));
      else if (list.length === max) more = true;
      count++;
    }
  }
  return listWithMore(list, more, count, max);
}

export const endpointSlicePrinter: Printer = {
  columns: [
    nameColumn(),
    col('AddressType', 'string', fieldDocs.endpointSliceAddressType),
    col('Ports', 'string', fieldDocs.endpointSlicePorts),
    col('Endpoints', 'string', fieldDocs.endpointSliceEndpoints),
    ageColumn(),
  ],
  print: (es, now) => ({
    cells: [
      str(es.metadata?.name),
      str(es.addressType),
      formatDiscoveryPorts(es.ports),
      formatDiscoveryEndpoints(es.endpoints),
      translateTimestampSince(es.metadata?.creationTimestamp, now),
    ],
  }),
};
