/**
 * @module Decodes a Kubernetes protobuf request body (upstream's
 * serializer/protobuf: the magic `k8s\0`, then a runtime.Unknown whose raw
 * bytes are the object's message) into the JSON object kubectl would have
 * sent as application/json.
 */

import { Reader } from 'protobufjs/minimal.js';
import { schemas } from '../schema/index.ts';
import { ProtoError, translate } from './errors.ts';
import { fieldTable } from './fields.ts';
import { messageDecoder } from './message.ts';
import { expectWire, text } from './values.ts';

/** The media type kubectl's typed clients send. */
export const PROTOBUF_MEDIA_TYPE = 'application/vnd.kubernetes.protobuf';

/** upstream protobuf.go: protoEncodingPrefix. */
const MAGIC = [0x6b, 0x38, 0x73, 0x00];

export interface DecodedObject {
  apiVersion: string;
  kind: string;
  /** The object as JSON, `kind` and `apiVersion` included. */
  object: Record<string, unknown>;
}

/** runtime.Unknown {1 typeMeta {1 apiVersion, 2 kind}, 2 raw, 3 contentEncoding, 4 contentType}. */
interface Unknown {
  apiVersion: string;
  kind: string;
  raw: Uint8Array;
  contentEncoding: string;
  contentType: string;
}

const decoder = messageDecoder({ schemas, fields: fieldTable, embedded: (raw, depth) => decodeAt(raw, depth).object });

/** True when the bytes start with upstream's protobuf magic. */
export function hasProtobufMagic(body: Uint8Array): boolean {
  return body.length >= 4 && MAGIC.every((b, i) => body[i] === b);
}

/**
 * Decodes a protobuf body into the object's JSON. Throws only ProtoError:
 * BAD_MAGIC, TRUNCATED, MALFORMED, WRONG_WIRE_TYPE, UNKNOWN_KIND,
 * UNSUPPORTED_CONTENT, BAD_VALUE or TOO_DEEP.
 */
export function decodeK8sProtobuf(body: Uint8Array): DecodedObject {
  return decodeAt(body, 0);
}

function decodeAt(body: Uint8Array, depth: number): DecodedObject {
  if (!(body instanceof Uint8Array)) throw new ProtoError('MALFORMED', 'protobuf body: not bytes');
  if (!hasProtobufMagic(body)) throw new ProtoError('BAD_MAGIC', 'protobuf body: does not start with the magic "k8s\\x00"');
  let unknown: Unknown;
  try {
    unknown = readUnknown(body.subarray(4));
  } catch (e) {
    throw translate(e, 'runtime.Unknown');
  }
  const { apiVersion, kind } = unknown;
  if (unknown.contentEncoding !== '') {
    throw new ProtoError('UNSUPPORTED_CONTENT', `runtime.Unknown: contentEncoding ${JSON.stringify(unknown.contentEncoding)} is not supported`);
  }
  if (unknown.contentType !== '' && unknown.contentType !== PROTOBUF_MEDIA_TYPE) {
    throw new ProtoError('UNSUPPORTED_CONTENT', `runtime.Unknown: contentType ${JSON.stringify(unknown.contentType)} is not supported`);
  }
  if (kind === '' || apiVersion === '') throw new ProtoError('UNKNOWN_KIND', 'runtime.Unknown: typeMeta has no apiVersion or kind');
  const slash = apiVersion.indexOf('/');
  const [group, version] = slash < 0 ? ['', apiVersion] : [apiVersion.slice(0, slash), apiVersion.slice(slash + 1)];
  const def = schemas.forKind(group, version, kind);
  if (!def) throw new ProtoError('UNKNOWN_KIND', `no kind ${JSON.stringify(kind)} is registered for version ${JSON.stringify(apiVersion)}`);
  let fields: Record<string, unknown>;
  try {
    fields = decoder.decode(unknown.raw, def.name, depth);
  } catch (e) {
    throw translate(e, def.name);
  }
  // metav1.TypeMeta comes first in Go's struct and so in its JSON.
  return { apiVersion, kind, object: { kind, apiVersion, ...fields } };
}

function readUnknown(b: Uint8Array): Unknown {
  const out: Unknown = { apiVersion: '', kind: '', raw: new Uint8Array(0), contentEncoding: '', contentType: '' };
  const r = new Reader(b);
  while (r.pos < r.len) {
    const tag = r.tag();
    const n = tag >>> 3;
    const wt = tag & 7;
    if (n === 0) throw new ProtoError('MALFORMED', 'runtime.Unknown: field number 0');
    if (n > 4) {
      r.skipType(wt, 0, n);
      continue;
    }
    expectWire(wt, 2, `runtime.Unknown field ${n}`);
    const v = r.bytes();
    if (n === 1) readTypeMeta(v, out);
    else if (n === 2) out.raw = v;
    else if (n === 3) out.contentEncoding = text(v);
    else out.contentType = text(v);
  }
  return out;
}

function readTypeMeta(b: Uint8Array, out: Unknown): void {
  const r = new Reader(b);
  while (r.pos < r.len) {
    const tag = r.tag();
    const n = tag >>> 3;
    const wt = tag & 7;
    if (n === 0) throw new ProtoError('MALFORMED', 'runtime.TypeMeta: field number 0');
    if (n === 1 || n === 2) {
      expectWire(wt, 2, `runtime.TypeMeta field ${n}`);
      const v = text(r.bytes());
      if (n === 1) out.apiVersion = v;
      else out.kind = v;
    } else {
      r.skipType(wt, 0, n);
    }
  }
}
