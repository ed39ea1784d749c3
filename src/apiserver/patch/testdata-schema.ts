/**
 * @module A small hand-built SchemaSet for the patch tests: stripped-down
 * Pod, Deployment, Service, ConfigMap and a free-form custom kind, carrying
 * the same patch strategies and list types as upstream's OpenAPI (containers
 * merge on name, ports keyed by containerPort+protocol, volumes
 * merge,retainKeys, strategy retainKeys, finalizers merge of primitives,
 * atomic selectors, an `any` subtree).
 */
import type { Definition, ObjectSchema, Schema, SchemaSet } from '../../api/schema/types.ts';

const str: Schema = { kind: 'string' };
const int: Schema = { kind: 'integer', format: 'int32' };
const bool: Schema = { kind: 'boolean' };
const time: Schema = { kind: 'time' };
const ref = (name: string, meta: Partial<Schema> = {}): Schema => ({ kind: 'ref', ref: name, ...meta }) as Schema;
const obj = (properties: Record<string, Schema>, extra: Partial<ObjectSchema> = {}): ObjectSchema => ({ kind: 'object', properties, ...extra });
const strMap: Schema = { kind: 'map', values: str };
const atomicStrings: Schema = { kind: 'array', items: str, listType: 'atomic' };

const META = 'io.k8s.apimachinery.pkg.apis.meta.v1';
const CORE = 'io.k8s.api.core.v1';
const APPS = 'io.k8s.api.apps.v1';

function keyed(item: string, keys: string[], patch = true): Schema {
  const meta: Partial<Schema> = { listType: 'map', listMapKeys: keys };
  if (patch) Object.assign(meta, { patchStrategy: 'merge', patchMergeKey: keys[0] });
  return { kind: 'array', items: ref(item), ...meta } as Schema;
}

const defs: Definition[] = [
  {
    name: `${META}.ObjectMeta`,
    schema: obj({
      name: str,
      generateName: str,
      namespace: str,
      uid: str,
      resourceVersion: str,
      generation: { kind: 'integer', format: 'int64' },
      creationTimestamp: time,
      deletionTimestamp: time,
      labels: strMap,
      annotations: strMap,
      finalizers: { kind: 'array', items: str, patchStrategy: 'merge', listType: 'set' },
      ownerReferences: keyed(`${META}.OwnerReference`, ['uid']),
      managedFields: { kind: 'array', items: ref(`${META}.ManagedFieldsEntry`) },
    }),
  },
  {
    name: `${META}.OwnerReference`,
    schema: obj({ apiVersion: str, kind: str, name: str, uid: str, controller: bool, blockOwnerDeletion: bool }, { mapType: 'atomic' }),
  },
  {
    name: `${META}.ManagedFieldsEntry`,
    schema: obj({ manager: str, operation: str, apiVersion: str, time, fieldsType: str, fieldsV1: { kind: 'any' }, subresource: str }),
  },
  {
    name: `${META}.LabelSelector`,
    schema: obj({ matchLabels: strMap, matchExpressions: { kind: 'array', items: { kind: 'any' }, listType: 'atomic' } }, { mapType: 'atomic' }),
  },
  {
    name: `${CORE}.Pod`,
    schema: obj({ apiVersion: str, kind: str, metadata: ref(`${META}.ObjectMeta`), spec: ref(`${CORE}.PodSpec`), status: ref(`${CORE}.PodStatus`) }),
    gvk: [{ group: '', version: 'v1', kind: 'Pod' }],
  },
  {
    name: `${CORE}.PodSpec`,
    schema: obj(
      {
        containers: keyed(`${CORE}.Container`, ['name']),
        initContainers: keyed(`${CORE}.Container`, ['name']),
        volumes: { kind: 'array', items: ref(`${CORE}.Volume`), patchStrategy: 'merge,retainKeys', patchMergeKey: 'name', listType: 'map', listMapKeys: ['name'] },
        nodeSelector: { kind: 'map', values: str, mapType: 'atomic' },
        restartPolicy: str,
        serviceAccountName: str,
        terminationGracePeriodSeconds: { kind: 'integer', format: 'int64' },
        dnsPolicy: str,
        hostname: str,
        tolerations: { kind: 'array', items: { kind: 'any' }, listType: 'atomic' },
        securityContext: obj({ runAsUser: { kind: 'integer', format: 'int64' }, fsGroup: { kind: 'integer', format: 'int64' } }),
      },
      { required: ['containers'] },
    ),
  },
  {
    name: `${CORE}.Container`,
    schema: obj(
      {
        name: str,
        image: str,
        imagePullPolicy: str,
        command: atomicStrings,
        args: atomicStrings,
        ports: { kind: 'array', items: ref(`${CORE}.ContainerPort`), patchStrategy: 'merge', patchMergeKey: 'containerPort', listType: 'map', listMapKeys: ['containerPort', 'protocol'] },
        env: keyed(`${CORE}.EnvVar`, ['name']),
        resources: obj({ limits: { kind: 'map', values: { kind: 'quantity' } }, requests: { kind: 'map', values: { kind: 'quantity' } } }),
        volumeMounts: keyed(`${CORE}.VolumeMount`, ['mountPath']),
        terminationMessagePath: str,
      },
      { required: ['name'] },
    ),
  },
  {
    name: `${CORE}.ContainerPort`,
    schema: obj({ name: str, containerPort: int, protocol: { kind: 'string', default: 'TCP' }, hostPort: int }, { required: ['containerPort'] }),
  },
  { name: `${CORE}.EnvVar`, schema: obj({ name: str, value: str, valueFrom: { kind: 'any' } }, { required: ['name'] }) },
  { name: `${CORE}.VolumeMount`, schema: obj({ name: str, mountPath: str, readOnly: bool }) },
  {
    name: `${CORE}.Volume`,
    schema: obj({
      name: str,
      emptyDir: obj({ medium: str, sizeLimit: { kind: 'quantity' } }),
      configMap: obj({ name: str, defaultMode: int, items: { kind: 'array', items: { kind: 'any' } } }),
      secret: obj({ secretName: str }),
      hostPath: obj({ path: str, type: str }),
    }),
  },
  {
    name: `${CORE}.PodStatus`,
    schema: obj({
      phase: str,
      podIP: str,
      conditions: { kind: 'array', items: obj({ type: str, status: str }), patchStrategy: 'merge', patchMergeKey: 'type', listType: 'map', listMapKeys: ['type'] },
    }),
  },
  {
    name: `${APPS}.Deployment`,
    schema: obj({ apiVersion: str, kind: str, metadata: ref(`${META}.ObjectMeta`), spec: ref(`${APPS}.DeploymentSpec`), status: ref(`${APPS}.DeploymentStatus`) }),
    gvk: [{ group: 'apps', version: 'v1', kind: 'Deployment' }],
  },
  {
    name: `${APPS}.DeploymentSpec`,
    schema: obj(
      {
        replicas: int,
        selector: ref(`${META}.LabelSelector`),
        template: ref(`${CORE}.PodTemplateSpec`),
        strategy: ref(`${APPS}.DeploymentStrategy`, { patchStrategy: 'retainKeys' }),
        minReadySeconds: int,
        revisionHistoryLimit: int,
        progressDeadlineSeconds: int,
        paused: bool,
      },
      { required: ['selector', 'template'] },
    ),
  },
  { name: `${APPS}.DeploymentStrategy`, schema: obj({ type: str, rollingUpdate: ref(`${APPS}.RollingUpdateDeployment`) }) },
  { name: `${APPS}.RollingUpdateDeployment`, schema: obj({ maxUnavailable: { kind: 'int-or-string' }, maxSurge: { kind: 'int-or-string' } }) },
  { name: `${APPS}.DeploymentStatus`, schema: obj({ replicas: int, readyReplicas: int, observedGeneration: int }) },
  { name: `${CORE}.PodTemplateSpec`, schema: obj({ metadata: ref(`${META}.ObjectMeta`), spec: ref(`${CORE}.PodSpec`) }) },
  {
    name: `${CORE}.Service`,
    schema: obj({ apiVersion: str, kind: str, metadata: ref(`${META}.ObjectMeta`), spec: ref(`${CORE}.ServiceSpec`), status: obj({ loadBalancer: { kind: 'any' } }) }),
    gvk: [{ group: '', version: 'v1', kind: 'Service' }],
  },
  {
    name: `${CORE}.ServiceSpec`,
    schema: obj({
      ports: { kind: 'array', items: ref(`${CORE}.ServicePort`), patchStrategy: 'merge', patchMergeKey: 'port', listType: 'map', listMapKeys: ['port', 'protocol'] },
      selector: { kind: 'map', values: str, mapType: 'atomic' },
      type: str,
      clusterIP: str,
      clusterIPs: atomicStrings,
      sessionAffinity: str,
    }),
  },
  {
    name: `${CORE}.ServicePort`,
    schema: obj({ name: str, protocol: { kind: 'string', default: 'TCP' }, port: int, targetPort: { kind: 'int-or-string' }, nodePort: int }, { required: ['port'] }),
  },
  {
    name: `${CORE}.ConfigMap`,
    schema: obj({ apiVersion: str, kind: str, metadata: ref(`${META}.ObjectMeta`), data: strMap, binaryData: { kind: 'map', values: { kind: 'bytes' } }, immutable: bool }),
    gvk: [{ group: '', version: 'v1', kind: 'ConfigMap' }],
  },
  {
    // A custom resource with x-kubernetes-preserve-unknown-fields under spec.
    name: 'com.example.v1.Widget',
    schema: obj({ apiVersion: str, kind: str, metadata: ref(`${META}.ObjectMeta`), spec: { kind: 'any' } }),
    gvk: [{ group: 'example.com', version: 'v1', kind: 'Widget' }],
  },
];

export function makeSchemaSet(definitions: Definition[]): SchemaSet {
  const byName = new Map(definitions.map((d) => [d.name, d]));
  return {
    get: (name) => byName.get(name),
    forKind: (group, version, kind) =>
      definitions.find((d) => d.gvk?.some((g) => g.group === group && g.version === version && g.kind === kind)),
    resolve(s) {
      if (s.kind !== 'ref') return s;
      const d = byName.get(s.ref);
      if (!d) throw new Error(`unknown definition ${s.ref}`);
      return d.schema;
    },
    all: () => definitions.values(),
  };
}

export const testSchemas: SchemaSet = makeSchemaSet(defs);

export const POD = { group: '', version: 'v1', kind: 'Pod' };
export const DEPLOYMENT = { group: 'apps', version: 'v1', kind: 'Deployment' };
export const SERVICE = { group: '', version: 'v1', kind: 'Service' };
export const CONFIGMAP = { group: '', version: 'v1', kind: 'ConfigMap' };
export const WIDGET = { group: 'example.com', version: 'v1', kind: 'Widget' };

/** The root schema of a kind in the test set. */
export function rootOf(gvk: { group: string; version: string; kind: string }): Schema {
  const d = testSchemas.forKind(gvk.group, gvk.version, gvk.kind);
  if (!d) throw new Error(`no kind ${gvk.kind}`);
  return d.schema;
}
