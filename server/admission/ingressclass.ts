import { fieldError, type FieldError } from '../../schema/field-error.ts';
import type { Resource } from '../../schema/kind.ts';
import type { IngressClass } from '../../schema/kinds/ingressclass.ts';
import type { KindAdmission } from './admission.ts';
import * as v from './validation.ts';

type IngressClassObject = IngressClass & Resource;

const MAX_CONTROLLER_LENGTH = 250;

/** IsDomainPrefixedPath: "example.com/path", a DNS subdomain then a path of printable characters. */
function domainPrefixedPath(value: string, path: string, errors: FieldError[]): void {
  const slash = value.indexOf('/');
  if (slash < 0) {
    errors.push(
      fieldError(
        path,
        'Invalid',
        `Invalid value: "${value}": must be a domain-prefixed path (such as "acme.io/foo")`,
      ),
    );
    return;
  }
  v.dns1123Subdomain(value.slice(0, slash), path, errors);
  if (!/^[A-Za-z0-9/\-._~%!$&'()*+,;=:]+$/.test(value.slice(slash + 1))) {
    errors.push(
      fieldError(path, 'Invalid', `Invalid value: "${value}": path must contain only printable characters`),
    );
  }
}

export const ingressClassAdmission: KindAdmission<IngressClassObject> = {
  default(ic) {
    if (ic.spec?.parameters) ic.spec.parameters.scope ??= 'Cluster';
  },

  validate(ic, ctx) {
    const errors: FieldError[] = [];
    const controller = ic.spec?.controller;
    if (!controller) errors.push(fieldError('spec.controller', 'Required', 'Required value'));
    else if (controller.length > MAX_CONTROLLER_LENGTH) {
      errors.push(
        fieldError('spec.controller', 'TooLong', `must have at most ${MAX_CONTROLLER_LENGTH} bytes`),
      );
    } else domainPrefixedPath(controller, 'spec.controller', errors);
    const params = ic.spec?.parameters;
    if (params) {
      if (params.apiGroup) v.dns1123Subdomain(params.apiGroup, 'spec.parameters.apiGroup', errors);
      v.pathSegmentName(params.kind, 'spec.parameters.kind', errors);
      v.pathSegmentName(params.name, 'spec.parameters.name', errors);
      if (params.scope === 'Namespace') {
        if (!params.namespace) {
          errors.push(
            fieldError('spec.parameters.namespace', 'Required', "`parameters.scope` is set to 'Namespace'"),
          );
        } else v.dns1123Label(params.namespace, 'spec.parameters.namespace', errors);
      } else if (params.namespace !== undefined) {
        errors.push(
          fieldError('spec.parameters.namespace', 'Forbidden', "`parameters.scope` is set to 'Cluster'"),
        );
      }
    }
    if (ctx.old) v.immutable(controller, ctx.old.spec?.controller, 'spec.controller', errors);
    return errors;
  },
};
