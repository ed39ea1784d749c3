/**
 * @module Where a pod's stream goes (upstream's LogLocation, ExecLocation,
 * AttachLocation, PortForwardLocation in pkg/registry/core/pod): the
 * container defaulted and validated against the pod spec, the node from
 * spec.nodeName, the kubelet port from the Node's
 * status.daemonEndpoints.kubeletEndpoint, and the kubelet's query.
 */
import * as errors from '../../api/errors.ts';
import type { FieldError } from '../../api/field-errors.ts';
import type { KubeObject } from '../../api/meta.ts';
import { findResource } from '../../api/resources.ts';
import type { Objects } from '../objects.ts';

/**
 * nanokube's agents serve the kubelet API on the loopback of the host they
 * run on, so the address is always 127.0.0.1 (upstream dials the node's
 * preferred address type); only the port comes from the Node object.
 */
export const KUBELET_HOST = '127.0.0.1';

export type StreamKind = 'log' | 'exec' | 'attach' | 'portforward';

export interface KubeletLocation {
  host: string;
  port: number;
  /** Path and query on the kubelet: `/containerLogs/ns/pod/c?follow=true`. */
  path: string;
}

interface ContainerLike {
  name?: string;
}

interface PodSpecLike {
  nodeName?: string;
  containers?: ContainerLike[];
  initContainers?: ContainerLike[];
  ephemeralContainers?: ContainerLike[];
}

/** validateContainer: defaults the only container, or names the choices as Go prints a []string. */
export function validateContainer(container: string, pod: KubeObject): string {
  const spec = ((pod as { spec?: PodSpecLike }).spec ?? {}) as PodSpecLike;
  const name = pod.metadata.name ?? '';
  const all = [...(spec.initContainers ?? []), ...(spec.containers ?? []), ...(spec.ephemeralContainers ?? [])].map((c) => c.name ?? '');
  if (!container) {
    const containers = spec.containers ?? [];
    if (containers.length === 1) return containers[0].name ?? '';
    if (containers.length === 0) throw errors.badRequest(`a container name must be specified for pod ${name}`);
    throw errors.badRequest(`a container name must be specified for pod ${name}, choose one of: [${all.join(' ')}]`);
  }
  if (!all.includes(container)) throw errors.badRequest(`container ${container} is not valid for pod ${name}`);
  return container;
}

/** strconv.ParseBool, as the parameter codec decodes query booleans. */
function bool(q: URLSearchParams, key: string, dflt = false): boolean {
  const v = q.get(key);
  if (v === null) return dflt;
  if (['1', 't', 'T', 'true', 'TRUE', 'True'].includes(v)) return true;
  if (['0', 'f', 'F', 'false', 'FALSE', 'False'].includes(v)) return false;
  throw errors.badRequest(`strconv.ParseBool: parsing ${JSON.stringify(v)}: invalid syntax`);
}

function int(q: URLSearchParams, key: string): number | undefined {
  const v = q.get(key);
  if (v === null) return undefined;
  if (!/^[+-]?\d+$/.test(v)) throw errors.badRequest(`strconv.ParseInt: parsing ${JSON.stringify(v)}: invalid syntax`);
  return Number(v);
}

/** PodLogOptions from the query, validated as ValidatePodLogOptions does; returns the kubelet's query. */
export function logQuery(q: URLSearchParams, podName: string): URLSearchParams {
  const tailLines = int(q, 'tailLines');
  const limitBytes = int(q, 'limitBytes');
  const sinceSeconds = int(q, 'sinceSeconds');
  const sinceTimeText = q.get('sinceTime');
  let sinceTime: string | undefined;
  if (sinceTimeText !== null) {
    const ms = Date.parse(sinceTimeText);
    if (!/^\d{4}-\d{2}-\d{2}T/.test(sinceTimeText) || Number.isNaN(ms)) {
      throw errors.badRequest(`parsing time ${JSON.stringify(sinceTimeText)} as "2006-01-02T15:04:05Z07:00": cannot parse ${JSON.stringify(sinceTimeText)} as "2006"`);
    }
    sinceTime = new Date(Math.floor(ms / 1000) * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
  }
  const stream = q.get('stream');
  const errs: FieldError[] = [];
  if (tailLines !== undefined && tailLines < 0) errs.push({ type: 'FieldValueInvalid', field: 'tailLines', value: tailLines, detail: 'must be greater than or equal to 0' });
  if (limitBytes !== undefined && limitBytes < 1) errs.push({ type: 'FieldValueInvalid', field: 'limitBytes', value: limitBytes, detail: 'must be greater than 0' });
  if (sinceSeconds !== undefined && sinceTime !== undefined) errs.push({ type: 'FieldValueForbidden', field: '', detail: 'at most one of `sinceTime` or `sinceSeconds` may be specified' });
  else if (sinceSeconds !== undefined && sinceSeconds < 1) errs.push({ type: 'FieldValueInvalid', field: 'sinceSeconds', value: sinceSeconds, detail: 'must be greater than 0' });
  if (stream !== null && !['All', 'Stdout', 'Stderr'].includes(stream)) errs.push({ type: 'FieldValueNotSupported', field: 'stream', value: stream, detail: 'supported values: "All", "Stderr", "Stdout"' });
  if (errs.length) throw errors.invalid({ group: '', kind: 'PodLogOptions' }, podName, errs);

  const out = new URLSearchParams();
  if (bool(q, 'follow')) out.set('follow', 'true');
  if (bool(q, 'previous')) out.set('previous', 'true');
  if (bool(q, 'timestamps')) out.set('timestamps', 'true');
  if (sinceSeconds !== undefined) out.set('sinceSeconds', String(sinceSeconds));
  if (sinceTime !== undefined) out.set('sinceTime', sinceTime);
  if (tailLines !== undefined) out.set('tailLines', String(tailLines));
  if (limitBytes !== undefined) out.set('limitBytes', String(limitBytes));
  if (stream !== null && stream !== 'All') out.set('stream', stream);
  return out;
}

/** streamParams: PodExecOptions/PodAttachOptions become the kubelet's input/output/error/tty=1 and command. */
export function execQuery(q: URLSearchParams, kind: 'exec' | 'attach'): URLSearchParams {
  const out = new URLSearchParams();
  // v1 defaults: stdout and stderr are true unless the client says otherwise.
  if (bool(q, 'stdin')) out.append('input', '1');
  if (bool(q, 'stdout', true)) out.append('output', '1');
  if (bool(q, 'stderr', true)) out.append('error', '1');
  if (bool(q, 'tty')) out.append('tty', '1');
  if (kind === 'exec') for (const c of q.getAll('command')) out.append('command', c);
  return out;
}

export function portForwardQuery(q: URLSearchParams): URLSearchParams {
  const out = new URLSearchParams();
  const ports = q.getAll('ports').flatMap((p) => p.split(','));
  for (const p of ports) {
    const n = Number(p);
    if (!/^\d+$/.test(p) || n < 1 || n > 65535) throw errors.badRequest(`invalid port ${JSON.stringify(p)}`);
  }
  if (ports.length) out.set('port', ports.join(','));
  return out;
}

const podDef = findResource('', 'v1', 'pods')!;
const nodeDef = findResource('', 'v1', 'nodes')!;

/** The kubelet port of a node; upstream's GetConnectionInfo. */
export async function kubeletPort(objects: Objects, nodeName: string): Promise<number> {
  const node = await objects.get(nodeDef, undefined, nodeName);
  const port = Number((node as { status?: { daemonEndpoints?: { kubeletEndpoint?: { Port?: number } } } }).status?.daemonEndpoints?.kubeletEndpoint?.Port ?? 0);
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new errors.ApiError(503, 'ServiceUnavailable', `node "${nodeName}" does not report a kubelet endpoint (status.daemonEndpoints.kubeletEndpoint.Port)`);
  }
  return port;
}

/**
 * Resolves a pod stream to a kubelet location; undefined for logs of a pod
 * without a node (upstream streams nothing then).
 */
export async function locate(objects: Objects, namespace: string, name: string, kind: StreamKind, q: URLSearchParams): Promise<KubeletLocation | undefined> {
  const kubeletQuery = kind === 'log' ? logQuery(q, name) : kind === 'portforward' ? portForwardQuery(q) : execQuery(q, kind);
  const pod = await objects.get(podDef, namespace, name);
  const container = kind === 'portforward' ? '' : validateContainer(q.get('container') ?? '', pod);
  const nodeName = ((pod as { spec?: PodSpecLike }).spec ?? {}).nodeName ?? '';
  if (!nodeName) {
    if (kind === 'log') return undefined;
    throw errors.badRequest(`pod ${name} does not have a host assigned`);
  }
  const port = await kubeletPort(objects, nodeName);
  const seg = (s: string) => encodeURIComponent(s);
  const base = kind === 'log' ? 'containerLogs' : kind === 'portforward' ? 'portForward' : kind;
  const path = kind === 'portforward' ? `/${base}/${seg(namespace)}/${seg(name)}` : `/${base}/${seg(namespace)}/${seg(name)}/${seg(container)}`;
  const query = kubeletQuery.toString();
  return { host: KUBELET_HOST, port, path: query ? `${path}?${query}` : path };
}
