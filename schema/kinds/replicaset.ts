import { defineKind } from '../kind.ts';
import { keyedBy, required, s, type Infer } from '../shape.ts';
import { conditionShape, LabelSelector, ObjectMeta } from './meta.ts';
import { PodTemplateSpec } from './pod.ts';

export const ReplicaSetSpec = s.object(
  'ReplicaSetSpec',
  {
    replicas: s.int('Desired number of pods; defaults to 1.'),
    minReadySeconds: s.int('Seconds a new pod must be ready, without crashing, to count as available.'),
    selector: required(LabelSelector),
    template: PodTemplateSpec,
  },
  'Desired state of a ReplicaSet.',
);

const ReplicaSetStatus = s.object(
  'ReplicaSetStatus',
  {
    replicas: s.int('Number of pods matching the selector and owned by the ReplicaSet.'),
    fullyLabeledReplicas: s.int('Pods whose labels match the template labels.'),
    readyReplicas: s.int(),
    availableReplicas: s.int('Pods ready for at least minReadySeconds.'),
    observedGeneration: s.int('The generation the controller last acted on.'),
    conditions: keyedBy(s.list(conditionShape('ReplicaSetCondition')), 'type'),
  },
  'Observed state of a ReplicaSet.',
);

const description = 'Keeps a stable number of identical pods running; Deployments manage ReplicaSets.';

export const ReplicaSet = s.object(
  'ReplicaSet',
  {
    apiVersion: s.string(),
    kind: s.string(),
    metadata: ObjectMeta,
    spec: ReplicaSetSpec,
    status: ReplicaSetStatus,
  },
  description,
);

export type ReplicaSet = Infer<typeof ReplicaSet>;

export const replicaSetKind = defineKind({
  kind: 'ReplicaSet',
  apiVersion: 'apps/v1',
  plural: 'replicasets',
  shortNames: ['rs'],
  namespaced: true,
  shape: ReplicaSet,
  description,
  fieldSelectors: {
    'status.replicas': (rs) => String(rs.status?.replicas ?? 0),
  },
});
