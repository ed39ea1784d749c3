/**
 * @module Which pods back which Service port: the one computation the
 * Endpoints and EndpointSlice controllers share (upstream's
 * ShouldPodBeInEndpoints, FindPort, ShouldSetHostname, IsPodReady), the
 * trigger-time tracker both use for `endpoints.kubernetes.io/last-change-trigger-time`,
 * and the semantic comparison both use to skip writes that change nothing.
 */
import { isDeepStrictEqual } from 'node:util';
import type { KubeObject } from '../api/meta.ts';

/** A service port resolved against one pod (upstream's EndpointPort / discovery.EndpointPort). */
export interface ResolvedPort {
  name: string;
  port: number;
  protocol: string;
  appProtocol?: string;
}

/** One pod that a Service selects and that may appear in its endpoints. */
export interface Backend {
  name: string;
  namespace: string;
  uid: string;
  /** status.podIPs in order (status.podIP when podIPs is empty). */
  ips: string[];
  /** The pod's Ready condition is True. */
  ready: boolean;
  /** metadata.deletionTimestamp is set. */
  terminating: boolean;
  nodeName?: string;
  /** spec.hostname when spec.subdomain names this Service (ShouldSetHostname). */
  hostname?: string;
  /** Every service port this pod resolves, in service port order; a named port the pod lacks is left out. */
  ports: ResolvedPort[];
  /** Ready condition's lastTransitionTime: the pod's trigger time. */
  readyTransition?: string;
}

export const HEADLESS_LABEL = 'service.kubernetes.io/headless';
export const TRIGGER_TIME_ANNOTATION = 'endpoints.kubernetes.io/last-change-trigger-time';

/**
 * The Service's selector, or undefined when it selects nothing by itself.
 * An empty selector counts as none: upstream stores objects as protobuf, where
 * an empty map comes back nil, and a nil selector means "endpoints by hand".
 */
export function serviceSelector(svc: KubeObject): Record<string, string> | undefined {
  const sel = svc.spec?.selector;
  if (!sel || typeof sel !== 'object' || Object.keys(sel).length === 0) return undefined;
  return sel;
}

export function selects(selector: Record<string, string>, labels: Record<string, string> | undefined): boolean {
  for (const [k, v] of Object.entries(selector)) if (labels?.[k] !== v) return false;
  return true;
}

/** helper.IsServiceIPSet negated: clusterIP "None" or empty. */
export function isHeadless(svc: KubeObject): boolean {
  const ip = svc.spec?.clusterIP;
  return !ip || ip === 'None';
}

export function isPodReady(pod: KubeObject): boolean {
  return (pod.status?.conditions ?? []).some((c: any) => c?.type === 'Ready' && c.status === 'True');
}

export function podIPs(pod: KubeObject): string[] {
  const list = (pod.status?.podIPs ?? []).map((p: any) => p?.ip).filter((ip: unknown) => typeof ip === 'string' && ip);
  if (list.length) return list;
  return pod.status?.podIP ? [pod.status.podIP] : [];
}

export function isIPv6(ip: string): boolean {
  return ip.includes(':');
}

/** ShouldPodBeInEndpoints: not terminal, has an IP, and not terminating unless asked. */
export function shouldPodBeInEndpoints(pod: KubeObject, includeTerminating: boolean): boolean {
  const phase = pod.status?.phase;
  if (phase === 'Succeeded' || phase === 'Failed') return false;
  if (podIPs(pod).length === 0) return false;
  if (!includeTerminating && pod.metadata.deletionTimestamp) return false;
  return true;
}

/**
 * podutil.FindPort: a numeric targetPort is used as is; a named one is the
 * containerPort with that name AND the service port's protocol, looked up in
 * the containers, then in sidecars (init containers with restartPolicy Always).
 */
export function findPort(pod: KubeObject, svcPort: any): number | undefined {
  const target = svcPort.targetPort ?? svcPort.port;
  if (typeof target === 'number') return target;
  if (typeof target === 'string' && /^\d+$/.test(target)) return Number(target);
  const protocol = svcPort.protocol ?? 'TCP';
  const sidecars = (pod.spec?.initContainers ?? []).filter((c: any) => c?.restartPolicy === 'Always');
  for (const c of [...(pod.spec?.containers ?? []), ...sidecars]) {
    for (const p of c?.ports ?? []) {
      if (p?.name === target && (p.protocol ?? 'TCP') === protocol) return p.containerPort;
    }
  }
  return undefined;
}

/** ShouldSetHostname: the pod asked for a hostname under this Service's name. */
export function shouldSetHostname(pod: KubeObject, svc: KubeObject): boolean {
  return !!pod.spec?.hostname && pod.spec?.subdomain === svc.metadata.name && pod.metadata.namespace === svc.metadata.namespace;
}

function readyCondition(pod: KubeObject): any {
  return (pod.status?.conditions ?? []).find((c: any) => c?.type === 'Ready');
}

/**
 * The pods behind a Service, each with the ports it resolves. Terminal pods
 * and pods without an IP are left out; terminating pods stay in (the
 * EndpointSlice controller publishes them, the Endpoints controller drops
 * them unless publishNotReadyAddresses). Sorted by pod name so every render
 * of the same state is the same.
 */
export function serviceBackends(svc: KubeObject, pods: Iterable<KubeObject>): Backend[] {
  const selector = serviceSelector(svc);
  if (!selector) return [];
  const ns = svc.metadata.namespace;
  const svcPorts: any[] = svc.spec?.ports ?? [];
  const out: Backend[] = [];
  for (const pod of pods) {
    if (pod.metadata.namespace !== ns || !selects(selector, pod.metadata.labels)) continue;
    if (!shouldPodBeInEndpoints(pod, true)) continue;
    const ports: ResolvedPort[] = [];
    for (const sp of svcPorts) {
      const port = findPort(pod, sp);
      if (port === undefined) continue;
      const rp: ResolvedPort = { name: sp.name ?? '', port, protocol: sp.protocol ?? 'TCP' };
      if (sp.appProtocol !== undefined) rp.appProtocol = sp.appProtocol;
      ports.push(rp);
    }
    const b: Backend = {
      name: pod.metadata.name!,
      namespace: pod.metadata.namespace!,
      uid: pod.metadata.uid ?? '',
      ips: podIPs(pod),
      ready: isPodReady(pod),
      terminating: !!pod.metadata.deletionTimestamp,
      ports,
    };
    if (pod.spec?.nodeName) b.nodeName = pod.spec.nodeName;
    if (shouldSetHostname(pod, svc)) b.hostname = pod.spec.hostname;
    const rc = readyCondition(pod);
    if (rc?.lastTransitionTime) b.readyTransition = rc.lastTransitionTime;
    out.push(b);
  }
  return out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/**
 * Whether a pod update can change any Service's endpoints (upstream's
 * podEndpointsChanged, plus phase and node name, which upstream reaches
 * through the readiness change that accompanies them).
 */
export function podChangedForEndpoints(old: KubeObject, cur: KubeObject): boolean {
  if (!isDeepStrictEqual(old.metadata.labels ?? {}, cur.metadata.labels ?? {})) return true;
  if (old.spec?.hostname !== cur.spec?.hostname || old.spec?.subdomain !== cur.spec?.subdomain) return true;
  if (old.metadata.deletionTimestamp !== cur.metadata.deletionTimestamp) return true;
  if (isPodReady(old) !== isPodReady(cur)) return true;
  if (old.status?.phase !== cur.status?.phase || old.spec?.nodeName !== cur.spec?.nodeName) return true;
  return podIPs(old).join(',') !== podIPs(cur).join(',');
}

/** State of the trigger-time tracker for one Service (upstream's endpointsState). */
export interface TriggerState {
  service: string;
  pods: Map<string, string>;
}

/**
 * TriggerTimeTracker.ComputeEndpointsLastChangeTriggerTime: the earliest
 * trigger time (Ready transition of a pod, creation of the Service) that
 * moved since the last sync; the Service's creation time the first time;
 * undefined when nothing moved (the annotation is then removed).
 */
export function computeTriggerTime(prev: TriggerState | undefined, svc: KubeObject, backends: Backend[]): { time?: string; state: TriggerState } {
  const pods = new Map<string, string>();
  let min: string | undefined;
  const earlier = (t: string) => (min === undefined || Date.parse(t) < Date.parse(min) ? t : min);
  for (const b of backends) {
    if (!b.readyTransition) continue;
    pods.set(b.name, b.readyTransition);
    const last = prev?.pods.get(b.name);
    if (last === b.readyTransition) continue;
    if (last === undefined || Date.parse(b.readyTransition) > Date.parse(last)) min = earlier(b.readyTransition);
  }
  const created = svc.metadata.creationTimestamp ?? '';
  if (prev && created && Date.parse(created) > Date.parse(prev.service || '0')) min = earlier(created);
  const state = { service: created, pods };
  if (!prev) return { time: created || undefined, state };
  return { time: min, state };
}

/** Go's RFC3339Nano of an RFC 3339 time: UTC, trailing zero fractions dropped. */
export function rfc3339Nano(t: string): string {
  return new Date(Date.parse(t)).toISOString().replace(/\.?0+Z$/, 'Z').replace(/\.Z$/, 'Z');
}

/**
 * apiequality.Semantic.DeepEqual as the controllers use it: null, missing,
 * empty list and empty map are the same (the API drops them on the way
 * through storage), key order does not matter. Compares in place, without
 * copying: it runs on every sync, over every address.
 */
export function semanticEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  const ea = isEmpty(a);
  const eb = isEmpty(b);
  if (ea || eb) return ea && eb;
  if (typeof a !== 'object' || typeof b !== 'object') return false;
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!semanticEqual(a[i], b[i])) return false;
    return true;
  }
  const x = a as Record<string, unknown>;
  const y = b as Record<string, unknown>;
  for (const k in x) if (!semanticEqual(x[k], y[k])) return false;
  for (const k in y) if (!(k in x) && !isEmpty(y[k])) return false;
  return true;
}

/** Missing, null, [], {} and maps of nothing but those. */
function isEmpty(v: unknown): boolean {
  if (v === undefined || v === null) return true;
  if (typeof v !== 'object') return false;
  if (Array.isArray(v)) return v.length === 0;
  for (const k in v as Record<string, unknown>) if (!isEmpty((v as Record<string, unknown>)[k])) return false;
  return true;
}
