/**
 * @module Pod and pod template defaults of core/v1 (SetDefaults_PodSpec,
 * SetDefaults_Container, SetDefaults_Probe, the volume source defaults,
 * SetDefaults_Pod) and the two admission plugins whose effect every pod
 * shows upstream: Priority and DefaultTolerationSeconds.
 */
import { canonicalQuantityField, defaultResourceList } from './quantities.ts';

const domainRe = /^(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])(?:\.(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9]))*(?::[0-9]+)?$/;
const componentRe = /^[a-z0-9]+(?:(?:[._]|__|[-]*)[a-z0-9]+)*$/;

/**
 * The tag parsers.ParseImageName finds: the explicit tag, "latest" when there
 * is neither tag nor digest, "" for a digest-only reference, undefined when
 * the reference does not parse.
 */
export function imageTag(image: string): string | undefined {
  let s = image;
  let digest = '';
  const at = s.indexOf('@');
  if (at >= 0) {
    digest = s.slice(at + 1);
    s = s.slice(0, at);
    if (!/^[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[0-9a-fA-F]{32,}$/.test(digest)) return undefined;
  }
  let tag = '';
  const colon = s.lastIndexOf(':');
  if (colon > s.lastIndexOf('/')) {
    tag = s.slice(colon + 1);
    s = s.slice(0, colon);
    if (!/^[\w][\w.-]{0,127}$/.test(tag)) return undefined;
  }
  const parts = s.split('/');
  const hasDomain = parts.length > 1 && (parts[0].includes('.') || parts[0].includes(':') || parts[0] === 'localhost');
  if (hasDomain && !domainRe.test(parts.shift()!)) return undefined;
  if (parts.length === 0 || !parts.every((p) => componentRe.test(p))) return undefined;
  return tag || (digest ? '' : 'latest');
}

function defaultHTTPGet(h: any): void {
  if (!h) return;
  if (!h.path) h.path = '/';
  if (!h.scheme) h.scheme = 'HTTP';
}

function defaultProbe(p: any): void {
  if (!p) return;
  if (!p.timeoutSeconds) p.timeoutSeconds = 1;
  if (!p.periodSeconds) p.periodSeconds = 10;
  if (!p.successThreshold) p.successThreshold = 1;
  if (!p.failureThreshold) p.failureThreshold = 3;
  defaultHTTPGet(p.httpGet);
  // GRPCAction.service is `+default=""` and serialised without omitempty.
  if (p.grpc && (p.grpc.service === undefined || p.grpc.service === null)) p.grpc.service = '';
}

function defaultFieldRef(f: any): void {
  if (f && !f.apiVersion) f.apiVersion = 'v1';
}

export function defaultContainer(c: any): void {
  if (!c || typeof c !== 'object') return;
  if (!c.imagePullPolicy) c.imagePullPolicy = imageTag(String(c.image ?? '')) === 'latest' ? 'Always' : 'IfNotPresent';
  if (!c.terminationMessagePath) c.terminationMessagePath = '/dev/termination-log';
  if (!c.terminationMessagePolicy) c.terminationMessagePolicy = 'File';
  for (const port of c.ports ?? []) if (!port.protocol) port.protocol = 'TCP';
  for (const ev of c.env ?? []) {
    defaultFieldRef(ev.valueFrom?.fieldRef);
    if (ev.valueFrom?.resourceFieldRef) canonicalQuantityField(ev.valueFrom.resourceFieldRef, 'divisor');
  }
  defaultProbe(c.livenessProbe);
  defaultProbe(c.readinessProbe);
  defaultProbe(c.startupProbe);
  for (const hook of ['postStart', 'preStop']) defaultHTTPGet(c.lifecycle?.[hook]?.httpGet);
  // ResourceRequirements is a struct without omitempty upstream: every container shows `resources: {}`.
  if (!c.resources || typeof c.resources !== 'object') c.resources = {};
  defaultResourceList(c.resources.limits);
  defaultResourceList(c.resources.requests);
}

function defaultVolume(v: any): void {
  if (!v || typeof v !== 'object') return;
  const sourceKeys = Object.keys(v).filter((k) => k !== 'name');
  if (!sourceKeys.some((k) => v[k] !== undefined && v[k] !== null)) v.emptyDir = {};
  if (v.emptyDir) canonicalQuantityField(v.emptyDir, 'sizeLimit');
  for (const k of ['secret', 'configMap', 'downwardAPI', 'projected']) {
    if (v[k] && (v[k].defaultMode === undefined || v[k].defaultMode === null)) v[k].defaultMode = 0o644;
  }
  if (v.hostPath && (v.hostPath.type === undefined || v.hostPath.type === null)) v.hostPath.type = '';
  for (const item of v.downwardAPI?.items ?? []) {
    defaultFieldRef(item.fieldRef);
    if (item.resourceFieldRef) canonicalQuantityField(item.resourceFieldRef, 'divisor');
  }
  for (const src of v.projected?.sources ?? []) {
    if (src.serviceAccountToken && (src.serviceAccountToken.expirationSeconds === undefined || src.serviceAccountToken.expirationSeconds === null))
      src.serviceAccountToken.expirationSeconds = 3600;
    for (const item of src.downwardAPI?.items ?? []) defaultFieldRef(item.fieldRef);
  }
  const claim = v.ephemeral?.volumeClaimTemplate?.spec;
  if (claim && !claim.volumeMode) claim.volumeMode = 'Filesystem';
}

/** SetDefaults_PodSpec and everything nested in a PodSpec; applies to pods and to templates. */
export function defaultPodSpec(spec: any): void {
  if (!spec || typeof spec !== 'object') return;
  if (!spec.dnsPolicy) spec.dnsPolicy = 'ClusterFirst';
  if (!spec.restartPolicy) spec.restartPolicy = 'Always';
  if (!spec.securityContext) spec.securityContext = {};
  if (spec.terminationGracePeriodSeconds === undefined || spec.terminationGracePeriodSeconds === null) spec.terminationGracePeriodSeconds = 30;
  if (!spec.schedulerName) spec.schedulerName = 'default-scheduler';
  // v1 keeps the deprecated serviceAccount as an alias of serviceAccountName (conversion, both ways).
  if (!spec.serviceAccountName && spec.serviceAccount) spec.serviceAccountName = spec.serviceAccount;
  if (spec.serviceAccountName) spec.serviceAccount = spec.serviceAccountName;
  for (const c of spec.containers ?? []) defaultContainer(c);
  for (const c of spec.initContainers ?? []) defaultContainer(c);
  for (const c of spec.ephemeralContainers ?? []) defaultContainer(c);
  for (const v of spec.volumes ?? []) defaultVolume(v);
  defaultResourceList(spec.overhead);
}

/** A PodTemplateSpec: the template's spec gets the PodSpec defaults (not the Pod-only ones). */
export function defaultPodTemplate(t: any): void {
  if (t && typeof t === 'object') defaultPodSpec(t.spec);
}

const systemPriorities: Record<string, number> = { 'system-node-critical': 2000001000, 'system-cluster-critical': 2000000000 };

const notReady = { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 };
const unreachable = { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 };

/** SetDefaults_Pod on top of the PodSpec defaults, plus the admission plugins' defaults. */
export function defaultPod(pod: any): void {
  if (!pod.spec || typeof pod.spec !== 'object') return;
  const spec = pod.spec;
  defaultPodSpec(spec);
  // Requests default to limits for what a container limits but does not request (pods only, not templates).
  for (const c of [...(spec.containers ?? []), ...(spec.initContainers ?? [])]) {
    const limits = c.resources?.limits;
    if (!limits || typeof limits !== 'object') continue;
    c.resources.requests ??= {};
    for (const [k, v] of Object.entries(limits)) if (!(k in c.resources.requests)) c.resources.requests[k] = v;
  }
  if (spec.enableServiceLinks === undefined || spec.enableServiceLinks === null) spec.enableServiceLinks = true;
  if (spec.hostNetwork === true)
    for (const c of [...(spec.containers ?? []), ...(spec.initContainers ?? [])])
      for (const port of c.ports ?? []) if (!port.hostPort) port.hostPort = port.containerPort;
  // Upstream's Priority admission plugin: no class means the global default (none here): priority 0.
  if (spec.priority === undefined || spec.priority === null) {
    const name = spec.priorityClassName;
    if (!name) spec.priority = 0;
    else if (name in systemPriorities) spec.priority = systemPriorities[name];
  }
  if (!spec.preemptionPolicy && (spec.priority !== undefined || !spec.priorityClassName)) spec.preemptionPolicy = 'PreemptLowerPriority';
  // Upstream's DefaultTolerationSeconds admission plugin: tolerate not-ready and unreachable nodes for 300s.
  const tols: any[] = spec.tolerations ?? [];
  const tolerates = (key: string): boolean => tols.some((t) => (t.key === key || !t.key) && (t.effect === 'NoExecute' || !t.effect));
  const add: any[] = [];
  if (!tolerates(notReady.key)) add.push({ ...notReady });
  if (!tolerates(unreachable.key)) add.push({ ...unreachable });
  if (add.length) spec.tolerations = [...tols, ...add];
}
