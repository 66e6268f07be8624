import { getDeploymentCondition, newCondition, REASONS, setDeploymentCondition } from './conditions.ts';
import { getAllReplicaSetsAndSyncRevision } from './new-replicaset.ts';
import { hasProgressDeadline } from './progress.ts';
import { cleanupDeployment } from './revision.ts';
import { scale } from './scale.ts';
import { syncDeploymentStatus } from './status.ts';
import type { SyncState } from './sync-state.ts';

/**
 * The paths of Kubernetes' syncDeployment (sync.go) that roll nothing out: a Deployment
 * being deleted, paused or resized; and the paused / resumed report.
 */

/** checkPausedConditions: Progressing Unknown DeploymentPaused / DeploymentResumed (never over a timeout). */
export function checkPausedConditions(s: SyncState): void {
  const d = s.d;
  if (!hasProgressDeadline(d)) return;
  const condition = getDeploymentCondition(s.status, 'Progressing');
  if (condition?.reason === REASONS.timedOut) return;
  const pausedShown = condition?.reason === REASONS.paused;
  if (d.spec?.paused && !pausedShown) {
    setDeploymentCondition(
      s.status,
      newCondition('Progressing', 'Unknown', REASONS.paused, 'Deployment is paused', s.now),
    );
  } else if (!d.spec?.paused && pausedShown) {
    setDeploymentCondition(
      s.status,
      newCondition('Progressing', 'Unknown', REASONS.resumed, 'Deployment is resumed', s.now),
    );
  }
}

/** syncStatusOnly: a Deployment being deleted only reports. */
export async function syncStatusOnly(s: SyncState): Promise<void> {
  const { newRS, oldRSs } = await getAllReplicaSetsAndSyncRevision(s, false);
  syncDeploymentStatus(s, [...oldRSs, ...(newRS ? [newRS] : [])], newRS);
}

/** sync: scaling (and, when paused, history cleanup) without rollout progress. */
export async function sync(s: SyncState): Promise<void> {
  const { newRS, oldRSs } = await getAllReplicaSetsAndSyncRevision(s, false);
  await scale(s, newRS && s.current(newRS), oldRSs);
  if (s.d.spec?.paused) await cleanupDeployment(s, oldRSs);
  syncDeploymentStatus(s, [...oldRSs, ...(newRS ? [newRS] : [])], newRS);
}
