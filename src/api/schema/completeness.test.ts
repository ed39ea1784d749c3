/**
 * @module Cross-checks every definition against an independent description
 * of upstream's types: the models of @kubernetes/client-node (a dev
 * dependency, generated from upstream's OpenAPI). A field missing here would
 * make strict decoding reject a valid manifest; a misspelt one would accept
 * nonsense. The client is generated from a newer release than v1.32, so fields
 * added after v1.32 are listed explicitly below.
 */

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { danglingRefs, schemas } from './index.ts';
import type { Schema } from './types.ts';

const client = createRequire(import.meta.url)('@kubernetes/client-node') as Record<string, any>;

interface Attr {
  name: string;
  baseName: string;
  type: string;
  format: string;
}

/** Fields the client knows that upstream added after v1.32, by definition short name. */
const ADDED_AFTER_132: Record<string, string[]> = {
  ListMeta: ['shardInfo'],
  EndpointHints: ['forNodes'],
  ReplicaSetStatus: ['terminatingReplicas'],
  DeploymentStatus: ['terminatingReplicas'],
  PodSpec: ['schedulingGroup', 'hostnameOverride'],
  Lifecycle: ['stopSignal'],
  EnvVarSource: ['fileKeyRef'],
  Container: ['restartPolicyRules'],
  EphemeralContainer: ['restartPolicyRules'],
  VolumeProjection: ['podCertificate'],
  NodeStatus: ['declaredFeatures'],
  NodeSystemInfo: ['swap'],
  PodStatus: ['observedGeneration', 'extendedResourceClaimStatus', 'nodeAllocatableResourceClaimStatuses', 'resources', 'allocatedResources'],
  ContainerStatus: ['stopSignal'],
  ResourceHealth: ['message'],
  VolumeMountStatus: ['volumeStatus'],
  PodCondition: ['observedGeneration'],
};

/** The client's class for a definition: group-qualified where two groups share a name (CoreV1EndpointPort). */
function clientClass(defName: string): any {
  const parts = defName.split('.');
  const short = parts[parts.length - 1];
  const version = parts[parts.length - 2];
  const group = parts[parts.length - 3];
  const v = version[0].toUpperCase() + version.slice(1);
  return client[`${group[0].toUpperCase()}${group.slice(1)}${v}${short}`] ?? client[`${v}${short}`];
}

/** What the client's type/format must be for each kind of schema. */
function compatible(s: Schema, a: Attr): boolean {
  switch (s.kind) {
    case 'string':
      return a.type === 'string';
    case 'bytes':
      return a.type === 'string' && a.format === 'byte';
    case 'integer':
      return a.type === 'number' && a.format === s.format;
    case 'number':
      return a.type === 'number' && a.format === 'double';
    case 'boolean':
      return a.type === 'boolean';
    case 'int-or-string':
      return a.type === 'IntOrString';
    case 'quantity':
      return a.type === 'string';
    case 'time':
      return s.micro ? a.type === 'V1MicroTime' : a.type === 'Date';
    case 'any':
      return a.type === 'any' || a.type === 'object';
    case 'ref':
      return a.type.endsWith(s.ref.split('.').pop()!);
    case 'array':
      return a.type.startsWith('Array<');
    case 'map':
      return a.type.startsWith('{ [key: string]:');
    case 'object':
      return false;
  }
}

test('every ref names a definition of the set', () => {
  assert.deepEqual(danglingRefs(schemas), []);
});

test('every definition has exactly the fields upstream has, with compatible types', () => {
  const problems: string[] = [];
  let checked = 0;
  for (const def of schemas.all()) {
    const cls = clientClass(def.name);
    if (!cls) {
      problems.push(`${def.name}: no client model`);
      continue;
    }
    const short = def.name.split('.').pop()!;
    const attrs: Attr[] = cls.getAttributeTypeMap();
    const props = def.schema.properties;
    for (const a of attrs) {
      checked++;
      const p = props[a.baseName];
      if (!p) {
        if (!ADDED_AFTER_132[short]?.includes(a.baseName)) problems.push(`${def.name}: missing ${a.baseName}`);
        continue;
      }
      if (!compatible(p, a)) problems.push(`${def.name}.${a.baseName}: ${p.kind} vs client ${a.type}/${a.format}`);
    }
    for (const name of Object.keys(props)) {
      if (!attrs.some((a) => a.baseName === name)) problems.push(`${def.name}: ${name} is not upstream's`);
    }
  }
  assert.deepEqual(problems, []);
  assert.ok(checked > 900, `only ${checked} fields checked`);
});

test('every served kind and its list have a definition with x-kubernetes-group-version-kind', async () => {
  const { resources } = await import('../resources.ts');
  for (const r of resources) {
    for (const kind of [r.kind, r.listKind]) {
      const d = schemas.forKind(r.group, r.version, kind);
      assert.ok(d, `${r.group}/${r.version} ${kind}`);
      assert.ok(d.schema.properties.apiVersion && d.schema.properties.kind && d.schema.properties.metadata, kind);
    }
  }
});

test('patch strategies that kubectl apply depends on are upstream\'s', () => {
  const prop = (def: string, field: string) => schemas.get(def)!.schema.properties[field];
  const cases: [string, string, Record<string, unknown>][] = [
    ['io.k8s.api.core.v1.PodSpec', 'containers', { patchStrategy: 'merge', patchMergeKey: 'name', listType: 'map', listMapKeys: ['name'] }],
    ['io.k8s.api.core.v1.PodSpec', 'volumes', { patchStrategy: 'merge,retainKeys', patchMergeKey: 'name', listType: 'map', listMapKeys: ['name'] }],
    ['io.k8s.api.core.v1.Container', 'ports', { patchStrategy: 'merge', patchMergeKey: 'containerPort', listType: 'map', listMapKeys: ['containerPort', 'protocol'] }],
    ['io.k8s.api.core.v1.Container', 'env', { patchStrategy: 'merge', patchMergeKey: 'name', listType: 'map', listMapKeys: ['name'] }],
    ['io.k8s.api.core.v1.ServiceSpec', 'ports', { patchStrategy: 'merge', patchMergeKey: 'port', listType: 'map', listMapKeys: ['port', 'protocol'] }],
    ['io.k8s.api.apps.v1.DeploymentSpec', 'strategy', { patchStrategy: 'retainKeys' }],
    ['io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta', 'finalizers', { patchStrategy: 'merge', listType: 'set' }],
    ['io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta', 'ownerReferences', { patchStrategy: 'merge', patchMergeKey: 'uid', listType: 'map', listMapKeys: ['uid'] }],
  ];
  for (const [def, field, want] of cases) {
    const p = prop(def, field) as unknown as Record<string, unknown>;
    for (const [k, v] of Object.entries(want)) assert.deepEqual(p[k], v, `${def}.${field} ${k}`);
  }
});
