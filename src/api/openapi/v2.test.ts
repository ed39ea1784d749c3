/**
 * @module The swagger 2.0 document: closed over its definitions, with the
 * same extensions as v3 in v2's shapes.
 */

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { resources } from '../resources.ts';
import { openapiV2Doc, openapiV2Json } from './v2.ts';

type Json = Record<string, any>;
const d = openapiV2Doc() as Json;

function allRefs(v: unknown, out: string[] = []): string[] {
  if (Array.isArray(v)) v.forEach((x) => allRefs(x, out));
  else if (v && typeof v === 'object') {
    for (const [k, x] of Object.entries(v)) {
      if (k === '$ref') out.push(x as string);
      else allRefs(x, out);
    }
  }
  return out;
}

test('is swagger 2.0 and every $ref points into definitions', () => {
  assert.equal(d.swagger, '2.0');
  const refs = allRefs(d);
  assert.ok(refs.length > 500);
  assert.deepEqual(refs.filter((r) => !r.startsWith('#/definitions/') || !d.definitions[r.slice('#/definitions/'.length)]), []);
});

test('every served kind has a definition with its GVK and a PATCH path with fieldValidation', () => {
  for (const r of resources) {
    const defs = Object.values<Json>(d.definitions).filter((x) =>
      (x['x-kubernetes-group-version-kind'] ?? []).some((g: Json) => g.group === r.group && g.version === r.version && g.kind === r.kind),
    );
    assert.equal(defs.length, 1, r.kind);
    const patches = Object.values<Json>(d.paths)
      .map((p) => p.patch)
      .filter((op) => op && op['x-kubernetes-group-version-kind'].kind === r.kind && op['x-kubernetes-group-version-kind'].group === r.group);
    assert.ok(patches.length > 0, r.kind);
    for (const op of patches) {
      assert.ok(op.parameters.some((p: Json) => p.name === 'fieldValidation' && p.in === 'query' && p.type === 'string'));
      assert.ok(op.consumes.includes('application/strategic-merge-patch+json'));
    }
  }
});

test('refs carry their description and patch strategy beside $ref, as upstream v2 does', () => {
  const spec = d.definitions['io.k8s.api.apps.v1.DeploymentSpec'].properties;
  assert.deepEqual(Object.keys(spec.strategy).sort(), ['$ref', 'description', 'x-kubernetes-patch-strategy']);
  assert.equal(spec.strategy['x-kubernetes-patch-strategy'], 'retainKeys');
  const containers = d.definitions['io.k8s.api.core.v1.PodSpec'].properties.containers;
  assert.equal(containers['x-kubernetes-patch-merge-key'], 'name');
  assert.deepEqual(containers.items, { $ref: '#/definitions/io.k8s.api.core.v1.Container' });
  assert.deepEqual(d.definitions['io.k8s.apimachinery.pkg.util.intstr.IntOrString'].type, 'string');
  assert.deepEqual(d.definitions['io.k8s.apimachinery.pkg.api.resource.Quantity'].type, 'string');
});

test('the served bytes are the document', () => {
  const { json, etag } = openapiV2Json();
  assert.deepEqual(JSON.parse(json), d);
  assert.match(etag, /^[0-9A-F]{128}$/);
});
