import { fieldError, joinPath, type FieldError } from '../../schema/field-error.ts';
import type { Resource } from '../../schema/kind.ts';
import type { Job, JobSpec } from '../../schema/kinds/job.ts';
import { selectorMatches } from '../../schema/label-selector.ts';
import type { KindAdmission } from './admission.ts';
import { defaultJobPolicies, validateJobPolicies } from './job-policies.ts';
import { defaultTemplate, validateTemplate } from './pod-template.ts';
import * as v from './validation.ts';

const CONTROLLER_UID = 'batch.kubernetes.io/controller-uid';
const JOB_RESTART_POLICIES = ['OnFailure', 'Never'] as const;

/** Semantic checks of a JobSpec, for Jobs and for CronJobs' job templates. */
export function validateJobSpec(spec: JobSpec | undefined, path: string, errors: FieldError[]): void {
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
  if (spec) validateJobPolicies(spec, path, errors);
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
    defaultJobPolicies(spec);
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
      for (const field of [
        'completionMode',
        'podFailurePolicy',
        'backoffLimitPerIndex',
        'managedBy',
      ] as const)
        v.immutable(spec?.[field], old?.[field], `spec.${field}`, errors);
    }
    return errors;
  },
};
