import { fieldError, type FieldError } from '../../schema/field-error.ts';
import type { Resource } from '../../schema/kind.ts';
import type { PodDisruptionBudget } from '../../schema/kinds/poddisruptionbudget.ts';
import type { KindAdmission } from './admission.ts';
import * as v from './validation.ts';

type PDBObject = PodDisruptionBudget & Resource;

export const podDisruptionBudgetAdmission: KindAdmission<PDBObject> = {
  validate(pdb) {
    const errors: FieldError[] = [];
    const spec = pdb.spec;
    if (spec?.minAvailable !== undefined && spec.maxUnavailable !== undefined) {
      errors.push(fieldError('spec', 'Invalid', 'minAvailable and maxUnavailable cannot be both set'));
    }
    v.intOrPercent(spec?.minAvailable, 'spec.minAvailable', errors);
    v.intOrPercent(spec?.maxUnavailable, 'spec.maxUnavailable', errors);
    v.labelSelector(spec?.selector, 'spec.selector', errors);
    return errors;
  },
};
