import { fieldError, type FieldError } from '../../schema/field-error.ts';
import { isPlainObject } from '../../schema/shape-check.ts';
import { ApiError, invalid } from '../errors.ts';
import type { DeleteOptions } from '../resources/writes.ts';

const POLICIES = ['Foreground', 'Background', 'Orphan'] as const;

/**
 * Kubernetes' DeleteOptions of a DELETE, from its body (a DeleteOptions object, which
 * kubectl sends) or its query (`propagationPolicy`, `gracePeriodSeconds`,
 * `orphanDependents`): the propagation policy, the grace period and the uid and
 * resourceVersion preconditions. Returns whether the body asks for a dry run too.
 */
export function deleteOptions(
  body: unknown,
  q: URLSearchParams,
): { options: DeleteOptions; dryRun: boolean } {
  if (body !== undefined && !isPlainObject(body)) {
    throw new ApiError('BAD_REQUEST', 'the body of a DELETE must be a DeleteOptions object');
  }
  const from = body ?? {};
  const errors: FieldError[] = [];
  const policy = from.propagationPolicy ?? q.get('propagationPolicy') ?? undefined;
  const orphan = from.orphanDependents ?? queryBool(q.get('orphanDependents'));
  if (policy !== undefined && !POLICIES.includes(policy as never)) {
    errors.push(
      fieldError(
        'propagationPolicy',
        'NotSupported',
        `Unsupported value: ${JSON.stringify(policy)}: supported values: "Foreground", "Background", "Orphan"`,
      ),
    );
  }
  if (policy !== undefined && orphan !== undefined) {
    errors.push(
      fieldError(
        'propagationPolicy',
        'Invalid',
        'orphanDependents and deletionPropagation cannot be both set',
      ),
    );
  }
  const grace = from.gracePeriodSeconds ?? queryNumber(q.get('gracePeriodSeconds'));
  if (grace !== undefined && !Number.isSafeInteger(grace)) {
    errors.push(
      fieldError(
        'gracePeriodSeconds',
        'Invalid',
        `Invalid value: ${JSON.stringify(grace)}: must be an integer`,
      ),
    );
  }
  const preconditions = isPlainObject(from.preconditions) ? from.preconditions : {};
  for (const key of ['uid', 'resourceVersion'] as const) {
    const value = preconditions[key];
    if (value !== undefined && value !== null && typeof value !== 'string')
      errors.push(fieldError(`preconditions.${key}`, 'Invalid', 'must be a string'));
  }
  const dryRun = Array.isArray(from.dryRun) ? from.dryRun : [];
  if (dryRun.some((value) => value !== 'All')) {
    errors.push(fieldError('dryRun', 'NotSupported', 'Unsupported value: supported values: "All"'));
  }
  if (errors.length) throw invalid('DeleteOptions', '', errors);
  const propagationPolicy = (policy ??
    (orphan === true
      ? 'Orphan'
      : orphan === false
        ? 'Background'
        : undefined)) as DeleteOptions['propagationPolicy'];
  return {
    options: {
      propagationPolicy,
      gracePeriodSeconds: grace as number | undefined,
      uid: (preconditions.uid as string | null | undefined) ?? undefined,
      resourceVersion: (preconditions.resourceVersion as string | null | undefined) ?? undefined,
    },
    dryRun: dryRun.length > 0,
  };
}

function queryBool(value: string | null): boolean | undefined {
  return value === null ? undefined : value === 'true' || value === '1';
}

function queryNumber(value: string | null): number | undefined {
  return value === null || value === '' ? undefined : Number(value);
}
