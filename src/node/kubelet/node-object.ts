/**
 * @module The Node object a kubelet registers and keeps current: addresses,
 * capacity and allocatable, podCIDR, conditions, nodeInfo, the kubelet
 * endpoint, and well-known labels. Pure; the heartbeat applies it.
 */
import type { KubeObject } from '../../api/meta.ts';

export interface NodeFacts {
  name: string;
  internalIP: string;
  podCidr: string;
  cpus: number;
  memoryBytes: number;
  maxPods: number;
  kubeletPort: number;
  kernelVersion: string;
  osImage: string;
  arch: string;
  controlPlane: boolean;
  bootID: string;
  machineID: string;
}

export const KUBELET_VERSION = 'v1.32.0+nanokube';

const conditionDefs: [string, string, string, string][] = [
  ['MemoryPressure', 'False', 'KubeletHasSufficientMemory', 'kubelet has sufficient memory available'],
  ['DiskPressure', 'False', 'KubeletHasNoDiskPressure', 'kubelet has no disk pressure'],
  ['PIDPressure', 'False', 'KubeletHasSufficientPID', 'kubelet has sufficient PID available'],
  ['Ready', 'True', 'KubeletReady', 'kubelet is posting ready status'],
];

export function nodeConditions(prev: any[] | undefined, now: string): object[] {
  return conditionDefs.map(([type, status, reason, message]) => {
    const old = prev?.find((c) => c.type === type);
    return { type, status, lastHeartbeatTime: now, lastTransitionTime: old?.status === status ? old.lastTransitionTime : now, reason, message };
  });
}

export function nodeLabels(f: NodeFacts): Record<string, string> {
  return {
    'kubernetes.io/hostname': f.name,
    'kubernetes.io/os': 'linux',
    'kubernetes.io/arch': f.arch,
    'beta.kubernetes.io/os': 'linux',
    'beta.kubernetes.io/arch': f.arch,
    ...(f.controlPlane ? { 'node-role.kubernetes.io/control-plane': '' } : {}),
  };
}

export function nodeObject(f: NodeFacts, prev: KubeObject | undefined, now: string): KubeObject {
  const resources = { cpu: String(f.cpus), memory: `${Math.floor(f.memoryBytes / 1024)}Ki`, pods: String(f.maxPods), 'ephemeral-storage': '50Gi' };
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name: f.name,
      labels: { ...(prev?.metadata.labels ?? {}), ...nodeLabels(f) },
      annotations: { ...(prev?.metadata.annotations ?? {}), 'node.alpha.kubernetes.io/ttl': '0' },
    },
    spec: { ...(prev?.spec ?? {}), podCIDR: f.podCidr, podCIDRs: [f.podCidr] },
    status: {
      capacity: resources,
      allocatable: resources,
      conditions: nodeConditions(prev?.status?.conditions, now),
      addresses: [
        { type: 'InternalIP', address: f.internalIP },
        { type: 'Hostname', address: f.name },
      ],
      daemonEndpoints: { kubeletEndpoint: { Port: f.kubeletPort } },
      nodeInfo: {
        machineID: f.machineID,
        systemUUID: f.machineID,
        bootID: f.bootID,
        kernelVersion: f.kernelVersion,
        osImage: f.osImage,
        containerRuntimeVersion: 'nanokube://0.1.0',
        kubeletVersion: KUBELET_VERSION,
        kubeProxyVersion: KUBELET_VERSION,
        operatingSystem: 'linux',
        architecture: f.arch,
      },
    },
  };
}

export function leaseObject(node: string, nodeUid: string | undefined, now: string): KubeObject {
  return {
    apiVersion: 'coordination.k8s.io/v1',
    kind: 'Lease',
    metadata: {
      name: node,
      namespace: 'kube-node-lease',
      ...(nodeUid ? { ownerReferences: [{ apiVersion: 'v1', kind: 'Node', name: node, uid: nodeUid }] } : {}),
    },
    spec: { holderIdentity: node, leaseDurationSeconds: 40, renewTime: now },
  };
}
