/**
 * @module Container validation of core/v1 pods (validateContainers,
 * validateInitContainers, validateContainerCommon and what they call):
 * names, images, ports, env, volume mounts, probes, lifecycle hooks,
 * resources and the container security context.
 */
import type { FieldError, Path } from '../field-errors.ts';
import { duplicate, forbidden, invalid, notFound, notSupported, required } from '../field-errors.ts';
import { nonNegative } from './meta.ts';
import {
  isConfigMapKey,
  isDNS1123Label,
  isHTTPHeaderName,
  isRelaxedEnvVarName,
  isValidPortName,
  isValidPortNum,
  isValidUserOrGroupID,
  nameIsDNSSubdomain,
} from './names.ts';
import { envFieldPaths, validateObjectFieldSelector, validateResourceFieldSelector } from './downward.ts';
import { validateResourceRequirements } from './resources.ts';
import { validateLocalDescendingPath } from './volumes.ts';

export const supportedProtocols = ['SCTP', 'TCP', 'UDP'];

export function validateDNS1123Label(v: string, p: Path | string): FieldError[] {
  return isDNS1123Label(v).map((m) => invalid(p, v, m));
}

/** ValidatePortNumOrName for intstr values (targetPort, probe ports). */
export function validatePortNumOrName(port: unknown, p: Path | string): FieldError[] {
  if (typeof port === 'number') return isValidPortNum(port).map((m) => invalid(p, port, m));
  if (typeof port === 'string') return isValidPortName(port).map((m) => invalid(p, port, m));
  return [invalid(p, port ?? null, 'unknown type')];
}

function validateContainerPorts(ports: any[] | undefined, p: Path): FieldError[] {
  const errs: FieldError[] = [];
  const names = new Set<string>();
  (ports ?? []).forEach((port, i) => {
    const ip = p.index(i);
    if (port.name) {
      const msgs = isValidPortName(port.name);
      if (msgs.length) errs.push(...msgs.map((m) => invalid(ip.child('name'), port.name, m)));
      else if (names.has(port.name)) errs.push(duplicate(ip.child('name'), port.name));
      else names.add(port.name);
    }
    if (!port.containerPort) errs.push(required(ip.child('containerPort'), ''));
    else errs.push(...isValidPortNum(port.containerPort).map((m) => invalid(ip.child('containerPort'), port.containerPort, m)));
    if (port.hostPort) errs.push(...isValidPortNum(port.hostPort).map((m) => invalid(ip.child('hostPort'), port.hostPort, m)));
    if (!port.protocol) errs.push(required(ip.child('protocol'), ''));
    else if (!supportedProtocols.includes(port.protocol)) errs.push(notSupported(ip.child('protocol'), port.protocol, supportedProtocols));
  });
  return errs;
}

function validateKeySelector(s: any, p: Path): FieldError[] {
  const errs = nameIsDNSSubdomain(s.name ?? '', false).map((m) => invalid(p.child('name'), s.name ?? '', m));
  if (!s.key) errs.push(required(p.child('key'), ''));
  else errs.push(...isConfigMapKey(s.key).map((m) => invalid(p.child('key'), s.key, m)));
  return errs;
}

function validateEnv(env: any[] | undefined, p: Path): FieldError[] {
  const errs: FieldError[] = [];
  (env ?? []).forEach((ev, i) => {
    const ip = p.index(i);
    if (!ev.name) errs.push(required(ip.child('name'), ''));
    else errs.push(...isRelaxedEnvVarName(ev.name).map((m) => invalid(ip.child('name'), ev.name, m)));
    const vf = ev.valueFrom;
    if (!vf) return;
    const vp = ip.child('valueFrom');
    let n = 0;
    if (vf.fieldRef) {
      n++;
      errs.push(...validateObjectFieldSelector(vf.fieldRef, envFieldPaths, vp.child('fieldRef')));
    }
    if (vf.resourceFieldRef) {
      n++;
      errs.push(...validateResourceFieldSelector(vf.resourceFieldRef, vp.child('resourceFieldRef'), false));
    }
    if (vf.configMapKeyRef) {
      n++;
      errs.push(...validateKeySelector(vf.configMapKeyRef, vp.child('configMapKeyRef')));
    }
    if (vf.secretKeyRef) {
      n++;
      errs.push(...validateKeySelector(vf.secretKeyRef, vp.child('secretKeyRef')));
    }
    if (n === 0) errs.push(invalid(vp, '', 'must specify one of: `fieldRef`, `resourceFieldRef`, `configMapKeyRef` or `secretKeyRef`'));
    else if (ev.value) errs.push(invalid(vp, '', 'may not be specified when `value` is not empty'));
    else if (n > 1) errs.push(invalid(vp, '', 'may not have more than one field specified at a time'));
  });
  return errs;
}

function validateEnvFrom(envFrom: any[] | undefined, p: Path): FieldError[] {
  const errs: FieldError[] = [];
  (envFrom ?? []).forEach((ev, i) => {
    const ip = p.index(i);
    if (ev.prefix) errs.push(...isRelaxedEnvVarName(ev.prefix).map((m) => invalid(ip.child('prefix'), ev.prefix, m)));
    let n = 0;
    for (const key of ['configMapRef', 'secretRef']) {
      if (!ev[key]) continue;
      n++;
      const rp = ip.child(key);
      if (!ev[key].name) errs.push(required(rp.child('name'), ''));
      else errs.push(...nameIsDNSSubdomain(ev[key].name, true).map((m) => invalid(rp.child('name'), ev[key].name, m)));
    }
    if (n === 0) errs.push(invalid(p, '', 'must specify one of: `configMapRef` or `secretRef`'));
    else if (n > 1) errs.push(invalid(p, '', 'may not have more than one field specified at a time'));
  });
  return errs;
}

function validateVolumeMounts(c: any, volumes: Map<string, any>, p: Path): FieldError[] {
  const errs: FieldError[] = [];
  const mountPaths = new Set<string>();
  const devices = new Map<string, string>((c.volumeDevices ?? []).map((d: any) => [d.name, d.devicePath]));
  (c.volumeMounts ?? []).forEach((m: any, i: number) => {
    const ip = p.index(i);
    if (!m.name) errs.push(required(ip.child('name'), ''));
    if (!volumes.has(m.name)) errs.push(notFound(ip.child('name'), m.name ?? ''));
    if (!m.mountPath) errs.push(required(ip.child('mountPath'), ''));
    if (mountPaths.has(m.mountPath)) errs.push(invalid(ip.child('mountPath'), m.mountPath, 'must be unique'));
    mountPaths.add(m.mountPath);
    if (devices.has(m.name)) errs.push(invalid(ip.child('name'), m.name, 'must not already exist in volumeDevices'));
    if ([...devices.values()].includes(m.mountPath)) errs.push(invalid(ip.child('mountPath'), m.mountPath, 'must not already exist as a path in volumeDevices'));
    // Upstream reports subPath problems on the list's path, not the item's.
    if (m.subPath) errs.push(...validateLocalDescendingPath(m.subPath, p.child('subPath')));
    if (m.subPathExpr) {
      if (m.subPath) errs.push(invalid(ip.child('subPathExpr'), m.subPathExpr, 'subPathExpr and subPath are mutually exclusive'));
      errs.push(...validateLocalDescendingPath(m.subPathExpr, p.child('subPathExpr')));
    }
    if (m.mountPropagation !== undefined) {
      const mp = p.child('mountPropagation');
      if (!['Bidirectional', 'HostToContainer', 'None'].includes(m.mountPropagation))
        errs.push(notSupported(mp, m.mountPropagation, ['Bidirectional', 'HostToContainer', 'None']));
      if (m.mountPropagation === 'Bidirectional' && c.securityContext?.privileged !== true)
        errs.push(forbidden(mp, 'Bidirectional mount propagation is available only to privileged containers'));
    }
    if (m.recursiveReadOnly !== undefined && m.recursiveReadOnly !== 'Disabled') {
      const rp = p.child('recursiveReadOnly');
      if (m.recursiveReadOnly === 'Enabled' || m.recursiveReadOnly === 'IfPossible') {
        if (!m.readOnly) errs.push(forbidden(rp, 'may only be specified when readOnly is true'));
        if (m.mountPropagation && m.mountPropagation !== 'None') errs.push(forbidden(rp, 'may only be specified when mountPropagation is None or not specified'));
      } else errs.push(notSupported(rp, m.recursiveReadOnly, ['Disabled', 'Enabled', 'IfPossible']));
    }
  });
  return errs;
}

/** validateHandler: exactly one of exec, httpGet, tcpSocket, grpc (probes) or sleep (lifecycle hooks). */
function validateHandler(h: any, keys: string[], grace: number | undefined, p: Path): FieldError[] {
  const errs: FieldError[] = [];
  let n = 0;
  for (const k of keys) {
    if (!h[k]) continue;
    if (n > 0) {
      errs.push(forbidden(p.child(k), 'may not specify more than 1 handler type'));
      continue;
    }
    n++;
    const v = h[k];
    const kp = p.child(k);
    if (k === 'exec' && !(v.command ?? []).length) errs.push(required(kp.child('command'), ''));
    if (k === 'httpGet') {
      if (!v.path) errs.push(required(kp.child('path'), ''));
      errs.push(...validatePortNumOrName(v.port, kp.child('port')));
      if (!['HTTP', 'HTTPS'].includes(v.scheme)) errs.push(notSupported(kp.child('scheme'), v.scheme ?? '', ['HTTP', 'HTTPS']));
      for (const hd of v.httpHeaders ?? []) errs.push(...isHTTPHeaderName(hd.name ?? '').map((m) => invalid(kp.child('httpHeaders'), hd.name ?? '', m)));
    }
    if (k === 'tcpSocket') errs.push(...validatePortNumOrName(v.port, kp.child('port')));
    if (k === 'grpc') errs.push(...validatePortNumOrName(typeof v.port === 'number' ? v.port : 0, kp.child('port')));
    if (k === 'sleep' && grace !== undefined && (!(v.seconds > 0) || v.seconds > grace))
      errs.push(
        invalid(
          kp,
          v.seconds ?? 0,
          `must be greater than 0 and less than terminationGracePeriodSeconds (${grace}). Enable AllowPodLifecycleSleepActionZeroValue feature gate for zero sleep.`,
        ),
      );
  }
  if (n === 0) errs.push(required(p, 'must specify a handler type'));
  return errs;
}

function validateProbe(probe: any, kind: 'liveness' | 'readiness' | 'startup', grace: number | undefined, p: Path): FieldError[] {
  if (!probe) return [];
  const errs = validateHandler(probe, ['exec', 'httpGet', 'tcpSocket', 'grpc'], grace, p);
  for (const f of ['initialDelaySeconds', 'timeoutSeconds', 'periodSeconds', 'successThreshold', 'failureThreshold']) errs.push(...nonNegative(probe[f], p.child(f)));
  const tgps = probe.terminationGracePeriodSeconds;
  if (typeof tgps === 'number' && tgps <= 0) errs.push(invalid(p.child('terminationGracePeriodSeconds'), tgps, 'must be greater than 0'));
  if (kind !== 'readiness' && probe.successThreshold !== 1) errs.push(invalid(p.child('successThreshold'), probe.successThreshold ?? 0, 'must be 1'));
  if (kind === 'readiness' && tgps !== undefined && tgps !== null)
    errs.push(invalid(p.child('terminationGracePeriodSeconds'), tgps, 'must not be set for readinessProbes'));
  return errs;
}

function validateLifecycle(lc: any, grace: number | undefined, p: Path): FieldError[] {
  const errs: FieldError[] = [];
  for (const hook of ['postStart', 'preStop'])
    if (lc[hook]) errs.push(...validateHandler(lc[hook], ['exec', 'httpGet', 'tcpSocket', 'sleep'], grace, p.child(hook)));
  return errs;
}

export function validateSeccompProfile(sp: any, p: Path): FieldError[] {
  if (!sp) return [];
  const errs: FieldError[] = [];
  const types = ['Localhost', 'RuntimeDefault', 'Unconfined'];
  if (!sp.type) errs.push(required(p.child('type'), 'type is required when seccompProfile is set'));
  else if (!types.includes(sp.type)) errs.push(notSupported(p.child('type'), sp.type, types));
  if (sp.type === 'Localhost') {
    if (sp.localhostProfile === undefined) errs.push(required(p.child('localhostProfile'), 'must be set when seccomp type is Localhost'));
    else errs.push(...validateLocalDescendingPath(sp.localhostProfile, p.child('localhostProfile')));
  } else if (sp.localhostProfile !== undefined) {
    errs.push(invalid(p.child('localhostProfile'), sp, 'can only be set when seccomp type is Localhost'));
  }
  return errs;
}

function validateSecurityContext(sc: any, p: Path, hostUsers: boolean): FieldError[] {
  if (!sc) return [];
  const errs: FieldError[] = [];
  for (const f of ['runAsUser', 'runAsGroup'])
    if (typeof sc[f] === 'number') errs.push(...isValidUserOrGroupID(sc[f]).map((m) => invalid(p.child(f), sc[f], m)));
  if (sc.procMount !== undefined) {
    if (!['Default', 'Unmasked'].includes(sc.procMount)) errs.push(notSupported(p.child('procMount'), sc.procMount, ['Default', 'Unmasked']));
    else if (hostUsers && sc.procMount === 'Unmasked') errs.push(invalid(p.child('procMount'), sc.procMount, '`hostUsers` must be false to use `Unmasked`'));
  }
  errs.push(...validateSeccompProfile(sc.seccompProfile, p.child('seccompProfile')));
  if (sc.allowPrivilegeEscalation === false) {
    if (sc.privileged === true) errs.push(invalid(p, sc, 'cannot set `allowPrivilegeEscalation` to false and `privileged` to true'));
    if ((sc.capabilities?.add ?? []).includes('CAP_SYS_ADMIN'))
      errs.push(invalid(p, sc, 'cannot set `allowPrivilegeEscalation` to false and `capabilities.Add` CAP_SYS_ADMIN'));
  }
  return errs;
}

function validateContainerCommon(c: any, volumes: Map<string, any>, p: Path, restartPolicy: string, hostUsers: boolean): FieldError[] {
  const errs: FieldError[] = [];
  if (!c.name) errs.push(required(p.child('name'), ''));
  else errs.push(...validateDNS1123Label(c.name, p.child('name')));
  if (!c.image) errs.push(required(p.child('image'), ''));
  const tmp = c.terminationMessagePolicy;
  if (!tmp) errs.push(required(p.child('terminationMessagePolicy'), ''));
  else if (tmp !== 'File' && tmp !== 'FallbackToLogsOnError') errs.push(notSupported(p.child('terminationMessagePolicy'), tmp, ['File', 'FallbackToLogsOnError']));
  errs.push(...validateContainerPorts(c.ports, p.child('ports')));
  errs.push(...validateEnv(c.env, p.child('env')));
  errs.push(...validateEnvFrom(c.envFrom, p.child('envFrom')));
  errs.push(...validateVolumeMounts(c, volumes, p.child('volumeMounts')));
  const pp = c.imagePullPolicy;
  if (!pp) errs.push(required(p.child('imagePullPolicy'), ''));
  else if (!['Always', 'IfNotPresent', 'Never'].includes(pp)) errs.push(notSupported(p.child('imagePullPolicy'), pp, ['Always', 'IfNotPresent', 'Never']));
  errs.push(...validateResourceRequirements(c.resources, p.child('resources')));
  (c.resizePolicy ?? []).forEach((rp: any) => {
    const fp = p.child('resizePolicy');
    if (!['cpu', 'memory'].includes(rp.resourceName)) errs.push(rp.resourceName ? notSupported(fp, rp.resourceName, ['cpu', 'memory']) : required(fp, ''));
    if (!['NotRequired', 'RestartContainer'].includes(rp.restartPolicy))
      errs.push(rp.restartPolicy ? notSupported(fp, rp.restartPolicy, ['NotRequired', 'RestartContainer']) : required(fp, ''));
    if (restartPolicy === 'Never' && rp.restartPolicy !== 'NotRequired')
      errs.push(invalid(fp, rp.restartPolicy ?? '', "must be 'NotRequired' when `restartPolicy` is 'Never'"));
  });
  errs.push(...validateSecurityContext(c.securityContext, p.child('securityContext'), hostUsers));
  return errs;
}

/** checkHostPortConflicts: protocol/hostIP/hostPort must be unique. */
function hostPortConflicts(containers: any[], p: Path, seen = new Set<string>()): FieldError[] {
  const errs: FieldError[] = [];
  containers.forEach((c, ci) => {
    (c.ports ?? []).forEach((port: any, pi: number) => {
      if (!port.hostPort) return;
      const key = `${port.protocol ?? ''}/${port.hostIP ?? ''}/${port.hostPort}`;
      if (seen.has(key)) errs.push(duplicate(p.index(ci).child('ports').index(pi).child('hostPort'), key));
      else seen.add(key);
    });
  });
  return errs;
}

export interface ContainerContext {
  volumes: Map<string, any>;
  grace: number | undefined;
  restartPolicy: string;
  hostUsers: boolean;
}

export function validateContainers(containers: any[] | undefined, ctx: ContainerContext, p: Path): FieldError[] {
  if (!containers || containers.length === 0) return [required(p, '')];
  const errs: FieldError[] = [];
  const names = new Set<string>();
  containers.forEach((c, i) => {
    const ip = p.index(i);
    errs.push(...validateContainerCommon(c, ctx.volumes, ip, ctx.restartPolicy, ctx.hostUsers));
    if (names.has(c.name)) errs.push(duplicate(ip.child('name'), c.name ?? ''));
    else names.add(c.name);
    if (c.lifecycle) errs.push(...validateLifecycle(c.lifecycle, ctx.grace, ip.child('lifecycle')));
    errs.push(...validateProbe(c.livenessProbe, 'liveness', ctx.grace, ip.child('livenessProbe')));
    errs.push(...validateProbe(c.readinessProbe, 'readiness', ctx.grace, ip.child('readinessProbe')));
    errs.push(...validateProbe(c.startupProbe, 'startup', ctx.grace, ip.child('startupProbe')));
    if (c.restartPolicy !== undefined && c.restartPolicy !== null) errs.push(forbidden(ip.child('restartPolicy'), 'may not be set for non-init containers'));
  });
  errs.push(...hostPortConflicts(containers, p));
  return errs;
}

export function validateInitContainers(inits: any[] | undefined, regular: any[] | undefined, ctx: ContainerContext, p: Path): FieldError[] {
  const errs: FieldError[] = [];
  const names = new Set<string>((regular ?? []).map((c) => c.name));
  (inits ?? []).forEach((c, i) => {
    const ip = p.index(i);
    errs.push(...validateContainerCommon(c, ctx.volumes, ip, ctx.restartPolicy, ctx.hostUsers));
    let always = false;
    if (c.restartPolicy !== undefined && c.restartPolicy !== null) {
      if (c.restartPolicy !== 'Always') errs.push(notSupported(ip.child('restartPolicy'), c.restartPolicy, ['Always']));
      always = c.restartPolicy === 'Always';
    }
    if (names.has(c.name)) errs.push(duplicate(ip.child('name'), c.name ?? ''));
    else if (c.name) names.add(c.name);
    errs.push(...hostPortConflicts([c], p));
    if (always) {
      if (c.lifecycle) errs.push(...validateLifecycle(c.lifecycle, ctx.grace, ip.child('lifecycle')));
      errs.push(...validateProbe(c.livenessProbe, 'liveness', ctx.grace, ip.child('livenessProbe')));
      errs.push(...validateProbe(c.readinessProbe, 'readiness', ctx.grace, ip.child('readinessProbe')));
      errs.push(...validateProbe(c.startupProbe, 'startup', ctx.grace, ip.child('startupProbe')));
    } else {
      for (const f of ['lifecycle', 'livenessProbe', 'readinessProbe', 'startupProbe'])
        if (c[f]) errs.push(forbidden(ip.child(f), 'may not be set for init containers without restartPolicy=Always'));
    }
  });
  return errs;
}

/** validateContainerOnlyForPod: a pod (not a template) may not pad image names. */
export function validateImageWhitespace(containers: any[] | undefined, p: Path): FieldError[] {
  const errs: FieldError[] = [];
  (containers ?? []).forEach((c, i) => {
    if (typeof c.image === 'string' && c.image !== c.image.trim())
      errs.push(invalid(p.index(i).child('image'), c.image, 'must not have leading or trailing whitespace'));
  });
  return errs;
}
