import { finishedType, type JobObject } from '../job/job-status.ts';
import type { CronJobSpec } from './cronjob-status.ts';

/** Oldest first, by status.startTime (jobs not started last), then name: Kubernetes' byJobStartTime. */
function byStartTime(a: JobObject, b: JobObject): number {
  const start = (job: JobObject) => (job.status?.startTime ? Date.parse(job.status.startTime) : Infinity);
  return start(a) - start(b) || (a.metadata.name! < b.metadata.name! ? -1 : 1);
}

/**
 * The finished Jobs beyond the history limits (successfulJobsHistoryLimit for Complete
 * ones, failedJobsHistoryLimit for Failed ones; no limit when unset), oldest first:
 * those to delete (Kubernetes' cleanupFinishedJobs).
 */
export function jobsBeyondHistory(spec: CronJobSpec | undefined, jobs: JobObject[]): JobObject[] {
  const limits = { Complete: spec?.successfulJobsHistoryLimit, Failed: spec?.failedJobsHistoryLimit };
  const beyond: JobObject[] = [];
  for (const [type, limit] of Object.entries(limits)) {
    if (limit === undefined) continue;
    const finished = jobs.filter((job) => finishedType(job.status) === type).sort(byStartTime);
    beyond.push(...finished.slice(0, Math.max(0, finished.length - limit)));
  }
  return beyond;
}
