import type { Resource } from '../../../client/index.ts';
import type { CronJob } from '../../../schema/kinds/cronjob.ts';

/** A CronJob as the informers hold it. */
export type CronJobObject = CronJob & Resource;
export type CronJobSpec = NonNullable<CronJob['spec']>;
export type CronJobStatus = NonNullable<CronJob['status']>;
/** An entry of status.active. */
export type JobReference = NonNullable<CronJobStatus['active']>[number];

/** The status.active entry of a Job. */
export function referenceTo(job: Resource): JobReference {
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    name: job.metadata.name,
    namespace: job.metadata.namespace,
    uid: job.metadata.uid,
  };
}
