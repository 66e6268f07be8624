import { fieldError, joinPath, type FieldError } from '../../schema/field-error.ts';
import type { Resource } from '../../schema/kind.ts';
import type { LimitRange, LimitRangeItem } from '../../schema/kinds/limitrange.ts';
import { parseQuantity } from '../../schema/quantity.ts';
import type { KindAdmission } from './admission.ts';
import * as v from './validation.ts';

type LimitRangeObject = LimitRange & Resource;
type Quantities = Record<string, string | number>;

const STANDARD_TYPES = ['Pod', 'Container', 'PersistentVolumeClaim'];

/** A limit type: a standard one, or a domain-qualified name. */
function limitType(type: string, path: string, errors: FieldError[]): void {
  const before = errors.length;
  v.qualifiedName(type, path, errors);
  if (errors.length === before && !type.includes('/') && !STANDARD_TYPES.includes(type)) {
    errors.push(
      fieldError(
        path,
        'Invalid',
        `Invalid value: "${type}": must be a standard limit type or fully qualified`,
      ),
    );
  }
}

const text = (q: string | number) => String(q);

/** The orderings Kubernetes requires between one resource's bounds: min <= defaultRequest <= default <= max. */
function bounds(item: LimitRangeItem, path: string, errors: FieldError[]): void {
  const at = (field: string, resource: string) => `${joinPath(path, field)}[${resource}]`;
  const maps: Record<string, Quantities> = {
    min: item.min ?? {},
    max: item.max ?? {},
    default: item.type === 'Pod' ? {} : (item.default ?? {}),
    defaultRequest: item.type === 'Pod' ? {} : (item.defaultRequest ?? {}),
    maxLimitRequestRatio: item.maxLimitRequestRatio ?? {},
  };
  const resources = new Set(Object.values(maps).flatMap((m) => Object.keys(m)));
  const value = (field: string, resource: string) => {
    const q = maps[field][resource];
    return q === undefined ? undefined : parseQuantity(q);
  };
  const check = (
    lowField: string,
    highField: string,
    resource: string,
    errorField: string,
    message: string,
  ) => {
    const low = value(lowField, resource);
    const high = value(highField, resource);
    if (low !== undefined && high !== undefined && low > high) {
      const shown = maps[errorField === lowField ? lowField : highField][resource];
      errors.push(
        fieldError(at(errorField, resource), 'Invalid', `Invalid value: "${text(shown)}": ${message}`),
      );
    }
  };
  for (const r of [...resources].sort()) {
    const q = (field: string) => text(maps[field][r]);
    check('min', 'max', r, 'min', `min value ${q('min')} is greater than max value ${q('max')}`);
    check(
      'min',
      'defaultRequest',
      r,
      'defaultRequest',
      `min value ${q('min')} is greater than default request value ${q('defaultRequest')}`,
    );
    check(
      'defaultRequest',
      'max',
      r,
      'defaultRequest',
      `default request value ${q('defaultRequest')} is greater than max value ${q('max')}`,
    );
    check(
      'defaultRequest',
      'default',
      r,
      'defaultRequest',
      `default request value ${q('defaultRequest')} is greater than default limit value ${q('default')}`,
    );
    check(
      'min',
      'default',
      r,
      'default',
      `min value ${q('min')} is greater than default value ${q('default')}`,
    );
    check(
      'default',
      'max',
      r,
      'default',
      `default value ${q('default')} is greater than max value ${q('max')}`,
    );
    const ratio = value('maxLimitRequestRatio', r);
    if (ratio !== undefined && ratio < 1) {
      errors.push(
        fieldError(
          at('maxLimitRequestRatio', r),
          'Invalid',
          `Invalid value: "${q('maxLimitRequestRatio')}": ratio ${q('maxLimitRequestRatio')} is less than 1`,
        ),
      );
    }
  }
}

export const limitRangeAdmission: KindAdmission<LimitRangeObject> = {
  validate(lr) {
    const errors: FieldError[] = [];
    const seen = new Set<string>();
    lr.spec?.limits?.forEach((item, i) => {
      const path = joinPath('spec.limits', i);
      const typePath = joinPath(path, 'type');
      limitType(item.type, typePath, errors);
      if (seen.has(item.type))
        errors.push(fieldError(typePath, 'Duplicate', `Duplicate value: "${item.type}"`));
      seen.add(item.type);
      if (item.type === 'Pod') {
        for (const field of ['default', 'defaultRequest'] as const) {
          if (Object.keys(item[field] ?? {}).length) {
            errors.push(
              fieldError(joinPath(path, field), 'Forbidden', "may not be specified when `type` is 'Pod'"),
            );
          }
        }
      }
      if (
        item.type === 'PersistentVolumeClaim' &&
        item.min?.storage === undefined &&
        item.max?.storage === undefined
      ) {
        const message = 'either minimum or maximum storage value is required, but neither was provided';
        errors.push(fieldError(joinPath(path, 'limits'), 'Required', message));
      }
      bounds(item, path, errors);
    });
    return errors;
  },
};
