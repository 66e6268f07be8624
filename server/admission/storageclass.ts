import { fieldError, joinPath, type FieldError } from '../../schema/field-error.ts';
import type { Resource } from '../../schema/kind.ts';
import type { StorageClass } from '../../schema/kinds/storageclass.ts';
import type { KindAdmission } from './admission.ts';
import * as v from './validation.ts';

type StorageClassObject = StorageClass & Resource;

const MAX_PARAMETERS_BYTES = 256 * 1024;

export const storageClassAdmission: KindAdmission<StorageClassObject> = {
  default(sc) {
    sc.reclaimPolicy ??= 'Delete';
    sc.volumeBindingMode ??= 'Immediate';
  },

  validate(sc, ctx) {
    const errors: FieldError[] = [];
    if (!sc.provisioner) errors.push(fieldError('provisioner', 'Required', 'Required value'));
    else v.qualifiedName(sc.provisioner.toLowerCase(), 'provisioner', errors);
    let size = 0;
    for (const [key, value] of Object.entries(sc.parameters ?? {})) {
      if (!key)
        errors.push(
          fieldError('parameters', 'Invalid', 'Invalid value: "": parameter names may not be empty'),
        );
      size += key.length + value.length;
    }
    if (size > MAX_PARAMETERS_BYTES) {
      errors.push(fieldError('parameters', 'TooLong', `may not be more than ${MAX_PARAMETERS_BYTES} bytes`));
    }
    v.supported(sc.reclaimPolicy, ['Delete', 'Retain'], 'reclaimPolicy', errors);
    sc.allowedTopologies?.forEach((term, i) => {
      const at = joinPath('allowedTopologies', i);
      if (!term.matchLabelExpressions?.length) {
        errors.push(
          fieldError(
            joinPath(at, 'matchLabelExpressions'),
            'Required',
            'must contain at least one requirement',
          ),
        );
      }
      term.matchLabelExpressions?.forEach((req, j) => {
        const reqPath = joinPath(joinPath(at, 'matchLabelExpressions'), j);
        v.qualifiedName(req.key, joinPath(reqPath, 'key'), errors);
        if (!req.values?.length) {
          errors.push(fieldError(joinPath(reqPath, 'values'), 'Required', 'must supply at least one value'));
        }
      });
    });
    const old = ctx.old;
    if (old) {
      if (!v.equivalent(sc.parameters ?? {}, old.parameters ?? {}))
        errors.push(fieldError('parameters', 'Forbidden', 'updates to parameters are forbidden.'));
      if (sc.provisioner !== old.provisioner)
        errors.push(fieldError('provisioner', 'Forbidden', 'updates to provisioner are forbidden.'));
      if (sc.reclaimPolicy !== old.reclaimPolicy)
        errors.push(fieldError('reclaimPolicy', 'Forbidden', 'updates to reclaimPolicy are forbidden.'));
      v.immutable(sc.volumeBindingMode, old.volumeBindingMode, 'volumeBindingMode', errors);
    }
    return errors;
  },
};
