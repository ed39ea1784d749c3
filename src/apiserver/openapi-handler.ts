/**
 * @module Serves /openapi/v2 and /openapi/v3[/<group-version>] with the
 * ETag, Cache-Control and stale-hash redirect upstream gives them.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import * as errors from '../api/errors.ts';
import { sendJson } from './http.ts';

// The documents are built on first request: most clients never ask, and start-up stays fast.
const v3 = () => import('../api/openapi/v3.ts');
const v2 = () => import('../api/openapi/v2.ts');
const v2Proto = () => import('../api/openapi/v2-proto.ts');

const notFound = () => new errors.ApiError(404, 'NotFound', 'the server could not find the requested resource', {});

export async function serveOpenApi(req: IncomingMessage, res: ServerResponse, path: string, query: URLSearchParams): Promise<void> {
  if (path === '/openapi/v2') {
    // kube-openapi's v2 handler: JSON or gnostic protobuf by Accept (kubectl asks for protobuf only),
    // one ETag for both (its protoCache keeps the JSON etag), quoted, with Vary: Accept.
    const { negotiateV2, openapiV2Proto } = await v2Proto();
    const chosen = negotiateV2(req.headers.accept);
    if (!chosen) throw errors.notAcceptable();
    const { json, etag } = (await v2()).openapiV2Json();
    const body = chosen.format === 'protobuf' ? openapiV2Proto().bytes : json;
    const headers = { ETag: `"${etag}"`, Vary: 'Accept' };
    const inm = String(req.headers['if-none-match'] ?? '');
    if (inm.split(',').some((t) => ['*', `"${etag}"`, etag].includes(t.trim().replace(/^W\//, '')))) {
      res.writeHead(304, headers);
      return void res.end();
    }
    res.writeHead(200, { 'Content-Type': chosen.contentType, 'Content-Length': Buffer.byteLength(body), ...headers });
    return void res.end(body);
  }
  const { openapiV3Index, openapiV3Response } = await v3();
  if (path === '/openapi/v3') return sendJson(res, 200, openapiV3Index());
  const r = openapiV3Response(path.slice('/openapi/v3/'.length), query.get('hash') ?? undefined);
  if (r.status === 404) throw notFound();
  const etag = r.headers['Etag'] ?? r.headers['ETag'];
  if (r.status === 200 && etag && req.headers['if-none-match'] === etag) {
    res.writeHead(304, r.headers);
    return void res.end();
  }
  res.writeHead(r.status, { 'Content-Type': 'application/json', ...(r.body !== undefined ? { 'Content-Length': String(Buffer.byteLength(r.body)) } : {}), ...r.headers });
  res.end(r.body);
}
