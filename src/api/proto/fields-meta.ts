/**
 * @module Protobuf field numbers of meta/v1, autoscaling/v1 Scale and policy/v1 Eviction. Written by tools/gen-fields.ts
 * from the schemas and the tags of the Go structs in kubectl v1.32 (see README.md);
 * regenerate rather than edit.
 */

import type { FieldTable } from './field-spec.ts';
import { k, TYPE_META } from './field-spec.ts';

export const metaFields: FieldTable = {
  'io.k8s.apimachinery.pkg.apis.meta.v1.WatchEvent': { type: k(1), object: 2 },
  'io.k8s.apimachinery.pkg.apis.meta.v1.DeleteOptions': {
    apiVersion: TYPE_META,
    kind: TYPE_META,
    gracePeriodSeconds: k(1),
    preconditions: 2,
    orphanDependents: k(3),
    propagationPolicy: k(4),
    dryRun: 5,
    ignoreStoreReadErrorWithClusterBreakingPotential: k(6),
  },
  'io.k8s.apimachinery.pkg.apis.meta.v1.Status': {
    apiVersion: TYPE_META,
    kind: TYPE_META,
    metadata: 1,
    status: 2,
    message: 3,
    reason: 4,
    details: 5,
    code: 6,
  },
  'io.k8s.apimachinery.pkg.apis.meta.v1.Preconditions': { uid: k(1), resourceVersion: k(2) },
  'io.k8s.apimachinery.pkg.apis.meta.v1.StatusDetails': { name: 1, group: 2, kind: 3, uid: 6, causes: 4, retryAfterSeconds: 5 },
  'io.k8s.apimachinery.pkg.apis.meta.v1.StatusCause': { reason: 1, message: 2, field: 3 },
  'io.k8s.apimachinery.pkg.apis.meta.v1.ListMeta': { selfLink: 1, resourceVersion: 2, continue: 3, remainingItemCount: k(4) },
  'io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta': {
    name: 1,
    generateName: 2,
    namespace: 3,
    selfLink: 4,
    uid: 5,
    resourceVersion: 6,
    generation: 7,
    creationTimestamp: 8,
    deletionTimestamp: 9,
    deletionGracePeriodSeconds: k(10),
    labels: 11,
    annotations: 12,
    ownerReferences: 13,
    finalizers: 14,
    managedFields: 17,
  },
  'io.k8s.apimachinery.pkg.apis.meta.v1.ManagedFieldsEntry': {
    manager: 1,
    operation: 2,
    apiVersion: 3,
    time: 4,
    fieldsType: 6,
    fieldsV1: 7,
    subresource: 8,
  },
  'io.k8s.apimachinery.pkg.apis.meta.v1.OwnerReference': {
    apiVersion: k(5),
    kind: k(1),
    name: k(3),
    uid: k(4),
    controller: k(6),
    blockOwnerDeletion: k(7),
  },
  'io.k8s.apimachinery.pkg.apis.meta.v1.LabelSelector': { matchLabels: 1, matchExpressions: 2 },
  'io.k8s.apimachinery.pkg.apis.meta.v1.LabelSelectorRequirement': { key: k(1), operator: k(2), values: 3 },
  'io.k8s.apimachinery.pkg.apis.meta.v1.Condition': {
    type: k(1),
    status: k(2),
    observedGeneration: 3,
    lastTransitionTime: 4,
    reason: k(5),
    message: k(6),
  },
  'io.k8s.api.policy.v1.Eviction': { apiVersion: TYPE_META, kind: TYPE_META, metadata: 1, deleteOptions: 2 },
  'io.k8s.api.autoscaling.v1.Scale': { apiVersion: TYPE_META, kind: TYPE_META, metadata: 1, spec: 2, status: 3 },
  'io.k8s.api.autoscaling.v1.ScaleStatus': { replicas: k(1), selector: 2 },
  'io.k8s.api.autoscaling.v1.ScaleSpec': { replicas: 1 },
};
