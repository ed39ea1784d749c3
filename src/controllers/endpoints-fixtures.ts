/**
 * @module Test fixtures shared by the endpoints, EndpointSlice and
 * mirroring unit tests: one fixed set of Services, Pods and Nodes.
 *
 * Address plan:
 *   nodes     node-a (zone-a), node-b (zone-b); node-gone has no Node object
 *   pods      web-1 10.244.1.11 node-a  ready      ports http=8080/TCP, metrics=9090/TCP
 *             web-2 10.244.1.12 node-a  not ready  ports http=8080/TCP, metrics=9090/TCP
 *             web-3 10.244.2.13 node-b  ready      ports http=8081/TCP (no metrics port)
 *             web-4 10.244.2.14 node-b  ready, terminating
 *             web-5 (no IP yet)   node-b
 *             web-6 10.244.2.16 node-b  Succeeded (terminal)
 *             db-1  10.244.1.21 node-a  ready, hostname db-1 subdomain db-headless
 *   services  web     10.96.0.10  selector app=web  80->http, 9090->metrics
 *             web-num 10.96.0.11  selector app=web  80->8080 (numeric)
 *             db-headless None    selector app=db   no ports
 */
import type { KubeObject } from '../api/meta.ts';

export const T0 = '2024-05-01T10:00:00Z';
export const T1 = '2024-05-01T10:00:05Z';
export const T2 = '2024-05-01T10:00:09Z';

export function pod(
  name: string,
  opts: {
    ip?: string;
    node?: string;
    ready?: boolean;
    labels?: Record<string, string>;
    ports?: { name: string; containerPort: number; protocol?: string }[];
    terminating?: boolean;
    phase?: string;
    hostname?: string;
    subdomain?: string;
    readySince?: string;
    ns?: string;
  },
): KubeObject {
  const p: KubeObject = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: opts.ns ?? 'default', uid: `uid-${name}`, labels: opts.labels ?? { app: 'web' }, creationTimestamp: T0 },
    spec: { containers: [{ name: 'c', image: 'nginx', ports: (opts.ports ?? []).map((x) => ({ protocol: 'TCP', ...x })) }] },
    status: {
      phase: opts.phase ?? 'Running',
      conditions: [{ type: 'Ready', status: opts.ready ? 'True' : 'False', lastTransitionTime: opts.readySince ?? T0 }],
    },
  };
  if (opts.node) p.spec.nodeName = opts.node;
  if (opts.hostname) p.spec.hostname = opts.hostname;
  if (opts.subdomain) p.spec.subdomain = opts.subdomain;
  if (opts.ip) {
    p.status.podIP = opts.ip;
    p.status.podIPs = [{ ip: opts.ip }];
  }
  if (opts.terminating) p.metadata.deletionTimestamp = T1;
  return p;
}

export function service(name: string, spec: Record<string, unknown>, labels?: Record<string, string>): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, namespace: 'default', uid: `uid-svc-${name}`, creationTimestamp: T0, ...(labels ? { labels } : {}) },
    spec: { type: 'ClusterIP', ipFamilies: ['IPv4'], ...spec },
  };
}

export function node(name: string, zone?: string): KubeObject {
  return { apiVersion: 'v1', kind: 'Node', metadata: { name, uid: `uid-${name}`, labels: zone ? { 'topology.kubernetes.io/zone': zone } : {} } };
}

const webPorts = [
  { name: 'http', containerPort: 8080 },
  { name: 'metrics', containerPort: 9090 },
];

export const pods: KubeObject[] = [
  pod('web-1', { ip: '10.244.1.11', node: 'node-a', ready: true, ports: webPorts }),
  pod('web-2', { ip: '10.244.1.12', node: 'node-a', ready: false, ports: webPorts }),
  pod('web-3', { ip: '10.244.2.13', node: 'node-b', ready: true, ports: [{ name: 'http', containerPort: 8081 }] }),
  pod('web-4', { ip: '10.244.2.14', node: 'node-b', ready: true, ports: webPorts, terminating: true }),
  pod('web-5', { node: 'node-b', ready: false, ports: webPorts }),
  pod('web-6', { ip: '10.244.2.16', node: 'node-b', ready: false, ports: webPorts, phase: 'Succeeded' }),
  pod('db-1', { ip: '10.244.1.21', node: 'node-a', ready: true, labels: { app: 'db' }, hostname: 'db-1', subdomain: 'db-headless' }),
];

export const web = service(
  'web',
  {
    clusterIP: '10.96.0.10',
    selector: { app: 'web' },
    ports: [
      { name: 'http', port: 80, protocol: 'TCP', targetPort: 'http' },
      { name: 'metrics', port: 9090, protocol: 'TCP', targetPort: 'metrics', appProtocol: 'http' },
    ],
  },
  { team: 'a' },
);

export const webNum = service('web-num', { clusterIP: '10.96.0.11', selector: { app: 'web' }, ports: [{ port: 80, protocol: 'TCP', targetPort: 8080 }] });

export const dbHeadless = service('db-headless', { clusterIP: 'None', selector: { app: 'db' } });

export const nodes: Record<string, KubeObject> = { 'node-a': node('node-a', 'zone-a'), 'node-b': node('node-b', 'zone-b') };

export const ref = (name: string) => ({ kind: 'Pod', namespace: 'default', name, uid: `uid-${name}` });
