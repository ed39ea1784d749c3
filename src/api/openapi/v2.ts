/**
 * @module OpenAPI v2 (swagger 2.0), as the apiserver serves it at /openapi/v2:
 * one document with every path and every definition. v2-proto.ts encodes the
 * same document as gnostic protobuf, the form kubectl asks for first.
 */

import { createHash } from 'node:crypto';
import { resources } from '../resources.ts';
import type { ResourceDef } from '../resources.ts';
import { schemas } from '../schema/index.ts';
import type { SchemaSet } from '../schema/types.ts';
import { resourceRoutes } from './routes.ts';
import type { Operation, Param, Route } from './routes.ts';
import { PATCH, definitionsJson, reachable } from './schema-json.ts';
import { OPENAPI_INFO_VERSION } from './v3.ts';

const STATUS = 'io.k8s.apimachinery.pkg.apis.meta.v1.Status';
const PRODUCES = ['application/json', 'application/yaml'];
const PATCH_TYPES = ['application/apply-patch+yaml', 'application/json-patch+json', 'application/merge-patch+json', 'application/strategic-merge-patch+json'];
const CODE_TEXT: Record<number, string> = { 200: 'OK', 201: 'Created', 202: 'Accepted' };

const ref = (name: string) => ({ $ref: `#/definitions/${name}` });

function paramJson(p: Param): Record<string, unknown> {
  return { description: p.description, in: p.in, name: p.name, ...(p.required ? { required: true } : {}), type: p.type, uniqueItems: true };
}

function operationJson(op: Operation, tag: string): Record<string, unknown> {
  const parameters: Record<string, unknown>[] = op.params.map(paramJson);
  if (op.body) {
    // Swagger 2.0 has no requestBody: the body is a parameter named "body".
    const schema = ref(op.body === 'Patch' ? PATCH : op.body);
    parameters.unshift({ in: 'body', name: 'body', ...(op.method === 'delete' ? {} : { required: true }), schema });
  }
  const responses: Record<string, unknown> = {};
  for (const code of [200, ...op.alsoCodes]) responses[code] = { description: CODE_TEXT[code], schema: ref(op.response) };
  responses[401] = { description: 'Unauthorized' };
  return {
    consumes: op.body === 'Patch' ? PATCH_TYPES : ['*/*'],
    description: op.description,
    operationId: op.operationId,
    ...(parameters.length > 0 ? { parameters } : {}),
    produces: PRODUCES,
    responses,
    schemes: ['https'],
    tags: [tag],
    'x-kubernetes-action': op.action,
    'x-kubernetes-group-version-kind': { group: op.gvk.group, kind: op.gvk.kind, version: op.gvk.version },
  };
}

function tagOf(r: ResourceDef): string {
  return `${r.group === '' ? 'core' : r.group.split('.')[0]}_${r.version}`;
}

/** Builds the whole v2 document from a schema set and a resource list. */
export function buildV2Doc(set: SchemaSet, defs: ResourceDef[]): Record<string, unknown> {
  const routes: { route: Route; tag: string }[] = defs.flatMap((r) => resourceRoutes(r).map((route) => ({ route, tag: tagOf(r) })));
  const roots = new Set<string>([STATUS, PATCH]);
  const paths: Record<string, unknown> = {};
  for (const { route, tag } of [...routes].sort((a, b) => (a.route.path < b.route.path ? -1 : 1))) {
    const item: Record<string, unknown> = {};
    for (const op of route.ops) {
      item[op.method] = operationJson(op, tag);
      roots.add(op.response);
      if (op.body && op.body !== 'Patch') roots.add(op.body);
    }
    item.parameters = route.params.map(paramJson);
    paths[route.path] = item;
  }
  return {
    definitions: definitionsJson(set, reachable(set, [...roots]), 'v2'),
    info: { title: 'Kubernetes', version: OPENAPI_INFO_VERSION },
    paths,
    security: [{ BearerToken: [] }],
    securityDefinitions: { BearerToken: { description: 'Bearer Token authentication', in: 'header', name: 'authorization', type: 'apiKey' } },
    swagger: '2.0',
  };
}

let cached: { json: string; etag: string } | undefined;

function served(): { json: string; etag: string } {
  if (!cached) {
    const json = JSON.stringify(buildV2Doc(schemas, resources));
    cached = { json, etag: createHash('sha512').update(json).digest('hex').toUpperCase() };
  }
  return cached;
}

export function openapiV2Doc(): object {
  return JSON.parse(served().json) as object;
}

/** The exact bytes to serve, and an ETag over them (upstream quotes it in the header). */
export function openapiV2Json(): { json: string; etag: string } {
  return served();
}
