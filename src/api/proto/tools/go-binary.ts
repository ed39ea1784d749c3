/**
 * @module Reads two kinds of facts out of a Go binary built from Kubernetes
 * (the kubectl on this machine): the struct types with their field tags, from
 * Go's reflection metadata, and the protobuf FileDescriptorProtos that
 * gogo-protobuf registers gzipped. gen-fields.ts turns them into the field
 * tables. A development tool only: nothing at run time reads a binary.
 *
 * Layouts are Go 1.20+ on 64-bit little-endian (internal/abi): Type is 48
 * bytes, StructType adds PkgPath and a Fields slice, StructField is
 * {Name, Typ, Offset}, and names are {flags, varint len, bytes, [varint len, tag]}.
 */

import { readFileSync } from 'node:fs';
import { gunzipSync, constants as zc } from 'node:zlib';
import descriptor from 'protobufjs/ext/descriptor.js';

const { FileDescriptorProto } = descriptor;

export interface GoField {
  goName: string;
  tag: string;
  embedded: boolean;
  /** 'ptr', 'int32', 'string', 'struct', 'slice', 'map', ... */
  kind: string;
  /** For a struct or a pointer to a struct: its `pkg.Name` key. */
  structKey?: string;
}

export interface GoStruct {
  pkg: string;
  /** As Go prints it: `v1.ConfigMap`. */
  name: string;
  fields: GoField[];
}

const KINDS: Record<number, string> = {
  1: 'bool', 2: 'int', 5: 'int32', 6: 'int64', 8: 'uint8', 11: 'uint64', 14: 'float64', 17: 'array',
  20: 'interface', 21: 'map', 22: 'ptr', 23: 'slice', 24: 'string', 25: 'struct',
};

interface Segment { va: bigint; off: bigint; size: bigint }

/** Every struct type reachable from the binary's typelinks, keyed `pkg.Name` (e.g. `k8s.io/api/core/v1.v1.Pod`). */
export function goStructs(path: string): Map<string, GoStruct> {
  const buf = readFileSync(path);
  const segs: Segment[] = [];
  const phoff = Number(buf.readBigUInt64LE(0x20));
  const phnum = buf.readUInt16LE(0x38);
  for (let i = 0; i < phnum; i++) {
    const p = phoff + i * 56;
    if (buf.readUInt32LE(p) !== 1) continue; // PT_LOAD
    segs.push({ off: buf.readBigUInt64LE(p + 8), va: buf.readBigUInt64LE(p + 16), size: buf.readBigUInt64LE(p + 32) });
  }
  const sections = elfSections(buf);
  const rodata = sections.get('.rodata');
  const typelink = sections.get('.typelink');
  if (!rodata || !typelink) throw new Error(`${path}: no .rodata or .typelink section; not a Go binary?`);
  const at = (va: bigint): number => {
    for (const s of segs) if (va >= s.va && va < s.va + s.size) return Number(va - s.va + s.off);
    throw new Error(`address 0x${va.toString(16)} is in no segment`);
  };
  const u64 = (va: bigint): bigint => buf.readBigUInt64LE(at(va));
  const i32 = (va: bigint): number => buf.readInt32LE(at(va));
  const u8 = (va: bigint): number => buf[at(va)];
  // runtime.types is the start of .rodata in binaries from Go's own linker.
  const base = rodata.va;
  const varint = (o: number): [number, number] => {
    let v = 0;
    let s = 0;
    let b: number;
    do {
      b = buf[o++];
      v |= (b & 0x7f) << s;
      s += 7;
    } while (b & 0x80);
    return [v, o];
  };
  const readName = (va: bigint): { name: string; tag: string; embedded: boolean } => {
    let o = at(va);
    const flags = buf[o++];
    const [n, o2] = varint(o);
    const name = buf.toString('utf8', o2, o2 + n);
    let tag = '';
    if (flags & 2) {
      const [tn, o3] = varint(o2 + n);
      tag = buf.toString('utf8', o3, o3 + tn);
    }
    return { name, tag, embedded: (flags & 8) !== 0 };
  };
  const kind = (t: bigint): number => u8(t + 23n) & 0x1f;
  const typeName = (t: bigint): string => {
    const n = readName(base + BigInt(i32(t + 40n))).name;
    return u8(t + 20n) & 2 ? n.slice(1) : n;
  };
  const pkgOf = (t: bigint): string => {
    if (!(u8(t + 20n) & 1)) return '';
    const extra: Record<number, bigint> = { 25: 80n, 22: 56n, 23: 56n, 21: 88n };
    return readName(base + BigInt(i32(t + (extra[kind(t)] ?? 48n)))).name;
  };
  const keyOf = (t: bigint): string => `${pkgOf(t)}.${typeName(t)}`;
  const out = new Map<string, GoStruct>();
  const seen = new Set<bigint>();
  const visit = (t: bigint): void => {
    if (seen.has(t)) return;
    seen.add(t);
    const k = kind(t);
    if (k === 22 || k === 23) return visit(u64(t + 48n));
    if (k === 21) {
      visit(u64(t + 48n));
      return visit(u64(t + 56n));
    }
    if (k !== 25) return;
    const fields: GoField[] = [];
    out.set(keyOf(t), { pkg: pkgOf(t), name: typeName(t), fields });
    const fptr = u64(t + 56n);
    const flen = Number(u64(t + 64n));
    for (let i = 0; i < flen; i++) {
      const f = fptr + BigInt(i * 24);
      const nm = readName(u64(f));
      const ft = u64(f + 8n);
      const fk = kind(ft);
      const field: GoField = { goName: nm.name, tag: nm.tag, embedded: nm.embedded, kind: KINDS[fk] ?? String(fk) };
      if (fk === 25) field.structKey = keyOf(ft);
      if (fk === 22 && kind(u64(ft + 48n)) === 25) field.structKey = keyOf(u64(ft + 48n));
      fields.push(field);
      visit(ft);
    }
  };
  for (let i = 0; i < Number(typelink.size) / 4; i++) visit(base + BigInt(i32(typelink.va + BigInt(i * 4))));
  return out;
}

function elfSections(buf: Buffer): Map<string, { va: bigint; size: bigint }> {
  const shoff = Number(buf.readBigUInt64LE(0x28));
  const shnum = buf.readUInt16LE(0x3c);
  const shstrndx = buf.readUInt16LE(0x3e);
  const strOff = Number(buf.readBigUInt64LE(shoff + shstrndx * 64 + 24));
  const out = new Map<string, { va: bigint; size: bigint }>();
  for (let i = 0; i < shnum; i++) {
    const s = shoff + i * 64;
    const nameAt = strOff + buf.readUInt32LE(s);
    const name = buf.toString('latin1', nameAt, buf.indexOf(0, nameAt));
    out.set(name, { va: buf.readBigUInt64LE(s + 16), size: buf.readBigUInt64LE(s + 32) });
  }
  return out;
}

export interface ProtoFieldDesc {
  name: string;
  number: number;
  /** FieldDescriptorProto.Label: 1 optional, 3 repeated. */
  label: number;
  /** FieldDescriptorProto.Type: 1 double, 3 int64, 5 int32, 8 bool, 9 string, 11 message, 12 bytes. */
  type: number;
  typeName?: string;
}

/** Every message of every gzipped FileDescriptorProto in the binary, keyed by full name without the leading dot. */
export function protoMessages(path: string): Map<string, { fields: ProtoFieldDesc[]; mapEntry: boolean }> {
  const buf = readFileSync(path);
  const out = new Map<string, { fields: ProtoFieldDesc[]; mapEntry: boolean }>();
  const magic = Buffer.from([0x1f, 0x8b, 8, 0, 0, 0, 0, 0]);
  for (let i = buf.indexOf(magic); i >= 0; i = buf.indexOf(magic, i + 1)) {
    let fd: Record<string, any>;
    try {
      const raw = gunzipSync(buf.subarray(i, i + 4_000_000), { finishFlush: zc.Z_SYNC_FLUSH });
      fd = FileDescriptorProto.toObject(FileDescriptorProto.decode(raw));
    } catch {
      continue;
    }
    if (typeof fd.name !== 'string' || !fd.name.startsWith('k8s.io/')) continue;
    const walk = (prefix: string, msgs: Record<string, any>[] = []): void => {
      for (const m of msgs) {
        const name = `${prefix}.${m.name}`;
        out.set(name, { fields: (m.field ?? []) as ProtoFieldDesc[], mapEntry: m.options?.mapEntry === true });
        walk(name, m.nestedType);
      }
    };
    walk(fd.package, fd.messageType);
  }
  return out;
}
