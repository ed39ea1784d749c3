/**
 * @module OpenAPI v3 documents, checked the way kubectl v1.32 reads them:
 * cli-runtime's query_param_verifier_v3 (fieldValidation support),
 * kubectl apply's gvkSupportsPatchOpenAPIV3 and strategicpatch's
 * PatchMetaFromOpenAPIV3 (merge keys through allOf/$ref), and explain's
 * lookup of a kind by x-kubernetes-group-version-kind.
 */

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { resources } from '../resources.ts';
import { openapiV3Doc, openapiV3Hash, openapiV3Index, openapiV3Json, openapiV3Response } from './v3.ts';
import { groupVersionPrefix } from './routes.ts';

type Json = Record<string, any>;
const gvPath = (group: string, version: string) => groupVersionPrefix(group, version).slice(1);
const doc = (group: string, version: string): Json => {
  const d = openapiV3Doc(gvPath(group, version));
  assert.ok(d, `no document for ${group}/${version}`);
  return d as Json;
};

/** cli-runtime supportsQueryParamV3: the first PATCH operation with the GVK decides. */
function supportsQueryParam(d: Json, gvk: { group: string; version: string; kind: string }, param: string): boolean {
  for (const item of Object.values<Json>(d.paths)) {
    const op = item.patch;
    if (!op) continue;
    const g = op['x-kubernetes-group-version-kind'];
    if (!g || g.group !== gvk.group || g.version !== gvk.version || g.kind !== gvk.kind) continue;
    return (op.parameters ?? []).some((p: Json) => p.name === param);
  }
  return false;
}

/** kubectl apply gvkSupportsPatchOpenAPIV3: the PATCH body must offer strategic merge patch. */
function supportsStrategicMerge(d: Json, gvk: { group: string; version: string; kind: string }): boolean {
  for (const item of Object.values<Json>(d.paths)) {
    const g = item.patch?.['x-kubernetes-group-version-kind'];
    if (!g || g.group !== gvk.group || g.version !== gvk.version || g.kind !== gvk.kind) continue;
    return 'application/strategic-merge-patch+json' in (item.patch.requestBody?.content ?? {});
  }
  return false;
}

/** strategicpatch resolve(): first allOf element, then $ref into components.schemas. */
function resolve(d: Json, s: Json): Json {
  const t = s.allOf ? s.allOf[0] : s;
  if (!t.$ref) return t;
  const name = t.$ref.replace('#/components/schemas/', '');
  assert.ok(d.components.schemas[name], `unresolved ${t.$ref}`);
  return d.components.schemas[name];
}

/** Walks field names from a kind's schema as PatchMetaFromOpenAPIV3 does; `[]` steps into list items. */
function patchMeta(d: Json, kindSchema: Json, path: string[]): { strategy?: string; mergeKey?: string } {
  let s = kindSchema;
  let meta: { strategy?: string; mergeKey?: string } = {};
  for (const step of path) {
    if (step === '[]') {
      s = resolve(d, s.items);
      continue;
    }
    const prop = s.properties?.[step];
    assert.ok(prop, `unable to find api field "${step}"`);
    meta = { strategy: prop['x-kubernetes-patch-strategy'], mergeKey: prop['x-kubernetes-patch-merge-key'] };
    s = prop.items ? prop : resolve(d, prop);
  }
  return meta;
}

function kindSchema(d: Json, group: string, version: string, kind: string): Json {
  const found = Object.values<Json>(d.components.schemas).filter((s) =>
    (s['x-kubernetes-group-version-kind'] ?? []).some((g: Json) => g.group === group && g.version === version && g.kind === kind),
  );
  assert.equal(found.length, 1, `${group}/${version} ${kind}`);
  return found[0];
}

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

test('the index lists every served group-version with the hash of its document', () => {
  const idx = openapiV3Index();
  assert.deepEqual(Object.keys(idx.paths), ['api/v1', 'apis/apps/v1', 'apis/networking.k8s.io/v1', 'apis/discovery.k8s.io/v1', 'apis/coordination.k8s.io/v1']);
  for (const [gv, { serverRelativeURL }] of Object.entries(idx.paths)) {
    const want = createHash('sha512').update(openapiV3Json(gv)!).digest('hex').toUpperCase();
    assert.equal(serverRelativeURL, `/openapi/v3/${gv}?hash=${want}`);
    assert.match(want, /^[0-9A-F]{128}$/);
  }
  assert.equal(openapiV3Doc('apis/batch/v1'), undefined);
});

test('every $ref in every document resolves inside that document', () => {
  for (const gv of Object.keys(openapiV3Index().paths)) {
    const d = openapiV3Doc(gv) as Json;
    assert.equal(d.openapi, '3.0.0');
    const missing = allRefs(d).filter((r) => !d.components.schemas[r.replace('#/components/schemas/', '')]);
    assert.deepEqual([...new Set(missing)], [], gv);
  }
});

test('every served kind has one schema carrying its GVK, and its list kind too', () => {
  for (const r of resources) {
    const d = doc(r.group, r.version);
    assert.ok(kindSchema(d, r.group, r.version, r.kind).properties.metadata);
    assert.ok(kindSchema(d, r.group, r.version, r.listKind).properties.items);
  }
});

test('kubectl finds fieldValidation on the PATCH operation of every served kind', () => {
  for (const r of resources) {
    const d = doc(r.group, r.version);
    const gvk = { group: r.group, version: r.version, kind: r.kind };
    assert.ok(supportsQueryParam(d, gvk, 'fieldValidation'), `${r.kind}: fieldValidation`);
    assert.ok(supportsStrategicMerge(d, gvk), `${r.kind}: strategic merge patch`);
    assert.equal(supportsQueryParam(d, gvk, 'noSuchParam'), false);
  }
});

test('each item path has get, put, patch and delete with action, GVK and write parameters', () => {
  const d = doc('', 'v1');
  const item = d.paths['/api/v1/namespaces/{namespace}/pods/{name}'];
  assert.deepEqual(Object.keys(item).sort(), ['delete', 'get', 'parameters', 'patch', 'put']);
  assert.deepEqual(item.parameters.map((p: Json) => p.name), ['name', 'namespace', 'pretty']);
  for (const m of ['get', 'put', 'patch', 'delete']) {
    assert.equal(item[m]['x-kubernetes-action'], m);
    assert.deepEqual(item[m]['x-kubernetes-group-version-kind'], { group: '', kind: 'Pod', version: 'v1' });
  }
  assert.deepEqual(item.patch.parameters.map((p: Json) => p.name), ['dryRun', 'fieldManager', 'fieldValidation', 'force']);
  assert.deepEqual(item.put.parameters.map((p: Json) => p.name), ['dryRun', 'fieldManager', 'fieldValidation']);
  assert.equal(item.patch.operationId, 'patchCoreV1NamespacedPod');
  assert.deepEqual(d.paths['/api/v1/namespaces/{name}'].get['x-kubernetes-group-version-kind'], { group: '', kind: 'Namespace', version: 'v1' });
  const scale = doc('apps', 'v1').paths['/apis/apps/v1/namespaces/{namespace}/deployments/{name}/scale'];
  assert.deepEqual(scale.patch['x-kubernetes-group-version-kind'], { group: 'autoscaling', kind: 'Scale', version: 'v1' });
  assert.ok(doc('apps', 'v1').components.schemas['io.k8s.api.autoscaling.v1.Scale']);
  assert.equal(doc('', 'v1').paths['/api/v1/pods'].get.operationId, 'listCoreV1PodForAllNamespaces');
});

test('strategic merge metadata resolves through allOf and $ref as kubectl apply walks it', () => {
  const d = doc('apps', 'v1');
  const deploy = kindSchema(d, 'apps', 'v1', 'Deployment');
  const podSpec = ['spec', 'template', 'spec'];
  assert.deepEqual(patchMeta(d, deploy, [...podSpec, 'containers']), { strategy: 'merge', mergeKey: 'name' });
  assert.deepEqual(patchMeta(d, deploy, [...podSpec, 'containers', '[]', 'ports']), { strategy: 'merge', mergeKey: 'containerPort' });
  assert.deepEqual(patchMeta(d, deploy, [...podSpec, 'containers', '[]', 'env']), { strategy: 'merge', mergeKey: 'name' });
  assert.deepEqual(patchMeta(d, deploy, [...podSpec, 'volumes']), { strategy: 'merge,retainKeys', mergeKey: 'name' });
  assert.deepEqual(patchMeta(d, deploy, ['spec', 'strategy']), { strategy: 'retainKeys', mergeKey: undefined });
  assert.deepEqual(patchMeta(d, deploy, ['metadata', 'finalizers']), { strategy: 'merge', mergeKey: undefined });
  const svc = kindSchema(doc('', 'v1'), '', 'v1', 'Service');
  assert.deepEqual(patchMeta(doc('', 'v1'), svc, ['spec', 'ports']), { strategy: 'merge', mergeKey: 'port' });
  const ports = resolve(doc('', 'v1'), svc.properties.spec).properties.ports;
  assert.deepEqual(ports['x-kubernetes-list-map-keys'], ['port', 'protocol']);
  assert.equal(ports['x-kubernetes-list-type'], 'map');
});

test('explain finds descriptions and the upstream type names', () => {
  const d = doc('', 'v1');
  const pod = kindSchema(d, '', 'v1', 'Pod');
  assert.equal(pod.description, 'Pod is a collection of containers that can run on a host.');
  const container = resolve(d, resolve(d, pod.properties.spec).properties.containers.items);
  assert.equal(container.properties.image.type, 'string');
  assert.ok(container.properties.image.description);
  assert.deepEqual(container.required, ['name']);
  const schemas = d.components.schemas;
  // explain prints <Quantity> and <IntOrString> for these: upstream gives them no "type".
  assert.deepEqual(schemas['io.k8s.apimachinery.pkg.api.resource.Quantity'].oneOf, [{ type: 'string' }, { type: 'number' }]);
  assert.equal(schemas['io.k8s.apimachinery.pkg.util.intstr.IntOrString'].type, undefined);
  assert.equal(schemas['io.k8s.apimachinery.pkg.apis.meta.v1.Time'].format, 'date-time');
  assert.equal(schemas['io.k8s.apimachinery.pkg.apis.meta.v1.ManagedFieldsEntry'].properties.fieldsV1['x-kubernetes-preserve-unknown-fields'], true);
  assert.equal(schemas['io.k8s.apimachinery.pkg.apis.meta.v1.LabelSelector']['x-kubernetes-map-type'], 'atomic');
});

test('documents are deterministic, and a hash names exactly one document', () => {
  const a = openapiV3Json('apis/apps/v1');
  assert.equal(a, openapiV3Json('apis/apps/v1'));
  assert.notEqual(openapiV3Hash('apis/apps/v1'), openapiV3Hash('api/v1'));
});

test('responses follow kube-openapi handler3: redirect on a stale hash, immutable on the current one', () => {
  const gv = 'apis/apps/v1';
  const hash = openapiV3Hash(gv)!;
  const now = new Date('2025-01-02T03:04:05Z');
  const fresh = openapiV3Response(gv, hash, now);
  assert.equal(fresh.status, 200);
  assert.equal(fresh.body, openapiV3Json(gv));
  assert.deepEqual(fresh.headers, {
    'Content-Type': 'application/json',
    Etag: `"${hash}"`,
    Vary: 'Accept',
    'Cache-Control': 'public, immutable',
    Expires: 'Fri, 02 Jan 2026 03:04:05 GMT',
  });
  assert.deepEqual(openapiV3Response(gv, 'ABC', now), { status: 301, headers: { Location: `/openapi/v3/${gv}?hash=${hash}` } });
  const plain = openapiV3Response(gv, undefined, now);
  assert.equal(plain.headers['Cache-Control'], undefined);
  assert.equal(plain.headers.Etag, `"${hash}"`);
  assert.equal(openapiV3Response('apis/batch/v1', undefined).status, 404);
});
