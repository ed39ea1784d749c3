/**
 * @module apps/v1 Deployment and ReplicaSet.
 * Field names, types, required fields and patch strategies follow upstream v1.32;
 * descriptions are the first sentence of upstream's.
 */

import type { Definition } from './types.ts';
import { str, int32, int64, bool, intOrString, time, ref, arr, mergeByKey, core, apps, meta, typeMeta, objectMeta, listMeta, gvk, def } from './dsl.ts';

export const appsDefinitions: Definition[] = [
  def(apps('ReplicaSetList'), 'ReplicaSetList is a collection of ReplicaSets.', {
    ...typeMeta,
    metadata: listMeta,
    items: arr(ref(apps('ReplicaSet')), 'List of ReplicaSets.', {}),
  }, { required: ['items'], gvk: gvk('apps', 'v1', 'ReplicaSetList') }),
  def(apps('ReplicaSet'), 'ReplicaSet ensures that a specified number of pod replicas are running at any given time.', {
    ...typeMeta,
    metadata: objectMeta,
    spec: ref(apps('ReplicaSetSpec'), 'Specification of the desired behavior of the ReplicaSet.'),
    status: ref(apps('ReplicaSetStatus'), 'Most recently observed status of the ReplicaSet.'),
  }, { gvk: gvk('apps', 'v1', 'ReplicaSet') }),
  def(apps('DeploymentList'), 'DeploymentList is a list of Deployments.', {
    ...typeMeta,
    metadata: listMeta,
    items: arr(ref(apps('Deployment')), 'Items is the list of Deployments.', {}),
  }, { required: ['items'], gvk: gvk('apps', 'v1', 'DeploymentList') }),
  def(apps('Deployment'), 'Deployment enables declarative updates for Pods and ReplicaSets.', {
    ...typeMeta,
    metadata: objectMeta,
    spec: ref(apps('DeploymentSpec'), 'Specification of the desired behavior of the Deployment.'),
    status: ref(apps('DeploymentStatus'), 'Most recently observed status of the Deployment.'),
  }, { gvk: gvk('apps', 'v1', 'Deployment') }),
  def(apps('ReplicaSetStatus'), 'ReplicaSetStatus represents the current status of a ReplicaSet.', {
    replicas: int32('Replicas is the most recently observed number of non-terminating pods.'),
    fullyLabeledReplicas: int32('The number of non-terminating pods that have labels matching the labels of the pod template of the replicaset.'),
    readyReplicas: int32('The number of non-terminating pods targeted by this ReplicaSet with a Ready Condition.'),
    availableReplicas: int32('The number of available non-terminating pods (ready for at least minReadySeconds) for this replica set.'),
    observedGeneration: int64('ObservedGeneration reflects the generation of the most recently observed ReplicaSet.'),
    conditions: arr(ref(apps('ReplicaSetCondition')), 'Represents the latest available observations of a replica set\'s current state.', mergeByKey('type')),
  }, { required: ['replicas'] }),
  def(apps('ReplicaSetCondition'), 'ReplicaSetCondition describes the state of a replica set at a certain point.', {
    type: str('Type of replica set condition.'),
    status: str('Status of the condition, one of True, False, Unknown.'),
    lastTransitionTime: time('The last time the condition transitioned from one status to another.'),
    reason: str('The reason for the condition\'s last transition.'),
    message: str('A human readable message indicating details about the transition.'),
  }, { required: ['type', 'status'] }),
  def(apps('ReplicaSetSpec'), 'ReplicaSetSpec is the specification of a ReplicaSet.', {
    replicas: int32('Replicas is the number of desired pods.'),
    minReadySeconds: int32('Minimum number of seconds for which a newly created pod should be ready without any of its container crashing, for it to be considered available.'),
    selector: ref(meta('LabelSelector'), 'Selector is a label query over pods that should match the replica count.'),
    template: ref(core('PodTemplateSpec'), 'Template is the object that describes the pod that will be created if insufficient replicas are detected.'),
  }, { required: ['selector'] }),
  def(apps('DeploymentStatus'), 'DeploymentStatus is the most recently observed status of the Deployment.', {
    observedGeneration: int64('The generation observed by the deployment controller.'),
    replicas: int32('Total number of non-terminating pods targeted by this deployment (their labels match the selector).'),
    updatedReplicas: int32('Total number of non-terminating pods targeted by this deployment that have the desired template spec.'),
    readyReplicas: int32('Total number of non-terminating pods targeted by this Deployment with a Ready Condition.'),
    availableReplicas: int32('Total number of available non-terminating pods (ready for at least minReadySeconds) targeted by this deployment.'),
    unavailableReplicas: int32('Total number of unavailable pods targeted by this deployment.'),
    conditions: arr(ref(apps('DeploymentCondition')), 'Represents the latest available observations of a deployment\'s current state.', mergeByKey('type')),
    collisionCount: int32('Count of hash collisions for the Deployment.'),
  }),
  def(apps('DeploymentCondition'), 'DeploymentCondition describes the state of a deployment at a certain point.', {
    type: str('Type of deployment condition.'),
    status: str('Status of the condition, one of True, False, Unknown.'),
    lastUpdateTime: time('The last time this condition was updated.'),
    lastTransitionTime: time('Last time the condition transitioned from one status to another.'),
    reason: str('The reason for the condition\'s last transition.'),
    message: str('A human readable message indicating details about the transition.'),
  }, { required: ['type', 'status'] }),
  def(apps('DeploymentSpec'), 'DeploymentSpec is the specification of the desired behavior of the Deployment.', {
    replicas: int32('Number of desired pods.'),
    selector: ref(meta('LabelSelector'), 'Label selector for pods.'),
    template: ref(core('PodTemplateSpec'), 'Template describes the pods that will be created.'),
    strategy: ref(apps('DeploymentStrategy'), 'The deployment strategy to use to replace existing pods with new ones.', { patchStrategy: 'retainKeys' }),
    minReadySeconds: int32('Minimum number of seconds for which a newly created pod should be ready without any of its container crashing, for it to be considered available.'),
    revisionHistoryLimit: int32('The number of old ReplicaSets to retain to allow rollback.'),
    paused: bool('Indicates that the deployment is paused.'),
    progressDeadlineSeconds: int32('The maximum time in seconds for a deployment to make progress before it is considered to be failed.'),
  }, { required: ['selector', 'template'] }),
  def(apps('DeploymentStrategy'), 'DeploymentStrategy describes how to replace existing pods with new ones.', {
    type: str('Type of deployment.'),
    rollingUpdate: ref(apps('RollingUpdateDeployment'), 'Spec to control the desired behavior of rolling update.'),
  }),
  def(apps('RollingUpdateDeployment'), 'Spec to control the desired behavior of rolling update.', {
    maxUnavailable: intOrString('The maximum number of pods that can be unavailable during the update.'),
    maxSurge: intOrString('The maximum number of pods that can be scheduled above the desired number of pods.'),
  }),
];
