/**
 * @module The admission chain, in upstream's order: NamespaceLifecycle,
 * ServiceAccount (default name), DefaultIngressClass, then the service
 * allocators of the Service storage, then ResourceQuota around the write.
 */
import * as errors from '../../api/errors.ts';
import type { KubeObject } from '../../api/meta.ts';
import { findKind, type ResourceDef } from '../../api/resources.ts';
import type { Objects } from '../objects.ts';
import type { Store } from '../../store/types.ts';
import { QuotaAdmission } from './quota.ts';
import { ServiceAllocator } from './service-alloc.ts';

const immortal = new Set(['default', 'kube-system', 'kube-public']);
const nsDef = () => findKind('', 'Namespace')!;

export class Admission {
  readonly allocator: ServiceAllocator;
  readonly quota: QuotaAdmission;
  readonly #objects: Objects;
  constructor(opts: { store: Store; objects: Objects; serviceCidr: string; nodePortRange: [number, number] }) {
    this.#objects = opts.objects;
    this.allocator = new ServiceAllocator({ store: opts.store, serviceCidr: opts.serviceCidr, nodePortRange: opts.nodePortRange });
    this.quota = new QuotaAdmission({ store: opts.store });
  }

  /** NamespaceLifecycle for creates: the namespace must exist and not be terminating. */
  async #namespaceOpen(def: ResourceDef, obj: KubeObject): Promise<void> {
    if (!def.namespaced) return;
    const ns = obj.metadata.namespace!;
    const nsObj = await this.#objects.tryGet(nsDef(), undefined, ns);
    if (!nsObj) throw errors.notFound({ group: '', resource: 'namespaces' }, ns);
    if (nsObj.metadata.deletionTimestamp || nsObj.status?.phase === 'Terminating') {
      // Events about the teardown itself are still let in, as upstream does.
      if (def.kind === 'Event') return;
      throw new errors.ApiError(
        403,
        'Forbidden',
        `${def.group ? `${def.plural}.${def.group}` : def.plural} "${obj.metadata.name ?? ''}" is forbidden: unable to create new content in namespace ${ns} because it is being terminated`,
        { name: obj.metadata.name, group: def.group, kind: def.plural, causes: [{ reason: 'NamespaceTerminating', message: `namespace ${ns} is being terminated`, field: 'metadata.namespace' }] },
      );
    }
  }

  /** DefaultIngressClass: a class-less Ingress gets the default class (the newest one if several are marked). */
  async #defaultIngressClass(obj: KubeObject): Promise<void> {
    if (obj.spec?.ingressClassName || obj.metadata.annotations?.['kubernetes.io/ingress.class']) return;
    const { items } = await this.#objects.list(findKind('networking.k8s.io', 'IngressClass')!);
    const defaults = items
      .filter((c) => c.metadata.annotations?.['ingressclass.kubernetes.io/is-default-class'] === 'true')
      .sort((a, b) => String(b.metadata.creationTimestamp).localeCompare(String(a.metadata.creationTimestamp)));
    if (defaults.length) (obj.spec ??= {}).ingressClassName = defaults[0].metadata.name;
  }

  /** Mutating admission for a create; runs before validation. */
  async mutateCreate(def: ResourceDef, obj: KubeObject): Promise<void> {
    await this.#namespaceOpen(def, obj);
    if (def.kind === 'Pod' && obj.spec) {
      // The ServiceAccount plugin names the account; nanokube mounts no token volume (deliberate: no token API yet).
      obj.spec.serviceAccountName ||= obj.spec.serviceAccount || 'default';
      obj.spec.serviceAccount = obj.spec.serviceAccountName;
    }
    if (def.kind === 'Ingress') await this.#defaultIngressClass(obj);
  }

  /** Allocations that need the validated object; returns a rollback. */
  async allocate(def: ResourceDef, obj: KubeObject, old: KubeObject | undefined, dryRun: boolean): Promise<() => Promise<void>> {
    if (def.kind !== 'Service') return async () => {};
    return this.allocator.allocate(obj, old, dryRun);
  }

  /** Runs the write under the namespace's quota lock after the quota check. */
  async withQuota<T>(def: ResourceDef, obj: KubeObject, old: KubeObject | undefined, write: () => Promise<T>): Promise<T> {
    if (!def.namespaced) return write();
    return this.quota.withLock(obj.metadata.namespace!, async () => {
      await this.quota.check(def, obj, old);
      return write();
    });
  }

  checkDelete(def: ResourceDef, name: string): void {
    if (def.kind === 'Namespace' && immortal.has(name)) {
      throw errors.forbidden({ group: '', resource: 'namespaces' }, name, 'this namespace may not be deleted');
    }
  }

  /** Releases what a deleted or updated object no longer holds. */
  async release(def: ResourceDef, old: KubeObject, next: KubeObject | undefined): Promise<void> {
    if (def.kind === 'Service') await this.allocator.releaseUnused(old, next);
  }
}
