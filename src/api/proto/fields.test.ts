// The field tables against the schemas: every property of every definition
// has a protobuf field or is listed as not on the wire, so a schema change
// without regenerating the tables (tools/gen-fields.ts) fails here.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { schemas } from '../schema/index.ts';
import type { Schema } from '../schema/types.ts';
import { fieldRef, fieldTable, type FieldSpec } from './fields.ts';
import { TYPE_META } from './field-spec.ts';
import { messageDecoder } from './message.ts';

/** Definitions reachable from the served top-level kinds, following refs. */
function reachable(): Set<string> {
  const out = new Set<string>();
  const walk = (s: Schema): void => {
    if (s.kind === 'ref') visit(s.ref);
    else if (s.kind === 'array') walk(s.items);
    else if (s.kind === 'map') walk(s.values);
    else if (s.kind === 'object') Object.values(s.properties).forEach(walk);
  };
  const visit = (name: string): void => {
    if (out.has(name)) return;
    out.add(name);
    const def = schemas.get(name);
    if (def) walk(def.schema);
  };
  for (const d of schemas.all()) if (d.gvk) visit(d.name);
  return out;
}

describe('field tables', () => {
  it('cover every property of every definition reachable from a served kind', () => {
    const missing: string[] = [];
    const names = reachable();
    assert.ok(names.size > 200, `only ${names.size} definitions reachable`);
    for (const name of names) {
      const def = schemas.get(name);
      assert.ok(def, `${name} is referenced but not defined`);
      const table = fieldTable[name];
      if (!table) {
        missing.push(`${name} (whole definition)`);
        continue;
      }
      for (const prop of Object.keys(def.schema.properties)) if (!(prop in table)) missing.push(`${name}.${prop}`);
    }
    assert.deepEqual(missing, [], 'properties without a protobuf field: run node src/api/proto/tools/gen-fields.ts');
  });

  it('name no definition or property the schemas do not have', () => {
    const extra: string[] = [];
    for (const [name, table] of Object.entries(fieldTable)) {
      const def = schemas.get(name);
      if (!def) extra.push(name);
      else for (const prop of Object.keys(table)) if (!(prop in def.schema.properties)) extra.push(`${name}.${prop}`);
    }
    assert.deepEqual(extra, []);
  });

  it('skip only the apiVersion and kind of an inlined TypeMeta', () => {
    const skipped: string[] = [];
    for (const [name, table] of Object.entries(fieldTable)) {
      for (const [prop, spec] of Object.entries(table)) {
        if (fieldRef(spec)) continue;
        assert.equal(spec, TYPE_META, `${name}.${prop}`);
        skipped.push(prop);
      }
    }
    assert.ok(skipped.length > 0);
    assert.deepEqual([...new Set(skipped)].sort(), ['apiVersion', 'kind']);
  });

  it('give each field number of a message to one property, and inline only through nested messages', () => {
    for (const [name, table] of Object.entries(fieldTable)) {
      const seen = new Map<string, string>();
      const prefixes = new Set<string>();
      for (const [prop, spec] of Object.entries(table)) {
        const ref = fieldRef(spec);
        if (!ref) continue;
        assert.ok(ref.path.length >= 1 && ref.path.every((n) => Number.isInteger(n) && n > 0 && n < 2 ** 29), `${name}.${prop}`);
        const key = ref.path.join('.');
        assert.ok(!seen.has(key), `${name}: ${prop} and ${seen.get(key)} share field ${key}`);
        seen.set(key, prop);
        for (let i = 1; i < ref.path.length; i++) prefixes.add(ref.path.slice(0, i).join('.'));
      }
      for (const p of prefixes) assert.ok(!seen.has(p), `${name}: field ${p} is both inlined and the property ${seen.get(p)}`);
    }
  });

  it('compile for every definition (an empty message decodes to an empty object)', () => {
    const decoder = messageDecoder({ schemas, fields: fieldTable, embedded: () => null });
    for (const def of schemas.all()) assert.deepEqual(decoder.decode(new Uint8Array(0), def.name), {}, def.name);
  });

  // A few numbers copied by hand from upstream's generated.proto files, so a
  // bug in the generator cannot pass by agreeing with itself.
  const upstream: [string, string, FieldSpec][] = [
    ['io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta', 'name', 1],
    ['io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta', 'creationTimestamp', 8],
    ['io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta', 'labels', 11],
    ['io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta', 'managedFields', 17],
    ['io.k8s.api.core.v1.ConfigMap', 'binaryData', 3],
    ['io.k8s.api.core.v1.Secret', 'stringData', 4],
    ['io.k8s.api.core.v1.ServiceSpec', 'selector', 2],
    ['io.k8s.api.core.v1.ServiceSpec', 'externalName', 10],
    ['io.k8s.api.core.v1.ServicePort', 'targetPort', 4],
    ['io.k8s.api.core.v1.PodSpec', 'containers', 2],
    ['io.k8s.api.core.v1.Capabilities', 'drop', 2],
    ['io.k8s.api.core.v1.CephFSVolumeSource', 'secretRef', 5],
    ['io.k8s.api.apps.v1.DeploymentSpec', 'progressDeadlineSeconds', { path: [9], keepZero: true }],
    ['io.k8s.api.apps.v1.DeploymentSpec', 'replicas', { path: [1], keepZero: true }],
    ['io.k8s.api.core.v1.Volume', 'configMap', { path: [2, 19], keepZero: false }],
    ['io.k8s.api.core.v1.ConfigMapKeySelector', 'name', { path: [1, 1], keepZero: false }],
    ['io.k8s.api.networking.v1.IngressRule', 'http', { path: [2, 1], keepZero: false }],
    ['io.k8s.api.core.v1.ContainerPort', 'containerPort', { path: [3], keepZero: true }],
  ];
  for (const [name, prop, want] of upstream) {
    it(`${name.split('.').pop()}.${prop} is field ${JSON.stringify(want)}`, () => {
      assert.deepEqual(fieldRef(fieldTable[name][prop]), fieldRef(want));
    });
  }
});
