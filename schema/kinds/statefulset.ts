import { defineKind } from '../kind.ts';
import { described, keyedBy, required, s, type Infer } from '../shape.ts';
import { conditionShape, LabelSelector, ObjectMeta, TemplateObjectMeta } from './meta.ts';
import { PersistentVolumeClaimSpec, PersistentVolumeClaimStatus } from './persistentvolumeclaim.ts';
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

/**
 * A PersistentVolumeClaim as a StatefulSet's template of one: the shape of the kind, under
 * a name of its own (the kind's own GraphQL type is its API object's).
 */
const VolumeClaimTemplate = s.object(
  'VolumeClaimTemplate',
  {
    apiVersion: s.string(),
    kind: s.string(),
    metadata: TemplateObjectMeta,
    spec: PersistentVolumeClaimSpec,
    status: PersistentVolumeClaimStatus,
  },
  'A PersistentVolumeClaim to make for each pod: its name, labels and annotations, and its spec.',
);

const RetentionPolicyType = s.enum('PersistentVolumeClaimRetentionPolicyType', ['Retain', 'Delete']);

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
    volumeClaimTemplates: s.list(
      VolumeClaimTemplate,
      "Claims each pod gets one of, named <template>-<set>-<ordinal>; the pods mount them by the template's name.",
    ),
    persistentVolumeClaimRetentionPolicy: s.object(
      'StatefulSetPersistentVolumeClaimRetentionPolicy',
      {
        whenDeleted: described(
          RetentionPolicyType,
          'What happens to the claims when the set is deleted; defaults to Retain.',
        ),
        whenScaled: described(
          RetentionPolicyType,
          'What happens to the claims of the pods a scale-down removes; defaults to Retain.',
        ),
      },
      "Whether the claims made from volumeClaimTemplates outlive the set's pods.",
    ),
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
