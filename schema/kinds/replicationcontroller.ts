import { defineKind } from '../kind.ts';
import { keyedBy, s, type Infer } from '../shape.ts';
import { conditionShape, ObjectMeta } from './meta.ts';
import { PodTemplateSpec } from './pod.ts';

export const ReplicationControllerSpec = s.object(
  'ReplicationControllerSpec',
  {
    replicas: s.int('Desired number of pods; defaults to 1.'),
    minReadySeconds: s.int('Seconds a new pod must be ready, without crashing, to count as available.'),
    selector: s.map(
      "Labels a pod must carry (all of them, equal values) to be counted; defaults to the template's labels.",
    ),
    template: PodTemplateSpec,
  },
  'Desired state of a ReplicationController.',
);

const ReplicationControllerStatus = s.object(
  'ReplicationControllerStatus',
  {
    replicas: s.int('Number of pods matching the selector and owned by the ReplicationController.'),
    fullyLabeledReplicas: s.int('Pods whose labels match the template labels.'),
    readyReplicas: s.int(),
    availableReplicas: s.int('Pods ready for at least minReadySeconds.'),
    observedGeneration: s.int('The generation the controller last acted on.'),
    conditions: keyedBy(s.list(conditionShape('ReplicationControllerCondition')), 'type'),
  },
  'Observed state of a ReplicationController.',
);

const description =
  "Keeps a stable number of pods running, selected by equality of labels: the ReplicaSet's predecessor, still common in older manifests.";

export const ReplicationController = s.object(
  'ReplicationController',
  {
    apiVersion: s.string(),
    kind: s.string(),
    metadata: ObjectMeta,
    spec: ReplicationControllerSpec,
    status: ReplicationControllerStatus,
  },
  description,
);
export type ReplicationController = Infer<typeof ReplicationController>;

export const replicationControllerKind = defineKind({
  kind: 'ReplicationController',
  apiVersion: 'v1',
  plural: 'replicationcontrollers',
  shortNames: ['rc'],
  namespaced: true,
  shape: ReplicationController,
  description,
  fieldSelectors: {
    'status.replicas': (rc) => String(rc.status?.replicas ?? 0),
  },
});
