/**
 * @module The bodies of subresources: autoscaling/v1 Scale (…/scale) and policy/v1 Eviction (pods/eviction).
 * Field names, types, required fields and patch strategies follow upstream v1.32;
 * descriptions are the first sentence of upstream's.
 */

import type { Definition } from './types.ts';
import { str, int32, ref, autoscaling, policy, meta, typeMeta, objectMeta, gvk, def } from './dsl.ts';

export const subresourceDefinitions: Definition[] = [
  def(policy('Eviction'), 'Eviction evicts a pod from its node subject to certain policies and safety constraints.', {
    ...typeMeta,
    metadata: objectMeta,
    deleteOptions: ref(meta('DeleteOptions'), 'DeleteOptions may be provided when deleting an API object.'),
  }, { gvk: gvk('policy', 'v1', 'Eviction') }),
  def(autoscaling('Scale'), 'Scale represents a scaling request for a resource.', {
    ...typeMeta,
    metadata: objectMeta,
    spec: ref(autoscaling('ScaleSpec'), 'Specification of the desired behavior of the scale.'),
    status: ref(autoscaling('ScaleStatus'), 'Most recently observed status of the scale.'),
  }, { gvk: gvk('autoscaling', 'v1', 'Scale') }),
  def(autoscaling('ScaleStatus'), 'ScaleStatus represents the current status of a scale subresource.', {
    replicas: int32('replicas is the actual number of observed instances of the scaled object.'),
    selector: str('selector is the label query over pods that should match the replicas count.'),
  }, { required: ['replicas'] }),
  def(autoscaling('ScaleSpec'), 'ScaleSpec describes the attributes of a scale subresource.', {
    replicas: int32('replicas is the desired number of instances for the scaled object.'),
  }),
];
