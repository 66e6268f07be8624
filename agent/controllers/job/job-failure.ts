import type { PodObject } from '../../objects.ts';
import type { JobSpec } from './job-status.ts';
import { matchPodFailurePolicy } from './pod-failure-policy.ts';

/** Why a Job fails: the reason of its FailureTarget and Failed conditions and of its Warning event. */
export interface JobFailure {
  reason:
    | 'PodFailurePolicy'
    | 'BackoffLimitExceeded'
    | 'DeadlineExceeded'
    | 'MaxFailedIndexesExceeded'
    | 'FailedIndexes';
  message: string;
}

/** A failed pod that a podFailurePolicy FailJob rule matches fails the Job, whatever its other counts. */
export function failJobRuleFailure(spec: JobSpec, failed: PodObject[]): JobFailure | undefined {
  if (!spec.podFailurePolicy) return undefined;
  for (const pod of failed) {
    const { message } = matchPodFailurePolicy(spec.podFailurePolicy, pod);
    if (message !== undefined) return { reason: 'PodFailurePolicy', message };
  }
  return undefined;
}

/**
 * With backoffLimitPerIndex: more `failed` indexes than maxFailedIndexes fail the Job at
 * once; otherwise it fails once every index has either succeeded or failed, one failed.
 */
export function failedIndexesFailure(
  spec: JobSpec,
  failed: Set<number>,
  succeeded: Set<number>,
): JobFailure | undefined {
  if (spec.maxFailedIndexes !== undefined && failed.size > spec.maxFailedIndexes) {
    return {
      reason: 'MaxFailedIndexesExceeded',
      message: 'Job has exceeded the specified maximal number of failed indexes',
    };
  }
  if (failed.size > 0 && failed.size + succeeded.size >= (spec.completions ?? 0)) {
    return { reason: 'FailedIndexes', message: 'Job has failed indexes' };
  }
  return undefined;
}

/**
 * Whether the Job fails now, and why: `failed` pods above backoffLimit (6 by default)
 * or, with restartPolicy OnFailure, its `active` pods' container restarts reaching it;
 * else, unless suspended, activeDeadlineSeconds passed since `startTime`.
 */
export function jobFailure(
  spec: JobSpec,
  startTime: string | undefined,
  failed: number,
  active: PodObject[],
  now: number,
): JobFailure | undefined {
  const backoffLimit = spec.backoffLimit ?? 6;
  if (failed > backoffLimit || pastBackoffLimitOnFailure(spec, active, backoffLimit)) {
    return { reason: 'BackoffLimitExceeded', message: 'Job has reached the specified backoff limit' };
  }
  const left = untilDeadline(spec, startTime, now);
  if (spec.suspend !== true && left !== undefined && left <= 0) {
    return { reason: 'DeadlineExceeded', message: 'Job was active longer than specified deadline' };
  }
  return undefined;
}

/** How long until activeDeadlineSeconds after `startTime` (negative once past); undefined without either. */
export function untilDeadline(spec: JobSpec, startTime: string | undefined, now: number): number | undefined {
  if (spec.activeDeadlineSeconds === undefined || !startTime) return undefined;
  return Date.parse(startTime) + spec.activeDeadlineSeconds * 1000 - now;
}

/** With restartPolicy OnFailure failures are container restarts: their sum reaching backoffLimit fails the Job. */
function pastBackoffLimitOnFailure(spec: JobSpec, active: PodObject[], limit: number): boolean {
  if (spec.template.spec?.restartPolicy !== 'OnFailure') return false;
  let restarts = 0;
  for (const pod of active) {
    for (const s of [
      ...(pod.status?.initContainerStatuses ?? []),
      ...(pod.status?.containerStatuses ?? []),
    ]) {
      restarts += s.restartCount ?? 0;
    }
  }
  return limit === 0 ? restarts > 0 : restarts >= limit;
}
