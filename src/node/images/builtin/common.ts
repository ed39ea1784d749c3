/**
 * @module What the built-in programs share: Go-style flag parsing (the
 * upstream programs are Go, with `flag` or cobra/pflag), Go's log line
 * format, the bind address, and a few Go output conventions (json.Marshal,
 * RemoteAddr) so responses read as upstream's do.
 */
import { hostname } from 'node:os';

export type FlagKind = 'string' | 'int' | 'bool';
export type FlagValues = Record<string, string | number | boolean>;

export interface ParsedFlags {
  values: FlagValues;
  positional: string[];
}

/** klog's flags, which agnhost accepts on every subcommand and ignores here. */
const KLOG_FLAGS = new Set(['v', 'vmodule', 'logtostderr', 'alsologtostderr', 'stderrthreshold', 'log_dir', 'log_file', 'log_file_max_size', 'skip_headers', 'skip_log_headers', 'add_dir_header', 'one_output', 'log_backtrace_at']);

/**
 * Parses `-name=value`, `--name=value`, `-name value` and bare booleans, as
 * both Go's flag package and pflag accept them. `mode: 'flag'` (Go's flag)
 * stops at the first positional argument; `'pflag'` (cobra) collects
 * positionals from anywhere. Errors carry the upstream wording.
 */
export function parseFlags(args: string[], spec: Record<string, FlagKind>, mode: 'flag' | 'pflag'): ParsedFlags | { error: string } {
  const values: FlagValues = {};
  const positional: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === '--') {
      positional.push(...args.slice(i + 1));
      break;
    }
    if (!a.startsWith('-') || a === '-') {
      if (mode === 'flag') {
        positional.push(...args.slice(i));
        break;
      }
      positional.push(a);
      continue;
    }
    const body = a.replace(/^--?/, '');
    const eq = body.indexOf('=');
    const name = eq >= 0 ? body.slice(0, eq) : body;
    const kind = spec[name] ?? (KLOG_FLAGS.has(name) ? 'string' : undefined);
    if (!kind) return { error: mode === 'flag' ? `flag provided but not defined: -${name}` : `unknown flag: --${name}` };
    let raw: string | undefined = eq >= 0 ? body.slice(eq + 1) : undefined;
    if (kind === 'bool') {
      raw ??= 'true';
      if (!/^(1|0|t|f|true|false|TRUE|FALSE|True|False)$/.test(raw)) return { error: `invalid boolean value "${raw}" for -${name}: parse error` };
      values[name] = /^(1|t|true|TRUE|True)$/.test(raw);
      continue;
    }
    if (raw === undefined) {
      if (i + 1 >= args.length) return { error: mode === 'flag' ? `flag needs an argument: -${name}` : `flag needs an argument: --${name}` };
      raw = args[++i];
    }
    if (kind === 'int') {
      if (!/^[+-]?\d+$/.test(raw)) return { error: `invalid argument "${raw}" for "--${name}" flag: strconv.ParseInt: parsing "${raw}": invalid syntax` };
      values[name] = Number(raw);
    } else {
      values[name] = raw;
    }
  }
  return { values, positional };
}

/** The address to bind instead of all addresses; set by the catalog only when the node asks for it (tests on loopback). */
export function bindHost(): string | undefined {
  return process.env.NANOKUBE_BIND_ADDRESS || undefined;
}

/** Go's log package prefix: `2006/01/02 15:04:05 ` (UTC, as in a container without /etc/localtime). */
export function goLogPrefix(d = new Date()): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getUTCFullYear()}/${p(d.getUTCMonth() + 1)}/${p(d.getUTCDate())} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())} `;
}

/** log.Printf: to stderr, with the date prefix and a newline. */
export function logf(msg: string): void {
  process.stderr.write(goLogPrefix() + (msg.endsWith('\n') ? msg : `${msg}\n`));
}

/** log.Fatalf: log, then exit 1. */
export function fatalf(msg: string): never {
  logf(msg);
  process.exit(1);
}

export function getHostName(): string {
  return hostname();
}

/** http.Request.RemoteAddr: `ip:port`, IPv4-mapped IPv6 shown as IPv4, IPv6 in brackets. */
export function remoteAddr(address: string | undefined, port: number | undefined): string {
  const ip = (address ?? '').replace(/^::ffff:(?=\d+\.\d+\.\d+\.\d+$)/, '');
  return ip.includes(':') ? `[${ip}]:${port}` : `${ip}:${port}`;
}

/** encoding/json.Marshal of a map: keys sorted, <, > and & escaped as Go does. */
export function goJson(obj: Record<string, unknown>): string {
  const sorted = Object.fromEntries(Object.keys(obj).sort().map((k) => [k, obj[k]]));
  return JSON.stringify(sorted)
    .replace(/</g, '\\u003c')
    .replace(/>/g, '\\u003e')
    .replace(/&/g, '\\u0026')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

/** Parses a Go duration (`1.5s`, `300ms`, `1m30s`) to milliseconds; null when it does not parse. */
export function parseGoDuration(s: string): number | null {
  if (s === '0') return 0;
  const units: Record<string, number> = { ns: 1e-6, us: 1e-3, 'µs': 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
  const re = /(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|ms|s|m|h)/y;
  let total = 0;
  let i = 0;
  const sign = s.startsWith('-') ? -1 : 1;
  if (s[0] === '-' || s[0] === '+') i = 1;
  if (i >= s.length) return null;
  while (i < s.length) {
    re.lastIndex = i;
    const m = re.exec(s);
    if (!m) return null;
    total += Number(m[1]) * units[m[2]];
    i = re.lastIndex;
  }
  return sign * total;
}

/** Keeps the event loop alive until a signal handler exits (Go programs block on a channel). */
export function blockForever(): void {
  setInterval(() => {}, 1 << 30);
}

/** Splits Go's `host:port` listen address; an empty host means all addresses (or the bind address). */
export function splitHostPort(addr: string): { host?: string; port: number } | null {
  const m = /^(?:\[([^\]]*)\]|([^:]*)):(\d+)$/.exec(addr);
  if (!m) return null;
  const host = m[1] ?? m[2];
  return { host: host || bindHost(), port: Number(m[3]) };
}
