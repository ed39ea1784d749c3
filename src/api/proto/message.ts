/**
 * @module Decodes one protobuf message into the JSON object of a schema
 * definition: the schema says what each property is (map, list, scalar,
 * int-or-string, time, nested definition), the field table where it is.
 */

import { Reader } from 'protobufjs/minimal.js';
import type { Schema, SchemaSet } from '../schema/types.ts';
import { ProtoError } from './errors.ts';
import { fieldRef, type FieldTable } from './field-spec.ts';
import { base64, expectWire, int64, intOrString, quantity, raw, text, time } from './values.ts';

interface Leaf {
  prop: string;
  schema: Schema;
  keepZero: boolean;
}
/** A nested message whose fields Go inlines into this object. */
interface Inline {
  inline: Map<number, Node>;
}
type Node = Leaf | Inline;

interface Compiled {
  fields: Map<number, Node>;
  /** Property order of the schema, which is Go's struct order and so Go's JSON order. */
  order: string[];
}

export interface MessageDecoder {
  /** Decodes `bytes` as the message of definition `name`. */
  decode(bytes: Uint8Array, name: string, depth?: number): Record<string, unknown>;
}

/** Deeper than any served schema nests (PodTemplateSpec → ... → LabelSelectorRequirement is about 12). */
const MAX_DEPTH = 64;

export interface MessageDecoderOptions {
  schemas: SchemaSet;
  fields: FieldTable;
  /** Decodes a protobuf object embedded in a RawExtension (`k8s\0` + runtime.Unknown). */
  embedded: (raw: Uint8Array, depth: number) => unknown;
}

const PACKABLE = new Set(['integer', 'number', 'boolean']);
const SCALAR = new Set(['string', 'integer', 'number', 'boolean', 'bytes']);
const WIRE: Record<string, number> = { integer: 0, boolean: 0, number: 1 };

export function messageDecoder(opts: MessageDecoderOptions): MessageDecoder {
  const compiled = new Map<string, Compiled>();

  function compile(name: string): Compiled {
    const hit = compiled.get(name);
    if (hit) return hit;
    const def = opts.schemas.get(name);
    const table = opts.fields[name];
    if (!def || !table) throw new ProtoError('UNKNOWN_KIND', `no protobuf field table for ${name}`);
    const fields = new Map<number, Node>();
    for (const [prop, schema] of Object.entries(def.schema.properties)) {
      const spec = table[prop];
      const ref = spec === undefined ? undefined : fieldRef(spec);
      if (!ref) continue;
      let level = fields;
      for (const n of ref.path.slice(0, -1)) {
        let node = level.get(n);
        if (!node) level.set(n, (node = { inline: new Map() }));
        if (!('inline' in node)) throw new Error(`proto fields: ${name}.${prop}: field ${n} is both a property and inlined`);
        level = node.inline;
      }
      level.set(ref.path[ref.path.length - 1], { prop, schema, keepZero: ref.keepZero });
    }
    const out = { fields, order: Object.keys(def.schema.properties) };
    compiled.set(name, out);
    return out;
  }

  function message(bytes: Uint8Array, name: string, depth: number, target: Record<string, unknown> = {}): Record<string, unknown> {
    if (depth > MAX_DEPTH) throw new ProtoError('TOO_DEEP', `${name}: nested deeper than ${MAX_DEPTH} messages`);
    const c = compile(name);
    fieldsInto(bytes, c.fields, name, depth, target);
    // Rebuild in schema order so the stored JSON reads like what kubectl sends.
    const ordered: Record<string, unknown> = {};
    for (const p of c.order) if (p in target) ordered[p] = target[p];
    return ordered;
  }

  function fieldsInto(bytes: Uint8Array, fields: Map<number, Node>, name: string, depth: number, out: Record<string, unknown>): void {
    const r = new Reader(bytes);
    while (r.pos < r.len) {
      const tag = r.tag();
      const n = tag >>> 3;
      const wt = tag & 7;
      if (n === 0) throw new ProtoError('MALFORMED', `${name}: field number 0`);
      const node = fields.get(n);
      if (!node) {
        // Fields newer than the schema: proto's rule is to skip them.
        r.skipType(wt, 0, n);
        continue;
      }
      if ('inline' in node) {
        expectWire(wt, 2, `${name} field ${n}`);
        if (depth + 1 > MAX_DEPTH) throw new ProtoError('TOO_DEEP', `${name}: nested deeper than ${MAX_DEPTH} messages`);
        fieldsInto(r.bytes(), node.inline, name, depth + 1, out);
        continue;
      }
      property(r, wt, node, `${name}.${node.prop}`, depth, out);
    }
  }

  function property(r: Reader, wt: number, leaf: Leaf, where: string, depth: number, out: Record<string, unknown>): void {
    const s = opts.schemas.resolve(leaf.schema);
    if (s.kind === 'array') {
      const list = (Array.isArray(out[leaf.prop]) ? out[leaf.prop] : (out[leaf.prop] = [])) as unknown[];
      const items = opts.schemas.resolve(s.items);
      if (wt === 2 && PACKABLE.has(items.kind)) {
        // Packed: one length-delimited run of values (proto3 style; gogo proto2 sends them one by one).
        const packed = new Reader(r.bytes());
        while (packed.pos < packed.len) list.push(scalar(packed, WIRE[items.kind], items, where));
      } else {
        list.push(value(r, wt, s.items, where, depth));
      }
      return;
    }
    if (s.kind === 'map') {
      expectWire(wt, 2, where);
      const map = (isObject(out[leaf.prop]) ? out[leaf.prop] : (out[leaf.prop] = {})) as Record<string, unknown>;
      entry(r.bytes(), s.values, where, depth, map);
      return;
    }
    if (leaf.schema.kind === 'ref') {
      expectWire(wt, 2, where);
      // A message field sent twice merges, as proto2 does.
      const prev = isObject(out[leaf.prop]) ? (out[leaf.prop] as Record<string, unknown>) : undefined;
      out[leaf.prop] = message(r.bytes(), leaf.schema.ref, depth + 1, prev);
      return;
    }
    const v = value(r, wt, leaf.schema, where, depth);
    // A zero scalar of a non-pointer omitempty field is Go's zero value, which its JSON drops.
    // IntOrString, Quantity, Time and RawExtension are structs in Go: omitempty never drops them.
    if (!leaf.keepZero && SCALAR.has(s.kind) && (v === '' || v === 0 || v === false)) delete out[leaf.prop];
    else out[leaf.prop] = v;
  }

  /** One map entry {1 key, 2 value}; a missing value is the zero value, as Go reads it. */
  function entry(bytes: Uint8Array, values: Schema, where: string, depth: number, map: Record<string, unknown>): void {
    const r = new Reader(bytes);
    let key = '';
    let val: unknown;
    while (r.pos < r.len) {
      const tag = r.tag();
      const n = tag >>> 3;
      const wt = tag & 7;
      if (n === 1) {
        expectWire(wt, 2, `${where} key`);
        key = text(r.bytes());
      } else if (n === 2) {
        val = value(r, wt, values, `${where}[${key}]`, depth);
      } else if (n === 0) {
        throw new ProtoError('MALFORMED', `${where}: field number 0 in a map entry`);
      } else {
        r.skipType(wt, 0, n);
      }
    }
    // defineProperty, not assignment: a key "__proto__" is an own property, as JSON.parse makes it.
    Object.defineProperty(map, key, { value: val === undefined ? zero(opts.schemas.resolve(values)) : val, enumerable: true, writable: true, configurable: true });
  }

  /** One value that is not a list or a map. */
  function value(r: Reader, wt: number, schema: Schema, where: string, depth: number): unknown {
    if (schema.kind === 'ref') {
      expectWire(wt, 2, where);
      return message(r.bytes(), schema.ref, depth + 1);
    }
    switch (schema.kind) {
      case 'integer':
      case 'number':
      case 'boolean':
        return scalar(r, wt, schema, where);
    }
    expectWire(wt, 2, where);
    const b = r.bytes();
    switch (schema.kind) {
      case 'string':
        return text(b);
      case 'bytes':
        return base64(b);
      case 'int-or-string':
        return intOrString(b, where);
      case 'quantity':
        return quantity(b, where);
      case 'time':
        return time(b, schema.micro === true, where);
      case 'any':
        return raw(b, where, (inner) => {
          if (depth + 1 > MAX_DEPTH) throw new ProtoError('TOO_DEEP', `${where}: nested deeper than ${MAX_DEPTH} objects`);
          return opts.embedded(inner, depth + 1);
        });
      default:
        // Lists of lists, maps in lists and inline object schemas do not occur in the served schemas.
        throw new ProtoError('UNSUPPORTED_CONTENT', `${where}: no protobuf form for a ${schema.kind} here`);
    }
  }

  function scalar(r: Reader, wt: number, schema: Schema, where: string): number | boolean {
    if (schema.kind === 'number') {
      expectWire(wt, 1, where);
      return r.double();
    }
    expectWire(wt, 0, where);
    if (schema.kind === 'boolean') return r.bool();
    return schema.kind === 'integer' && schema.format === 'int32' ? r.int32() : int64(r);
  }

  return { decode: (bytes, name, depth = 0) => message(bytes, name, depth) };
}

function isObject(v: unknown): boolean {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function zero(s: Schema): unknown {
  switch (s.kind) {
    case 'integer':
    case 'number':
      return 0;
    case 'boolean':
      return false;
    case 'quantity':
      return '0';
    case 'int-or-string':
      return 0;
    case 'time':
    case 'any':
      return null;
    case 'object':
      return {};
    default:
      return '';
  }
}
