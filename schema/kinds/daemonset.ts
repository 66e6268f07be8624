import { defineKind } from '../kind.ts';
import { keyedBy, required, s, type Infer } from '../shape.ts';
import { conditionShape, LabelSelector, ObjectMeta } from './meta.ts';
import { PodTemplateSpec } from './pod.ts';

const DaemonSetUpdateStrategy = s.object(
  'DaemonSetUpdateStrategy',
  {
    type: s.enum(
      'DaemonSetUpdateStrategyType',
      ['RollingUpdate', 'OnDelete'],
      'OnDelete replaces a pod only when it is deleted; defaults to RollingUpdate.',
    ),
    rollingUpdate: s.object('RollingUpdateDaemonSet', {
      maxUnavailable: s.intOrString(
        'Nodes (or percentage) whose pod may be unavailable during the update; defaults to 1.',
      ),
      maxSurge: s.intOrString(
        'Nodes (or percentage) that may run a new pod next to the old one during the update; defaults to 0.',
      ),
    }),
  },
  'How pods are replaced when the template changes.',
);

export const DaemonSetSpec = s.object(
  'DaemonSetSpec',
  {
    selector: required(LabelSelector),
    template: required(PodTemplateSpec),
    updateStrategy: DaemonSetUpdateStrategy,
    minReadySeconds: s.int('Seconds a new pod must be ready, without crashing, to count as available.'),
    revisionHistoryLimit: s.int('ControllerRevisions kept; defaults to 10.'),
  },
  'Desired state of a DaemonSet.',
);

const DaemonSetStatus = s.object(
  'DaemonSetStatus',
  {
    currentNumberScheduled: s.int('Nodes running at least one daemon pod that should run one.'),
    numberMisscheduled: s.int('Nodes running a daemon pod that should not run one.'),
    desiredNumberScheduled: s.int('Nodes that should run a daemon pod.'),
    numberReady: s.int('Nodes running a ready daemon pod.'),
    observedGeneration: s.int('The generation the controller last acted on.'),
    updatedNumberScheduled: s.int('Nodes running the updated daemon pod.'),
    numberAvailable: s.int('Nodes running a daemon pod available for at least minReadySeconds.'),
    numberUnavailable: s.int('Nodes that should run an available daemon pod and do not.'),
    collisionCount: s.int('Counts ControllerRevision name collisions.'),
    conditions: keyedBy(s.list(conditionShape('DaemonSetCondition')), 'type'),
  },
  'Observed state of a DaemonSet.',
);

const description = 'Runs a copy of a pod on every node (or every node a node selector picks).';

export const DaemonSet = s.object(
  'DaemonSet',
  {
    apiVersion: s.string(),
    kind: s.string(),
    metadata: ObjectMeta,
    spec: DaemonSetSpec,
    status: DaemonSetStatus,
  },
  description,
);

export type DaemonSet = Infer<typeof DaemonSet>;

export const daemonSetKind = defineKind({
  kind: 'DaemonSet',
  apiVersion: 'apps/v1',
  plural: 'daemonsets',
  shortNames: ['ds'],
  namespaced: true,
  shape: DaemonSet,
  description,
});
