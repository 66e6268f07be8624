import type { PodObject } from '../../objects.ts';
import type { FailureBackoff } from './failure-backoff.ts';
import type { JobRecord } from './job-record.ts';
import type { JobSpec, JobStatus } from './job-status.ts';
import { isPodFailed } from './pod-failed.ts';
import { matchPodFailurePolicy } from './pod-failure-policy.ts';
import { podFinishedAt } from './pod-finished-at.ts';

/** The pods of a Job that ended since its status was last written, and what they make of it. */
export interface EndedPods {
  /** Newly succeeded pods. */
  succeeded: PodObject[];
  /** Newly failed pods, those a podFailurePolicy Ignore rule matched too. */
  failed: PodObject[];
  /** status.succeeded and status.failed with them (failures that are ignored left out). */
  succeededCount: number;
  failedCount: number;
  /** The back-off with them. */
  backoff: FailureBackoff;
}

/**
 * Counts the pods of a Job that ended and are not yet in its `stored` status, by uid,
 * among `owned` (its pods in the cache) and `gone` (its pods deleted since, as last
 * seen): a pod that Succeeded is a success; one that failed (isPodFailed: phase Failed,
 * or deleted by someone else before it succeeded) is a failure; pods the controller
 * deleted itself (`record.removed`) are neither. A failure that the podFailurePolicy
 * ignores is not counted in status.failed.
 *
 * The counts are added to the stored ones, and each failure restarts the back-off from
 * `now` (a success resets it). On the first pass of this process (`record` not seeded)
 * every ended pod in the cache looks new: the counts are then the larger of the stored
 * and the cached ones, and the back-off is rebuilt from when the pods ended.
 */
export function countEndedPods(
  spec: JobSpec,
  record: JobRecord,
  owned: PodObject[],
  gone: PodObject[],
  stored: JobStatus,
  now: number,
): EndedPods {
  const ownedUids = new Set(owned.map((pod) => pod.metadata.uid));
  const succeeded: PodObject[] = [];
  const failed: PodObject[] = [];
  for (const pod of [...owned, ...gone]) {
    const uid = pod.metadata.uid ?? '';
    if (record.counted.has(uid)) continue;
    const phase = pod.status?.phase;
    if (phase === 'Succeeded') succeeded.push(pod);
    else if (!record.removed.has(uid) && isPodFailed(pod, spec, !ownedUids.has(pod.metadata.uid))) {
      failed.push(pod);
    }
  }
  const counted = failed.filter((pod) => matchPodFailurePolicy(spec.podFailurePolicy, pod).counts).length;
  const backoff = { ...record.backoff };
  if (!record.seeded) {
    const lastSuccess = Math.max(0, ...succeeded.map((pod) => podFinishedAt(pod, 0)));
    const failures = failed.map((pod) => podFinishedAt(pod, now)).filter((t) => t > lastSuccess);
    backoff.failuresSinceSuccess = failures.length;
    backoff.lastFailureAt = Math.max(0, ...failures);
    return {
      succeeded,
      failed,
      succeededCount: Math.max(stored.succeeded ?? 0, succeeded.length),
      failedCount: Math.max(stored.failed ?? 0, counted),
      backoff,
    };
  }
  if (succeeded.length) backoff.failuresSinceSuccess = 0;
  if (failed.length) {
    backoff.failuresSinceSuccess += failed.length;
    backoff.lastFailureAt = now;
  }
  return {
    succeeded,
    failed,
    succeededCount: (stored.succeeded ?? 0) + succeeded.length,
    failedCount: (stored.failed ?? 0) + counted,
    backoff,
  };
}
