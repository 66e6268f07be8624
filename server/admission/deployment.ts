import { fieldError, type FieldError } from '../../schema/field-error.ts';
import type { Resource } from '../../schema/kind.ts';
import type { Deployment } from '../../schema/kinds/deployment.ts';
import type { KindAdmission } from './admission.ts';
import { ALWAYS, defaultTemplate, validateSelector, validateTemplate } from './pod-template.ts';
import { validateRollingUpdate } from './rolling-update.ts';
import * as v from './validation.ts';

export const deploymentAdmission: KindAdmission<Deployment & Resource> = {
  default(deployment) {
    const spec: Deployment['spec'] = deployment.spec;
    if (!spec) return;
    spec.replicas ??= 1;
    const strategy = (spec.strategy ??= {});
    strategy.type ??= 'RollingUpdate';
    if (strategy.type === 'RollingUpdate') {
      const update = (strategy.rollingUpdate ??= {});
      update.maxUnavailable ??= '25%';
      update.maxSurge ??= '25%';
    }
    spec.revisionHistoryLimit ??= 10;
    spec.progressDeadlineSeconds ??= 600;
    defaultTemplate(spec.template);
  },
  validate(deployment, ctx) {
    const errors: FieldError[] = [];
    const spec: Deployment['spec'] = deployment.spec;
    validateSelector(spec?.selector, spec?.template, errors, 'empty selector is invalid for deployment');
    validateTemplate(spec?.template, 'spec.template', ALWAYS, errors, 'ReplicaSet');
    v.nonNegative(spec?.replicas, 'spec.replicas', errors);
    v.nonNegative(spec?.minReadySeconds, 'spec.minReadySeconds', errors);
    v.nonNegative(spec?.revisionHistoryLimit, 'spec.revisionHistoryLimit', errors);
    const strategy = spec?.strategy;
    if (strategy?.type === 'Recreate' && strategy.rollingUpdate) {
      errors.push(
        fieldError(
          'spec.strategy.rollingUpdate',
          'Forbidden',
          "may not be specified when strategy `type` is 'Recreate'",
        ),
      );
    } else {
      validateRollingUpdate(strategy?.rollingUpdate, 'spec.strategy.rollingUpdate', errors);
    }
    const deadline = spec?.progressDeadlineSeconds;
    if (deadline !== undefined) {
      v.nonNegative(deadline, 'spec.progressDeadlineSeconds', errors);
      if (deadline <= (spec?.minReadySeconds ?? 0)) {
        errors.push(
          fieldError(
            'spec.progressDeadlineSeconds',
            'Invalid',
            `Invalid value: ${deadline}: must be greater than minReadySeconds`,
          ),
        );
      }
    }
    if (ctx.old) v.immutable(spec?.selector, ctx.old.spec?.selector, 'spec.selector', errors);
    return errors;
  },
};
