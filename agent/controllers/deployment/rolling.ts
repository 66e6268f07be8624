import {
  byCreation,
  maxUnavailable,
  newRSNewReplicas,
  replicasOf,
  specReplicas,
  type ReplicaSetObject,
} from '../rollout-math.ts';
import { getAllReplicaSetsAndSyncRevision } from './new-replicaset.ts';
import { deploymentComplete, syncRolloutStatus } from './progress.ts';
import { cleanupDeployment } from './revision.ts';
import { scaleReplicaSetAndRecordEvent } from './scale.ts';
import type { SyncState } from './sync-state.ts';

/**
 * The RollingUpdate strategy (Kubernetes' rolling.go): the new ReplicaSet grows and the
 * old ones shrink a step at a time, never above replicas + maxSurge pods nor below
 * replicas − maxUnavailable available.
 */

/**
 * rolloutRolling: creates the new ReplicaSet if needed, then either grows it
 * (reconcileNewReplicaSet) or shrinks the old ones (reconcileOldReplicaSets), and
 * once complete cleans up old revisions.
 */
export async function rolloutRolling(s: SyncState): Promise<void> {
  const { newRS, oldRSs } = await getAllReplicaSetsAndSyncRevision(s, true);
  const all = () => [...oldRSs, newRS!].map((rs) => s.current(rs));
  if (await reconcileNewReplicaSet(s, all(), s.current(newRS!))) {
    return syncRolloutStatus(s, all(), newRS);
  }
  const activeOld = oldRSs.map((rs) => s.current(rs)).filter((rs) => replicasOf(rs) > 0);
  if (await reconcileOldReplicaSets(s, all(), activeOld, s.current(newRS!))) {
    return syncRolloutStatus(s, all(), newRS);
  }
  if (deploymentComplete(s.d, s.status)) await cleanupDeployment(s, oldRSs);
  syncRolloutStatus(s, all(), newRS);
}

/** reconcileNewReplicaSet: down to spec.replicas if above, else up as far as maxSurge allows. */
async function reconcileNewReplicaSet(
  s: SyncState,
  allRSs: ReplicaSetObject[],
  newRS: ReplicaSetObject,
): Promise<boolean> {
  const desired = replicasOf(s.d);
  if (replicasOf(newRS) === desired) return false;
  if (replicasOf(newRS) > desired) return (await scaleReplicaSetAndRecordEvent(s, newRS, desired)).scaled;
  const target = newRSNewReplicas(s.d, s.podCount(allRSs), newRS);
  return (await scaleReplicaSetAndRecordEvent(s, newRS, target)).scaled;
}

/**
 * reconcileOldReplicaSets: how far the old ReplicaSets may shrink without going
 * below replicas − maxUnavailable available (counting the new ReplicaSet's
 * unavailable pods against it); unhealthy old replicas go first, then available
 * ones, oldest ReplicaSet first.
 */
async function reconcileOldReplicaSets(
  s: SyncState,
  allRSs: ReplicaSetObject[],
  oldRSs: ReplicaSetObject[],
  newRS: ReplicaSetObject,
): Promise<boolean> {
  if (specReplicas(oldRSs) === 0) return false;
  const allPods = specReplicas(allRSs);
  const minAvailable = replicasOf(s.d) - maxUnavailable(s.d);
  const newUnavailable = replicasOf(newRS) - (newRS.status?.availableReplicas ?? 0);
  const maxScaledDown = allPods - minAvailable - newUnavailable;
  if (maxScaledDown <= 0) return false;
  const cleaned = await cleanupUnhealthyReplicas(s, oldRSs, maxScaledDown);
  const scaledDown = await scaleDownOldReplicaSetsForRollingUpdate(
    s,
    [...oldRSs, newRS].map((rs) => s.current(rs)),
    oldRSs.map((rs) => s.current(rs)),
  );
  return cleaned + scaledDown > 0;
}

/** cleanupUnhealthyReplicas: scales old ReplicaSets down by their unavailable replicas, up to `max`. */
async function cleanupUnhealthyReplicas(
  s: SyncState,
  oldRSs: ReplicaSetObject[],
  max: number,
): Promise<number> {
  let total = 0;
  for (const rs of [...oldRSs].sort(byCreation)) {
    if (total >= max) break;
    const replicas = replicasOf(rs);
    const available = rs.status?.availableReplicas ?? 0;
    if (replicas === 0 || replicas === available) continue;
    const count = Math.min(max - total, replicas - available);
    if (count <= 0) continue;
    await scaleReplicaSetAndRecordEvent(s, rs, replicas - count);
    total += count;
  }
  return total;
}

/** scaleDownOldReplicaSetsForRollingUpdate: what is available above replicas − maxUnavailable, oldest first. */
async function scaleDownOldReplicaSetsForRollingUpdate(
  s: SyncState,
  allRSs: ReplicaSetObject[],
  oldRSs: ReplicaSetObject[],
): Promise<number> {
  const minAvailable = replicasOf(s.d) - maxUnavailable(s.d);
  const available = s.availableForScaleDown(allRSs);
  if (available <= minAvailable) return 0;
  const toScale = available - minAvailable;
  let total = 0;
  for (const rs of [...oldRSs].sort(byCreation)) {
    if (total >= toScale) break;
    if (replicasOf(rs) === 0) continue;
    const count = Math.min(replicasOf(rs), toScale - total);
    await scaleReplicaSetAndRecordEvent(s, rs, replicasOf(rs) - count);
    total += count;
  }
  return total;
}
