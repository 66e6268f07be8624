import type { Resource } from '../../../client/index.ts';
import type { Job } from '../../../schema/kinds/job.ts';
import { timestamp } from '../../timestamps.ts';

/** A Job as the informers hold it. */
export type JobObject = Job & Resource;
export type JobSpec = NonNullable<Job['spec']>;
export type JobStatus = NonNullable<Job['status']>;
export type JobCondition = NonNullable<JobStatus['conditions']>[number];

/** The condition of this type with status True, if any. */
export function trueCondition(status: JobStatus | undefined, type: string): JobCondition | undefined {
  return status?.conditions?.find((c) => c.type === type && c.status === 'True');
}

/** 'Complete' or 'Failed' once a job has finished (its terminal condition is True), else undefined. */
export function finishedType(status: JobStatus | undefined): 'Complete' | 'Failed' | undefined {
  if (trueCondition(status, 'Complete')) return 'Complete';
  if (trueCondition(status, 'Failed')) return 'Failed';
  return undefined;
}

/**
 * A Job condition as Kubernetes' job controller writes it, probed and (unless the
 * status it replaces had the same status: agent/conditions.ts keeps that one's time)
 * transitioned at `now`.
 */
export function jobCondition(
  type: string,
  status: 'True' | 'False',
  reason: string,
  message: string,
  now: number,
): JobCondition {
  const time = timestamp(now);
  return { type, status, reason, message, lastProbeTime: time, lastTransitionTime: time };
}
