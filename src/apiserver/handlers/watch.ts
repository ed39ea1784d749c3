/**
 * @module Watch: a stream of ADDED/MODIFIED/DELETED/BOOKMARK/ERROR events as
 * newline-delimited JSON, starting from a resourceVersion (or from a
 * synthetic ADDED for every object when none is given), filtered by label
 * and field selectors with upstream's rule that an object moving out of the
 * selection is seen as DELETED and one moving in as ADDED.
 */
import * as errors from '../../api/errors.ts';
import type { KubeObject } from '../../api/meta.ts';
import { apiVersionOf } from '../../api/meta.ts';
import { negotiate } from '../http.ts';
import { decodeShared, parseRv, prefixOf } from '../objects.ts';
import { StoreError, type WatchEvent } from '../../store/types.ts';
import type { Ctx } from './context.ts';
import { asTable, filterOf, listObjects, matches, partialMetadata } from './read.ts';

const BOOKMARK_EVERY_MS = 30_000;

/** Encoded event lines per store event, shared by all watchers that send the plain object form. */
const encoded = new WeakMap<WatchEvent, Record<string, string>>();

export async function handleWatch(ctx: Ctx, signal: AbortSignal): Promise<void> {
  const { def, query, res } = ctx;
  const want = negotiate(ctx.req.headers.accept);
  const filter = filterOf(ctx);
  const bookmarks = query.get('allowWatchBookmarks') === 'true';
  const initial = query.get('sendInitialEvents') === 'true';
  const rvParam = query.get('resourceVersion') ?? '';
  if (initial && query.get('resourceVersionMatch') !== 'NotOlderThan') {
    throw errors.invalid({ group: 'meta.k8s.io', kind: 'ListOptions' }, '', [
      { type: 'FieldValueForbidden', field: 'resourceVersionMatch', detail: "sendInitialEvents requires setting resourceVersionMatch to NotOlderThan" },
    ]);
  }
  const timeout = Number(query.get('timeoutSeconds') ?? 0) || 1800 + Math.floor(Math.random() * 1800);
  const apiVersion = apiVersionOf(def.group, def.version);
  let headersSent = false;
  const shape = (o: KubeObject): object => {
    if (o.apiVersion !== apiVersion || o.kind !== def.kind) o = { ...o, apiVersion, kind: def.kind };
    if (want.as === 'table') {
      const t = asTable(ctx, [o], want.tableVersion, { resourceVersion: o.metadata.resourceVersion }) as { columnDefinitions: unknown[] };
      if (headersSent) t.columnDefinitions = [];
      headersSent = true;
      return t;
    }
    return want.as === 'metadata' ? partialMetadata(o) : o;
  };
  res.writeHead(200, { 'Content-Type': 'application/json', 'Transfer-Encoding': 'chunked', 'Cache-Control': 'no-cache, private' });
  res.flushHeaders();
  const send = (type: string, object: object) => {
    if (!res.writableEnded) res.write(JSON.stringify({ type, object }) + '\n');
  };
  // Every watcher of one event in the plain object form writes the same line: encode it once.
  const sendShared = (type: string, e: WatchEvent, o: KubeObject) => {
    if (want.as !== 'object') return send(type, shape(o));
    let lines = encoded.get(e);
    if (!lines) encoded.set(e, (lines = {}));
    lines[type] ??= JSON.stringify({ type, object: shape(o) }) + '\n';
    if (!res.writableEnded) res.write(lines[type]);
  };
  const bookmark = (rv: number, extra: Record<string, string> = {}) =>
    send('BOOKMARK', { kind: def.kind, apiVersion, metadata: { resourceVersion: String(rv), ...(Object.keys(extra).length ? { annotations: extra } : {}) } });

  let after: number;
  if (!rvParam || rvParam === '0' || initial) {
    // "Get State and Start at Most Recent": synthetic ADDED for what exists now.
    const listCtx = { ...ctx, query: new URLSearchParams(query) };
    listCtx.query.delete('limit');
    listCtx.query.delete('continue');
    listCtx.query.delete('resourceVersion');
    listCtx.query.delete('resourceVersionMatch');
    const list = await listObjects(listCtx);
    after = Number(list.metadata.resourceVersion);
    if (rvParam === '' || rvParam === '0' || initial) for (const o of list.items) send('ADDED', shape(o));
    if (initial && bookmarks) bookmark(after, { 'k8s.io/initial-events-end': 'true' });
  } else after = parseRv(rvParam);

  let lastRv = after;
  const done = new AbortController();
  const onAbort = () => done.abort();
  signal.addEventListener('abort', onAbort, { once: true });
  const timer = setTimeout(() => done.abort(), timeout * 1000);
  const ticker = bookmarks ? setInterval(() => bookmark(lastRv), BOOKMARK_EVERY_MS) : undefined;
  const onEvent = (e: WatchEvent) => {
    lastRv = e.kv.modRevision;
    const cur = decodeShared(e.kv);
    const prev = e.prev ? decodeShared(e.prev) : undefined;
    const curMatch = matches(filter, cur);
    const prevMatch = prev !== undefined && matches(filter, prev);
    if (e.type === 'DELETE') {
      if (curMatch || prevMatch) sendShared('DELETED', e, cur);
    } else if (e.created || !prev) {
      if (curMatch) sendShared('ADDED', e, cur);
    } else if (curMatch && prevMatch) sendShared('MODIFIED', e, cur);
    else if (curMatch) sendShared('ADDED', e, cur);
    else if (prevMatch) sendShared('DELETED', e, cur);
  };
  try {
    await new Promise<void>((resolve) => {
      done.signal.addEventListener('abort', () => resolve(), { once: true });
      ctx.objects.store
        .watch(prefixOf(def, ctx.info.namespace), {
          afterRevision: after,
          signal: done.signal,
          onEvent,
          onError: () => done.abort(),
        })
        .catch((e: unknown) => {
          if (e instanceof StoreError && e.code === 'COMPACTED') {
            send('ERROR', errors.expired(`too old resource version: ${after} (${e.compactRevision ?? 0})`).status);
          } else send('ERROR', errors.internalError((e as Error).message).status);
          done.abort();
        });
    });
  } finally {
    clearTimeout(timer);
    if (ticker) clearInterval(ticker);
    signal.removeEventListener('abort', onAbort);
    if (!res.writableEnded) res.end();
  }
}
