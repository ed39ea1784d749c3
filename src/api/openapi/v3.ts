/**
 * @module OpenAPI v3, as the apiserver serves it under /openapi/v3: an index
 * of group-versions, and one document per group-version with its paths and
 * every schema reachable from them. kubectl reads these for explain, for
 * client-side apply (patch strategies) and to learn that the server does
 * field validation. Documents are pure functions of the schema set and the
 * resource list; each is built and serialised once, and its hash is the
 * SHA-512 of exactly the bytes served, as kube-openapi's handler3 computes it.
 */

import { createHash } from 'node:crypto';
import { resources } from '../resources.ts';
import type { ResourceDef } from '../resources.ts';
import { schemas } from '../schema/index.ts';
import type { SchemaSet } from '../schema/types.ts';
import { groupVersionPrefix, resourceRoutes } from './routes.ts';
import type { Operation, Param, Route } from './routes.ts';
import { PATCH, definitionsJson, reachable } from './schema-json.ts';

/** The version reported in each document's info, as a v1.32 apiserver does. */
export const OPENAPI_INFO_VERSION = 'v1.32.0';

const STATUS = 'io.k8s.apimachinery.pkg.apis.meta.v1.Status';
const RESPONSE_TYPES = ['application/json', 'application/yaml'];
const PATCH_TYPES = ['application/apply-patch+yaml', 'application/json-patch+json', 'application/merge-patch+json', 'application/strategic-merge-patch+json'];
const CODE_TEXT: Record<number, string> = { 200: 'OK', 201: 'Created', 202: 'Accepted' };

/** `api/v1`, `apis/apps/v1`: the key of a group-version in the index. */
export function groupVersionPath(group: string, version: string): string {
  return groupVersionPrefix(group, version).slice(1);
}

/** Group-versions served, in discovery order, with their resources. */
function servedGroupVersions(defs: ResourceDef[]): Map<string, ResourceDef[]> {
  const out = new Map<string, ResourceDef[]>();
  for (const r of defs) {
    const key = groupVersionPath(r.group, r.version);
    out.set(key, [...(out.get(key) ?? []), r]);
  }
  return out;
}

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });

function paramJson(p: Param): Record<string, unknown> {
  return {
    description: p.description,
    in: p.in,
    name: p.name,
    ...(p.required ? { required: true } : {}),
    schema: { type: p.type, uniqueItems: true },
  };
}

function operationJson(op: Operation, tag: string): Record<string, unknown> {
  const content = (name: string) => Object.fromEntries(RESPONSE_TYPES.map((t) => [t, { schema: ref(name) }]));
  const responses: Record<string, unknown> = {};
  for (const code of [200, ...op.alsoCodes]) responses[code] = { content: content(op.response), description: CODE_TEXT[code] };
  responses[401] = { description: 'Unauthorized' };
  const out: Record<string, unknown> = { description: op.description, operationId: op.operationId };
  if (op.params.length > 0) out.parameters = op.params.map(paramJson);
  if (op.body === 'Patch') {
    // kubectl apply only uses its OpenAPI v3 patch logic when the PATCH body lists strategic merge patch.
    out.requestBody = { content: Object.fromEntries(PATCH_TYPES.map((t) => [t, { schema: ref(PATCH) }])), required: true };
  } else if (op.body) {
    out.requestBody = { content: { '*/*': { schema: ref(op.body) } }, ...(op.method === 'delete' ? {} : { required: true }) };
  }
  out.responses = responses;
  out.tags = [tag];
  out['x-kubernetes-action'] = op.action;
  out['x-kubernetes-group-version-kind'] = { group: op.gvk.group, kind: op.gvk.kind, version: op.gvk.version };
  return out;
}

function pathsJson(routes: Route[], tag: string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const r of [...routes].sort((a, b) => (a.path < b.path ? -1 : 1))) {
    const item: Record<string, unknown> = {};
    for (const op of r.ops) item[op.method] = operationJson(op, tag);
    item.parameters = r.params.map(paramJson);
    out[r.path] = item;
  }
  return out;
}

/** Definition names a document's routes reach: bodies and responses. */
function routeRoots(routes: Route[]): string[] {
  const roots = new Set<string>([STATUS]);
  for (const r of routes) {
    for (const op of r.ops) {
      roots.add(op.response);
      roots.add(op.body === 'Patch' ? PATCH : (op.body ?? op.response));
    }
  }
  return [...roots];
}

/** Builds the document of one group-version; undefined when nanokube does not serve it. */
export function buildV3Doc(set: SchemaSet, defs: ResourceDef[], gvPath: string): Record<string, unknown> | undefined {
  const served = servedGroupVersions(defs).get(gvPath);
  if (!served) return undefined;
  const first = served[0];
  const tag = `${first.group === '' ? 'core' : first.group.split('.')[0]}_${first.version}`;
  const routes = served.flatMap(resourceRoutes);
  return {
    components: {
      schemas: definitionsJson(set, reachable(set, routeRoots(routes)), 'v3'),
      securitySchemes: { BearerToken: { description: 'Bearer Token authentication', in: 'header', name: 'authorization', type: 'apiKey' } },
    },
    info: { title: 'Kubernetes', version: OPENAPI_INFO_VERSION },
    openapi: '3.0.0',
    paths: pathsJson(routes, tag),
    security: [{ BearerToken: [] }],
  };
}

interface Served {
  json: string;
  hash: string;
}

const cache = new Map<string, Served | null>();

function served(gvPath: string): Served | undefined {
  if (!cache.has(gvPath)) {
    const doc = buildV3Doc(schemas, resources, gvPath);
    const json = doc ? JSON.stringify(doc) : undefined;
    cache.set(gvPath, json ? { json, hash: createHash('sha512').update(json).digest('hex').toUpperCase() } : null);
  }
  return cache.get(gvPath) ?? undefined;
}

/** The document for `api/v1`, `apis/apps/v1`, ...; undefined for a group-version not served. */
export function openapiV3Doc(groupVersionPath: string): object | undefined {
  const s = served(groupVersionPath);
  return s ? (JSON.parse(s.json) as object) : undefined;
}

/** The exact bytes to serve for a group-version document (the hash is computed over these). */
export function openapiV3Json(groupVersionPath: string): string | undefined {
  return served(groupVersionPath)?.json;
}

/** Upper-case hex SHA-512 of the served document: the `hash` query parameter and the ETag. */
export function openapiV3Hash(groupVersionPath: string): string | undefined {
  return served(groupVersionPath)?.hash;
}

/** The /openapi/v3 index. */
export function openapiV3Index(): { paths: Record<string, { serverRelativeURL: string }> } {
  const paths: Record<string, { serverRelativeURL: string }> = {};
  for (const gv of servedGroupVersions(resources).keys()) {
    paths[gv] = { serverRelativeURL: `/openapi/v3/${gv}?hash=${openapiV3Hash(gv)}` };
  }
  return { paths };
}

/**
 * How the apiserver answers GET /openapi/v3/<gv>[?hash=...] (kube-openapi
 * handler3): a stale hash redirects to the current one; a current hash makes
 * the response immutable for a year; every answer carries the ETag.
 */
export function openapiV3Response(
  groupVersionPath: string,
  hashParam: string | undefined,
  now: Date = new Date(),
): { status: 200 | 301 | 404; headers: Record<string, string>; body?: string } {
  const s = served(groupVersionPath);
  if (!s) return { status: 404, headers: {} };
  if (hashParam && hashParam !== s.hash) {
    return { status: 301, headers: { Location: `/openapi/v3/${groupVersionPath}?hash=${s.hash}` } };
  }
  const headers: Record<string, string> = { 'Content-Type': 'application/json', Etag: `"${s.hash}"` };
  if (hashParam) {
    headers.Vary = 'Accept';
    headers['Cache-Control'] = 'public, immutable';
    const expires = new Date(now);
    expires.setUTCFullYear(expires.getUTCFullYear() + 1);
    headers.Expires = expires.toUTCString();
  }
  return { status: 200, headers, body: s.json };
}
