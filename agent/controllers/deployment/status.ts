import { isDeepStrictEqual } from 'node:util';
import {
  actualReplicas,
  availableReplicas,
  maxUnavailable,
  readyReplicas,
  replicasOf,
  specReplicas,
  type ReplicaSetObject,
} from '../rollout-math.ts';
import { newCondition, REASONS, setDeploymentCondition, type DeploymentStatus } from './conditions.ts';
import type { SyncState } from './sync-state.ts';

/**
 * The status a sync writes: counts over the ReplicaSets and the Available condition
 * (progress.ts adds Progressing during a rollout), written once, last, and only when it
 * differs from the stored one.
 */

/** calculateStatus: counts over the ReplicaSets, and the Available condition. */
export function calculateStatus(
  s: SyncState,
  allRSs: ReplicaSetObject[],
  newRS: ReplicaSetObject | undefined,
): DeploymentStatus {
  const d = s.d;
  const rss = allRSs.map((rs) => s.current(rs));
  const available = availableReplicas(rss);
  const status: DeploymentStatus = {
    observedGeneration: d.metadata.generation ?? 1,
    replicas: actualReplicas(rss),
    updatedReplicas: newRS ? (s.current(newRS).status?.replicas ?? 0) : 0,
    readyReplicas: readyReplicas(rss),
    availableReplicas: available,
    unavailableReplicas: Math.max(0, specReplicas(rss) - available),
    ...(s.status.collisionCount !== undefined && s.status.collisionCount !== null
      ? { collisionCount: s.status.collisionCount }
      : {}),
    conditions: [...(s.status.conditions ?? [])],
  };
  if (available >= replicasOf(d) - maxUnavailable(d)) {
    setDeploymentCondition(
      status,
      newCondition(
        'Available',
        'True',
        REASONS.minimumAvailable,
        'Deployment has minimum availability.',
        s.now,
      ),
    );
  } else {
    setDeploymentCondition(
      status,
      newCondition(
        'Available',
        'False',
        REASONS.minimumUnavailable,
        'Deployment does not have minimum availability.',
        s.now,
      ),
    );
  }
  return status;
}

/** syncDeploymentStatus: counts and Available only (scaling, paused, deleted). */
export function syncDeploymentStatus(
  s: SyncState,
  allRSs: ReplicaSetObject[],
  newRS: ReplicaSetObject | undefined,
): void {
  s.final = calculateStatus(s, allRSs, newRS);
}

/** A status with absent counts as 0 and no empty condition list, to compare. */
function normalized(status: DeploymentStatus | undefined) {
  return {
    observedGeneration: status?.observedGeneration ?? 0,
    replicas: status?.replicas ?? 0,
    updatedReplicas: status?.updatedReplicas ?? 0,
    readyReplicas: status?.readyReplicas ?? 0,
    availableReplicas: status?.availableReplicas ?? 0,
    unavailableReplicas: status?.unavailableReplicas ?? 0,
    conditions: status?.conditions?.length ? status.conditions : [],
    collisionCount: status?.collisionCount ?? null,
  };
}

/** Whether the status to write (the sync's final one) differs from the stored one. */
export function statusChanged(s: SyncState, stored: DeploymentStatus | undefined): boolean {
  return s.final !== undefined && !isDeepStrictEqual(normalized(stored), normalized(s.final));
}
