/**
 * @module Field errors in the shape of k8s.io/apimachinery/pkg/util/validation/field:
 * each error knows its field path, type, bad value and detail, and renders the
 * same text upstream prints (`spec.ports[0].port: Invalid value: 0: must be ...`).
 */

export type FieldErrorType =
  | 'FieldValueNotFound'
  | 'FieldValueRequired'
  | 'FieldValueDuplicate'
  | 'FieldValueInvalid'
  | 'FieldValueNotSupported'
  | 'FieldValueForbidden'
  | 'FieldValueTooLong'
  | 'FieldValueTooMany'
  | 'InternalError'
  | 'FieldValueTypeInvalid';

const typeText: Record<FieldErrorType, string> = {
  FieldValueNotFound: 'Not found',
  FieldValueRequired: 'Required value',
  FieldValueDuplicate: 'Duplicate value',
  FieldValueInvalid: 'Invalid value',
  FieldValueNotSupported: 'Unsupported value',
  FieldValueForbidden: 'Forbidden',
  FieldValueTooLong: 'Too long',
  FieldValueTooMany: 'Too many',
  InternalError: 'Internal error',
  FieldValueTypeInvalid: 'Invalid value',
};

const goText = Symbol.for('nanokube.goString');

/** Types whose message upstream prints without the bad value. */
const valueless = new Set<FieldErrorType>(['FieldValueRequired', 'FieldValueForbidden', 'FieldValueTooLong', 'InternalError']);

export interface FieldError {
  type: FieldErrorType;
  field: string;
  value?: unknown;
  detail?: string;
}

/** Go's fmt rendering of a bad value as apimachinery does it (%q for strings, %v for scalars). */
export function formatValue(v: unknown): string {
  if (v === null || v === undefined) return 'null';
  // Values that carry their Go rendering (map[string]string{...}, core.ServicePort{...}) print it, as upstream does.
  if (typeof v === 'object' && goText in v) return String((v as Record<symbol, unknown>)[goText]);
  if (typeof v === 'string') return JSON.stringify(v);
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return String(v);
  return JSON.stringify(v);
}

/** The message without the field path (what upstream puts in Status causes). */
export function errorBody(e: FieldError): string {
  let s = typeText[e.type];
  if (!valueless.has(e.type)) s += `: ${formatValue(e.value)}`;
  if (e.detail) s += `: ${e.detail}`;
  return s;
}

export function errorText(e: FieldError): string {
  return `${e.field}: ${errorBody(e)}`;
}

/** utilerrors.NewAggregate(...).Error(): one message bare, several in brackets. */
export function aggregateText(errs: FieldError[]): string {
  if (errs.length === 1) return errorText(errs[0]);
  return `[${errs.map(errorText).join(', ')}]`;
}

/** A field path builder like field.NewPath("spec").Child("ports").Index(0). */
export class Path {
  readonly #s: string;
  constructor(s: string) {
    this.#s = s;
  }
  child(name: string, ...more: string[]): Path {
    let s = this.#s ? `${this.#s}.${name}` : name;
    for (const m of more) s += `.${m}`;
    return new Path(s);
  }
  index(i: number): Path {
    return new Path(`${this.#s}[${i}]`);
  }
  key(k: string): Path {
    return new Path(`${this.#s}[${k}]`);
  }
  toString(): string {
    return this.#s;
  }
}

export function path(root = '', ...more: string[]): Path {
  let p = new Path(root);
  for (const m of more) p = p.child(m);
  return p;
}

const mk = (type: FieldErrorType) => (field: Path | string, value?: unknown, detail?: string): FieldError => ({
  type,
  field: String(field),
  value,
  detail,
});

export const invalid = mk('FieldValueInvalid');
export const duplicate = (field: Path | string, value: unknown): FieldError => mk('FieldValueDuplicate')(field, value);
export const notFound = (field: Path | string, value: unknown): FieldError => mk('FieldValueNotFound')(field, value);
export const required = (field: Path | string, detail = ''): FieldError => mk('FieldValueRequired')(field, undefined, detail);
export const forbidden = (field: Path | string, detail: string): FieldError => mk('FieldValueForbidden')(field, undefined, detail);
export const tooLong = (field: Path | string, value: unknown, max: number): FieldError =>
  mk('FieldValueTooLong')(field, value, `may not be more than ${max} bytes`);
export const tooMany = (field: Path | string, actual: number, max: number): FieldError =>
  mk('FieldValueTooMany')(field, actual, `must have at most ${max} items`);
export function notSupported(field: Path | string, value: unknown, supported: string[]): FieldError {
  const detail = supported.length ? `supported values: ${supported.map((s) => JSON.stringify(s)).join(', ')}` : '';
  return mk('FieldValueNotSupported')(field, value, detail);
}
export const internal = (field: Path | string, detail: string): FieldError => mk('InternalError')(field, undefined, detail);
