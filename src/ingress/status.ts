/**
 * @module `status.loadBalancer.ingress` of the Ingresses we serve, from the
 * publish Service (`--publish-service`): its `spec.externalIPs` and its
 * own `status.loadBalancer.ingress`, else the InternalIP of every node
 * (the controller's Service is a NodePort reachable on each node, which
 * is what ingress-nginx reports without a publish address). Pure.
 */
import type { KubeObject } from '../api/meta.ts';

export interface LbIngress {
  ip?: string;
  hostname?: string;
}

function nodeAddress(n: KubeObject): string | undefined {
  const addrs: { type?: string; address?: string }[] = n.status?.addresses ?? [];
  return addrs.find((a) => a.type === 'InternalIP')?.address ?? addrs.find((a) => a.type === 'ExternalIP')?.address;
}

const byAddress = (a: LbIngress, b: LbIngress) => {
  const x = a.ip ?? a.hostname ?? '';
  const y = b.ip ?? b.hostname ?? '';
  return x < y ? -1 : x > y ? 1 : 0;
};

/** The addresses to publish, sorted and without duplicates. */
export function publishAddresses(svc: KubeObject | undefined, nodes: KubeObject[]): LbIngress[] {
  const seen = new Set<string>();
  const out: LbIngress[] = [];
  const add = (e: LbIngress) => {
    const k = e.ip ?? e.hostname;
    if (!k || seen.has(k)) return;
    seen.add(k);
    out.push(e.ip ? { ip: e.ip } : { hostname: e.hostname });
  };
  if (svc) {
    for (const ip of (svc.spec?.externalIPs ?? []) as string[]) add({ ip });
    for (const e of (svc.status?.loadBalancer?.ingress ?? []) as LbIngress[]) add(e);
  }
  if (out.length === 0) for (const n of nodes) add({ ip: nodeAddress(n) });
  return out.sort(byAddress);
}

/** Whether the Ingress's status differs from the addresses (order does not matter). */
export function statusDiffers(ing: KubeObject, want: LbIngress[]): boolean {
  const have: LbIngress[] = ing.status?.loadBalancer?.ingress ?? [];
  if (have.length !== want.length) return true;
  const norm = (l: LbIngress[]) => l.map((e) => `${e.ip ?? ''}|${e.hostname ?? ''}`).sort().join(',');
  return norm(have) !== norm(want);
}

/** The merge patch of the status subresource. */
export function statusPatch(want: LbIngress[]): object {
  return { status: { loadBalancer: { ingress: want } } };
}
