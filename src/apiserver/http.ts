/**
 * @module HTTP plumbing: reading bodies with upstream's size limit,
 * decoding JSON and YAML, content negotiation (JSON, Table,
 * PartialObjectMetadata), and writing objects and Status errors.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { parse as parseYaml } from 'yaml';
import * as errors from '../api/errors.ts';
import { decodeK8sProtobuf, isProtoError, PROTOBUF_MEDIA_TYPE } from '../api/proto/index.ts';

/** Upstream's limit on request bodies (3 MiB). */
export const MAX_BODY = 3 * 1024 * 1024;

export async function readBody(req: IncomingMessage, limit = MAX_BODY): Promise<Buffer> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > limit) {
    req.resume();
    throw errors.tooLarge(limit);
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit) {
      req.resume();
      throw errors.tooLarge(limit);
    }
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

export function mediaType(req: IncomingMessage): string {
  return String(req.headers['content-type'] ?? 'application/json').split(';')[0].trim().toLowerCase();
}

/** Decodes a JSON or YAML object body; the error text follows upstream's decoder. */
export function decodeBody(body: Buffer, type: string): unknown {
  const text = body.toString('utf8');
  if (type === 'application/yaml' || type === 'application/apply-patch+yaml') {
    try {
      return parseYaml(text, { maxAliasCount: 100 });
    } catch (e) {
      throw errors.badRequest(`error converting YAML to JSON: yaml: ${(e as Error).message.split('\n')[0]}`);
    }
  }
  if (type === PROTOBUF_MEDIA_TYPE) {
    // kubectl's typed clients send protobuf; it is decoded to the JSON the same client would have sent.
    try {
      return decodeK8sProtobuf(body).object;
    } catch (e) {
      if (isProtoError(e)) throw errors.badRequest(`the body of the request could not be decoded as protobuf: ${e.message}`);
      throw e;
    }
  }
  if (type.includes('cbor')) throw errors.unsupportedMediaType(type);
  try {
    return JSON.parse(text);
  } catch (e) {
    throw errors.badRequest(`json: ${(e as Error).message.replace(/^Unexpected/, 'invalid character; unexpected')}`);
  }
}

export type OutputAs = 'object' | 'table' | 'metadata';

/** Picks the representation from Accept: `application/json;as=Table;v=v1;g=meta.k8s.io` first if offered. */
export function negotiate(accept: string | undefined): { as: OutputAs; tableVersion: string } {
  if (!accept) return { as: 'object', tableVersion: 'v1' };
  let sawJson = false;
  for (const clause of accept.split(',')) {
    const [type, ...params] = clause.split(';').map((s) => s.trim());
    const p = Object.fromEntries(params.map((x) => x.split('=').map((s) => s.trim())));
    if (type !== 'application/json' && type !== '*/*' && type !== 'application/*' && type !== 'application/yaml') continue;
    if (p.as === 'Table' && p.g === 'meta.k8s.io' && (p.v === 'v1' || p.v === 'v1beta1')) return { as: 'table', tableVersion: p.v };
    if ((p.as === 'PartialObjectMetadata' || p.as === 'PartialObjectMetadataList') && p.g === 'meta.k8s.io') return { as: 'metadata', tableVersion: p.v ?? 'v1' };
    if (!p.as) sawJson = true;
  }
  if (!sawJson && !/application\/json|\*\/\*|application\/\*/.test(accept)) throw errors.notAcceptable();
  return { as: 'object', tableVersion: 'v1' };
}

export function sendJson(res: ServerResponse, code: number, body: unknown, headers: Record<string, string | string[]> = {}): void {
  const data = JSON.stringify(body);
  res.writeHead(code, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(data), ...headers });
  res.end(data);
}

export function sendError(res: ServerResponse, err: unknown): void {
  const e = errors.isApiError(err) ? err : errors.internalError((err as Error)?.message ?? String(err));
  if (res.headersSent) {
    res.destroy();
    return;
  }
  sendJson(res, e.status.code, e.status);
}

/** Upstream's Warning header value: `299 - "text"`. */
export function warningHeader(text: string): string {
  return `299 - ${JSON.stringify(text)}`;
}
