/**
 * @module Real-looking manifests, as people write them and as upstream
 * accepts them, must decode with no unknown field and no type error. Each
 * manifest sets many fields so that a field missing from a schema shows here.
 */

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkFields, schemas } from './index.ts';
import { parseApiVersion } from '../meta.ts';

function assertClean(obj: Record<string, any>): void {
  const { group, version } = parseApiVersion(obj.apiVersion);
  const def = schemas.forKind(group, version, obj.kind);
  assert.ok(def, `no schema for ${obj.apiVersion} ${obj.kind}`);
  assert.deepEqual(checkFields(schemas, def, obj), { unknown: [], typeErrors: [] }, `${obj.kind} ${obj.metadata?.name}`);
}

const probe = (extra: Record<string, unknown>) => ({
  initialDelaySeconds: 5,
  periodSeconds: 10,
  timeoutSeconds: 1,
  successThreshold: 1,
  failureThreshold: 3,
  terminationGracePeriodSeconds: 30,
  ...extra,
});

const fullPodSpec = {
  serviceAccountName: 'web',
  automountServiceAccountToken: false,
  restartPolicy: 'Always',
  terminationGracePeriodSeconds: 30,
  dnsPolicy: 'ClusterFirst',
  dnsConfig: { nameservers: ['1.1.1.1'], searches: ['svc.cluster.local'], options: [{ name: 'ndots', value: '2' }] },
  hostAliases: [{ ip: '10.0.0.1', hostnames: ['db.local'] }],
  nodeSelector: { 'kubernetes.io/os': 'linux' },
  priorityClassName: 'high',
  enableServiceLinks: false,
  shareProcessNamespace: true,
  hostname: 'web-0',
  subdomain: 'web',
  setHostnameAsFQDN: false,
  os: { name: 'linux' },
  hostUsers: false,
  readinessGates: [{ conditionType: 'example.com/ready' }],
  schedulingGates: [{ name: 'example.com/gate' }],
  resourceClaims: [{ name: 'gpu', resourceClaimTemplateName: 'gpu-template' }],
  imagePullSecrets: [{ name: 'registry' }],
  securityContext: {
    runAsUser: 1000,
    runAsGroup: 3000,
    runAsNonRoot: true,
    fsGroup: 2000,
    fsGroupChangePolicy: 'OnRootMismatch',
    supplementalGroups: [4000],
    supplementalGroupsPolicy: 'Merge',
    seccompProfile: { type: 'RuntimeDefault' },
    appArmorProfile: { type: 'Localhost', localhostProfile: 'k8s-nginx' },
    seLinuxOptions: { level: 's0:c123,c456' },
    sysctls: [{ name: 'net.ipv4.ip_local_port_range', value: '1024 65535' }],
  },
  affinity: {
    nodeAffinity: {
      requiredDuringSchedulingIgnoredDuringExecution: {
        nodeSelectorTerms: [{ matchExpressions: [{ key: 'zone', operator: 'In', values: ['a', 'b'] }], matchFields: [{ key: 'metadata.name', operator: 'NotIn', values: ['n1'] }] }],
      },
      preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 1, preference: { matchExpressions: [{ key: 'disk', operator: 'Exists' }] } }],
    },
    podAntiAffinity: {
      preferredDuringSchedulingIgnoredDuringExecution: [
        { weight: 100, podAffinityTerm: { labelSelector: { matchLabels: { app: 'web' } }, topologyKey: 'kubernetes.io/hostname', matchLabelKeys: ['pod-template-hash'] } },
      ],
    },
    podAffinity: {
      requiredDuringSchedulingIgnoredDuringExecution: [{ labelSelector: { matchExpressions: [{ key: 'app', operator: 'In', values: ['cache'] }] }, namespaces: ['default'], namespaceSelector: {}, topologyKey: 'zone' }],
    },
  },
  tolerations: [{ key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 }],
  topologySpreadConstraints: [
    { maxSkew: 1, topologyKey: 'zone', whenUnsatisfiable: 'DoNotSchedule', labelSelector: { matchLabels: { app: 'web' } }, minDomains: 2, nodeAffinityPolicy: 'Honor', nodeTaintsPolicy: 'Ignore', matchLabelKeys: ['pod-template-hash'] },
  ],
  initContainers: [{ name: 'init', image: 'busybox:1.36', command: ['sh', '-c', 'echo hi'], restartPolicy: 'Always' }],
  containers: [
    {
      name: 'nginx',
      image: 'nginx:1.27',
      imagePullPolicy: 'IfNotPresent',
      command: ['nginx'],
      args: ['-g', 'daemon off;'],
      workingDir: '/',
      ports: [{ name: 'http', containerPort: 80, protocol: 'TCP', hostPort: 8080, hostIP: '0.0.0.0' }],
      env: [
        { name: 'PLAIN', value: 'x' },
        { name: 'POD_IP', valueFrom: { fieldRef: { apiVersion: 'v1', fieldPath: 'status.podIP' } } },
        { name: 'CPU', valueFrom: { resourceFieldRef: { containerName: 'nginx', resource: 'limits.cpu', divisor: '1m' } } },
        { name: 'CM', valueFrom: { configMapKeyRef: { name: 'cfg', key: 'k', optional: true } } },
        { name: 'SECRET', valueFrom: { secretKeyRef: { name: 's', key: 'k' } } },
      ],
      envFrom: [{ prefix: 'CFG_', configMapRef: { name: 'cfg' } }, { secretRef: { name: 's', optional: true } }],
      resources: { limits: { cpu: '1', memory: '256Mi' }, requests: { cpu: '100m', memory: '64Mi' }, claims: [{ name: 'gpu', request: 'one' }] },
      resizePolicy: [{ resourceName: 'cpu', restartPolicy: 'NotRequired' }],
      volumeMounts: [{ name: 'data', mountPath: '/data', readOnly: true, subPath: 'x', mountPropagation: 'None', recursiveReadOnly: 'Disabled' }],
      volumeDevices: [{ name: 'raw', devicePath: '/dev/xvda' }],
      livenessProbe: probe({ httpGet: { path: '/healthz', port: 'http', scheme: 'HTTP', host: '127.0.0.1', httpHeaders: [{ name: 'X', value: 'y' }] } }),
      readinessProbe: probe({ tcpSocket: { port: 80 } }),
      startupProbe: probe({ exec: { command: ['cat', '/tmp/ready'] } }),
      lifecycle: { postStart: { exec: { command: ['true'] } }, preStop: { sleep: { seconds: 5 } } },
      terminationMessagePath: '/dev/termination-log',
      terminationMessagePolicy: 'FallbackToLogsOnError',
      securityContext: {
        allowPrivilegeEscalation: false,
        privileged: false,
        readOnlyRootFilesystem: true,
        capabilities: { add: ['NET_BIND_SERVICE'], drop: ['ALL'] },
        procMount: 'Default',
        seccompProfile: { type: 'Localhost', localhostProfile: 'profiles/audit.json' },
        windowsOptions: { runAsUserName: 'ContainerUser', hostProcess: false },
      },
      stdin: false,
      stdinOnce: false,
      tty: false,
    },
    { name: 'grpc', image: 'app', livenessProbe: { grpc: { port: 9000, service: 'health' } } },
  ],
  volumes: [
    { name: 'data', emptyDir: { medium: 'Memory', sizeLimit: '1Gi' } },
    { name: 'cfg', configMap: { name: 'cfg', defaultMode: 420, items: [{ key: 'a', path: 'a.conf', mode: 256 }], optional: true } },
    { name: 'sec', secret: { secretName: 's', defaultMode: 256 } },
    { name: 'host', hostPath: { path: '/var/log', type: 'Directory' } },
    { name: 'claim', persistentVolumeClaim: { claimName: 'pvc', readOnly: true } },
    { name: 'dapi', downwardAPI: { items: [{ path: 'labels', fieldRef: { fieldPath: 'metadata.labels' } }] } },
    {
      name: 'proj',
      projected: {
        defaultMode: 420,
        sources: [
          { serviceAccountToken: { audience: 'api', expirationSeconds: 3600, path: 'token' } },
          { configMap: { name: 'kube-root-ca.crt', items: [{ key: 'ca.crt', path: 'ca.crt' }] } },
          { downwardAPI: { items: [{ path: 'namespace', fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.namespace' } }] } },
          { clusterTrustBundle: { signerName: 'example.com/signer', path: 'bundle.pem' } },
        ],
      },
    },
    { name: 'csi', csi: { driver: 'secrets-store.csi.k8s.io', readOnly: true, volumeAttributes: { secretProviderClass: 'vault' }, nodePublishSecretRef: { name: 'creds' } } },
    { name: 'eph', ephemeral: { volumeClaimTemplate: { metadata: { labels: { a: 'b' } }, spec: { accessModes: ['ReadWriteOnce'], storageClassName: 'fast', resources: { requests: { storage: '1Gi' } } } } } },
    { name: 'img', image: { reference: 'quay.io/crio/artifact:v1', pullPolicy: 'IfNotPresent' } },
    { name: 'nfs', nfs: { server: 'nfs.local', path: '/exports', readOnly: false } },
    { name: 'ebs', awsElasticBlockStore: { volumeID: 'vol-1', fsType: 'ext4' } },
  ],
};

test('an nginx Deployment as in the Kubernetes docs', () => {
  assertClean({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'nginx-deployment', labels: { app: 'nginx' }, annotations: { 'deployment.kubernetes.io/revision': '1' } },
    spec: {
      replicas: 3,
      revisionHistoryLimit: 10,
      progressDeadlineSeconds: 600,
      minReadySeconds: 0,
      paused: false,
      selector: { matchLabels: { app: 'nginx' } },
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: 0 } },
      template: { metadata: { labels: { app: 'nginx' } }, spec: { containers: [{ name: 'nginx', image: 'nginx:1.14.2', ports: [{ containerPort: 80 }] }] } },
    },
    status: {
      observedGeneration: 1,
      replicas: 3,
      updatedReplicas: 3,
      readyReplicas: 3,
      availableReplicas: 3,
      conditions: [{ type: 'Available', status: 'True', lastUpdateTime: '2024-01-01T00:00:00Z', lastTransitionTime: '2024-01-01T00:00:00Z', reason: 'MinimumReplicasAvailable', message: 'ok' }],
    },
  });
});

test('a Pod with probes, volumes, security contexts and scheduling constraints', () => {
  assertClean({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web-0', namespace: 'default' }, spec: fullPodSpec });
});

test('a Pod as the apiserver returns it, with metadata and status filled in', () => {
  assertClean({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: 'web-1',
      namespace: 'default',
      uid: '6f1c0e2a-1b2c-4d5e-8f90-123456789abc',
      resourceVersion: '42',
      generation: 1,
      creationTimestamp: '2024-05-01T10:00:00Z',
      deletionTimestamp: '2024-05-01T11:00:00Z',
      deletionGracePeriodSeconds: 30,
      finalizers: ['example.com/x'],
      ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web-abc', uid: 'u1', controller: true, blockOwnerDeletion: true }],
      managedFields: [{ manager: 'kubectl', operation: 'Apply', apiVersion: 'v1', time: '2024-05-01T10:00:00Z', fieldsType: 'FieldsV1', fieldsV1: { 'f:spec': { 'f:containers': {} } } }],
    },
    spec: { nodeName: 'node-1', containers: [{ name: 'c', image: 'i' }] },
    status: {
      phase: 'Running',
      hostIP: '10.0.0.1',
      hostIPs: [{ ip: '10.0.0.1' }],
      podIP: '10.42.0.5',
      podIPs: [{ ip: '10.42.0.5' }],
      startTime: '2024-05-01T10:00:01Z',
      qosClass: 'BestEffort',
      conditions: [{ type: 'Ready', status: 'True', lastProbeTime: null, lastTransitionTime: '2024-05-01T10:00:05Z' }],
      containerStatuses: [
        {
          name: 'c',
          ready: true,
          started: true,
          restartCount: 0,
          image: 'docker.io/library/i:latest',
          imageID: 'sha256:abc',
          containerID: 'containerd://abc',
          state: { running: { startedAt: '2024-05-01T10:00:03Z' } },
          lastState: { terminated: { exitCode: 1, reason: 'Error', startedAt: '2024-05-01T09:00:00Z', finishedAt: '2024-05-01T09:01:00Z' } },
          allocatedResources: { cpu: '100m' },
          resources: { requests: { cpu: '100m' } },
          user: { linux: { uid: 0, gid: 0, supplementalGroups: [0] } },
          volumeMounts: [{ name: 'v', mountPath: '/v', readOnly: true, recursiveReadOnly: 'Disabled' }],
          allocatedResourcesStatus: [{ name: 'claim:gpu', resources: [{ resourceID: 'gpu-0', health: 'Healthy' }] }],
        },
      ],
    },
  });
});

test('a Service with every field', () => {
  assertClean({
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'web', namespace: 'default', labels: { app: 'web' } },
    spec: {
      type: 'LoadBalancer',
      selector: { app: 'web' },
      ports: [
        { name: 'http', protocol: 'TCP', port: 80, targetPort: 'http', nodePort: 30080, appProtocol: 'http' },
        { name: 'dns', protocol: 'UDP', port: 53, targetPort: 5353 },
      ],
      clusterIP: '10.43.0.10',
      clusterIPs: ['10.43.0.10', 'fd00::10'],
      ipFamilies: ['IPv4', 'IPv6'],
      ipFamilyPolicy: 'PreferDualStack',
      externalIPs: ['192.0.2.10'],
      sessionAffinity: 'ClientIP',
      sessionAffinityConfig: { clientIP: { timeoutSeconds: 10800 } },
      loadBalancerIP: '192.0.2.1',
      loadBalancerSourceRanges: ['0.0.0.0/0'],
      loadBalancerClass: 'example.com/lb',
      externalName: 'web.example.com',
      externalTrafficPolicy: 'Local',
      internalTrafficPolicy: 'Cluster',
      healthCheckNodePort: 30999,
      publishNotReadyAddresses: true,
      allocateLoadBalancerNodePorts: true,
      trafficDistribution: 'PreferClose',
    },
    status: {
      loadBalancer: { ingress: [{ ip: '192.0.2.1', hostname: 'lb.example.com', ipMode: 'VIP', ports: [{ port: 80, protocol: 'TCP', error: 'x' }] }] },
      conditions: [{ type: 'Ready', status: 'True', observedGeneration: 1, lastTransitionTime: '2024-05-01T10:00:00Z', reason: 'Ok', message: '' }],
    },
  });
});

test('an Ingress with TLS, rules, backends and an IngressClass', () => {
  assertClean({
    apiVersion: 'networking.k8s.io/v1',
    kind: 'Ingress',
    metadata: { name: 'web', annotations: { 'nginx.ingress.kubernetes.io/rewrite-target': '/' } },
    spec: {
      ingressClassName: 'nginx',
      defaultBackend: { resource: { apiGroup: 'k8s.example.com', kind: 'StorageBucket', name: 'static-assets' } },
      tls: [{ hosts: ['web.example.com'], secretName: 'web-tls' }],
      rules: [
        {
          host: 'web.example.com',
          http: {
            paths: [
              { path: '/', pathType: 'Prefix', backend: { service: { name: 'web', port: { number: 80 } } } },
              { path: '/api', pathType: 'ImplementationSpecific', backend: { service: { name: 'api', port: { name: 'http' } } } },
            ],
          },
        },
      ],
    },
    status: { loadBalancer: { ingress: [{ ip: '192.0.2.1', ports: [{ port: 443, protocol: 'TCP' }] }] } },
  });
  assertClean({
    apiVersion: 'networking.k8s.io/v1',
    kind: 'IngressClass',
    metadata: { name: 'nginx', annotations: { 'ingressclass.kubernetes.io/is-default-class': 'true' } },
    spec: { controller: 'k8s.io/ingress-nginx', parameters: { apiGroup: 'k8s.example.com', kind: 'IngressParameters', name: 'p', scope: 'Namespace', namespace: 'default' } },
  });
});

test('the other served kinds, each with its usual fields', () => {
  const meta = { name: 'x', namespace: 'default' };
  const manifests: Record<string, any>[] = [
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'dev' }, spec: { finalizers: ['kubernetes'] }, status: { phase: 'Active', conditions: [{ type: 'NamespaceDeletionContentFailure', status: 'False' }] } },
    { apiVersion: 'v1', kind: 'ConfigMap', metadata: meta, data: { 'a.conf': 'x=1' }, binaryData: { bin: 'AAEC' }, immutable: true },
    { apiVersion: 'v1', kind: 'Secret', metadata: meta, type: 'Opaque', data: { password: 'cGFzcw==' }, stringData: { user: 'admin' }, immutable: false },
    { apiVersion: 'v1', kind: 'ServiceAccount', metadata: meta, secrets: [{ name: 's' }], imagePullSecrets: [{ name: 'r' }], automountServiceAccountToken: false },
    { apiVersion: 'v1', kind: 'Endpoints', metadata: meta, subsets: [{ addresses: [{ ip: '10.42.0.5', nodeName: 'n1', hostname: 'web-0', targetRef: { kind: 'Pod', name: 'web-0', namespace: 'default', uid: 'u' } }], notReadyAddresses: [], ports: [{ name: 'http', port: 80, protocol: 'TCP', appProtocol: 'http' }] }] },
    {
      apiVersion: 'v1',
      kind: 'Event',
      metadata: meta,
      involvedObject: { kind: 'Pod', name: 'web-0', namespace: 'default', uid: 'u', apiVersion: 'v1', resourceVersion: '1', fieldPath: 'spec.containers{c}' },
      reason: 'Pulled',
      message: 'pulled',
      source: { component: 'kubelet', host: 'n1' },
      firstTimestamp: '2024-05-01T10:00:00Z',
      lastTimestamp: '2024-05-01T10:00:00Z',
      eventTime: '2024-05-01T10:00:00.000000Z',
      count: 1,
      type: 'Normal',
      series: { count: 2, lastObservedTime: '2024-05-01T10:00:00.123456Z' },
      action: 'Pull',
      related: { kind: 'Node', name: 'n1' },
      reportingComponent: 'kubelet',
      reportingInstance: 'n1',
    },
    {
      apiVersion: 'v1',
      kind: 'Node',
      metadata: { name: 'n1', labels: { 'kubernetes.io/hostname': 'n1' } },
      spec: { podCIDR: '10.42.0.0/24', podCIDRs: ['10.42.0.0/24'], providerID: 'nanokube://n1', unschedulable: false, taints: [{ key: 'k', value: 'v', effect: 'NoSchedule', timeAdded: null }] },
      status: {
        capacity: { cpu: '2', memory: '8Gi', pods: '110' },
        allocatable: { cpu: '2', memory: '8Gi', pods: '110' },
        phase: 'Running',
        conditions: [{ type: 'Ready', status: 'True', lastHeartbeatTime: '2024-05-01T10:00:00Z', lastTransitionTime: '2024-05-01T10:00:00Z', reason: 'KubeletReady', message: 'ok' }],
        addresses: [{ type: 'InternalIP', address: '10.0.0.1' }, { type: 'Hostname', address: 'n1' }],
        daemonEndpoints: { kubeletEndpoint: { Port: 10250 } },
        nodeInfo: { machineID: 'm', systemUUID: 's', bootID: 'b', kernelVersion: '6.1', osImage: 'Debian', containerRuntimeVersion: 'nanokube://0.1', kubeletVersion: 'v1.32.0', kubeProxyVersion: 'v1.32.0', operatingSystem: 'linux', architecture: 'amd64' },
        images: [{ names: ['nginx:1.27'], sizeBytes: 1000 }],
        runtimeHandlers: [{ name: 'runc', features: { recursiveReadOnlyMounts: true, userNamespaces: false } }],
        features: { supplementalGroupsPolicy: true },
      },
    },
    { apiVersion: 'v1', kind: 'ResourceQuota', metadata: meta, spec: { hard: { pods: '10', 'requests.cpu': '4' }, scopes: ['NotTerminating'], scopeSelector: { matchExpressions: [{ scopeName: 'PriorityClass', operator: 'In', values: ['high'] }] } }, status: { hard: { pods: '10' }, used: { pods: '1' } } },
    { apiVersion: 'v1', kind: 'LimitRange', metadata: meta, spec: { limits: [{ type: 'Container', max: { cpu: '2' }, min: { cpu: '10m' }, default: { cpu: '500m' }, defaultRequest: { cpu: '100m' }, maxLimitRequestRatio: { cpu: '10' } }] } },
    { apiVersion: 'v1', kind: 'ReplicationController', metadata: meta, spec: { replicas: 2, minReadySeconds: 0, selector: { app: 'web' }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image: 'i' }] } } }, status: { replicas: 2, fullyLabeledReplicas: 2, readyReplicas: 2, availableReplicas: 2, observedGeneration: 1, conditions: [] } },
    { apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: meta, spec: { replicas: 1, selector: { matchExpressions: [{ key: 'app', operator: 'In', values: ['web'] }] }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image: 'i' }] } } }, status: { replicas: 1, fullyLabeledReplicas: 1, readyReplicas: 1, availableReplicas: 1, observedGeneration: 1 } },
    { apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice', metadata: { ...meta, labels: { 'kubernetes.io/service-name': 'web' } }, addressType: 'IPv4', endpoints: [{ addresses: ['10.42.0.5'], conditions: { ready: true, serving: true, terminating: false }, hostname: 'web-0', nodeName: 'n1', zone: 'a', targetRef: { kind: 'Pod', name: 'web-0' }, hints: { forZones: [{ name: 'a' }] } }], ports: [{ name: 'http', port: 80, protocol: 'TCP', appProtocol: 'http' }] },
    { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name: 'n1', namespace: 'kube-node-lease' }, spec: { holderIdentity: 'n1', leaseDurationSeconds: 40, acquireTime: '2024-05-01T10:00:00.000000Z', renewTime: '2024-05-01T10:00:10.123456Z', leaseTransitions: 0, strategy: 'OldestEmulationVersion', preferredHolder: 'n2' } },
    { apiVersion: 'autoscaling/v1', kind: 'Scale', metadata: meta, spec: { replicas: 3 }, status: { replicas: 3, selector: 'app=web' } },
    { apiVersion: 'policy/v1', kind: 'Eviction', metadata: meta, deleteOptions: { gracePeriodSeconds: 0, preconditions: { uid: 'u', resourceVersion: '1' }, propagationPolicy: 'Background', dryRun: ['All'] } },
    { apiVersion: 'v1', kind: 'DeleteOptions', gracePeriodSeconds: 5, orphanDependents: false, propagationPolicy: 'Foreground', ignoreStoreReadErrorWithClusterBreakingPotential: false },
    { apiVersion: 'v1', kind: 'Status', metadata: {}, status: 'Failure', message: 'm', reason: 'NotFound', details: { name: 'x', kind: 'pods', group: '', uid: 'u', causes: [{ reason: 'FieldValueInvalid', message: 'm', field: 'spec' }], retryAfterSeconds: 1 }, code: 404 },
    { apiVersion: 'v1', kind: 'PodList', metadata: { resourceVersion: '10', continue: 'abc', remainingItemCount: 5 }, items: [{ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: { containers: [] } }] },
  ];
  for (const m of manifests) assertClean(m);
});
