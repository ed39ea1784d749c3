/**
 * @module Discovery: the legacy documents (/api, /apis, /api/v1, ...) and
 * aggregated discovery (apidiscovery.k8s.io/v2) that kubectl 1.30+ asks for
 * first, built from the resource list.
 */
import { createHash } from 'node:crypto';
import { groups, resources, resourceVerbs, type ResourceDef } from '../api/resources.ts';

export const VERSION = {
  major: '1',
  minor: '32',
  gitVersion: 'v1.32.0+nanokube',
  gitCommit: '0000000000000000000000000000000000000000',
  gitTreeState: 'clean',
  buildDate: '2026-11-01T00:00:00Z',
  goVersion: `nanokube on node ${process.version}`,
  compiler: 'nanokube',
  platform: `linux/${process.arch === 'x64' ? 'amd64' : process.arch}`,
};

interface Sub {
  name: string;
  kind: string;
  group?: string;
  version?: string;
  verbs: string[];
}

/** Subresources served or proxied, per resource (the agent serves the streaming ones). */
function subresources(d: ResourceDef): Sub[] {
  const subs: Sub[] = [];
  if (d.status) subs.push({ name: 'status', kind: d.kind, verbs: ['get', 'patch', 'update'] });
  if (d.scale) subs.push({ name: 'scale', kind: 'Scale', group: 'autoscaling', version: 'v1', verbs: ['get', 'patch', 'update'] });
  if (d.kind === 'Pod') {
    subs.push({ name: 'binding', kind: 'Binding', verbs: ['create'] });
    subs.push({ name: 'eviction', kind: 'Eviction', group: 'policy', version: 'v1', verbs: ['create'] });
    subs.push({ name: 'log', kind: 'Pod', verbs: ['get'] });
    subs.push({ name: 'exec', kind: 'PodExecOptions', verbs: ['create', 'get'] });
    subs.push({ name: 'attach', kind: 'PodAttachOptions', verbs: ['create', 'get'] });
    subs.push({ name: 'portforward', kind: 'PodPortForwardOptions', verbs: ['create', 'get'] });
  }
  if (d.kind === 'Namespace') subs.push({ name: 'finalize', kind: 'Namespace', verbs: ['update'] });
  return subs;
}

const hash = (s: string) => createHash('sha256').update(s).digest('base64').slice(0, 11);

export function apiResourceList(group: string, version: string): object | undefined {
  const defs = resources.filter((d) => d.group === group && d.version === version);
  if (!defs.length) return undefined;
  const list: object[] = [];
  for (const d of defs) {
    list.push({
      name: d.plural,
      singularName: d.singular,
      namespaced: d.namespaced,
      kind: d.kind,
      verbs: resourceVerbs,
      ...(d.shortNames.length ? { shortNames: d.shortNames } : {}),
      ...(d.categories.length ? { categories: d.categories } : {}),
      storageVersionHash: hash(`${group}/${version}/${d.kind}`),
    });
    for (const s of subresources(d)) {
      list.push({
        name: `${d.plural}/${s.name}`,
        singularName: '',
        namespaced: d.namespaced,
        ...(s.group !== undefined ? { group: s.group, version: s.version } : {}),
        kind: s.kind,
        verbs: s.verbs,
      });
    }
  }
  return { kind: 'APIResourceList', apiVersion: 'v1', groupVersion: group ? `${group}/${version}` : version, resources: list };
}

export function apiVersions(serverAddress: string): object {
  return { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress }] };
}

function apiGroup(g: { group: string; versions: string[] }): object {
  const versions = g.versions.map((v) => ({ groupVersion: `${g.group}/${v}`, version: v }));
  return { name: g.group, versions, preferredVersion: versions[0] };
}

export function apiGroupList(): object {
  return { kind: 'APIGroupList', apiVersion: 'v1', groups: groups().filter((g) => g.group).map(apiGroup) };
}

export function apiGroupDoc(group: string): object | undefined {
  const g = groups().find((x) => x.group === group && group);
  return g ? { kind: 'APIGroup', apiVersion: 'v1', ...apiGroup(g) } : undefined;
}

export const AGGREGATED_TYPE = 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList';
export const AGGREGATED_TYPE_BETA = 'application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList';

/** Which aggregated discovery version the Accept header asks for, if any. */
export function wantsAggregated(accept: string | undefined): 'v2' | 'v2beta1' | undefined {
  for (const clause of (accept ?? '').split(',')) {
    const c = clause.replace(/\s/g, '');
    if (c.includes('as=APIGroupDiscoveryList') && c.includes('g=apidiscovery.k8s.io')) {
      if (c.includes('v=v2beta1')) return 'v2beta1';
      if (c.includes('v=v2')) return 'v2';
    }
  }
  return undefined;
}

/** apidiscovery.k8s.io APIGroupDiscoveryList for the core group (/api) or the named groups (/apis). */
export function aggregated(core: boolean, version: 'v2' | 'v2beta1'): object {
  const items = groups()
    .filter((g) => (g.group === '') === core)
    .map((g) => ({
      metadata: { name: g.group },
      versions: g.versions.map((v) => ({
        version: v,
        resources: resources
          .filter((d) => d.group === g.group && d.version === v)
          .map((d) => ({
            resource: d.plural,
            responseKind: { group: d.group, version: d.version, kind: d.kind },
            scope: d.namespaced ? 'Namespaced' : 'Cluster',
            singularResource: d.singular,
            verbs: resourceVerbs,
            ...(d.shortNames.length ? { shortNames: d.shortNames } : {}),
            ...(d.categories.length ? { categories: d.categories } : {}),
            ...(subresources(d).length
              ? {
                  subresources: subresources(d).map((s) => ({
                    subresource: s.name,
                    responseKind: { group: s.group ?? d.group, version: s.version ?? d.version, kind: s.kind },
                    verbs: s.verbs,
                  })),
                }
              : {}),
          })),
        freshness: 'Current',
      })),
    }));
  return { kind: 'APIGroupDiscoveryList', apiVersion: `apidiscovery.k8s.io/${version}`, metadata: {}, items };
}
