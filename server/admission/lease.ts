import type { FieldError } from '../../schema/field-error.ts';
import type { Resource } from '../../schema/kind.ts';
import type { Lease } from '../../schema/kinds/lease.ts';
import type { KindAdmission } from './admission.ts';
import * as validation from './validation.ts';

type LeaseObject = Lease & Resource;

export const leaseAdmission: KindAdmission<LeaseObject> = {
  validate(lease) {
    const errors: FieldError[] = [];
    validation.positive(lease.spec?.leaseDurationSeconds, 'spec.leaseDurationSeconds', errors);
    validation.nonNegative(lease.spec?.leaseTransitions, 'spec.leaseTransitions', errors);
    return errors;
  },
};
