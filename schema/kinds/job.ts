import { defineKind } from '../kind.ts';
import { keyedBy, required, s, type Infer } from '../shape.ts';
import { conditionShape, LabelSelector, ObjectMeta } from './meta.ts';
import { PodTemplateSpec } from './pod.ts';

export const JobSpec = s.object(
  'JobSpec',
  {
    parallelism: s.int('Maximum number of pods running at once; defaults to 1.'),
    completions: s.int(
      'Successful pods needed for the job to complete; unset means any success completes it once all pods end.',
    ),
    activeDeadlineSeconds: s.int('Seconds the job may be active, from its start, before it is failed.'),
    backoffLimit: s.int('Retries before the job is marked failed; defaults to 6.'),
    selector: LabelSelector,
    manualSelector: s.bool(
      'Whether selector is set by the user; otherwise it is generated from the job uid. Rarely needed.',
    ),
    template: required(PodTemplateSpec),
    ttlSecondsAfterFinished: s.int('Seconds after the job finishes before it is deleted automatically.'),
    completionMode: s.enum(
      'CompletionMode',
      ['NonIndexed', 'Indexed'],
      'Indexed gives each pod a completion index (0 to completions-1); defaults to NonIndexed.',
    ),
    suspend: s.bool('While true, no pods are created and running ones are terminated.'),
  },
  'Desired state of a Job.',
);

const JobStatus = s.object(
  'JobStatus',
  {
    conditions: keyedBy(
      s.list(conditionShape('JobCondition'), 'Complete or Failed once the job has finished.'),
      'type',
    ),
    startTime: s.string('When the controller started acting on the job.'),
    completionTime: s.string('When the job completed successfully.'),
    active: s.int('Pods pending or running.'),
    succeeded: s.int('Pods that succeeded.'),
    failed: s.int('Pods that failed.'),
    ready: s.int('Pods that are ready.'),
    completedIndexes: s.string('For Indexed jobs: completed indexes as a range list, e.g. "1,3-5,7".'),
  },
  'Observed state of a Job.',
);

const description = 'Runs pods until a number of them complete successfully.';

export const Job = s.object(
  'Job',
  { apiVersion: s.string(), kind: s.string(), metadata: ObjectMeta, spec: JobSpec, status: JobStatus },
  description,
);

export type Job = Infer<typeof Job>;
export type JobSpec = Infer<typeof JobSpec>;

export const jobKind = defineKind({
  kind: 'Job',
  apiVersion: 'batch/v1',
  plural: 'jobs',
  shortNames: [],
  namespaced: true,
  shape: Job,
  description,
  fieldSelectors: {
    'status.successful': (job) => String(job.status?.succeeded ?? 0),
  },
});
