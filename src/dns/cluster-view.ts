/**
 * @module The cluster view the DNS server answers from: stripped-down
 * copies of Services and EndpointSlices (only the fields DNS needs, as
 * CoreDNS's kubernetes plugin keeps them), updated in place on every
 * informer event so a change is served at once (no periodic rebuild), with
 * a reverse index for PTR lookups.
 */
import type { KubeObject } from '../api/meta.ts';
import { dashedIp, normalizeIp } from './names.ts';
import type { ClusterView, DnsEndpoint, DnsPort, DnsService, ReverseEntry } from './types.ts';

export type EventType = 'ADDED' | 'MODIFIED' | 'DELETED';

interface SliceCopy {
  serviceKey: string;
  endpoints: DnsEndpoint[];
}

const SERVICE_NAME_LABEL = 'kubernetes.io/service-name';
const TOLERATE_UNREADY = 'service.alpha.kubernetes.io/tolerate-unready-endpoints';

/** The fields of a Service that DNS reads. */
export function stripService(o: KubeObject): DnsService {
  const spec = o.spec ?? {};
  const type = spec.type ?? 'ClusterIP';
  const ips: string[] = spec.clusterIPs?.length ? spec.clusterIPs : spec.clusterIP ? [spec.clusterIP] : [];
  return {
    namespace: (o.metadata.namespace ?? '').toLowerCase(),
    name: (o.metadata.name ?? '').toLowerCase(),
    type,
    clusterIPs: type === 'ExternalName' ? [] : ips.filter((ip) => ip && ip !== 'None').map(normalizeIp),
    externalName: type === 'ExternalName' && spec.externalName ? String(spec.externalName).replace(/\.$/, '') : undefined,
    ports: (spec.ports ?? []).map((p: any) => ({ name: (p.name ?? '').toLowerCase(), port: Number(p.port), protocol: String(p.protocol ?? 'TCP').toUpperCase() })),
    publishNotReady: spec.publishNotReadyAddresses === true || o.metadata.annotations?.[TOLERATE_UNREADY] === 'true',
  };
}

/** The endpoints of an EndpointSlice as DNS reads them (FQDN slices carry no addresses for DNS). */
export function stripSlice(o: KubeObject): SliceCopy | undefined {
  const svc = o.metadata.labels?.[SERVICE_NAME_LABEL];
  if (!svc || (o.addressType !== 'IPv4' && o.addressType !== 'IPv6')) return undefined;
  const ports: DnsPort[] = (o.ports ?? [])
    .filter((p: any) => typeof p.port === 'number')
    .map((p: any) => ({ name: (p.name ?? '').toLowerCase(), port: p.port, protocol: String(p.protocol ?? 'TCP').toUpperCase() }));
  const endpoints: DnsEndpoint[] = [];
  for (const e of o.endpoints ?? []) {
    // EndpointConditions: a nil `ready` means unknown and is read as ready.
    const ready = e.conditions?.ready !== false;
    const hostname = typeof e.hostname === 'string' && e.hostname ? e.hostname.toLowerCase() : undefined;
    for (const ip of e.addresses ?? []) endpoints.push({ ip: normalizeIp(ip), hostname, ready, ports });
  }
  return { serviceKey: `${(o.metadata.namespace ?? '').toLowerCase()}/${svc.toLowerCase()}`, endpoints };
}

const keyOf = (o: KubeObject) => `${(o.metadata.namespace ?? '').toLowerCase()}/${(o.metadata.name ?? '').toLowerCase()}`;

/** The view, kept current by `applyService` / `applySlice` from informer events. */
export class ClusterIndex implements ClusterView {
  readonly #services = new Map<string, DnsService>();
  readonly #slices = new Map<string, SliceCopy>();
  /** serviceKey → slice keys */
  readonly #slicesOf = new Map<string, Set<string>>();
  /** serviceKey → merged endpoints (memo, dropped when a slice of the service changes) */
  readonly #merged = new Map<string, DnsEndpoint[]>();
  readonly #namespaces = new Map<string, number>();
  /** ip → service keys with that cluster IP */
  readonly #clusterIps = new Map<string, Set<string>>();
  #serial = Math.floor(Date.now() / 1000);
  #generation = 0;

  /** Bumped on every change; caches of encoded answers compare it. */
  get generation(): number {
    return this.#generation;
  }

  #changed(): void {
    this.#generation++;
    this.#serial = Math.floor(Date.now() / 1000);
  }

  applyService(type: EventType, o: KubeObject): void {
    const key = keyOf(o);
    const old = this.#services.get(key);
    if (old) {
      for (const ip of old.clusterIPs) this.#clusterIps.get(ip)?.delete(key);
      const n = (this.#namespaces.get(old.namespace) ?? 1) - 1;
      if (n > 0) this.#namespaces.set(old.namespace, n);
      else this.#namespaces.delete(old.namespace);
      this.#services.delete(key);
    }
    if (type !== 'DELETED') {
      const svc = stripService(o);
      this.#services.set(key, svc);
      this.#namespaces.set(svc.namespace, (this.#namespaces.get(svc.namespace) ?? 0) + 1);
      for (const ip of svc.clusterIPs) {
        let s = this.#clusterIps.get(ip);
        if (!s) this.#clusterIps.set(ip, (s = new Set()));
        s.add(key);
      }
    }
    this.#changed();
  }

  applySlice(type: EventType, o: KubeObject): void {
    const key = keyOf(o);
    const old = this.#slices.get(key);
    if (old) {
      this.#slices.delete(key);
      this.#slicesOf.get(old.serviceKey)?.delete(key);
      this.#merged.delete(old.serviceKey);
    }
    const copy = type === 'DELETED' ? undefined : stripSlice(o);
    if (copy) {
      this.#slices.set(key, copy);
      let s = this.#slicesOf.get(copy.serviceKey);
      if (!s) this.#slicesOf.set(copy.serviceKey, (s = new Set()));
      s.add(key);
      this.#merged.delete(copy.serviceKey);
    }
    this.#changed();
  }

  service(namespace: string, name: string): DnsService | undefined {
    return this.#services.get(`${namespace}/${name}`);
  }

  endpoints(namespace: string, name: string): DnsEndpoint[] {
    const key = `${namespace}/${name}`;
    let m = this.#merged.get(key);
    if (!m) {
      m = [];
      for (const sk of [...(this.#slicesOf.get(key) ?? [])].sort()) m.push(...this.#slices.get(sk)!.endpoints);
      this.#merged.set(key, m);
    }
    return m;
  }

  hasNamespace(namespace: string): boolean {
    return this.#namespaces.has(namespace);
  }

  reverse(ip: string): ReverseEntry[] {
    const want = normalizeIp(ip);
    const out: ReverseEntry[] = [];
    for (const key of this.#clusterIps.get(want) ?? []) {
      const s = this.#services.get(key)!;
      out.push({ namespace: s.namespace, service: s.name });
    }
    if (out.length > 0) return out;
    // Endpoint addresses: a scan of the slices; PTR queries for pod IPs are rare next to A queries,
    // and a scan needs no second index to keep in step.
    for (const [, slice] of this.#slices) {
      const [namespace, service] = slice.serviceKey.split('/');
      const svc = this.#services.get(slice.serviceKey);
      if (!svc) continue;
      for (const e of slice.endpoints) {
        if (e.ip === want && (e.ready || svc.publishNotReady)) out.push({ namespace, service, endpoint: e.hostname ?? dashedIp(e.ip) });
      }
    }
    return out.sort((a, b) => `${a.endpoint}.${a.service}.${a.namespace}`.localeCompare(`${b.endpoint}.${b.service}.${b.namespace}`));
  }

  serial(): number {
    return this.#serial;
  }

  get sizes(): { services: number; slices: number } {
    return { services: this.#services.size, slices: this.#slices.size };
  }
}
