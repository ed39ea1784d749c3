/**
 * @module The resources nanokube serves: names, scope, short names,
 * categories and subresources, as upstream's discovery documents list them.
 */

export interface ResourceDef {
  group: string;
  version: string;
  kind: string;
  listKind: string;
  /** Plural lower-case name used in URLs: `pods`. */
  plural: string;
  singular: string;
  namespaced: boolean;
  shortNames: string[];
  categories: string[];
  /** Subresources served beside the main resource. */
  status: boolean;
  scale: boolean;
}

const verbs = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];
export const resourceVerbs = verbs;

function r(
  group: string,
  version: string,
  kind: string,
  plural: string,
  opts: { namespaced?: boolean; short?: string[]; cat?: string[]; status?: boolean; scale?: boolean } = {},
): ResourceDef {
  return {
    group,
    version,
    kind,
    listKind: `${kind}List`,
    plural,
    singular: kind.toLowerCase(),
    namespaced: opts.namespaced ?? true,
    shortNames: opts.short ?? [],
    categories: opts.cat ?? [],
    status: opts.status ?? false,
    scale: opts.scale ?? false,
  };
}

export const resources: ResourceDef[] = [
  r('', 'v1', 'Namespace', 'namespaces', { namespaced: false, short: ['ns'], status: true }),
  r('', 'v1', 'Pod', 'pods', { short: ['po'], cat: ['all'], status: true }),
  r('', 'v1', 'Service', 'services', { short: ['svc'], cat: ['all'], status: true }),
  r('', 'v1', 'Endpoints', 'endpoints', { short: ['ep'] }),
  r('', 'v1', 'ConfigMap', 'configmaps', { short: ['cm'] }),
  r('', 'v1', 'Secret', 'secrets'),
  r('', 'v1', 'ServiceAccount', 'serviceaccounts', { short: ['sa'] }),
  r('', 'v1', 'Event', 'events', { short: ['ev'] }),
  r('', 'v1', 'Node', 'nodes', { namespaced: false, short: ['no'], status: true }),
  r('', 'v1', 'ResourceQuota', 'resourcequotas', { short: ['quota'], status: true }),
  r('', 'v1', 'LimitRange', 'limitranges', { short: ['limits'] }),
  r('', 'v1', 'ReplicationController', 'replicationcontrollers', { short: ['rc'], cat: ['all'], status: true, scale: true }),
  r('apps', 'v1', 'Deployment', 'deployments', { short: ['deploy'], cat: ['all'], status: true, scale: true }),
  r('apps', 'v1', 'ReplicaSet', 'replicasets', { short: ['rs'], cat: ['all'], status: true, scale: true }),
  r('networking.k8s.io', 'v1', 'Ingress', 'ingresses', { short: ['ing'], status: true }),
  r('networking.k8s.io', 'v1', 'IngressClass', 'ingressclasses', { namespaced: false }),
  r('discovery.k8s.io', 'v1', 'EndpointSlice', 'endpointslices'),
  r('coordination.k8s.io', 'v1', 'Lease', 'leases'),
];

export function findResource(group: string, version: string, plural: string): ResourceDef | undefined {
  return resources.find((d) => d.group === group && d.version === version && d.plural === plural);
}

export function findKind(group: string, kind: string): ResourceDef | undefined {
  return resources.find((d) => d.group === group && d.kind === kind);
}

/** The groups in the order upstream's discovery lists them (core first). */
export function groups(): { group: string; versions: string[] }[] {
  const out: { group: string; versions: string[] }[] = [];
  for (const d of resources) {
    let g = out.find((x) => x.group === d.group);
    if (!g) out.push((g = { group: d.group, versions: [] }));
    if (!g.versions.includes(d.version)) g.versions.push(d.version);
  }
  return out;
}
