/**
 * @module The schemas of every kind nanokube serves, as one SchemaSet. Strict
 * decoding, the patch engines and the OpenAPI documents all read this.
 */

import type { Definition, Schema, SchemaSet } from './types.ts';
import { appsDefinitions } from './apps.ts';
import { containerDefinitions } from './core-container.ts';
import { nodeDefinitions } from './core-node.ts';
import { coreOtherDefinitions } from './core-other.ts';
import { podDefinitions } from './core-pod.ts';
import { schedulingDefinitions } from './core-scheduling.ts';
import { securityDefinitions } from './core-security.ts';
import { serviceDefinitions } from './core-service.ts';
import { inTreeVolumeDefinitions } from './core-volume-intree.ts';
import { volumeDefinitions } from './core-volume.ts';
import { coordinationDefinitions } from './coordination.ts';
import { discoveryDefinitions } from './discovery.ts';
import { metaDefinitions } from './meta.ts';
import { networkingDefinitions } from './networking.ts';
import { subresourceDefinitions } from './subresources.ts';

export type { Definition, Schema, SchemaSet } from './types.ts';
export { checkFields, decodeError, goType, pruneUnknown, strictDecodingError, unknownFieldWarnings } from './decode.ts';
export type { CheckResult } from './decode.ts';

export const allDefinitions: Definition[] = [
  ...metaDefinitions,
  ...podDefinitions,
  ...containerDefinitions,
  ...securityDefinitions,
  ...schedulingDefinitions,
  ...volumeDefinitions,
  ...inTreeVolumeDefinitions,
  ...serviceDefinitions,
  ...nodeDefinitions,
  ...coreOtherDefinitions,
  ...appsDefinitions,
  ...networkingDefinitions,
  ...discoveryDefinitions,
  ...coordinationDefinitions,
  ...subresourceDefinitions,
];

/** Builds a SchemaSet; throws on a duplicate name, since a second definition would silently shadow the first. */
export function schemaSet(defs: Definition[]): SchemaSet {
  const byName = new Map<string, Definition>();
  const byKind = new Map<string, Definition>();
  for (const d of defs) {
    if (byName.has(d.name)) throw new Error(`schema: duplicate definition ${d.name}`);
    byName.set(d.name, d);
    for (const k of d.gvk ?? []) byKind.set(`${k.group}/${k.version}/${k.kind}`, d);
  }
  return {
    get: (name) => byName.get(name),
    forKind: (group, version, kind) => byKind.get(`${group}/${version}/${kind}`),
    resolve(s: Schema): Schema {
      // Definitions are object schemas, so one step resolves a ref; a ref to a
      // missing name is returned as it is and reported by the caller.
      if (s.kind !== 'ref') return s;
      return byName.get(s.ref)?.schema ?? s;
    },
    all: () => byName.values(),
  };
}

export const schemas: SchemaSet = schemaSet(allDefinitions);

/** Names of refs that point at no definition; empty when the set is closed. */
export function danglingRefs(set: SchemaSet): string[] {
  const out = new Set<string>();
  const walk = (s: Schema): void => {
    if (s.kind === 'ref') {
      if (!set.get(s.ref)) out.add(s.ref);
    } else if (s.kind === 'object') {
      for (const p of Object.values(s.properties)) walk(p);
    } else if (s.kind === 'array') walk(s.items);
    else if (s.kind === 'map') walk(s.values);
  };
  for (const d of set.all()) walk(d.schema);
  return [...out].sort();
}
