/**
 * @module The nftables mode's ruleset text, as pure functions of the
 * model's state: `fullRuleset` (one `nft -f` transaction that replaces the
 * whole table), `loadParts` (the same table as transactions that several nft
 * processes can load at once into a namespace without it), and
 * `incrementalRuleset` / `incrementalUpdate` (one transaction that changes
 * only what differs between two states: the chains, sets and map elements
 * of the service ports that changed, in commands nft sends without listing
 * the table first). The rules come from nftables-compile.ts, which makes an
 * incremental sync cost about what the change costs.
 */
import { changedPorts, compile, ownedElements, ownersAcross, type Compiled, type Element } from './nftables-compile.ts';
import { DEFAULT_TABLE, HAIRPIN_SET, baseTable, type NftOptions, type PortRules } from './nftables-rules.ts';
import type { ProxyState } from './types.ts';

export { samePort } from './nftables-compile.ts';
export type { NftOptions, PortRules };

const setSpec = (spec: string[]) => `{ ${spec.join(' ; ')} ; }`;

/** A chain, set or map in the table block, with its elements: one string (the block has some 100,000). */
function block(head: string, lines: string[], elements?: string[]): string {
  const body = lines.length ? `\n\t\t${lines.join('\n\t\t')}` : '';
  const els = elements?.length ? `\n\t\telements = {\n\t\t\t${elements.join(',\n\t\t\t')}\n\t\t}` : '';
  return `\t${head} {${body}${els}\n\t}`;
}

/**
 * The table block with the service ports from..to: with `withBase` the fixed part (base chains, sets
 * with their specs), else only the sets (to add elements to) and, empty, the fixed chains its rules
 * and elements jump to. Such blocks are valid alone and in any order with each other.
 */
function tableBlock(c: Compiled, state: ProxyState, opts: NftOptions, from: number, to: number, withBase: boolean): string[] {
  const base = baseTable(state.node, opts);
  const byContainer = new Map<string, string[]>(base.sets.map((x) => [x[1], []]));
  const push = (el: Element) => byContainer.get(el[0])!.push(el[2] ? `${el[1]} : ${el[2]}` : el[1]);
  if (withBase) base.elements.forEach(push);
  ownedElements(c, from, to, push);
  const out = [`table ip ${opts.table ?? DEFAULT_TABLE} {`, '\tcomment "rules for nanokube"'];
  for (const [name, spec, rules] of base.chains) {
    if (withBase) out.push(block(`chain ${name}`, spec ? [spec, ...rules] : rules));
    else if (JUMPED_TO.includes(name)) out.push(block(`chain ${name}`, []));
  }
  for (const [kind, name, spec] of base.sets) out.push(block(`${kind} ${name}`, spec, byContainer.get(name)));
  for (let i = from; i < to; i++) {
    const { rules } = c.ports[i];
    for (const [name, spec] of rules.sets) out.push(block(`set ${name}`, spec));
    for (const [name, rs] of rules.chains) out.push(block(`chain ${name}`, rs));
  }
  out.push('}');
  return out;
}

/** The fixed chains that service ports' rules and elements jump to. */
const JUMPED_TO = ['mark-for-masquerade', 'reject-chain'];

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
  return [`add table ip ${table}`, `delete table ip ${table}`, ...tableBlock(c, state, opts, 0, c.ports.length, true)].join('\n') + '\n';
}

/**
 * The whole table as `n` transactions that only add, for a namespace that has no such table yet:
 * each is valid alone and in any order with the others, so that several nft processes parse them at
 * once (nft spends most of a large load parsing and checking; the kernel commits one transaction at
 * a time). Together they make the table of fullRuleset, but not atomically: for a first load only.
 * Parts are made one at a time, of about equal weight (rules, chains and elements).
 */
export function* loadParts(state: ProxyState, opts: NftOptions, n: number): Generator<string> {
  const c = compile(state, opts);
  const weight = ({ rules }: (typeof c.ports)[number]) => rules.ruleCount + rules.chains.length + rules.elements.length;
  const total = c.ports.reduce((w, p) => w + weight(p), 0);
  let from = 0;
  let acc = 0;
  for (let k = 0; k < n; k++) {
    let to = from;
    if (k === n - 1) to = c.ports.length;
    else while (to < c.ports.length && acc < (total * (k + 1)) / n) acc += weight(c.ports[to++]);
    yield tableBlock(c, state, opts, from, to, k === 0).join('\n') + '\n';
    from = to;
  }
}

/**
 * `add chain` with the chain's rules in braces, one per line: unlike `add rule`, nft sends it without
 * listing the table first.
 */
function chainLine(p: string, name: string, rules: string[]): string {
  return rules.length ? `add chain ${p} ${name} {\n\t${rules.join('\n\t')}\n}` : `add chain ${p} ${name}`;
}

/**
 * One transaction that turns the table programmed for `prev` into the one for `next`, touching only
 * the service ports whose model changed; undefined when nothing did. A change of node addresses,
 * CIDRs or options gives the full ruleset. (The syncer uses incrementalUpdate, which may leave
 * unclaimed hairpin elements behind.)
 */
export function incrementalRuleset(prev: ProxyState, next: ProxyState, opts: NftOptions = {}): string | undefined {
  return transaction(prev, next, opts, undefined).text;
}

/** The most unclaimed hairpin elements incrementalUpdate leaves in the kernel's table. */
export const MAX_STALE_HAIRPINS = 1000;

/**
 * As incrementalRuleset, but leaving in the kernel's table the elements of the hairpin set that no
 * port claims any more, unless the transaction has to delete something else (then nft lists the
 * table anyway) or more than MAX_STALE_HAIRPINS would be left. nft 1.0.6 lists every chain of every
 * table before any `delete` (30 ms for 10,000 services), and endpoint churn removes endpoints from
 * the hairpin set all the time. An element left behind is harmless: it only matches a packet DNATed
 * to its own source address, which is then an endpoint of some service and in the set anyway.
 * `stale` is what earlier transactions left (empty after a full ruleset); returns what is left after
 * this one, which the caller keeps for the next.
 */
export function incrementalUpdate(prev: ProxyState, next: ProxyState, opts: NftOptions, stale: ReadonlySet<string>): { text: string | undefined; stale: Set<string> } {
  return transaction(prev, next, opts, stale);
}

/**
 * The commands are chosen for nft's sake: `add rule` and `add element` make nft 1.0.6 list every
 * chain of every table before it sends anything, while `flush chain`, `add chain NAME { rules }` and
 * `add set|map NAME { type ; elements = { ... } }` (on an existing set: only the elements are added)
 * need no such listing. Rules that name a set need it in nft's cache, so the affinity sets of a
 * rewritten chain are declared again (a no-op for the kernel). Deletions (elements, chains, sets)
 * still make nft list the table.
 *
 * Order matters inside the transaction: element deletions, then flushes of changed and removed
 * chains, set replacements (a timeout cannot change in place) and new sets, chains with their rules
 * (a port's chains in creation order, so that jumps resolve), element additions, and chain deletions
 * last, once no element or rule refers to them (kernels before 6.2 may still refuse such a deletion:
 * the sync then fails and the syncer's full resync cleans up). `stale` undefined: delete everything
 * unclaimed.
 */
function transaction(prev: ProxyState, next: ProxyState, opts: NftOptions, stale: ReadonlySet<string> | undefined): { text: string | undefined; stale: Set<string> } {
  const cp = compile(prev, opts);
  const cn = compile(next, opts, cp);
  if (cp.ctx !== cn.ctx) return { text: fullRuleset(next, opts), stale: new Set() };
  const changed = changedPorts(cp, cn);
  if (!changed.length) return { text: undefined, stale: new Set(stale) };

  const p = `ip ${opts.table ?? DEFAULT_TABLE}`;
  const flushes: string[] = [];
  const sets: string[] = [];
  const chains: string[] = [];
  const deleteChains: string[] = [];
  let deletesSets = false;
  const touched = new Set<string>();
  for (const [x, y] of changed) {
    const [a, b] = [x?.rules, y?.rules];
    const oldChains = new Map(a?.chains ?? []);
    const newChains = new Map(b?.chains ?? []);
    const oldSets = new Map(a?.sets ?? []);
    const newSets = new Map(b?.sets ?? []);
    for (const [name] of oldSets) {
      if (newSets.has(name)) continue;
      deletesSets = true;
      sets.push(`delete set ${p} ${name}`);
    }
    // A set whose spec changed is deleted and added again: every rule of the port that uses it goes first.
    let respec = false;
    for (const [name, spec] of newSets) {
      const o = oldSets.get(name);
      if (o !== undefined && setSpec(o) !== setSpec(spec)) {
        respec = deletesSets = true;
        sets.push(`delete set ${p} ${name}`);
      }
    }
    let rewrites = false;
    for (const [name, rules] of newChains) {
      const o = oldChains.get(name);
      if (o !== undefined) {
        if (!respec && o.length === rules.length && o.every((r, i) => r === rules[i])) continue;
        flushes.push(`flush chain ${p} ${name}`);
      }
      rewrites = true;
      chains.push(chainLine(p, name, rules));
    }
    // New, replaced, or (for the rewritten rules that name them) declared again.
    if (rewrites) for (const [name, spec] of newSets) sets.push(`add set ${p} ${name} ${setSpec(spec)}`);
    for (const [name] of oldChains) {
      if (newChains.has(name)) continue;
      flushes.push(`flush chain ${p} ${name}`);
      deleteChains.push(`delete chain ${p} ${name}`);
    }
    for (const el of a?.elements ?? []) touched.add(el[3]);
    for (const el of b?.elements ?? []) touched.add(el[3]);
  }
  // Elements grouped by container, in the order they come up.
  const deletes = new Map<string, string[]>();
  const adds = new Map<string, string[]>();
  const group = (m: Map<string, string[]>, container: string, item: string) => {
    const list = m.get(container);
    if (list) list.push(item);
    else m.set(container, [item]);
  };
  const left = new Set(stale);
  const [before, after] = ownersAcross(cp, cn, changed, touched);
  for (const k of touched) {
    const o = before.get(k);
    const n = after.get(k);
    if (o && n && o[2] === n[2]) continue;
    if (o) group(deletes, o[0], o[1]);
    // A hairpin element left behind earlier is still in the table.
    if (n && n[0] === HAIRPIN_SET && left.delete(n[1])) continue;
    if (n) group(adds, n[0], n[2] ? `${n[1]} : ${n[2]}` : n[1]);
  }
  const unclaimed = deletes.get(HAIRPIN_SET) ?? [];
  const cleanup = !stale || deletesSets || deleteChains.length > 0 || deletes.size > (unclaimed.length ? 1 : 0) || left.size + unclaimed.length > MAX_STALE_HAIRPINS;
  if (cleanup) {
    for (const k of left) group(deletes, HAIRPIN_SET, k);
    left.clear();
  } else {
    for (const k of unclaimed) left.add(k);
    deletes.delete(HAIRPIN_SET);
  }
  const containers = new Map(baseTable(next.node, opts).sets.map(([kind, name, spec]) => [name, [kind, spec[0]]]));
  const out = [...[...deletes].map(([c, keys]) => `delete element ${p} ${c} { ${keys.join(', ')} }`), ...flushes, ...sets, ...chains];
  for (const [c, items] of adds) {
    const [kind, type] = containers.get(c)!;
    out.push(`add ${kind} ${p} ${c} { ${type} ; elements = { ${items.join(', ')} } ; }`);
  }
  out.push(...deleteChains);
  // Ports whose model changed without changing a rule (e.g. an endpoint's ready flag) need nothing.
  return { text: out.length ? out.join('\n') + '\n' : undefined, stale: left };
}

/**
 * Rules a ruleset text adds: `add rule` commands, and the rule lines of chain blocks (of the table
 * block of a full ruleset: every rule in the table; or of `add chain NAME {` commands).
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
    else if ((t.startsWith('chain ') || t.startsWith('add chain ')) && t.endsWith('{')) inChain = true;
    else if (t === '}') inChain = false;
    else if (inChain && t && !t.startsWith('type ')) n++;
  }
  return n;
}

/** Rules in the table programmed for `state`. */
export function ruleCount(state: ProxyState, opts: NftOptions = {}): number {
  return compile(state, opts).rules;
}
