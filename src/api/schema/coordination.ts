/**
 * @module coordination.k8s.io/v1 Lease.
 * Field names, types, required fields and patch strategies follow upstream v1.32;
 * descriptions are the first sentence of upstream's.
 */

import type { Definition } from './types.ts';
import { str, int32, microTime, ref, arr, coordination, typeMeta, objectMeta, listMeta, gvk, def } from './dsl.ts';

export const coordinationDefinitions: Definition[] = [
  def(coordination('LeaseList'), 'LeaseList is a list of Lease objects.', {
    ...typeMeta,
    metadata: listMeta,
    items: arr(ref(coordination('Lease')), 'items is a list of schema objects.', {}),
  }, { required: ['items'], gvk: gvk('coordination.k8s.io', 'v1', 'LeaseList') }),
  def(coordination('Lease'), 'Lease defines a lease concept.', {
    ...typeMeta,
    metadata: objectMeta,
    spec: ref(coordination('LeaseSpec'), 'Specification of the desired behavior of the Lease.'),
  }, { gvk: gvk('coordination.k8s.io', 'v1', 'Lease') }),
  def(coordination('LeaseSpec'), 'LeaseSpec is a specification of a Lease.', {
    holderIdentity: str('holderIdentity contains the identity of the holder of a current lease.'),
    leaseDurationSeconds: int32('leaseDurationSeconds is a duration that candidates for a lease need to wait to force acquire it.'),
    acquireTime: microTime('acquireTime is a time when the current lease was acquired.'),
    renewTime: microTime('renewTime is a time when the current holder of a lease has last updated the lease.'),
    leaseTransitions: int32('leaseTransitions is the number of transitions of a lease between holders.'),
    strategy: str('Strategy indicates the strategy for picking the leader for coordinated leader election.'),
    preferredHolder: str('PreferredHolder signals to a lease holder that the lease has a more optimal holder and should be given up.'),
  }),
];
