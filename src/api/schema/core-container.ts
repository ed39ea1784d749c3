/**
 * @module core/v1 Container and EphemeralContainer with their ports, environment, resources, mounts, probes and lifecycle hooks.
 * Field names, types, required fields and patch strategies follow upstream v1.32;
 * descriptions are the first sentence of upstream's.
 */

import type { Definition } from './types.ts';
import { str, int32, int64, bool, intOrString, quantity, ref, map, arr, mergeByKey, core, def } from './dsl.ts';

export const containerDefinitions: Definition[] = [
  def(core('ResourceRequirements'), 'ResourceRequirements describes the compute resource requirements.', {
    limits: map(quantity(), 'Limits describes the maximum amount of compute resources allowed.'),
    requests: map(quantity(), 'Requests describes the minimum amount of compute resources required.'),
    claims: arr(ref(core('ResourceClaim')), 'Claims lists the names of resources, defined in spec.resourceClaims, that are used by this container.', { listType: 'map', listMapKeys: ['name'] }),
  }),
  def(core('ResourceClaim'), 'ResourceClaim references one entry in PodSpec.ResourceClaims.', {
    name: str('Name must match the name of one entry in pod.spec.resourceClaims of the Pod where this field is used.'),
    request: str('Request is the name chosen for a request in the referenced claim.'),
  }, { required: ['name'] }),
  def(core('EphemeralContainer'), 'An EphemeralContainer is a temporary container that you may add to an existing Pod for user-initiated activities such as debugging.', {
    name: str('Name of the ephemeral container specified as a DNS_LABEL.'),
    image: str('Container image name.'),
    command: arr(str(), 'Entrypoint array.'),
    args: arr(str(), 'Arguments to the entrypoint.'),
    workingDir: str('Container\'s working directory.'),
    ports: arr(ref(core('ContainerPort')), 'Ports are not allowed for ephemeral containers.', { ...mergeByKey('containerPort'), listMapKeys: ['containerPort', 'protocol'] }),
    envFrom: arr(ref(core('EnvFromSource')), 'List of sources to populate environment variables in the container.'),
    env: arr(ref(core('EnvVar')), 'List of environment variables to set in the container.', mergeByKey('name')),
    resources: ref(core('ResourceRequirements'), 'ResourceRequirements describes the compute resource requirements.'),
    resizePolicy: arr(ref(core('ContainerResizePolicy')), 'Resources resize policy for the container.'),
    restartPolicy: str('Restart policy for the container to manage the restart behavior of each container within a pod.'),
    volumeMounts: arr(ref(core('VolumeMount')), 'Pod volumes to mount into the container\'s filesystem.', mergeByKey('mountPath')),
    volumeDevices: arr(ref(core('VolumeDevice')), 'volumeDevices is the list of block devices to be used by the container.', mergeByKey('devicePath')),
    livenessProbe: ref(core('Probe'), 'Probes are not allowed for ephemeral containers.'),
    readinessProbe: ref(core('Probe'), 'Probes are not allowed for ephemeral containers.'),
    startupProbe: ref(core('Probe'), 'Probes are not allowed for ephemeral containers.'),
    lifecycle: ref(core('Lifecycle'), 'Lifecycle describes actions that the management system should take in response to container lifecycle events.'),
    terminationMessagePath: str('Optional: Path at which the file to which the container\'s termination message will be written is mounted into the container\'s filesystem.'),
    terminationMessagePolicy: str('Indicate how the termination message should be populated.'),
    imagePullPolicy: str('Image pull policy.'),
    securityContext: ref(core('SecurityContext'), 'SecurityContext holds security configuration that will be applied to a container.'),
    stdin: bool('Whether this container should allocate a buffer for stdin in the container runtime.'),
    stdinOnce: bool('Whether the container runtime should close the stdin channel after it has been opened by a single attach.'),
    tty: bool('Whether this container should allocate a TTY for itself, also requires \'stdin\' to be true.'),
    targetContainerName: str('If set, the name of the container from PodSpec that this ephemeral container targets.'),
  }, { required: ['name'] }),
  def(core('Lifecycle'), 'Lifecycle describes actions that the management system should take in response to container lifecycle events.', {
    postStart: ref(core('LifecycleHandler'), 'LifecycleHandler defines a specific action that should be taken in a lifecycle hook.'),
    preStop: ref(core('LifecycleHandler'), 'LifecycleHandler defines a specific action that should be taken in a lifecycle hook.'),
  }),
  def(core('LifecycleHandler'), 'LifecycleHandler defines a specific action that should be taken in a lifecycle hook.', {
    exec: ref(core('ExecAction'), 'ExecAction describes a "run in container" action.'),
    httpGet: ref(core('HTTPGetAction'), 'HTTPGetAction describes an action based on HTTP Get requests.'),
    tcpSocket: ref(core('TCPSocketAction'), 'TCPSocketAction describes an action based on opening a socket.'),
    sleep: ref(core('SleepAction'), 'SleepAction describes a "sleep" action.'),
  }),
  def(core('SleepAction'), 'SleepAction describes a "sleep" action.', {
    seconds: int64('Seconds is the number of seconds to sleep.'),
  }, { required: ['seconds'] }),
  def(core('TCPSocketAction'), 'TCPSocketAction describes an action based on opening a socket.', {
    port: intOrString('Number or name of the port to access on the container.'),
    host: str('Optional: Host name to connect to, defaults to the pod IP.'),
  }, { required: ['port'] }),
  def(core('HTTPGetAction'), 'HTTPGetAction describes an action based on HTTP Get requests.', {
    path: str('Path to access on the HTTP server.'),
    port: intOrString('Name or number of the port to access on the container.'),
    host: str('Host name to connect to, defaults to the pod IP.'),
    scheme: str('Scheme to use for connecting to the host.'),
    httpHeaders: arr(ref(core('HTTPHeader')), 'Custom headers to set in the request.'),
  }, { required: ['port'] }),
  def(core('HTTPHeader'), 'HTTPHeader describes a custom header to be used in HTTP probes.', {
    name: str('The header field name.'),
    value: str('The header field value.'),
  }, { required: ['name', 'value'] }),
  def(core('ExecAction'), 'ExecAction describes a "run in container" action.', {
    command: arr(str(), 'Command is the command line to execute inside the container, the working directory for the command  is root (\'/\') in the container\'s filesystem.'),
  }),
  def(core('Probe'), 'Probe describes a health check to be performed against a container to determine whether it is alive or ready to receive traffic.', {
    exec: ref(core('ExecAction'), 'ExecAction describes a "run in container" action.'),
    httpGet: ref(core('HTTPGetAction'), 'HTTPGetAction describes an action based on HTTP Get requests.'),
    tcpSocket: ref(core('TCPSocketAction'), 'TCPSocketAction describes an action based on opening a socket.'),
    grpc: ref(core('GRPCAction'), 'GRPCAction specifies an action involving a GRPC service.'),
    initialDelaySeconds: int32('Number of seconds after the container has started before liveness probes are initiated.'),
    timeoutSeconds: int32('Number of seconds after which the probe times out.'),
    periodSeconds: int32('How often (in seconds) to perform the probe.'),
    successThreshold: int32('Minimum consecutive successes for the probe to be considered successful after having failed.'),
    failureThreshold: int32('Minimum consecutive failures for the probe to be considered failed after having succeeded.'),
    terminationGracePeriodSeconds: int64('Optional duration in seconds the pod needs to terminate gracefully upon probe failure.'),
  }),
  def(core('GRPCAction'), 'GRPCAction specifies an action involving a GRPC service.', {
    port: int32('Port number of the gRPC service.'),
    service: str('Service is the name of the service to place in the gRPC HealthCheckRequest (see https://github.com/grpc/grpc/blob/master/doc/health-checking.md).'),
  }, { required: ['port'] }),
  def(core('VolumeDevice'), 'volumeDevice describes a mapping of a raw block device within a container.', {
    name: str('name must match the name of a persistentVolumeClaim in the pod.'),
    devicePath: str('devicePath is the path inside of the container that the device will be mapped to.'),
  }, { required: ['name', 'devicePath'] }),
  def(core('VolumeMount'), 'VolumeMount describes a mounting of a Volume within a container.', {
    name: str('This must match the Name of a Volume.'),
    readOnly: bool('Mounted read-only if true, read-write otherwise (false or unspecified).'),
    recursiveReadOnly: str('RecursiveReadOnly specifies whether read-only mounts should be handled recursively.'),
    mountPath: str('Path within the container at which the volume should be mounted.'),
    subPath: str('Path within the volume from which the container\'s volume should be mounted.'),
    mountPropagation: str('mountPropagation determines how mounts are propagated from the host to container and the other way around.'),
    subPathExpr: str('Expanded path within the volume from which the container\'s volume should be mounted.'),
  }, { required: ['name', 'mountPath'] }),
  def(core('ContainerResizePolicy'), 'ContainerResizePolicy represents resource resize policy for the container.', {
    resourceName: str('Name of the resource to which this resource resize policy applies.'),
    restartPolicy: str('Restart policy to apply when specified resource is resized.'),
  }, { required: ['resourceName', 'restartPolicy'] }),
  def(core('EnvVar'), 'EnvVar represents an environment variable present in a Container.', {
    name: str('Name of the environment variable.'),
    value: str('Variable references $(VAR_NAME) are expanded using the previously defined environment variables in the container and any service environment variables.'),
    valueFrom: ref(core('EnvVarSource'), 'EnvVarSource represents a source for the value of an EnvVar.'),
  }, { required: ['name'] }),
  def(core('EnvVarSource'), 'EnvVarSource represents a source for the value of an EnvVar.', {
    fieldRef: ref(core('ObjectFieldSelector'), 'ObjectFieldSelector selects an APIVersioned field of an object.'),
    resourceFieldRef: ref(core('ResourceFieldSelector'), 'ResourceFieldSelector represents container resources (cpu, memory) and their output format.'),
    configMapKeyRef: ref(core('ConfigMapKeySelector'), 'Selects a key from a ConfigMap.'),
    secretKeyRef: ref(core('SecretKeySelector'), 'SecretKeySelector selects a key of a Secret.'),
  }),
  def(core('SecretKeySelector'), 'SecretKeySelector selects a key of a Secret.', {
    name: str('Name of the referent.'),
    key: str('The key of the secret to select from.'),
    optional: bool('Specify whether the Secret or its key must be defined.'),
  }, { required: ['key'], mapType: 'atomic' }),
  def(core('ConfigMapKeySelector'), 'Selects a key from a ConfigMap.', {
    name: str('Name of the referent.'),
    key: str('The key to select.'),
    optional: bool('Specify whether the ConfigMap or its key must be defined.'),
  }, { required: ['key'], mapType: 'atomic' }),
  def(core('ResourceFieldSelector'), 'ResourceFieldSelector represents container resources (cpu, memory) and their output format.', {
    containerName: str('Container name: required for volumes, optional for env vars.'),
    resource: str('Required: resource to select.'),
    divisor: quantity('Specifies the output format of the exposed resources, defaults to "1".'),
  }, { required: ['resource'], mapType: 'atomic' }),
  def(core('ObjectFieldSelector'), 'ObjectFieldSelector selects an APIVersioned field of an object.', {
    apiVersion: str('Version of the schema the FieldPath is written in terms of, defaults to "v1".'),
    fieldPath: str('Path of the field to select in the specified API version.'),
  }, { required: ['fieldPath'], mapType: 'atomic' }),
  def(core('EnvFromSource'), 'EnvFromSource represents the source of a set of ConfigMaps or Secrets.', {
    prefix: str('Optional text to prepend to the name of each environment variable.'),
    configMapRef: ref(core('ConfigMapEnvSource'), 'ConfigMapEnvSource selects a ConfigMap to populate the environment variables with.'),
    secretRef: ref(core('SecretEnvSource'), 'SecretEnvSource selects a Secret to populate the environment variables with.'),
  }),
  def(core('SecretEnvSource'), 'SecretEnvSource selects a Secret to populate the environment variables with.', {
    name: str('Name of the referent.'),
    optional: bool('Specify whether the Secret must be defined.'),
  }),
  def(core('ConfigMapEnvSource'), 'ConfigMapEnvSource selects a ConfigMap to populate the environment variables with.', {
    name: str('Name of the referent.'),
    optional: bool('Specify whether the ConfigMap must be defined.'),
  }),
  def(core('ContainerPort'), 'ContainerPort represents a network port in a single container.', {
    name: str('If specified, this must be an IANA_SVC_NAME and unique within the pod.'),
    hostPort: int32('Number of port to expose on the host.'),
    containerPort: int32('Number of port to expose on the pod\'s IP address.'),
    protocol: str('Protocol for port. Must be UDP, TCP, or SCTP. Defaults to "TCP".', { default: 'TCP' }),
    hostIP: str('What host IP to bind the external port to.'),
  }, { required: ['containerPort'] }),
  def(core('Container'), 'A single application container that you want to run within a pod.', {
    name: str('Name of the container specified as a DNS_LABEL.'),
    image: str('Container image name.'),
    command: arr(str(), 'Entrypoint array.'),
    args: arr(str(), 'Arguments to the entrypoint.'),
    workingDir: str('Container\'s working directory.'),
    ports: arr(ref(core('ContainerPort')), 'List of ports to expose from the container.', { ...mergeByKey('containerPort'), listMapKeys: ['containerPort', 'protocol'] }),
    envFrom: arr(ref(core('EnvFromSource')), 'List of sources to populate environment variables in the container.'),
    env: arr(ref(core('EnvVar')), 'List of environment variables to set in the container.', mergeByKey('name')),
    resources: ref(core('ResourceRequirements'), 'Compute Resources required by this container.'),
    resizePolicy: arr(ref(core('ContainerResizePolicy')), 'Resources resize policy for the container.'),
    restartPolicy: str('RestartPolicy defines the restart behavior of individual containers in a pod.'),
    volumeMounts: arr(ref(core('VolumeMount')), 'Pod volumes to mount into the container\'s filesystem.', mergeByKey('mountPath')),
    volumeDevices: arr(ref(core('VolumeDevice')), 'volumeDevices is the list of block devices to be used by the container.', mergeByKey('devicePath')),
    livenessProbe: ref(core('Probe'), 'Periodic probe of container liveness.'),
    readinessProbe: ref(core('Probe'), 'Periodic probe of container service readiness.'),
    startupProbe: ref(core('Probe'), 'StartupProbe indicates that the Pod has successfully initialized.'),
    lifecycle: ref(core('Lifecycle'), 'Actions that the management system should take in response to container lifecycle events.'),
    terminationMessagePath: str('Optional: Path at which the file to which the container\'s termination message will be written is mounted into the container\'s filesystem.'),
    terminationMessagePolicy: str('Indicate how the termination message should be populated.'),
    imagePullPolicy: str('Image pull policy.'),
    securityContext: ref(core('SecurityContext'), 'SecurityContext defines the security options the container should be run with.'),
    stdin: bool('Whether this container should allocate a buffer for stdin in the container runtime.'),
    stdinOnce: bool('Whether the container runtime should close the stdin channel after it has been opened by a single attach.'),
    tty: bool('Whether this container should allocate a TTY for itself, also requires \'stdin\' to be true.'),
  }, { required: ['name'] }),
];
