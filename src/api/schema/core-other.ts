/**
 * @module core/v1 kinds with small schemas: Namespace, ConfigMap, Secret, ServiceAccount, Event, ResourceQuota, LimitRange, ReplicationController, and the shared object references.
 * Field names, types, required fields and patch strategies follow upstream v1.32;
 * descriptions are the first sentence of upstream's.
 */

import type { Definition } from './types.ts';
import { str, int32, int64, bool, bytes, quantity, time, microTime, ref, map, arr, mergeByKey, core, typeMeta, objectMeta, listMeta, gvk, def } from './dsl.ts';

export const coreOtherDefinitions: Definition[] = [
  def(core('ReplicationControllerList'), 'ReplicationControllerList is a collection of replication controllers.', {
    ...typeMeta,
    metadata: listMeta,
    items: arr(ref(core('ReplicationController')), 'List of replication controllers.', {}),
  }, { required: ['items'], gvk: gvk('', 'v1', 'ReplicationControllerList') }),
  def(core('ReplicationController'), 'ReplicationController represents the configuration of a replication controller.', {
    ...typeMeta,
    metadata: objectMeta,
    spec: ref(core('ReplicationControllerSpec'), 'Specification of the desired behavior of the replication controller.'),
    status: ref(core('ReplicationControllerStatus'), 'Most recently observed status of the replication controller.'),
  }, { gvk: gvk('', 'v1', 'ReplicationController') }),
  def(core('LimitRangeList'), 'LimitRangeList is a list of LimitRange items.', {
    ...typeMeta,
    metadata: listMeta,
    items: arr(ref(core('LimitRange')), 'Items is a list of LimitRange objects.', {}),
  }, { required: ['items'], gvk: gvk('', 'v1', 'LimitRangeList') }),
  def(core('LimitRange'), 'LimitRange sets resource usage limits for each kind of resource in a Namespace.', {
    ...typeMeta,
    metadata: objectMeta,
    spec: ref(core('LimitRangeSpec'), 'Specification of the desired behavior of the limit range.'),
  }, { gvk: gvk('', 'v1', 'LimitRange') }),
  def(core('ResourceQuotaList'), 'ResourceQuotaList is a list of ResourceQuota items.', {
    ...typeMeta,
    metadata: listMeta,
    items: arr(ref(core('ResourceQuota')), 'Items is a list of ResourceQuota objects.', {}),
  }, { required: ['items'], gvk: gvk('', 'v1', 'ResourceQuotaList') }),
  def(core('ResourceQuota'), 'ResourceQuota sets aggregate quota restrictions enforced per namespace.', {
    ...typeMeta,
    metadata: objectMeta,
    spec: ref(core('ResourceQuotaSpec'), 'Specification of the desired behavior of the resource quota.'),
    status: ref(core('ResourceQuotaStatus'), 'Most recently observed status of the resource quota.'),
  }, { gvk: gvk('', 'v1', 'ResourceQuota') }),
  def(core('EventList'), 'EventList is a list of events.', {
    ...typeMeta,
    metadata: listMeta,
    items: arr(ref(core('Event')), 'List of events.', {}),
  }, { required: ['items'], gvk: gvk('', 'v1', 'EventList') }),
  def(core('Event'), 'Event is a report of an event somewhere in the cluster.', {
    ...typeMeta,
    metadata: objectMeta,
    involvedObject: ref(core('ObjectReference'), 'ObjectReference contains enough information to let you inspect or modify the referred object.'),
    reason: str('This should be a short, machine understandable string that gives the reason for the transition into the object\'s current status.'),
    message: str('A human-readable description of the status of this operation.'),
    source: ref(core('EventSource'), 'EventSource contains information for an event.'),
    firstTimestamp: time('The time at which the event was first recorded.'),
    lastTimestamp: time('The time at which the most recent occurrence of this event was recorded.'),
    count: int32('The number of times this event has occurred.'),
    type: str('Type of this event (Normal, Warning), new types could be added in the future.'),
    eventTime: microTime('Time when this Event was first observed.'),
    series: ref(core('EventSeries'), 'EventSeries contain information on series of events, i.e. thing that was/is happening continuously for some time.'),
    action: str('What action was taken/failed regarding to the Regarding object.'),
    related: ref(core('ObjectReference'), 'ObjectReference contains enough information to let you inspect or modify the referred object.'),
    reportingComponent: str('Name of the controller that emitted this Event, e.g. `kubernetes.io/kubelet`.'),
    reportingInstance: str('ID of the controller instance, e.g. `kubelet-xyzf`.'),
  }, { required: ['metadata', 'involvedObject'], gvk: gvk('', 'v1', 'Event') }),
  def(core('ServiceAccountList'), 'ServiceAccountList is a list of ServiceAccount objects.', {
    ...typeMeta,
    metadata: listMeta,
    items: arr(ref(core('ServiceAccount')), 'List of ServiceAccounts.', {}),
  }, { required: ['items'], gvk: gvk('', 'v1', 'ServiceAccountList') }),
  def(core('ServiceAccount'), 'ServiceAccount binds together: * a name, understood by users, and perhaps by peripheral systems, for an identity * a principal that can be authenticated and authorized * a set of secrets.', {
    ...typeMeta,
    metadata: objectMeta,
    secrets: arr(ref(core('ObjectReference')), 'Secrets is a list of the secrets in the same namespace that pods running using this ServiceAccount are allowed to use.', mergeByKey('name')),
    imagePullSecrets: arr(ref(core('LocalObjectReference')), 'ImagePullSecrets is a list of references to secrets in the same namespace to use for pulling any images in pods that reference this ServiceAccount.'),
    automountServiceAccountToken: bool('AutomountServiceAccountToken indicates whether pods running as this service account should have an API token automatically mounted.'),
  }, { gvk: gvk('', 'v1', 'ServiceAccount') }),
  def(core('SecretList'), 'SecretList is a list of Secret.', {
    ...typeMeta,
    metadata: listMeta,
    items: arr(ref(core('Secret')), 'Items is a list of secret objects.', {}),
  }, { required: ['items'], gvk: gvk('', 'v1', 'SecretList') }),
  def(core('Secret'), 'Secret holds secret data of a certain type.', {
    ...typeMeta,
    metadata: objectMeta,
    immutable: bool('Immutable, if set to true, ensures that data stored in the Secret cannot be updated (only object metadata can be modified).'),
    data: map(bytes(), 'Data contains the secret data.'),
    stringData: map(str(), 'stringData allows specifying non-binary secret data in string form.'),
    type: str('Used to facilitate programmatic handling of secret data.'),
  }, { gvk: gvk('', 'v1', 'Secret') }),
  def(core('ConfigMapList'), 'ConfigMapList is a resource containing a list of ConfigMap objects.', {
    ...typeMeta,
    metadata: listMeta,
    items: arr(ref(core('ConfigMap')), 'Items is the list of ConfigMaps.', {}),
  }, { required: ['items'], gvk: gvk('', 'v1', 'ConfigMapList') }),
  def(core('ConfigMap'), 'ConfigMap holds configuration data for pods to consume.', {
    ...typeMeta,
    metadata: objectMeta,
    immutable: bool('Immutable, if set to true, ensures that data stored in the ConfigMap cannot be updated (only object metadata can be modified).'),
    data: map(str(), 'Data contains the configuration data.'),
    binaryData: map(bytes(), 'BinaryData contains the binary data.'),
  }, { gvk: gvk('', 'v1', 'ConfigMap') }),
  def(core('NamespaceList'), 'NamespaceList is a list of Namespaces.', {
    ...typeMeta,
    metadata: listMeta,
    items: arr(ref(core('Namespace')), 'Items is the list of Namespace objects in the list.', {}),
  }, { required: ['items'], gvk: gvk('', 'v1', 'NamespaceList') }),
  def(core('Namespace'), 'Namespace provides a scope for Names.', {
    ...typeMeta,
    metadata: objectMeta,
    spec: ref(core('NamespaceSpec'), 'Specification of the desired behavior of the Namespace.'),
    status: ref(core('NamespaceStatus'), 'Most recently observed status of the Namespace.'),
  }, { gvk: gvk('', 'v1', 'Namespace') }),
  def(core('ObjectReference'), 'ObjectReference contains enough information to let you inspect or modify the referred object.', {
    kind: str('Kind of the referent.'),
    namespace: str('Namespace of the referent.'),
    name: str('Name of the referent.'),
    uid: str('UID of the referent.'),
    apiVersion: str('API version of the referent.'),
    resourceVersion: str('Specific resourceVersion to which this reference is made, if any.'),
    fieldPath: str('If referring to a piece of an object instead of an entire object, this string should contain a valid JSON/Go field access statement, such as desiredState.manifest.containers[2].'),
  }, { mapType: 'atomic' }),
  def(core('LocalObjectReference'), 'LocalObjectReference contains enough information to let you locate the referenced object inside the same namespace.', {
    name: str('Name of the referent.'),
  }, { mapType: 'atomic' }),
  def(core('ReplicationControllerStatus'), 'ReplicationControllerStatus represents the current status of a replication controller.', {
    replicas: int32('Replicas is the most recently observed number of replicas.'),
    fullyLabeledReplicas: int32('The number of pods that have labels matching the labels of the pod template of the replication controller.'),
    readyReplicas: int32('The number of ready replicas for this replication controller.'),
    availableReplicas: int32('The number of available replicas (ready for at least minReadySeconds) for this replication controller.'),
    observedGeneration: int64('ObservedGeneration reflects the generation of the most recently observed replication controller.'),
    conditions: arr(ref(core('ReplicationControllerCondition')), 'Represents the latest available observations of a replication controller\'s current state.', mergeByKey('type')),
  }, { required: ['replicas'] }),
  def(core('ReplicationControllerCondition'), 'ReplicationControllerCondition describes the state of a replication controller at a certain point.', {
    type: str('Type of replication controller condition.'),
    status: str('Status of the condition, one of True, False, Unknown.'),
    lastTransitionTime: time('The last time the condition transitioned from one status to another.'),
    reason: str('The reason for the condition\'s last transition.'),
    message: str('A human readable message indicating details about the transition.'),
  }, { required: ['type', 'status'] }),
  def(core('ReplicationControllerSpec'), 'ReplicationControllerSpec is the specification of a replication controller.', {
    replicas: int32('Replicas is the number of desired replicas.'),
    minReadySeconds: int32('Minimum number of seconds for which a newly created pod should be ready without any of its container crashing, for it to be considered available.'),
    selector: map(str(), 'Selector is a label query over pods that should match the Replicas count.'),
    template: ref(core('PodTemplateSpec'), 'PodTemplateSpec describes the data a pod should have when created from a template.'),
  }),
  def(core('LimitRangeSpec'), 'LimitRangeSpec defines a min/max usage limit for resources that match on kind.', {
    limits: arr(ref(core('LimitRangeItem')), 'Limits is the list of LimitRangeItem objects that are enforced.'),
  }, { required: ['limits'] }),
  def(core('LimitRangeItem'), 'LimitRangeItem defines a min/max usage limit for any resource that matches on kind.', {
    type: str('Type of resource that this limit applies to.'),
    max: map(quantity(), 'Max usage constraints on this kind by resource name.'),
    min: map(quantity(), 'Min usage constraints on this kind by resource name.'),
    default: map(quantity(), 'Default resource requirement limit value by resource name if resource limit is omitted.'),
    defaultRequest: map(quantity(), 'DefaultRequest is the default resource requirement request value by resource name if resource request is omitted.'),
    maxLimitRequestRatio: map(quantity(), 'MaxLimitRequestRatio if specified, the named resource must have a request and limit that are both non-zero where limit divided by request is less than or equal to the enumerated value; this represents the max burst for the named resource.'),
  }, { required: ['type'] }),
  def(core('ResourceQuotaStatus'), 'ResourceQuotaStatus defines the enforced hard limits and observed use.', {
    hard: map(quantity(), 'Hard is the set of enforced hard limits for each named resource.'),
    used: map(quantity(), 'Used is the current observed total usage of the resource in the namespace.'),
  }),
  def(core('ResourceQuotaSpec'), 'ResourceQuotaSpec defines the desired hard limits to enforce for Quota.', {
    hard: map(quantity(), 'hard is the set of desired hard limits for each named resource.'),
    scopes: arr(str(), 'A collection of filters that must match each object tracked by a quota.'),
    scopeSelector: ref(core('ScopeSelector'), 'A scope selector represents the AND of the selectors represented by the scoped-resource selector requirements.'),
  }),
  def(core('ScopeSelector'), 'A scope selector represents the AND of the selectors represented by the scoped-resource selector requirements.', {
    matchExpressions: arr(ref(core('ScopedResourceSelectorRequirement')), 'A list of scope selector requirements by scope of the resources.'),
  }, { mapType: 'atomic' }),
  def(core('ScopedResourceSelectorRequirement'), 'A scoped-resource selector requirement is a selector that contains values, a scope name, and an operator that relates the scope name and values.', {
    scopeName: str('The name of the scope that the selector applies to.'),
    operator: str('Represents a scope\'s relationship to a set of values.'),
    values: arr(str(), 'An array of string values.'),
  }, { required: ['scopeName', 'operator'] }),
  def(core('EventSeries'), 'EventSeries contain information on series of events, i.e. thing that was/is happening continuously for some time.', {
    count: int32('Number of occurrences in this series up to the last heartbeat time.'),
    lastObservedTime: microTime('Time of the last occurrence observed.'),
  }),
  def(core('EventSource'), 'EventSource contains information for an event.', {
    component: str('Component from which the event is generated.'),
    host: str('Node name on which the event is generated.'),
  }),
  def(core('NamespaceStatus'), 'NamespaceStatus is information about the current status of a Namespace.', {
    phase: str('Phase is the current lifecycle phase of the namespace.'),
    conditions: arr(ref(core('NamespaceCondition')), 'Represents the latest available observations of a namespace\'s current state.', mergeByKey('type')),
  }),
  def(core('NamespaceCondition'), 'NamespaceCondition contains details about state of namespace.', {
    type: str('Type of namespace controller condition.'),
    status: str('Status of the condition, one of True, False, Unknown.'),
    lastTransitionTime: time('Last time the condition transitioned from one status to another.'),
    reason: str('Unique, one-word, CamelCase reason for the condition\'s last transition.'),
    message: str('Human-readable message indicating details about last transition.'),
  }, { required: ['type', 'status'] }),
  def(core('NamespaceSpec'), 'NamespaceSpec describes the attributes on a Namespace.', {
    finalizers: arr(str(), 'Finalizers is an opaque list of values that must be empty to permanently remove object from storage.'),
  }),
];
