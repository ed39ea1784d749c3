/**
 * @module /openapi/v2 as protobuf: the swagger document openapiV2Doc() builds,
 * as gnostic's `openapi.v2.Document` (github.com/google/gnostic-models,
 * openapiv2/OpenAPIv2.proto), which client-go's discovery OpenAPISchema()
 * asks for and decodes: kubectl's client-side validation (`--validate=strict`
 * of a `kind: List`), `explain --output=plaintext-openapiv2`, and the v2
 * fallback of its field-validation check.
 *
 * The conversion is upstream's `openapi_v2.NewDocument` in reverse, driven by
 * the descriptor (v2-proto-descriptor.json, written by tools/gen-v2-proto.ts
 * from the kubectl binary): a JSON key maps to the field of the same name in
 * snake_case (`$ref` to `_ref`), `x-` keys become `vendor_extension` entries
 * whose `Any.yaml` holds the value as YAML text, maps become repeated
 * `Named*` pairs in key order, and the oneof wrappers pick their branch the
 * way gnostic does. A key the message has no field for is an error, never
 * silently dropped.
 */

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import protobuf from 'protobufjs/light.js';
import { stringify } from 'yaml';
import { openapiV2Doc, openapiV2Json } from './v2.ts';

/** What client-go's OpenAPISchema() asks for (openAPIV2mimePb). */
export const V2_PROTO_ACCEPT = 'application/com.github.proto-openapi.spec.v2@v1.0+protobuf';
/**
 * What kube-openapi answers it with, for either name: Go's mime.ParseMediaType,
 * which client-go runs on every response's Content-Type, refuses the `@`
 * ("mime: unexpected content after media subtype").
 */
export const V2_PROTO_MEDIA_TYPE = 'application/com.github.proto-openapi.spec.v2.v1.0+protobuf';

type Json = Record<string, unknown>;

/** Every message of gnostic's openapi.v2 package (and google.protobuf.Any), names as in the .proto. */
export const gnosticRoot: protobuf.Root = protobuf.Root.fromJSON(
  JSON.parse(readFileSync(join(import.meta.dirname, 'v2-proto-descriptor.json'), 'utf8')) as protobuf.INamespace,
);
const DocumentType = gnosticRoot.lookupType('openapi.v2.Document');

export class OpenApiProtoError extends Error {
  readonly code = 'UNENCODABLE';
  constructor(message: string) {
    super(message);
    this.name = 'OpenApiProtoError';
  }
}

const snake = (key: string): string => (key === '$ref' ? '_ref' : key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`));

/** gnostic's compiler.Marshal: block-style YAML; 1.1 quoting, as kube-openapi reads it with yaml.v2. */
const anyOf = (v: unknown): Json => ({ yaml: stringify(v, { version: '1.1', lineWidth: 0 }) });

const namedAny = (key: string, v: unknown): Json => ({ name: key, value: anyOf(v) });

function object(v: unknown, where: string): Json {
  if (!v || typeof v !== 'object' || Array.isArray(v)) throw new OpenApiProtoError(`${where}: expected an object`);
  return v as Json;
}

/** An object whose `x-` keys are vendor extensions and the rest are a named map in field `field`. */
function mapWithExtensions(t: protobuf.Type, v: unknown, field: string): Json {
  const out: Json = {};
  const named: Json[] = [];
  const ext: Json[] = [];
  const valueType = (t.fields[field].resolvedType as protobuf.Type).fields.value;
  for (const [k, x] of Object.entries(object(v, t.name))) {
    if (k.startsWith('x-')) ext.push(namedAny(k, x));
    else named.push({ name: k, value: fieldValue(valueType, x, `${t.name}.${k}`) });
  }
  if (named.length > 0) out[field] = named;
  if (ext.length > 0) out.vendor_extension = ext;
  return out;
}

const OAUTH2_FLOWS: Record<string, string> = {
  implicit: 'oauth2_implicit_security',
  password: 'oauth2_password_security',
  application: 'oauth2_application_security',
  accessCode: 'oauth2_access_code_security',
};

/** Messages that do not follow the key-per-field rule: oneof wrappers, lists written as one value, maps. */
const special: Record<string, (t: protobuf.Type, v: any) => Json> = {
  Any: (_t, v) => anyOf(v),
  TypeItem: (_t, v) => ({ value: Array.isArray(v) ? v : [v] }),
  StringArray: (_t, v) => ({ value: v }),
  ItemsItem: (t, v) => ({ schema: (Array.isArray(v) ? v : [v]).map((s) => convert(t.fields.schema.resolvedType as protobuf.Type, s)) }),
  AdditionalPropertiesItem: (t, v) => (typeof v === 'boolean' ? { boolean: v } : { schema: convert(t.fields.schema.resolvedType as protobuf.Type, v) }),
  Paths: (t, v) => mapWithExtensions(t, v, 'path'),
  Responses: (t, v) => mapWithExtensions(t, v, 'response_code'),
  ParametersItem: (t, v) => oneof(t, v, object(v, t.name).$ref !== undefined ? 'json_reference' : 'parameter'),
  Parameter: (t, v) => oneof(t, v, object(v, t.name).in === 'body' ? 'body_parameter' : 'non_body_parameter'),
  NonBodyParameter: (t, v) => oneof(t, v, `${snake(String(object(v, t.name).in))}_parameter_sub_schema`),
  ResponseValue: (t, v) => oneof(t, v, object(v, t.name).$ref !== undefined ? 'json_reference' : 'response'),
  SchemaItem: (t, v) => oneof(t, v, object(v, t.name).type === 'file' ? 'file_schema' : 'schema'),
  SecurityDefinitionsItem: (t, v) => {
    const { type, flow } = object(v, t.name);
    const branch = type === 'basic' ? 'basic_authentication_security' : type === 'apiKey' ? 'api_key_security' : OAUTH2_FLOWS[String(flow)];
    return oneof(t, v, branch ?? `type ${String(type)}`);
  },
};

function oneof(t: protobuf.Type, v: unknown, branch: string): Json {
  const f = t.fields[branch];
  if (!f) throw new OpenApiProtoError(`${t.name}: no branch for ${branch}`);
  return { [branch]: convert(f.resolvedType as protobuf.Type, v) };
}

function scalar(f: protobuf.Field, v: unknown, where: string): unknown {
  const want = f.type === 'string' ? 'string' : f.type === 'bool' ? 'boolean' : 'number';
  if (typeof v !== want || (f.type === 'int64' && !Number.isInteger(v))) throw new OpenApiProtoError(`${where}: expected ${f.type}`);
  return v;
}

function fieldValue(f: protobuf.Field, v: unknown, where: string): unknown {
  const one = (x: unknown) => (f.resolvedType instanceof protobuf.Type ? convert(f.resolvedType, x) : scalar(f, x, where));
  if (!f.repeated) return one(v);
  if (!Array.isArray(v)) throw new OpenApiProtoError(`${where}: expected a list`);
  return v.map(one);
}

/** One JSON value as the plain object of message type `t`. */
export function convert(t: protobuf.Type, v: unknown): Json {
  const sp = special[t.name];
  if (sp) return sp(t, v);
  const fields = t.fieldsArray;
  // Definitions, Properties, Headers, SecurityDefinitions...: `repeated Named* additional_properties` only.
  if (fields.length === 1 && fields[0].name === 'additional_properties') {
    const valueType = (fields[0].resolvedType as protobuf.Type).fields.value;
    return { additional_properties: Object.entries(object(v, t.name)).map(([name, x]) => ({ name, value: fieldValue(valueType, x, `${t.name}.${name}`) })) };
  }
  const out: Json = {};
  const ext: Json[] = [];
  for (const [k, x] of Object.entries(object(v, t.name))) {
    if (k.startsWith('x-') && t.fields.vendor_extension) {
      ext.push(namedAny(k, x));
      continue;
    }
    const f = t.fields[snake(k)];
    if (!f) throw new OpenApiProtoError(`${t.name} has no field for "${k}"`);
    out[f.name] = fieldValue(f, x, `${t.name}.${k}`);
  }
  if (ext.length > 0) out.vendor_extension = ext;
  return out;
}

/** The swagger 2.0 document as `openapi.v2.Document` bytes. */
export function encodeV2Proto(doc: object): Uint8Array {
  const obj = convert(DocumentType, doc);
  const err = DocumentType.verify(obj);
  if (err) throw new OpenApiProtoError(`openapi.v2.Document: ${err}`);
  return DocumentType.encode(obj).finish();
}

let cached: { bytes: Uint8Array; etag: string } | undefined;

/**
 * The bytes to serve for the protobuf Accept, and the ETag, which is the JSON
 * document's: kube-openapi's protoCache transforms jsonCache and keeps its etag.
 */
export function openapiV2Proto(): { bytes: Uint8Array; etag: string } {
  cached ??= { bytes: encodeV2Proto(openapiV2Doc()), etag: openapiV2Json().etag };
  return cached;
}

/**
 * kube-openapi's v2 handler (handler.RegisterOpenAPIVersionedService): the
 * Accept clauses by preference (goautoneg), each tried against JSON and the
 * two protobuf names; the first match wins, so `*\/*` and `application/*`
 * get JSON. An empty Accept is `*\/*`; `undefined` is a 406.
 */
export function negotiateV2(accept: string | undefined): { format: 'json' | 'protobuf'; contentType: string } | undefined {
  const offers: [string, string, 'json' | 'protobuf', string][] = [
    ['application', 'json', 'json', 'application/json'],
    ['application', V2_PROTO_ACCEPT.split('/')[1], 'protobuf', V2_PROTO_MEDIA_TYPE],
    ['application', V2_PROTO_MEDIA_TYPE.split('/')[1], 'protobuf', V2_PROTO_MEDIA_TYPE],
  ];
  const clauses = (accept?.trim() || '*/*')
    .split(',')
    .map((c, i) => {
      const [range, ...params] = c.split(';').map((s) => s.trim());
      const q = Number(params.find((p) => /^q=/i.test(p))?.slice(2) ?? 1);
      const [type = '', sub = ''] = range.toLowerCase().split('/');
      return { type, sub, q: Number.isNaN(q) ? 0 : q, i, specific: (type === '*' ? 0 : 2) + (sub === '*' ? 0 : 1) };
    })
    .filter((c) => c.q > 0 && c.sub !== '')
    .sort((a, b) => b.q - a.q || b.specific - a.specific || a.i - b.i);
  for (const c of clauses) {
    for (const [type, sub, format, contentType] of offers) {
      if ((c.type === type || c.type === '*') && (c.sub === sub || c.sub === '*')) return { format, contentType };
    }
  }
  return undefined;
}
