import { defineKind } from '../kind.ts';
import { keyedBy, required, s, type Infer } from '../shape.ts';
import { conditionShape, LabelSelector, ObjectMeta } from './meta.ts';
import { PodTemplateSpec } from './pod.ts';

const StatefulSetUpdateStrategy = s.object(
  'StatefulSetUpdateStrategy',
  {
    type: s.enum(
      'StatefulSetUpdateStrategyType',
      ['RollingUpdate', 'OnDelete'],
      'OnDelete replaces a pod only when it is deleted; defaults to RollingUpdate.',
    ),
    rollingUpdate: s.object('RollingUpdateStatefulSetStrategy', {
      partition: s.int('Only pods with an ordinal at least this are updated; defaults to 0.'),
      maxUnavailable: s.intOrString('Pods (or percentage) that may be unavailable during the update.'),
    }),
  },
  'How pods are replaced when the template changes.',
);

export const StatefulSetSpec = s.object(
  'StatefulSetSpec',
  {
    serviceName: s.string('Headless Service that gives each pod its DNS name <pod>.<serviceName>.'),
    podManagementPolicy: s.enum(
      'PodManagementPolicyType',
      ['OrderedReady', 'Parallel'],
      'OrderedReady creates pods one at a time in ordinal order, each after the previous is ready; defaults to OrderedReady.',
    ),
    updateStrategy: StatefulSetUpdateStrategy,
    replicas: s.int('Desired number of pods; defaults to 1.'),
    selector: required(LabelSelector),
    template: required(PodTemplateSpec),
    revisionHistoryLimit: s.int('ControllerRevisions kept; defaults to 10.'),
    minReadySeconds: s.int('Seconds a new pod must be ready, without crashing, to count as available.'),
    ordinals: s.object('StatefulSetOrdinals', {
      start: s.int('First ordinal of the pod names; defaults to 0.'),
    }),
  },
  'Desired state of a StatefulSet.',
);

const StatefulSetStatus = s.object(
  'StatefulSetStatus',
  {
    observedGeneration: s.int('The generation the controller last acted on.'),
    replicas: s.int('Pods created by the controller.'),
    readyReplicas: s.int(),
    currentReplicas: s.int('Pods at currentRevision.'),
    updatedReplicas: s.int('Pods at updateRevision.'),
    availableReplicas: s.int('Pods ready for at least minReadySeconds.'),
    currentRevision: s.string('Revision of the pods in the range [0, currentReplicas).'),
    updateRevision: s.string('Revision of the pods in the range [replicas - updatedReplicas, replicas).'),
    collisionCount: s.int('Counts ControllerRevision name collisions.'),
    conditions: keyedBy(s.list(conditionShape('StatefulSetCondition')), 'type'),
  },
  'Observed state of a StatefulSet.',
);

const description = 'Pods with stable identities (ordinal names and DNS) created and updated in order.';

export const StatefulSet = s.object(
  'StatefulSet',
  {
    apiVersion: s.string(),
    kind: s.string(),
    metadata: ObjectMeta,
    spec: StatefulSetSpec,
    status: StatefulSetStatus,
  },
  description,
);

export type StatefulSet = Infer<typeof StatefulSet>;

export const statefulSetKind = defineKind({
  kind: 'StatefulSet',
  apiVersion: 'apps/v1',
  plural: 'statefulsets',
  shortNames: ['sts'],
  namespaced: true,
  shape: StatefulSet,
  description,
});
