/**
 * @module Formatting helpers shared by the printers, each a copy of the
 * upstream function it is named after: duration.HumanDuration,
 * translateTimestampSince, labels.FormatLabels, metav1.FormatLabelSelector,
 * labels.Selector.String(), net.JoinHostPort and printers.go's small list helpers.
 */

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;

/**
 * k8s.io/apimachinery/pkg/util/duration.HumanDuration, for a duration in
 * milliseconds (fractions allowed). Go truncates toward zero at every step;
 * so does this. Up to one second in the future still reads "0s" (clock skew).
 */
export function humanDuration(ms: number): string {
  const seconds = Math.trunc(ms / SECOND);
  if (seconds < -1) return '<invalid>';
  if (seconds < 0) return '0s';
  if (seconds < 60 * 2) return `${seconds}s`;
  const minutes = Math.trunc(ms / MINUTE);
  if (minutes < 10) {
    const s = seconds % 60;
    return s === 0 ? `${minutes}m` : `${minutes}m${s}s`;
  }
  if (minutes < 60 * 3) return `${minutes}m`;
  const hours = Math.trunc(ms / HOUR);
  if (hours < 8) {
    const m = minutes % 60;
    return m === 0 ? `${hours}h` : `${hours}h${m}m`;
  }
  if (hours < 48) return `${hours}h`;
  const days = Math.trunc(hours / 24);
  if (hours < 24 * 8) {
    const h = hours % 24;
    return h === 0 ? `${days}d` : `${days}d${h}h`;
  }
  if (hours < 24 * 365 * 2) return `${days}d`;
  const years = Math.trunc(days / 365);
  if (hours < 24 * 365 * 8) {
    const dy = days % 365;
    return dy === 0 ? `${years}y` : `${years}y${dy}d`;
  }
  return `${years}y`;
}

/** Go's zero time.Time, which metav1.Time marshals as null but may arrive spelled out. */
const ZERO_TIME_MS = Date.parse('0001-01-01T00:00:00Z');

/** Parses a metav1.Time / MicroTime; undefined for a missing, zero or unparsable value (Go's IsZero). */
export function parseTime(ts: unknown): number | undefined {
  if (typeof ts !== 'string' || ts === '') return undefined;
  const t = Date.parse(ts);
  if (Number.isNaN(t) || t <= ZERO_TIME_MS) return undefined;
  return t;
}

/** printers.go translateTimestampSince (and translateMicroTimestampSince). */
export function translateTimestampSince(ts: unknown, now: Date): string {
  const t = parseTime(ts);
  return t === undefined ? '<unknown>' : humanDuration(now.getTime() - t);
}

/** labels.Set(m).String(): `k=v` pairs sorted by key, joined by ','. */
export function labelsString(m: Record<string, string> | null | undefined): string {
  return Object.keys(rec(m))
    .sort()
    .map((k) => `${k}=${str(m![k])}`)
    .join(',');
}

/** labels.FormatLabels: like labelsString, but `<none>` when empty. */
export function formatLabels(m: Record<string, string> | null | undefined): string {
  return labelsString(m) || '<none>';
}

export interface LabelSelector {
  matchLabels?: Record<string, string> | null;
  matchExpressions?: { key: string; operator: string; values?: string[] | null }[] | null;
}

export class LabelSelectorError extends Error {
  readonly code = 'INVALID_SELECTOR';
  constructor(message: string) {
    super(message);
    this.name = 'LabelSelectorError';
  }
}

const nameRe = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const dns1123SubdomainRe = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** validation.IsQualifiedName, as labels.NewRequirement applies it to keys. */
function validKey(key: string): boolean {
  const parts = key.split('/');
  if (parts.length > 2) return false;
  const name = parts[parts.length - 1];
  if (name.length === 0 || name.length > 63 || !nameRe.test(name)) return false;
  if (parts.length === 2) {
    const prefix = parts[0];
    if (prefix.length === 0 || prefix.length > 253 || !dns1123SubdomainRe.test(prefix)) return false;
  }
  return true;
}

/** validation.IsValidLabelValue: empty is allowed. */
function validValue(v: string): boolean {
  return v === '' || (v.length <= 63 && nameRe.test(v));
}

const opWords: Record<string, string> = { In: 'in', NotIn: 'notin', Exists: 'exists', DoesNotExist: '!' };

/**
 * metav1.LabelSelectorAsSelector(sel).String(): requirements sorted by key,
 * `k=v`, `k in (a,b)`, `k notin (a,b)`, `k`, `!k`, joined by ','. A null and an
 * empty selector both print as ''. Throws LabelSelectorError where upstream's
 * conversion returns an error (unknown operator, bad key or value, wrong value count).
 */
export function labelSelectorString(sel: LabelSelector | null | undefined): string {
  if (!sel || typeof sel !== 'object') return '';
  const reqs: { key: string; text: string }[] = [];
  const add = (key: string, op: string, values: string[]): void => {
    if (!validKey(key)) throw new LabelSelectorError(`invalid label key "${key}"`);
    if ((op === 'in' || op === 'notin') && values.length === 0) {
      throw new LabelSelectorError('for \'in\', \'notin\' operators, values set can\'t be empty');
    }
    if ((op === 'exists' || op === '!') && values.length !== 0) {
      throw new LabelSelectorError('values set must be empty for exists and does not exist');
    }
    for (const v of values) if (!validValue(v)) throw new LabelSelectorError(`invalid label value: "${v}"`);
    // Requirement.String() sorts a copy of the values for in/notin.
    const vals = [...values].sort().join(',');
    const text =
      op === '=' ? `${key}=${vals}`
      : op === 'exists' ? key
      : op === '!' ? `!${key}`
      : `${key} ${op} (${vals})`;
    reqs.push({ key, text });
  };
  for (const [k, v] of Object.entries(rec(sel.matchLabels))) add(k, '=', [str(v)]);
  for (const e of arr(sel.matchExpressions).map(rec)) {
    const op = Object.hasOwn(opWords, e.operator) ? opWords[e.operator] : undefined;
    if (!op) throw new LabelSelectorError(`"${str(e.operator)}" is not a valid label selector operator`);
    add(str(e.key), op, arr(e.values).map(str));
  }
  // internalSelector.Add sorts by key; a stable sort keeps matchLabels before expressions on a tie.
  reqs.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  return reqs.map((r) => r.text).join(',');
}

/** metav1.FormatLabelSelector: `<none>` for an empty result, `<error>` for an invalid selector. */
export function formatLabelSelector(sel: LabelSelector | null | undefined): string {
  try {
    return labelSelectorString(sel) || '<none>';
  } catch (e) {
    if (e instanceof LabelSelectorError) return '<error>';
    throw e;
  }
}

/** net.JoinHostPort: IPv6 literals get brackets. */
export function joinHostPort(host: string, port: number | string): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

/** printers.go listWithMoreString: `a,b,c + 2 more...`, or `<unset>` for nothing. */
export function listWithMore(list: string[], more: boolean, count: number, max: number): string {
  const ret = list.join(',');
  if (more) return `${ret} + ${count - max} more...`;
  return ret === '' ? '<unset>' : ret;
}

/** printers.go layoutContainerCells: container names and images, each joined by ','. */
export function layoutContainerCells(containers: { name?: string; image?: string }[] | null | undefined): [string, string] {
  const cs = arr(containers).map(rec);
  return [cs.map((c) => str(c.name)).join(','), cs.map((c) => str(c.image)).join(',')];
}

/** sets.NewString(...).List(): unique and sorted. */
export function sortedUnique(values: string[]): string[] {
  return [...new Set(values)].sort();
}

/** Go's zero value for a string field that may be missing from the JSON. */
export function str(v: unknown): string {
  return typeof v === 'string' ? v : v === undefined || v === null ? '' : String(v);
}

/** Go's zero value for an integer field that may be missing from the JSON. */
export function int(v: unknown): number {
  return typeof v === 'number' && Number.isFinite(v) ? Math.trunc(v) : 0;
}

/** A JSON array, or [] for anything else (a printer never throws on a malformed object). */
export function arr(v: unknown): any[] {
  return Array.isArray(v) ? v : [];
}

/** A JSON object, or {} for anything else. */
export function rec(v: unknown): Record<string, any> {
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, any>) : {};
}
