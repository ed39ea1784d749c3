/**
 * @module Test fixtures for the ingress rules: small builders of Ingresses,
 * Services, EndpointSlices, IngressClasses and TLS Secrets. Address plan:
 * pods 10.244.0.x (ports 8080 unless said), nothing is dialled.
 */
import type { KubeObject } from '../api/meta.ts';

let seq = 0;

export interface PathSpec {
  path?: string;
  pathType?: string;
  service: string;
  port?: number | string;
}

export function ingress(
  name: string,
  opts: {
    ns?: string;
    rules?: { host?: string; paths: PathSpec[] }[];
    annotations?: Record<string, string>;
    className?: string;
    created?: string;
    defaultBackend?: { service: string; port?: number | string };
    tls?: { hosts?: string[]; secretName?: string }[];
  } = {},
): KubeObject {
  const be = (s: string, p: number | string = 80) => ({ service: { name: s, port: typeof p === 'number' ? { number: p } : { name: p } } });
  seq++;
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'Ingress',
    metadata: {
      name,
      namespace: opts.ns ?? 'default',
      uid: `uid-${name}`,
      resourceVersion: '1',
      creationTimestamp: opts.created ?? `2026-01-01T00:00:${String(seq % 60).padStart(2, '0')}Z`,
      ...(opts.annotations ? { annotations: opts.annotations } : {}),
    },
    spec: {
      ...(opts.className ? { ingressClassName: opts.className } : {}),
      ...(opts.defaultBackend ? { defaultBackend: be(opts.defaultBackend.service, opts.defaultBackend.port) } : {}),
      ...(opts.tls ? { tls: opts.tls } : {}),
      rules: (opts.rules ?? []).map((r) => ({
        ...(r.host ? { host: r.host } : {}),
        http: { paths: r.paths.map((p) => ({ path: p.path ?? '/', pathType: p.pathType ?? 'Prefix', backend: be(p.service, p.port) })) },
      })),
    },
  };
}

export function service(name: string, ports: { port: number; name?: string; targetPort?: number | string }[] = [{ port: 80 }], ns = 'default'): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, namespace: ns },
    spec: { type: 'ClusterIP', clusterIP: '10.96.0.50', ports: ports.map((p) => ({ protocol: 'TCP', targetPort: 8080, ...p })) },
  };
}

export function slice(svc: string, endpoints: { ip: string; ready?: boolean }[], ports: { port: number; name?: string }[] = [{ port: 8080 }], ns = 'default'): KubeObject {
  return {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: { name: `${svc}-abc${seq++}`, namespace: ns, labels: { 'kubernetes.io/service-name': svc } },
    addressType: 'IPv4',
    ports: ports.map((p) => ({ protocol: 'TCP', ...(p.name ? { name: p.name } : {}), port: p.port })),
    endpoints: endpoints.map((e) => ({ addresses: [e.ip], conditions: { ready: e.ready ?? true } })),
  };
}

export function ingressClass(name: string, controller = 'k8s.io/ingress-nginx', isDefault = false): KubeObject {
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'IngressClass',
    metadata: { name, ...(isDefault ? { annotations: { 'ingressclass.kubernetes.io/is-default-class': 'true' } } : {}) },
    spec: { controller },
  };
}

export function tlsSecret(name: string, cert: string, key: string, ns = 'default'): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name, namespace: ns },
    type: 'kubernetes.io/tls',
    data: { 'tls.crt': Buffer.from(cert).toString('base64'), 'tls.key': Buffer.from(key).toString('base64') },
  };
}
