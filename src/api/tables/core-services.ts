/**
 * @module Service and Endpoints printers: printers.go printService
 * (getServiceExternalIP, makePortString) and printEndpoints (formatEndpoints).
 */
import type { KubeObject } from '../meta.ts';
import { ageColumn, col, nameColumn } from './columns.ts';
import { fieldDocs } from './descriptions.ts';
import { arr, formatLabels, int, joinHostPort, sortedUnique, str, translateTimestampSince } from './format.ts';
import type { PrintedRow, Printer } from './types.ts';

/**
 * loadBalancerStatusStringer: each ingress's IP, else its hostname, unique and
 * sorted. Upstream clips to 16 characters only when not wide, and the
 * apiserver always prints wide, so a Table never carries the clipped form.
 */
export function loadBalancerStatusString(lb: any): string {
  const out: string[] = [];
  for (const ing of arr(lb?.ingress)) {
    if (str(ing?.ip) !== '') out.push(ing.ip);
    else if (str(ing?.hostname) !== '') out.push(ing.hostname);
  }
  return sortedUnique(out).join(',');
}

/** The type the apiserver defaults an empty spec.type to (SetDefaults_Service). */
function serviceType(svc: KubeObject): string {
  return str(svc.spec?.type) || 'ClusterIP';
}

/** getServiceExternalIP. */
export function serviceExternalIP(svc: KubeObject): string {
  const externalIPs: string[] = arr(svc.spec?.externalIPs);
  switch (serviceType(svc)) {
    case 'ClusterIP':
    case 'NodePort':
      return externalIPs.length > 0 ? externalIPs.join(',') : '<none>';
    case 'LoadBalancer': {
      const lbIps = loadBalancerStatusString(svc.status?.loadBalancer);
      if (externalIPs.length > 0) {
        const results = lbIps.length > 0 ? lbIps.split(',') : [];
        return [...results, ...externalIPs].join(',');
      }
      return lbIps.length > 0 ? lbIps : '<pending>';
    }
    case 'ExternalName':
      return str(svc.spec?.externalName);
  }
  return '<unknown>';
}

/** makePortString: `80/TCP`, `80:30001/TCP`, joined by ','. Protocol defaults to TCP as the apiserver does. */
export function servicePortsString(ports: any[] | null | undefined): string {
  return arr(ports)
    .map((p) => {
      const protocol = str(p?.protocol) || 'TCP';
      const nodePort = int(p?.nodePort);
      return nodePort > 0 ? `${int(p?.port)}:${nodePort}/${protocol}` : `${int(p?.port)}/${protocol}`;
    })
    .join(',');
}

/**
 * The first cluster IP. The v1 -> internal conversion makes spec.clusterIP
 * authoritative over clusterIPs[0]; a headless service prints `None`.
 */
function clusterIP(svc: KubeObject): string {
  return str(svc.spec?.clusterIP) || str(svc.spec?.clusterIPs?.[0]) || '<none>';
}

export function printService(svc: KubeObject, now: Date): PrintedRow {
  return {
    cells: [
      str(svc.metadata?.name),
      serviceType(svc),
      clusterIP(svc),
      serviceExternalIP(svc),
      servicePortsString(svc.spec?.ports) || '<none>',
      translateTimestampSince(svc.metadata?.creationTimestamp, now),
      formatLabels(svc.spec?.selector),
    ],
  };
}

export const servicePrinter: Printer = {
  columns: [
    nameColumn(),
    col('Type', 'string', fieldDocs.serviceType),
    col('Cluster-IP', 'string', fieldDocs.serviceClusterIP),
    col('External-IP', 'string', fieldDocs.serviceExternalIPs),
    col('Port(s)', 'string', fieldDocs.servicePorts),
    ageColumn(),
    col('Selector', 'string', fieldDocs.serviceSelector, { priority: 1 }),
  ],
  print: printService,
};

/**
 * formatEndpoints(endpoints, nil): ready addresses as ip:port for every port
 * of every subset, at most three, then `+ N more...` where N counts every
 * address-port pair. A subset without ports lists bare IPs. Not-ready
 * addresses are not shown.
 */
export function formatEndpoints(subsets: any[] | null | undefined): string {
  const ss: any[] = arr(subsets);
  if (ss.length === 0) return '<none>';
  const list: string[] = [];
  const max = 3;
  let more = false;
  let count = 0;
  for (const subset of ss) {
    const addresses: any[] = arr(subset?.addresses);
    const ports: any[] = arr(subset?.ports);
    if (ports.length === 0) {
      // Headless services may have no ports.
      count += addresses.length;
      for (const addr of addresses) {
        if (list.length === max) {
          more = true;
          break;
        }
        list.push(str(addr?.ip));
      }
      continue;
    }
    for (const port of ports) {
      count += addresses.length;
      for (const addr of addresses) {
        if (list.length === max) {
          more = true;
          break;
        }
        list.push(joinHostPort(str(addr?.ip), int(port?.port)));
      }
    }
  }
  const ret = list.join(',');
  return more ? `${ret} + ${count - max} more...` : ret;
}

export const endpointsPrinter: Printer = {
  columns: [nameColumn(), col('Endpoints', 'string', fieldDocs.endpointsSubsets), ageColumn()],
  print: (ep, now) => ({
    cells: [str(ep.metadata?.name), formatEndpoints(ep.subsets), translateTimestampSince(ep.metadata?.creationTimestamp, now)],
  }),
};
