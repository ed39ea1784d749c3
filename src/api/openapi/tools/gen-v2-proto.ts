/**
 * @module Writes v2-proto-descriptor.json, the protobufjs descriptor of
 * gnostic's `openapi.v2` package (github.com/google/gnostic-models
 * openapiv2/OpenAPIv2.proto) that /openapi/v2 is encoded with, from the
 * kubectl binary itself: the FileDescriptorProtos that google.golang.org/protobuf
 * embeds raw (not gzipped, unlike gogo's) for `openapiv2/OpenAPIv2.proto` and
 * its import `google/protobuf/any.proto`. Every field number and wire type is
 * then checked against the `protobuf:"..."` tags of the generated Go structs
 * (`openapi_v2.Schema`, and the oneof wrappers `openapi_v2.SchemaItem_Schema`),
 * read through ../../proto/tools/go-binary.ts; any mismatch stops it before it
 * writes.
 *
 *   node src/api/openapi/tools/gen-v2-proto.ts [/path/to/kubectl.1.32]
 */

import { existsSync, realpathSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { execFileSync } from 'node:child_process';
import protobuf from 'protobufjs';
import descriptor from 'protobufjs/ext/descriptor.js';
import { goStructs, type GoStruct } from '../../proto/tools/go-binary.ts';

const { FileDescriptorProto, FileDescriptorSet } = descriptor;

const OPENAPI_FILE = 'openapiv2/OpenAPIv2.proto';
const ANY_FILE = 'google/protobuf/any.proto';
const GO_PREFIX = 'github.com/google/gnostic-models/openapiv2.openapi_v2.';
export const DESCRIPTOR_PATH = join(import.meta.dirname, '..', 'v2-proto-descriptor.json');

function findKubectl(): string {
  if (process.argv[2]) return process.argv[2];
  const onPath = realpathSync(execFileSync('sh', ['-c', 'command -v kubectl'], { encoding: 'utf8' }).trim());
  // The Cloud SDK's kubectl is a dispatcher beside one binary per minor version.
  const versioned = join(dirname(onPath), 'kubectl.1.32');
  return existsSync(versioned) ? versioned : onPath;
}

/**
 * The raw FileDescriptorProto named `file` in a Go binary. protoc-gen-go keeps
 * it as a string constant starting with field 1 (the name); its length is not
 * stored beside it, so the fields are walked until `syntax` (12), which protoc
 * writes last for a proto3 file without editions.
 */
export function rawDescriptor(buf: Buffer, file: string): Record<string, any> {
  const head = Buffer.concat([Buffer.from([0x0a, file.length]), Buffer.from(file)]);
  for (let at = buf.indexOf(head); at >= 0; at = buf.indexOf(head, at + 1)) {
    const r = protobuf.Reader.create(buf.subarray(at, at + 1_000_000));
    try {
      while (r.pos < r.len) {
        const tag = r.uint32();
        r.skipType(tag & 7);
        if (tag >>> 3 === 12) break;
        if (tag >>> 3 > 14 || tag >>> 3 === 0) throw new Error('not a FileDescriptorProto field');
      }
      const fd = FileDescriptorProto.toObject(FileDescriptorProto.decode(buf.subarray(at, at + r.pos))) as Record<string, any>;
      if (fd.name === file && fd.syntax === 'proto3' && (fd.messageType?.length ?? 0) > 0) return fd;
    } catch {
      // Another string that happens to start the same way; keep looking.
    }
  }
  throw new Error(`no raw FileDescriptorProto for ${file}`);
}

const WIRE: Record<number, string> = { 1: 'fixed64', 3: 'varint', 5: 'varint', 8: 'varint', 9: 'bytes', 11: 'bytes', 12: 'bytes', 14: 'varint' };

/** Compares each message's fields with the Go struct tags; returns the mismatches. */
export function checkAgainstGo(fd: Record<string, any>, structs: Map<string, GoStruct>): string[] {
  const problems: string[] = [];
  for (const m of fd.messageType as Record<string, any>[]) {
    // Oneof members live on wrapper structs named Message_Field.
    const goFields = [...structs.entries()]
      .filter(([k]) => k === GO_PREFIX + m.name || k.startsWith(`${GO_PREFIX}${m.name}_`))
      .flatMap(([, s]) => s.fields);
    if (!structs.has(GO_PREFIX + m.name)) {
      problems.push(`${m.name}: no Go struct`);
      continue;
    }
    const tags = new Map<string, { number: number; wire: string }>();
    for (const f of goFields) {
      const parts = /protobuf:"([^"]*)"/.exec(f.tag)?.[1].split(',');
      const name = parts?.find((p) => p.startsWith('name='))?.slice(5);
      if (parts && name) tags.set(name, { number: Number(parts[1]), wire: parts[0] });
    }
    for (const f of (m.field ?? []) as Record<string, any>[]) {
      const t = tags.get(f.name);
      if (!t) problems.push(`${m.name}.${f.name}: no Go field`);
      else if (t.number !== f.number) problems.push(`${m.name}.${f.name}: descriptor ${f.number}, Go tag ${t.number}`);
      else if (t.wire !== WIRE[f.type]) problems.push(`${m.name}.${f.name}: descriptor type ${f.type}, Go wire ${t.wire}`);
      tags.delete(f.name);
    }
    for (const name of tags.keys()) problems.push(`${m.name}.${name}: Go field not in the descriptor`);
  }
  return problems;
}

/** The descriptor JSON for protobufjs: `openapi.v2` and `google.protobuf.Any`, names as in the .proto. */
export function descriptorJson(bin: string): { json: string; messages: number; problems: string[] } {
  const buf = readFileSync(bin);
  const any = rawDescriptor(buf, ANY_FILE);
  const openapi = rawDescriptor(buf, OPENAPI_FILE);
  const problems = checkAgainstGo(openapi, goStructs(bin));
  const set = FileDescriptorSet.encode(FileDescriptorSet.fromObject({ file: [any, openapi] })).finish();
  const root = protobuf.Root.fromDescriptor(set, { keepCase: true });
  const doc = root.lookupType('openapi.v2.Document');
  if (doc.fields.definitions?.id !== 9 || doc.fields.vendor_extension?.id !== 16) problems.push('openapi.v2.Document is not gnostic\'s');
  return { json: `${JSON.stringify(root.toJSON(), null, 1)}\n`, messages: openapi.messageType.length, problems };
}

if (import.meta.main) {
  const bin = findKubectl();
  const { json, messages, problems } = descriptorJson(bin);
  if (problems.length > 0) {
    console.error(problems.join('\n'));
    process.exit(1);
  }
  writeFileSync(DESCRIPTOR_PATH, json);
  console.log(`gen-v2-proto: wrote ${DESCRIPTOR_PATH} (${messages} messages) from ${bin}`);
}
