import { described, required, s, type Infer } from '../shape.ts';
import { LabelSelector, TaintEffect } from './meta.ts';

/** Where a pod may run: node and pod affinity, tolerations and topology spread constraints. */

const NodeSelectorRequirement = s.object('NodeSelectorRequirement', {
  key: required(s.string('Label key (or field name in matchFields).')),
  operator: required(
    s.enum(
      'NodeSelectorOperator',
      ['In', 'NotIn', 'Exists', 'DoesNotExist', 'Gt', 'Lt'],
      'Gt and Lt compare a single integer value.',
    ),
  ),
  values: s.list(s.string()),
});

const NodeSelectorTerm = s.object(
  'NodeSelectorTerm',
  {
    matchExpressions: s.list(NodeSelectorRequirement, 'Requirements on node labels.'),
    matchFields: s.list(NodeSelectorRequirement, 'Requirements on node fields (metadata.name).'),
  },
  'Requirements that are ANDed; an empty term matches no node.',
);

const PodAffinityTerm = s.object('PodAffinityTerm', {
  labelSelector: LabelSelector,
  namespaces: s.list(s.string(), "Namespaces of the pods to match; the pod's own namespace if empty."),
  namespaceSelector: described(
    LabelSelector,
    'Namespaces of the pods to match, by label, besides `namespaces`; {} selects every namespace.',
  ),
  topologyKey: required(s.string('Node label whose equal values form one topology domain (node, zone...).')),
  matchLabelKeys: s.list(
    s.string(),
    "Keys of the incoming pod's labels whose values are added to labelSelector (key in (value)).",
  ),
  mismatchLabelKeys: s.list(
    s.string(),
    "Keys of the incoming pod's labels whose values are added to labelSelector (key notin (value)).",
  ),
});

const WeightedPodAffinityTerm = s.object('WeightedPodAffinityTerm', {
  weight: required(s.int('1-100, added to the score of the nodes matching the term.')),
  podAffinityTerm: required(PodAffinityTerm),
});

const podAffinityFields = {
  requiredDuringSchedulingIgnoredDuringExecution: s.list(
    PodAffinityTerm,
    'Every term must be satisfied for the pod to be scheduled onto a node.',
  ),
  preferredDuringSchedulingIgnoredDuringExecution: s.list(
    WeightedPodAffinityTerm,
    'Terms the scheduler prefers to satisfy, by weight.',
  ),
};

export const Affinity = s.object(
  'Affinity',
  {
    nodeAffinity: s.object('NodeAffinity', {
      requiredDuringSchedulingIgnoredDuringExecution: s.object(
        'NodeSelector',
        { nodeSelectorTerms: required(s.list(NodeSelectorTerm, 'Terms that are ORed.')) },
        'Nodes the pod may be scheduled onto.',
      ),
      preferredDuringSchedulingIgnoredDuringExecution: s.list(
        s.object('PreferredSchedulingTerm', {
          weight: required(s.int('1-100.')),
          preference: required(NodeSelectorTerm),
        }),
        'Node terms the scheduler prefers, by weight.',
      ),
    }),
    podAffinity: s.object('PodAffinity', podAffinityFields, 'Co-locate with pods matching the terms.'),
    podAntiAffinity: s.object(
      'PodAntiAffinity',
      podAffinityFields,
      'Keep away from pods matching the terms.',
    ),
  },
  'Scheduling constraints relative to nodes and to other pods.',
);

export const Toleration = s.object(
  'Toleration',
  {
    key: s.string('Taint key to tolerate; empty with operator Exists tolerates every taint.'),
    operator: s.enum('TolerationOperator', ['Exists', 'Equal'], 'Defaults to Equal.'),
    value: s.string('Taint value to match; must be empty with operator Exists.'),
    effect: described(TaintEffect, 'Taint effect to match; empty matches all.'),
    tolerationSeconds: s.int('For NoExecute: how long the pod stays bound after the taint appears.'),
  },
  'Lets the pod be scheduled onto (or stay on) nodes with a matching taint.',
);

const NodeInclusionPolicy = s.enum('NodeInclusionPolicy', ['Ignore', 'Honor']);

export const TopologySpreadConstraint = s.object(
  'TopologySpreadConstraint',
  {
    maxSkew: required(s.int('How unevenly matching pods may spread over the domains; at least 1.')),
    topologyKey: required(s.string('Node label whose values are the domains.')),
    whenUnsatisfiable: required(
      s.enum(
        'UnsatisfiableConstraintAction',
        ['DoNotSchedule', 'ScheduleAnyway'],
        'DoNotSchedule keeps the pod pending; ScheduleAnyway only prefers the domains that reduce the skew.',
      ),
    ),
    labelSelector: described(LabelSelector, 'The pods counted in each domain.'),
    minDomains: s.int('Minimum number of eligible domains; only with DoNotSchedule.'),
    nodeAffinityPolicy: described(
      NodeInclusionPolicy,
      "Whether the pod's node affinity and selector limit the domains counted; defaults to Honor.",
    ),
    nodeTaintsPolicy: described(
      NodeInclusionPolicy,
      'Whether node taints the pod does not tolerate limit the domains counted; defaults to Ignore.',
    ),
    matchLabelKeys: s.list(
      s.string(),
      "Keys of the incoming pod's labels whose values are ANDed with labelSelector.",
    ),
  },
  'How pods matching a selector spread over the domains of a topology (nodes, zones...).',
);

export type Toleration = Infer<typeof Toleration>;
export type NodeSelectorTerm = Infer<typeof NodeSelectorTerm>;
export type PodAffinityTerm = Infer<typeof PodAffinityTerm>;
