/**
 * @module Get and list: resourceVersion semantics, limit/continue paging
 * at a consistent revision, label and field selectors, and the Table and
 * PartialObjectMetadata representations.
 */
import * as errors from '../../api/errors.ts';
import type { KubeList, KubeObject } from '../../api/meta.ts';
import { apiVersionOf } from '../../api/meta.ts';
import {
  checkFieldSelector,
  matchFields,
  matchLabels,
  parseFieldSelector,
  parseLabelSelector,
  SelectorError,
  type FieldRequirement,
  type Requirement,
} from '../../api/selectors.ts';
import { negotiate, sendJson } from '../http.ts';
import { parseIncludeObject } from '../../api/tables/index.ts';
import { decode, parseRv, prefixOf, rawWithRv } from '../objects.ts';
import { StoreError } from '../../store/types.ts';
import type { Ctx } from './context.ts';

export interface Filter {
  labels: Requirement[];
  fields: FieldRequirement[];
}

export function filterOf(ctx: Ctx): Filter {
  try {
    const labels = parseLabelSelector(ctx.query.get('labelSelector') ?? '');
    const fields = parseFieldSelector(ctx.query.get('fieldSelector') ?? '');
    checkFieldSelector(ctx.def.kind, fields);
    if (ctx.info.namespace) fields.push({ field: 'metadata.namespace', op: '=', value: ctx.info.namespace });
    return { labels, fields };
  } catch (e) {
    if (e instanceof SelectorError) throw errors.badRequest(e.message);
    throw e;
  }
}

export function matches(f: Filter, obj: KubeObject): boolean {
  return matchLabels(f.labels, obj.metadata.labels) && matchFields(f.fields, obj);
}

interface ContinueToken {
  v: string;
  rv: number;
  start: string;
}

function encodeContinue(rv: number, start: string): string {
  return Buffer.from(JSON.stringify({ v: 'meta.k8s.io/v1', rv, start })).toString('base64url');
}

function decodeContinue(s: string): ContinueToken {
  try {
    const t = JSON.parse(Buffer.from(s, 'base64url').toString('utf8')) as ContinueToken;
    if (t.v !== 'meta.k8s.io/v1' || typeof t.rv !== 'number' || typeof t.start !== 'string') throw new Error('bad');
    return t;
  } catch {
    throw errors.badRequest('continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)');
  }
}

const CONTINUE_EXPIRED =
  'The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter, or use the continue token in this response to retrieve the remainder of the results. Continuing with the provided token results in an inconsistent list - objects that were created, modified, or deleted between the time the first chunk was returned and now may show up in the list.';

/** A list whose items may be left as JSON text (rawItems) when nothing needs to read them. */
export type ListResult = KubeList & { rawItems?: string[] };

/**
 * Lists with paging and filters. With `raw`, and no selector beyond the
 * namespace (which the key prefix already applies), items stay JSON text.
 */
export async function listObjects(ctx: Ctx, opts: { raw?: boolean } = {}): Promise<ListResult> {
  const { def, objects, query } = ctx;
  const filter = filterOf(ctx);
  const limit = Number(query.get('limit') ?? 0) || 0;
  const cont = query.get('continue');
  const rvParam = query.get('resourceVersion') ?? '';
  const match = query.get('resourceVersionMatch') ?? '';
  if (match && !['Exact', 'NotOlderThan'].includes(match)) throw errors.badRequest(`resourceVersionMatch: unsupported value "${match}"`);
  if (match && !rvParam) throw errors.badRequest('resourceVersionMatch is forbidden unless resourceVersion is provided');
  let revision = 0;
  let startKey = prefixOf(def, ctx.info.namespace);
  const prefix = startKey;
  if (cont) {
    if (rvParam && rvParam !== '0') throw errors.badRequest('specifying resource version is not allowed when using continue');
    const t = decodeContinue(cont);
    revision = t.rv;
    startKey = prefix + t.start;
  } else if (rvParam && rvParam !== '0' && (match === 'Exact' || (limit > 0 && match !== 'NotOlderThan'))) {
    revision = parseRv(rvParam);
  } else if (rvParam) parseRv(rvParam);
  const items: KubeObject[] = [];
  const rawItems: string[] = [];
  const apiVersion = apiVersionOf(def.group, def.version);
  const raw = opts.raw === true && filter.labels.length === 0 && filter.fields.every((f) => f.field === 'metadata.namespace' && f.op === '=');
  let more = false;
  let readAt = revision;
  let last = '';
  try {
    for (;;) {
      const page = await objects.store.list(prefix, { revision: readAt, limit: limit ? limit - items.length - rawItems.length + 1 : 0, startKey });
      readAt = page.revision;
      for (const kv of page.items) {
        if (limit && items.length + rawItems.length === limit) {
          more = true;
          break;
        }
        last = kv.key;
        if (raw) {
          rawItems.push(rawWithRv(kv, apiVersion, def.kind));
          continue;
        }
        const obj = decode(kv);
        if (matches(filter, obj)) items.push(obj);
      }
      if (!page.more || more) {
        if (more) startKey = last + '\u0000';
        break;
      }
      startKey = last + '\u0000';
    }
  } catch (e) {
    if (e instanceof StoreError && e.code === 'COMPACTED') throw errors.expired(cont ? CONTINUE_EXPIRED : `too old resource version: ${revision} (${e.compactRevision ?? 0})`);
    if (e instanceof StoreError && e.code === 'FUTURE_REVISION') throw errors.timeout(`Too large resource version: ${revision}, current: ${readAt}`);
    throw e;
  }
  const metadata: KubeList['metadata'] = { resourceVersion: String(readAt) };
  if (more) metadata.continue = encodeContinue(readAt, startKey.slice(prefix.length));
  for (const o of items) {
    o.apiVersion = apiVersion;
    o.kind = def.kind;
  }
  return { apiVersion, kind: def.listKind, metadata, items, ...(raw ? { rawItems } : {}) };
}

export function partialMetadata(o: KubeObject): object {
  return { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: o.metadata };
}

export function asTable(ctx: Ctx, objs: KubeObject[], tableVersion: string, listMeta: object): object {
  const t = ctx.types.toTable(ctx.def, objs, { now: ctx.now, includeObject: parseIncludeObject(ctx.query.get('includeObject')) });
  return { kind: 'Table', apiVersion: `meta.k8s.io/${tableVersion}`, metadata: listMeta, columnDefinitions: t.columnDefinitions, rows: t.rows };
}

export async function handleList(ctx: Ctx): Promise<void> {
  const want = negotiate(ctx.req.headers.accept);
  const list = await listObjects(ctx, { raw: want.as === 'object' });
  if (list.rawItems) {
    const body = `{"kind":${JSON.stringify(list.kind)},"apiVersion":${JSON.stringify(list.apiVersion)},"metadata":${JSON.stringify(list.metadata)},"items":[${list.rawItems.join(',')}]}`;
    ctx.res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) });
    return void ctx.res.end(body);
  }
  if (want.as === 'table') return sendJson(ctx.res, 200, asTable(ctx, list.items, want.tableVersion, list.metadata));
  if (want.as === 'metadata') {
    return sendJson(ctx.res, 200, { kind: 'PartialObjectMetadataList', apiVersion: 'meta.k8s.io/v1', metadata: list.metadata, items: list.items.map(partialMetadata) });
  }
  sendJson(ctx.res, 200, list);
}

export async function handleGet(ctx: Ctx): Promise<void> {
  const want = negotiate(ctx.req.headers.accept);
  const obj = await ctx.objects.get(ctx.def, ctx.info.namespace, ctx.info.name!);
  if (want.as === 'table') return sendJson(ctx.res, 200, asTable(ctx, [obj], want.tableVersion, { resourceVersion: obj.metadata.resourceVersion }));
  if (want.as === 'metadata') return sendJson(ctx.res, 200, partialMetadata(obj));
  sendJson(ctx.res, 200, obj);
}
