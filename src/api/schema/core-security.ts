/**
 * @module core/v1 pod and container security contexts.
 * Field names, types, required fields and patch strategies follow upstream v1.32;
 * descriptions are the first sentence of upstream's.
 */

import type { Definition } from './types.ts';
import { str, int64, bool, ref, arr, core, def } from './dsl.ts';

export const securityDefinitions: Definition[] = [
  def(core('PodSecurityContext'), 'PodSecurityContext holds pod-level security attributes and common container settings.', {
    seLinuxOptions: ref(core('SELinuxOptions'), 'SELinuxOptions are the labels to be applied to the container.'),
    windowsOptions: ref(core('WindowsSecurityContextOptions'), 'WindowsSecurityContextOptions contain Windows-specific options and credentials.'),
    runAsUser: int64('The UID to run the entrypoint of the container process.'),
    runAsGroup: int64('The GID to run the entrypoint of the container process.'),
    runAsNonRoot: bool('Indicates that the container must run as a non-root user.'),
    supplementalGroups: arr(int64(), 'A list of groups applied to the first process run in each container, in addition to the container\'s primary GID and fsGroup (if specified).'),
    supplementalGroupsPolicy: str('Defines how supplemental groups of the first container processes are calculated.'),
    fsGroup: int64('A special supplemental group that applies to all containers in a pod.'),
    sysctls: arr(ref(core('Sysctl')), 'Sysctls hold a list of namespaced sysctls used for the pod.'),
    fsGroupChangePolicy: str('fsGroupChangePolicy defines behavior of changing ownership and permission of the volume before being exposed inside Pod.'),
    seccompProfile: ref(core('SeccompProfile'), 'SeccompProfile defines a pod/container\'s seccomp profile settings.'),
    appArmorProfile: ref(core('AppArmorProfile'), 'AppArmorProfile defines a pod or container\'s AppArmor settings.'),
    seLinuxChangePolicy: str('seLinuxChangePolicy defines how the container\'s SELinux label is applied to all volumes used by the Pod.'),
  }),
  def(core('AppArmorProfile'), 'AppArmorProfile defines a pod or container\'s AppArmor settings.', {
    type: str('type indicates which kind of AppArmor profile will be applied.'),
    localhostProfile: str('localhostProfile indicates a profile loaded on the node that should be used.'),
  }, { required: ['type'] }),
  def(core('SeccompProfile'), 'SeccompProfile defines a pod/container\'s seccomp profile settings.', {
    type: str('type indicates which kind of seccomp profile will be applied.'),
    localhostProfile: str('localhostProfile indicates a profile defined in a file on the node should be used.'),
  }, { required: ['type'] }),
  def(core('Sysctl'), 'Sysctl defines a kernel parameter to be set.', {
    name: str('Name of a property to set.'),
    value: str('Value of a property to set.'),
  }, { required: ['name', 'value'] }),
  def(core('WindowsSecurityContextOptions'), 'WindowsSecurityContextOptions contain Windows-specific options and credentials.', {
    gmsaCredentialSpecName: str('GMSACredentialSpecName is the name of the GMSA credential spec to use.'),
    gmsaCredentialSpec: str('GMSACredentialSpec is where the GMSA admission webhook (https://github.com/kubernetes-sigs/windows-gmsa) inlines the contents of the GMSA credential spec named by the GMSACredentialSpecName field.'),
    runAsUserName: str('The UserName in Windows to run the entrypoint of the container process.'),
    hostProcess: bool('HostProcess determines if a container should be run as a \'Host Process\' container.'),
  }),
  def(core('SELinuxOptions'), 'SELinuxOptions are the labels to be applied to the container.', {
    user: str('User is a SELinux user label that applies to the container.'),
    role: str('Role is a SELinux role label that applies to the container.'),
    type: str('Type is a SELinux type label that applies to the container.'),
    level: str('Level is SELinux level label that applies to the container.'),
  }),
  def(core('SecurityContext'), 'SecurityContext holds security configuration that will be applied to a container.', {
    capabilities: ref(core('Capabilities'), 'Adds and removes POSIX capabilities from running containers.'),
    privileged: bool('Run container in privileged mode.'),
    seLinuxOptions: ref(core('SELinuxOptions'), 'SELinuxOptions are the labels to be applied to the container.'),
    windowsOptions: ref(core('WindowsSecurityContextOptions'), 'WindowsSecurityContextOptions contain Windows-specific options and credentials.'),
    runAsUser: int64('The UID to run the entrypoint of the container process.'),
    runAsGroup: int64('The GID to run the entrypoint of the container process.'),
    runAsNonRoot: bool('Indicates that the container must run as a non-root user.'),
    readOnlyRootFilesystem: bool('Whether this container has a read-only root filesystem.'),
    allowPrivilegeEscalation: bool('AllowPrivilegeEscalation controls whether a process can gain more privileges than its parent process.'),
    procMount: str('procMount denotes the type of proc mount to use for the containers.'),
    seccompProfile: ref(core('SeccompProfile'), 'SeccompProfile defines a pod/container\'s seccomp profile settings.'),
    appArmorProfile: ref(core('AppArmorProfile'), 'AppArmorProfile defines a pod or container\'s AppArmor settings.'),
  }),
  def(core('Capabilities'), 'Adds and removes POSIX capabilities from running containers.', {
    add: arr(str(), 'Added capabilities.'),
    drop: arr(str(), 'Removed capabilities.'),
  }),
];
