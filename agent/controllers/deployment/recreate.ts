import { isPodFinished } from '../../pod-state.ts';
import { actualReplicas, replicasOf, type ReplicaSetObject } from '../rollout-math.ts';
import { getAllReplicaSetsAndSyncRevision } from './new-replicaset.ts';
import { deploymentComplete, syncRolloutStatus } from './progress.ts';
import { cleanupDeployment } from './revision.ts';
import { scaleReplicaSetAndRecordEvent } from './scale.ts';
import type { SyncState } from './sync-state.ts';

/**
 * The Recreate strategy (Kubernetes' recreate.go): every old pod is gone before the
 * first new one is created, so two revisions never run side by side.
 */

/**
 * rolloutRecreate: scales every old ReplicaSet to 0, waits until none of their pods
 * is left running, then creates (or finds) the new ReplicaSet at full size.
 */
export async function rolloutRecreate(s: SyncState): Promise<void> {
  let { newRS, oldRSs } = await getAllReplicaSetsAndSyncRevision(s, false);
  const all = () => [...oldRSs, ...(newRS ? [newRS] : [])].map((rs) => s.current(rs));
  let scaledDown = false;
  for (const rs of oldRSs.filter((r) => replicasOf(r) > 0)) {
    if ((await scaleReplicaSetAndRecordEvent(s, rs, 0)).scaled) scaledDown = true;
  }
  if (scaledDown) return syncRolloutStatus(s, all(), newRS);
  if (oldPodsRunning(s, newRS, oldRSs)) return syncRolloutStatus(s, all(), newRS);
  if (!newRS) ({ newRS, oldRSs } = await getAllReplicaSetsAndSyncRevision(s, true));
  await scaleReplicaSetAndRecordEvent(s, newRS!, replicasOf(s.d));
  if (deploymentComplete(s.d, s.status)) await cleanupDeployment(s, oldRSs);
  syncRolloutStatus(s, all(), newRS);
}

/** oldPodsRunning: old ReplicaSets report pods, or pods of theirs are not finished. */
function oldPodsRunning(
  s: SyncState,
  newRS: ReplicaSetObject | undefined,
  oldRSs: ReplicaSetObject[],
): boolean {
  if (actualReplicas(oldRSs.map((rs) => s.current(rs))) > 0) return true;
  for (const [uid, pods] of s.podMap) {
    if (newRS && uid === newRS.metadata.uid) continue;
    if (pods.some((pod) => !isPodFinished(pod))) return true;
  }
  return false;
}
