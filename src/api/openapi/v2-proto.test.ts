/**
 * @module /openapi/v2 as gnostic protobuf: decoded back with protobufjs, the
 * bytes are the JSON document (whole, and field by field for a few
 * definitions, a path and the vendor extensions); field numbers are
 * gnostic's; Accept negotiation is kube-openapi's.
 */

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import protobuf from 'protobufjs';
import { parse } from 'yaml';
import { openapiV2Doc } from './v2.ts';
import { OpenApiProtoError, V2_PROTO_ACCEPT, V2_PROTO_MEDIA_TYPE, encodeV2Proto, gnosticRoot, negotiateV2, openapiV2Proto } from './v2-proto.ts';
import { DESCRIPTOR_PATH, checkAgainstGo, descriptorJson } from './tools/gen-v2-proto.ts';

type Json = Record<string, any>;
const doc = openapiV2Doc() as Json;
const Document = gnosticRoot.lookupType('openapi.v2.Document');
const decoded = Document.toObject(Document.decode(openapiV2Proto().bytes), { longs: Number }) as Json;

const named = (list: Json[] | undefined, name: string): Json => {
  const hit = (list ?? []).find((x) => x.name === name);
  assert.ok(hit, `no entry ${name}`);
  return hit.value;
};
const ext = (m: Json, name: string): unknown => parse(named(m.vendor_extension, name).yaml, { version: '1.1' });

test('field numbers are gnostic\'s (hand-checked against openapiv2/OpenAPIv2.proto)', () => {
  const id = (type: string, field: string) => gnosticRoot.lookupType(`openapi.v2.${type}`).fields[field]?.id;
  const expect: [string, string, number][] = [
    ['Document', 'swagger', 1], ['Document', 'info', 2], ['Document', 'paths', 8], ['Document', 'definitions', 9],
    ['Document', 'security', 12], ['Document', 'security_definitions', 13], ['Document', 'vendor_extension', 16],
    ['Paths', 'vendor_extension', 1], ['Paths', 'path', 2], ['PathItem', 'patch', 8], ['PathItem', 'parameters', 9],
    ['Operation', 'operation_id', 5], ['Operation', 'parameters', 8], ['Operation', 'responses', 9], ['Operation', 'vendor_extension', 13],
    ['NonBodyParameter', 'query_parameter_sub_schema', 3], ['NonBodyParameter', 'path_parameter_sub_schema', 4],
    ['QueryParameterSubSchema', 'unique_items', 20], ['BodyParameter', 'schema', 5], ['Responses', 'response_code', 1],
    ['Schema', '_ref', 1], ['Schema', 'default', 5], ['Schema', 'required', 19], ['Schema', 'additional_properties', 21],
    ['Schema', 'type', 22], ['Schema', 'items', 23], ['Schema', 'properties', 25], ['Schema', 'vendor_extension', 31],
    ['Any', 'value', 1], ['Any', 'yaml', 2], ['NamedAny', 'name', 1], ['NamedAny', 'value', 2],
    ['SecurityDefinitionsItem', 'api_key_security', 2],
  ];
  assert.deepEqual(expect.map(([t, f]) => [t, f, id(t, f)]), expect);
});

test('definitions decode to the JSON: types, refs beside descriptions, maps, defaults', () => {
  const defs = decoded.definitions.additional_properties as Json[];
  assert.equal(defs.length, Object.keys(doc.definitions).length);
  const cm = named(defs, 'io.k8s.api.core.v1.ConfigMap');
  assert.equal(cm.description, doc.definitions['io.k8s.api.core.v1.ConfigMap'].description);
  assert.deepEqual(cm.type.value, ['object']);
  const props = cm.properties.additional_properties as Json[];
  assert.deepEqual(props.map((p) => p.name), Object.keys(doc.definitions['io.k8s.api.core.v1.ConfigMap'].properties));
  assert.deepEqual(named(props, 'binaryData').additional_properties, { schema: { type: { value: ['string'] }, format: 'byte' } });
  assert.equal(named(props, 'metadata')._ref, '#/definitions/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta');
  assert.match(named(props, 'metadata').description, /^Standard object's metadata/);

  const podSpec = named(defs, 'io.k8s.api.core.v1.PodSpec');
  assert.deepEqual(podSpec.required, doc.definitions['io.k8s.api.core.v1.PodSpec'].required);
  const containers = named(podSpec.properties.additional_properties, 'containers');
  assert.deepEqual(containers.items, { schema: [{ _ref: '#/definitions/io.k8s.api.core.v1.Container' }] });
  assert.equal(ext(containers, 'x-kubernetes-patch-merge-key'), 'name');
  assert.equal(ext(containers, 'x-kubernetes-patch-strategy'), 'merge');

  const port = named(named(defs, 'io.k8s.api.core.v1.ContainerPort').properties.additional_properties, 'protocol');
  assert.equal(parse(port.default.yaml), doc.definitions['io.k8s.api.core.v1.ContainerPort'].properties.protocol.default);
  const ios = named(defs, 'io.k8s.apimachinery.pkg.util.intstr.IntOrString');
  assert.deepEqual([ios.type.value, ios.format], [['string'], 'int-or-string']);
});

test('vendor extensions are YAML text that yaml.v2 reads back to the JSON value', () => {
  const cm = named(decoded.definitions.additional_properties, 'io.k8s.api.core.v1.ConfigMap');
  // gnostic's compiler.Marshal writes block style; kube-openapi's VendorExtensionToMap parses it.
  assert.equal(named(cm.vendor_extension, 'x-kubernetes-group-version-kind').yaml, '- group: ""\n  kind: ConfigMap\n  version: v1\n');
  const strategy = named(named(decoded.definitions.additional_properties, 'io.k8s.api.apps.v1.DeploymentSpec').properties.additional_properties, 'strategy');
  assert.equal(named(strategy.vendor_extension, 'x-kubernetes-patch-strategy').yaml, 'retainKeys\n');
  assert.equal(strategy._ref, '#/definitions/io.k8s.api.apps.v1.DeploymentStrategy');
});

test('a path decodes to its operations, parameters by kind, responses and GVK', () => {
  const path = '/api/v1/namespaces/{namespace}/configmaps/{name}';
  assert.deepEqual((decoded.paths.path as Json[]).map((p) => p.name), Object.keys(doc.paths));
  const item = named(decoded.paths.path, path);
  const patch = item.patch;
  const want = doc.paths[path].patch;
  assert.equal(patch.operation_id, 'patchCoreV1NamespacedConfigMap');
  assert.deepEqual(patch.consumes, want.consumes);
  assert.deepEqual(ext(patch, 'x-kubernetes-group-version-kind'), { group: '', kind: 'ConfigMap', version: 'v1' });
  assert.equal(ext(patch, 'x-kubernetes-action'), 'patch');
  // client-go's v2 query-param verifier looks exactly here for fieldValidation.
  const query = patch.parameters.map((p: Json) => p.parameter.non_body_parameter?.query_parameter_sub_schema).filter(Boolean);
  assert.ok(query.some((q: Json) => q.name === 'fieldValidation' && q.type === 'string' && q.in === 'query'));
  assert.deepEqual(patch.parameters[0].parameter.body_parameter, { name: 'body', in: 'body', required: true, schema: { _ref: '#/definitions/io.k8s.apimachinery.pkg.apis.meta.v1.Patch' } });
  assert.deepEqual(named(patch.responses.response_code, '200'), { response: { description: 'OK', schema: { schema: { _ref: '#/definitions/io.k8s.api.core.v1.ConfigMap' } } } });
  const pathParams = item.parameters.map((p: Json) => p.parameter.non_body_parameter.path_parameter_sub_schema).filter(Boolean);
  assert.deepEqual(pathParams.map((p: Json) => [p.name, p.required, p.type]), [['name', true, 'string'], ['namespace', true, 'string']]);
  assert.deepEqual(decoded.security_definitions.additional_properties[0], {
    name: 'BearerToken',
    value: { api_key_security: { type: 'apiKey', name: 'authorization', in: 'header', description: 'Bearer Token authentication' } },
  });
  assert.deepEqual([decoded.swagger, decoded.info], ['2.0', { title: 'Kubernetes', version: 'v1.32.0' }]);
});

/** gnostic back to swagger JSON, the inverse of convert(): nothing of the document may be lost. */
function toSwagger(t: protobuf.Type, m: Json): unknown {
  const child = (f: protobuf.Field, v: unknown): unknown => (f.resolvedType instanceof protobuf.Type ? toSwagger(f.resolvedType, v as Json) : v);
  const entries = (list: Json[] = [], f: protobuf.Field) => Object.fromEntries(list.map((x) => [x.name, child(f, x.value)]));
  const exts = (list: Json[] = []) => Object.fromEntries(list.map((x) => [x.name, parse(x.value.yaml, { version: '1.1' })]));
  const named = (field: string) => (t.fields[field].resolvedType as protobuf.Type).fields.value;
  switch (t.name) {
    case 'Any': return parse(m.yaml, { version: '1.1' });
    case 'TypeItem': return m.value.length === 1 ? m.value[0] : m.value;
    case 'StringArray': return m.value ?? [];
    case 'ItemsItem': return toSwagger(t.fields.schema.resolvedType as protobuf.Type, m.schema[0]);
    case 'Paths': return { ...entries(m.path, named('path')), ...exts(m.vendor_extension) };
    case 'Responses': return { ...entries(m.response_code, named('response_code')), ...exts(m.vendor_extension) };
  }
  if (t.oneofsArray.length > 0) {
    const [branch] = Object.keys(m);
    return child(t.fields[branch], m[branch]);
  }
  if (t.fieldsArray.length === 1 && t.fieldsArray[0].name === 'additional_properties') return entries(m.additional_properties, named('additional_properties'));
  const out: Json = {};
  for (const [k, v] of Object.entries(m)) {
    if (k === 'vendor_extension') Object.assign(out, exts(v));
    else {
      const f = t.fields[k];
      out[k === '_ref' ? '$ref' : k.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase())] = f.repeated ? (v as unknown[]).map((x) => child(f, x)) : child(f, v);
    }
  }
  return out;
}

test('the whole document survives the round trip', () => {
  assert.deepEqual(toSwagger(Document, decoded), doc);
});

test('a key gnostic has no field for is an error, not dropped', () => {
  assert.throws(() => encodeV2Proto({ swagger: '2.0', definitions: { X: { type: 'object', nullable: true } } }), (e: unknown) =>
    e instanceof OpenApiProtoError && /Schema has no field for "nullable"/.test(e.message),
  );
  assert.throws(() => encodeV2Proto({ swagger: 2 }), OpenApiProtoError);
});

test('bytes and ETag are cached; the ETag is the JSON document\'s', async () => {
  const { openapiV2Json } = await import('./v2.ts');
  assert.equal(openapiV2Proto(), openapiV2Proto());
  assert.equal(openapiV2Proto().etag, openapiV2Json().etag);
});

test('Accept negotiation follows kube-openapi', () => {
  const pb = { format: 'protobuf', contentType: V2_PROTO_MEDIA_TYPE };
  const json = { format: 'json', contentType: 'application/json' };
  const cases: [string | undefined, unknown][] = [
    [V2_PROTO_ACCEPT, pb], // what kubectl sends
    [V2_PROTO_MEDIA_TYPE, pb],
    [undefined, json],
    ['', json],
    ['*/*', json],
    ['application/*', json],
    ['application/json', json],
    [`application/json;q=0.5, ${V2_PROTO_ACCEPT}`, pb],
    [`${V2_PROTO_ACCEPT};q=0.5, application/json`, json],
    ['text/html, */*;q=0.1', json],
    ['text/html', undefined],
    ['application/yaml', undefined],
    [`${V2_PROTO_ACCEPT};q=0`, undefined],
  ];
  assert.deepEqual(cases.map(([a]) => [a, negotiateV2(a)]), cases);
  // The answered type must pass Go's mime.ParseMediaType (no '@' in a token).
  assert.doesNotMatch(V2_PROTO_MEDIA_TYPE, /@/);
});

test('the descriptor check catches a field number that disagrees with the Go tags', () => {
  const fd = { messageType: [{ name: 'Any', field: [{ name: 'value', number: 1, type: 11 }, { name: 'yaml', number: 3, type: 9 }] }] };
  const structs = new Map([
    ['github.com/google/gnostic-models/openapiv2.openapi_v2.Any', {
      pkg: 'github.com/google/gnostic-models/openapiv2',
      name: 'openapi_v2.Any',
      fields: [
        { goName: 'Value', tag: 'protobuf:"bytes,1,opt,name=value,proto3" json:"value,omitempty"', embedded: false, kind: 'ptr' },
        { goName: 'Yaml', tag: 'protobuf:"bytes,2,opt,name=yaml,proto3" json:"yaml,omitempty"', embedded: false, kind: 'string' },
      ],
    }],
  ]);
  assert.deepEqual(checkAgainstGo(fd, structs), ['Any.yaml: descriptor 3, Go tag 2']);
});

const kubectl = '/usr/lib/google-cloud-sdk/bin/kubectl.1.32';
test('the committed descriptor is what the generator reads from kubectl', { skip: !existsSync(kubectl) && 'no kubectl.1.32' }, () => {
  const { json, problems } = descriptorJson(kubectl);
  assert.deepEqual(problems, []);
  assert.equal(json, readFileSync(DESCRIPTOR_PATH, 'utf8'));
});
