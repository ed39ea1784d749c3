/**
 * @module The Deployment controller: claims the replica sets a Deployment
 * selects, plans one sync with planDeployment (deployment-rollout.ts) and
 * applies it: replica set creates, scales and deletes, the revision
 * annotation, the status. Events: ScalingReplicaSet, ReplicaSetCreateError,
 * SelectingAll.
 */
import type { KubeObject } from '../api/meta.ts';
import { parseApiVersion } from '../api/meta.ts';
import { findKind } from '../api/resources.ts';
import { matchLabelSelector } from '../api/selectors.ts';
import { ClientError, isConflict, isNotFound, type Client } from '../client/client.ts';
import { Informer, keyOf } from '../client/informer.ts';
import { planDeployment, type Action, type Plan } from './deployment-rollout.ts';
import { equalIgnoreHash, hasProgressDeadline, newCondition, revisionAnnotation, setCondition } from './deployment-util.ts';
import type { Controller, ControllerContext, EventRecorder } from './events.ts';
import { WorkQueue } from './queue.ts';
import { Backoff, namespaceTerminating } from './workload-pods.ts';
import { adoptPatch, claim, controllerRefOf, releasePatch, strategicMergePatch } from './workload-ownership.ts';

const deployDef = findKind('apps', 'Deployment')!;
const rsDef = findKind('apps', 'ReplicaSet')!;
const podDef = findKind('', 'Pod')!;

/** The plan stopped early and the informers are behind; look again shortly without counting a failure. */
class Retry extends Error {}

export class DeploymentController implements Controller {
  readonly #client: Client;
  readonly #deployments: Informer;
  readonly #replicaSets: Informer;
  readonly #pods: Informer;
  readonly #queue: WorkQueue;
  readonly #backoff = new Backoff();
  readonly #recorder: EventRecorder;
  readonly #log: (l: string) => void;

  constructor(opts: { client: Client; recorder: EventRecorder; log: (l: string) => void }) {
    this.#client = opts.client;
    this.#recorder = opts.recorder;
    this.#log = opts.log;
    this.#deployments = new Informer({ client: opts.client, def: deployDef });
    this.#replicaSets = new Informer({ client: opts.client, def: rsDef });
    this.#pods = new Informer({ client: opts.client, def: podDef });
    this.#queue = new WorkQueue({ work: (k) => this.#work(k) });
    this.#deployments.on((_t, d) => this.#queue.add(keyOf(d)));
    this.#replicaSets.on((type, rs, old) => this.#onReplicaSet(type, rs, old));
    this.#pods.on((type, pod) => {
      // Only Recreate waits on pods (for the old ones to be gone); everything else follows replica set status.
      if (type !== 'DELETED') return;
      const rsRef = controllerRefOf(pod);
      const rs = rsRef?.kind === 'ReplicaSet' ? this.#replicaSets.get(pod.metadata.namespace, rsRef.name) : undefined;
      const d = rs && this.#ownerOf(rs);
      if (d?.spec?.strategy?.type === 'Recreate') this.#queue.add(keyOf(d));
    });
  }

  ready(): boolean {
    return this.#deployments.ready() && this.#replicaSets.ready() && this.#pods.ready();
  }

  start(signal: AbortSignal): void {
    for (const i of [this.#deployments, this.#replicaSets, this.#pods]) void i.start(signal);
    void Promise.all([this.#deployments, this.#replicaSets, this.#pods].map((i) => i.waitSynced())).then(() => this.#queue.start(signal));
  }

  #ownerOf(rs: KubeObject): KubeObject | undefined {
    const ref = controllerRefOf(rs);
    if (!ref || ref.kind !== 'Deployment' || parseApiVersion(ref.apiVersion).group !== 'apps') return undefined;
    const d = this.#deployments.get(rs.metadata.namespace, ref.name);
    return d?.metadata.uid === ref.uid ? d : undefined;
  }

  /** getDeploymentsForReplicaSet: deployments with a non-empty selector matching an orphan's labels. */
  #enqueueMatching(rs: KubeObject): void {
    for (const d of this.#deployments.list()) {
      const sel = d.spec?.selector;
      const empty = !Object.keys(sel?.matchLabels ?? {}).length && !(sel?.matchExpressions ?? []).length;
      if (d.metadata.namespace === rs.metadata.namespace && !empty && matchLabelSelector(sel, rs.metadata.labels)) this.#queue.add(keyOf(d));
    }
  }

  /** addReplicaSet, updateReplicaSet, deleteReplicaSet: wake the owner, or whoever may adopt an orphan. */
  #onReplicaSet(type: 'ADDED' | 'MODIFIED' | 'DELETED', rs: KubeObject, old?: KubeObject): void {
    const owner = this.#ownerOf(rs);
    if (owner) this.#queue.add(keyOf(owner));
    const oldOwner = old && this.#ownerOf(old);
    if (oldOwner && oldOwner !== owner) this.#queue.add(keyOf(oldOwner));
    if (type === 'DELETED' || controllerRefOf(rs)) return;
    const labelsChanged = !old || JSON.stringify(old.metadata.labels ?? {}) !== JSON.stringify(rs.metadata.labels ?? {});
    if (type === 'ADDED' || labelsChanged || controllerRefOf(old!)) this.#enqueueMatching(rs);
  }

  async #work(key: string): Promise<void> {
    try {
      await this.#sync(key);
      this.#backoff.forget(key);
    } catch (e) {
      if (e instanceof Retry) return this.#queue.addAfter(key, 50);
      // A conflict only means the cache was behind; the retry sorts it out.
      if (!isConflict(e)) this.#log(`deployment-controller: sync ${key}: ${(e as Error).message}`);
      this.#queue.addAfter(key, this.#backoff.next(key));
    }
  }

  async #sync(key: string): Promise<void> {
    const [ns, name] = key.split('/');
    const d = this.#deployments.get(ns, name);
    if (!d) return;
    const rsList = await this.#claimReplicaSets(d);
    const uids = new Set(rsList.map((rs) => rs.metadata.uid!));
    const podMap = new Map<string, KubeObject[]>([...uids].map((u) => [u, []]));
    for (const p of this.#pods.list()) {
      const ref = controllerRefOf(p);
      if (p.metadata.namespace === ns && ref && uids.has(ref.uid) && matchLabelSelector(d.spec?.selector, p.metadata.labels)) podMap.get(ref.uid)!.push(p);
    }
    const plan = planDeployment(d, rsList, podMap, new Date());
    await this.#apply(d, plan);
    if (plan.error) throw plan.error;
    if (plan.requeueAfterMs !== undefined) this.#queue.addAfter(key, plan.requeueAfterMs);
  }

  /** getReplicaSetsForDeployment: ClaimReplicaSets with the deployment's selector. */
  async #claimReplicaSets(d: KubeObject): Promise<KubeObject[]> {
    const inNamespace = this.#replicaSets.list().filter((rs) => rs.metadata.namespace === d.metadata.namespace);
    const c = claim(d, inNamespace, (rs) => matchLabelSelector(d.spec?.selector, rs.metadata.labels));
    if (c.adopt.length) {
      // RecheckDeletionTimestamp against the API, not the cache.
      const fresh = await this.#client.get(deployDef, d.metadata.namespace, d.metadata.name!).catch((e) => (isNotFound(e) ? undefined : Promise.reject(e)));
      if (fresh?.metadata.uid !== d.metadata.uid || fresh?.metadata.deletionTimestamp) {
        const skip = new Set(c.adopt);
        c.owned = c.owned.filter((rs) => !skip.has(rs));
        c.adopt = [];
      }
    }
    const failed = new Set<KubeObject>();
    await Promise.all([
      ...c.adopt.map((rs) =>
        this.#client.patch(rsDef, rs.metadata.namespace, rs.metadata.name!, adoptPatch(d, rs), strategicMergePatch).catch((e) => {
          failed.add(rs);
          if (!isNotFound(e)) throw e;
        }),
      ),
      ...c.release.map((rs) =>
        this.#client.patch(rsDef, rs.metadata.namespace, rs.metadata.name!, releasePatch(d, rs), strategicMergePatch).catch((e) => {
          if (!(e instanceof ClientError && (e.code === 404 || e.code === 422))) throw e;
        }),
      ),
    ]);
    return c.owned.filter((rs) => !failed.has(rs));
  }

  /** Applies a plan in order; a failed write ends it (the next sync plans again from fresh state). */
  async #apply(d: KubeObject, plan: Plan): Promise<void> {
    const written = new Map<KubeObject, KubeObject>();
    for (const a of plan.actions) {
      const out = await this.#write(d, a, written);
      if (out) written.set(a.rs, out);
      if ('event' in a && a.event) this.#recorder.event(d, a.event.type, a.event.reason, a.event.message);
    }
    for (const e of plan.events) this.#recorder.event(d, e.type, e.reason, e.message);
    let rv = d.metadata.resourceVersion;
    if (plan.revision !== undefined) {
      // Upstream writes this annotation through UpdateStatus (the deployment status strategy keeps metadata
      // changes); nanokube's status subresource keeps the stored metadata, so it goes on the main resource.
      const out = await this.#client.patch(deployDef, d.metadata.namespace, d.metadata.name!, { metadata: { annotations: { [revisionAnnotation]: plan.revision } } });
      rv = out.metadata.resourceVersion;
    }
    if (plan.status) {
      await this.#client.update(deployDef, { ...d, metadata: { ...d.metadata, resourceVersion: rv }, status: plan.status }, 'status');
    }
  }

  async #write(d: KubeObject, a: Action, written: Map<KubeObject, KubeObject>): Promise<KubeObject | undefined> {
    const ns = a.rs.metadata.namespace;
    if (a.op === 'deleteRS') {
      await this.#client.delete(rsDef, ns, a.rs.metadata.name!).catch((e) => (isNotFound(e) ? undefined : Promise.reject(e)));
      return undefined;
    }
    if (a.op === 'updateRS') {
      const prev = written.get(a.base);
      const rs = prev ? { ...a.rs, metadata: { ...a.rs.metadata, uid: prev.metadata.uid, resourceVersion: prev.metadata.resourceVersion } } : a.rs;
      return this.#client.update(rsDef, rs);
    }
    try {
      return await this.#client.create(rsDef, a.rs);
    } catch (e) {
      if (e instanceof ClientError && e.code === 409) return this.#onExists(d, a.rs);
      if (namespaceTerminating(e)) throw e;
      const msg = `Failed to create new replica set "${a.rs.metadata.name}": ${(e as Error).message}`;
      if (hasProgressDeadline(d)) {
        const status = structuredClone(d.status ?? {});
        setCondition(status, newCondition('Progressing', 'False', 'ReplicaSetCreateError', msg, new Date()));
        await this.#client.update(deployDef, { ...d, status }, 'status').catch(() => undefined);
      }
      this.#recorder.event(d, 'Warning', 'ReplicaSetCreateError', msg);
      throw e;
    }
  }

  /**
   * The new replica set's name is taken. Ours with the same template: the
   * cache is behind, try again shortly. Anything else is a hash collision:
   * bump status.collisionCount so the next hash differs.
   */
  async #onExists(d: KubeObject, rs: KubeObject): Promise<never> {
    const cur = await this.#client.get(rsDef, rs.metadata.namespace, rs.metadata.name!).catch((e) => (isNotFound(e) ? undefined : Promise.reject(e)));
    if (!cur || (controllerRefOf(cur)?.uid === d.metadata.uid && equalIgnoreHash(d.spec?.template, cur.spec?.template))) throw new Retry('replica set exists');
    const status = { ...(d.status ?? {}), collisionCount: (d.status?.collisionCount ?? 0) + 1 };
    await this.#client.update(deployDef, { ...d, status }, 'status');
    this.#log(`deployment-controller: ${keyOf(d)}: found a hash collision, collisionCount=${status.collisionCount}`);
    throw new Error(`replicasets.apps "${rs.metadata.name}" already exists`);
  }
}

export function newDeploymentController(ctx: ControllerContext): Controller {
  return new DeploymentController({ client: ctx.client, recorder: ctx.recorder('deployment-controller'), log: ctx.log });
}
