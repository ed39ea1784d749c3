/**
 * @module core/v1 Volume and the volume sources a pod uses most (configMap, secret, emptyDir, hostPath, projected, downwardAPI, PVC, ephemeral, csi, image).
 * Field names, types, required fields and patch strategies follow upstream v1.32;
 * descriptions are the first sentence of upstream's.
 */

import type { Definition } from './types.ts';
import { str, int32, int64, bool, quantity, ref, map, arr, core, meta, objectMeta, def } from './dsl.ts';

export const volumeDefinitions: Definition[] = [
  def(core('TypedLocalObjectReference'), 'TypedLocalObjectReference contains enough information to let you locate the typed referenced object inside the same namespace.', {
    apiGroup: str('APIGroup is the group for the resource being referenced.'),
    kind: str('Kind is the type of resource being referenced.'),
    name: str('Name is the name of resource being referenced.'),
  }, { required: ['kind', 'name'], mapType: 'atomic' }),
  def(core('Volume'), 'Volume represents a named volume in a pod that may be accessed by any container in the pod.', {
    name: str('name of the volume. Must be a DNS_LABEL and unique within the pod.'),
    hostPath: ref(core('HostPathVolumeSource'), 'Represents a host path mapped into a pod.'),
    emptyDir: ref(core('EmptyDirVolumeSource'), 'Represents an empty directory for a pod.'),
    gcePersistentDisk: ref(core('GCEPersistentDiskVolumeSource'), 'Represents a Persistent Disk resource in Google Compute Engine.'),
    awsElasticBlockStore: ref(core('AWSElasticBlockStoreVolumeSource'), 'Represents a Persistent Disk resource in AWS.'),
    gitRepo: ref(core('GitRepoVolumeSource'), 'Represents a volume that is populated with the contents of a git repository.'),
    secret: ref(core('SecretVolumeSource'), 'Adapts a Secret into a volume.'),
    nfs: ref(core('NFSVolumeSource'), 'Represents an NFS mount that lasts the lifetime of a pod.'),
    iscsi: ref(core('ISCSIVolumeSource'), 'Represents an ISCSI disk.'),
    glusterfs: ref(core('GlusterfsVolumeSource'), 'Represents a Glusterfs mount that lasts the lifetime of a pod.'),
    persistentVolumeClaim: ref(core('PersistentVolumeClaimVolumeSource'), 'PersistentVolumeClaimVolumeSource references the user\'s PVC in the same namespace.'),
    rbd: ref(core('RBDVolumeSource'), 'Represents a Rados Block Device mount that lasts the lifetime of a pod.'),
    flexVolume: ref(core('FlexVolumeSource'), 'FlexVolume represents a generic volume resource that is provisioned/attached using an exec based plugin.'),
    cinder: ref(core('CinderVolumeSource'), 'Represents a cinder volume resource in Openstack.'),
    cephfs: ref(core('CephFSVolumeSource'), 'Represents a Ceph Filesystem mount that lasts the lifetime of a pod Cephfs volumes do not support ownership management or SELinux relabeling.'),
    flocker: ref(core('FlockerVolumeSource'), 'Represents a Flocker volume mounted by the Flocker agent.'),
    downwardAPI: ref(core('DownwardAPIVolumeSource'), 'DownwardAPIVolumeSource represents a volume containing downward API info.'),
    fc: ref(core('FCVolumeSource'), 'Represents a Fibre Channel volume.'),
    azureFile: ref(core('AzureFileVolumeSource'), 'AzureFile represents an Azure File Service mount on the host and bind mount to the pod.'),
    configMap: ref(core('ConfigMapVolumeSource'), 'Adapts a ConfigMap into a volume.'),
    vsphereVolume: ref(core('VsphereVirtualDiskVolumeSource'), 'Represents a vSphere volume resource.'),
    quobyte: ref(core('QuobyteVolumeSource'), 'Represents a Quobyte mount that lasts the lifetime of a pod.'),
    azureDisk: ref(core('AzureDiskVolumeSource'), 'AzureDisk represents an Azure Data Disk mount on the host and bind mount to the pod.'),
    photonPersistentDisk: ref(core('PhotonPersistentDiskVolumeSource'), 'Represents a Photon Controller persistent disk resource.'),
    projected: ref(core('ProjectedVolumeSource'), 'Represents a projected volume source.'),
    portworxVolume: ref(core('PortworxVolumeSource'), 'PortworxVolumeSource represents a Portworx volume resource.'),
    scaleIO: ref(core('ScaleIOVolumeSource'), 'ScaleIOVolumeSource represents a persistent ScaleIO volume.'),
    storageos: ref(core('StorageOSVolumeSource'), 'Represents a StorageOS persistent volume resource.'),
    csi: ref(core('CSIVolumeSource'), 'Represents a source location of a volume to mount, managed by an external CSI driver.'),
    ephemeral: ref(core('EphemeralVolumeSource'), 'Represents an ephemeral volume that is handled by a normal storage driver.'),
    image: ref(core('ImageVolumeSource'), 'ImageVolumeSource represents a image volume resource.'),
  }, { required: ['name'] }),
  def(core('ImageVolumeSource'), 'ImageVolumeSource represents a image volume resource.', {
    reference: str('Required: Image or artifact reference to be used.'),
    pullPolicy: str('Policy for pulling OCI objects.'),
  }),
  def(core('EphemeralVolumeSource'), 'Represents an ephemeral volume that is handled by a normal storage driver.', {
    volumeClaimTemplate: ref(core('PersistentVolumeClaimTemplate'), 'PersistentVolumeClaimTemplate is used to produce PersistentVolumeClaim objects as part of an EphemeralVolumeSource.'),
  }),
  def(core('PersistentVolumeClaimTemplate'), 'PersistentVolumeClaimTemplate is used to produce PersistentVolumeClaim objects as part of an EphemeralVolumeSource.', {
    metadata: objectMeta,
    spec: ref(core('PersistentVolumeClaimSpec'), 'Specification of the desired behavior of the PersistentVolumeClaimTemplate.'),
  }, { required: ['spec'] }),
  def(core('PersistentVolumeClaimSpec'), 'PersistentVolumeClaimSpec describes the common attributes of storage devices and allows a Source for provider-specific attributes.', {
    accessModes: arr(str(), 'accessModes contains the desired access modes the volume should have.'),
    selector: ref(meta('LabelSelector'), 'A label selector is a label query over a set of resources.'),
    resources: ref(core('VolumeResourceRequirements'), 'VolumeResourceRequirements describes the storage resource requirements for a volume.'),
    volumeName: str('volumeName is the binding reference to the PersistentVolume backing this claim.'),
    storageClassName: str('storageClassName is the name of the StorageClass required by the claim.'),
    volumeMode: str('volumeMode defines what type of volume is required by the claim.'),
    dataSource: ref(core('TypedLocalObjectReference'), 'TypedLocalObjectReference contains enough information to let you locate the typed referenced object inside the same namespace.'),
    dataSourceRef: ref(core('TypedObjectReference'), 'TypedObjectReference contains enough information to let you locate the typed referenced object.'),
    volumeAttributesClassName: str('volumeAttributesClassName may be used to set the VolumeAttributesClass used by this claim.'),
  }),
  def(core('TypedObjectReference'), 'TypedObjectReference contains enough information to let you locate the typed referenced object.', {
    apiGroup: str('APIGroup is the group for the resource being referenced.'),
    kind: str('Kind is the type of resource being referenced.'),
    name: str('Name is the name of resource being referenced.'),
    namespace: str('Namespace is the namespace of resource being referenced Note that when a namespace is specified, a gateway.networking.k8s.io/ReferenceGrant object is required in the referent namespace to allow that namespace\'s owner to accept the reference.'),
  }, { required: ['kind', 'name'] }),
  def(core('VolumeResourceRequirements'), 'VolumeResourceRequirements describes the storage resource requirements for a volume.', {
    limits: map(quantity(), 'Limits describes the maximum amount of compute resources allowed.'),
    requests: map(quantity(), 'Requests describes the minimum amount of compute resources required.'),
  }),
  def(core('CSIVolumeSource'), 'Represents a source location of a volume to mount, managed by an external CSI driver.', {
    driver: str('driver is the name of the CSI driver that handles this volume.'),
    readOnly: bool('readOnly specifies a read-only configuration for the volume.'),
    fsType: str('fsType to mount.'),
    volumeAttributes: map(str(), 'volumeAttributes stores driver-specific properties that are passed to the CSI driver.'),
    nodePublishSecretRef: ref(core('LocalObjectReference'), 'LocalObjectReference contains enough information to let you locate the referenced object inside the same namespace.'),
  }, { required: ['driver'] }),
  def(core('ProjectedVolumeSource'), 'Represents a projected volume source.', {
    sources: arr(ref(core('VolumeProjection')), 'sources is the list of volume projections.'),
    defaultMode: int32('defaultMode are the mode bits used to set permissions on created files by default.'),
  }),
  def(core('VolumeProjection'), 'Projection that may be projected along with other supported volume types.', {
    secret: ref(core('SecretProjection'), 'Adapts a secret into a projected volume.'),
    downwardAPI: ref(core('DownwardAPIProjection'), 'Represents downward API info for projecting into a projected volume.'),
    configMap: ref(core('ConfigMapProjection'), 'Adapts a ConfigMap into a projected volume.'),
    serviceAccountToken: ref(core('ServiceAccountTokenProjection'), 'ServiceAccountTokenProjection represents a projected service account token volume.'),
    clusterTrustBundle: ref(core('ClusterTrustBundleProjection'), 'ClusterTrustBundleProjection describes how to select a set of ClusterTrustBundle objects and project their contents into the pod filesystem.'),
  }),
  def(core('ClusterTrustBundleProjection'), 'ClusterTrustBundleProjection describes how to select a set of ClusterTrustBundle objects and project their contents into the pod filesystem.', {
    name: str('Select a single ClusterTrustBundle by object name.'),
    signerName: str('Select all ClusterTrustBundles that match this signer name.'),
    labelSelector: ref(meta('LabelSelector'), 'A label selector is a label query over a set of resources.'),
    optional: bool('If true, don\'t block pod startup if the referenced ClusterTrustBundle(s) aren\'t available.'),
    path: str('Relative path from the volume root to write the bundle.'),
  }, { required: ['path'], mapType: 'atomic' }),
  def(core('ServiceAccountTokenProjection'), 'ServiceAccountTokenProjection represents a projected service account token volume.', {
    audience: str('audience is the intended audience of the token.'),
    expirationSeconds: int64('expirationSeconds is the requested duration of validity of the service account token.'),
    path: str('path is the path relative to the mount point of the file to project the token into.'),
  }, { required: ['path'] }),
  def(core('ConfigMapProjection'), 'Adapts a ConfigMap into a projected volume.', {
    name: str('Name of the referent.'),
    items: arr(ref(core('KeyToPath')), 'items if unspecified, each key-value pair in the Data field of the referenced ConfigMap will be projected into the volume as a file whose name is the key and content is the value.'),
    optional: bool('optional specify whether the ConfigMap or its keys must be defined.'),
  }),
  def(core('KeyToPath'), 'Maps a string key to a path within a volume.', {
    key: str('key is the key to project.'),
    path: str('path is the relative path of the file to map the key to.'),
    mode: int32('mode is Optional: mode bits used to set permissions on this file.'),
  }, { required: ['key', 'path'] }),
  def(core('DownwardAPIProjection'), 'Represents downward API info for projecting into a projected volume.', {
    items: arr(ref(core('DownwardAPIVolumeFile')), 'Items is a list of DownwardAPIVolume file.'),
  }),
  def(core('DownwardAPIVolumeFile'), 'DownwardAPIVolumeFile represents information to create the file containing the pod field.', {
    path: str('Required: Path is  the relative path name of the file to be created.'),
    fieldRef: ref(core('ObjectFieldSelector'), 'ObjectFieldSelector selects an APIVersioned field of an object.'),
    resourceFieldRef: ref(core('ResourceFieldSelector'), 'ResourceFieldSelector represents container resources (cpu, memory) and their output format.'),
    mode: int32('Optional: mode bits used to set permissions on this file, must be an octal value between 0000 and 0777 or a decimal value between 0 and 511.'),
  }, { required: ['path'] }),
  def(core('SecretProjection'), 'Adapts a secret into a projected volume.', {
    name: str('Name of the referent.'),
    items: arr(ref(core('KeyToPath')), 'items if unspecified, each key-value pair in the Data field of the referenced Secret will be projected into the volume as a file whose name is the key and content is the value.'),
    optional: bool('optional field specify whether the Secret or its key must be defined.'),
  }),
  def(core('ConfigMapVolumeSource'), 'Adapts a ConfigMap into a volume.', {
    name: str('Name of the referent.'),
    items: arr(ref(core('KeyToPath')), 'items if unspecified, each key-value pair in the Data field of the referenced ConfigMap will be projected into the volume as a file whose name is the key and content is the value.'),
    defaultMode: int32('defaultMode is optional: mode bits used to set permissions on created files by default.'),
    optional: bool('optional specify whether the ConfigMap or its keys must be defined.'),
  }),
  def(core('DownwardAPIVolumeSource'), 'DownwardAPIVolumeSource represents a volume containing downward API info.', {
    items: arr(ref(core('DownwardAPIVolumeFile')), 'Items is a list of downward API volume file.'),
    defaultMode: int32('Optional: mode bits to use on created files by default.'),
  }),
  def(core('PersistentVolumeClaimVolumeSource'), 'PersistentVolumeClaimVolumeSource references the user\'s PVC in the same namespace.', {
    claimName: str('claimName is the name of a PersistentVolumeClaim in the same namespace as the pod using this volume.'),
    readOnly: bool('readOnly Will force the ReadOnly setting in VolumeMounts.'),
  }, { required: ['claimName'] }),
  def(core('SecretVolumeSource'), 'Adapts a Secret into a volume.', {
    secretName: str('secretName is the name of the secret in the pod\'s namespace to use.'),
    items: arr(ref(core('KeyToPath')), 'items If unspecified, each key-value pair in the Data field of the referenced Secret will be projected into the volume as a file whose name is the key and content is the value.'),
    defaultMode: int32('defaultMode is Optional: mode bits used to set permissions on created files by default.'),
    optional: bool('optional field specify whether the Secret or its keys must be defined.'),
  }),
  def(core('EmptyDirVolumeSource'), 'Represents an empty directory for a pod.', {
    medium: str('medium represents what type of storage medium should back this directory.'),
    sizeLimit: quantity('sizeLimit is the total amount of local storage required for this EmptyDir volume.'),
  }),
  def(core('HostPathVolumeSource'), 'Represents a host path mapped into a pod.', {
    path: str('path of the directory on the host.'),
    type: str('type for HostPath Volume Defaults to "" More info: https://kubernetes.io/docs/concepts/storage/volumes#hostpath.'),
  }, { required: ['path'] }),
];
