import type { Deployment } from '../../../schema/kinds/deployment.ts';
import { findCondition, removeCondition, setCondition } from '../../conditions.ts';
import { timestamp } from '../../timestamps.ts';

/**
 * A Deployment's status conditions (Available, Progressing, ReplicaFailure) as
 * Kubernetes' deploymentutil writes them: agent/conditions.ts's setter in the `apps`
 * style, over the status a sync is building.
 */

export type DeploymentStatus = NonNullable<Deployment['status']>;
export type DeploymentCondition = NonNullable<DeploymentStatus['conditions']>[number];

/** Condition reasons, as Kubernetes' deploymentutil names them. */
export const REASONS = {
  newRSCreated: 'NewReplicaSetCreated',
  foundNewRS: 'FoundNewReplicaSet',
  replicaSetUpdated: 'ReplicaSetUpdated',
  newRSAvailable: 'NewReplicaSetAvailable',
  timedOut: 'ProgressDeadlineExceeded',
  paused: 'DeploymentPaused',
  resumed: 'DeploymentResumed',
  failedRSCreate: 'ReplicaSetCreateError',
  minimumAvailable: 'MinimumReplicasAvailable',
  minimumUnavailable: 'MinimumReplicasUnavailable',
} as const;

/** NewDeploymentCondition: updated and transitioned at `now`. */
export function newCondition(
  type: string,
  status: DeploymentCondition['status'],
  reason: string,
  message: string,
  now: number,
): DeploymentCondition {
  const at = timestamp(now);
  return { type, status, lastUpdateTime: at, lastTransitionTime: at, reason, message };
}

/** GetDeploymentCondition. */
export function getDeploymentCondition(
  status: DeploymentStatus | undefined,
  type: string,
): DeploymentCondition | undefined {
  return findCondition(status?.conditions, type);
}

/**
 * SetDeploymentCondition, on `status` in place: a condition of the same status and
 * reason is left as is; otherwise it replaces the old one (keeping its transition time
 * if the status is the same), moved to the end.
 */
export function setDeploymentCondition(status: DeploymentStatus, condition: DeploymentCondition): void {
  const conditions = setCondition(status.conditions, condition, 'apps');
  if (conditions !== status.conditions) status.conditions = [...conditions];
}

/** RemoveDeploymentCondition, on `status` in place. */
export function removeDeploymentCondition(status: DeploymentStatus, type: string): void {
  if (!status.conditions) return;
  status.conditions = [...removeCondition(status.conditions, type)];
}
