/**
 * @module The Corefile subset nanokube's DNS server reads (pure). The
 * syntax is CoreDNS's: server blocks `ZONE[:PORT] ... { directives }`, one
 * directive per line, nested `{ }` blocks for options, `#` comments.
 *
 * Understood (everything else is listed in `ignored`, logged, and skipped):
 *   the root block `.:53 { ... }`:
 *     kubernetes [ZONES...] { pods insecure|disabled|verified, fallthrough [ZONES...], ttl N: one per line }
 *     forward . /etc/resolv.conf | IP[:PORT]... { options ignored }
 *     cache [TTL] { success CAP [TTL], denial CAP [TTL]: one per line }
 *     loadbalance [round_robin]
 *     errors health ready prometheus loop reload log: accepted (their work is done by flags or always on)
 *   other blocks `consul.local:53 { forward . 10.0.0.1 }`: a stub domain.
 * A Corefile that does not parse throws DnsError('COREFILE') with the line.
 */
import { isIP } from 'node:net';
import { canonical } from './names.ts';
import { DnsError, type DnsConfig, type StubDomain, type Upstream } from './types.ts';

interface Directive {
  name: string;
  args: string[];
  line: number;
  block?: Directive[];
}

interface ServerBlock {
  keys: string[];
  line: number;
  directives: Directive[];
}

/** Plugins accepted with no setting of their own here: their work is always on or configured by flags. */
const ACCEPTED = new Set(['errors', 'health', 'ready', 'prometheus', 'loop', 'reload', 'log', 'debug']);
/** CoreDNS's defaults (plugin/cache: maxTTL 3600 s, maxNTTL 1800 s, capacity 9984 per kind). */
const CACHE_SUCCESS_TTL = 3600;
const CACHE_DENIAL_TTL = 1800;
const CACHE_CAPACITY = 9984;
/** CoreDNS's kubernetes plugin default TTL. */
export const DEFAULT_TTL = 5;

const fail = (line: number, msg: string): never => {
  throw new DnsError('COREFILE', `Corefile line ${line}: ${msg}`);
};

/** Words with their line numbers; `{`, `}` and line ends are tokens of their own. */
function tokenize(text: string): { t: string; line: number }[] {
  const out: { t: string; line: number }[] = [];
  let line = 1;
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (c === '\n') {
      out.push({ t: '\n', line });
      line++;
      i++;
    } else if (c === ' ' || c === '\t' || c === '\r') i++;
    else if (c === '#') while (i < text.length && text[i] !== '\n') i++;
    else if (c === '{' || c === '}') {
      out.push({ t: c, line });
      i++;
    } else if (c === '"') {
      const end = text.indexOf('"', i + 1);
      if (end < 0) fail(line, 'unterminated quote');
      out.push({ t: text.slice(i + 1, end), line });
      line += text.slice(i, end).split('\n').length - 1;
      i = end + 1;
    } else {
      let j = i;
      while (j < text.length && !' \t\r\n{}#"'.includes(text[j])) j++;
      out.push({ t: text.slice(i, j), line });
      i = j;
    }
  }
  return out;
}

/** The server blocks of a Corefile (syntax only). */
export function parseBlocks(text: string): ServerBlock[] {
  const toks = tokenize(text);
  let p = 0;
  const skipNewlines = () => {
    while (p < toks.length && toks[p].t === '\n') p++;
  };
  const directives = (open: number): Directive[] => {
    const list: Directive[] = [];
    for (;;) {
      skipNewlines();
      if (p >= toks.length) fail(open, 'unclosed "{"');
      const tok = toks[p];
      if (tok.t === '}') {
        p++;
        return list;
      }
      if (tok.t === '{') fail(tok.line, 'unexpected "{"');
      const d: Directive = { name: tok.t.toLowerCase(), args: [], line: tok.line };
      p++;
      while (p < toks.length && toks[p].t !== '\n' && toks[p].t !== '{' && toks[p].t !== '}') d.args.push(toks[p++].t);
      if (p < toks.length && toks[p].t === '{') {
        p++;
        d.block = directives(tok.line);
      }
      list.push(d);
    }
  };
  const blocks: ServerBlock[] = [];
  for (;;) {
    skipNewlines();
    if (p >= toks.length) break;
    const line = toks[p].line;
    const keys: string[] = [];
    while (p < toks.length && toks[p].t !== '{' && toks[p].t !== '}') {
      if (toks[p].t !== '\n') keys.push(toks[p].t);
      p++;
    }
    if (p >= toks.length || toks[p].t !== '{') fail(line, `server block ${keys.join(' ') || '(empty)'} without "{"`);
    if (keys.length === 0) fail(line, 'server block without a zone');
    p++;
    blocks.push({ keys, line, directives: directives(line) });
  }
  if (blocks.length === 0) fail(1, 'no server block');
  return blocks;
}

/** `dns://.:53` / `cluster.local:53` / `.` → zone (canonical, '' for the root) and port. */
function parseKey(key: string, line: number): { zone: string; port: number } {
  const k = key.replace(/^dns:\/\//i, '');
  if (/^[a-z]+:\/\//i.test(k)) fail(line, `unsupported transport in ${key}`);
  const m = /^(.*?)(?::(\d+))?$/.exec(k)!;
  const port = m[2] === undefined ? 53 : Number(m[2]);
  if (port < 1 || port > 65535) fail(line, `bad port in ${key}`);
  return { zone: canonical(m[1] || '.'), port };
}

/** `10.0.0.1`, `10.0.0.1:5353`, `[fd00::1]:53`, `dns://10.0.0.1` → an upstream. */
export function parseUpstream(s: string, line: number): Upstream {
  const t = s.replace(/^dns:\/\//i, '');
  if (/^[a-z]+:\/\//i.test(t)) fail(line, `unsupported upstream transport in ${s} (only plain DNS)`);
  let host = t;
  let port = 53;
  const v6 = /^\[([^\]]+)\](?::(\d+))?$/.exec(t);
  if (v6) {
    host = v6[1];
    if (v6[2]) port = Number(v6[2]);
  } else if (!isIP(t)) {
    const i = t.lastIndexOf(':');
    if (i > 0) {
      host = t.slice(0, i);
      port = Number(t.slice(i + 1));
    }
  }
  if (!isIP(host)) fail(line, `upstream ${s} is not an IP address`);
  if (!Number.isInteger(port) || port < 1 || port > 65535) fail(line, `bad port in upstream ${s}`);
  return { host, port };
}

function parseForward(d: Directive, blockZone: string): { upstreams: Upstream[] } | { resolvConf: string } {
  if (d.args.length < 2) fail(d.line, 'forward needs FROM and at least one TO');
  const from = canonical(d.args[0]);
  // `.` matches whatever reaches the block (the block's zones); a narrower FROM is not supported.
  if (from !== '' && from !== blockZone) fail(d.line, `forward ${d.args[0]} in a block for ${blockZone || '.'} (only "." or the block's zone is supported)`);
  const to = d.args.slice(1);
  const files = to.filter((t) => t.includes('/') && !/^[a-z]+:\/\//i.test(t));
  if (files.length > 0) {
    if (to.length > 1) fail(d.line, 'forward: a resolv.conf file cannot be mixed with addresses');
    return { resolvConf: files[0] };
  }
  return { upstreams: to.map((t) => parseUpstream(t, d.line)) };
}

const intArg = (v: string | undefined, d: Directive, what: string, max: number): number => {
  const n = Number(v);
  if (v === undefined || !/^\d+$/.test(v) || n > max) fail(d.line, `${d.name}: bad ${what} ${v ?? '(missing)'}`);
  return n;
};

function parseKubernetes(d: Directive, blockZones: string[], cfg: DnsConfig): void {
  const zones = d.args.length > 0 ? d.args.map(canonical) : blockZones.filter((z) => z !== '');
  if (zones.length === 0 || zones.includes('')) fail(d.line, 'kubernetes needs a zone other than "."');
  cfg.cluster = { zones, pods: 'disabled', ttl: DEFAULT_TTL, fallthrough: undefined };
  for (const o of d.block ?? []) {
    if (o.name === 'pods') {
      const mode = o.args[0];
      if (mode === 'insecure' || mode === 'disabled') cfg.cluster.pods = mode;
      else if (mode === 'verified') {
        // Verified mode needs a watch on every Pod; nanokube answers as `insecure` and says so.
        cfg.cluster.pods = 'insecure';
        cfg.ignored.push('kubernetes/pods verified (served as insecure)');
      } else fail(o.line, `pods: unknown mode ${mode ?? '(missing)'}`);
    } else if (o.name === 'ttl') cfg.cluster.ttl = intArg(o.args[0], o, 'ttl', 3600);
    else if (o.name === 'fallthrough') cfg.cluster.fallthrough = o.args.map(canonical);
    else cfg.ignored.push(`kubernetes/${o.name}`);
  }
}

function parseCache(d: Directive): DnsConfig['cache'] {
  const c = { successTtl: CACHE_SUCCESS_TTL, denialTtl: CACHE_DENIAL_TTL, capacity: CACHE_CAPACITY };
  if (d.args[0] !== undefined) c.successTtl = c.denialTtl = intArg(d.args[0], d, 'TTL', 86400);
  let capacity = 0;
  for (const o of d.block ?? []) {
    if (o.name !== 'success' && o.name !== 'denial') continue;
    capacity += intArg(o.args[0], o, 'capacity', 1e7);
    if (o.args[1] !== undefined) c[o.name === 'success' ? 'successTtl' : 'denialTtl'] = intArg(o.args[1], o, 'TTL', 86400);
  }
  if (capacity > 0) c.capacity = capacity;
  return c;
}

/** Every default in one place: what an empty `.:53 {}` configures (no cluster zone without `kubernetes`). */
export function defaultConfig(): DnsConfig {
  return {
    cluster: { zones: [], pods: 'disabled', ttl: DEFAULT_TTL },
    forward: undefined,
    stubDomains: [],
    cache: undefined,
    loadbalance: false,
    port: 53,
    ignored: [],
  };
}

/** Reads a Corefile into the configuration; throws DnsError('COREFILE') when it does not parse. */
export function parseCorefile(text: string): DnsConfig {
  const cfg = defaultConfig();
  const blocks = parseBlocks(text);
  let root = false;
  for (const b of blocks) {
    const keys = b.keys.map((k) => parseKey(k, b.line));
    const zones = keys.map((k) => k.zone);
    if (zones.includes('')) {
      if (root) fail(b.line, 'a second server block for "."');
      root = true;
      cfg.port = keys.find((k) => k.zone === '')!.port;
      for (const d of b.directives) {
        if (d.name === 'kubernetes') parseKubernetes(d, zones, cfg);
        else if (d.name === 'forward') cfg.forward = parseForward(d, '');
        else if (d.name === 'cache') cfg.cache = parseCache(d);
        else if (d.name === 'loadbalance') {
          if (d.args[0] !== undefined && d.args[0] !== 'round_robin') fail(d.line, `loadbalance: unknown policy ${d.args[0]}`);
          cfg.loadbalance = true;
        } else if (!ACCEPTED.has(d.name)) cfg.ignored.push(d.name);
      }
      continue;
    }
    // Any other block is a stub domain: its zones go to its own upstreams.
    const fwd = b.directives.find((d) => d.name === 'forward');
    if (!fwd) {
      cfg.ignored.push(`server block ${b.keys.join(' ')} (no forward)`);
      continue;
    }
    for (const d of b.directives) if (d.name !== 'forward' && !ACCEPTED.has(d.name) && d.name !== 'cache') cfg.ignored.push(`${zones[0]}/${d.name}`);
    for (const zone of zones) {
      const f = parseForward(fwd, zone);
      if ('resolvConf' in f) return fail(fwd.line, 'a stub domain forwards to addresses, not to a resolv.conf');
      cfg.stubDomains.push({ zone, upstreams: f.upstreams } satisfies StubDomain);
    }
  }
  if (!root) fail(1, 'no server block for "."');
  return cfg;
}

/** The nameservers of a resolv.conf (port 53), in order. */
export function parseResolvConf(text: string): Upstream[] {
  const out: Upstream[] = [];
  for (const raw of text.split('\n')) {
    const [word, addr] = raw.replace(/[#;].*$/, '').trim().split(/\s+/);
    if (word !== 'nameserver' || !addr) continue;
    const host = addr.replace(/%.*$/, ''); // a zone index (fe80::1%eth0) is not usable from a pod
    if (isIP(host)) out.push({ host, port: 53 });
  }
  return out;
}
