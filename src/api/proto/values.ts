/**
 * @module Upstream's special protobuf encodings and their JSON forms:
 * metav1.Time and MicroTime, intstr.IntOrString, resource.Quantity,
 * runtime.RawExtension and metav1.FieldsV1, []byte and UTF-8 strings.
 * Each takes the bytes of one length-delimited field.
 */

import { Reader } from 'protobufjs/minimal.js';
import { ProtoError } from './errors.ts';

/** Go's encoding/json writes invalid UTF-8 as U+FFFD and keeps a BOM; so does this. */
const utf8 = new TextDecoder('utf-8', { ignoreBOM: true });

export function text(b: Uint8Array): string {
  return utf8.decode(b);
}

/** []byte: standard base64 with padding, as Go's encoding/json writes it. */
export function base64(b: Uint8Array): string {
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('base64');
}

/** int64 as a JS number; protobufjs returns a Long when the `long` package is present. */
export function int64(r: Reader): number {
  const v = r.int64() as unknown;
  return typeof v === 'number' ? v : (v as { toNumber(): number }).toNumber();
}

export function expectWire(wt: number, want: number, where: string): void {
  if (wt !== want) throw new ProtoError('WRONG_WIRE_TYPE', `${where}: wire type ${wt}, want ${want}`);
}

/**
 * Reads a small fixed message: calls `field` for each field number it
 * knows (which must consume the value) and skips the others.
 */
function eachField(b: Uint8Array, field: (r: Reader, n: number, wt: number) => boolean): void {
  const r = new Reader(b);
  while (r.pos < r.len) {
    const tag = r.tag();
    const n = tag >>> 3;
    const wt = tag & 7;
    if (n === 0) throw new ProtoError('MALFORMED', 'field number 0');
    if (!field(r, n, wt)) r.skipType(wt, 0, n);
  }
}

/**
 * metav1.Time {1 seconds, 2 nanos}: RFC 3339 in UTC to the second, as
 * Time.MarshalJSON formats it (no fraction). MicroTime keeps
 * microseconds (`2006-01-02T15:04:05.000000Z`). Upstream marshals a zero
 * time as an empty message, which Go's JSON writes as null.
 */
export function time(b: Uint8Array, micro: boolean, where: string): string | null {
  if (b.length === 0) return null;
  let seconds = 0;
  let nanos = 0;
  eachField(b, (r, n, wt) => {
    if (n === 1) {
      expectWire(wt, 0, `${where}.seconds`);
      seconds = int64(r);
    } else if (n === 2) {
      expectWire(wt, 0, `${where}.nanos`);
      nanos = r.int32();
    } else return false;
    return true;
  });
  // time.Unix normalises nanos outside [0, 1e9) into the seconds.
  seconds += Math.floor(nanos / 1e9);
  nanos = ((nanos % 1e9) + 1e9) % 1e9;
  const date = new Date(seconds * 1000);
  const year = date.getUTCFullYear();
  // Go's Time.MarshalJSON refuses years outside [0, 9999]; kubectl could not have sent one.
  if (!Number.isFinite(date.getTime()) || year < 0 || year > 9999) {
    throw new ProtoError('BAD_VALUE', `${where}: time ${seconds}s is outside years 0-9999`);
  }
  const iso = date.toISOString().slice(0, 19);
  if (!micro) return `${iso}Z`;
  return `${iso}.${String(Math.floor(nanos / 1000)).padStart(6, '0')}Z`;
}

/** intstr.IntOrString {1 type (0 int, 1 string), 2 intVal, 3 strVal}. */
export function intOrString(b: Uint8Array, where: string): number | string {
  let type = 0;
  let intVal = 0;
  let strVal = '';
  eachField(b, (r, n, wt) => {
    if (n === 1 || n === 2) {
      expectWire(wt, 0, where);
      if (n === 1) type = int64(r);
      else intVal = r.int32();
    } else if (n === 3) {
      expectWire(wt, 2, where);
      strVal = text(r.bytes());
    } else return false;
    return true;
  });
  if (type === 0) return intVal;
  if (type === 1) return strVal;
  // Go's IntOrString.MarshalJSON fails the same way.
  throw new ProtoError('BAD_VALUE', `${where}: impossible IntOrString.Type ${type}`);
}

/**
 * resource.Quantity {1 string}, already canonical (upstream marshals
 * Quantity.String()). A message without the string is a zero Quantity, "0".
 */
export function quantity(b: Uint8Array, where: string): string {
  let s = '0';
  eachField(b, (r, n, wt) => {
    if (n !== 1) return false;
    expectWire(wt, 2, where);
    s = text(r.bytes());
    return true;
  });
  return s;
}

/**
 * runtime.RawExtension and metav1.FieldsV1 {1 raw}: the raw bytes are JSON
 * (what kubectl puts there), or a protobuf-encoded object behind the magic,
 * which `nested` decodes. Nil raw is JSON null, as their MarshalJSON writes.
 */
export function raw(b: Uint8Array, where: string, nested: (raw: Uint8Array) => unknown): unknown {
  let bytes: Uint8Array | undefined;
  eachField(b, (r, n, wt) => {
    if (n !== 1) return false;
    expectWire(wt, 2, where);
    bytes = r.bytes();
    return true;
  });
  if (!bytes || bytes.length === 0) return null;
  if (bytes.length >= 4 && bytes[0] === 0x6b && bytes[1] === 0x38 && bytes[2] === 0x73 && bytes[3] === 0) return nested(bytes);
  try {
    return JSON.parse(text(bytes));
  } catch (e) {
    throw new ProtoError('BAD_VALUE', `${where}: raw bytes are neither JSON nor protobuf (${(e as Error).message})`);
  }
}
