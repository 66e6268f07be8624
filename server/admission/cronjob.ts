import { scheduleError, validTimeZone } from '../../schema/cron-schedule.ts';
import { fieldError, joinPath, type FieldError } from '../../schema/field-error.ts';
import type { Resource } from '../../schema/kind.ts';
import type { CronJob } from '../../schema/kinds/cronjob.ts';
import type { KindAdmission } from './admission.ts';
import { validateJobSpec } from './job.ts';
import { defaultTemplate } from './pod-template.ts';
import * as v from './validation.ts';

export const cronJobAdmission: KindAdmission<CronJob & Resource> = {
  default(cronJob) {
    const spec: CronJob['spec'] = cronJob.spec;
    if (!spec) return;
    spec.concurrencyPolicy ??= 'Allow';
    spec.suspend ??= false;
    spec.successfulJobsHistoryLimit ??= 3;
    spec.failedJobsHistoryLimit ??= 1;
    defaultTemplate(spec.jobTemplate?.spec?.template);
  },
  validate(cronJob) {
    const errors: FieldError[] = [];
    const spec: CronJob['spec'] = cronJob.spec;
    const schedule = spec?.schedule;
    if (!schedule) errors.push(fieldError('spec.schedule', 'Required', 'Required value'));
    else {
      // The controller's own reading (schema/cron-schedule.ts): what is admitted is what runs.
      const problem = scheduleError(schedule);
      if (problem) errors.push(fieldError('spec.schedule', 'Invalid', problem));
    }
    if (spec?.timeZone !== undefined && !validTimeZone(spec.timeZone)) {
      errors.push(fieldError('spec.timeZone', 'Invalid', `unknown time zone ${spec.timeZone}`));
    }
    for (const field of [
      'startingDeadlineSeconds',
      'successfulJobsHistoryLimit',
      'failedJobsHistoryLimit',
    ] as const) {
      v.nonNegative(spec?.[field], joinPath('spec', field), errors);
    }
    const template = spec?.jobTemplate;
    v.labels(template?.metadata?.labels, 'spec.jobTemplate.metadata.labels', errors);
    v.annotations(template?.metadata?.annotations, 'spec.jobTemplate.metadata.annotations', errors);
    if (template?.spec?.selector) {
      errors.push(
        fieldError('spec.jobTemplate.spec.selector', 'Invalid', '`selector` will be auto-generated'),
      );
    }
    validateJobSpec(template?.spec, 'spec.jobTemplate.spec', errors);
    return errors;
  },
};
