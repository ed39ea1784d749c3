/**
 * @module core/v1 in-tree (mostly cloud and network storage) volume sources. nanokube mounts none of them, but they are typed fully so that strict decoding and strategic merge behave as upstream.
 * Field names, types, required fields and patch strategies follow upstream v1.32;
 * descriptions are the first sentence of upstream's.
 */

import type { Definition } from './types.ts';
import { str, int32, bool, ref, map, arr, core, def } from './dsl.ts';

export const inTreeVolumeDefinitions: Definition[] = [
  def(core('StorageOSVolumeSource'), 'Represents a StorageOS persistent volume resource.', {
    volumeName: str('volumeName is the human-readable name of the StorageOS volume.'),
    volumeNamespace: str('volumeNamespace specifies the scope of the volume within StorageOS.'),
    fsType: str('fsType is the filesystem type to mount.'),
    readOnly: bool('readOnly defaults to false (read/write).'),
    secretRef: ref(core('LocalObjectReference'), 'LocalObjectReference contains enough information to let you locate the referenced object inside the same namespace.'),
  }),
  def(core('ScaleIOVolumeSource'), 'ScaleIOVolumeSource represents a persistent ScaleIO volume.', {
    gateway: str('gateway is the host address of the ScaleIO API Gateway.'),
    system: str('system is the name of the storage system as configured in ScaleIO.'),
    secretRef: ref(core('LocalObjectReference'), 'LocalObjectReference contains enough information to let you locate the referenced object inside the same namespace.'),
    sslEnabled: bool('sslEnabled Flag enable/disable SSL communication with Gateway, default false.'),
    protectionDomain: str('protectionDomain is the name of the ScaleIO Protection Domain for the configured storage.'),
    storagePool: str('storagePool is the ScaleIO Storage Pool associated with the protection domain.'),
    storageMode: str('storageMode indicates whether the storage for a volume should be ThickProvisioned or ThinProvisioned.'),
    volumeName: str('volumeName is the name of a volume already created in the ScaleIO system that is associated with this volume source.'),
    fsType: str('fsType is the filesystem type to mount.'),
    readOnly: bool('readOnly Defaults to false (read/write).'),
  }, { required: ['gateway', 'system', 'secretRef'] }),
  def(core('PortworxVolumeSource'), 'PortworxVolumeSource represents a Portworx volume resource.', {
    volumeID: str('volumeID uniquely identifies a Portworx volume.'),
    fsType: str('fSType represents the filesystem type to mount Must be a filesystem type supported by the host operating system.'),
    readOnly: bool('readOnly defaults to false (read/write).'),
  }, { required: ['volumeID'] }),
  def(core('PhotonPersistentDiskVolumeSource'), 'Represents a Photon Controller persistent disk resource.', {
    pdID: str('pdID is the ID that identifies Photon Controller persistent disk.'),
    fsType: str('fsType is the filesystem type to mount.'),
  }, { required: ['pdID'] }),
  def(core('AzureDiskVolumeSource'), 'AzureDisk represents an Azure Data Disk mount on the host and bind mount to the pod.', {
    diskName: str('diskName is the Name of the data disk in the blob storage.'),
    diskURI: str('diskURI is the URI of data disk in the blob storage.'),
    cachingMode: str('cachingMode is the Host Caching mode: None, Read Only, Read Write.'),
    fsType: str('fsType is Filesystem type to mount.'),
    readOnly: bool('readOnly Defaults to false (read/write).'),
    kind: str('kind expected values are Shared: multiple blob disks per storage account  Dedicated: single blob disk per storage account  Managed: azure managed data disk (only in managed availability set). defaults to shared.'),
  }, { required: ['diskName', 'diskURI'] }),
  def(core('QuobyteVolumeSource'), 'Represents a Quobyte mount that lasts the lifetime of a pod.', {
    registry: str('registry represents a single or multiple Quobyte Registry services specified as a string as host:port pair (multiple entries are separated with commas) which acts as the central registry for volumes.'),
    volume: str('volume is a string that references an already created Quobyte volume by name.'),
    readOnly: bool('readOnly here will force the Quobyte volume to be mounted with read-only permissions.'),
    user: str('user to map volume access to Defaults to serivceaccount user.'),
    group: str('group to map volume access to Default is no group.'),
    tenant: str('tenant owning the given Quobyte volume in the Backend Used with dynamically provisioned Quobyte volumes, value is set by the plugin.'),
  }, { required: ['registry', 'volume'] }),
  def(core('VsphereVirtualDiskVolumeSource'), 'Represents a vSphere volume resource.', {
    volumePath: str('volumePath is the path that identifies vSphere volume vmdk.'),
    fsType: str('fsType is filesystem type to mount.'),
    storagePolicyName: str('storagePolicyName is the storage Policy Based Management (SPBM) profile name.'),
    storagePolicyID: str('storagePolicyID is the storage Policy Based Management (SPBM) profile ID associated with the StoragePolicyName.'),
  }, { required: ['volumePath'] }),
  def(core('AzureFileVolumeSource'), 'AzureFile represents an Azure File Service mount on the host and bind mount to the pod.', {
    secretName: str('secretName is the  name of secret that contains Azure Storage Account Name and Key.'),
    shareName: str('shareName is the azure share Name.'),
    readOnly: bool('readOnly defaults to false (read/write).'),
  }, { required: ['secretName', 'shareName'] }),
  def(core('FCVolumeSource'), 'Represents a Fibre Channel volume.', {
    targetWWNs: arr(str(), 'targetWWNs is Optional: FC target worldwide names (WWNs)'),
    lun: int32('lun is Optional: FC target lun number.'),
    fsType: str('fsType is the filesystem type to mount.'),
    readOnly: bool('readOnly is Optional: Defaults to false (read/write).'),
    wwids: arr(str(), 'wwids Optional: FC volume world wide identifiers (wwids) Either wwids or combination of targetWWNs and lun must be set, but not both simultaneously.'),
  }),
  def(core('FlockerVolumeSource'), 'Represents a Flocker volume mounted by the Flocker agent.', {
    datasetName: str('datasetName is Name of the dataset stored as metadata -> name on the dataset for Flocker should be considered as deprecated.'),
    datasetUUID: str('datasetUUID is the UUID of the dataset.'),
  }),
  def(core('CephFSVolumeSource'), 'Represents a Ceph Filesystem mount that lasts the lifetime of a pod Cephfs volumes do not support ownership management or SELinux relabeling.', {
    monitors: arr(str(), 'monitors is Required: Monitors is a collection of Ceph monitors More info: https://examples.k8s.io/volumes/cephfs/README.md#how-to-use-it.'),
    path: str('path is Optional: Used as the mounted root, rather than the full Ceph tree, default is /.'),
    user: str('user is optional: User is the rados user name, default is admin More info: https://examples.k8s.io/volumes/cephfs/README.md#how-to-use-it.'),
    secretFile: str('secretFile is Optional: SecretFile is the path to key ring for User, default is /etc/ceph/user.secret More info: https://examples.k8s.io/volumes/cephfs/README.md#how-to-use-it.'),
    secretRef: ref(core('LocalObjectReference'), 'LocalObjectReference contains enough information to let you locate the referenced object inside the same namespace.'),
    readOnly: bool('readOnly is Optional: Defaults to false (read/write).'),
  }, { required: ['monitors'] }),
  def(core('CinderVolumeSource'), 'Represents a cinder volume resource in Openstack.', {
    volumeID: str('volumeID used to identify the volume in cinder.'),
    fsType: str('fsType is the filesystem type to mount.'),
    readOnly: bool('readOnly defaults to false (read/write).'),
    secretRef: ref(core('LocalObjectReference'), 'LocalObjectReference contains enough information to let you locate the referenced object inside the same namespace.'),
  }, { required: ['volumeID'] }),
  def(core('FlexVolumeSource'), 'FlexVolume represents a generic volume resource that is provisioned/attached using an exec based plugin.', {
    driver: str('driver is the name of the driver to use for this volume.'),
    fsType: str('fsType is the filesystem type to mount.'),
    secretRef: ref(core('LocalObjectReference'), 'LocalObjectReference contains enough information to let you locate the referenced object inside the same namespace.'),
    readOnly: bool('readOnly is Optional: defaults to false (read/write).'),
    options: map(str(), 'options is Optional: this field holds extra command options if any.'),
  }, { required: ['driver'] }),
  def(core('RBDVolumeSource'), 'Represents a Rados Block Device mount that lasts the lifetime of a pod.', {
    monitors: arr(str(), 'monitors is a collection of Ceph monitors.'),
    image: str('image is the rados image name.'),
    fsType: str('fsType is the filesystem type of the volume that you want to mount.'),
    pool: str('pool is the rados pool name.'),
    user: str('user is the rados user name.'),
    keyring: str('keyring is the path to key ring for RBDUser.'),
    secretRef: ref(core('LocalObjectReference'), 'LocalObjectReference contains enough information to let you locate the referenced object inside the same namespace.'),
    readOnly: bool('readOnly here will force the ReadOnly setting in VolumeMounts.'),
  }, { required: ['monitors', 'image'] }),
  def(core('GlusterfsVolumeSource'), 'Represents a Glusterfs mount that lasts the lifetime of a pod.', {
    endpoints: str('endpoints is the endpoint name that details Glusterfs topology.'),
    path: str('path is the Glusterfs volume path.'),
    readOnly: bool('readOnly here will force the Glusterfs volume to be mounted with read-only permissions.'),
  }, { required: ['endpoints', 'path'] }),
  def(core('ISCSIVolumeSource'), 'Represents an ISCSI disk.', {
    targetPortal: str('targetPortal is iSCSI Target Portal.'),
    iqn: str('iqn is the target iSCSI Qualified Name.'),
    lun: int32('lun represents iSCSI Target Lun number.'),
    iscsiInterface: str('iscsiInterface is the interface Name that uses an iSCSI transport.'),
    fsType: str('fsType is the filesystem type of the volume that you want to mount.'),
    readOnly: bool('readOnly here will force the ReadOnly setting in VolumeMounts.'),
    portals: arr(str(), 'portals is the iSCSI Target Portal List.'),
    chapAuthDiscovery: bool('chapAuthDiscovery defines whether support iSCSI Discovery CHAP authentication.'),
    chapAuthSession: bool('chapAuthSession defines whether support iSCSI Session CHAP authentication.'),
    secretRef: ref(core('LocalObjectReference'), 'LocalObjectReference contains enough information to let you locate the referenced object inside the same namespace.'),
    initiatorName: str('initiatorName is the custom iSCSI Initiator Name.'),
  }, { required: ['targetPortal', 'iqn', 'lun'] }),
  def(core('NFSVolumeSource'), 'Represents an NFS mount that lasts the lifetime of a pod.', {
    server: str('server is the hostname or IP address of the NFS server.'),
    path: str('path that is exported by the NFS server.'),
    readOnly: bool('readOnly here will force the NFS export to be mounted with read-only permissions.'),
  }, { required: ['server', 'path'] }),
  def(core('GitRepoVolumeSource'), 'Represents a volume that is populated with the contents of a git repository.', {
    repository: str('repository is the URL.'),
    revision: str('revision is the commit hash for the specified revision.'),
    directory: str('directory is the target directory name.'),
  }, { required: ['repository'] }),
  def(core('AWSElasticBlockStoreVolumeSource'), 'Represents a Persistent Disk resource in AWS.', {
    volumeID: str('volumeID is unique ID of the persistent disk resource in AWS (Amazon EBS volume).'),
    fsType: str('fsType is the filesystem type of the volume that you want to mount.'),
    partition: int32('partition is the partition in the volume that you want to mount.'),
    readOnly: bool('readOnly value true will force the readOnly setting in VolumeMounts.'),
  }, { required: ['volumeID'] }),
  def(core('GCEPersistentDiskVolumeSource'), 'Represents a Persistent Disk resource in Google Compute Engine.', {
    pdName: str('pdName is unique name of the PD resource in GCE.'),
    fsType: str('fsType is filesystem type of the volume that you want to mount.'),
    partition: int32('partition is the partition in the volume that you want to mount.'),
    readOnly: bool('readOnly here will force the ReadOnly setting in VolumeMounts.'),
  }, { required: ['pdName'] }),
];
