/**
 * @module Test fixtures: upstream-looking manifests from the scenarios
 * (S1-S8), decoded and defaulted the way the apiserver will have done before
 * validation runs, plus a renderer of errors in upstream's exact text.
 */
import { applyDefaults } from '../defaults/index.ts';
import type { FieldError } from '../field-errors.ts';
import type { GVK, KubeObject } from '../meta.ts';
import { upstreamErrorText } from './goformat.ts';

export const kinds = {
  pod: { group: '', version: 'v1', kind: 'Pod' },
  service: { group: '', version: 'v1', kind: 'Service' },
  endpoints: { group: '', version: 'v1', kind: 'Endpoints' },
  configMap: { group: '', version: 'v1', kind: 'ConfigMap' },
  secret: { group: '', version: 'v1', kind: 'Secret' },
  serviceAccount: { group: '', version: 'v1', kind: 'ServiceAccount' },
  event: { group: '', version: 'v1', kind: 'Event' },
  namespace: { group: '', version: 'v1', kind: 'Namespace' },
  node: { group: '', version: 'v1', kind: 'Node' },
  quota: { group: '', version: 'v1', kind: 'ResourceQuota' },
  limitRange: { group: '', version: 'v1', kind: 'LimitRange' },
  rc: { group: '', version: 'v1', kind: 'ReplicationController' },
  deployment: { group: 'apps', version: 'v1', kind: 'Deployment' },
  replicaSet: { group: 'apps', version: 'v1', kind: 'ReplicaSet' },
  ingress: { group: 'networking.k8s.io', version: 'v1', kind: 'Ingress' },
  ingressClass: { group: 'networking.k8s.io', version: 'v1', kind: 'IngressClass' },
  endpointSlice: { group: 'discovery.k8s.io', version: 'v1', kind: 'EndpointSlice' },
  lease: { group: 'coordination.k8s.io', version: 'v1', kind: 'Lease' },
} satisfies Record<string, GVK>;

/** Upstream's rendering of each error, Go values included. */
export const texts = (errs: FieldError[]): string[] => errs.map(upstreamErrorText);

/** A deep copy, defaulted as the apiserver does between decoding and validation. */
export function defaulted<T extends KubeObject>(gvk: GVK, obj: T): T {
  const copy = structuredClone(obj);
  applyDefaults(gvk, copy);
  return copy;
}

/** Marks an object as stored: what an update's old object and a PUT body carry. */
export function stored<T extends KubeObject>(obj: T, rv = '100'): T {
  const copy = structuredClone(obj);
  copy.metadata = { ...copy.metadata, uid: 'a1b2c3d4-0000-4000-8000-000000000001', resourceVersion: rv, creationTimestamp: '2024-05-01T10:00:00Z' };
  return copy;
}

/** S1: the my-nginx Deployment. */
export const myNginxDeployment = (): KubeObject => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'my-nginx', namespace: 'default' },
  spec: {
    selector: { matchLabels: { run: 'my-nginx' } },
    replicas: 2,
    template: {
      metadata: { labels: { run: 'my-nginx' } },
      spec: { containers: [{ name: 'my-nginx', image: 'nginx', ports: [{ containerPort: 80 }] }] },
    },
  },
});

/** A pod as a ReplicaSet of my-nginx would create it. */
export const nginxPod = (): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'my-nginx-5b56ccd65f-abcde', namespace: 'default', labels: { run: 'my-nginx' } },
  spec: {
    containers: [
      {
        name: 'my-nginx',
        image: 'nginx:1.25',
        ports: [{ containerPort: 80, name: 'http' }],
        env: [{ name: 'POD_IP', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } }],
        volumeMounts: [{ name: 'html', mountPath: '/usr/share/nginx/html' }],
        readinessProbe: { httpGet: { path: '/', port: 'http' } },
        resources: { requests: { cpu: '100m', memory: '64Mi' }, limits: { memory: '128Mi' } },
      },
    ],
    volumes: [{ name: 'html', emptyDir: {} }],
  },
});

/** S4: the node-js ReplicationController. */
export const nodeJsRC = (): KubeObject => ({
  apiVersion: 'v1',
  kind: 'ReplicationController',
  metadata: { name: 'node-js', namespace: 'default' },
  spec: {
    replicas: 3,
    selector: { name: 'node-js' },
    template: {
      metadata: { labels: { name: 'node-js' } },
      spec: { containers: [{ name: 'node-js', image: 'registry.k8s.io/e2e-test-images/agnhost:2.39', args: ['serve-hostname'], ports: [{ containerPort: 9376 }] }] },
    },
  },
});

/** S4: a NodePort Service over node-js. */
export const nodeJsService = (): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name: 'node-js', namespace: 'default', labels: { name: 'node-js' } },
  spec: { type: 'NodePort', selector: { name: 'node-js' }, ports: [{ port: 80, targetPort: 9376, nodePort: 30001 }] },
});

/** S2: the minimal-ingress of the ingress-nginx docs. */
export const minimalIngress = (): KubeObject => ({
  apiVersion: 'networking.k8s.io/v1',
  kind: 'Ingress',
  metadata: { name: 'minimal-ingress', namespace: 'default', annotations: { 'nginx.ingress.kubernetes.io/rewrite-target': '/' } },
  spec: {
    rules: [{ http: { paths: [{ path: '/testpath', pathType: 'Prefix', backend: { service: { name: 'my-nginx', port: { number: 80 } } } }] } }],
  },
});
