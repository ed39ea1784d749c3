/**
 * @module Test helpers shared by the DNS tests and bench/dns.ts: a fake
 * ClusterView built from plain records, and a fixture of Services.
 *
 * Address plan of the fixture: services 10.96.0.0/12 (kube-dns 10.96.0.10,
 * kubernetes 10.96.0.1), pods 10.244.0.0/16, IPv6 services fd00:96::/108.
 */
import { dashedIp, normalizeIp } from './names.ts';
import type { ClusterView, DnsEndpoint, DnsService, ReverseEntry } from './types.ts';

export class FakeView implements ClusterView {
  readonly services: DnsService[] = [];
  readonly eps = new Map<string, DnsEndpoint[]>();
  serialValue = 1700000000;
  /** Bumped by tests that change the fake after queries (the handler's encoded-answer cache reads it). */
  generation = 0;

  addService(s: Partial<DnsService> & { namespace: string; name: string }, endpoints: DnsEndpoint[] = []): this {
    this.services.push({ type: 'ClusterIP', clusterIPs: [], ports: [], publishNotReady: false, ...s });
    this.eps.set(`${s.namespace}/${s.name}`, endpoints);
    this.generation++;
    return this;
  }

  service(namespace: string, name: string): DnsService | undefined {
    return this.services.find((s) => s.namespace === namespace && s.name === name);
  }
  endpoints(namespace: string, name: string): DnsEndpoint[] {
    return this.eps.get(`${namespace}/${name}`) ?? [];
  }
  hasNamespace(namespace: string): boolean {
    return this.services.some((s) => s.namespace === namespace);
  }
  reverse(ip: string): ReverseEntry[] {
    const want = normalizeIp(ip);
    const svc = this.services.filter((s) => s.clusterIPs.includes(want)).map((s) => ({ namespace: s.namespace, service: s.name }));
    if (svc.length > 0) return svc;
    const out: ReverseEntry[] = [];
    for (const s of this.services) {
      for (const e of this.endpoints(s.namespace, s.name)) {
        if (e.ip === want && (e.ready || s.publishNotReady)) out.push({ namespace: s.namespace, service: s.name, endpoint: e.hostname ?? dashedIp(e.ip) });
      }
    }
    return out;
  }
  serial(): number {
    return this.serialValue;
  }
}

export const ep = (ip: string, extra: Partial<DnsEndpoint> = {}): DnsEndpoint => ({ ip, ready: true, ports: [], ...extra });

/** The fixture most tests use. */
export function fixtureView(): FakeView {
  const http = [{ name: 'http', port: 8080, protocol: 'TCP' }];
  return new FakeView()
    .addService({ namespace: 'default', name: 'kubernetes', clusterIPs: ['10.96.0.1'], ports: [{ name: 'https', port: 443, protocol: 'TCP' }] })
    .addService({
      namespace: 'kube-system',
      name: 'kube-dns',
      clusterIPs: ['10.96.0.10'],
      ports: [
        { name: 'dns', port: 53, protocol: 'UDP' },
        { name: 'dns-tcp', port: 53, protocol: 'TCP' },
        { name: 'metrics', port: 9153, protocol: 'TCP' },
      ],
    })
    .addService({ namespace: 'default', name: 'my-nginx', clusterIPs: ['10.96.0.20'], ports: [{ name: '', port: 80, protocol: 'TCP' }] })
    .addService({ namespace: 'default', name: 'dual', clusterIPs: ['10.96.0.21', 'fd00:96::21'], ports: [{ name: 'http', port: 80, protocol: 'TCP' }] })
    .addService({ namespace: 'default', name: 'numbers-api', type: 'ExternalName', externalName: 'api.example.test' })
    .addService({ namespace: 'default', name: 'myapp-svc-headless', ports: [{ name: 'http', port: 80, protocol: 'TCP' }] }, [
      ep('10.244.0.5', { ports: http }),
      ep('10.244.0.6', { ports: http }),
      ep('10.244.0.7', { ports: http }),
      ep('10.244.0.8', { ready: false, ports: http }),
    ])
    .addService({ namespace: 'default', name: 'web', ports: [{ name: 'http', port: 80, protocol: 'TCP' }] }, [
      ep('10.244.1.10', { hostname: 'web-0', ports: http }),
      ep('10.244.1.11', { hostname: 'web-1', ports: http }),
    ])
    .addService({ namespace: 'default', name: 'pending', publishNotReady: true }, [ep('10.244.2.2', { ready: false })])
    .addService({ namespace: 'default', name: 'empty-headless' }, [])
    .addService({ namespace: 'other', name: 'db', clusterIPs: ['10.96.5.5'], ports: [{ name: 'pg', port: 5432, protocol: 'TCP' }] });
}

/** A headless Service with `n` ready endpoints 10.244.3.1.. (the truncation tests). */
export function bigHeadless(view: FakeView, n: number, name = 'big'): FakeView {
  const eps = Array.from({ length: n }, (_, i) => ep(`10.244.3.${i + 1}`, { ports: [{ name: 'http', port: 8080, protocol: 'TCP' }] }));
  return view.addService({ namespace: 'default', name, ports: [{ name: 'http', port: 80, protocol: 'TCP' }] }, eps);
}
