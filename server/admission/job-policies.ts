import { fieldError, joinPath, type FieldError } from '../../schema/field-error.ts';
import type { JobSpec } from '../../schema/kinds/job.ts';
import * as v from './validation.ts';

/**
 * A Job's failure and success policies and per-index back-off: their defaults and the
 * checks Kubernetes makes of them, with its messages.
 */

const MAX_RULES = 20;
const MAX_EXIT_CODES = 255;
const LARGEST_INT32 = 2 ** 31 - 1;

export function defaultJobPolicies(spec: JobSpec): void {
  // Per-index back-off replaces the job-wide limit, which then stops nothing.
  spec.backoffLimit ??= spec.backoffLimitPerIndex === undefined ? 6 : LARGEST_INT32;
  spec.podReplacementPolicy ??= spec.podFailurePolicy ? 'Failed' : 'TerminatingOrFailed';
  for (const rule of spec.podFailurePolicy?.rules ?? []) {
    for (const pattern of rule.onPodConditions ?? []) pattern.status ??= 'True';
  }
}

export function validateJobPolicies(spec: JobSpec, path: string, errors: FieldError[]): void {
  const at = (field: string) => joinPath(path, field);
  const indexed = spec.completionMode === 'Indexed';
  v.nonNegative(spec.backoffLimitPerIndex, at('backoffLimitPerIndex'), errors);
  v.nonNegative(spec.maxFailedIndexes, at('maxFailedIndexes'), errors);
  if (spec.maxFailedIndexes !== undefined && spec.backoffLimitPerIndex === undefined) {
    errors.push(fieldError(at('backoffLimitPerIndex'), 'Required', 'when maxFailedIndexes is specified'));
  }
  if (!indexed) {
    for (const field of ['backoffLimitPerIndex', 'maxFailedIndexes'] as const) {
      if (spec[field] !== undefined)
        errors.push(
          fieldError(at(field), 'Invalid', `Invalid value: ${spec[field]}: requires indexed completion mode`),
        );
    }
  } else if (
    spec.maxFailedIndexes !== undefined &&
    spec.completions !== undefined &&
    spec.maxFailedIndexes > spec.completions
  ) {
    errors.push(
      fieldError(
        at('maxFailedIndexes'),
        'Invalid',
        `Invalid value: ${spec.maxFailedIndexes}: must be less than or equal to completions`,
      ),
    );
  }
  if (spec.podFailurePolicy) validatePodFailurePolicy(spec, at('podFailurePolicy'), errors);
  if (spec.successPolicy) validateSuccessPolicy(spec, at('successPolicy'), errors);
  const replacement = spec.podReplacementPolicy;
  if (spec.podFailurePolicy && replacement && replacement !== 'Failed') {
    errors.push(
      fieldError(
        at('podReplacementPolicy'),
        'NotSupported',
        `Unsupported value: "${replacement}": supported values: "Failed"`,
      ),
    );
  }
  if (spec.podFailurePolicy && spec.template?.spec?.restartPolicy === 'OnFailure') {
    errors.push(
      fieldError(
        joinPath(at('template'), 'spec.restartPolicy'),
        'Invalid',
        'Invalid value: "OnFailure": only "Never" is supported when podFailurePolicy is specified',
      ),
    );
  }
}

function validatePodFailurePolicy(spec: JobSpec, path: string, errors: FieldError[]): void {
  const rulesPath = joinPath(path, 'rules');
  const rules = spec.podFailurePolicy?.rules ?? [];
  if (rules.length > MAX_RULES) tooMany(rulesPath, rules.length, MAX_RULES, errors);
  const containers = new Set(
    [...(spec.template?.spec?.containers ?? []), ...(spec.template?.spec?.initContainers ?? [])].map(
      (c) => c.name,
    ),
  );
  rules.forEach((rule, i) => {
    const rulePath = joinPath(rulesPath, i);
    if (rule.action === 'FailIndex' && spec.backoffLimitPerIndex === undefined) {
      errors.push(
        fieldError(
          joinPath(rulePath, 'action'),
          'Invalid',
          'Invalid value: "FailIndex": requires the backoffLimitPerIndex to be set',
        ),
      );
    }
    const conditions = rule.onPodConditions ?? [];
    if (rule.onExitCodes && conditions.length > 0) {
      errors.push(
        fieldError(rulePath, 'Invalid', 'specifying both OnExitCodes and OnPodConditions is not supported'),
      );
    } else if (!rule.onExitCodes && conditions.length === 0) {
      errors.push(
        fieldError(rulePath, 'Invalid', 'specifying one of OnExitCodes and OnPodConditions is required'),
      );
    }
    const onExitCodes = rule.onExitCodes;
    if (onExitCodes) {
      const exitPath = joinPath(rulePath, 'onExitCodes');
      if (onExitCodes.containerName !== undefined && !containers.has(onExitCodes.containerName)) {
        errors.push(
          fieldError(
            joinPath(exitPath, 'containerName'),
            'Invalid',
            `Invalid value: "${onExitCodes.containerName}": must be one of the container or initContainer names in the pod template`,
          ),
        );
      }
      exitCodes(onExitCodes.values, onExitCodes.operator, joinPath(exitPath, 'values'), errors);
    }
    const conditionsPath = joinPath(rulePath, 'onPodConditions');
    if (conditions.length > MAX_RULES) tooMany(conditionsPath, conditions.length, MAX_RULES, errors);
    conditions.forEach((pattern, j) =>
      v.qualifiedName(pattern.type, joinPath(joinPath(conditionsPath, j), 'type'), errors),
    );
  });
}

function exitCodes(values: number[], operator: 'In' | 'NotIn', path: string, errors: FieldError[]): void {
  if (values.length === 0) errors.push(fieldError(path, 'Invalid', 'at least one value is required'));
  else if (values.length > MAX_EXIT_CODES) tooMany(path, values.length, MAX_EXIT_CODES, errors);
  const seen = new Set<number>();
  values.forEach((value, j) => {
    const at = joinPath(path, j);
    if (operator === 'In' && value === 0)
      errors.push(fieldError(at, 'Invalid', 'Invalid value: 0: must not be 0 for the In operator'));
    if (seen.has(value)) errors.push(fieldError(at, 'Duplicate', `Duplicate value: ${value}`));
    seen.add(value);
  });
  if (values.some((value, j) => j > 0 && values[j - 1] > value))
    errors.push(fieldError(path, 'Invalid', 'must be ordered'));
}

function validateSuccessPolicy(spec: JobSpec, path: string, errors: FieldError[]): void {
  if (spec.completionMode !== 'Indexed') {
    errors.push(fieldError(path, 'Invalid', 'requires indexed completion mode'));
    return;
  }
  const rulesPath = joinPath(path, 'rules');
  const rules = spec.successPolicy?.rules ?? [];
  if (rules.length === 0) {
    errors.push(
      fieldError(
        rulesPath,
        'Required',
        'at least one rules must be specified when the successPolicy is specified',
      ),
    );
  }
  if (rules.length > MAX_RULES) tooMany(rulesPath, rules.length, MAX_RULES, errors);
  const completions = spec.completions ?? 0;
  rules.forEach((rule, i) => {
    const rulePath = joinPath(rulesPath, i);
    if (rule.succeededIndexes === undefined && rule.succeededCount === undefined) {
      errors.push(
        fieldError(
          rulePath,
          'Required',
          'at least one of succeededCount or succeededIndexes must be specified',
        ),
      );
    }
    let indexes: number | undefined;
    if (rule.succeededIndexes !== undefined) {
      const indexesPath = joinPath(rulePath, 'succeededIndexes');
      const parsed = indexCount(rule.succeededIndexes, completions);
      if (typeof parsed === 'string')
        errors.push(
          fieldError(indexesPath, 'Invalid', `Invalid value: "${rule.succeededIndexes}": ${parsed}`),
        );
      else indexes = parsed;
    }
    const count = rule.succeededCount;
    if (count === undefined) return;
    const countPath = joinPath(rulePath, 'succeededCount');
    v.nonNegative(count, countPath, errors);
    if (count > completions) {
      errors.push(
        fieldError(
          countPath,
          'Invalid',
          `Invalid value: ${count}: must be less than or equal to ${completions} (the number of specified completions)`,
        ),
      );
    } else if (indexes !== undefined && count > indexes) {
      errors.push(
        fieldError(
          countPath,
          'Invalid',
          `Invalid value: ${count}: must be less than or equal to ${indexes} (the range's size of specified succeededIndexes)`,
        ),
      );
    }
  });
}

/**
 * How many indexes a range list such as "0,2-4" names, or why it is not one: ordered,
 * non-overlapping, each index below `completions`.
 */
function indexCount(list: string, completions: number): number | string {
  let count = 0;
  let last = -1;
  for (const item of list.split(',')) {
    const match = /^(\d+)(?:-(\d+))?$/.exec(item);
    if (!match) return `cannot parse "${item}" as an index or a range of indexes`;
    const first = Number(match[1]);
    const end = match[2] === undefined ? first : Number(match[2]);
    if (end < first) return `range "${item}" must not be reversed`;
    if (first <= last) return 'must be ordered and non-overlapping';
    if (end >= completions) return `too large: must be less than ${completions} (the number of completions)`;
    count += end - first + 1;
    last = end;
  }
  return count;
}

function tooMany(path: string, actual: number, max: number, errors: FieldError[]): void {
  errors.push(fieldError(path, 'TooMany', `Too many: ${actual}: must have at most ${max} items`));
}
