import type { FieldError } from '../../schema/field-error.ts';
import type { Resource } from '../../schema/kind.ts';
import type { ControllerRevision } from '../../schema/kinds/controllerrevision.ts';
import type { KindAdmission } from './admission.ts';
import * as validation from './validation.ts';

type ControllerRevisionObject = ControllerRevision & Resource;

/**
 * As Kubernetes' ValidateControllerRevision: a revision number of at least 0, and `data`
 * frozen once written (a revision is a snapshot; only its metadata and number may change,
 * which is how a rollback renumbers an old revision instead of copying it).
 */
export const controllerRevisionAdmission: KindAdmission<ControllerRevisionObject> = {
  validate(revision, ctx) {
    const errors: FieldError[] = [];
    validation.nonNegative(revision.revision, 'revision', errors);
    if (ctx.old) validation.immutable(revision.data, ctx.old.data, 'data', errors);
    return errors;
  },
};
