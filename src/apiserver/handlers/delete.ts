/**
 * @module Delete and deletecollection: DeleteOptions (grace period,
 * propagation policy, preconditions, dry run), graceful pod deletion,
 * finalizers, and the 200-vs-202 answer of upstream's delete handler.
 */
import * as errors from '../../api/errors.ts';
import type { KubeObject } from '../../api/meta.ts';
import { nowRfc3339 } from '../../api/meta.ts';
import { decodeBody, readBody } from '../http.ts';
import { defaultPropagation } from '../strategy.ts';
import { dryRun, type Ctx } from './context.ts';
import { listObjects } from './read.ts';

interface DeleteOptions {
  gracePeriodSeconds?: number;
  propagationPolicy?: string;
  orphanDependents?: boolean;
  preconditions?: { uid?: string; resourceVersion?: string };
}

async function deleteOptions(ctx: Ctx): Promise<DeleteOptions> {
  const body = await readBody(ctx.req);
  let opts: DeleteOptions = {};
  if (body.length) {
    const parsed = decodeBody(body, 'application/json') as DeleteOptions & { kind?: string };
    if (parsed && typeof parsed === 'object') opts = parsed;
  }
  const q = ctx.query;
  if (q.has('gracePeriodSeconds')) opts.gracePeriodSeconds = Number(q.get('gracePeriodSeconds'));
  if (q.has('propagationPolicy')) opts.propagationPolicy = q.get('propagationPolicy')!;
  if (q.has('orphanDependents')) opts.orphanDependents = q.get('orphanDependents') === 'true';
  if (opts.propagationPolicy && !['Orphan', 'Background', 'Foreground'].includes(opts.propagationPolicy)) {
    throw errors.invalid({ group: 'meta.k8s.io', kind: 'DeleteOptions' }, '', [
      { type: 'FieldValueNotSupported', field: 'propagationPolicy', value: opts.propagationPolicy, detail: 'supported values: "Foreground", "Background", "Orphan", "nil"' },
    ]);
  }
  if (opts.gracePeriodSeconds !== undefined && (!Number.isInteger(opts.gracePeriodSeconds) || opts.gracePeriodSeconds < 0)) {
    throw errors.badRequest(`invalid gracePeriodSeconds: ${opts.gracePeriodSeconds}`);
  }
  return opts;
}

function checkPreconditions(ctx: Ctx, obj: KubeObject, p: DeleteOptions['preconditions']): void {
  const gr = { group: ctx.def.group, resource: ctx.def.plural };
  if (p?.uid && p.uid !== obj.metadata.uid) {
    throw errors.conflict(gr, obj.metadata.name!, `Precondition failed: UID in precondition: ${p.uid}, UID in object meta: ${obj.metadata.uid}`);
  }
  if (p?.resourceVersion && p.resourceVersion !== obj.metadata.resourceVersion) {
    throw errors.conflict(gr, obj.metadata.name!, `Precondition failed: ResourceVersion in precondition: ${p.resourceVersion}, ResourceVersion in meta: ${obj.metadata.resourceVersion}`);
  }
}

/** Deletes one object; returns it and whether it is gone now (200) or pending (202). */
export async function deleteObject(ctx: Ctx, name: string, opts: DeleteOptions): Promise<{ obj: KubeObject; gone: boolean }> {
  const { def, objects, admission } = ctx;
  const dry = dryRun(ctx.query);
  admission.checkDelete(def, name);
  for (let attempt = 0; ; attempt++) {
    const cur = await objects.get(def, ctx.info.namespace, name);
    checkPreconditions(ctx, cur, opts.preconditions);
    const next = structuredClone(cur);
    const m = next.metadata;
    const policy = opts.propagationPolicy ?? (opts.orphanDependents === true ? 'Orphan' : opts.orphanDependents === false ? 'Background' : defaultPropagation(def));
    let fin = (m.finalizers ?? []).filter((f) => f !== 'orphan' && f !== 'foregroundDeletion');
    if (policy === 'Orphan' && def.kind !== 'Namespace') fin.push('orphan');
    if (policy === 'Foreground' && def.kind !== 'Namespace') fin.push('foregroundDeletion');
    // An object already being deleted keeps the finalizers it has; only new ones are added.
    if (m.deletionTimestamp) fin = m.finalizers ?? [];
    let graceful = false;
    if (def.kind === 'Pod') {
      const grace = opts.gracePeriodSeconds ?? cur.spec?.terminationGracePeriodSeconds ?? 30;
      const terminal = cur.status?.phase === 'Succeeded' || cur.status?.phase === 'Failed';
      if (cur.spec?.nodeName && grace > 0 && !terminal) {
        const prev = m.deletionGracePeriodSeconds;
        if (prev === undefined || grace < prev) {
          m.deletionGracePeriodSeconds = grace;
          m.deletionTimestamp = nowRfc3339(new Date(ctx.now.getTime() + grace * 1000));
        }
        graceful = true;
      } else if (m.deletionTimestamp) {
        m.deletionGracePeriodSeconds = 0;
      }
    }
    if (def.kind === 'Namespace') {
      m.deletionTimestamp ??= nowRfc3339(ctx.now);
      m.deletionGracePeriodSeconds = 0;
      next.status = { ...(next.status ?? {}), phase: 'Terminating' };
      graceful = true;
    }
    m.finalizers = fin;
    if (!fin.length) delete m.finalizers;
    if (!graceful && !fin.length) {
      if (dry) return { obj: cur, gone: true };
      try {
        const gone = await objects.delete(def, cur.metadata.namespace, name, Number(cur.metadata.resourceVersion));
        await admission.release(def, cur, undefined);
        ctx.afterWrite(def, cur.metadata.namespace);
        return { obj: { ...cur, metadata: { ...cur.metadata, resourceVersion: gone.metadata.resourceVersion } }, gone: true };
      } catch (e) {
        if (e instanceof errors.ApiError && e.reason === 'Conflict' && attempt < 5 && !opts.preconditions?.resourceVersion) continue;
        throw e;
      }
    }
    m.deletionTimestamp ??= nowRfc3339(ctx.now);
    m.deletionGracePeriodSeconds ??= 0;
    if (dry) return { obj: next, gone: false };
    if (JSON.stringify(next) === JSON.stringify(cur)) return { obj: cur, gone: false };
    try {
      const updated = await objects.update(def, next, Number(cur.metadata.resourceVersion));
      ctx.afterWrite(def, cur.metadata.namespace);
      return { obj: updated, gone: false };
    } catch (e) {
      if (e instanceof errors.ApiError && e.reason === 'Conflict' && attempt < 5) continue;
      throw e;
    }
  }
}

export async function handleDelete(ctx: Ctx): Promise<void> {
  if (ctx.info.subresource) throw errors.methodNotSupported({ group: ctx.def.group, resource: `${ctx.def.plural}/${ctx.info.subresource}` }, 'delete');
  const opts = await deleteOptions(ctx);
  const { obj, gone } = await deleteObject(ctx, ctx.info.name!, opts);
  const data = JSON.stringify(obj);
  ctx.res.writeHead(gone ? 200 : 202, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(data) });
  ctx.res.end(data);
}

export async function handleDeleteCollection(ctx: Ctx): Promise<void> {
  const opts = await deleteOptions(ctx);
  const list = await listObjects(ctx);
  const items: KubeObject[] = [];
  for (const o of list.items) {
    try {
      items.push((await deleteObject({ ...ctx, info: { ...ctx.info, namespace: o.metadata.namespace } }, o.metadata.name!, opts)).obj);
    } catch (e) {
      if (!(e instanceof errors.ApiError && e.code === 404)) throw e;
    }
  }
  const out = { apiVersion: list.apiVersion, kind: list.kind, metadata: { resourceVersion: list.metadata.resourceVersion }, items };
  const data = JSON.stringify(out);
  ctx.res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(data) });
  ctx.res.end(data);
}
