import { fieldError, joinPath, type FieldError } from '../../schema/field-error.ts';
import * as v from './validation.ts';

type IntOrString = number | string | undefined;

/** Checks maxUnavailable and maxSurge, which may not both be zero. */
export function validateRollingUpdate(
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
