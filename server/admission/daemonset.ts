import type { FieldError } from '../../schema/field-error.ts';
import type { Resource } from '../../schema/kind.ts';
import type { DaemonSet } from '../../schema/kinds/daemonset.ts';
import type { KindAdmission } from './admission.ts';
import { ALWAYS, defaultTemplate, validateSelector, validateTemplate } from './pod-template.ts';
import { validateRollingUpdate } from './rolling-update.ts';
import * as v from './validation.ts';

export const daemonSetAdmission: KindAdmission<DaemonSet & Resource> = {
  default(ds) {
    const spec: DaemonSet['spec'] = ds.spec;
    if (!spec) return;
    const strategy = (spec.updateStrategy ??= {});
    strategy.type ??= 'RollingUpdate';
    if (strategy.type === 'RollingUpdate') {
      const update = (strategy.rollingUpdate ??= {});
      update.maxUnavailable ??= 1;
      update.maxSurge ??= 0;
    }
    spec.revisionHistoryLimit ??= 10;
    defaultTemplate(spec.template);
  },
  validate(ds, ctx) {
    const errors: FieldError[] = [];
    const spec: DaemonSet['spec'] = ds.spec;
    validateSelector(spec?.selector, spec?.template, errors, 'empty selector is invalid for daemonset');
    validateTemplate(spec?.template, 'spec.template', ALWAYS, errors, 'DaemonSet');
    v.nonNegative(spec?.minReadySeconds, 'spec.minReadySeconds', errors);
    v.nonNegative(spec?.revisionHistoryLimit, 'spec.revisionHistoryLimit', errors);
    validateRollingUpdate(spec?.updateStrategy?.rollingUpdate, 'spec.updateStrategy.rollingUpdate', errors);
    if (ctx.old) v.immutable(spec?.selector, ctx.old.spec?.selector, 'spec.selector', errors);
    return errors;
  },
};
