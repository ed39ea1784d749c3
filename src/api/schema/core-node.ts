/**
 * @module core/v1 Node.
 * Field names, types, required fields and patch strategies follow upstream v1.32;
 * descriptions are the first sentence of upstream's.
 */

import type { Definition } from './types.ts';
import { str, int32, int64, bool, quantity, time, ref, map, arr, mergeByKey, core, typeMeta, objectMeta, listMeta, gvk, def } from './dsl.ts';

export const nodeDefinitions: Definition[] = [
  def(core('NodeList'), 'NodeList is the whole list of all Nodes which have been registered with master.', {
    ...typeMeta,
    metadata: listMeta,
    items: arr(ref(core('Node')), 'List of nodes.', {}),
  }, { required: ['items'], gvk: gvk('', 'v1', 'NodeList') }),
  def(core('Node'), 'Node is a worker node in Kubernetes.', {
    ...typeMeta,
    metadata: objectMeta,
    spec: ref(core('NodeSpec'), 'Specification of the desired behavior of the node.'),
    status: ref(core('NodeStatus'), 'Most recently observed status of the node.'),
  }, { gvk: gvk('', 'v1', 'Node') }),
  def(core('NodeStatus'), 'NodeStatus is information about the current status of a node.', {
    capacity: map(quantity(), 'Capacity represents the total resources of a node.'),
    allocatable: map(quantity(), 'Allocatable represents the resources of a node that are available for scheduling.'),
    phase: str('NodePhase is the recently observed lifecycle phase of the node.'),
    conditions: arr(ref(core('NodeCondition')), 'Conditions is an array of current observed node conditions.', mergeByKey('type')),
    addresses: arr(ref(core('NodeAddress')), 'List of addresses reachable to the node.', mergeByKey('type')),
    daemonEndpoints: ref(core('NodeDaemonEndpoints'), 'NodeDaemonEndpoints lists ports opened by daemons running on the Node.'),
    nodeInfo: ref(core('NodeSystemInfo'), 'NodeSystemInfo is a set of ids/uuids to uniquely identify the node.'),
    images: arr(ref(core('ContainerImage')), 'List of container images on this node.'),
    volumesInUse: arr(str(), 'List of attachable volumes in use (mounted) by the node.'),
    volumesAttached: arr(ref(core('AttachedVolume')), 'List of volumes that are attached to the node.'),
    config: ref(core('NodeConfigStatus'), 'NodeConfigStatus describes the status of the config assigned by Node.Spec.ConfigSource.'),
    runtimeHandlers: arr(ref(core('NodeRuntimeHandler')), 'The available runtime handlers.'),
    features: ref(core('NodeFeatures'), 'NodeFeatures describes the set of features implemented by the CRI implementation.'),
  }),
  def(core('NodeFeatures'), 'NodeFeatures describes the set of features implemented by the CRI implementation.', {
    supplementalGroupsPolicy: bool('SupplementalGroupsPolicy is set to true if the runtime supports SupplementalGroupsPolicy and ContainerUser.'),
  }),
  def(core('NodeRuntimeHandler'), 'NodeRuntimeHandler is a set of runtime handler information.', {
    name: str('Runtime handler name.'),
    features: ref(core('NodeRuntimeHandlerFeatures'), 'NodeRuntimeHandlerFeatures is a set of features implemented by the runtime handler.'),
  }),
  def(core('NodeRuntimeHandlerFeatures'), 'NodeRuntimeHandlerFeatures is a set of features implemented by the runtime handler.', {
    recursiveReadOnlyMounts: bool('RecursiveReadOnlyMounts is set to true if the runtime handler supports RecursiveReadOnlyMounts.'),
    userNamespaces: bool('UserNamespaces is set to true if the runtime handler supports UserNamespaces, including for volumes.'),
  }),
  def(core('NodeConfigStatus'), 'NodeConfigStatus describes the status of the config assigned by Node.Spec.ConfigSource.', {
    assigned: ref(core('NodeConfigSource'), 'NodeConfigSource specifies a source of node configuration.'),
    active: ref(core('NodeConfigSource'), 'NodeConfigSource specifies a source of node configuration.'),
    lastKnownGood: ref(core('NodeConfigSource'), 'NodeConfigSource specifies a source of node configuration.'),
    error: str('Error describes any problems reconciling the Spec.ConfigSource to the Active config.'),
  }),
  def(core('NodeConfigSource'), 'NodeConfigSource specifies a source of node configuration.', {
    configMap: ref(core('ConfigMapNodeConfigSource'), 'ConfigMapNodeConfigSource contains the information to reference a ConfigMap as a config source for the Node.'),
  }),
  def(core('ConfigMapNodeConfigSource'), 'ConfigMapNodeConfigSource contains the information to reference a ConfigMap as a config source for the Node.', {
    namespace: str('Namespace is the metadata.namespace of the referenced ConfigMap.'),
    name: str('Name is the metadata.name of the referenced ConfigMap.'),
    uid: str('UID is the metadata.UID of the referenced ConfigMap.'),
    resourceVersion: str('ResourceVersion is the metadata.ResourceVersion of the referenced ConfigMap.'),
    kubeletConfigKey: str('KubeletConfigKey declares which key of the referenced ConfigMap corresponds to the KubeletConfiguration structure This field is required in all cases.'),
  }, { required: ['namespace', 'name', 'kubeletConfigKey'] }),
  def(core('AttachedVolume'), 'AttachedVolume describes a volume attached to a node.', {
    name: str('Name of the attached volume.'),
    devicePath: str('DevicePath represents the device path where the volume should be available.'),
  }, { required: ['name', 'devicePath'] }),
  def(core('ContainerImage'), 'Describe a container image.', {
    names: arr(str(), 'Names by which this image is known. e.g. ["kubernetes.example/hyperkube:v1.0.7", "cloud-vendor.registry.example/cloud-vendor/hyperkube:v1.0.7"].'),
    sizeBytes: int64('The size of the image in bytes.'),
  }),
  def(core('NodeSystemInfo'), 'NodeSystemInfo is a set of ids/uuids to uniquely identify the node.', {
    machineID: str('MachineID reported by the node.'),
    systemUUID: str('SystemUUID reported by the node.'),
    bootID: str('Boot ID reported by the node.'),
    kernelVersion: str('Kernel Version reported by the node from \'uname -r\' (e.g. 3.16.0-0.bpo.4-amd64).'),
    osImage: str('OS Image reported by the node from /etc/os-release (e.g. Debian GNU/Linux 7 (wheezy)).'),
    containerRuntimeVersion: str('ContainerRuntime Version reported by the node through runtime remote API (e.g. containerd://1.4.2).'),
    kubeletVersion: str('Kubelet Version reported by the node.'),
    kubeProxyVersion: str('Deprecated: KubeProxy Version reported by the node.'),
    operatingSystem: str('The Operating System reported by the node.'),
    architecture: str('The Architecture reported by the node.'),
  }, { required: ['machineID', 'systemUUID', 'bootID', 'kernelVersion', 'osImage', 'containerRuntimeVersion', 'kubeletVersion', 'kubeProxyVersion', 'operatingSystem', 'architecture'] }),
  def(core('NodeDaemonEndpoints'), 'NodeDaemonEndpoints lists ports opened by daemons running on the Node.', {
    kubeletEndpoint: ref(core('DaemonEndpoint'), 'DaemonEndpoint contains information about a single Daemon endpoint.'),
  }),
  def(core('DaemonEndpoint'), 'DaemonEndpoint contains information about a single Daemon endpoint.', {
    Port: int32('Port number of the given endpoint.'),
  }, { required: ['Port'] }),
  def(core('NodeAddress'), 'NodeAddress contains information for the node\'s address.', {
    type: str('Node address type, one of Hostname, ExternalIP or InternalIP.'),
    address: str('The node address.'),
  }, { required: ['type', 'address'] }),
  def(core('NodeCondition'), 'NodeCondition contains condition information for a node.', {
    type: str('Type of node condition.'),
    status: str('Status of the condition, one of True, False, Unknown.'),
    lastHeartbeatTime: time('Last time we got an update on a given condition.'),
    lastTransitionTime: time('Last time the condition transit from one status to another.'),
    reason: str('(brief) reason for the condition\'s last transition.'),
    message: str('Human readable message indicating details about last transition.'),
  }, { required: ['type', 'status'] }),
  def(core('NodeSpec'), 'NodeSpec describes the attributes that a node is created with.', {
    podCIDR: str('PodCIDR represents the pod IP range assigned to the node.'),
    podCIDRs: arr(str(), 'podCIDRs represents the IP ranges assigned to the node for usage by Pods on that node.', { patchStrategy: 'merge', listType: 'set' }),
    providerID: str('ID of the node assigned by the cloud provider in the format: <ProviderName>://<ProviderSpecificNodeID>.'),
    unschedulable: bool('Unschedulable controls node schedulability of new pods.'),
    taints: arr(ref(core('Taint')), 'If specified, the node\'s taints.'),
    configSource: ref(core('NodeConfigSource'), 'NodeConfigSource specifies a source of node configuration.'),
    externalID: str('Deprecated.'),
  }),
  def(core('Taint'), 'The node this Taint is attached to has the "effect" on any pod that does not tolerate the Taint.', {
    key: str('Required.'),
    value: str('The taint value corresponding to the taint key.'),
    effect: str('Required.'),
    timeAdded: time('TimeAdded represents the time at which the taint was added.'),
  }, { required: ['key', 'effect'] }),
];
