/**
 * @module The nftables mode's ruleset text, as pure functions of the
 * model's state: `fullRuleset` (one `nft -f` transaction that replaces the
 * whole table) and `incrementalRuleset` (one transaction that changes only
 * what differs between two states: the chains, sets and map elements of the
 * service ports that changed). Each state's compiled rules are cached
 * (WeakMap on the state object), and an unchanged service port reuses its
 * rules from the previous state, so an incremental sync costs one
 * comparison per service port plus the work for the changed ones. States
 * are taken as immutable.
 */
import { DEFAULT_TABLE, baseTable, portRules, type NftOptions, type PortRules } from './nftables-rules.ts';
import type { ProxyEndpoint, ProxyServicePort, ProxyState } from './types.ts';

export type { NftOptions, PortRules };

type Element = PortRules['elements'][number];

interface Compiled {
  /** Everything outside the ports that the rules depend on; a different ctx means a full rewrite. */
  ctx: string;
  /** Service ports by key, each with the model object its rules were made from. */
  ports: Map<string, { sp: ProxyServicePort; rules: PortRules }>;
  /** Map and set elements by `${container} ${key}`; the first port (in key order) to claim a key owns it. */
  elements: Map<string, Element>;
  /** Rules in the whole table. */
  rules: number;
}

const compiled = new WeakMap<ProxyState, Compiled>();

function contextOf(state: ProxyState, opts: NftOptions): string {
  const n = state.node;
  return JSON.stringify([opts.table ?? DEFAULT_TABLE, opts.masqueradeBit ?? 14, n.clusterCidr, n.serviceCidr, n.nodePortAddresses]);
}

const sameList = (a: string[], b: string[]) => a.length === b.length && a.every((x, i) => x === b[i]);

function sameEndpoints(a: ProxyEndpoint[] | undefined, b: ProxyEndpoint[] | undefined): boolean {
  if (a === b) return true;
  if (!a || !b || a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    const x = a[i];
    const y = b[i];
    if (x.ip !== y.ip || x.port !== y.port || x.ready !== y.ready || x.serving !== y.serving || x.terminating !== y.terminating || x.local !== y.local) return false;
  }
  return true;
}

/**
 * Whether two service ports are the same, field by field (the model makes fresh objects on every
 * sync; a generic deep comparison costs three times as much). Every field of ProxyServicePort must be
 * compared here: the unit tests change each field of a full sample and expect a difference.
 */
export function samePort(a: ProxyServicePort, b: ProxyServicePort): boolean {
  return (
    a === b ||
    (a.key === b.key &&
      a.namespace === b.namespace &&
      a.name === b.name &&
      a.portName === b.portName &&
      a.protocol === b.protocol &&
      a.clusterIP === b.clusterIP &&
      a.port === b.port &&
      a.nodePort === b.nodePort &&
      a.affinityTimeoutSeconds === b.affinityTimeoutSeconds &&
      a.externalPolicyLocal === b.externalPolicyLocal &&
      a.internalPolicyLocal === b.internalPolicyLocal &&
      a.hasAnyEndpoints === b.hasAnyEndpoints &&
      sameList(a.externalIPs, b.externalIPs) &&
      sameList(a.loadBalancerIPs, b.loadBalancerIPs) &&
      sameEndpoints(a.clusterEndpoints, b.clusterEndpoints) &&
      sameEndpoints(a.localEndpoints, b.localEndpoints) &&
      sameEndpoints(a.clusterPolicyEndpoints, b.clusterPolicyEndpoints))
  );
}

/** Compiles (or finds) the rules of `state`; ports whose model is unchanged since `reuse` keep their rules. */
function compile(state: ProxyState, opts: NftOptions, reuse?: Compiled): Compiled {
  const ctx = contextOf(state, opts);
  const hit = compiled.get(state);
  if (hit && hit.ctx === ctx) return hit;
  const old = reuse && reuse.ctx === ctx ? reuse.ports : undefined;
  const ports = new Map<string, { sp: ProxyServicePort; rules: PortRules }>();
  const elements = new Map<string, Element>();
  let rules = baseTable(state.node, opts).chains.reduce((n, c) => n + c[2].length, 0);
  for (const sp of state.services) {
    // A second port with the same key would program the same chain names: the first one wins.
    if (ports.has(sp.key)) continue;
    const o = old?.get(sp.key);
    const r = o && samePort(o.sp, sp) ? o.rules : portRules(sp, state.node);
    ports.set(sp.key, { sp, rules: r });
    // Two ports claiming one address:port (bad input) would make `add element` fail the whole sync.
    for (const el of r.elements) if (!elements.has(el[3])) elements.set(el[3], el);
    rules += r.ruleCount;
  }
  const c: Compiled = { ctx, ports, elements, rules };
  compiled.set(state, c);
  return c;
}

const elementLine = (p: string, [container, key, value]: Element) => `add element ${p} ${container} { ${value ? `${key} : ${value}` : key} }`;
const deleteElementLine = (p: string, [container, key]: Element) => `delete element ${p} ${container} { ${key} }`;
const setSpec = (spec: string[]) => `{ ${spec.join(' ; ')} ; }`;

/** A chain, set or map in the table block, with its elements. */
function block(out: string[], head: string, spec: string[], rules: string[], elements?: string[]): void {
  out.push(`\t${head} {`);
  for (const l of spec) out.push(`\t\t${l}`);
  for (const r of rules) out.push(`\t\t${r}`);
  if (elements?.length) out.push('\t\telements = {', `\t\t\t${elements.join(',\n\t\t\t')}`, '\t\t}');
  out.push('\t}');
}

/**
 * The whole table as one `nft -f` transaction: add the table (so that deleting it cannot fail),
 * delete it, and write it again as one block (parsed about twice as fast as one command per line).
 * The kernel applies the transaction atomically, so packets see the old table or the new one, and
 * nothing stale (chains of deleted services, affinity sets) survives without listing the kernel's
 * state first. Affinity entries start afresh.
 */
export function fullRuleset(state: ProxyState, opts: NftOptions = {}): string {
  const c = compile(state, opts);
  const table = opts.table ?? DEFAULT_TABLE;
  const base = baseTable(state.node, opts);
  const byContainer = new Map<string, string[]>();
  for (const [container, key, value] of [...base.elements, ...c.elements.values()]) {
    let list = byContainer.get(container);
    if (!list) byContainer.set(container, (list = []));
    list.push(value ? `${key} : ${value}` : key);
  }
  const out = [`add table ip ${table}`, `delete table ip ${table}`, `table ip ${table} {`, '\tcomment "rules for nanokube"'];
  for (const [name, spec, rules] of base.chains) block(out, `chain ${name}`, spec ? [spec] : [], rules);
  for (const [kind, name, spec] of base.sets) block(out, `${kind} ${name}`, spec, [], byContainer.get(name));
  for (const { rules } of c.ports.values()) {
    for (const [name, spec] of rules.sets) block(out, `set ${name}`, spec, []);
    for (const [name, rs] of rules.chains) block(out, `chain ${name}`, [], rs);
  }
  out.push('}');
  return out.join('\n') + '\n';
}

/**
 * One transaction that turns the table programmed for `prev` into the one for `next`, touching only
 * the service ports whose model changed; undefined when nothing did. A change of node addresses,
 * CIDRs or options gives the full ruleset. Order matters inside the transaction: new chains and sets
 * first, then map elements (deletions before additions), then flushes, set replacements and rules,
 * and chain deletions last, once no element or rule refers to them (kernels before 6.2 may still
 * refuse such a deletion: the sync then fails and the syncer's full resync cleans up).
 */
export function incrementalRuleset(prev: ProxyState, next: ProxyState, opts: NftOptions = {}): string | undefined {
  const cp = compile(prev, opts);
  const cn = compile(next, opts, cp);
  if (cp.ctx !== cn.ctx) return fullRuleset(next, opts);
  const changed: [PortRules | undefined, PortRules | undefined][] = [];
  for (const [k, e] of cn.ports) {
    const o = cp.ports.get(k);
    if (o?.rules !== e.rules) changed.push([o?.rules, e.rules]);
  }
  for (const [k, o] of cp.ports) if (!cn.ports.has(k)) changed.push([o.rules, undefined]);
  if (!changed.length) return undefined;

  const p = `ip ${opts.table ?? DEFAULT_TABLE}`;
  const addChains: string[] = [];
  const addSets: string[] = [];
  const flushes: string[] = [];
  const setSwaps: string[] = [];
  const addRules: string[] = [];
  const deleteChains: string[] = [];
  const touched = new Set<string>();
  for (const [a, b] of changed) {
    const oldChains = new Map(a?.chains ?? []);
    const newChains = new Map(b?.chains ?? []);
    const oldSets = new Map(a?.sets ?? []);
    // A set's timeout cannot be changed in place: delete and re-add it, after flushing every rule that uses it.
    let respec = false;
    for (const [name, spec] of b?.sets ?? []) {
      const o = oldSets.get(name);
      if (o === undefined) addSets.push(`add set ${p} ${name} ${setSpec(spec)}`);
      else if (setSpec(o) !== setSpec(spec)) {
        respec = true;
        setSwaps.push(`delete set ${p} ${name}`, `add set ${p} ${name} ${setSpec(spec)}`);
      }
    }
    const newSets = new Map(b?.sets ?? []);
    for (const [name] of oldSets) if (!newSets.has(name)) setSwaps.push(`delete set ${p} ${name}`);
    for (const [name, rules] of newChains) {
      const o = oldChains.get(name);
      if (o === undefined) addChains.push(`add chain ${p} ${name}`);
      else if (respec || o.length !== rules.length || o.some((r, i) => r !== rules[i])) flushes.push(`flush chain ${p} ${name}`);
      else continue;
      for (const r of rules) addRules.push(`add rule ${p} ${name} ${r}`);
    }
    for (const [name] of oldChains) {
      if (newChains.has(name)) continue;
      flushes.push(`flush chain ${p} ${name}`);
      deleteChains.push(`delete chain ${p} ${name}`);
    }
    for (const el of a?.elements ?? []) touched.add(el[3]);
    for (const el of b?.elements ?? []) touched.add(el[3]);
  }
  const deleteElements: string[] = [];
  const addElements: string[] = [];
  for (const k of touched) {
    const o = cp.elements.get(k);
    const n = cn.elements.get(k);
    if (o && n && o[2] === n[2]) continue;
    if (o) deleteElements.push(deleteElementLine(p, o));
    if (n) addElements.push(elementLine(p, n));
  }
  const out = [...addChains, ...addSets, ...deleteElements, ...addElements, ...flushes, ...setSwaps, ...addRules, ...deleteChains];
  // Ports whose model changed without changing a rule (e.g. an endpoint's ready flag) need nothing.
  return out.length ? out.join('\n') + '\n' : undefined;
}

/**
 * Rules a ruleset text adds: `add rule` commands, and the rule lines of chain blocks (for a full
 * ruleset, every rule in the table).
 */
export function countRules(text: string): number {
  let n = 0;
  let inChain = false;
  for (let i = 0; i < text.length; ) {
    let j = text.indexOf('\n', i);
    if (j < 0) j = text.length;
    const t = text.slice(i, j).trim();
    i = j + 1;
    if (t.startsWith('add rule ')) n++;
    else if (t.startsWith('chain ') && t.endsWith('{')) inChain = true;
    else if (t === '}') inChain = false;
    else if (inChain && t && !t.startsWith('type ')) n++;
  }
  return n;
}

/** Rules in the table programmed for `state`. */
export function ruleCount(state: ProxyState, opts: NftOptions = {}): number {
  return compile(state, opts).rules;
}
