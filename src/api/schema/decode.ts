/**
 * @module Strict decoding: walks a parsed JSON object with its schema and
 * reports what upstream's decoder (sigs.k8s.io/json, a fork of Go's
 * encoding/json, behind apimachinery's strict serializer) would report:
 * unknown fields, with their full path, and type errors, in the Go text.
 *
 * The body arrives already parsed (JSON.parse), so two things upstream sees in
 * the raw bytes are out of reach here: duplicate fields (`duplicate field
 * "metadata.name"`) and numbers written as `1.0` or `1e3` for integer fields
 * (Go rejects them; JSON.parse makes them integers).
 */

import { parseGoTime } from './go-time.ts';
import type { Definition, Schema, SchemaSet } from './types.ts';

export interface CheckResult {
  /** Unknown field paths, in document order: `spec.containers[0].foo`. At most 100, as upstream. */
  unknown: string[];
  /**
   * Type errors in Go's text. `typeErrors[0]` is the one upstream reports: an
   * error raised by a type's own UnmarshalJSON (Quantity, IntOrString, Time)
   * stops Go's decoder and wins; otherwise the first one in document order.
   */
  typeErrors: string[];
}

/** Where Go's decoder is: the struct holding the current field and the json names from the root (errorContext). */
interface GoContext {
  struct: string;
  fields: string[];
}

interface State {
  set: SchemaSet;
  unknown: string[];
  saved: string[];
  fatal: string | undefined;
}

const MAX_STRICT_ERRORS = 100;
const QUANTITY_RE = /^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$/;
const QUANTITY_FORMAT_ERROR = `quantities must match the regular expression '${QUANTITY_RE.source}'`;
const BASE64_RE = /^[A-Za-z0-9+/]*={0,2}$/;

export function checkFields(set: SchemaSet, def: Definition, obj: unknown): CheckResult {
  const st: State = { set, unknown: [], saved: [], fatal: undefined };
  walk(st, def.schema, obj, '', { struct: '', fields: [] }, goTypeOf(def.name));
  const typeErrors = st.fatal ? [st.fatal, ...st.saved] : st.saved;
  return { unknown: st.unknown, typeErrors };
}

/** `strict decoding error: unknown field "a", unknown field "b"` (runtime.NewStrictDecodingError). */
export function strictDecodingError(unknown: string[]): string {
  return `strict decoding error: ${unknown.map((p) => `unknown field ${JSON.stringify(p)}`).join(', ')}`;
}

/** The warnings the apiserver sends for fieldValidation=Warn, one per field. */
export function unknownFieldWarnings(unknown: string[]): string[] {
  return unknown.map((p) => `unknown field ${JSON.stringify(p)}`);
}

/**
 * The message of the BadRequest the apiserver returns when a body cannot be
 * decoded (transformDecodeError): `Service in version "v1" cannot be handled
 * as a Service: <detail>`. Type errors take precedence over unknown fields, as
 * Go's decoder returns its saved error before its strict errors. Returns
 * undefined when there is nothing to report; unknown fields only count when
 * `strict` is set (fieldValidation=Strict).
 */
export function decodeError(
  gvk: { version: string; kind: string },
  result: CheckResult,
  opts: { strict: boolean; intoKind?: string },
): string | undefined {
  let detail: string;
  if (result.typeErrors.length > 0) detail = result.typeErrors[0];
  else if (opts.strict && result.unknown.length > 0) detail = strictDecodingError(result.unknown);
  else return undefined;
  return `${gvk.kind} in version ${JSON.stringify(gvk.version)} cannot be handled as a ${opts.intoKind ?? gvk.kind}: ${detail}`;
}

/** A copy of obj without the fields the schema does not know (fieldValidation=Ignore and Warn). */
export function pruneUnknown(set: SchemaSet, def: Definition, obj: unknown): unknown {
  return prune(set, def.schema, obj);
}

function prune(set: SchemaSet, schema: Schema, v: unknown): unknown {
  const s = set.resolve(schema);
  if (v === null || typeof v !== 'object') return v;
  if (Array.isArray(v)) return s.kind === 'array' ? v.map((x) => prune(set, s.items, x)) : structuredClone(v);
  const o = v as Record<string, unknown>;
  if (s.kind === 'map') return Object.fromEntries(Object.entries(o).map(([k, x]) => [k, prune(set, s.values, x)]));
  if (s.kind !== 'object') return structuredClone(v);
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(o)) {
    const p = s.properties[k];
    if (p) out[k] = prune(set, p, x);
  }
  return out;
}

/** The JSON type as Go's UnmarshalTypeError names it. */
function jsonKind(v: unknown): string {
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'boolean') return 'bool';
  return typeof v; // 'string' | 'number' | 'object'
}

function typeError(value: string, goType: string, ctx: GoContext): string {
  if (ctx.struct === '' && ctx.fields.length === 0) return `json: cannot unmarshal ${value} into Go value of type ${goType}`;
  return `json: cannot unmarshal ${value} into Go struct field ${ctx.struct}.${ctx.fields.join('.')} of type ${goType}`;
}

/** Go's type name for a definition: package name (last segment before the type) and type. */
function goTypeOf(defName: string): string {
  const parts = defName.split('.');
  return `${parts[parts.length - 2]}.${parts[parts.length - 1]}`;
}

/** The Go type a schema decodes into, as reflect.Type.String() prints it (named scalar types are not modelled). */
export function goType(s: Schema): string {
  switch (s.kind) {
    case 'string':
      return 'string';
    case 'integer':
      return s.format ?? 'int64';
    case 'number':
      return 'float64';
    case 'boolean':
      return 'bool';
    case 'bytes':
      return '[]uint8';
    case 'int-or-string':
      return 'intstr.IntOrString';
    case 'quantity':
      return 'resource.Quantity';
    case 'time':
      return s.micro ? 'v1.MicroTime' : 'v1.Time';
    case 'any':
      return 'runtime.RawExtension';
    case 'ref':
      return goTypeOf(s.ref);
    case 'array':
      return `[]${goType(s.items)}`;
    case 'map':
      return `map[string]${goType(s.values)}`;
    case 'object':
      return 'struct';
  }
}

function walk(st: State, schema: Schema, v: unknown, path: string, ctx: GoContext, typeName: string): void {
  // Go decodes null as the zero value of any type, without error.
  if (v === null || v === undefined || st.fatal) return;
  const s = st.set.resolve(schema);
  const save = (value: string, goT: string): void => {
    st.saved.push(typeError(value, goT, ctx));
  };
  switch (s.kind) {
    case 'any':
      return;
    case 'string':
      if (typeof v !== 'string') save(jsonKind(v), 'string');
      return;
    case 'boolean':
      if (typeof v !== 'boolean') save(jsonKind(v), 'bool');
      return;
    case 'number':
      if (typeof v !== 'number') save(jsonKind(v), 'float64');
      return;
    case 'integer': {
      const t = s.format ?? 'int64';
      if (typeof v !== 'number') save(jsonKind(v), t);
      else if (!fitsInt(v, t)) save(`number ${v}`, t);
      return;
    }
    case 'int-or-string':
      // intstr.IntOrString.UnmarshalJSON: a string, else decode as int32; its
      // error is returned (fatal) and gets the field context added.
      if (typeof v === 'string') return;
      if (typeof v !== 'number') st.fatal = typeError(jsonKind(v), 'int32', ctx);
      else if (!fitsInt(v, 'int32')) st.fatal = typeError(`number ${v}`, 'int32', ctx);
      return;
    case 'quantity': {
      // resource.Quantity.UnmarshalJSON strips quotes and parses the rest; any
      // non-scalar fails the regular expression.
      const text = typeof v === 'string' ? v.trim() : typeof v === 'number' ? String(v) : JSON.stringify(v);
      if (!QUANTITY_RE.test(text)) st.fatal = QUANTITY_FORMAT_ERROR;
      return;
    }
    case 'time': {
      // metav1.Time.UnmarshalJSON decodes a string then time.Parse(RFC3339).
      if (typeof v !== 'string') st.fatal = typeError(jsonKind(v), 'string', ctx);
      else {
        const err = parseGoTime(v, s.micro ?? false);
        if (err) st.fatal = err;
      }
      return;
    }
    case 'bytes':
      if (typeof v === 'string') {
        const err = base64Error(v);
        if (err) st.saved.push(err);
      } else if (!Array.isArray(v)) save(jsonKind(v), '[]uint8');
      return;
    case 'array':
      if (!Array.isArray(v)) return save(jsonKind(v), goType(s));
      v.forEach((x, i) => walk(st, s.items, x, `${path}[${i}]`, ctx, goType(s.items)));
      return;
    case 'map':
      if (typeof v !== 'object' || Array.isArray(v)) return save(jsonKind(v), goType(s));
      // Go does not push map keys onto its error context; strict paths do get them.
      for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
        walk(st, s.values, x, join(path, k), ctx, goType(s.values));
      }
      return;
    case 'object':
      if (typeof v !== 'object' || Array.isArray(v)) return save(jsonKind(v), typeName);
      walkObject(st, s.properties, v as Record<string, unknown>, path, ctx, typeName);
      return;
    case 'ref':
      // A ref to a missing definition: nothing to check against; danglingRefs() reports it.
      return;
  }
}

function walkObject(
  st: State,
  props: Record<string, Schema>,
  o: Record<string, unknown>,
  path: string,
  ctx: GoContext,
  typeName: string,
): void {
  const struct = typeName.slice(typeName.indexOf('.') + 1);
  for (const [k, x] of Object.entries(o)) {
    if (st.fatal) return;
    const p = props[k];
    const fieldPath = join(path, k);
    if (!p) {
      if (st.unknown.length < MAX_STRICT_ERRORS) st.unknown.push(fieldPath);
      continue;
    }
    walk(st, p, x, fieldPath, { struct, fields: [...ctx.fields, k] }, goType(p));
  }
}

function join(path: string, key: string): string {
  return path ? `${path}.${key}` : key;
}

function fitsInt(v: number, format: string): boolean {
  if (!Number.isInteger(v)) return false;
  return format === 'int32' ? v >= -2147483648 && v <= 2147483647 : Number.isSafeInteger(v) || Math.abs(v) < 2 ** 63;
}

/** encoding/base64 StdEncoding's CorruptInputError text, for []byte fields (Secret.data). */
function base64Error(s: string): string | undefined {
  const clean = s.replace(/[\r\n]/g, '');
  if (BASE64_RE.test(clean) && clean.length % 4 === 0) return undefined;
  let i = 0;
  while (i < clean.length && /[A-Za-z0-9+/]/.test(clean[i])) i++;
  // A bad character is reported at its offset; a short final quantum at the end of the data.
  if (i < clean.length && clean[i] !== '=') return `illegal base64 data at input byte ${i}`;
  return `illegal base64 data at input byte ${Math.max(0, clean.length - (clean.length % 4 || 4))}`;
}
