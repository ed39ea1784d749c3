/**
 * @module Defaulting of every served kind as upstream's SetDefaults_* (and
 * the declarative +default markers) do for v1.32, applied to a decoded
 * object the caller owns. Metadata rules that are not per kind (names, uid,
 * timestamps) are the apiserver's.
 */
import type { GVK, KubeObject } from '../meta.ts';
import { defaultPod, defaultPodTemplate } from './pod.ts';
import { defaultResourceList } from './quantities.ts';
import { defaultService } from './service.ts';

export { defaultServiceIPFamilies } from './service.ts';
export { imageTag } from './pod.ts';

const obj = (v: unknown): v is Record<string, any> => v !== null && typeof v === 'object' && !Array.isArray(v);

function defaultNamespace(ns: KubeObject): void {
  const name = ns.metadata?.name;
  if (name) ns.metadata.labels = { ...(ns.metadata.labels ?? {}), 'kubernetes.io/metadata.name': name };
  // Upstream adds the "kubernetes" finalizer in the namespace strategy's PrepareForCreate, not in
  // defaulting, because the namespace controller removes it during deletion. Here only an object
  // without a resourceVersion (a create, or an unconditional update) that is not being deleted gets it.
  const m = ns.metadata ?? {};
  if (!m.resourceVersion && !m.deletionTimestamp) {
    ns.spec = obj(ns.spec) ? ns.spec : {};
    const fins: string[] = Array.isArray(ns.spec.finalizers) ? ns.spec.finalizers : [];
    if (!fins.includes('kubernetes')) ns.spec.finalizers = [...fins, 'kubernetes'];
  }
  ns.status = obj(ns.status) ? ns.status : {};
  if (!ns.status.phase) ns.status.phase = 'Active';
}

/** Secrets: type Opaque; stringData is merged into data (base64) and dropped, as v1 conversion does. */
function defaultSecret(s: KubeObject): void {
  if (!s.type) s.type = 'Opaque';
  if (obj(s.stringData)) {
    s.data = obj(s.data) ? s.data : {};
    for (const [k, v] of Object.entries(s.stringData)) s.data[k] = Buffer.from(String(v), 'utf8').toString('base64');
  }
  delete s.stringData;
}

function defaultEndpoints(ep: KubeObject): void {
  for (const ss of ep.subsets ?? []) for (const port of ss.ports ?? []) if (!port.protocol) port.protocol = 'TCP';
}

function defaultNode(node: KubeObject): void {
  const st = node.status;
  if (!obj(st)) return;
  defaultResourceList(st.capacity);
  defaultResourceList(st.allocatable);
  if ((st.allocatable === undefined || st.allocatable === null) && obj(st.capacity)) st.allocatable = { ...st.capacity };
}

/** SetDefaults_LimitRangeItem: container defaults come from max, default requests from default then min. */
function defaultLimitRange(lr: KubeObject): void {
  for (const item of lr.spec?.limits ?? []) {
    for (const f of ['max', 'min', 'default', 'defaultRequest', 'maxLimitRequestRatio']) defaultResourceList(item[f]);
    if (item.type !== 'Container') continue;
    const def: Record<string, unknown> = { ...(item.default ?? {}) };
    const req: Record<string, unknown> = { ...(item.defaultRequest ?? {}) };
    for (const [k, v] of Object.entries(item.max ?? {})) if (!(k in def)) def[k] = v;
    for (const [k, v] of Object.entries(def)) if (!(k in req)) req[k] = v;
    for (const [k, v] of Object.entries(item.min ?? {})) if (!(k in req)) req[k] = v;
    // Empty maps are omitted when upstream serialises them.
    if (Object.keys(def).length) item.default = def;
    if (Object.keys(req).length) item.defaultRequest = req;
  }
}

function defaultResourceQuota(rq: KubeObject): void {
  defaultResourceList(rq.spec?.hard);
  defaultResourceList(rq.status?.hard);
  defaultResourceList(rq.status?.used);
}

/** SetDefaults_ReplicationController: selector and labels from the template's labels; replicas 1. */
function defaultReplicationController(rc: KubeObject): void {
  rc.spec = obj(rc.spec) ? rc.spec : {};
  const labels = rc.spec.template?.metadata?.labels;
  if (obj(labels)) {
    if (!obj(rc.spec.selector) || Object.keys(rc.spec.selector).length === 0) rc.spec.selector = { ...labels };
    if (!obj(rc.metadata.labels) || Object.keys(rc.metadata.labels).length === 0) rc.metadata.labels = { ...labels };
  }
  if (rc.spec.replicas === undefined || rc.spec.replicas === null) rc.spec.replicas = 1;
  defaultPodTemplate(rc.spec.template);
}

function defaultReplicaSet(rs: KubeObject): void {
  rs.spec = obj(rs.spec) ? rs.spec : {};
  if (rs.spec.replicas === undefined || rs.spec.replicas === null) rs.spec.replicas = 1;
  defaultPodTemplate(rs.spec.template);
}

/** SetDefaults_Deployment (apps/v1). */
function defaultDeployment(d: KubeObject): void {
  d.spec = obj(d.spec) ? d.spec : {};
  const spec = d.spec;
  if (spec.replicas === undefined || spec.replicas === null) spec.replicas = 1;
  spec.strategy = obj(spec.strategy) ? spec.strategy : {};
  if (!spec.strategy.type) spec.strategy.type = 'RollingUpdate';
  if (spec.strategy.type === 'RollingUpdate') {
    spec.strategy.rollingUpdate = obj(spec.strategy.rollingUpdate) ? spec.strategy.rollingUpdate : {};
    const ru = spec.strategy.rollingUpdate;
    if (ru.maxUnavailable === undefined || ru.maxUnavailable === null) ru.maxUnavailable = '25%';
    if (ru.maxSurge === undefined || ru.maxSurge === null) ru.maxSurge = '25%';
  }
  if (spec.revisionHistoryLimit === undefined || spec.revisionHistoryLimit === null) spec.revisionHistoryLimit = 10;
  if (spec.progressDeadlineSeconds === undefined || spec.progressDeadlineSeconds === null) spec.progressDeadlineSeconds = 600;
  defaultPodTemplate(spec.template);
}

function defaultIngressClass(ic: KubeObject): void {
  const p = ic.spec?.parameters;
  if (obj(p) && (p.scope === undefined || p.scope === null)) p.scope = 'Cluster';
}

function defaultEndpointSlice(es: KubeObject): void {
  for (const port of es.ports ?? []) {
    if (port.name === undefined || port.name === null) port.name = '';
    if (port.protocol === undefined || port.protocol === null) port.protocol = 'TCP';
  }
}

const defaulters: Record<string, (o: KubeObject) => void> = {
  '/Namespace': defaultNamespace,
  '/Pod': defaultPod,
  '/Service': defaultService,
  '/Endpoints': defaultEndpoints,
  '/Secret': defaultSecret,
  '/Node': defaultNode,
  '/ResourceQuota': defaultResourceQuota,
  '/LimitRange': defaultLimitRange,
  '/ReplicationController': defaultReplicationController,
  'apps/Deployment': defaultDeployment,
  'apps/ReplicaSet': defaultReplicaSet,
  'networking.k8s.io/IngressClass': defaultIngressClass,
  'discovery.k8s.io/EndpointSlice': defaultEndpointSlice,
};

/**
 * Applies the defaults of the kind to obj in place. ConfigMap, ServiceAccount,
 * Event, Ingress and Lease have no defaults in v1.32 (an Ingress path's
 * pathType in particular has none and is required by validation).
 */
export function applyDefaults(gvk: GVK, o: KubeObject): void {
  if (!obj(o)) return;
  if (!obj(o.metadata)) o.metadata = {};
  defaulters[`${gvk.group}/${gvk.kind}`]?.(o);
}
