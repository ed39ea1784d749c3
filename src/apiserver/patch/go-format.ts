/**
 * @module Go's renderings of JSON values that upstream's patch errors and
 * annotations contain: fmt's %v of a decoded map (`map[a:1 b:[x y]]`) and
 * encoding/json's Marshal (sorted keys, HTML-safe escapes), plus the error
 * constructors shared by the patch engines.
 */
import { ApiError } from '../../api/errors.ts';

/** fmt.Sprintf("%v", v) for a value decoded by encoding/json into interface{}. */
export function goValue(v: unknown): string {
  if (v === null || v === undefined) return '<nil>';
  if (Array.isArray(v)) return `[${v.map(goValue).join(' ')}]`;
  if (typeof v === 'object') {
    const o = v as Record<string, unknown>;
    return `map[${Object.keys(o)
      .sort()
      .map((k) => `${k}:${goValue(o[k])}`)
      .join(' ')}]`;
  }
  if (typeof v === 'number') return goNumber(v);
  return String(v);
}

/** %v of a JSON number as upstream decodes it (integers as int64, others float64 with a two-digit exponent). */
function goNumber(n: number): string {
  if (Number.isInteger(n) && Math.abs(n) < 1e21) return String(n);
  const m = /^(.*)e([+-])(\d+)$/.exec(String(n));
  return m ? `${m[1]}e${m[2]}${m[3].padStart(2, '0')}` : String(n);
}

/** encoding/json.Marshal: object keys sorted, <, >, & and U+2028/9 escaped like Go's HTML-safe encoder. */
export function goJson(v: unknown): string {
  return JSON.stringify(sortKeys(v)).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (v && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(o).sort()) if (o[k] !== undefined) out[k] = sortKeys(o[k]);
    return out;
  }
  return v;
}

/**
 * A plain Go error that reached the apiserver's ErrorToAPIStatus: 500 with
 * reason Unknown (omitted) and the error text as the message.
 */
export function serverError(message: string): ApiError {
  const e = new ApiError(500, '', message);
  delete e.status.reason;
  return e;
}

/**
 * errors.NewGenericServerResponse(422, ...) as the patch handler returns for a
 * JSON patch that does not apply: a generic message with empty details; the
 * library's text is kept only as the error's `cause`.
 */
export function unprocessable(detail: string): ApiError {
  const e = new ApiError(422, 'Invalid', 'the server rejected our request due to an error in our request', {});
  e.cause = new Error(detail);
  return e;
}
