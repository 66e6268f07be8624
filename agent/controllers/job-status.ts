import type { Resource } from '../../client/index.ts';
import type { Job } from '../../schema/kinds/job.ts';
import { timestamp } from '../timestamps.ts';

/** A Job as the informers hold it. */
export type JobObject = Job & Resource;
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
 * Sets a condition in `status` (which it changes): the transition time moves only when
 * the status does, as Kubernetes keeps it. Returns whether anything changed.
 */
export function setCondition(
  status: JobStatus,
  type: string,
  value: 'True' | 'False',
  reason: string,
  message: string,
  now: number,
): boolean {
  const conditions = (status.conditions ??= []);
  const at = conditions.findIndex((c) => c.type === type);
  const old = at >= 0 ? conditions[at] : undefined;
  if (old && old.status === value && old.reason === reason && old.message === message) return false;
  const time = timestamp(now);
  const condition: JobCondition = {
    type,
    status: value,
    reason,
    message,
    lastProbeTime: time,
    lastTransitionTime: old && old.status === value && old.lastTransitionTime ? old.lastTransitionTime : time,
  };
  if (old) conditions[at] = condition;
  else conditions.push(condition);
  return true;
}
