/**
 * @module Renders the schema language as OpenAPI schema objects, in the
 * shapes upstream's kube-openapi builder emits: v3 wraps a described `$ref`
 * in `allOf`, v2 puts `description` beside `$ref`; Quantity, IntOrString,
 * Time and MicroTime are named definitions, referenced, as upstream's are.
 */

import type { Definition, Schema, SchemaMeta, SchemaSet } from '../schema/types.ts';

export type Flavor = 'v2' | 'v3';

export const QUANTITY = 'io.k8s.apimachinery.pkg.api.resource.Quantity';
export const INT_OR_STRING = 'io.k8s.apimachinery.pkg.util.intstr.IntOrString';
export const TIME = 'io.k8s.apimachinery.pkg.apis.meta.v1.Time';
export const MICRO_TIME = 'io.k8s.apimachinery.pkg.apis.meta.v1.MicroTime';
export const PATCH = 'io.k8s.apimachinery.pkg.apis.meta.v1.Patch';

const refPrefix = (f: Flavor) => (f === 'v3' ? '#/components/schemas/' : '#/definitions/');

/** The named definitions that are scalars in the schema language, as upstream writes them per flavor. */
export function scalarDefinitions(f: Flavor): Record<string, object> {
  return {
    [QUANTITY]: {
      description:
        'Quantity is a fixed-point representation of a number. It provides convenient marshaling/unmarshaling in JSON and YAML, in addition to String() and AsInt64() accessors.',
      ...(f === 'v3' ? { oneOf: [{ type: 'string' }, { type: 'number' }] } : { type: 'string' }),
    },
    [INT_OR_STRING]: {
      description:
        'IntOrString is a type that can hold an int32 or a string.  When used in JSON or YAML marshalling and unmarshalling, it produces or consumes the inner type.  This allows you to have, for example, a JSON field that can accept a name or number.',
      format: 'int-or-string',
      ...(f === 'v3' ? { oneOf: [{ type: 'integer' }, { type: 'string' }] } : { type: 'string' }),
    },
    [TIME]: {
      description:
        'Time is a wrapper around time.Time which supports correct marshaling to YAML and JSON.  Wrappers are provided for many of the factory methods that the time package offers.',
      format: 'date-time',
      type: 'string',
    },
    [MICRO_TIME]: {
      description: 'MicroTime is version of Time with microsecond level precision.',
      format: 'date-time',
      type: 'string',
    },
    [PATCH]: {
      description: 'Patch is provided to give a concrete name and type to the Kubernetes PATCH request body.',
      type: 'object',
    },
  };
}

/** The names a schema refers to, including the scalar definitions it renders as refs. */
function refsOf(s: Schema, out: Set<string>): void {
  switch (s.kind) {
    case 'ref':
      out.add(s.ref);
      return;
    case 'quantity':
      out.add(QUANTITY);
      return;
    case 'int-or-string':
      out.add(INT_OR_STRING);
      return;
    case 'time':
      out.add(s.micro ? MICRO_TIME : TIME);
      return;
    case 'array':
      return refsOf(s.items, out);
    case 'map':
      return refsOf(s.values, out);
    case 'object':
      for (const p of Object.values(s.properties)) refsOf(p, out);
      return;
    default:
      return;
  }
}

/** Every definition name reachable from the roots, the roots included, sorted. */
export function reachable(set: SchemaSet, roots: string[]): string[] {
  const seen = new Set<string>();
  const stack = [...roots];
  while (stack.length > 0) {
    const name = stack.pop()!;
    if (seen.has(name)) continue;
    seen.add(name);
    const def = set.get(name);
    if (!def) continue;
    const refs = new Set<string>();
    refsOf(def.schema, refs);
    stack.push(...refs);
  }
  return [...seen].sort();
}

function extensions(m: SchemaMeta): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (m.default !== undefined) out.default = m.default;
  if (m.description) out.description = m.description;
  if (m.listMapKeys) out['x-kubernetes-list-map-keys'] = m.listMapKeys;
  if (m.listType) out['x-kubernetes-list-type'] = m.listType;
  if (m.mapType) out['x-kubernetes-map-type'] = m.mapType;
  if (m.patchMergeKey) out['x-kubernetes-patch-merge-key'] = m.patchMergeKey;
  if (m.patchStrategy) out['x-kubernetes-patch-strategy'] = m.patchStrategy;
  return out;
}

function refTo(name: string, m: SchemaMeta, f: Flavor): Record<string, unknown> {
  const ref = { $ref: refPrefix(f) + name };
  const ext = extensions(m);
  if (Object.keys(ext).length === 0) return ref;
  // OpenAPI 3.0 ignores siblings of $ref, so upstream wraps it; v2 tools read the siblings.
  return f === 'v3' ? { allOf: [ref], ...ext } : { ...ref, ...ext };
}

export function toJsonSchema(s: Schema, f: Flavor): Record<string, unknown> {
  switch (s.kind) {
    case 'string':
      return { ...extensions(s), type: 'string', ...(s.format ? { format: s.format } : {}), ...(s.enum ? { enum: s.enum } : {}) };
    case 'integer':
      return { ...extensions(s), type: 'integer', ...(s.format ? { format: s.format } : {}) };
    case 'number':
      return { ...extensions(s), type: 'number', format: s.format ?? 'double' };
    case 'boolean':
      return { ...extensions(s), type: 'boolean' };
    case 'bytes':
      return { ...extensions(s), type: 'string', format: 'byte' };
    case 'any':
      return { ...extensions(s), type: 'object', 'x-kubernetes-preserve-unknown-fields': true };
    case 'int-or-string':
      return refTo(INT_OR_STRING, s, f);
    case 'quantity':
      return refTo(QUANTITY, s, f);
    case 'time':
      return refTo(s.micro ? MICRO_TIME : TIME, s, f);
    case 'ref':
      return refTo(s.ref, s, f);
    case 'array':
      return { ...extensions(s), type: 'array', items: toJsonSchema(s.items, f) };
    case 'map':
      return { ...extensions(s), type: 'object', additionalProperties: toJsonSchema(s.values, f) };
    case 'object': {
      const properties: Record<string, unknown> = {};
      for (const k of Object.keys(s.properties).sort()) properties[k] = toJsonSchema(s.properties[k], f);
      return {
        ...extensions(s),
        type: 'object',
        properties,
        ...(s.required && s.required.length > 0 ? { required: s.required } : {}),
      };
    }
  }
}

/** A definition as a components/definitions entry, with its x-kubernetes-group-version-kind. */
export function definitionJson(d: Definition, f: Flavor): Record<string, unknown> {
  const out = toJsonSchema(d.schema, f);
  if (d.gvk) out['x-kubernetes-group-version-kind'] = d.gvk.map((g) => ({ group: g.group, kind: g.kind, version: g.version }));
  return out;
}

/** The definitions section for the given names: schema definitions and the scalar ones. */
export function definitionsJson(set: SchemaSet, names: string[], f: Flavor): Record<string, unknown> {
  const scalars = scalarDefinitions(f);
  const out: Record<string, unknown> = {};
  for (const name of names) {
    const d = set.get(name);
    if (d) out[name] = definitionJson(d, f);
    else if (name in scalars) out[name] = scalars[name];
  }
  return out;
}
