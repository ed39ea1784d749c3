/**
 * @module Small constructors for the schema language, so that each field of a
 * definition reads as one line (`image: str('Container image name.')`), close to
 * the struct in upstream's types.go.
 */

import type { Definition, ObjectSchema, Schema, SchemaMeta } from './types.ts';

type Meta = Omit<SchemaMeta, 'description'>;

function withMeta<S extends Schema>(s: S, description?: string, meta?: Meta): S {
  const out = { ...s, ...(meta ?? {}) };
  if (description) out.description = description;
  return out;
}

export const str = (description?: string, meta?: Meta): Schema => withMeta({ kind: 'string' }, description, meta);
export const int32 = (description?: string, meta?: Meta): Schema =>
  withMeta({ kind: 'integer', format: 'int32' }, description, meta);
export const int64 = (description?: string, meta?: Meta): Schema =>
  withMeta({ kind: 'integer', format: 'int64' }, description, meta);
export const num = (description?: string, meta?: Meta): Schema =>
  withMeta({ kind: 'number', format: 'double' }, description, meta);
export const bool = (description?: string, meta?: Meta): Schema => withMeta({ kind: 'boolean' }, description, meta);
export const bytes = (description?: string, meta?: Meta): Schema => withMeta({ kind: 'bytes' }, description, meta);
export const intOrString = (description?: string, meta?: Meta): Schema =>
  withMeta({ kind: 'int-or-string' }, description, meta);
export const quantity = (description?: string, meta?: Meta): Schema => withMeta({ kind: 'quantity' }, description, meta);
export const time = (description?: string, meta?: Meta): Schema => withMeta({ kind: 'time' }, description, meta);
export const microTime = (description?: string, meta?: Meta): Schema =>
  withMeta({ kind: 'time', micro: true }, description, meta);
/** runtime.RawExtension and FieldsV1: free-form JSON, kept as sent. */
export const any = (description?: string, meta?: Meta): Schema => withMeta({ kind: 'any' }, description, meta);
export const ref = (name: string, description?: string, meta?: Meta): Schema =>
  withMeta({ kind: 'ref', ref: name }, description, meta);
export const map = (values: Schema, description?: string, meta?: Meta): Schema =>
  withMeta({ kind: 'map', values }, description, meta);

/**
 * A list. Upstream marks almost every list with +listType; unmarked lists are
 * atomic for server-side apply anyway, so atomic is the default here.
 */
export const arr = (items: Schema, description?: string, meta: Meta = { listType: 'atomic' }): Schema =>
  withMeta({ kind: 'array', items }, description, meta);

/**
 * The usual pairing upstream writes for keyed lists: `+patchStrategy=merge
 * +patchMergeKey=<key> +listType=map +listMapKey=<key>`.
 */
export function mergeByKey(key: string): Meta {
  return { patchStrategy: 'merge', patchMergeKey: key, listType: 'map', listMapKeys: [key] };
}

export const core = (n: string): string => `io.k8s.api.core.v1.${n}`;
export const apps = (n: string): string => `io.k8s.api.apps.v1.${n}`;
export const networking = (n: string): string => `io.k8s.api.networking.v1.${n}`;
export const discovery = (n: string): string => `io.k8s.api.discovery.v1.${n}`;
export const coordination = (n: string): string => `io.k8s.api.coordination.v1.${n}`;
export const autoscaling = (n: string): string => `io.k8s.api.autoscaling.v1.${n}`;
export const policy = (n: string): string => `io.k8s.api.policy.v1.${n}`;
export const meta = (n: string): string => `io.k8s.apimachinery.pkg.apis.meta.v1.${n}`;

/** metav1.TypeMeta, inlined into every top-level kind. */
export const typeMeta: Record<string, Schema> = {
  apiVersion: str(
    'APIVersion defines the versioned schema of this representation of an object. Servers should convert recognized schemas to the latest internal value, and may reject unrecognized values. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#resources',
  ),
  kind: str(
    'Kind is a string value representing the REST resource this object represents. Servers may infer this from the endpoint the client submits requests to. Cannot be updated. In CamelCase. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#types-kinds',
  ),
};

export const objectMeta = ref(
  meta('ObjectMeta'),
  "Standard object's metadata. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata",
);
export const listMeta = ref(
  meta('ListMeta'),
  'Standard list metadata. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata',
);

export interface GVK {
  group: string;
  version: string;
  kind: string;
}

export const gvk = (group: string, version: string, kind: string): GVK[] => [{ group, version, kind }];

/** The group-versions nanokube serves, for the meta kinds every group shares (DeleteOptions, WatchEvent). */
export const servedGroupVersions: [string, string][] = [
  ['', 'v1'],
  ['apps', 'v1'],
  ['autoscaling', 'v1'],
  ['coordination.k8s.io', 'v1'],
  ['discovery.k8s.io', 'v1'],
  ['networking.k8s.io', 'v1'],
  ['policy', 'v1'],
];

export const inEveryGroup = (kind: string): GVK[] => servedGroupVersions.map(([group, version]) => ({ group, version, kind }));

export function def(
  name: string,
  description: string,
  properties: Record<string, Schema>,
  opts: { required?: string[]; mapType?: 'atomic'; gvk?: GVK[] } = {},
): Definition {
  const schema: ObjectSchema = { kind: 'object', properties, description };
  if (opts.required) schema.required = opts.required;
  if (opts.mapType) schema.mapType = opts.mapType;
  return opts.gvk ? { name, schema, gvk: opts.gvk } : { name, schema };
}
