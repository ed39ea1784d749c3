/**
 * @module Validation of every served kind, as upstream's REST strategies
 * (Validate, ValidateUpdate, status ValidateUpdate) and the generic registry
 * checks around them (BeforeCreate, BeforeUpdate) run it for v1.32. Pure:
 * objects in, field errors out, in upstream's order and wording.
 */
import type { FieldError } from '../field-errors.ts';
import { path } from '../field-errors.ts';
import type { GVK, KubeObject } from '../meta.ts';
import { findKind } from '../resources.ts';
import { validateEvent, validateLease, validateLeaseUpdate, validateNamespace, validateNamespaceStatusUpdate, validateNamespaceUpdate, validateNode, validateNodeUpdate } from './cluster.ts';
import { validateConfigMap, validateConfigMapUpdate, validateSecret, validateSecretUpdate, validateServiceAccount, validateServiceAccountUpdate } from './config.ts';
import { validateEndpointSlice, validateEndpointSliceUpdate, validateEndpoints, validateEndpointsUpdate } from './endpoints.ts';
import { upstreamErrorText } from './goformat.ts';
import { validateObjectMeta, validateObjectMetaUpdate } from './meta.ts';
import { pathSegmentName } from './names.ts';
import { validateIngress, validateIngressClass, validateIngressClassUpdate, validateIngressStatusUpdate, validateIngressUpdate } from './networking.ts';
import { validatePodCreate, validatePodStatusUpdate, validatePodUpdate } from './pod.ts';
import { validateLimitRange, validateLimitRangeUpdate, validateResourceQuota, validateResourceQuotaStatusUpdate, validateResourceQuotaUpdate } from './quota.ts';
import { validateService, validateServiceStatusUpdate, validateServiceUpdate } from './service.ts';
import {
  validateDeployment,
  validateDeploymentStatusUpdate,
  validateDeploymentUpdate,
  validateReplicaSet,
  validateReplicaSetStatusUpdate,
  validateReplicaSetUpdate,
  validateReplicationController,
  validateReplicationControllerStatusUpdate,
  validateReplicationControllerUpdate,
} from './workloads.ts';

export { upstreamAggregateText, upstreamErrorBody, upstreamErrorText, goString } from './goformat.ts';
export { canonicalQuantity, compareQuantities, formatQuantity, parseQuantity, QuantityError } from './quantity.ts';
export type { Quantity } from './quantity.ts';

type Create = (obj: any) => FieldError[];
type Update = (obj: any, old: any) => FieldError[];

interface KindRules {
  create: Create;
  update: Update;
  status?: Update;
}

const key = (g: string, k: string): string => `${g}/${k}`;

const rules = new Map<string, KindRules>([
  [key('', 'Namespace'), { create: validateNamespace, update: validateNamespaceUpdate, status: validateNamespaceStatusUpdate }],
  [key('', 'Pod'), { create: validatePodCreate, update: validatePodUpdate, status: validatePodStatusUpdate }],
  [key('', 'Service'), { create: validateService, update: validateServiceUpdate, status: validateServiceStatusUpdate }],
  [key('', 'Endpoints'), { create: validateEndpoints, update: validateEndpointsUpdate }],
  [key('', 'ConfigMap'), { create: validateConfigMap, update: validateConfigMapUpdate }],
  [key('', 'Secret'), { create: validateSecret, update: validateSecretUpdate }],
  [key('', 'ServiceAccount'), { create: validateServiceAccount, update: validateServiceAccountUpdate }],
  // core/v1 events get only the legacy rules (ValidateEventCreate/Update for requestVersion v1).
  [key('', 'Event'), { create: validateEvent, update: (n) => validateEvent(n) }],
  [key('', 'Node'), { create: validateNode, update: validateNodeUpdate, status: validateNodeUpdate }],
  [key('', 'ResourceQuota'), { create: validateResourceQuota, update: validateResourceQuotaUpdate, status: validateResourceQuotaStatusUpdate }],
  [key('', 'LimitRange'), { create: validateLimitRange, update: validateLimitRangeUpdate }],
  [
    key('', 'ReplicationController'),
    { create: validateReplicationController, update: validateReplicationControllerUpdate, status: validateReplicationControllerStatusUpdate },
  ],
  [key('apps', 'Deployment'), { create: validateDeployment, update: validateDeploymentUpdate, status: validateDeploymentStatusUpdate }],
  [key('apps', 'ReplicaSet'), { create: validateReplicaSet, update: validateReplicaSetUpdate, status: validateReplicaSetStatusUpdate }],
  [key('networking.k8s.io', 'Ingress'), { create: validateIngress, update: validateIngressUpdate, status: validateIngressStatusUpdate }],
  [key('networking.k8s.io', 'IngressClass'), { create: validateIngressClass, update: validateIngressClassUpdate }],
  [key('discovery.k8s.io', 'EndpointSlice'), { create: validateEndpointSlice, update: validateEndpointSliceUpdate }],
  [key('coordination.k8s.io', 'Lease'), { create: validateLease, update: validateLeaseUpdate }],
]);

const namespaced = (gvk: GVK): boolean => findKind(gvk.group, gvk.kind)?.namespaced ?? true;

/** field.ErrorList.ToAggregate drops repeated messages; the same list comes back here. */
function dedupe(errs: FieldError[]): FieldError[] {
  const seen = new Set<string>();
  return errs.filter((e) => {
    const t = upstreamErrorText(e);
    if (seen.has(t)) return false;
    seen.add(t);
    return true;
  });
}

/** The generic registry's checks (rest.BeforeCreate/BeforeUpdate): path-segment-safe names and metadata. */
function genericMeta(gvk: GVK, obj: KubeObject) {
  return validateObjectMeta(obj.metadata, { namespaced: namespaced(gvk), nameFn: pathSegmentName });
}

/**
 * Validates an object being created, after defaulting and after the
 * apiserver has generated a name and set the namespace. As rest.BeforeCreate
 * does, the generic metadata checks run only when the kind's own pass.
 */
export function validateCreate(gvk: GVK, obj: KubeObject): FieldError[] {
  const r = rules.get(key(gvk.group, gvk.kind));
  const errs = r ? r.create(obj) : [];
  if (errs.length) return dedupe(errs);
  return dedupe(genericMeta(gvk, obj));
}

/**
 * Validates an update of the main resource, immutability included. The
 * caller sets metadata.resourceVersion from the stored object for
 * unconditional updates first, as upstream's store does.
 */
export function validateUpdate(gvk: GVK, obj: KubeObject, old: KubeObject): FieldError[] {
  const r = rules.get(key(gvk.group, gvk.kind));
  const common = [...genericMeta(gvk, obj), ...validateObjectMetaUpdate(obj.metadata, old.metadata, path('metadata'), false)];
  return dedupe([...common, ...(r ? r.update(obj, old) : [])]);
}

/** Validates an update through the status subresource. */
export function validateStatusUpdate(gvk: GVK, obj: KubeObject, old: KubeObject): FieldError[] {
  const r = rules.get(key(gvk.group, gvk.kind));
  const common = [...genericMeta(gvk, obj), ...validateObjectMetaUpdate(obj.metadata, old.metadata, path('metadata'), false)];
  return dedupe([...common, ...(r?.status ? r.status(obj, old) : [])]);
}
