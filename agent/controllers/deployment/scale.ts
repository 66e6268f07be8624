import {
  byCreation,
  bySizeNewer,
  bySizeOlder,
  DESIRED_REPLICAS_ANNOTATION,
  intAnnotation,
  isRollingUpdate,
  isSaturated,
  MAX_REPLICAS_ANNOTATION,
  maxSurge,
  replicaSetProportion,
  replicasAnnotationsNeedUpdate,
  replicasOf,
  specReplicas,
  type ReplicaSetObject,
} from '../rollout-math.ts';
import { getAllReplicaSetsAndSyncRevision } from './new-replicaset.ts';
import type { SyncState } from './sync-state.ts';

/**
 * Scaling ReplicaSets (Kubernetes' sync.go scale and scaleReplicaSet): one ReplicaSet
 * to a size, and a resize of the whole Deployment shared among its ReplicaSets.
 */

/** What a scale did: whether the size changed, and the ReplicaSet's latest copy. */
export interface Scaled {
  scaled: boolean;
  rs: ReplicaSetObject;
}

/**
 * scaleReplicaSet: sets spec.replicas and the desired-replicas / max-replicas
 * annotations (a patch with the ReplicaSet's resourceVersion as precondition), and
 * records ScalingReplicaSet when the size changed.
 */
async function scaleReplicaSet(s: SyncState, rs: ReplicaSetObject, newScale: number): Promise<Scaled> {
  rs = s.current(rs);
  const sizeChanged = replicasOf(rs) !== newScale;
  const desired = replicasOf(s.d);
  const max = desired + maxSurge(s.d);
  if (!sizeChanged && !replicasAnnotationsNeedUpdate(rs, desired, max)) return { scaled: false, rs };
  const oldScale = replicasOf(rs);
  const updated = await s.patchReplicaSet(
    rs,
    { [DESIRED_REPLICAS_ANNOTATION]: String(desired), [MAX_REPLICAS_ANNOTATION]: String(max) },
    sizeChanged ? { replicas: newScale } : {},
  );
  if (sizeChanged) {
    const direction = newScale > oldScale ? 'up' : 'down';
    s.record('ScalingReplicaSet', `Scaled ${direction} replica set ${rs.metadata.name} to ${newScale}`);
  }
  return { scaled: sizeChanged, rs: updated };
}

/** scaleReplicaSetAndRecordEvent: nothing when the size is already right. */
export async function scaleReplicaSetAndRecordEvent(
  s: SyncState,
  rs: ReplicaSetObject,
  newScale: number,
): Promise<Scaled> {
  rs = s.current(rs);
  if (replicasOf(rs) === newScale) return { scaled: false, rs };
  return scaleReplicaSet(s, rs, newScale);
}

/** FindActiveOrLatest: the one active ReplicaSet, or with none the newest; undefined with several. */
function findActiveOrLatest(
  newRS: ReplicaSetObject | undefined,
  oldRSs: ReplicaSetObject[],
): ReplicaSetObject | undefined {
  if (!newRS && oldRSs.length === 0) return undefined;
  const newestFirst = [...oldRSs].sort((a, b) => byCreation(b, a));
  const active = [...newestFirst, ...(newRS ? [newRS] : [])].filter((rs) => replicasOf(rs) > 0);
  if (active.length === 0) return newRS ?? newestFirst[0];
  if (active.length === 1) return active[0];
  return undefined;
}

/**
 * scale: a resize of the deployment (or a saturated new ReplicaSet, or an adopted
 * one). One active ReplicaSet (or none: the newest) takes spec.replicas; a saturated
 * new one leaves the old ones at 0; otherwise, during a rolling update, the
 * difference to replicas + maxSurge is shared in proportion to each active
 * ReplicaSet's size, the leftover to the largest.
 */
export async function scale(
  s: SyncState,
  newRS: ReplicaSetObject | undefined,
  oldRSs: ReplicaSetObject[],
): Promise<void> {
  const d = s.d;
  const activeOrLatest = findActiveOrLatest(newRS, oldRSs);
  if (activeOrLatest) {
    if (replicasOf(activeOrLatest) === replicasOf(d)) return;
    await scaleReplicaSetAndRecordEvent(s, activeOrLatest, replicasOf(d));
    return;
  }
  if (isSaturated(d, newRS)) {
    for (const old of oldRSs.filter((rs) => replicasOf(rs) > 0))
      await scaleReplicaSetAndRecordEvent(s, old, 0);
    return;
  }
  if (!isRollingUpdate(d)) return;
  const all = [...oldRSs, ...(newRS ? [newRS] : [])].filter((rs) => replicasOf(rs) > 0);
  const allowed = replicasOf(d) > 0 ? replicasOf(d) + maxSurge(d) : 0;
  const toAdd = allowed - specReplicas(all);
  if (toAdd > 0) all.sort(bySizeNewer);
  else if (toAdd < 0) all.sort(bySizeOlder);
  let added = 0;
  const sizes = new Map<string, number>();
  for (const rs of all) {
    if (toAdd !== 0) {
      const proportion = replicaSetProportion(rs, d, toAdd, added);
      sizes.set(rs.metadata.uid!, replicasOf(rs) + proportion);
      added += proportion;
    } else {
      sizes.set(rs.metadata.uid!, replicasOf(rs));
    }
  }
  for (const [i, rs] of all.entries()) {
    let size = sizes.get(rs.metadata.uid!)!;
    if (i === 0 && toAdd !== 0) size = Math.max(0, size + toAdd - added);
    await scaleReplicaSet(s, rs, size);
  }
}

/** isScalingEvent: an active ReplicaSet was sized for another spec.replicas. */
export async function isScalingEvent(s: SyncState): Promise<boolean> {
  const { newRS, oldRSs } = await getAllReplicaSetsAndSyncRevision(s, false);
  const all = [...oldRSs, ...(newRS ? [s.current(newRS)] : [])];
  return all.some((rs) => {
    if (replicasOf(rs) === 0) return false;
    const desired = intAnnotation(rs, DESIRED_REPLICAS_ANNOTATION);
    return desired !== undefined && desired !== replicasOf(s.d);
  });
}
