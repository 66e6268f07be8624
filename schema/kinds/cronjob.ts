import { defineKind } from '../kind.ts';
import { required, s, type Infer } from '../shape.ts';
import { ObjectMeta, ObjectReference, TemplateObjectMeta } from './meta.ts';
import { JobSpec } from './job.ts';

export const CronJobSpec = s.object(
  'CronJobSpec',
  {
    schedule: required(s.string('Cron schedule, e.g. "*/5 * * * *" or "@hourly".')),
    timeZone: s.string("IANA time zone of the schedule, e.g. Europe/Paris; the controller's zone if unset."),
    startingDeadlineSeconds: s.int(
      'Seconds after a missed scheduled time during which the job may still start.',
    ),
    concurrencyPolicy: s.enum(
      'ConcurrencyPolicy',
      ['Allow', 'Forbid', 'Replace'],
      'What to do when a run is due while the previous one still runs; defaults to Allow.',
    ),
    suspend: s.bool('While true, no new runs are started; defaults to false.'),
    jobTemplate: required(
      s.object(
        'JobTemplateSpec',
        { metadata: TemplateObjectMeta, spec: JobSpec },
        'The job each run creates.',
      ),
    ),
    successfulJobsHistoryLimit: s.int('Finished successful jobs kept; defaults to 3.'),
    failedJobsHistoryLimit: s.int('Finished failed jobs kept; defaults to 1.'),
  },
  'Desired state of a CronJob.',
);

const CronJobStatus = s.object(
  'CronJobStatus',
  {
    active: s.list(ObjectReference, 'Jobs currently running.'),
    lastScheduleTime: s.string('When a job was last scheduled.'),
    lastSuccessfulTime: s.string('When a job last completed successfully.'),
  },
  'Observed state of a CronJob.',
);

const description = 'Creates Jobs on a repeating schedule.';

export const CronJob = s.object(
  'CronJob',
  {
    apiVersion: s.string(),
    kind: s.string(),
    metadata: ObjectMeta,
    spec: CronJobSpec,
    status: CronJobStatus,
  },
  description,
);

export type CronJob = Infer<typeof CronJob>;

export const cronJobKind = defineKind({
  kind: 'CronJob',
  apiVersion: 'batch/v1',
  plural: 'cronjobs',
  shortNames: ['cj'],
  namespaced: true,
  shape: CronJob,
  description,
});
