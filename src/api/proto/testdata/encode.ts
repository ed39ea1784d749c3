/**
 * @module A tiny protobuf writer for hand-made test messages, on
 * protobufjs's Writer. A message is a list of [field number, value]:
 * numbers and booleans are varints, strings and bytes length-delimited,
 * nested lists are messages.
 */

import { Writer } from 'protobufjs/minimal.js';

export type Value = number | boolean | string | Uint8Array | Msg | { double: number } | { packed: number[] } | { group: Msg } | { fixed32: number };
export type Msg = [number, Value][];

function write(w: Writer, m: Msg): Writer {
  for (const [n, v] of m) {
    if (typeof v === 'number' || typeof v === 'boolean') w.uint32((n << 3) | 0).int64(Number(v));
    else if (typeof v === 'string') w.uint32((n << 3) | 2).string(v);
    else if (v instanceof Uint8Array) w.uint32((n << 3) | 2).bytes(v);
    else if (Array.isArray(v)) w.uint32((n << 3) | 2).bytes(encode(v));
    else if ('double' in v) w.uint32((n << 3) | 1).double(v.double);
    else if ('fixed32' in v) w.uint32((n << 3) | 5).fixed32(v.fixed32);
    else if ('group' in v) write(w.uint32((n << 3) | 3), v.group).uint32((n << 3) | 4);
    else {
      w.uint32((n << 3) | 2).fork();
      for (const x of v.packed) w.int64(x);
      w.ldelim();
    }
  }
  return w;
}

export function encode(m: Msg): Uint8Array {
  return write(Writer.create(), m).finish();
}

export const MAGIC = Uint8Array.from([0x6b, 0x38, 0x73, 0x00]);

/** A whole request body: the magic and a runtime.Unknown around `raw`; `extra` adds fields to the Unknown. */
export function body(apiVersion: string, kind: string, raw: Msg, extra: Msg = []): Uint8Array {
  const unknown = encode([[1, [[1, apiVersion], [2, kind]]], [2, encode(raw)], ...extra]);
  return Buffer.concat([MAGIC, unknown]);
}
