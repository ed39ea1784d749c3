/**
 * @module Ingress backends to upstreams: a Service port (by number or name)
 * to the ready endpoints of its EndpointSlices, pod IP and target port,
 * straight to the pods as ingress-nginx does (never through the ClusterIP).
 * Pure; the upstream name is ingress-nginx's `namespace-service-port`.
 */
import type { KubeObject } from '../api/meta.ts';
import type { Upstream } from './types.ts';

export const SERVICE_NAME_LABEL = 'kubernetes.io/service-name';

export interface BackendRef {
  service: string;
  /** The port as written in the Ingress: a number or a port name. */
  port: number | string;
}

/** `spec.defaultBackend` or `paths[].backend`; a resource backend or a bad port is an error string. */
export function backendRef(backend: any): BackendRef | string {
  if (!backend || typeof backend !== 'object') return 'backend is missing';
  if (backend.resource) return `resource backends (${backend.resource.kind ?? '?'}) are not supported`;
  const svc = backend.service;
  if (!svc || typeof svc.name !== 'string' || svc.name === '') return 'backend.service.name is missing';
  const port = svc.port ?? {};
  if (typeof port.number === 'number' && port.number > 0) return { service: svc.name, port: port.number };
  if (typeof port.name === 'string' && port.name !== '') return { service: svc.name, port: port.name };
  return `backend.service.port of service ${svc.name} is missing`;
}

export function upstreamName(namespace: string, ref: BackendRef): string {
  return `${namespace}-${ref.service}-${ref.port}`;
}

/** Indexes the inputs once per sync, so that resolving N backends is not N scans. */
export interface BackendIndex {
  services: Map<string, KubeObject>;
  slices: Map<string, KubeObject[]>;
}

export function indexBackends(services: KubeObject[], endpointSlices: KubeObject[]): BackendIndex {
  const idx: BackendIndex = { services: new Map(), slices: new Map() };
  for (const s of services) idx.services.set(`${s.metadata.namespace}/${s.metadata.name}`, s);
  for (const sl of endpointSlices) {
    const svc = sl.metadata.labels?.[SERVICE_NAME_LABEL];
    if (!svc || (sl.addressType && sl.addressType !== 'IPv4')) continue;
    const k = `${sl.metadata.namespace}/${svc}`;
    const list = idx.slices.get(k) ?? [];
    list.push(sl);
    idx.slices.set(k, list);
  }
  return idx;
}

/**
 * The upstream of a backend, with a reason when it can have no endpoint
 * (missing Service, unknown port, ExternalName). Such an upstream still
 * exists, empty, so its requests get ingress-nginx's 503.
 */
export function resolveUpstream(idx: BackendIndex, namespace: string, ref: BackendRef): { upstream: Upstream; problem?: string } {
  const name = upstreamName(namespace, ref);
  const empty = (problem: string) => ({ upstream: { name, endpoints: [] }, problem });
  const svc = idx.services.get(`${namespace}/${ref.service}`);
  if (!svc) return empty(`service ${namespace}/${ref.service} not found`);
  if (svc.spec?.type === 'ExternalName') return empty(`service ${namespace}/${ref.service} is of type ExternalName, which nanokube's ingress does not resolve`);
  const ports: any[] = svc.spec?.ports ?? [];
  const sp = typeof ref.port === 'number' ? ports.find((p) => p.port === ref.port) : ports.find((p) => p.name === ref.port);
  if (!sp) return empty(`service ${namespace}/${ref.service} has no port ${ref.port}`);
  const portName: string = sp.name ?? '';
  const seen = new Set<string>();
  for (const sl of idx.slices.get(`${namespace}/${ref.service}`) ?? []) {
    const p = (sl.ports ?? []).find((x: any) => (x.name ?? '') === portName && (x.protocol ?? 'TCP') === 'TCP');
    if (!p || typeof p.port !== 'number') continue;
    for (const ep of sl.endpoints ?? []) {
      // A nil ready condition means ready (EndpointConditions' documented default).
      if (ep.conditions?.ready === false || !ep.addresses?.[0]) continue;
      seen.add(`${ep.addresses[0]}:${p.port}`);
    }
  }
  return { upstream: { name, endpoints: [...seen].sort() } };
}
