/**
 * @module Controller references, as upstream's controller_ref_manager.go
 * handles them: which objects a controller owns, which orphans it adopts
 * and which owned objects it releases (ClaimObject), and the strategic
 * merge patches that adopt and release.
 */
import type { KubeObject, OwnerReference } from '../api/meta.ts';

/** metav1.GetControllerOf. */
export function controllerRefOf(obj: KubeObject): OwnerReference | undefined {
  return obj.metadata.ownerReferences?.find((r) => r.controller === true);
}

/** metav1.NewControllerRef. */
export function newControllerRef(owner: KubeObject): OwnerReference {
  return { apiVersion: owner.apiVersion, kind: owner.kind, name: owner.metadata.name!, uid: owner.metadata.uid!, controller: true, blockOwnerDeletion: true };
}

export interface Claim {
  /** Objects the owner keeps or adopts (in input order). */
  owned: KubeObject[];
  adopt: KubeObject[];
  release: KubeObject[];
}

/**
 * ClaimObject over a list: an object controlled by the owner is kept if the
 * selector matches and released otherwise; an orphan that matches is
 * adopted. An owner being deleted neither adopts nor releases, and nothing
 * adopts an object that is being deleted.
 */
export function claim(owner: KubeObject, objects: KubeObject[], matches: (o: KubeObject) => boolean): Claim {
  const out: Claim = { owned: [], adopt: [], release: [] };
  const deleting = !!owner.metadata.deletionTimestamp;
  for (const o of objects) {
    const ref = controllerRefOf(o);
    if (ref) {
      if (ref.uid !== owner.metadata.uid) continue;
      if (matches(o)) out.owned.push(o);
      else if (!deleting) out.release.push(o);
      continue;
    }
    if (deleting || !matches(o) || o.metadata.deletionTimestamp) continue;
    if (owner.metadata.namespace && owner.metadata.namespace !== o.metadata.namespace) continue;
    out.adopt.push(o);
    out.owned.push(o);
  }
  return out;
}

/**
 * The adoption patch (strategic merge): adds the controller reference; the
 * object's uid in the patch makes it fail if the object was replaced.
 */
export function adoptPatch(owner: KubeObject, obj: KubeObject): object {
  return { metadata: { ownerReferences: [newControllerRef(owner)], uid: obj.metadata.uid } };
}

/** The release patch (strategic merge): deletes the owner's reference by uid. */
export function releasePatch(owner: KubeObject, obj: KubeObject): object {
  return { metadata: { ownerReferences: [{ $patch: 'delete', uid: owner.metadata.uid }], uid: obj.metadata.uid } };
}

export const strategicMergePatch = 'application/strategic-merge-patch+json';
