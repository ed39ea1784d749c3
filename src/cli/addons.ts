/**
 * @module The add-on mechanism (as k3s's deploy controller): the manifests
 * in `manifests/` are filled in (`%{NAME}%` placeholders), applied with
 * server-side apply at every start (field manager `nanokube`, so a user's
 * own changes to other fields stay), and `nanokube is ready` waits until
 * each add-on's Service has a ready endpoint. `--disable dns,ingress` skips
 * them; a disabled add-on that is already installed is left alone (delete it
 * with kubectl, as with k3s).
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import type { KubeObject } from '../api/meta.ts';
import { findKind } from '../api/resources.ts';
import { isNotFound, resourcePath, type Client } from '../client/client.ts';

const MANIFESTS = join(import.meta.dirname, '..', '..', 'manifests');

export interface Addon {
  name: string;
  file: string;
  /** Services whose ready endpoints make the add-on ready. */
  waitFor: { namespace: string; service: string }[];
  /** Namespaces that get the `nanokube-api` Secret (the add-on's way to the API). */
  namespaces: string[];
}

export const ADDONS: Addon[] = [
  { name: 'dns', file: 'dns.yaml', waitFor: [{ namespace: 'kube-system', service: 'kube-dns' }], namespaces: ['kube-system'] },
  { name: 'ingress', file: 'ingress.yaml', waitFor: [{ namespace: 'ingress-nginx', service: 'ingress-nginx-controller' }], namespaces: ['ingress-nginx'] },
];

export class AddonError extends Error {
  readonly code = 'ADDON';
  constructor(message: string) {
    super(message);
    this.name = 'AddonError';
  }
}

/** Fills `%{NAME}%` placeholders; an unknown one is an error (a typo must not reach the API). */
export function fillTemplate(text: string, vars: Record<string, string>): string {
  return text.replace(/%\{([A-Z_]+)\}%/g, (_, name: string) => {
    if (vars[name] === undefined) throw new AddonError(`unknown placeholder %{${name}}%`);
    return vars[name];
  });
}

/** The objects of a manifest, in file order. */
export function parseManifest(text: string, file: string): KubeObject[] {
  const out: KubeObject[] = [];
  for (const doc of parseAllDocuments(text)) {
    if (doc.errors.length > 0) throw new AddonError(`${file}: ${doc.errors[0].message}`);
    const obj = doc.toJS() as KubeObject | null;
    if (!obj) continue;
    if (!obj.apiVersion || !obj.kind || !obj.metadata?.name) throw new AddonError(`${file}: every object needs apiVersion, kind and metadata.name`);
    out.push(obj);
  }
  return out;
}

export interface AddonContext {
  client: Client;
  vars: Record<string, string>;
  /** What the add-ons' pods use to reach the API (Secret `nanokube-api`: server, token, ca.crt). */
  api: { server: string; token: string; caCert: string };
  log: (line: string) => void;
}

function defOf(obj: KubeObject) {
  const [group, version] = obj.apiVersion.includes('/') ? obj.apiVersion.split('/') : ['', obj.apiVersion];
  const def = findKind(group, obj.kind);
  if (!def || def.version !== version) throw new AddonError(`no resource for ${obj.apiVersion} ${obj.kind}`);
  return def;
}

async function apply(client: Client, obj: KubeObject): Promise<void> {
  const def = defOf(obj);
  const path = resourcePath(def, def.namespaced ? obj.metadata.namespace : undefined, obj.metadata.name);
  await client.request('PATCH', `${path}?fieldManager=nanokube&force=true`, JSON.stringify(obj), 'application/apply-patch+yaml');
}

/** Applies the enabled add-ons; returns the ones applied. Namespaces first, then the API Secret, then the rest in file order. */
export async function applyAddons(ctx: AddonContext, disabled: string[]): Promise<Addon[]> {
  const enabled = ADDONS.filter((a) => !disabled.includes(a.name));
  for (const addon of enabled) {
    const t0 = performance.now();
    const objects = parseManifest(fillTemplate(await readFile(join(MANIFESTS, addon.file), 'utf8'), ctx.vars), addon.file);
    for (const ns of objects.filter((o) => o.kind === 'Namespace')) await apply(ctx.client, ns);
    for (const namespace of addon.namespaces) {
      await apply(ctx.client, {
        apiVersion: 'v1',
        kind: 'Secret',
        metadata: { name: 'nanokube-api', namespace, labels: { 'app.kubernetes.io/managed-by': 'nanokube' } },
        type: 'Opaque',
        // nanokube has no RBAC and issues no service account tokens: add-ons use the admin token (see README).
        stringData: { server: ctx.api.server, token: ctx.api.token, 'ca.crt': ctx.api.caCert },
      });
    }
    for (const obj of objects.filter((o) => o.kind !== 'Namespace')) await apply(ctx.client, obj);
    ctx.log(`addons: applied ${addon.name} objects=${objects.length} took=${((performance.now() - t0) / 1000).toFixed(3)}s`);
  }
  return enabled;
}

async function serviceReady(client: Client, namespace: string, service: string): Promise<boolean> {
  const def = findKind('discovery.k8s.io', 'EndpointSlice')!;
  try {
    const list = await client.list(def, namespace, `labelSelector=${encodeURIComponent(`kubernetes.io/service-name=${service}`)}`);
    return list.items.some((s) => ((s as { endpoints?: { conditions?: { ready?: boolean } }[] }).endpoints ?? []).some((e) => e.conditions?.ready !== false));
  } catch (e) {
    if (isNotFound(e)) return false;
    throw e;
  }
}

/** Waits until every add-on's Services have a ready endpoint; resolves with the add-ons still not ready at the deadline. */
export async function waitAddonsReady(client: Client, addons: Addon[], o: { timeoutMs: number; signal: AbortSignal }): Promise<string[]> {
  const deadline = Date.now() + o.timeoutMs;
  let pending = addons;
  while (pending.length > 0 && Date.now() < deadline && !o.signal.aborted) {
    const ready = await Promise.all(pending.map(async (a) => (await Promise.all(a.waitFor.map((w) => serviceReady(client, w.namespace, w.service)))).every(Boolean)));
    pending = pending.filter((_, i) => !ready[i]);
    if (pending.length > 0) await new Promise((r) => setTimeout(r, 50));
  }
  return pending.map((a) => a.name);
}
