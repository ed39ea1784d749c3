/**
 * @module The nftables mode's compiled states: each state's service ports
 * with their rules (nftables-rules.ts), cached per state object, and which
 * port owns each map or set element. Made for incremental syncs of large
 * states: an unchanged service port reuses its rules from the previous
 * state, and the model keeps unchanged ports as the same objects, so
 * comparing two states of 10,000 services is a walk over two sorted arrays
 * with identity checks; the element claims are moved from one state to the
 * next and patched for the changed ports, never rebuilt. States are taken
 * as immutable and sorted by key (as proxyState makes them; others are
 * sorted here).
 */
import { DEFAULT_TABLE, baseTable, portRules, type NftOptions, type PortRules } from './nftables-rules.ts';
import type { ProxyEndpoint, ProxyServicePort, ProxyState } from './types.ts';

export type Element = PortRules['elements'][number];

/** One service port and the rules made from it. */
export interface CompiledPort {
  sp: ProxyServicePort;
  rules: PortRules;
}

/** The claims on one element id: one element, or several in port (key) order, the owner first. */
type Claims = Element | Element[];
const single = (c: Claims): c is Element => typeof c[0] === 'string';

export interface Compiled {
  /** Everything outside the ports that the rules depend on; a different ctx means a full rewrite. */
  ctx: string;
  /** Service ports in key order, the first of each key only (a second would program the same chains). */
  ports: CompiledPort[];
  /** Rules in the whole table. */
  rules: number;
  /**
   * Claims on each element `${container} ${key}`. Two ports may claim one: an endpoint of several
   * services in the hairpin set, or bad input such as two services with one external address and
   * port (the first port wins, else `add element` would fail the whole transaction). Built when first
   * needed, possibly part by part (`claimed`: ports in it so far); an incremental sync moves it on to
   * the next state (then it is undefined here).
   */
  claims?: Map<string, Claims>;
  claimed?: number;
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
 * Whether two service ports are the same, field by field (a generic deep comparison costs three
 * times as much). Every field of ProxyServicePort must be compared here: the unit tests change each
 * field of a full sample and expect a difference.
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

const byKey = (a: ProxyServicePort, b: ProxyServicePort) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);

/** Compiles (or finds) the rules of `state`; ports whose model is unchanged since `reuse` keep their rules. */
export function compile(state: ProxyState, opts: NftOptions, reuse?: Compiled): Compiled {
  const ctx = contextOf(state, opts);
  const hit = compiled.get(state);
  if (hit && hit.ctx === ctx) return hit;
  const old = reuse && reuse.ctx === ctx ? reuse.ports : [];
  let services = state.services;
  for (let i = 1; i < services.length; i++) {
    if (services[i - 1].key > services[i].key) {
      services = [...services].sort(byKey);
      break;
    }
  }
  const ports: CompiledPort[] = [];
  let rules = baseTable(state.node, opts).chains.reduce((n, c) => n + c[2].length, 0);
  let j = 0;
  for (const sp of services) {
    if (ports.length && ports[ports.length - 1].sp.key === sp.key) continue;
    // Both lists are in key order: skip the old ports before this one (keys are compared only when the objects differ).
    while (j < old.length && old[j].sp !== sp && old[j].sp.key < sp.key) j++;
    const o = old[j];
    const r = o && (o.sp === sp || (o.sp.key === sp.key && samePort(o.sp, sp))) ? o.rules : portRules(sp, state.node);
    ports.push({ sp, rules: r });
    rules += r.ruleCount;
  }
  const c: Compiled = { ctx, ports, rules };
  compiled.set(state, c);
  return c;
}

/** The ports that differ between two compiled states (rules reused means unchanged): [old, new], either may be missing. */
export function changedPorts(a: Compiled, b: Compiled): [CompiledPort | undefined, CompiledPort | undefined][] {
  const out: [CompiledPort | undefined, CompiledPort | undefined][] = [];
  const [p, n] = [a.ports, b.ports];
  let i = 0;
  let j = 0;
  while (i < p.length || j < n.length) {
    const x = p[i];
    const y = n[j];
    if (x && y && x.rules === y.rules) {
      i++;
      j++;
    } else if (x && y && x.sp.key === y.sp.key) out.push([p[i++], n[j++]]);
    else if (y && (!x || y.sp.key < x.sp.key)) out.push([undefined, n[j++]]);
    else out.push([p[i++], undefined]);
  }
  return out;
}

/** Adds a claim; true when it is the first on its id. */
function addClaim(m: Map<string, Claims>, el: Element): boolean {
  const c = m.get(el[3]);
  if (!c) {
    // Most ids have one claim: no list for them.
    m.set(el[3], el);
    return true;
  }
  const list = single(c) ? [c] : c;
  let k = list.length;
  while (k > 0 && list[k - 1][4] > el[4]) k--;
  list.splice(k, 0, el);
  m.set(el[3], list);
  return false;
}

function dropClaim(m: Map<string, Claims>, el: Element): void {
  const c = m.get(el[3]);
  if (c === el) m.delete(el[3]);
  else if (c && !single(c)) {
    const k = c.indexOf(el);
    if (k >= 0) c.splice(k, 1);
    if (c.length === 1) m.set(el[3], c[0]);
  }
}

/** The claims of `c`, built (or completed) if it has none (never built, or moved on to a later state). */
export function claimsOf(c: Compiled): Map<string, Claims> {
  const m = (c.claims ??= new Map());
  for (let i = c.claimed ?? 0; i < c.ports.length; i++) for (const el of c.ports[i].rules.elements) addClaim(m, el);
  c.claimed = c.ports.length;
  return m;
}

/**
 * Calls `visit` for each element of the ports from..to (in port order) that the state's table holds
 * in their name: the owner of its id. Called part after part from the first port, it builds the
 * claims on the way (in key order the first claim on an id is its owner).
 */
export function ownedElements(c: Compiled, from: number, to: number, visit: (el: Element) => void): void {
  if ((c.claimed ?? 0) === from && from < c.ports.length) {
    const m = (c.claims ??= new Map());
    for (let i = from; i < to; i++) for (const el of c.ports[i].rules.elements) if (addClaim(m, el)) visit(el);
    c.claimed = to;
    return;
  }
  const claims = claimsOf(c);
  for (let i = from; i < to; i++) for (const el of c.ports[i].rules.elements) if (owner(claims, el[3]) === el) visit(el);
}

/** The element that owns `id` in the table of a state: its first claim. */
export function owner(claims: Map<string, Claims>, id: string): Element | undefined {
  const c = claims.get(id);
  return c && (single(c) ? c : c[0]);
}

/**
 * The owners of the elements `ids` before and after the change from `a` to `b`. When `b` has no
 * claims yet, `a`'s are moved to it and patched for the `changed` ports: the cost is that of the
 * change, not of the table.
 */
export function ownersAcross(a: Compiled, b: Compiled, changed: [CompiledPort | undefined, CompiledPort | undefined][], ids: Set<string>): [Map<string, Element>, Map<string, Element>] {
  const before = new Map<string, Element>();
  const after = new Map<string, Element>();
  const pick = (claims: Map<string, Claims>, into: Map<string, Element>) => {
    for (const id of ids) {
      const el = owner(claims, id);
      if (el) into.set(id, el);
    }
  };
  const claims = claimsOf(a);
  pick(claims, before);
  if (!b.claims) {
    for (const [x, y] of changed) {
      for (const el of x?.rules.elements ?? []) dropClaim(claims, el);
      for (const el of y?.rules.elements ?? []) addClaim(claims, el);
    }
    b.claims = claims;
    b.claimed = b.ports.length;
    a.claims = undefined;
    a.claimed = 0;
  }
  pick(b.claims, after);
  return [before, after];
}
