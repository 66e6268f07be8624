import { fieldError, joinPath, type FieldError } from '../../schema/field-error.ts';
import type { Resource } from '../../schema/kind.ts';
import type * as cronJobs from '../../schema/kinds/cronjob.ts';
import type * as daemonSets from '../../schema/kinds/daemonset.ts';
import type * as deployments from '../../schema/kinds/deployment.ts';
import type * as jobs from '../../schema/kinds/job.ts';
import type { LabelSelector } from '../../schema/kinds/meta.ts';
import type { PodTemplateSpec } from '../../schema/kinds/pod.ts';
import type * as replicaSets from '../../schema/kinds/replicaset.ts';
import type * as statefulSets from '../../schema/kinds/statefulset.ts';
import { selectorMatches } from '../../schema/label-selector.ts';
import type { KindAdmission } from './admission.ts';
import { defaultPodSpec, validatePodSpec } from './pod.ts';
import * as v from './validation.ts';

type Deployment = deployments.Deployment;
type ReplicaSet = replicaSets.ReplicaSet;
type StatefulSet = statefulSets.StatefulSet;
type DaemonSet = daemonSets.DaemonSet;
type Job = jobs.Job;
type JobSpec = jobs.JobSpec;
type CronJob = cronJobs.CronJob;
type IntOrString = number | string | undefined;

/** Fills the PodSpec defaults of a workload's pod template. */
function defaultTemplate(template: PodTemplateSpec | undefined): void {
  if (template?.spec) defaultPodSpec(template.spec);
}

/**
 * Checks a pod template: its labels, its PodSpec, and the restart policies the owning
 * controller can honour. `owner` names controllers whose pods must run forever, for
 * which Kubernetes forbids activeDeadlineSeconds.
 */
function validateTemplate(
  template: PodTemplateSpec | undefined,
  path: string,
  restartPolicies: readonly string[],
  errors: FieldError[],
  owner?: string,
): void {
  if (!template) {
    errors.push(fieldError(path, 'Required', 'Required value'));
    return;
  }
  const metadataPath = joinPath(path, 'metadata');
  v.labels(template.metadata?.labels, joinPath(metadataPath, 'labels'), errors);
  v.annotations(template.metadata?.annotations, joinPath(metadataPath, 'annotations'), errors);
  const specPath = joinPath(path, 'spec');
  validatePodSpec(template.spec, specPath, errors);
  const policy = template.spec?.restartPolicy;
  if (policy && !restartPolicies.includes(policy)) {
    const supported = restartPolicies.map((p) => `"${p}"`).join(', ');
    errors.push(
      fieldError(
        joinPath(specPath, 'restartPolicy'),
        'NotSupported',
        `Unsupported value: "${policy}": supported values: ${supported}`,
      ),
    );
  }
  if (owner && template.spec?.activeDeadlineSeconds !== undefined) {
    errors.push(
      fieldError(
        joinPath(specPath, 'activeDeadlineSeconds'),
        'Forbidden',
        `activeDeadlineSeconds in ${owner} is not Supported`,
      ),
    );
  }
}

/** A selector that must be given, valid and match the template's labels (Job passes its own checks). */
function validateSelector(
  selector: LabelSelector | undefined,
  template: PodTemplateSpec | undefined,
  errors: FieldError[],
  emptyMessage?: string,
): void {
  if (!selector) {
    errors.push(fieldError('spec.selector', 'Required', 'Required value'));
    return;
  }
  v.labelSelector(selector, 'spec.selector', errors);
  const empty = !Object.keys(selector.matchLabels ?? {}).length && !selector.matchExpressions?.length;
  if (empty && emptyMessage) {
    errors.push(fieldError('spec.selector', 'Invalid', emptyMessage));
  } else if (!selectorMatches(selector, template?.metadata?.labels)) {
    errors.push(
      fieldError('spec.template.metadata.labels', 'Invalid', '`selector` does not match template `labels`'),
    );
  }
}

/** Checks maxUnavailable and maxSurge, which may not both be zero. */
function validateRollingUpdate(
  update: { maxUnavailable?: IntOrString; maxSurge?: IntOrString } | undefined,
  path: string,
  errors: FieldError[],
): void {
  if (!update) return;
  v.intOrPercent(update.maxUnavailable, joinPath(path, 'maxUnavailable'), errors);
  v.intOrPercent(update.maxSurge, joinPath(path, 'maxSurge'), errors);
  const zero = (value: IntOrString) => value === 0 || value === '0%';
  if (zero(update.maxUnavailable) && zero(update.maxSurge)) {
    errors.push(fieldError(joinPath(path, 'maxUnavailable'), 'Invalid', 'may not be 0 when `maxSurge` is 0'));
  }
}

const ALWAYS = ['Always'] as const;

export const replicaSetAdmission: KindAdmission<ReplicaSet & Resource> = {
  default(rs) {
    const spec: ReplicaSet['spec'] = rs.spec;
    if (!spec) return;
    spec.replicas ??= 1;
    defaultTemplate(spec.template);
  },
  validate(rs, ctx) {
    const errors: FieldError[] = [];
    const spec: ReplicaSet['spec'] = rs.spec;
    validateSelector(spec?.selector, spec?.template, errors, 'empty selector is invalid for deployment');
    validateTemplate(spec?.template, 'spec.template', ALWAYS, errors, 'ReplicaSet');
    v.nonNegative(spec?.replicas, 'spec.replicas', errors);
    v.nonNegative(spec?.minReadySeconds, 'spec.minReadySeconds', errors);
    if (ctx.old) v.immutable(spec?.selector, ctx.old.spec?.selector, 'spec.selector', errors);
    return errors;
  },
};

export const deploymentAdmission: KindAdmission<Deployment & Resource> = {
  default(deployment) {
    const spec: Deployment['spec'] = deployment.spec;
    if (!spec) return;
    spec.replicas ??= 1;
    const strategy = (spec.strategy ??= {});
    strategy.type ??= 'RollingUpdate';
    if (strategy.type === 'RollingUpdate') {
      const update = (strategy.rollingUpdate ??= {});
      update.maxUnavailable ??= '25%';
      update.maxSurge ??= '25%';
    }
    spec.revisionHistoryLimit ??= 10;
    spec.progressDeadlineSeconds ??= 600;
    defaultTemplate(spec.template);
  },
  validate(deployment, ctx) {
    const errors: FieldError[] = [];
    const spec: Deployment['spec'] = deployment.spec;
    validateSelector(spec?.selector, spec?.template, errors, 'empty selector is invalid for deployment');
    validateTemplate(spec?.template, 'spec.template', ALWAYS, errors, 'ReplicaSet');
    v.nonNegative(spec?.replicas, 'spec.replicas', errors);
    v.nonNegative(spec?.minReadySeconds, 'spec.minReadySeconds', errors);
    v.nonNegative(spec?.revisionHistoryLimit, 'spec.revisionHistoryLimit', errors);
    const strategy = spec?.strategy;
    if (strategy?.type === 'Recreate' && strategy.rollingUpdate) {
      errors.push(
        fieldError(
          'spec.strategy.rollingUpdate',
          'Forbidden',
          "may not be specified when strategy `type` is 'Recreate'",
        ),
      );
    } else {
      validateRollingUpdate(strategy?.rollingUpdate, 'spec.strategy.rollingUpdate', errors);
    }
    const deadline = spec?.progressDeadlineSeconds;
    if (deadline !== undefined) {
      v.nonNegative(deadline, 'spec.progressDeadlineSeconds', errors);
      if (deadline <= (spec?.minReadySeconds ?? 0)) {
        errors.push(
          fieldError(
            'spec.progressDeadlineSeconds',
            'Invalid',
            `Invalid value: ${deadline}: must be greater than minReadySeconds`,
          ),
        );
      }
    }
    if (ctx.old) v.immutable(spec?.selector, ctx.old.spec?.selector, 'spec.selector', errors);
    return errors;
  },
};

export const statefulSetAdmission: KindAdmission<StatefulSet & Resource> = {
  default(sts) {
    const spec: StatefulSet['spec'] = sts.spec;
    if (!spec) return;
    spec.podManagementPolicy ??= 'OrderedReady';
    const strategy = (spec.updateStrategy ??= {});
    // Kubernetes adds rollingUpdate only when it picks the strategy type itself.
    if (!strategy.type) {
      strategy.type = 'RollingUpdate';
      strategy.rollingUpdate ??= {};
    }
    if (strategy.type === 'RollingUpdate' && strategy.rollingUpdate) strategy.rollingUpdate.partition ??= 0;
    spec.replicas ??= 1;
    spec.revisionHistoryLimit ??= 10;
    defaultTemplate(spec.template);
  },
  validate(sts, ctx) {
    const errors: FieldError[] = [];
    const spec: StatefulSet['spec'] = sts.spec;
    validateSelector(spec?.selector, spec?.template, errors, 'empty selector is invalid for statefulset');
    validateTemplate(spec?.template, 'spec.template', ALWAYS, errors, 'StatefulSet');
    v.nonNegative(spec?.replicas, 'spec.replicas', errors);
    v.nonNegative(spec?.minReadySeconds, 'spec.minReadySeconds', errors);
    v.nonNegative(spec?.revisionHistoryLimit, 'spec.revisionHistoryLimit', errors);
    v.nonNegative(spec?.ordinals?.start, 'spec.ordinals.start', errors);
    const strategy = spec?.updateStrategy;
    const update = strategy?.rollingUpdate;
    if (update && strategy?.type !== 'RollingUpdate') {
      errors.push(
        fieldError(
          'spec.updateStrategy.rollingUpdate',
          'Invalid',
          "only allowed for updateStrategy 'RollingUpdate'",
        ),
      );
    }
    v.nonNegative(update?.partition, 'spec.updateStrategy.rollingUpdate.partition', errors);
    v.intOrPercent(update?.maxUnavailable, 'spec.updateStrategy.rollingUpdate.maxUnavailable', errors);
    if (ctx.old) {
      const old = ctx.old.spec;
      v.immutable(spec?.selector, old?.selector, 'spec.selector', errors);
      v.immutable(spec?.serviceName, old?.serviceName, 'spec.serviceName', errors);
      v.immutable(spec?.podManagementPolicy, old?.podManagementPolicy, 'spec.podManagementPolicy', errors);
    }
    return errors;
  },
};

export const daemonSetAdmission: KindAdmission<DaemonSet & Resource> = {
  default(ds) {
    const spec: DaemonSet['spec'] = ds.spec;
    if (!spec) return;
    const strategy = (spec.updateStrategy ??= {});
    strategy.type ??= 'RollingUpdate';
    if (strategy.type === 'RollingUpdate') {
      const update = (strategy.rollingUpdate ??= {});
      update.maxUnavailable ??= 1;
      update.maxSurge ??= 0;
    }
    spec.revisionHistoryLimit ??= 10;
    defaultTemplate(spec.template);
  },
  validate(ds, ctx) {
    const errors: FieldError[] = [];
    const spec: DaemonSet['spec'] = ds.spec;
    validateSelector(spec?.selector, spec?.template, errors, 'empty selector is invalid for daemonset');
    validateTemplate(spec?.template, 'spec.template', ALWAYS, errors, 'DaemonSet');
    v.nonNegative(spec?.minReadySeconds, 'spec.minReadySeconds', errors);
    v.nonNegative(spec?.revisionHistoryLimit, 'spec.revisionHistoryLimit', errors);
    validateRollingUpdate(spec?.updateStrategy?.rollingUpdate, 'spec.updateStrategy.rollingUpdate', errors);
    if (ctx.old) v.immutable(spec?.selector, ctx.old.spec?.selector, 'spec.selector', errors);
    return errors;
  },
};

const CONTROLLER_UID = 'batch.kubernetes.io/controller-uid';
const JOB_RESTART_POLICIES = ['OnFailure', 'Never'] as const;

/** Semantic checks of a JobSpec, for Jobs and for CronJobs' job templates. */
function validateJobSpec(spec: JobSpec | undefined, path: string, errors: FieldError[]): void {
  const at = (field: string) => joinPath(path, field);
  for (const field of ['parallelism', 'completions', 'backoffLimit', 'ttlSecondsAfterFinished'] as const) {
    v.nonNegative(spec?.[field], at(field), errors);
  }
  v.positive(spec?.activeDeadlineSeconds, at('activeDeadlineSeconds'), errors);
  if (spec?.completionMode === 'Indexed' && spec.completions === undefined) {
    errors.push(fieldError(at('completions'), 'Required', 'when completion mode is Indexed'));
  }
  if (spec?.selector) {
    v.labelSelector(spec.selector, at('selector'), errors);
    if (!selectorMatches(spec.selector, spec.template?.metadata?.labels)) {
      errors.push(
        fieldError(
          joinPath(at('template'), 'metadata.labels'),
          'Invalid',
          '`selector` does not match template `labels`',
        ),
      );
    }
  }
  validateTemplate(spec?.template, at('template'), JOB_RESTART_POLICIES, errors);
}

/** What Kubernetes does for a Job without manualSelector: select its pods by the job's uid. */
function generateSelector(job: Job & Resource, spec: JobSpec): void {
  const uid = job.metadata.uid ?? '';
  const name = job.metadata.name ?? '';
  const metadata = (spec.template.metadata ??= {});
  const labels = (metadata.labels ??= {});
  labels['batch.kubernetes.io/job-name'] ??= name;
  labels['job-name'] ??= name;
  labels[CONTROLLER_UID] ??= uid;
  labels['controller-uid'] ??= uid;
  const selector = (spec.selector ??= {});
  (selector.matchLabels ??= {})[CONTROLLER_UID] ??= uid;
}

/** A Job without labels takes its template's, as Kubernetes' Job defaulting does. */
function copyTemplateLabels(job: Job & Resource, spec: JobSpec): void {
  const labels = spec.template.metadata?.labels;
  if (labels && !Object.keys(job.metadata.labels ?? {}).length) job.metadata.labels = { ...labels };
}

export const jobAdmission: KindAdmission<Job & Resource> = {
  default(job, ctx) {
    const spec: JobSpec | undefined = job.spec;
    if (!spec) return;
    if (spec.completions === undefined && spec.parallelism === undefined) spec.completions = 1;
    spec.parallelism ??= 1;
    spec.backoffLimit ??= 6;
    spec.completionMode ??= 'NonIndexed';
    spec.suspend ??= false;
    defaultTemplate(spec.template);
    copyTemplateLabels(job, spec);
    // On update the selector is generated again only when the client left it out (a
    // manifest applied again): the same uid gives the same selector and labels, so the
    // update is a no-op instead of an immutable-field error, as with Services' allocations.
    if (spec.manualSelector || !spec.template || (ctx.old && spec.selector)) return;
    generateSelector(job, spec);
    // Kubernetes defaults a Job again each time it is read, which copies the
    // generated labels to a Job that had none of its own.
    copyTemplateLabels(job, spec);
  },
  validate(job, ctx) {
    const errors: FieldError[] = [];
    const spec: JobSpec | undefined = job.spec;
    validateJobSpec(spec, 'spec', errors);
    if (!spec?.selector) errors.push(fieldError('spec.selector', 'Required', 'Required value'));
    else if (!spec.manualSelector) {
      const labels = spec.selector.matchLabels ?? {};
      const generated = Object.keys(labels).length === 1 && labels[CONTROLLER_UID] === job.metadata.uid;
      if (!generated || spec.selector.matchExpressions?.length) {
        errors.push(fieldError('spec.selector', 'Invalid', '`selector` not auto-generated'));
      }
    }
    if (ctx.old) {
      const old: JobSpec | undefined = ctx.old.spec;
      v.immutable(spec?.selector, old?.selector, 'spec.selector', errors);
      v.immutable(spec?.template, old?.template, 'spec.template', errors);
      v.immutable(spec?.completions, old?.completions, 'spec.completions', errors);
    }
    return errors;
  },
};

const MACROS = new Set(['@yearly', '@annually', '@monthly', '@weekly', '@daily', '@midnight', '@hourly']);
const MONTHS = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
const DAYS = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];

interface CronField {
  min: number;
  max: number;
  /** Names allowed instead of numbers, the first standing for `first`. */
  names?: string[];
  first?: number;
}

const FIELDS: CronField[] = [
  { min: 0, max: 59 },
  { min: 0, max: 23 },
  { min: 1, max: 31 },
  { min: 1, max: 12, names: MONTHS, first: 1 },
  { min: 0, max: 7, names: DAYS, first: 0 },
];

/** Whether a schedule is one the CronJob controller can run: 5 cron fields, a macro or `@every <duration>`. */
function validSchedule(schedule: string): boolean {
  const text = schedule.trim();
  if (MACROS.has(text)) return true;
  if (text.startsWith('@every ')) {
    return /^(?:(?:\d+\.?\d*|\.\d+)(?:ns|us|µs|ms|s|m|h))+$/.test(text.slice('@every '.length).trim());
  }
  const fields = text.split(/\s+/);
  return fields.length === FIELDS.length && fields.every((field, i) => validField(field, FIELDS[i]));
}

function validField(field: string, spec: CronField): boolean {
  return field.split(',').every((part) => {
    const [range, step, ...rest] = part.split('/');
    if (rest.length > 0 || (step !== undefined && !/^[1-9]\d*$/.test(step))) return false;
    if (range === '*' || range === '?') return true;
    const [low, high, ...more] = range.split('-');
    const from = fieldValue(low, spec);
    const to = high === undefined ? from : fieldValue(high, spec);
    return more.length === 0 && from !== undefined && to !== undefined && from <= to;
  });
}

function fieldValue(text: string, spec: CronField): number | undefined {
  const named = spec.names?.indexOf(text.toUpperCase()) ?? -1;
  const value = named >= 0 ? named + (spec.first ?? 0) : /^\d+$/.test(text) ? Number(text) : undefined;
  return value !== undefined && value >= spec.min && value <= spec.max ? value : undefined;
}

function validTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return zone !== 'Local';
  } catch {
    return false;
  }
}

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
    else if (/^\s*(CRON_)?TZ=/.test(schedule)) {
      errors.push(
        fieldError(
          'spec.schedule',
          'Invalid',
          'cannot use TZ or CRON_TZ in schedule, use timeZone field instead',
        ),
      );
    } else if (!validSchedule(schedule)) {
      errors.push(fieldError('spec.schedule', 'Invalid', 'unparseable schedule'));
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
