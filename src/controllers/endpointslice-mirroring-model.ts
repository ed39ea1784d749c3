/**
 * @module The mirroring plan of upstream's endpointslicemirroring
 * reconciler: hand-made Endpoints of a selector-less Service become
 * EndpointSlices, one slice per (subset ports, address type), at most 1000
 * addresses per subset, labels and annotations copied from the Endpoints.
 */
import { isIPv4, isIPv6 } from 'node:net';
import type { KubeObject } from '../api/meta.ts';
import { TRIGGER_TIME_ANNOTATION, semanticEqual } from './endpoints-model.ts';
import { repackSubsets, type EndpointSubset } from './endpoints-subsets.ts';
import { LABEL_MANAGED_BY, LABEL_SERVICE_NAME, endpointKey, portMapKey, type AddressType, type SlicePlan, type SlicePort } from './endpointslice-model.ts';

export const MIRROR_CONTROLLER = 'endpointslicemirroring-controller.k8s.io';
export const SKIP_MIRROR_LABEL = 'endpointslice.kubernetes.io/skip-mirror';
/** --mirroring-max-endpoints-per-subset default. */
export const MAX_ENDPOINTS_PER_SUBSET = 1000;
const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';
const LEADER_ANNOTATION = 'control-plane.alpha.kubernetes.io/leader';

/** shouldMirror: not marked skip-mirror, not a leader-election record. */
export function shouldMirror(ep: KubeObject): boolean {
  return ep.metadata.labels?.[SKIP_MIRROR_LABEL] !== 'true' && !(ep.metadata.annotations && LEADER_ANNOTATION in ep.metadata.annotations);
}

/** addressToEndpoint. */
function addressToEndpoint(a: any, ready: boolean): any {
  const ep: any = { addresses: [a.ip], conditions: { ready } };
  if (a.hostname) ep.hostname = a.hostname;
  if (a.targetRef) ep.targetRef = a.targetRef;
  if (typeof a.nodeName === 'string') ep.nodeName = a.nodeName;
  return ep;
}

/** newEndpointSlice of the mirroring controller: owned by the Endpoints, its labels and most annotations copied. */
export function newMirrorSlice(ep: KubeObject, ports: SlicePort[], addressType: AddressType, name?: string): KubeObject {
  const labels: Record<string, string> = { ...(ep.metadata.labels ?? {}) };
  labels[LABEL_SERVICE_NAME] = ep.metadata.name!;
  labels[LABEL_MANAGED_BY] = MIRROR_CONTROLLER;
  const annotations: Record<string, string> = {};
  for (const [k, v] of Object.entries(ep.metadata.annotations ?? {})) if (k !== TRIGGER_TIME_ANNOTATION && k !== LAST_APPLIED) annotations[k] = v;
  const metadata: KubeObject['metadata'] = {
    namespace: ep.metadata.namespace,
    labels,
    ownerReferences: [{ apiVersion: 'v1', kind: 'Endpoints', name: ep.metadata.name!, uid: ep.metadata.uid!, controller: true, blockOwnerDeletion: true }],
  };
  if (Object.keys(annotations).length) metadata.annotations = annotations;
  if (name) metadata.name = name;
  else metadata.generateName = `${ep.metadata.name}-`;
  return { apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice', metadata, addressType, endpoints: [], ports };
}

const without = (m: Record<string, string> | undefined, ...keys: string[]) => {
  const out = { ...(m ?? {}) };
  for (const k of keys) delete out[k];
  return out;
};

/** reconcileByPortMapping of the mirroring reconciler: one slice per key, rewritten whole when anything differs. */
function planKey(ep: KubeObject, existing: KubeObject[], desired: Map<string, any>, ports: SlicePort[], addressType: AddressType, max: number): SlicePlan {
  if (desired.size === 0) return { create: [], update: [], delete: existing };
  const plan: SlicePlan = { create: [], update: [], delete: existing.slice(1) };
  const first = existing[0];
  if (first) {
    const have = new Map<string, any>((first.endpoints ?? []).map((e: any) => [endpointKey(e), e]));
    const same = have.size === desired.size && [...desired].every(([k, e]) => have.has(k) && semanticEqual(have.get(k), e));
    const labelsSame = semanticEqual(ep.metadata.labels, without(first.metadata.labels, LABEL_MANAGED_BY, LABEL_SERVICE_NAME));
    const annotationsSame = semanticEqual(without(ep.metadata.annotations, TRIGGER_TIME_ANNOTATION, LAST_APPLIED), first.metadata.annotations);
    if (same && labelsSame && annotationsSame) return plan;
  }
  const slice = newMirrorSlice(ep, ports, addressType, first?.metadata.name);
  for (const e of desired.values()) {
    if (slice.endpoints.length >= max) break;
    slice.endpoints.push(e);
  }
  (first ? plan.update : plan.create).push(slice);
  return plan;
}

/**
 * The plan for one Endpoints object and the mirrored slices that exist for
 * it. `invalid` counts addresses that are not IPs, `skipped` every address
 * left out (invalid or over the per-subset limit), for the events upstream
 * records (InvalidIPAddress, TooManyAddressesToMirror).
 */
export function planMirror(ep: KubeObject, existing: KubeObject[], maxPerSubset = MAX_ENDPOINTS_PER_SUBSET): SlicePlan & { invalid: number; skipped: number } {
  const desired = new Map<string, { ports: SlicePort[]; addressType: AddressType; endpoints: Map<string, any> }>();
  let invalid = 0;
  let skipped = 0;
  for (const ss of repackSubsets((ep.subsets ?? []) as EndpointSubset[])) {
    const ports: SlicePort[] = (ss.ports ?? []).map((p: any) => {
      const sp: SlicePort = { name: p.name ?? '', port: p.port, protocol: p.protocol ?? 'TCP' };
      if (p.appProtocol !== undefined) sp.appProtocol = p.appProtocol;
      return sp;
    });
    const keys = {} as Record<AddressType, string>;
    for (const t of ['IPv4', 'IPv6'] as AddressType[]) {
      keys[t] = `${t}/${portMapKey(ports)}`;
      if (!desired.has(keys[t])) desired.set(keys[t], { ports, addressType: t, endpoints: new Map() });
    }
    const all = [...(ss.addresses ?? []).map((a) => [a, true] as const), ...(ss.notReadyAddresses ?? []).map((a) => [a, false] as const)];
    let added = 0;
    for (const [a, ready] of all) {
      if (added >= maxPerSubset) break;
      const t: AddressType | undefined = isIPv4(a.ip) ? 'IPv4' : isIPv6(a.ip) ? 'IPv6' : undefined;
      if (!t) {
        invalid++;
        continue;
      }
      const e = addressToEndpoint(a, ready);
      desired.get(keys[t])!.endpoints.set(endpointKey(e), e);
      added++;
    }
    skipped += all.length - added;
  }
  const existingByKey = new Map<string, KubeObject[]>();
  for (const s of existing) {
    const k = `${s.addressType}/${portMapKey(s.ports)}`;
    existingByKey.set(k, [...(existingByKey.get(k) ?? []), s]);
  }
  const plan: SlicePlan = { create: [], update: [], delete: [] };
  for (const [k, d] of desired) {
    const p = planKey(ep, existingByKey.get(k) ?? [], d.endpoints, d.ports, d.addressType, maxPerSubset);
    plan.create.push(...p.create);
    plan.update.push(...p.update);
    plan.delete.push(...p.delete);
  }
  for (const [k, slices] of existingByKey) if (!desired.has(k)) plan.delete.push(...slices);
  // recycleSlices: a create and a delete of the same address type become one update.
  for (const t of ['IPv4', 'IPv6']) {
    const creates = plan.create.filter((s) => s.addressType === t);
    const deletes = plan.delete.filter((s) => s.addressType === t);
    for (let i = 0; i < creates.length && i < deletes.length; i++) {
      plan.create.splice(plan.create.indexOf(creates[i]), 1);
      plan.delete.splice(plan.delete.indexOf(deletes[i]), 1);
      creates[i].metadata.name = deletes[i].metadata.name;
      delete creates[i].metadata.generateName;
      plan.update.push(creates[i]);
    }
  }
  if (ep.metadata.deletionTimestamp) plan.create = [];
  return { ...plan, invalid, skipped };
}
