import { defineKind } from '../kind.ts';
import { keyedBy, required, s, type Infer } from '../shape.ts';
import { conditionShape, LabelSelector, ObjectMeta } from './meta.ts';
import { PodTemplateSpec } from './pod.ts';

const DeploymentStrategy = s.object(
  'DeploymentStrategy',
  {
    type: s.enum(
      'DeploymentStrategyType',
      ['RollingUpdate', 'Recreate'],
      'Recreate kills every old pod before creating new ones; defaults to RollingUpdate.',
    ),
    rollingUpdate: s.object('RollingUpdateDeployment', {
      maxUnavailable: s.intOrString(
        'Pods (or percentage of desired, rounded down) that may be unavailable during the update; defaults to 25%.',
      ),
      maxSurge: s.intOrString(
        'Pods (or percentage of desired, rounded up) that may exist above the desired count; defaults to 25%.',
      ),
    }),
  },
  'How old pods are replaced by new ones.',
);

export const DeploymentSpec = s.object(
  'DeploymentSpec',
  {
    replicas: s.int('Desired number of pods; defaults to 1.'),
    selector: required(LabelSelector),
    template: required(PodTemplateSpec),
    strategy: DeploymentStrategy,
    minReadySeconds: s.int('Seconds a new pod must be ready, without crashing, to count as available.'),
    revisionHistoryLimit: s.int('Old ReplicaSets kept to allow rollback; defaults to 10.'),
    paused: s.bool('While true, changes to the template do not start a rollout.'),
    progressDeadlineSeconds: s.int(
      'Seconds a rollout may make no progress before it is reported failed (ProgressDeadlineExceeded); defaults to 600.',
    ),
  },
  'Desired state of a Deployment.',
);

const DeploymentStatus = s.object(
  'DeploymentStatus',
  {
    observedGeneration: s.int('The generation the controller last acted on.'),
    replicas: s.int('Pods targeted by the deployment (their labels match the selector).'),
    updatedReplicas: s.int('Pods that have the desired template.'),
    readyReplicas: s.int(),
    availableReplicas: s.int('Pods ready for at least minReadySeconds.'),
    unavailableReplicas: s.int('Pods still needed for the deployment to have 100% available capacity.'),
    conditions: keyedBy(s.list(conditionShape('DeploymentCondition')), 'type'),
    collisionCount: s.int('Counts template hash collisions; used in the name of the newest ReplicaSet.'),
  },
  'Observed state of a Deployment.',
);

const description = 'Declarative updates for pods, through ReplicaSets it creates and scales.';

export const Deployment = s.object(
  'Deployment',
  {
    apiVersion: s.string(),
    kind: s.string(),
    metadata: ObjectMeta,
    spec: DeploymentSpec,
    status: DeploymentStatus,
  },
  description,
);

export type Deployment = Infer<typeof Deployment>;

export const deploymentKind = defineKind({
  kind: 'Deployment',
  apiVersion: 'apps/v1',
  plural: 'deployments',
  shortNames: ['deploy'],
  namespaced: true,
  shape: Deployment,
  description,
});
