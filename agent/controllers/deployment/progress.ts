import { findCondition } from '../../conditions.ts';
import type { ReconcileResult } from '../reconcile-loop.ts';
import { replicasOf, type DeploymentObject, type ReplicaSetObject } from '../rollout-math.ts';
import {
  getDeploymentCondition,
  newCondition,
  REASONS,
  removeDeploymentCondition,
  setDeploymentCondition,
  type DeploymentCondition,
  type DeploymentStatus,
} from './conditions.ts';
import { calculateStatus } from './status.ts';
import type { SyncState } from './sync-state.ts';

/**
 * Kubernetes' progress.go: the Progressing condition of a rollout under way, and the
 * progress deadline (progressDeadlineSeconds without progress reported turns it False).
 */

/** Whether a progress deadline applies (progressDeadlineSeconds set and not "forever"). */
export function hasProgressDeadline(d: DeploymentObject): boolean {
  const seconds = d.spec?.progressDeadlineSeconds;
  return seconds !== undefined && seconds !== null && seconds !== 2147483647;
}

/** DeploymentComplete: every replica updated and available, and the spec observed. */
export function deploymentComplete(d: DeploymentObject, status: DeploymentStatus): boolean {
  const replicas = replicasOf(d);
  return (
    (status.updatedReplicas ?? 0) === replicas &&
    (status.replicas ?? 0) === replicas &&
    (status.availableReplicas ?? 0) === replicas &&
    (status.observedGeneration ?? 0) >= (d.metadata.generation ?? 1)
  );
}

/** DeploymentProgressing: more updated, fewer old, more ready or more available replicas. */
function deploymentProgressing(d: DeploymentObject, status: DeploymentStatus): boolean {
  const old = d.status ?? {};
  const oldOld = (old.replicas ?? 0) - (old.updatedReplicas ?? 0);
  const newOld = (status.replicas ?? 0) - (status.updatedReplicas ?? 0);
  return (
    (status.updatedReplicas ?? 0) > (old.updatedReplicas ?? 0) ||
    newOld < oldOld ||
    (status.readyReplicas ?? 0) > (old.readyReplicas ?? 0) ||
    (status.availableReplicas ?? 0) > (old.availableReplicas ?? 0)
  );
}

/** DeploymentTimedOut: no progress reported for progressDeadlineSeconds. */
function deploymentTimedOut(d: DeploymentObject, status: DeploymentStatus, now: number): boolean {
  if (!hasProgressDeadline(d)) return false;
  const condition = getDeploymentCondition(status, 'Progressing');
  if (!condition) return false;
  if (condition.reason === REASONS.newRSAvailable) return false;
  if (condition.reason === REASONS.timedOut) return true;
  const from = Date.parse(condition.lastUpdateTime ?? '');
  if (Number.isNaN(from)) return false;
  return from + d.spec!.progressDeadlineSeconds! * 1000 < now;
}

/**
 * syncRolloutStatus: counts, Available, and while a rollout is under way the
 * Progressing condition: NewReplicaSetAvailable once complete, ReplicaSetUpdated
 * (a fresh lastUpdateTime) on any progress, ProgressDeadlineExceeded (False) after
 * progressDeadlineSeconds without; and the ReplicaSets' ReplicaFailure.
 */
export function syncRolloutStatus(
  s: SyncState,
  allRSs: ReplicaSetObject[],
  newRS: ReplicaSetObject | undefined,
): void {
  const d = s.d;
  const status = calculateStatus(s, allRSs, newRS);
  if (!hasProgressDeadline(d)) removeDeploymentCondition(status, 'Progressing');
  const currentCond = getDeploymentCondition(s.status, 'Progressing');
  const complete =
    status.replicas === status.updatedReplicas && currentCond?.reason === REASONS.newRSAvailable;
  if (hasProgressDeadline(d) && !complete) {
    const name = newRS ? `ReplicaSet "${newRS.metadata.name}"` : `Deployment "${d.metadata.name}"`;
    if (deploymentComplete(d, status)) {
      setDeploymentCondition(
        status,
        newCondition(
          'Progressing',
          'True',
          REASONS.newRSAvailable,
          `${name} has successfully progressed.`,
          s.now,
        ),
      );
    } else if (deploymentProgressing(d, status)) {
      const condition = newCondition(
        'Progressing',
        'True',
        REASONS.replicaSetUpdated,
        `${name} is progressing.`,
        s.now,
      );
      // Progress moves lastUpdateTime even when the reason stays: the old one goes first.
      if (currentCond) {
        if (currentCond.status === 'True') condition.lastTransitionTime = currentCond.lastTransitionTime;
        removeDeploymentCondition(status, 'Progressing');
      }
      setDeploymentCondition(status, condition);
    } else if (deploymentTimedOut(d, status, s.now)) {
      setDeploymentCondition(
        status,
        newCondition('Progressing', 'False', REASONS.timedOut, `${name} has timed out progressing.`, s.now),
      );
    }
  }
  const failure = allRSs
    .map((rs) => findCondition(s.current(rs).status?.conditions, 'ReplicaFailure'))
    .find((c) => c !== undefined);
  if (failure) setDeploymentCondition(status, { ...failure } as DeploymentCondition);
  else removeDeploymentCondition(status, 'ReplicaFailure');
  s.final = status;
}

/**
 * requeueStuckDeployment: while a rollout is neither complete nor timed out, when the
 * progress deadline falls (lastUpdateTime of Progressing + progressDeadlineSeconds),
 * plus a second so that it has passed.
 */
export function requeueStuckDeployment(s: SyncState): ReconcileResult | undefined {
  const d = s.d;
  const status = s.final;
  if (!status) return undefined;
  const condition = getDeploymentCondition(status, 'Progressing');
  if (!hasProgressDeadline(d) || !condition) return undefined;
  if (deploymentComplete(d, status) || condition.reason === REASONS.timedOut) return undefined;
  const from = Date.parse(condition.lastUpdateTime ?? '');
  if (Number.isNaN(from)) return undefined;
  const after = from + d.spec!.progressDeadlineSeconds! * 1000 - s.now;
  return { requeueAfterMs: Math.max(0, after) + 1000 };
}
