/**
 * @module Serves /openapi/v2 and /openapi/v3[/<group-version>] with the
 * ETag and Cache-Control upstream gives them.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import * as errors from '../api/errors.ts';
import { sendJson } from './http.ts';
import { openapiV3Doc, openapiV3Hash, openapiV3Index } from '../api/openapi/v3.ts';
import { openapiV2Doc } from '../api/openapi/v2.ts';

let v2Cache: string | undefined;

export function serveOpenApi(req: IncomingMessage, res: ServerResponse, path: string, query: URLSearchParams): void {
  if (path === '/openapi/v2') {
    if (String(req.headers.accept ?? '').includes('protobuf') && !String(req.headers.accept).includes('json')) {
      throw errors.notAcceptable();
    }
    v2Cache ??= JSON.stringify(openapiV2Doc());
    res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(v2Cache) });
    return void res.end(v2Cache);
  }
  if (path === '/openapi/v3') return sendJson(res, 200, openapiV3Index());
  const gv = path.slice('/openapi/v3/'.length);
  const doc = openapiV3Doc(gv);
  if (!doc) throw new errors.ApiError(404, 'NotFound', 'the server could not find the requested resource', {});
  const hash = openapiV3Hash(gv);
  const headers: Record<string, string> = { ETag: `"${hash}"`, Vary: 'Accept' };
  headers['Cache-Control'] = query.get('hash') === hash ? 'public, immutable' : 'no-cache, no-store, must-revalidate';
  if (req.headers['if-none-match'] === `"${hash}"`) {
    res.writeHead(304, headers);
    return void res.end();
  }
  sendJson(res, 200, doc, headers);
}
