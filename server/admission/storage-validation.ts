import { fieldError, type FieldError } from '../../schema/field-error.ts';
import { parseQuantity } from '../../schema/quantity.ts';
import * as v from './validation.ts';

/** What PersistentVolumes and their claims check alike. */

const READ_WRITE_ONCE_POD = 'ReadWriteOncePod';

/** Access modes: given, and ReadWriteOncePod alone. Unknown modes are refused by the shape. */
export function accessModes(
  modes: readonly string[] | undefined,
  path: string,
  errors: FieldError[],
  missing = 'Required value',
): void {
  if (!modes?.length) {
    errors.push(fieldError(path, 'Required', missing));
    return;
  }
  if (modes.includes(READ_WRITE_ONCE_POD) && modes.some((mode) => mode !== READ_WRITE_ONCE_POD)) {
    errors.push(fieldError(path, 'Forbidden', 'may not use ReadWriteOncePod with other access modes'));
  }
}

/** A storage size that must be greater than zero. */
export function positiveQuantity(value: string | number, path: string, errors: FieldError[]): void {
  const amount = parseQuantity(value);
  if (amount !== undefined && amount <= 0)
    errors.push(fieldError(path, 'Invalid', `Invalid value: "${value}": must be greater than zero`));
}

/** A StorageClass or VolumeAttributesClass name, when one is given. */
export function className(value: string | undefined, path: string, errors: FieldError[]): void {
  if (value) v.dns1123Subdomain(value, path, errors);
}
