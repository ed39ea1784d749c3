/**
 * @module core/v1 scheduling constraints of a pod: affinity, node selectors, tolerations, topology spread.
 * Field names, types, required fields and patch strategies follow upstream v1.32;
 * descriptions are the first sentence of upstream's.
 */

import type { Definition } from './types.ts';
import { str, int32, int64, ref, arr, core, meta, def } from './dsl.ts';

export const schedulingDefinitions: Definition[] = [
  def(core('TopologySpreadConstraint'), 'TopologySpreadConstraint specifies how to spread matching pods among the given topology.', {
    maxSkew: int32('MaxSkew describes the degree to which pods may be unevenly distributed.'),
    topologyKey: str('TopologyKey is the key of node labels.'),
    whenUnsatisfiable: str('WhenUnsatisfiable indicates how to deal with a pod if it doesn\'t satisfy the spread constraint. - DoNotSchedule (default) tells the scheduler not to schedule it. - ScheduleAnyway tells the scheduler to schedule the pod in any location,   but giving higher precedence to topologies that would help reduce the   skew.'),
    labelSelector: ref(meta('LabelSelector'), 'A label selector is a label query over a set of resources.'),
    minDomains: int32('MinDomains indicates a minimum number of eligible domains.'),
    nodeAffinityPolicy: str('NodeAffinityPolicy indicates how we will treat Pod\'s nodeAffinity/nodeSelector when calculating pod topology spread skew.'),
    nodeTaintsPolicy: str('NodeTaintsPolicy indicates how we will treat node taints when calculating pod topology spread skew.'),
    matchLabelKeys: arr(str(), 'MatchLabelKeys is a set of pod label keys to select the pods over which spreading will be calculated.'),
  }, { required: ['maxSkew', 'topologyKey', 'whenUnsatisfiable'] }),
  def(core('Toleration'), 'The pod this Toleration is attached to tolerates any taint that matches the triple <key,value,effect> using the matching operator <operator>.', {
    key: str('Key is the taint key that the toleration applies to.'),
    operator: str('Operator represents a key\'s relationship to the value.'),
    value: str('Value is the taint value the toleration matches to.'),
    effect: str('Effect indicates the taint effect to match.'),
    tolerationSeconds: int64('TolerationSeconds represents the period of time the toleration (which must be of effect NoExecute, otherwise this field is ignored) tolerates the taint.'),
  }),
  def(core('Affinity'), 'Affinity is a group of affinity scheduling rules.', {
    nodeAffinity: ref(core('NodeAffinity'), 'Node affinity is a group of node affinity scheduling rules.'),
    podAffinity: ref(core('PodAffinity'), 'Pod affinity is a group of inter pod affinity scheduling rules.'),
    podAntiAffinity: ref(core('PodAntiAffinity'), 'Pod anti affinity is a group of inter pod anti affinity scheduling rules.'),
  }),
  def(core('PodAntiAffinity'), 'Pod anti affinity is a group of inter pod anti affinity scheduling rules.', {
    requiredDuringSchedulingIgnoredDuringExecution: arr(ref(core('PodAffinityTerm')), 'If the anti-affinity requirements specified by this field are not met at scheduling time, the pod will not be scheduled onto the node.'),
    preferredDuringSchedulingIgnoredDuringExecution: arr(ref(core('WeightedPodAffinityTerm')), 'The scheduler will prefer to schedule pods to nodes that satisfy the anti-affinity expressions specified by this field, but it may choose a node that violates one or more of the expressions.'),
  }),
  def(core('WeightedPodAffinityTerm'), 'The weights of all of the matched WeightedPodAffinityTerm fields are added per-node to find the most preferred node(s)', {
    weight: int32('weight associated with matching the corresponding podAffinityTerm, in the range 1-100.'),
    podAffinityTerm: ref(core('PodAffinityTerm'), 'Defines a set of pods (namely those matching the labelSelector relative to the given namespace(s)) that this pod should be co-located (affinity) or not co-located (anti-affinity) with, where co-located is defined as running on a node whose value of the label with key <topologyKey> matches that of any node on which a pod of the set of pods is running.'),
  }, { required: ['weight', 'podAffinityTerm'] }),
  def(core('PodAffinityTerm'), 'Defines a set of pods (namely those matching the labelSelector relative to the given namespace(s)) that this pod should be co-located (affinity) or not co-located (anti-affinity) with, where co-located is defined as running on a node whose value of the label with key <topologyKey> matches that of any node on which a pod of the set of pods is running.', {
    labelSelector: ref(meta('LabelSelector'), 'A label selector is a label query over a set of resources.'),
    namespaces: arr(str(), 'namespaces specifies a static list of namespace names that the term applies to.'),
    topologyKey: str('This pod should be co-located (affinity) or not co-located (anti-affinity) with the pods matching the labelSelector in the specified namespaces, where co-located is defined as running on a node whose value of the label with key topologyKey matches that of any node on which any of the selected pods is running.'),
    namespaceSelector: ref(meta('LabelSelector'), 'A label selector is a label query over a set of resources.'),
    matchLabelKeys: arr(str(), 'MatchLabelKeys is a set of pod label keys to select which pods will be taken into consideration.'),
    mismatchLabelKeys: arr(str(), 'MismatchLabelKeys is a set of pod label keys to select which pods will be taken into consideration.'),
  }, { required: ['topologyKey'] }),
  def(core('PodAffinity'), 'Pod affinity is a group of inter pod affinity scheduling rules.', {
    requiredDuringSchedulingIgnoredDuringExecution: arr(ref(core('PodAffinityTerm')), 'If the affinity requirements specified by this field are not met at scheduling time, the pod will not be scheduled onto the node.'),
    preferredDuringSchedulingIgnoredDuringExecution: arr(ref(core('WeightedPodAffinityTerm')), 'The scheduler will prefer to schedule pods to nodes that satisfy the affinity expressions specified by this field, but it may choose a node that violates one or more of the expressions.'),
  }),
  def(core('NodeAffinity'), 'Node affinity is a group of node affinity scheduling rules.', {
    requiredDuringSchedulingIgnoredDuringExecution: ref(core('NodeSelector'), 'A node selector represents the union of the results of one or more label queries over a set of nodes; that is, it represents the OR of the selectors represented by the node selector terms.'),
    preferredDuringSchedulingIgnoredDuringExecution: arr(ref(core('PreferredSchedulingTerm')), 'The scheduler will prefer to schedule pods to nodes that satisfy the affinity expressions specified by this field, but it may choose a node that violates one or more of the expressions.'),
  }),
  def(core('PreferredSchedulingTerm'), 'An empty preferred scheduling term matches all objects with implicit weight 0 (i.e. it\'s a no-op).', {
    weight: int32('Weight associated with matching the corresponding nodeSelectorTerm, in the range 1-100.'),
    preference: ref(core('NodeSelectorTerm'), 'A null or empty node selector term matches no objects.'),
  }, { required: ['weight', 'preference'] }),
  def(core('NodeSelectorTerm'), 'A null or empty node selector term matches no objects.', {
    matchExpressions: arr(ref(core('NodeSelectorRequirement')), 'A list of node selector requirements by node\'s labels.'),
    matchFields: arr(ref(core('NodeSelectorRequirement')), 'A list of node selector requirements by node\'s fields.'),
  }, { mapType: 'atomic' }),
  def(core('NodeSelectorRequirement'), 'A node selector requirement is a selector that contains values, a key, and an operator that relates the key and values.', {
    key: str('The label key that the selector applies to.'),
    operator: str('Represents a key\'s relationship to a set of values.'),
    values: arr(str(), 'An array of string values.'),
  }, { required: ['key', 'operator'] }),
  def(core('NodeSelector'), 'A node selector represents the union of the results of one or more label queries over a set of nodes; that is, it represents the OR of the selectors represented by the node selector terms.', {
    nodeSelectorTerms: arr(ref(core('NodeSelectorTerm')), 'Required.'),
  }, { required: ['nodeSelectorTerms'], mapType: 'atomic' }),
];
