/**
 * @module Upstream prints a bad value that is not a plain string or number
 * with Go's %#v (`map[string]string{"app":"x"}`, `core.ServicePort{...}`) or,
 * for types with a String() method, with that (`500m`, `25%`,
 * `&LabelSelector{...}`). field-errors.ts renders such values as JSON; this
 * module attaches the Go text to the value under a well-known symbol so a
 * renderer can print upstream's exact text (see upstreamErrorText), while
 * plain JSON rendering keeps working unchanged.
 */
import type { FieldError } from '../field-errors.ts';
import { errorBody } from '../field-errors.ts';

/** The symbol a renderer looks up: `value[goString]` is the text upstream prints. */
export const goString: unique symbol = Symbol.for('nanokube.goString') as any;

/**
 * A bad value carrying its Go rendering. Objects and arrays are copied with a
 * non-enumerable symbol property (JSON and deepEqual ignore it); primitives
 * are wrapped in an object whose toJSON returns the primitive.
 */
export function goValue(value: unknown, text: string): unknown {
  let out: any;
  if (Array.isArray(value)) out = [...value];
  else if (value !== null && typeof value === 'object') out = { ...(value as object) };
  else {
    out = {};
    Object.defineProperty(out, 'toJSON', { value: () => value ?? null, enumerable: false });
  }
  Object.defineProperty(out, goString, { value: text, enumerable: false });
  return out;
}

/** Go's %q / %#v of a string (JSON quoting matches it for printable text). */
export const goQuote = (s: string): string => JSON.stringify(s);

/** %#v of a map[string]string: keys sorted, as fmt prints maps. */
export function goStringMap(m: Record<string, string> | undefined | null, type = 'map[string]string'): string {
  if (m === undefined || m === null) return `${type}(nil)`;
  const keys = Object.keys(m).sort();
  return `${type}{${keys.map((k) => `${goQuote(k)}:${goQuote(String(m[k]))}`).join(', ')}}`;
}

/** %#v of a []string. */
export function goStringSlice(a: string[] | undefined | null, type = '[]string'): string {
  if (a === undefined || a === null) return `${type}(nil)`;
  return `${type}{${a.map((s) => goQuote(String(s))).join(', ')}}`;
}

/** A map[string]string bad value (template labels, selectors). */
export const goMapValue = (m: Record<string, string> | undefined | null): unknown => goValue(m ?? null, goStringMap(m));

/** A []string bad value (clusterIPs). */
export const goSliceValue = (a: string[] | undefined | null): unknown => goValue(a ?? null, goStringSlice(a));

/** A value whose Go type has a String() method: printed bare (quantities, IntOrString). */
export const goStringer = (jsonValue: unknown, text: string): unknown => goValue(jsonValue, text);

/** intstr.IntOrString.String(). */
export function intOrStringText(v: unknown): string {
  return typeof v === 'number' ? String(Math.trunc(v)) : String(v ?? 0);
}

/** The protobuf-generated (*metav1.LabelSelector).String(), which upstream prints for selector values. */
export function labelSelectorText(sel: any): string {
  if (sel === undefined || sel === null) return 'nil';
  const labels = sel.matchLabels ?? {};
  const ml = Object.keys(labels)
    .sort()
    .map((k) => `${k}: ${labels[k]},`)
    .join('');
  const me = (sel.matchExpressions ?? [])
    .map((r: any) => `LabelSelectorRequirement{Key:${r.key ?? ''},Operator:${r.operator ?? ''},Values:[${(r.values ?? []).join(' ')}],},`)
    .join('');
  return `&LabelSelector{MatchLabels:map[string]string{${ml}},MatchExpressions:[]LabelSelectorRequirement{${me}},}`;
}

export const labelSelectorValue = (sel: any): unknown => goValue(sel ?? null, labelSelectorText(sel));

/** field.Error.ErrorBody with the Go text of the value when one is attached. */
export function upstreamErrorBody(e: FieldError): string {
  const v = e.value as any;
  if (v !== null && typeof v === 'object' && typeof v[goString] === 'string') {
    const plain = errorBody({ ...e, value: '' });
    // Re-render with the Go text in place of the quoted empty string.
    const marker = `${typeText(plain)}: ""`;
    if (plain.startsWith(marker)) return `${typeText(plain)}: ${v[goString]}${plain.slice(marker.length)}`;
  }
  return errorBody(e);
}

function typeText(body: string): string {
  const i = body.indexOf(':');
  return i < 0 ? body : body.slice(0, i);
}

export function upstreamErrorText(e: FieldError): string {
  return `${e.field}: ${upstreamErrorBody(e)}`;
}

/** utilerrors aggregate of field.ErrorList.ToAggregate(): duplicates dropped, one bare, several bracketed. */
export function upstreamAggregateText(errs: FieldError[]): string {
  const seen = new Set<string>();
  const msgs: string[] = [];
  for (const e of errs) {
    const t = upstreamErrorText(e);
    if (!seen.has(t)) {
      seen.add(t);
      msgs.push(t);
    }
  }
  return msgs.length === 1 ? msgs[0] : `[${msgs.join(', ')}]`;
}
