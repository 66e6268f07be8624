import { isCode, type Resource } from '../../../client/index.ts';
import {
  byCreation,
  DESIRED_REPLICAS_ANNOTATION,
  MAX_REPLICAS_ANNOTATION,
  maxSurge,
  replicasAnnotationsNeedUpdate,
  replicasOf,
  type DeploymentObject,
  type ReplicaSetObject,
} from '../rollout-math.ts';
import type { SyncState } from './sync-state.ts';

/**
 * A Deployment's revisions: each ReplicaSet is a revision, numbered in its annotation;
 * the Deployment carries its newest's; a ReplicaSet brought back by a rollback takes the
 * next number and remembers its earlier ones; old revisions beyond revisionHistoryLimit
 * are pruned.
 */

/** The revision of a ReplicaSet (and of its Deployment: the newest one's). */
export const REVISION_ANNOTATION = 'deployment.kubernetes.io/revision';
/** Earlier revisions a ReplicaSet had, when a rollback brought it back. */
export const REVISION_HISTORY_ANNOTATION = 'deployment.kubernetes.io/revision-history';
const MAX_REVISION_HISTORY_CHARS = 2000;
/** Deployment annotations that are not copied to its ReplicaSets. */
const ANNOTATIONS_NOT_COPIED = new Set([
  'kubectl.kubernetes.io/last-applied-configuration',
  REVISION_ANNOTATION,
  REVISION_HISTORY_ANNOTATION,
  DESIRED_REPLICAS_ANNOTATION,
  MAX_REPLICAS_ANNOTATION,
  'deprecated.deployment.rollback.to',
]);

/** The revision annotation as a number: 0 when absent, undefined when not a number. */
export function revisionOf(obj: Resource): number | undefined {
  const text = obj.metadata.annotations?.[REVISION_ANNOTATION];
  if (text === undefined) return 0;
  return /^\d+$/.test(text) ? Number(text) : undefined;
}

/** MaxRevision: the highest revision among the ReplicaSets (0 with none). */
export function maxRevision(rss: ReplicaSetObject[]): number {
  return Math.max(0, ...rss.map((rs) => revisionOf(rs) ?? 0));
}

/**
 * SetNewReplicaSetAnnotations: copies the deployment's annotations (but its own),
 * raises the revision to `newRevision` if lower (keeping the revisions it had in
 * revision-history: a ReplicaSet brought back by a rollback), and on a new
 * ReplicaSet (`exists` false) sets desired-replicas / max-replicas. Changes `rs` (a
 * copy); returns whether anything changed.
 */
export function setNewReplicaSetAnnotations(
  d: DeploymentObject,
  rs: ReplicaSetObject,
  newRevision: number,
  exists: boolean,
): boolean {
  const annotations = (rs.metadata.annotations = { ...rs.metadata.annotations });
  let changed = false;
  for (const [k, v] of Object.entries(d.metadata.annotations ?? {})) {
    if (ANNOTATIONS_NOT_COPIED.has(k) || annotations[k] === v) continue;
    annotations[k] = v;
    changed = true;
  }
  const oldText = annotations[REVISION_ANNOTATION];
  let oldRevision = 0;
  if (oldText !== undefined && oldText !== '') {
    if (!/^\d+$/.test(oldText)) return changed;
    oldRevision = Number(oldText);
  }
  if (oldRevision < newRevision) {
    annotations[REVISION_ANNOTATION] = String(newRevision);
    changed = true;
    if (oldText !== undefined) {
      const history = annotations[REVISION_HISTORY_ANNOTATION] ?? '';
      if (!history) annotations[REVISION_HISTORY_ANNOTATION] = oldText;
      else {
        const revisions = history.split(',');
        let total = history.length + oldText.length + 1;
        let start = 0;
        while (total > MAX_REVISION_HISTORY_CHARS && start < revisions.length) {
          total -= revisions[start].length + 1;
          start++;
        }
        if (total <= MAX_REVISION_HISTORY_CHARS)
          annotations[REVISION_HISTORY_ANNOTATION] = [...revisions.slice(start), oldText].join(',');
      }
    }
  }
  if (!exists) {
    const desired = replicasOf(d);
    const max = desired + maxSurge(d);
    if (replicasAnnotationsNeedUpdate(rs, desired, max)) {
      annotations[DESIRED_REPLICAS_ANNOTATION] = String(desired);
      annotations[MAX_REPLICAS_ANNOTATION] = String(max);
      changed = true;
    }
  }
  return changed;
}

/**
 * SetDeploymentRevision, written at once as a patch of the Deployment's annotation
 * (with its resourceVersion as precondition); the patched resourceVersion becomes the
 * precondition of the status write.
 */
export async function setDeploymentRevision(s: SyncState, revision: string | undefined): Promise<void> {
  if (revision === undefined || s.d.metadata.annotations?.[REVISION_ANNOTATION] === revision) return;
  const written = await s.ctx.writer.patch('Deployment', s.d.metadata.name!, s.d.metadata.namespace, {
    metadata: {
      annotations: { [REVISION_ANNOTATION]: revision },
      ...(s.resourceVersion ? { resourceVersion: s.resourceVersion } : {}),
    },
  });
  s.d.metadata.annotations = { ...s.d.metadata.annotations, [REVISION_ANNOTATION]: revision };
  s.resourceVersion = written?.metadata?.resourceVersion ?? s.resourceVersion;
}

/**
 * cleanupDeployment: deletes the oldest revisions beyond revisionHistoryLimit, only
 * ReplicaSets with no replicas (spec and status) whose status is up to date.
 */
export async function cleanupDeployment(s: SyncState, oldRSs: ReplicaSetObject[]): Promise<void> {
  const limit = s.d.spec?.revisionHistoryLimit;
  if (limit === undefined || limit === null || limit === 2147483647) return;
  const cleanable = oldRSs.map((rs) => s.current(rs)).filter((rs) => !rs.metadata.deletionTimestamp);
  const diff = cleanable.length - limit;
  if (diff <= 0) return;
  cleanable.sort((a, b) => (revisionOf(a) ?? 0) - (revisionOf(b) ?? 0) || byCreation(a, b));
  for (const rs of cleanable.slice(0, diff)) {
    if (
      (rs.status?.replicas ?? 0) !== 0 ||
      replicasOf(rs) !== 0 ||
      (rs.metadata.generation ?? 1) > (rs.status?.observedGeneration ?? 0)
    ) {
      continue;
    }
    try {
      await s.ctx.writer.delete('ReplicaSet', rs.metadata.name!, rs.metadata.namespace);
    } catch (error) {
      if (!isCode(error, 'NOT_FOUND')) throw error;
    }
  }
}
