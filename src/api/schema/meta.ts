/**
 * @module meta/v1 types every API group shares: ObjectMeta, ListMeta, Status, DeleteOptions, WatchEvent, LabelSelector.
 * Field names, types, required fields and patch strategies follow upstream v1.32;
 * descriptions are the first sentence of upstream's.
 */

import type { Definition } from './types.ts';
import { str, int32, int64, bool, time, any, ref, map, arr, mergeByKey, meta, typeMeta, listMeta, gvk, inEveryGroup, def } from './dsl.ts';

export const metaDefinitions: Definition[] = [
  def(meta('WatchEvent'), 'Event represents a single event to a watched resource.', {
    type: str(),
    object: any('Object is:  * If Type is Added or Modified: the new state of the object.  * If Type is Deleted: the state of the object immediately before deletion.  * If Type is Error: *Status is recommended; other types may make sense    depending on context.'),
  }, { required: ['type', 'object'], gvk: inEveryGroup('WatchEvent') }),
  def(meta('DeleteOptions'), 'DeleteOptions may be provided when deleting an API object.', {
    ...typeMeta,
    gracePeriodSeconds: int64('The duration in seconds before the object should be deleted.'),
    preconditions: ref(meta('Preconditions'), 'Preconditions must be fulfilled before an operation (update, delete, etc.) is carried out.'),
    orphanDependents: bool('Deprecated: please use the PropagationPolicy, this field will be deprecated in 1.7.'),
    propagationPolicy: str('Whether and how garbage collection will be performed.'),
    dryRun: arr(str(), 'When present, indicates that modifications should not be persisted.'),
    ignoreStoreReadErrorWithClusterBreakingPotential: bool('if set to true, it will trigger an unsafe deletion of the resource in case the normal deletion flow fails with a corrupt object error.'),
  }, { gvk: inEveryGroup('DeleteOptions') }),
  def(meta('Status'), 'Status is a return value for calls that don\'t return other objects.', {
    ...typeMeta,
    metadata: listMeta,
    status: str('Most recently observed status of the Status.'),
    message: str('A human-readable description of the status of this operation.'),
    reason: str('A machine-readable description of why this operation is in the "Failure" status.'),
    details: ref(meta('StatusDetails'), 'StatusDetails is a set of additional properties that MAY be set by the server to provide additional information about a response.'),
    code: int32('Suggested HTTP return code for this status, 0 if not set.'),
  }, { gvk: gvk('', 'v1', 'Status') }),
  def(meta('Preconditions'), 'Preconditions must be fulfilled before an operation (update, delete, etc.) is carried out.', {
    uid: str('Specifies the target UID.'),
    resourceVersion: str('Specifies the target ResourceVersion.'),
  }),
  def(meta('StatusDetails'), 'StatusDetails is a set of additional properties that MAY be set by the server to provide additional information about a response.', {
    name: str('The name attribute of the resource associated with the status StatusReason (when there is a single name which can be described).'),
    group: str('The group attribute of the resource associated with the status StatusReason.'),
    kind: str('The kind attribute of the resource associated with the status StatusReason.'),
    uid: str('UID of the resource.'),
    causes: arr(ref(meta('StatusCause')), 'The Causes array includes more details associated with the StatusReason failure.'),
    retryAfterSeconds: int32('If specified, the time in seconds before the operation should be retried.'),
  }),
  def(meta('StatusCause'), 'StatusCause provides more information about an api.Status failure, including cases when multiple errors are encountered.', {
    reason: str('A machine-readable description of the cause of the error.'),
    message: str('A human-readable description of the cause of the error.'),
    field: str('The field of the resource that has caused this error, as named by its JSON serialization.'),
  }),
  def(meta('ListMeta'), 'ListMeta describes metadata that synthetic resources must have, including lists and various status objects.', {
    selfLink: str('Deprecated: selfLink is a legacy read-only field that is no longer populated by the system.'),
    resourceVersion: str('String that identifies the server\'s internal version of this object that can be used by clients to determine when objects have changed.'),
    continue: str('continue may be set if the user set a limit on the number of items returned, and indicates that the server has more data available.'),
    remainingItemCount: int64('remainingItemCount is the number of subsequent items in the list which are not included in this list response.'),
  }),
  def(meta('ObjectMeta'), 'ObjectMeta is metadata that all persisted resources must have, which includes all objects users must create.', {
    name: str('Name must be unique within a namespace.'),
    generateName: str('GenerateName is an optional prefix, used by the server, to generate a unique name ONLY IF the Name field has not been provided.'),
    namespace: str('Namespace defines the space within which each name must be unique.'),
    selfLink: str('Deprecated: selfLink is a legacy read-only field that is no longer populated by the system.'),
    uid: str('UID is the unique in time and space value for this object.'),
    resourceVersion: str('An opaque value that represents the internal version of this object that can be used by clients to determine when objects have changed.'),
    generation: int64('A sequence number representing a specific generation of the desired state.'),
    creationTimestamp: time('CreationTimestamp is a timestamp representing the server time when this object was created.'),
    deletionTimestamp: time('DeletionTimestamp is RFC 3339 date and time at which this resource will be deleted.'),
    deletionGracePeriodSeconds: int64('Number of seconds allowed for this object to gracefully terminate before it will be removed from the system.'),
    labels: map(str(), 'Map of string keys and values that can be used to organize and categorize (scope and select) objects.'),
    annotations: map(str(), 'Annotations is an unstructured key value map stored with a resource that may be set by external tools to store and retrieve arbitrary metadata.'),
    ownerReferences: arr(ref(meta('OwnerReference')), 'List of objects depended by this object.', mergeByKey('uid')),
    finalizers: arr(str(), 'Must be empty before the object is deleted from the registry.', { patchStrategy: 'merge', listType: 'set' }),
    managedFields: arr(ref(meta('ManagedFieldsEntry')), 'ManagedFields maps workflow-id and version to the set of fields that are managed by that workflow.'),
  }),
  def(meta('ManagedFieldsEntry'), 'ManagedFieldsEntry is a workflow-id, a FieldSet and the group version of the resource that the fieldset applies to.', {
    manager: str('Manager is an identifier of the workflow managing these fields.'),
    operation: str('Operation is the type of operation which lead to this ManagedFieldsEntry being created.'),
    apiVersion: str('APIVersion defines the version of this resource that this field set applies to.'),
    time: time('Time is the timestamp of when the ManagedFields entry was added.'),
    fieldsType: str('FieldsType is the discriminator for the different fields format and version.'),
    fieldsV1: any('FieldsV1 holds the first JSON version format as described in the "FieldsV1" type.'),
    subresource: str('Subresource is the name of the subresource used to update that object, or empty string if the object was updated through the main resource.'),
  }),
  def(meta('OwnerReference'), 'OwnerReference contains enough information to let you identify an owning object.', {
    apiVersion: str('API version of the referent.'),
    kind: str('Kind of the referent.'),
    name: str('Name of the referent.'),
    uid: str('UID of the referent.'),
    controller: bool('If true, this reference points to the managing controller.'),
    blockOwnerDeletion: bool('If true, AND if the owner has the "foregroundDeletion" finalizer, then the owner cannot be deleted from the key-value store until this reference is removed.'),
  }, { required: ['apiVersion', 'kind', 'name', 'uid'] }),
  def(meta('LabelSelector'), 'A label selector is a label query over a set of resources.', {
    matchLabels: map(str(), 'matchLabels is a map of {key,value} pairs.'),
    matchExpressions: arr(ref(meta('LabelSelectorRequirement')), 'matchExpressions is a list of label selector requirements.'),
  }, { mapType: 'atomic' }),
  def(meta('LabelSelectorRequirement'), 'A label selector requirement is a selector that contains values, a key, and an operator that relates the key and values.', {
    key: str('key is the label key that the selector applies to.'),
    operator: str('operator represents a key\'s relationship to a set of values.'),
    values: arr(str(), 'values is an array of string values.'),
  }, { required: ['key', 'operator'] }),
  def(meta('Condition'), 'Condition contains details for one aspect of the current state of this API Resource.', {
    type: str('type of condition in CamelCase or in foo.example.com/CamelCase.'),
    status: str('status of the condition, one of True, False, Unknown.'),
    observedGeneration: int64('observedGeneration represents the .metadata.generation that the condition was set based upon.'),
    lastTransitionTime: time('lastTransitionTime is the last time the condition transitioned from one status to another.'),
    reason: str('reason contains a programmatic identifier indicating the reason for the condition\'s last transition.'),
    message: str('message is a human readable message indicating details about the transition.'),
  }, { required: ['type', 'status', 'lastTransitionTime', 'reason', 'message'] }),
];
