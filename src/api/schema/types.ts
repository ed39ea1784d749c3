/**
 * @module The schema language for API types. One description of every type
 * drives strict decoding (unknown fields, wrong types), the strategic merge
 * patch and server-side apply (patch strategies, list types), and the
 * OpenAPI v3/v2 documents that kubectl reads (validation, explain, apply).
 *
 * Names of definitions follow upstream's OpenAPI names
 * (`io.k8s.api.core.v1.PodSpec`), so generated documents look like upstream's.
 */

export interface SchemaMeta {
  description?: string;
  /** x-kubernetes-patch-strategy: 'merge' | 'retainKeys' | 'merge,retainKeys' | 'replace'. */
  patchStrategy?: string;
  /** x-kubernetes-patch-merge-key. */
  patchMergeKey?: string;
  /** x-kubernetes-list-type. */
  listType?: 'atomic' | 'set' | 'map';
  /** x-kubernetes-list-map-keys. */
  listMapKeys?: string[];
  /** x-kubernetes-map-type. */
  mapType?: 'atomic' | 'granular';
  /** Shown by explain and OpenAPI; applied by the defaulting code, not by the schema engine. */
  default?: unknown;
  /** x-kubernetes-unions and similar markers are not modelled. */
}

export type Schema = SchemaMeta &
  (
    | { kind: 'string'; enum?: string[]; format?: string }
    | { kind: 'integer'; format?: 'int32' | 'int64' }
    | { kind: 'number'; format?: 'double' }
    | { kind: 'boolean' }
    /** intstr.IntOrString: accepts an integer or a string. */
    | { kind: 'int-or-string' }
    /** resource.Quantity: a string or a number, canonicalised by the apiserver. */
    | { kind: 'quantity' }
    /** metav1.Time / MicroTime: an RFC 3339 string or null. */
    | { kind: 'time'; micro?: boolean }
    /** []byte: a base64 string. */
    | { kind: 'bytes' }
    /** Anything (runtime.RawExtension, FieldsV1, free-form JSON): x-kubernetes-preserve-unknown-fields. */
    | { kind: 'any' }
    | { kind: 'object'; properties: Record<string, Schema>; required?: string[] }
    /** map[string]T: additionalProperties. */
    | { kind: 'map'; values: Schema }
    | { kind: 'array'; items: Schema }
    /** A named definition. */
    | { kind: 'ref'; ref: string }
  );

export type ObjectSchema = Extract<Schema, { kind: 'object' }>;

export interface Definition {
  /** Upstream OpenAPI name, e.g. io.k8s.api.core.v1.Pod. */
  name: string;
  schema: ObjectSchema;
  /** x-kubernetes-group-version-kind, for top-level kinds. */
  gvk?: { group: string; version: string; kind: string }[];
}

/** The registry of definitions; `resolve` follows refs. */
export interface SchemaSet {
  get(name: string): Definition | undefined;
  /** The definition of a top-level kind. */
  forKind(group: string, version: string, kind: string): Definition | undefined;
  /** Follows `ref` schemas to the named definition's schema; returns other schemas as they are. */
  resolve(s: Schema): Schema;
  all(): Iterable<Definition>;
}
