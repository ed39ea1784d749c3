/**
 * @module The API side of a container's environment, as the kubelet's
 * makeEnvironmentVariables reads it: envFrom (configMapRef, secretRef, with
 * prefix and optional) and valueFrom (fieldRef, resourceFieldRef,
 * configMapKeyRef, secretKeyRef). Referenced ConfigMaps and Secrets are
 * fetched first (`fetchEnvSources`); everything after that is pure. A
 * missing object or key is a `CreateContainerConfigError` with the kubelet's
 * text; the container waits and is retried with the back-off.
 */
import type { KubeObject } from '../../api/meta.ts';
import { parseQuantity, quantityMilliValue, quantityValue } from '../../api/validation/quantity.ts';
import type { EnvVar, EnvVarSpec } from '../runtime/env.ts';

/** The container cannot be configured (kuberuntime's ErrCreateContainerConfig). */
export class ContainerConfigError extends Error {
  readonly code = 'CONTAINER_CONFIG';
  readonly reason = 'CreateContainerConfigError';
  constructor(message: string) {
    super(message);
    this.name = 'ContainerConfigError';
  }
}

/** The parts of a v1.Container this module reads. */
export interface EnvContainer {
  name: string;
  env?: (EnvVarSpec & { valueFrom?: any })[];
  envFrom?: { prefix?: string; configMapRef?: { name?: string; optional?: boolean }; secretRef?: { name?: string; optional?: boolean } }[];
  resources?: { limits?: Record<string, string>; requests?: Record<string, string> };
}

/** Fetched objects by name; null when it does not exist. */
export interface EnvSources {
  configMaps: Map<string, KubeObject | null>;
  secrets: Map<string, KubeObject | null>;
}

/** What fieldRef and resourceFieldRef read besides the pod. */
export interface EnvFacts {
  podIP: string;
  hostIP: string;
  /** Node allocatable, the default of limits (kubelet's defaultPodLimitsForDownwardAPI). */
  cpus: number;
  memoryBytes: number;
}

/** Names of the ConfigMaps and Secrets a container's environment refers to. */
export function envReferences(c: EnvContainer): { configMaps: Set<string>; secrets: Set<string> } {
  const configMaps = new Set<string>();
  const secrets = new Set<string>();
  for (const f of c.envFrom ?? []) {
    if (f.configMapRef?.name) configMaps.add(f.configMapRef.name);
    if (f.secretRef?.name) secrets.add(f.secretRef.name);
  }
  for (const e of c.env ?? []) {
    if (e.valueFrom?.configMapKeyRef?.name) configMaps.add(e.valueFrom.configMapKeyRef.name);
    if (e.valueFrom?.secretKeyRef?.name) secrets.add(e.valueFrom.secretKeyRef.name);
  }
  return { configMaps, secrets };
}

/** Fetches every referenced object once; `get` resolves undefined for a missing one. */
export async function fetchEnvSources(c: EnvContainer, get: (kind: 'ConfigMap' | 'Secret', name: string) => Promise<KubeObject | undefined>): Promise<EnvSources> {
  const refs = envReferences(c);
  const out: EnvSources = { configMaps: new Map(), secrets: new Map() };
  await Promise.all([
    ...[...refs.configMaps].map(async (n) => void out.configMaps.set(n, (await get('ConfigMap', n)) ?? null)),
    ...[...refs.secrets].map(async (n) => void out.secrets.set(n, (await get('Secret', n)) ?? null)),
  ]);
  return out;
}

/** ConfigMap data (binaryData decoded) or Secret data (base64 decoded), as strings. */
export function objectData(obj: KubeObject): Record<string, string> {
  const out: Record<string, string> = {};
  const o = obj as any;
  if (obj.kind === 'Secret') {
    for (const [k, v] of Object.entries<string>(o.data ?? {})) out[k] = Buffer.from(v, 'base64').toString('utf8');
    for (const [k, v] of Object.entries<string>(o.stringData ?? {})) out[k] = v;
    return out;
  }
  for (const [k, v] of Object.entries<string>(o.binaryData ?? {})) out[k] = Buffer.from(v, 'base64').toString('utf8');
  for (const [k, v] of Object.entries<string>(o.data ?? {})) out[k] = v;
  return out;
}

/** A C identifier-ish environment name, as IsEnvVarName allows (letters, digits, `_`, `-`, `.`, not starting with a digit). */
const ENV_NAME = /^[-._a-zA-Z][-._a-zA-Z0-9]*$/;

/** envFrom flattened in order; keys that are not valid variable names are skipped, as upstream does. */
export function envFromVars(c: EnvContainer, namespace: string, sources: EnvSources): EnvVar[] {
  const out: EnvVar[] = [];
  for (const f of c.envFrom ?? []) {
    const ref = f.configMapRef ?? f.secretRef;
    if (!ref?.name) continue;
    const isSecret = !f.configMapRef;
    const obj = (isSecret ? sources.secrets : sources.configMaps).get(ref.name);
    if (!obj) {
      if (ref.optional) continue;
      throw new ContainerConfigError(`${isSecret ? 'secret' : 'configmap'} "${ref.name}" not found`);
    }
    for (const [k, v] of Object.entries(objectData(obj))) {
      const name = (f.prefix ?? '') + k;
      if (ENV_NAME.test(name)) out.push({ name, value: v });
    }
  }
  return out;
}

/** Go's FormatMap for the downward API: sorted `key="value"` lines. */
export function formatMap(m: Record<string, string> | undefined): string {
  return Object.keys(m ?? {})
    .sort()
    .map((k) => `${k}=${JSON.stringify(m![k])}`)
    .join('\n');
}

/** podFieldSelectorRuntimeValue / ExtractFieldPathAsString. */
export function fieldRefValue(pod: KubeObject, path: string, facts: EnvFacts): string {
  const m = path.match(/^metadata\.(labels|annotations)\['(.*)'\]$/);
  if (m) return (pod.metadata as any)[m[1]]?.[m[2]] ?? '';
  switch (path) {
    case 'metadata.name':
      return pod.metadata.name ?? '';
    case 'metadata.namespace':
      return pod.metadata.namespace ?? '';
    case 'metadata.uid':
      return pod.metadata.uid ?? '';
    case 'metadata.labels':
      return formatMap(pod.metadata.labels);
    case 'metadata.annotations':
      return formatMap(pod.metadata.annotations);
    case 'spec.nodeName':
      return pod.spec?.nodeName ?? '';
    case 'spec.serviceAccountName':
      return pod.spec?.serviceAccountName ?? '';
    case 'status.hostIP':
    case 'status.hostIPs':
      return facts.hostIP;
    case 'status.podIP':
    case 'status.podIPs':
      return facts.podIP;
  }
  throw new ContainerConfigError(`unsupported fieldPath: ${path}`);
}

/** containerResourceRuntimeValue: limits default to the node's allocatable; the value is divided and rounded up. */
export function resourceFieldValue(c: EnvContainer, ref: { resource: string; divisor?: string }, facts: EnvFacts): string {
  const [kind, res] = ref.resource.split('.', 2) as ['limits' | 'requests', string];
  const given = c.resources?.[kind]?.[res] ?? (kind === 'requests' ? c.resources?.limits?.[res] : undefined);
  const divisor = parseQuantity(ref.divisor && ref.divisor !== '0' ? ref.divisor : '1');
  if (res === 'cpu') {
    const milli = given !== undefined ? quantityMilliValue(parseQuantity(given)) : kind === 'limits' ? BigInt(facts.cpus * 1000) : 0n;
    const d = quantityMilliValue(divisor);
    return String((milli + d - 1n) / d);
  }
  const value = given !== undefined ? quantityValue(parseQuantity(given)) : kind === 'limits' && res === 'memory' ? BigInt(facts.memoryBytes) : 0n;
  const d = quantityValue(divisor);
  return String((value + d - 1n) / d);
}

/** The resolver makeEnvironment calls for every env entry with valueFrom. */
export function valueFromResolver(pod: KubeObject, c: EnvContainer, sources: EnvSources, facts: EnvFacts): (v: EnvVarSpec) => string | undefined {
  const ns = pod.metadata.namespace ?? 'default';
  return (v) => {
    const from = (v as { valueFrom?: any }).valueFrom ?? {};
    if (from.fieldRef) return fieldRefValue(pod, from.fieldRef.fieldPath, facts);
    if (from.resourceFieldRef) return resourceFieldValue(c, from.resourceFieldRef, facts);
    const keyRef = from.configMapKeyRef ?? from.secretKeyRef;
    if (keyRef) {
      const isSecret = !from.configMapKeyRef;
      const obj = (isSecret ? sources.secrets : sources.configMaps).get(keyRef.name);
      if (!obj) {
        if (keyRef.optional) return undefined;
        throw new ContainerConfigError(`${isSecret ? 'secret' : 'configmap'} "${keyRef.name}" not found`);
      }
      const data = objectData(obj);
      if (!Object.hasOwn(data, keyRef.key)) {
        if (keyRef.optional) return undefined;
        throw new ContainerConfigError(`couldn't find key ${keyRef.key} in ${isSecret ? 'Secret' : 'ConfigMap'} ${ns}/${keyRef.name}`);
      }
      return data[keyRef.key];
    }
    return undefined;
  };
}
