import type { PodObject } from '../../objects.ts';
import { exponentialDelay } from '../../../lib/backoff.ts';
import { parseIndexes } from './completed-indexes.ts';
import { completionIndex } from './completion-index.ts';
import type { BackoffLimits } from './failure-backoff.ts';
import type { JobSpec } from './job-status.ts';
import { matchPodFailurePolicy } from './pod-failure-policy.ts';
import { podFinishedAt } from './pod-finished-at.ts';

/** Pod annotation of Jobs with backoffLimitPerIndex: the counted failures of its index before this pod. */
export const JOB_INDEX_FAILURE_COUNT = 'batch.kubernetes.io/job-index-failure-count';
/** ...and the failures a podFailurePolicy Ignore rule left uncounted (written once there is one). */
export const JOB_INDEX_IGNORED_FAILURE_COUNT = 'batch.kubernetes.io/job-index-ignored-failure-count';

const LARGEST_INT32 = 2 ** 31 - 1;

/** A count annotation's value; 0 when absent or not a count (a user may have written anything there). */
function countAnnotation(pod: PodObject, key: string): number {
  const text = pod.metadata.annotations?.[key];
  if (!text || !/^\d+$/.test(text)) return 0;
  const value = Number(text);
  return value <= LARGEST_INT32 ? value : 0;
}

/** The failures of its index a pod carries: counted ones, and all (ignored too). */
function failuresBefore(pod: PodObject): { counted: number; all: number } {
  const counted = countAnnotation(pod, JOB_INDEX_FAILURE_COUNT);
  return { counted, all: counted + countAnnotation(pod, JOB_INDEX_IGNORED_FAILURE_COUNT) };
}

/**
 * Whether a failed pod fails its index (Kubernetes' isIndexFailed): a podFailurePolicy
 * FailIndex rule matched it, or its failure counts and its index had already failed
 * backoffLimitPerIndex times before it.
 */
export function failsIndex(spec: JobSpec, failed: PodObject): boolean {
  const verdict = matchPodFailurePolicy(spec.podFailurePolicy, failed);
  if (verdict.action === 'FailIndex') return true;
  return verdict.counts && failuresBefore(failed).counted >= (spec.backoffLimitPerIndex ?? 0);
}

/** The failed indexes of a Job with backoffLimitPerIndex: those its status lists, and those `failed` pods fail. */
export function failedIndexes(
  spec: JobSpec,
  stored: string | undefined,
  failed: PodObject[],
  completions: number,
): Set<number> {
  const indexes = parseIndexes(stored, completions);
  for (const pod of failed) {
    const index = completionIndex(pod, completions);
    if (index !== undefined && failsIndex(spec, pod)) indexes.add(index);
  }
  return indexes;
}

/**
 * The latest failed pod of each index: the one with the most failures before it, the
 * later to end of two with as many. Its replacement carries the index's count on, and
 * the index's back-off is counted from its end.
 */
export function lastFailures(failed: PodObject[], completions: number): Map<number, PodObject> {
  const last = new Map<number, PodObject>();
  for (const pod of failed) {
    const index = completionIndex(pod, completions);
    if (index === undefined) continue;
    const previous = last.get(index);
    const later = previous
      ? failuresBefore(pod).all - failuresBefore(previous).all ||
        podFinishedAt(pod, 0) - podFinishedAt(previous, 0)
      : 1;
    if (later >= 0) last.set(index, pod);
  }
  return last;
}

/**
 * The failure-count annotations of a new pod for an index, from the index's last failed
 * pod (none: a first attempt, count 0): its counts, plus its own failure as counted or,
 * when a podFailurePolicy Ignore rule matched it, as ignored.
 */
export function indexFailureAnnotations(
  spec: JobSpec,
  lastFailed: PodObject | undefined,
): Record<string, string> {
  if (!lastFailed) return { [JOB_INDEX_FAILURE_COUNT]: '0' };
  const counted = countAnnotation(lastFailed, JOB_INDEX_FAILURE_COUNT);
  const ignored = countAnnotation(lastFailed, JOB_INDEX_IGNORED_FAILURE_COUNT);
  const counts = matchPodFailurePolicy(spec.podFailurePolicy, lastFailed).counts;
  const annotations = { [JOB_INDEX_FAILURE_COUNT]: String(counts ? counted + 1 : counted) };
  const ignoredNow = counts ? ignored : ignored + 1;
  return ignoredNow > 0
    ? { ...annotations, [JOB_INDEX_IGNORED_FAILURE_COUNT]: String(ignoredNow) }
    : annotations;
}

/**
 * How long an index must still wait before its pod is recreated (the per-index
 * back-off): base × 2^(its failures so far − 1), at most max, from when its last failed
 * pod ended; 0 for an index that has not failed, or once that has passed.
 */
export function indexBackoffRemaining(
  lastFailed: PodObject | undefined,
  now: number,
  limits: BackoffLimits,
): number {
  if (!lastFailed) return 0;
  const failures = failuresBefore(lastFailed).all + 1;
  const delay = exponentialDelay(failures - 1, { baseMs: limits.baseMs, factor: 2, capMs: limits.maxMs });
  return Math.max(0, podFinishedAt(lastFailed, now) + delay - now);
}
