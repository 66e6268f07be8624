import { defineKind } from '../kind.ts';
import { described, keyedBy, required, s, type Infer } from '../shape.ts';
import { ConditionStatus, conditionShape, LabelSelector, ObjectMeta } from './meta.ts';
import { PodTemplateSpec } from './pod.ts';

const PodFailurePolicyRule = s.object(
  'PodFailurePolicyRule',
  {
    action: required(
      s.enum(
        'PodFailurePolicyAction',
        ['FailJob', 'FailIndex', 'Ignore', 'Count'],
        'FailJob fails the job; FailIndex fails the index (needs backoffLimitPerIndex); Ignore replaces the pod without counting the failure; Count counts it against backoffLimit.',
      ),
    ),
    onExitCodes: s.object(
      'PodFailurePolicyOnExitCodesRequirement',
      {
        containerName: s.string('Only this container (or init container); every container if not given.'),
        operator: required(
          s.enum(
            'PodFailurePolicyOnExitCodesOperator',
            ['In', 'NotIn'],
            'Whether an exit code of the containers must be in or not in values.',
          ),
        ),
        values: required(
          s.list(s.int(), 'Exit codes, ordered, without repeats; 0 is not allowed with In. 1-255 of them.'),
        ),
      },
      'Matches a failed pod by the exit codes of its containers (successful ones excluded).',
    ),
    onPodConditions: s.list(
      s.object('PodFailurePolicyOnPodConditionsPattern', {
        type: required(s.string('A pod condition type, e.g. DisruptionTarget.')),
        status: described(ConditionStatus, 'Defaults to True.'),
      }),
      'Matches a failed pod that has any of these conditions; at most 20.',
    ),
  },
  'What a pod failure that matches onExitCodes or onPodConditions (exactly one) does to the job.',
);

const SuccessPolicyRule = s.object(
  'SuccessPolicyRule',
  {
    succeededIndexes: s.string('Indexes that must all succeed, as a range list such as "0,2-4".'),
    succeededCount: s.int('How many indexes (of succeededIndexes, if given) must succeed.'),
  },
  'A rule that, when met, makes an Indexed job succeed; at least one field.',
);

export const JobSpec = s.object(
  'JobSpec',
  {
    parallelism: s.int('Maximum number of pods running at once; defaults to 1.'),
    completions: s.int(
      'Successful pods needed for the job to complete; unset means any success completes it once all pods end.',
    ),
    activeDeadlineSeconds: s.int('Seconds the job may be active, from its start, before it is failed.'),
    backoffLimit: s.int(
      'Retries before the job is marked failed; defaults to 6 (to the largest int32 with backoffLimitPerIndex).',
    ),
    backoffLimitPerIndex: s.int('For Indexed jobs: retries of each index before that index fails.'),
    maxFailedIndexes: s.int('With backoffLimitPerIndex: failed indexes after which the whole job fails.'),
    podFailurePolicy: s.object(
      'PodFailurePolicy',
      {
        rules: required(
          s.list(PodFailurePolicyRule, 'Tried in order; the first that matches decides. At most 20.'),
        ),
      },
      'How failed pods count against backoffLimit; needs restartPolicy Never.',
    ),
    successPolicy: s.object(
      'SuccessPolicy',
      {
        rules: required(s.list(SuccessPolicyRule, 'The job succeeds when any rule is met; 1-20 rules.')),
      },
      'For Indexed jobs: when the job may be declared succeeded before every index has.',
    ),
    podReplacementPolicy: s.enum(
      'PodReplacementPolicy',
      ['TerminatingOrFailed', 'Failed'],
      'When a replacement pod is created: as soon as the old one is terminating, or only once it has failed. Defaults to Failed with a podFailurePolicy, TerminatingOrFailed otherwise.',
    ),
    managedBy: s.string(
      'The controller that reconciles the job; kubernetes.io/job-controller (the built-in one) if not given.',
    ),
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
    failedIndexes: s.string('For jobs with backoffLimitPerIndex: failed indexes as a range list.'),
    terminating: s.int('Pods terminating (being deleted, not yet failed or succeeded).'),
    uncountedTerminatedPods: s.object(
      'UncountedTerminatedPods',
      {
        succeeded: s.list(s.string(), 'Uids of succeeded pods not yet counted in the status.'),
        failed: s.list(s.string(), 'Uids of failed pods not yet counted in the status.'),
      },
      'Finished pods the controller has not yet accounted for.',
    ),
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
