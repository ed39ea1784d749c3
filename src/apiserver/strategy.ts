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
const generational = new Set(['Deployment', 'ReplicaSet', 'ReplicationController', 'Ingress', 'Service', 'ResourceQuota', 'Namespace', 'Node']);

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
    // Status updates change status only (ResetObjectMetaForStatus keeps old metadata but for ownerReferences... upstream keeps all old metadata).
    const next: KubeObject = { ...structuredClone(old), status: obj.status };
    next.metadata.resourceVersion = obj.metadata.resourceVersion;
    next.metadata.managedFields = obj.metadata.managedFields;
    return next;
  }
  if (def.status && def.kind !== 'Namespace') obj.status = old.status;
  if (def.kind === 'Namespace') obj.status = old.status;
  if (generational.has(def.kind) && specOf(obj) !== specOf(old)) m.generation = (o.generation ?? 0) + 1;
  return obj;
}
