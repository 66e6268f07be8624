import { newControllerRef } from '../controller-ref.ts';
import type { JobObject } from '../job/job-status.ts';
import type { CronJobObject } from './cronjob-status.ts';
import { rfc3339In } from './zoned-timestamp.ts';

/** Annotation of a CronJob's Jobs: the time the run was scheduled for (RFC 3339, in the CronJob's zone). */
export const CRONJOB_SCHEDULED_TIMESTAMP = 'batch.kubernetes.io/cronjob-scheduled-timestamp';

/** The name of the Job run for a scheduled time: deterministic, so a run is never created twice. */
export function jobNameFor(cronJobName: string, scheduledMs: number): string {
  return `${cronJobName}-${Math.floor(scheduledMs / 60_000)}`;
}

/** The Job of one run: jobTemplate, named for the scheduled time, owned by the CronJob. */
export function jobForRun(cronJob: CronJobObject, scheduled: number): JobObject {
  const template = cronJob.spec!.jobTemplate;
  const labels = { ...template.metadata?.labels };
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: {
      name: jobNameFor(cronJob.metadata.name!, scheduled),
      namespace: cronJob.metadata.namespace,
      ...(Object.keys(labels).length ? { labels } : {}),
      annotations: {
        ...template.metadata?.annotations,
        // Kubernetes formats it in the CronJob's zone, UTC when it has none.
        [CRONJOB_SCHEDULED_TIMESTAMP]: rfc3339In(scheduled, cronJob.spec!.timeZone),
      },
      ownerReferences: [newControllerRef(cronJob)],
    },
    spec: structuredClone(template.spec),
  } as JobObject;
}
