/**
 * @module Per-kind rules of upstream's REST strategies that are not
 * validation or defaulting: what a create resets, what an update may
 * change (main resource vs. status subresource), when generation moves,
 * whether PUT may create, and the default garbage-collection policy.
 */
import { randomUUID } from 'node:crypto';
import type { KubeObject } from '../api/meta.ts';
import { nowRfc3339 } from '../api/meta.ts';
import type { ResourceDef } from '../api/resources.ts';

/** Kinds whose spec changes bump metadata.generation (upstream: those with a spec and a status subresource, minus Pod in 1.32). */
const generational = new Set(['Deployment', 'ReplicaSet', 'ReplicationController', 'Ingress', 'Service', 'ResourceQuota', 'Namespace', 'Node', 'EndpointSlice']);

/** Kinds whose status strategy keeps metadata changes other than labels (apps' PrepareForUpdate). */
const statusKeepsMetadata = new Set(['Deployment', 'ReplicaSet', 'ReplicationController']);

/** Upstream's AllowCreateOnUpdate: PUT of a missing object creates it. */
const createOnUpdate = new Set(['Endpoints', 'Lease', 'Event', 'EndpointSlice']);

export function allowCreateOnUpdate(def: ResourceDef): boolean {
  return createOnUpdate.has(def.kind);
}

/** DefaultGarbageCollectionPolicy: core/v1 ReplicationController orphans for backwards compatibility. */
export function defaultPropagation(def: ResourceDef): 'Orphan' | 'Background' {
  return def.kind === 'ReplicationController' ? 'Orphan' : 'Background';
}

const consonants = 'bcdfghjklmnpqrstvwxz2456789';

/** names.SimpleNameGenerator: generateName + 5 random characters. */
export function generateName(base: string): string {
  const b = base.length > 58 ? base.slice(0, 58) : base;
  let s = '';
  for (let i = 0; i < 5; i++) s += consonants[Math.floor(Math.random() * consonants.length)];
  return b + s;
}

function qosClass(pod: KubeObject): string {
  const containers = [...(pod.spec?.containers ?? []), ...(pod.spec?.initContainers ?? [])];
  let any = false;
  let guaranteed = true;
  for (const c of containers) {
    const req = c.resources?.requests ?? {};
    const lim = c.resources?.limits ?? {};
    if (Object.keys(req).length || Object.keys(lim).length) any = true;
    for (const r of ['cpu', 'memory']) {
      if (lim[r] === undefined) guaranteed = false;
      else if (req[r] !== undefined && String(req[r]) !== String(lim[r])) guaranteed = false;
    }
  }
  if (!any) return 'BestEffort';
  return guaranteed ? 'Guaranteed' : 'Burstable';
}

/** PrepareForCreate plus the generic metadata rules of the create handler. */
export function prepareForCreate(def: ResourceDef, obj: KubeObject, now: Date): void {
  const m = obj.metadata;
  m.uid = randomUUID();
  m.creationTimestamp = nowRfc3339(now);
  delete m.deletionTimestamp;
  delete m.deletionGracePeriodSeconds;
  delete m.resourceVersion;
  delete m.selfLink;
  if (!def.namespaced) delete m.namespace;
  if (generational.has(def.kind)) m.generation = 1;
  else delete m.generation;
  switch (def.kind) {
    case 'Pod':
      obj.status = { phase: 'Pending', qosClass: qosClass(obj) };
      break;
    case 'Namespace':
      obj.status = { phase: 'Active' };
      // PrepareForCreate: the namespace controller's finalizer.
      obj.spec = { ...(obj.spec ?? {}), finalizers: ['kubernetes'] };
      break;
    case 'Service':
      obj.status = { loadBalancer: {} };
      break;
    case 'Deployment':
    case 'ReplicaSet':
    case 'ReplicationController':
      obj.status = def.kind === 'Deployment' ? {} : { replicas: 0 };
      break;
    case 'Ingress':
      obj.status = { loadBalancer: {} };
      break;
    case 'ResourceQuota':
      obj.status = {};
      break;
    default:
      break;
  }
}

function specOf(obj: KubeObject): string {
  const { apiVersion: _a, kind: _k, metadata: _m, status: _s, ...rest } = obj;
  return JSON.stringify(rest);
}

/**
 * PrepareForUpdate: fields the caller may not change through this endpoint
 * are taken from the old object. `subresource` is '' for the main resource.
 */
export function prepareForUpdate(def: ResourceDef, obj: KubeObject, old: KubeObject, subresource: string): KubeObject {
  const m = obj.metadata;
  const o = old.metadata;
  m.uid = o.uid;
  m.creationTimestamp = o.creationTimestamp;
  m.deletionTimestamp = o.deletionTimestamp;
  m.deletionGracePeriodSeconds = o.deletionGracePeriodSeconds;
  if (o.deletionTimestamp === undefined) delete m.deletionTimestamp;
  if (o.deletionGracePeriodSeconds === undefined) delete m.deletionGracePeriodSeconds;
  m.generation = o.generation;
  if (o.generation === undefined) delete m.generation;
  if (subresource === 'status') {
    const next: KubeObject = { ...structuredClone(old), status: obj.status };
    if (statusKeepsMetadata.has(def.kind)) {
      // The apps status strategies reset only spec and labels: a controller may move
      // annotations (deployment.kubernetes.io/revision) with its status write.
      next.metadata = { ...obj.metadata, labels: old.metadata.labels };
      if (old.metadata.labels === undefined) delete next.metadata.labels;
      for (const k of ['uid', 'creationTimestamp', 'deletionTimestamp', 'deletionGracePeriodSeconds', 'generation'] as const) {
        if (old.metadata[k] === undefined) delete next.metadata[k];
        else (next.metadata as Record<string, unknown>)[k] = old.metadata[k];
      }
    }
    next.metadata.resourceVersion = obj.metadata.resourceVersion;
    next.metadata.managedFields = obj.metadata.managedFields;
    if (def.kind === 'Pod') syncPodIPs(next.status);
    return next;
  }
  if (def.kind === 'Service') {
    dropTypeDependentFields(obj, old);
    patchAllocatedValues(obj, old);
  }
  if (def.status && def.kind !== 'Namespace') obj.status = old.status;
  if (def.kind === 'Namespace') obj.status = old.status;
  if (generational.has(def.kind) && specOf(obj) !== specOf(old)) m.generation = (o.generation ?? 0) + 1;
  return obj;
}

/**
 * The service storage's patchAllocatedValues: an update that leaves out the
 * allocated clusterIP(s), IP families or node ports keeps the stored ones,
 * so `kubectl replace` of a manifest without them works.
 */
function patchAllocatedValues(svc: KubeObject, old: KubeObject): void {
  const spec = (svc.spec ??= {});
  const o = old.spec ?? {};
  const needsIp = (s: any) => s?.type !== 'ExternalName';
  if (needsIp(spec) && needsIp(o)) {
    if (!spec.clusterIP && o.clusterIP) spec.clusterIP = o.clusterIP;
    if (!spec.clusterIPs?.length && o.clusterIPs?.length && spec.clusterIP === o.clusterIP) spec.clusterIPs = o.clusterIPs;
    if (!spec.ipFamilies?.length && o.ipFamilies) spec.ipFamilies = o.ipFamilies;
    if (!spec.ipFamilyPolicy && o.ipFamilyPolicy) spec.ipFamilyPolicy = o.ipFamilyPolicy;
  }
  const wantsNodePorts = (s: any) => s?.type === 'NodePort' || s?.type === 'LoadBalancer';
  if (wantsNodePorts(spec) && wantsNodePorts(o)) {
    for (const p of spec.ports ?? []) {
      if (p.nodePort) continue;
      const prev = (o.ports ?? []).find((q: any) => q.port === p.port && (q.protocol ?? 'TCP') === (p.protocol ?? 'TCP'));
      if (prev?.nodePort) p.nodePort = prev.nodePort;
    }
    if (!spec.healthCheckNodePort && o.healthCheckNodePort) spec.healthCheckNodePort = o.healthCheckNodePort;
  }
}

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/**
 * The service storage's dropTypeDependentFields: when the type changes, the
 * fields only the old type uses go away if the user left them as they were
 * (node ports when leaving NodePort/LoadBalancer, the cluster IP when
 * becoming ExternalName, and so on), so `kubectl patch -p
 * '{"spec":{"type":"ClusterIP"}}'` works.
 */
function dropTypeDependentFields(svc: KubeObject, old: KubeObject): void {
  const spec = svc.spec ?? {};
  const o = old.spec ?? {};
  if ((spec.type ?? 'ClusterIP') === (o.type ?? 'ClusterIP')) return;
  const external = (t: string | undefined) => t === 'NodePort' || t === 'LoadBalancer';
  if (spec.type === 'ExternalName' && o.type !== 'ExternalName') {
    if (same(spec.clusterIP, o.clusterIP)) delete spec.clusterIP;
    if (same(spec.clusterIPs, o.clusterIPs)) delete spec.clusterIPs;
    if (same(spec.ipFamilies, o.ipFamilies)) delete spec.ipFamilies;
    if (same(spec.ipFamilyPolicy, o.ipFamilyPolicy)) delete spec.ipFamilyPolicy;
  }
  if (external(o.type) && !external(spec.type)) {
    for (const p of spec.ports ?? []) {
      const prev = (o.ports ?? []).find((q: any) => q.port === p.port && (q.protocol ?? 'TCP') === (p.protocol ?? 'TCP'));
      if (p.nodePort && prev?.nodePort === p.nodePort) delete p.nodePort;
    }
    if (same(spec.externalTrafficPolicy, o.externalTrafficPolicy)) delete spec.externalTrafficPolicy;
  }
  if (o.type === 'LoadBalancer' && spec.type !== 'LoadBalancer') {
    if (same(spec.healthCheckNodePort, o.healthCheckNodePort)) delete spec.healthCheckNodePort;
    if (same(spec.allocateLoadBalancerNodePorts, o.allocateLoadBalancerNodePorts)) delete spec.allocateLoadBalancerNodePorts;
    if (same(spec.loadBalancerClass, o.loadBalancerClass)) delete spec.loadBalancerClass;
  }
}

/** The v1 conversion keeps status.podIP and podIPs[0] (and hostIP/hostIPs) in step. */
function syncPodIPs(status: any): void {
  if (!status) return;
  if (status.podIP && !status.podIPs?.length) status.podIPs = [{ ip: status.podIP }];
  else if (!status.podIP && status.podIPs?.length) status.podIP = status.podIPs[0].ip;
  if (status.hostIP && !status.hostIPs?.length) status.hostIPs = [{ ip: status.hostIP }];
}
