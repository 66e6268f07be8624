import { fieldError, type FieldError } from '../../schema/field-error.ts';
import type { Resource } from '../../schema/kind.ts';
import type { ReplicationController } from '../../schema/kinds/replicationcontroller.ts';
import type { KindAdmission } from './admission.ts';
import { ALWAYS, defaultTemplate, validateTemplate } from './pod-template.ts';
import * as v from './validation.ts';

type RCObject = ReplicationController & Resource;

const isEmpty = (map: Record<string, string> | undefined) => !map || Object.keys(map).length === 0;

export const replicationControllerAdmission: KindAdmission<RCObject> = {
  /** As Kubernetes: an empty selector, and the controller's empty labels, take the template's labels. */
  default(rc) {
    const spec = rc.spec;
    if (!spec) return;
    spec.replicas ??= 1;
    const labels = spec.template?.metadata?.labels;
    if (spec.template && !isEmpty(labels)) {
      if (isEmpty(spec.selector)) spec.selector = { ...labels };
      if (isEmpty(rc.metadata.labels)) rc.metadata.labels = { ...labels };
    }
    defaultTemplate(spec.template);
  },

  validate(rc) {
    const errors: FieldError[] = [];
    const spec = rc.spec;
    v.nonNegative(spec?.minReadySeconds, 'spec.minReadySeconds', errors);
    if (isEmpty(spec?.selector)) errors.push(fieldError('spec.selector', 'Required', 'Required value'));
    v.nonNegative(spec?.replicas, 'spec.replicas', errors);
    const template = spec?.template;
    if (template && !isEmpty(spec?.selector)) {
      const labels = template.metadata?.labels ?? {};
      const matches = Object.entries(spec!.selector!).every(([key, value]) => labels[key] === value);
      if (!matches) {
        errors.push(
          fieldError(
            'spec.template.metadata.labels',
            'Invalid',
            '`selector` does not match template `labels`',
          ),
        );
      }
    }
    validateTemplate(template, 'spec.template', ALWAYS, errors, 'ReplicationController');
    return errors;
  },
};
