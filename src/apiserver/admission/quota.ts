/**
 * @module ResourceQuota admission for object counts, in the role of
 * upstream's ResourceQuota admission plugin: a create (or an update that
 * adds node ports or load balancers) is refused with upstream's text when it
 * would exceed a quota of its namespace. Checks and writes of one namespace
 * are serialised, so concurrent creates can never overshoot.
 */
import * as errors from '../../api/errors.ts';
import type { KubeObject } from '../../api/meta.ts';
import type { ResourceDef } from '../../api/resources.ts';
import { findKind, resources } from '../../api/resources.ts';
import { decode, prefixOf } from '../objects.ts';
import type { Store } from '../../store/types.ts';

type Usage = Record<string, number>;

const legacyCounted = new Set(['pods', 'services', 'replicationcontrollers', 'configmaps', 'secrets', 'resourcequotas', 'persistentvolumeclaims']);

function countName(def: ResourceDef): string {
  return def.group ? `count/${def.plural}.${def.group}` : `count/${def.plural}`;
}

/** A pod in a terminal phase no longer counts (upstream's QuotaV1Pod). */
function counts(def: ResourceDef, obj: KubeObject): boolean {
  if (def.kind !== 'Pod') return true;
  const phase = obj.status?.phase;
  return phase !== 'Succeeded' && phase !== 'Failed';
}

/** What one object uses, by quota resource name. */
export function usageOf(def: ResourceDef, obj: KubeObject): Usage {
  if (!counts(def, obj)) return {};
  const u: Usage = { [countName(def)]: 1 };
  if (!def.group && legacyCounted.has(def.plural)) u[def.plural] = 1;
  if (def.kind === 'Service') {
    const t = obj.spec?.type;
    if (t === 'LoadBalancer') u['services.loadbalancers'] = 1;
    if (t === 'NodePort' || t === 'LoadBalancer') u['services.nodeports'] = (obj.spec?.ports ?? []).length;
  }
  return u;
}

function parseHard(v: unknown): number {
  const n = Number(String(v).replace(/k$/, '000'));
  return Number.isFinite(n) ? n : Infinity;
}

const pretty = (u: Usage, names: string[]) => names.map((n) => `${n}=${u[n] ?? 0}`).join(',');

export class QuotaAdmission {
  readonly #store: Store;
  readonly #locks = new Map<string, Promise<unknown>>();
  constructor(opts: { store: Store }) {
    this.#store = opts.store;
  }

  /** Runs fn with the namespace's quota lock held (a promise chain per namespace). */
  async withLock<T>(namespace: string, fn: () => Promise<T>): Promise<T> {
    const prev = this.#locks.get(namespace) ?? Promise.resolve();
    const run = prev.then(fn, fn);
    const tail = run.catch(() => undefined);
    this.#locks.set(namespace, tail);
    try {
      return await run;
    } finally {
      if (this.#locks.get(namespace) === tail) this.#locks.delete(namespace);
    }
  }

  async #quotas(namespace: string): Promise<KubeObject[]> {
    const def = findKind('', 'ResourceQuota')!;
    return (await this.#store.list(prefixOf(def, namespace))).items.map(decode);
  }

  /** Current usage of the named resources in a namespace, counted from what exists. */
  async used(namespace: string, names: string[]): Promise<Usage> {
    const u: Usage = {};
    const wanted = new Set(names);
    const defs = new Map<string, ResourceDef>();
    for (const n of names) {
      const def = resourceForQuotaName(n);
      if (def) defs.set(def.plural + '.' + def.group, def);
    }
    for (const def of defs.values()) {
      const { items } = await this.#store.list(prefixOf(def, namespace));
      for (const kv of items) {
        for (const [k, v] of Object.entries(usageOf(def, decode(kv)))) if (wanted.has(k)) u[k] = (u[k] ?? 0) + v;
      }
    }
    for (const n of names) u[n] ??= 0;
    return u;
  }

  /** Throws Forbidden when the delta (new usage minus old) exceeds a quota. */
  async check(def: ResourceDef, obj: KubeObject, old: KubeObject | undefined): Promise<void> {
    if (!def.namespaced || def.kind === 'Event') return;
    const ns = obj.metadata.namespace!;
    const quotas = await this.#quotas(ns);
    if (!quotas.length) return;
    const now = usageOf(def, obj);
    const before = old ? usageOf(def, old) : {};
    const delta: Usage = {};
    for (const [k, v] of Object.entries(now)) if (v - (before[k] ?? 0) > 0) delta[k] = v - (before[k] ?? 0);
    if (!Object.keys(delta).length) return;
    for (const q of quotas) {
      const hard: Record<string, unknown> = q.spec?.hard ?? {};
      const names = Object.keys(delta).filter((k) => k in hard).sort();
      if (!names.length) continue;
      const used = await this.used(ns, names);
      const over = names.filter((n) => used[n] + delta[n] > parseHard(hard[n]));
      if (over.length) {
        const limited: Usage = Object.fromEntries(over.map((n) => [n, parseHard(hard[n])]));
        const name = obj.metadata.name ?? obj.metadata.generateName ?? '';
        throw errors.forbidden(
          { group: def.group, resource: def.plural },
          name,
          `exceeded quota: ${q.metadata.name}, requested: ${pretty(delta, over)}, used: ${pretty(used, over)}, limited: ${pretty(limited, over)}`,
        );
      }
    }
  }

  /** Recomputes status.used (and status.hard) of every quota in the namespace. */
  async refresh(namespace: string, update: (q: KubeObject) => Promise<void>): Promise<void> {
    for (const q of await this.#quotas(namespace)) {
      const hard: Record<string, unknown> = q.spec?.hard ?? {};
      const used = await this.used(namespace, Object.keys(hard));
      const status = { hard: { ...hard }, used: Object.fromEntries(Object.entries(used).map(([k, v]) => [k, String(v)])) };
      if (JSON.stringify(q.status ?? {}) === JSON.stringify(status)) continue;
      await update({ ...q, status });
    }
  }
}

/** The resource a quota name counts: `pods`, `count/deployments.apps`, `services.nodeports`. */
export function resourceForQuotaName(name: string): ResourceDef | undefined {
  if (name === 'services.nodeports' || name === 'services.loadbalancers') return findKind('', 'Service');
  const bare = name.startsWith('count/') ? name.slice(6) : name;
  const dot = bare.indexOf('.');
  const plural = dot < 0 ? bare : bare.slice(0, dot);
  const group = dot < 0 ? '' : bare.slice(dot + 1);
  return findKindByPlural(group, plural);
}

function findKindByPlural(group: string, plural: string): ResourceDef | undefined {
  return resources.find((d) => d.plural === plural && d.group === group);
}
