import { defineKind } from '../kind.ts';
import { described, keyedBy, s, type Infer } from '../shape.ts';
import { conditionShape, LabelSelector, ObjectMeta } from './meta.ts';

export const PodDisruptionBudgetSpec = s.object(
  'PodDisruptionBudgetSpec',
  {
    minAvailable: s.intOrString(
      'Pods (or a percentage) that must stay available through an eviction; not with maxUnavailable.',
    ),
    maxUnavailable: s.intOrString(
      'Pods (or a percentage) that may be unavailable after an eviction; not with minAvailable.',
    ),
    selector: described(
      LabelSelector,
      'The pods the budget covers; none if absent, all of the namespace if {}.',
    ),
    unhealthyPodEvictionPolicy: s.enum(
      'UnhealthyPodEvictionPolicyType',
      ['IfHealthyBudget', 'AlwaysAllow'],
      'When pods that are running but not ready may be evicted: IfHealthyBudget (the default behaviour) or AlwaysAllow.',
    ),
  },
  'How many of a set of pods voluntary disruptions must leave available.',
);
export type PodDisruptionBudgetSpec = Infer<typeof PodDisruptionBudgetSpec>;

const PodDisruptionBudgetStatus = s.object(
  'PodDisruptionBudgetStatus',
  {
    observedGeneration: s.int(),
    disruptedPods: s.map('Pods being evicted, with when the eviction was allowed.'),
    disruptionsAllowed: s.int('How many pods may be disrupted now.'),
    currentHealthy: s.int(),
    desiredHealthy: s.int(),
    expectedPods: s.int(),
    conditions: keyedBy(s.list(conditionShape('PodDisruptionBudgetCondition')), 'type'),
  },
  'Observed state of a PodDisruptionBudget.',
);

const description =
  'Limits how many pods of a set voluntary disruptions (evictions, drains) may take down at once.';

export const PodDisruptionBudget = s.object(
  'PodDisruptionBudget',
  {
    apiVersion: s.string(),
    kind: s.string(),
    metadata: ObjectMeta,
    spec: PodDisruptionBudgetSpec,
    status: PodDisruptionBudgetStatus,
  },
  description,
);
export type PodDisruptionBudget = Infer<typeof PodDisruptionBudget>;

export const podDisruptionBudgetKind = defineKind({
  kind: 'PodDisruptionBudget',
  apiVersion: 'policy/v1',
  plural: 'poddisruptionbudgets',
  shortNames: ['pdb'],
  namespaced: true,
  shape: PodDisruptionBudget,
  description,
});
