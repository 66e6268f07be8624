import { fieldError, joinPath, type FieldError } from '../../schema/field-error.ts';
import type { LabelSelector } from '../../schema/kinds/meta.ts';
import type { PodTemplateSpec } from '../../schema/kinds/pod.ts';
import { selectorMatches } from '../../schema/label-selector.ts';
import { defaultPodSpec } from './pod-spec-defaults.ts';
import { validatePodSpec } from './pod-spec-validation.ts';
import * as v from './validation.ts';

/** The only restart policy of controllers whose pods must run forever. */
export const ALWAYS = ['Always'] as const;

/** Fills the PodSpec defaults of a workload's pod template. */
export function defaultTemplate(template: PodTemplateSpec | undefined): void {
  if (template?.spec) defaultPodSpec(template.spec);
}

/**
 * Checks a pod template: its labels, its PodSpec, and the restart policies the owning
 * controller can honour. `owner` names controllers whose pods must run forever, for
 * which Kubernetes forbids activeDeadlineSeconds; `claimTemplates` the volumes a
 * StatefulSet gives its pods from its volumeClaimTemplates.
 */
export function validateTemplate(
  template: PodTemplateSpec | undefined,
  path: string,
  restartPolicies: readonly string[],
  errors: FieldError[],
  owner?: string,
  claimTemplates: readonly string[] = [],
): void {
  if (!template) {
    errors.push(fieldError(path, 'Required', 'Required value'));
    return;
  }
  const metadataPath = joinPath(path, 'metadata');
  v.labels(template.metadata?.labels, joinPath(metadataPath, 'labels'), errors);
  v.annotations(template.metadata?.annotations, joinPath(metadataPath, 'annotations'), errors);
  const specPath = joinPath(path, 'spec');
  validatePodSpec(template.spec, specPath, errors, claimTemplates);
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
export function validateSelector(
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
