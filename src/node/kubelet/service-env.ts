/**
 * @module The service environment variables kubelet gives every container
 * (`{SVC}_SERVICE_HOST`, `{SVC}_SERVICE_PORT`, `{SVC}_PORT_<port>_<PROTO>...`
 * in the Docker-link style) for the Services of the pod's namespace (and
 * the `kubernetes` Service of `default`) that exist when it starts, unless
 * `enableServiceLinks: false` (then only the master service's).
 */
import type { KubeObject } from '../../api/meta.ts';

const envName = (name: string) => name.toUpperCase().replace(/-/g, '_');

function varsFor(svc: KubeObject): [string, string][] {
  const ip = svc.spec?.clusterIP;
  if (!ip || ip === 'None') return [];
  const ports: any[] = svc.spec?.ports ?? [];
  if (!ports.length) return [];
  const name = envName(svc.metadata.name!);
  const out: [string, string][] = [
    [`${name}_SERVICE_HOST`, ip],
    [`${name}_SERVICE_PORT`, String(ports[0].port)],
  ];
  for (const p of ports) if (p.name) out.push([`${name}_SERVICE_PORT_${envName(p.name)}`, String(p.port)]);
  const first = ports[0];
  const proto = (p: any) => (p.protocol ?? 'TCP').toLowerCase();
  out.push([`${name}_PORT`, `${proto(first)}://${ip}:${first.port}`]);
  for (const p of ports) {
    const prefix = `${name}_PORT_${p.port}_${(p.protocol ?? 'TCP').toUpperCase()}`;
    out.push([prefix, `${proto(p)}://${ip}:${p.port}`]);
    out.push([`${prefix}_PROTO`, proto(p)]);
    out.push([`${prefix}_PORT`, String(p.port)]);
    out.push([`${prefix}_ADDR`, ip]);
  }
  return out;
}

/** Variables in upstream's order: services sorted by name, the master service included. */
export function serviceEnv(pod: KubeObject, services: KubeObject[]): [string, string][] {
  const ns = pod.metadata.namespace;
  const links = pod.spec?.enableServiceLinks !== false;
  const chosen = new Map<string, KubeObject>();
  for (const s of services) {
    if (s.spec?.type === 'ExternalName') continue;
    if (s.metadata.namespace === 'default' && s.metadata.name === 'kubernetes') chosen.set(s.metadata.name, s);
  }
  if (links) {
    for (const s of services) {
      if (s.metadata.namespace !== ns || s.spec?.type === 'ExternalName') continue;
      // A service of the pod's own namespace wins over the master service of the same name.
      chosen.set(s.metadata.name!, s);
    }
  }
  return [...chosen.values()].sort((a, b) => a.metadata.name!.localeCompare(b.metadata.name!)).flatMap(varsFor);
}
