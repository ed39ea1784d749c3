/**
 * @module Subresources the apiserver serves itself: scale
 * (autoscaling/v1 Scale), pods/binding, pods/eviction and
 * namespaces/finalize. status goes through the ordinary write pipeline.
 */
import * as errors from '../../api/errors.ts';
import type { KubeObject } from '../../api/meta.ts';
import type { ResourceDef } from '../../api/resources.ts';
import { decodeBody, mediaType, readBody, sendJson } from '../http.ts';
import type { Ctx } from './context.ts';
import { deleteObject } from './delete.ts';
import { updateObject } from './write.ts';
import { nowRfc3339 } from '../../api/meta.ts';

/** The selector of a workload as a label selector string (metav1.FormatLabelSelector / labels.Set.String). */
export function selectorString(obj: KubeObject): string {
  const sel = obj.spec?.selector;
  if (!sel) return '';
  const labels: Record<string, string> = obj.kind === 'ReplicationController' ? sel : (sel.matchLabels ?? {});
  const parts = Object.keys(labels)
    .sort()
    .map((k) => `${k}=${labels[k]}`);
  for (const e of obj.kind === 'ReplicationController' ? [] : (sel.matchExpressions ?? [])) {
    const vals = [...(e.values ?? [])].sort().join(',');
    if (e.operator === 'In') parts.push(`${e.key} in (${vals})`);
    else if (e.operator === 'NotIn') parts.push(`${e.key} notin (${vals})`);
    else if (e.operator === 'Exists') parts.push(e.key);
    else if (e.operator === 'DoesNotExist') parts.push(`!${e.key}`);
  }
  return parts.join(',');
}

function toScale(obj: KubeObject): KubeObject {
  const m = obj.metadata;
  return {
    kind: 'Scale',
    apiVersion: 'autoscaling/v1',
    metadata: { name: m.name, namespace: m.namespace, uid: m.uid, resourceVersion: m.resourceVersion, creationTimestamp: m.creationTimestamp },
    spec: { replicas: obj.spec?.replicas ?? 0 },
    status: { replicas: obj.status?.replicas ?? 0, selector: selectorString(obj) },
  };
}

const scaleDef: ResourceDef = {
  group: 'autoscaling',
  version: 'v1',
  kind: 'Scale',
  listKind: 'ScaleList',
  plural: 'scale',
  singular: 'scale',
  namespaced: true,
  shortNames: [],
  categories: [],
  status: false,
  scale: false,
};

export async function handleScale(ctx: Ctx): Promise<void> {
  const { def, info } = ctx;
  if (!def.scale) throw errors.notFound({ group: def.group, resource: `${def.plural}/${info.subresource}` }, info.name!);
  const live = await ctx.objects.get(def, info.namespace, info.name!);
  if (info.verb === 'get') return sendJson(ctx.res, 200, toScale(live));
  let scale: KubeObject;
  const body = await readBody(ctx.req);
  if (info.verb === 'update') scale = decodeBody(body, mediaType(ctx.req)) as KubeObject;
  else if (info.verb === 'patch') {
    scale = ctx.types.applyPatch({ def: scaleDef, patchType: mediaType(ctx.req), body, live: toScale(live), fieldManager: 'scale', force: false, now: ctx.now });
  } else throw errors.methodNotSupported({ group: def.group, resource: `${def.plural}/scale` }, info.verb);
  const replicas = scale?.spec?.replicas;
  if (!Number.isInteger(replicas) || replicas < 0) {
    throw errors.invalid({ group: 'autoscaling', kind: 'Scale' }, info.name!, [
      { type: 'FieldValueInvalid', field: 'spec.replicas', value: replicas, detail: 'must be greater than or equal to 0' },
    ]);
  }
  const next = structuredClone(live);
  next.spec.replicas = replicas;
  const rv = Number(scale.metadata?.resourceVersion ?? 0) || 0;
  const out = await updateObject({ ...ctx, info: { ...info, subresource: '' } }, next, live, rv);
  sendJson(ctx.res, 200, toScale(out));
}

const success = (code: number) => ({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', code });

export async function handleBinding(ctx: Ctx): Promise<void> {
  const { info } = ctx;
  const binding = decodeBody(await readBody(ctx.req), mediaType(ctx.req)) as { target?: { kind?: string; name?: string } };
  const node = binding?.target?.name;
  if (!node) throw errors.invalid({ group: '', kind: 'Binding' }, info.name!, [{ type: 'FieldValueRequired', field: 'target.name' }]);
  await ctx.objects.guaranteedUpdate(ctx.def, info.namespace, info.name!, (pod) => {
    if (pod.metadata.deletionTimestamp) throw errors.conflict({ group: '', resource: 'pods/binding' }, info.name!, `pod ${info.name} is being deleted, cannot be assigned to a host`);
    if (pod.spec.nodeName) throw errors.conflict({ group: '', resource: 'pods/binding' }, info.name!, `pod ${info.name} is already assigned to node "${pod.spec.nodeName}"`);
    pod.spec.nodeName = node;
    const conds = (pod.status.conditions ??= []) as { type: string }[];
    pod.status.conditions = [...conds.filter((c) => c.type !== 'PodScheduled'), { type: 'PodScheduled', status: 'True', lastProbeTime: null, lastTransitionTime: nowRfc3339(ctx.now) }];
    return pod;
  });
  ctx.afterWrite(ctx.def, info.namespace);
  sendJson(ctx.res, 201, success(201));
}

export async function handleEviction(ctx: Ctx): Promise<void> {
  const body = decodeBody(await readBody(ctx.req), mediaType(ctx.req)) as { deleteOptions?: object };
  await deleteObject({ ...ctx, info: { ...ctx.info, subresource: undefined } }, ctx.info.name!, body?.deleteOptions ?? {});
  sendJson(ctx.res, 201, success(201));
}

/** namespaces/{name}/finalize: replaces spec.finalizers; the namespace goes once nothing holds it. */
export async function handleFinalize(ctx: Ctx): Promise<void> {
  const { def, info } = ctx;
  const body = decodeBody(await readBody(ctx.req), mediaType(ctx.req)) as KubeObject;
  const live = await ctx.objects.get(def, undefined, info.name!);
  const next = structuredClone(live);
  next.spec = { ...(next.spec ?? {}), finalizers: body?.spec?.finalizers ?? [] };
  if (!next.spec.finalizers.length) delete next.spec.finalizers;
  if (live.metadata.deletionTimestamp && !next.spec.finalizers && !(live.metadata.finalizers ?? []).length) {
    await ctx.objects.delete(def, undefined, info.name!, Number(live.metadata.resourceVersion));
    ctx.afterWrite(def, undefined);
    return sendJson(ctx.res, 200, next);
  }
  const out = await ctx.objects.update(def, next, Number(live.metadata.resourceVersion));
  ctx.afterWrite(def, undefined);
  sendJson(ctx.res, 200, out);
}
