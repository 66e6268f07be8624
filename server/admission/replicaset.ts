import type { FieldError } from '../../schema/field-error.ts';
import type { Resource } from '../../schema/kind.ts';
import type { ReplicaSet } from '../../schema/kinds/replicaset.ts';
import type { KindAdmission } from './admission.ts';
import { ALWAYS, defaultTemplate, validateSelector, validateTemplate } from './pod-template.ts';
import * as v from './validation.ts';

export const replicaSetAdmission: KindAdmission<ReplicaSet & Resource> = {
  default(rs) {
    const spec: ReplicaSet['spec'] = rs.spec;
    if (!spec) return;
    spec.replicas ??= 1;
    defaultTemplate(spec.template);
  },
  validate(rs, ctx) {
    const errors: FieldError[] = [];
    const spec: ReplicaSet['spec'] = rs.spec;
    validateSelector(spec?.selector, spec?.template, errors, 'empty selector is invalid for deployment');
    validateTemplate(spec?.template, 'spec.template', ALWAYS, errors, 'ReplicaSet');
    v.nonNegative(spec?.replicas, 'spec.replicas', errors);
    v.nonNegative(spec?.minReadySeconds, 'spec.minReadySeconds', errors);
    if (ctx.old) v.immutable(spec?.selector, ctx.old.spec?.selector, 'spec.selector', errors);
    return errors;
  },
};
