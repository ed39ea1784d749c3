/**
 * @module A small interpreter of the nftables text this mode writes (the
 * table blocks of `fullRuleset` and `loadParts`, the commands of
 * `incrementalRuleset`, with `add chain NAME {` rule lines `}` and
 * `add set NAME { spec ; elements = { ... } ; }`), for tests: it applies a
 * transaction to an in-memory table and refuses what the kernel refuses (a
 * missing chain, set or element, a chain or set still referenced, an element
 * added twice with another value, a set redefined with another type or
 * flags), all or nothing; like the kernel it keeps an existing set's timeout
 * and comment. Not a general nft parser.
 */

export interface NftChain {
  /** Base chain spec (`type nat hook output priority -100; policy accept;`) or ''. */
  spec: string;
  rules: string[];
}

export interface NftSet {
  kind: 'set' | 'map';
  spec: string[];
  /** Key to value ('' for set elements). */
  elements: Map<string, string>;
}

export interface NftTable {
  chains: Map<string, NftChain>;
  sets: Map<string, NftSet>;
}

/** What the interpreted kernel holds: tables by `family name`. */
export type NftRuleset = Map<string, NftTable>;

export class NftInterpError extends Error {
  readonly code: 'ENOENT' | 'EEXIST' | 'EBUSY' | 'SYNTAX';
  constructor(code: NftInterpError['code'], message: string) {
    super(`${code}: ${message}`);
    this.name = 'NftInterpError';
    this.code = code;
  }
}

const refs = (text: string) => [...text.matchAll(/\b(?:jump|goto) ([^\s,}]+)/g)].map((m) => m[1]);
const setRefs = (text: string) => [...text.matchAll(/@([^\s,}]+)/g)].map((m) => m[1]);

function clone(rs: NftRuleset): NftRuleset {
  const out: NftRuleset = new Map();
  for (const [k, t] of rs) {
    out.set(k, {
      chains: new Map([...t.chains].map(([n, c]) => [n, { spec: c.spec, rules: [...c.rules] }])),
      sets: new Map([...t.sets].map(([n, s]) => [n, { kind: s.kind, spec: [...s.spec], elements: new Map(s.elements) }])),
    });
  }
  return out;
}

function need<T>(v: T | undefined, what: string): T {
  if (v === undefined) throw new NftInterpError('ENOENT', what);
  return v;
}

function checkRefs(t: NftTable, text: string, where: string): void {
  for (const c of refs(text)) need(t.chains.get(c), `${where}: no chain ${c}`);
  for (const s of setRefs(text)) need(t.sets.get(s), `${where}: no set ${s}`);
}

function chainUsed(t: NftTable, name: string): boolean {
  for (const [n, c] of t.chains) if (n !== name && c.rules.some((r) => refs(r).includes(name))) return true;
  for (const s of t.sets) for (const v of s[1].elements.values()) if (refs(v).includes(name)) return true;
  return false;
}

/**
 * Adds a set, or checks an existing one as the kernel does: another kind, type or flags is refused,
 * while a different timeout or comment is ignored (the set keeps its own).
 */
function addSet(t: NftTable, kind: 'set' | 'map', name: string, spec: string[]): void {
  const old = t.sets.get(name);
  const essential = (lines: string[]) => lines.filter((l) => !/^(timeout|comment) /.test(l)).join(';');
  if (!old) t.sets.set(name, { kind, spec, elements: new Map() });
  else if (old.kind !== kind || essential(old.spec) !== essential(spec)) throw new NftInterpError('EEXIST', `set ${name} redefined`);
}

function addElement(t: NftTable, name: string, item: string): void {
  const s = need(t.sets.get(name), `no set ${name}`);
  const i = item.indexOf(' : ');
  const [key, value] = i < 0 ? [item, ''] : [item.slice(0, i), item.slice(i + 3)];
  checkRefs(t, value, `element of ${name}`);
  const old = s.elements.get(key);
  if (old !== undefined && old !== value) throw new NftInterpError('EEXIST', `element ${key} of ${name}`);
  s.elements.set(key, value);
}

const inBraces = (s: string) => {
  const m = /^\{ (.*) \}$/.exec(s.trim());
  if (!m) throw new NftInterpError('SYNTAX', s);
  return m[1];
};

/** The statements of `{ a ; b ; }` (none of ours has a ' ; ' inside). */
const statements = (s: string) => inBraces(s).replace(/ ;$/, '').split(' ; ');

/** Applies a `table ip T { ... }` block starting at lines[i]; returns the index after it. */
function applyBlock(rs: NftRuleset, id: string, lines: string[], i: number): number {
  if (!rs.has(id)) rs.set(id, { chains: new Map(), sets: new Map() });
  const t = rs.get(id)!;
  const rules: [string, string][] = [];
  const elements: [string, string][] = [];
  for (i++; i < lines.length; i++) {
    const l = lines[i].trim();
    if (l === '}') return finishBlock(t, rules, elements, i + 1);
    if (l.startsWith('comment ')) continue;
    const head = /^(chain|set|map) (\S+) \{$/.exec(l);
    if (!head) throw new NftInterpError('SYNTAX', l);
    const [, kind, name] = head;
    const body: string[] = [];
    let els: string[] | undefined;
    for (i++; lines[i].trim() !== '}'; i++) {
      const b = lines[i].trim();
      if (b === 'elements = {') els = [];
      else if (els && b !== '}') els.push(b.replace(/,$/, ''));
      else if (!els) body.push(b);
    }
    // The element list closes with its own brace, the object with the next one.
    if (els) i++;
    if (kind === 'chain') {
      const spec = body[0]?.startsWith('type ') ? body.shift()! : '';
      if (!t.chains.has(name)) t.chains.set(name, { spec, rules: [] });
      for (const r of body) rules.push([name, r]);
    } else {
      addSet(t, kind as 'set' | 'map', name, body);
      for (const e of els ?? []) elements.push([name, e]);
    }
  }
  throw new NftInterpError('SYNTAX', 'unterminated table block');
}

/** nft creates a block's chains and sets first, so rules and elements may refer forward. */
function finishBlock(t: NftTable, rules: [string, string][], elements: [string, string][], next: number): number {
  for (const [name, e] of elements) addElement(t, name, e);
  for (const [chain, r] of rules) {
    checkRefs(t, r, `rule in ${chain}`);
    t.chains.get(chain)!.rules.push(r);
  }
  return next;
}

function command(rs: NftRuleset, line: string, body: string[] = []): void {
  const m = /^(add|delete|flush) (table|chain|rule|set|map|element) (ip) (\S+)(?: (\S+))?(?: (.*))?$/.exec(line);
  if (!m) throw new NftInterpError('SYNTAX', line);
  const [, verb, what, family, table, name, rest = ''] = m;
  const id = `${family} ${table}`;
  if (what === 'table') {
    if (verb === 'add' && !rs.has(id)) rs.set(id, { chains: new Map(), sets: new Map() });
    else if (verb === 'delete') rs.delete(need(rs.has(id) ? id : undefined, `no table ${id}`));
    return;
  }
  const t = need(rs.get(id), `no table ${id}`);
  const key = `${what} ${verb}`;
  if (key === 'chain add') {
    // `add chain NAME {` + one rule per line + `}` appends the rules, to a new chain or an existing one.
    if (rest && rest !== '{') throw new NftInterpError('SYNTAX', line);
    if (!t.chains.has(name)) t.chains.set(name, { spec: '', rules: [] });
    for (const r of body) {
      checkRefs(t, r, `rule in ${name}`);
      t.chains.get(name)!.rules.push(r);
    }
  } else if (key === 'chain flush') need(t.chains.get(name), `no chain ${name}`).rules = [];
  else if (key === 'chain delete') {
    need(t.chains.get(name), `no chain ${name}`);
    if (chainUsed(t, name)) throw new NftInterpError('EBUSY', `chain ${name} in use`);
    t.chains.delete(name);
  } else if (key === 'rule add') {
    const c = need(t.chains.get(name), `no chain ${name}`);
    checkRefs(t, rest, `rule in ${name}`);
    c.rules.push(rest);
  } else if ((what === 'set' || what === 'map') && verb === 'add') {
    // `add set NAME { spec ; elements = { ... } ; }`: on an existing set only the elements count.
    const parts = statements(rest);
    const els = parts.find((x) => x.startsWith('elements = '));
    addSet(t, what, name, parts.filter((x) => x !== els));
    for (const item of els ? inBraces(els.slice('elements = '.length)).split(', ') : []) addElement(t, name, item);
  } else if ((what === 'set' || what === 'map') && verb === 'delete') {
    need(t.sets.get(name), `no set ${name}`);
    for (const c of t.chains.values()) if (c.rules.some((r) => setRefs(r).includes(name))) throw new NftInterpError('EBUSY', `set ${name} in use`);
    t.sets.delete(name);
  } else if (key === 'element add') {
    for (const item of inBraces(rest).split(', ')) addElement(t, name, item);
  } else if (key === 'element delete') {
    const s = need(t.sets.get(name), `no set ${name}`);
    for (const k of inBraces(rest).split(', ')) {
      need(s.elements.get(k), `no element ${k} in ${name}`);
      s.elements.delete(k);
    }
  } else throw new NftInterpError('SYNTAX', line);
}

/** Applies one `nft -f` text as a transaction: on any error nothing changes and the error is thrown. */
export function applyNft(rs: NftRuleset, text: string): NftRuleset {
  const work = clone(rs);
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; ) {
    const l = lines[i].trim();
    const block = /^table (ip) (\S+) \{$/.exec(l);
    if (block) i = applyBlock(work, `${block[1]} ${block[2]}`, lines, i);
    else if (l.startsWith('add chain ') && l.endsWith(' {')) {
      // A command with a body: its lines up to the closing brace.
      const end = lines.indexOf('}', i);
      if (end < 0) throw new NftInterpError('SYNTAX', `unterminated ${l}`);
      command(work, l, lines.slice(i + 1, end).map((x) => x.trim()));
      i = end + 1;
    } else {
      if (l) command(work, l);
      i++;
    }
  }
  rs.clear();
  for (const [k, v] of work) rs.set(k, v);
  return rs;
}
