/**
 * @module The EndpointSlice rendering of a Service's backends and the
 * reconcile plan of upstream's endpointslice Reconciler
 * (staging/src/k8s.io/endpointslice/reconciler.go): which slices to create,
 * update and delete so that the slices hold the desired endpoints with as
 * little churn as possible (keep endpoints where they are, fill the fullest
 * slices first, turn a create plus a delete into an update).
 */
import type { KubeObject } from '../api/meta.ts';
import type { Backend } from './endpoints-model.ts';
import { HEADLESS_LABEL, TRIGGER_TIME_ANNOTATION, isHeadless, isIPv6, rfc3339Nano, semanticEqual } from './endpoints-model.ts';

export const LABEL_SERVICE_NAME = 'kubernetes.io/service-name';
export const LABEL_MANAGED_BY = 'endpointslice.kubernetes.io/managed-by';
export const SLICE_CONTROLLER = 'endpointslice-controller.k8s.io';
export const ZONE_LABEL = 'topology.kubernetes.io/zone';
/** --max-endpoints-per-slice default. */
export const MAX_ENDPOINTS_PER_SLICE = 100;

export type AddressType = 'IPv4' | 'IPv6';

export interface SlicePort {
  name: string;
  port: number;
  protocol: string;
  appProtocol?: string;
}

export interface SlicePlan {
  create: KubeObject[];
  update: KubeObject[];
  delete: KubeObject[];
}

/** getAddressTypesForService: the Service's IP families; without them the clusterIP's, or both for a headless Service. */
export function addressTypesFor(svc: KubeObject): AddressType[] {
  const fams: string[] = svc.spec?.ipFamilies ?? [];
  const out = new Set<AddressType>();
  for (const f of fams) if (f === 'IPv4' || f === 'IPv6') out.add(f);
  if (out.size) return [...out];
  const ip = svc.spec?.clusterIP;
  if (ip && ip !== 'None') return [isIPv6(ip) ? 'IPv6' : 'IPv4'];
  return ['IPv4', 'IPv6'];
}

/** podToEndpoint: terminating pods stay, with ready false unless publishNotReadyAddresses. */
export function podToEndpoint(svc: KubeObject, b: Backend, addressType: AddressType, node: KubeObject | undefined): any {
  const serving = b.ready;
  const terminating = b.terminating;
  const ready = svc.spec?.publishNotReadyAddresses === true || (serving && !terminating);
  const ep: any = {
    addresses: b.ips.filter((ip) => isIPv6(ip) === (addressType === 'IPv6')),
    conditions: { ready, serving, terminating },
  };
  if (b.hostname) ep.hostname = b.hostname;
  ep.targetRef = { kind: 'Pod', namespace: b.namespace, name: b.name, uid: b.uid };
  if (b.nodeName) ep.nodeName = b.nodeName;
  const zone = node?.metadata.labels?.[ZONE_LABEL];
  if (zone) ep.zone = zone;
  return ep;
}

/** NewPortMapKey: the identity of a set of ports, whatever their order. */
export function portMapKey(ports: SlicePort[] | undefined | null): string {
  return (ports ?? [])
    .map((p) => JSON.stringify([p.name ?? '', p.port ?? null, p.protocol ?? 'TCP', p.appProtocol ?? null]))
    .sort()
    .join(',');
}

/** hashEndpoint: an endpoint is the same endpoint when its addresses, hostname and target name match. */
export function endpointKey(ep: any): string {
  return JSON.stringify([[...(ep.addresses ?? [])].sort(), ep.hostname ?? '', ep.targetRef?.namespace ?? '', ep.targetRef?.name ?? '']);
}

const reserved = new Set([LABEL_SERVICE_NAME, LABEL_MANAGED_BY, HEADLESS_LABEL]);

/**
 * setEndpointSliceLabels: the Service's labels (reserved keys skipped), the
 * headless label, service name and manager. `changed` follows upstream: it
 * compares the non-reserved labels only.
 */
export function sliceLabels(slice: KubeObject | undefined, svc: KubeObject, controller: string): { labels: Record<string, string>; changed: boolean } {
  const mine: Record<string, string> = {};
  for (const [k, v] of Object.entries(slice?.metadata.labels ?? {})) if (!reserved.has(k)) mine[k] = v;
  const labels: Record<string, string> = {};
  for (const [k, v] of Object.entries(svc.metadata.labels ?? {})) if (!reserved.has(k)) labels[k] = v;
  const changed = !semanticEqual(mine, labels);
  if (isHeadless(svc)) labels[HEADLESS_LABEL] = '';
  labels[LABEL_SERVICE_NAME] = svc.metadata.name!;
  labels[LABEL_MANAGED_BY] = controller;
  return { labels, changed };
}

export function ownedBy(slice: KubeObject, svc: KubeObject): boolean {
  return (slice.metadata.ownerReferences ?? []).some((r) => r.uid === svc.metadata.uid && r.kind === 'Service' && r.apiVersion === 'v1');
}

export function newSlice(svc: KubeObject, ports: SlicePort[], addressType: AddressType, controller: string): KubeObject {
  return {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: {
      // getEndpointSlicePrefix: a Service name is a DNS label, so "<name>-" is always a valid prefix.
      generateName: `${svc.metadata.name}-`,
      namespace: svc.metadata.namespace,
      labels: sliceLabels(undefined, svc, controller).labels,
      ownerReferences: [{ apiVersion: 'v1', kind: 'Service', name: svc.metadata.name!, uid: svc.metadata.uid!, controller: true, blockOwnerDeletion: true }],
    },
    addressType,
    endpoints: [],
    ports,
  };
}

/** A copy to change metadata and the endpoints list of; endpoints themselves are never changed in place. */
const copy = (o: KubeObject): KubeObject => ({ ...o, metadata: { ...o.metadata }, endpoints: [...(o.endpoints ?? [])] });

/** reconcileByPortMapping: keep, refresh and drop endpoints in place, then place what is left. */
function planPortMapping(svc: KubeObject, existing: KubeObject[], desired: Map<string, any>, ports: SlicePort[], addressType: AddressType, max: number): SlicePlan {
  const byName = new Map<string, KubeObject>();
  const unchanged = new Set<string>();
  const toUpdate = new Set<string>();
  const toDelete = new Set<string>();
  for (const slice of existing) {
    byName.set(slice.metadata.name!, slice);
    const kept: any[] = [];
    let updated = false;
    for (const ep of slice.endpoints ?? []) {
      const k = endpointKey(ep);
      const want = desired.get(k);
      if (!want) continue;
      kept.push(want);
      if (!semanticEqual(want, ep)) updated = true;
      desired.delete(k);
    }
    const { labels, changed } = sliceLabels(slice, svc, SLICE_CONTROLLER);
    if (updated || kept.length !== (slice.endpoints ?? []).length) {
      if (kept.length === 0) toDelete.add(slice.metadata.name!);
      else {
        const next = copy(slice);
        next.endpoints = kept;
        next.metadata.labels = labels;
        byName.set(slice.metadata.name!, next);
        toUpdate.add(slice.metadata.name!);
      }
    } else if (changed) {
      const next = copy(slice);
      next.metadata.labels = labels;
      byName.set(slice.metadata.name!, next);
      toUpdate.add(slice.metadata.name!);
    } else unchanged.add(slice.metadata.name!);
  }
  const pop = () => {
    const [k, v] = desired.entries().next().value!;
    desired.delete(k);
    return v;
  };
  // Slices being written anyway take new endpoints first, the fullest first.
  if (desired.size && toUpdate.size) {
    const slices = [...toUpdate].map((n) => byName.get(n)!).sort((a, b) => b.endpoints.length - a.endpoints.length);
    for (const s of slices) while (desired.size && s.endpoints.length < max) s.endpoints.push(pop());
  }
  const create: KubeObject[] = [];
  while (desired.size) {
    let fill: KubeObject | undefined;
    // getSliceToFill: the unchanged slice the remainder fits in most tightly.
    if (desired.size < max && unchanged.size) {
      let best = max;
      for (const n of unchanged) {
        const diff = max - (desired.size + (byName.get(n)!.endpoints ?? []).length);
        if (diff >= 0 && diff < best) {
          best = diff;
          fill = byName.get(n);
        }
      }
    }
    if (fill) {
      fill = copy(fill);
      byName.set(fill.metadata.name!, fill);
    } else fill = newSlice(svc, ports, addressType, SLICE_CONTROLLER);
    while (desired.size && fill.endpoints.length < max) fill.endpoints.push(pop());
    if (fill.metadata.name) {
      toUpdate.add(fill.metadata.name);
      unchanged.delete(fill.metadata.name);
    } else create.push(fill);
  }
  return { create, update: [...toUpdate].map((n) => byName.get(n)!), delete: [...toDelete].map((n) => byName.get(n)!) };
}

/** reconcileByAddressType plus finalize for one address type. */
function planAddressType(
  svc: KubeObject,
  backends: Backend[],
  existing: KubeObject[],
  addressType: AddressType,
  nodeOf: (name: string) => KubeObject | undefined,
  missingNodes: Set<string>,
  max: number,
): SlicePlan {
  const plan: SlicePlan = { create: [], update: [], delete: [] };
  const existingByPorts = new Map<string, KubeObject[]>();
  for (const s of existing) {
    if (!ownedBy(s, svc)) {
      plan.delete.push(s);
      continue;
    }
    const k = portMapKey(s.ports);
    existingByPorts.set(k, [...(existingByPorts.get(k) ?? []), s]);
  }
  const desiredByPorts = new Map<string, { ports: SlicePort[]; endpoints: Map<string, any> }>();
  const publish = svc.spec?.publishNotReadyAddresses === true;
  for (const b of backends) {
    const ports: SlicePort[] = b.ports.map((p) => ({ ...p }));
    const k = portMapKey(ports);
    let d = desiredByPorts.get(k);
    if (!d) desiredByPorts.set(k, (d = { ports, endpoints: new Map() }));
    const node = b.nodeName ? nodeOf(b.nodeName) : undefined;
    // A pod on a node that does not exist is left out (and retried), unless the Service publishes everything.
    if (!node && !publish) {
      missingNodes.add(b.nodeName ?? '');
      continue;
    }
    const ep = podToEndpoint(svc, b, addressType, node);
    if (ep.addresses.length) d.endpoints.set(endpointKey(ep), ep);
  }
  for (const [k, d] of desiredByPorts) {
    const p = planPortMapping(svc, existingByPorts.get(k) ?? [], d.endpoints, d.ports, addressType, max);
    plan.create.push(...p.create);
    plan.update.push(...p.update);
    plan.delete.push(...p.delete);
  }
  for (const [k, slices] of existingByPorts) if (!desiredByPorts.has(k)) plan.delete.push(...slices);
  // A Service with no endpoints still gets one empty slice (the placeholder).
  if (existing.length === plan.delete.length && plan.create.length === 0) {
    const placeholder = newSlice(svc, [], addressType, SLICE_CONTROLLER);
    const d = plan.delete;
    const same = (s: KubeObject) =>
      s.metadata.namespace === placeholder.metadata.namespace &&
      semanticEqual(s.metadata.labels, placeholder.metadata.labels) &&
      s.addressType === addressType &&
      semanticEqual(s.endpoints, []) &&
      semanticEqual(s.ports, []);
    if (d.length === 1 && same(d[0])) plan.delete = [];
    else plan.create.push(placeholder);
  }
  // finalize: a slice about to be deleted is reused for a slice about to be created.
  for (let i = 0; i < plan.delete.length && plan.create.length; ) {
    const del = plan.delete[i];
    if (del.addressType === addressType && ownedBy(del, svc)) {
      const slice = plan.create.pop()!;
      slice.metadata.name = del.metadata.name;
      delete slice.metadata.generateName;
      plan.update.push(slice);
      plan.delete.splice(i, 1);
    } else i++;
  }
  return plan;
}

/**
 * The whole plan for one Service: slices of address types the Service no
 * longer has are deleted; each address type is reconciled on its own.
 * `existing` are the slices this controller manages for the Service (not
 * being deleted). Creates and updates carry the trigger-time annotation.
 * No creates while the Service itself is being deleted.
 */
export function planServiceSlices(opts: {
  svc: KubeObject;
  backends: Backend[];
  existing: KubeObject[];
  nodeOf: (name: string) => KubeObject | undefined;
  triggerTime?: string;
  maxPerSlice?: number;
}): SlicePlan & { missingNodes: string[] } {
  const { svc, backends, existing, nodeOf } = opts;
  const max = opts.maxPerSlice ?? MAX_ENDPOINTS_PER_SLICE;
  const types = addressTypesFor(svc);
  const plan: SlicePlan = { create: [], update: [], delete: [] };
  const missing = new Set<string>();
  for (const s of existing) if (!types.includes(s.addressType)) plan.delete.push(s);
  for (const t of types) {
    const p = planAddressType(svc, backends, existing.filter((s) => s.addressType === t), t, nodeOf, missing, max);
    plan.create.push(...p.create);
    plan.update.push(...p.update);
    plan.delete.push(...p.delete);
  }
  if (svc.metadata.deletionTimestamp) plan.create = [];
  for (const s of [...plan.create, ...plan.update]) setTriggerTime(s, opts.triggerTime);
  return { ...plan, missingNodes: [...missing] };
}

/** addTriggerTimeAnnotation. */
export function setTriggerTime(slice: KubeObject, time: string | undefined): void {
  const a = { ...(slice.metadata.annotations ?? {}) };
  if (time) a[TRIGGER_TIME_ANNOTATION] = rfc3339Nano(time);
  else delete a[TRIGGER_TIME_ANNOTATION];
  slice.metadata.annotations = a;
  if (!Object.keys(a).length) delete slice.metadata.annotations;
}
