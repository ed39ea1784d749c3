/**
 * @module The objects every cluster has from its first start (upstream's
 * bootstrap controller and system namespaces): namespaces default,
 * kube-system, kube-public, kube-node-lease; their default ServiceAccounts;
 * Service `kubernetes` at the first service IP with Endpoints and an
 * EndpointSlice pointing at the apiserver. Existing objects are kept, and
 * the apiserver endpoint is brought up to date on every start.
 */
import type { KubeObject } from '../api/meta.ts';
import { findKind, type ResourceDef } from '../api/resources.ts';
import { IP_PREFIX } from './admission/service-alloc.ts';
import type { ApiServer } from './server.ts';
import { prepareForCreate } from './strategy.ts';
import type { TypeSystem } from './type-system.ts';

export const SYSTEM_NAMESPACES = ['default', 'kube-system', 'kube-public', 'kube-node-lease'];

async function ensure(api: ApiServer, types: TypeSystem, def: ResourceDef, obj: KubeObject): Promise<KubeObject> {
  const have = await api.objects.tryGet(def, obj.metadata.namespace, obj.metadata.name!);
  if (have) return have;
  prepareForCreate(def, obj, new Date());
  types.applyDefaults(def, obj);
  return api.objects.create(def, obj);
}

/** Creates or updates an object to the given desired content (used for the apiserver's endpoints). */
async function reconcile(api: ApiServer, types: TypeSystem, def: ResourceDef, obj: KubeObject, same: (cur: KubeObject) => boolean, apply: (cur: KubeObject) => void): Promise<void> {
  const have = await ensure(api, types, def, structuredClone(obj));
  if (same(have)) return;
  await api.objects.guaranteedUpdate(def, have.metadata.namespace, have.metadata.name!, (cur) => {
    apply(cur);
    return cur;
  });
}

export async function bootstrap(api: ApiServer, types: TypeSystem, opts: { advertiseAddress: string; port: number }): Promise<void> {
  const ns = findKind('', 'Namespace')!;
  const sa = findKind('', 'ServiceAccount')!;
  for (const name of SYSTEM_NAMESPACES) {
    await ensure(api, types, ns, { apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels: { 'kubernetes.io/metadata.name': name } }, spec: {} });
    await ensure(api, types, sa, { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'default', namespace: name } });
  }
  const svcDef = findKind('', 'Service')!;
  const ip = api.admission.allocator.wellKnownIp(1);
  const svc = await ensure(api, types, svcDef, {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'kubernetes', namespace: 'default', labels: { component: 'apiserver', provider: 'kubernetes' } },
    spec: {
      type: 'ClusterIP',
      clusterIP: ip,
      clusterIPs: [ip],
      ports: [{ name: 'https', port: 443, protocol: 'TCP', targetPort: opts.port }],
      sessionAffinity: 'None',
      ipFamilies: ['IPv4'],
      ipFamilyPolicy: 'SingleStack',
      internalTrafficPolicy: 'Cluster',
    },
  });
  try {
    await api.objects.store.create(IP_PREFIX + ip, 'default/kubernetes');
  } catch {
    // Already reserved by an earlier start.
  }
  const addr = opts.advertiseAddress;
  const port = opts.port;
  await reconcile(
    api,
    types,
    findKind('', 'Endpoints')!,
    {
      apiVersion: 'v1',
      kind: 'Endpoints',
      metadata: { name: 'kubernetes', namespace: 'default', labels: { 'endpointslice.kubernetes.io/skip-mirror': 'true' } },
      subsets: [{ addresses: [{ ip: addr }], ports: [{ name: 'https', port, protocol: 'TCP' }] }],
    },
    (cur) => cur.subsets?.[0]?.addresses?.[0]?.ip === addr && cur.subsets?.[0]?.ports?.[0]?.port === port,
    (cur) => {
      cur.subsets = [{ addresses: [{ ip: addr }], ports: [{ name: 'https', port, protocol: 'TCP' }] }];
    },
  );
  await reconcile(
    api,
    types,
    findKind('discovery.k8s.io', 'EndpointSlice')!,
    {
      apiVersion: 'discovery.k8s.io/v1',
      kind: 'EndpointSlice',
      metadata: { name: 'kubernetes', namespace: 'default', labels: { 'kubernetes.io/service-name': 'kubernetes', 'endpointslice.kubernetes.io/managed-by': 'endpointslice-controller.k8s.io' } },
      addressType: 'IPv4',
      endpoints: [{ addresses: [addr], conditions: { ready: true, serving: true, terminating: false } }],
      ports: [{ name: 'https', port, protocol: 'TCP' }],
    },
    (cur) => cur.endpoints?.[0]?.addresses?.[0] === addr && cur.ports?.[0]?.port === port,
    (cur) => {
      cur.endpoints = [{ addresses: [addr], conditions: { ready: true, serving: true, terminating: false } }];
      cur.ports = [{ name: 'https', port, protocol: 'TCP' }];
    },
  );
  void svc;
  // Reservations follow the Services that exist (repair after a crash between reserve and write).
  const { items } = await api.objects.list(svcDef);
  await api.admission.allocator.repair(items);
}
