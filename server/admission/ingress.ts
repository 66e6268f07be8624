import net from 'node:net';
import { fieldError, joinPath, type FieldError } from '../../schema/field-error.ts';
import type { Resource } from '../../schema/kind.ts';
import type { Ingress, IngressBackend } from '../../schema/kinds/ingress.ts';
import type { KindAdmission } from './admission.ts';
import { defaultClass } from './default-class.ts';
import { host } from './network-validation.ts';
import * as v from './validation.ts';

type IngressObject = Ingress & Resource;

/** What an Exact or Prefix path may not hold, as Kubernetes refuses them. */
const INVALID_PATH_SEQUENCES = ['//', '/./', '/../', '%2f', '%2F'];
const INVALID_PATH_SUFFIXES = ['/..', '/.'];

/** The annotation that named an ingress' class before ingressClassName. */
const CLASS_ANNOTATION = 'kubernetes.io/ingress.class';

function backend(b: IngressBackend, path: string, errors: FieldError[]): void {
  if (b.resource && b.service) {
    errors.push(fieldError(path, 'Invalid', 'cannot set both resource and service backends'));
    return;
  }
  if (b.resource) {
    const at = joinPath(path, 'resource');
    if (b.resource.apiGroup) v.dns1123Subdomain(b.resource.apiGroup, joinPath(at, 'apiGroup'), errors);
    v.pathSegmentName(b.resource.kind, joinPath(at, 'kind'), errors);
    v.pathSegmentName(b.resource.name, joinPath(at, 'name'), errors);
    return;
  }
  if (!b.service) {
    errors.push(fieldError(path, 'Invalid', 'resource or service backend is required'));
    return;
  }
  const service = joinPath(path, 'service');
  if (!b.service.name) errors.push(fieldError(joinPath(service, 'name'), 'Required', 'Required value'));
  else v.dns1123Label(b.service.name, joinPath(service, 'name'), errors);
  const { name, number } = b.service.port ?? {};
  if (name && number) errors.push(fieldError(path, 'Invalid', 'cannot set both port name & port number'));
  else if (name) v.portNumberOrName(name, joinPath(service, 'port.name'), errors);
  else if (number) v.portNumber(number, joinPath(service, 'port.number'), errors);
  else errors.push(fieldError(path, 'Required', 'port name or number is required'));
}

function rules(ingress: IngressObject, errors: FieldError[]): void {
  ingress.spec?.rules?.forEach((rule, i) => {
    const rulePath = joinPath('spec.rules', i);
    if (rule.host) {
      const at = joinPath(rulePath, 'host');
      if (net.isIP(rule.host)) {
        errors.push(
          fieldError(at, 'Invalid', `Invalid value: "${rule.host}": must be a DNS name, not an IP address`),
        );
      }
      host(rule.host, at, errors);
    }
    if (!rule.http) return;
    const httpPath = joinPath(rulePath, 'http');
    if (!rule.http.paths?.length)
      errors.push(fieldError(joinPath(httpPath, 'paths'), 'Required', 'Required value'));
    rule.http.paths?.forEach((p, j) => {
      const at = joinPath(joinPath(httpPath, 'paths'), j);
      const pathAt = joinPath(at, 'path');
      const value = p.path ?? '';
      if (p.pathType === 'Exact' || p.pathType === 'Prefix') {
        if (!value.startsWith('/'))
          errors.push(fieldError(pathAt, 'Invalid', `Invalid value: "${value}": must be an absolute path`));
        for (const sequence of INVALID_PATH_SEQUENCES.filter((s) => value.includes(s)))
          errors.push(
            fieldError(pathAt, 'Invalid', `Invalid value: "${value}": must not contain '${sequence}'`),
          );
        for (const suffix of INVALID_PATH_SUFFIXES.filter((s) => value.endsWith(s)))
          errors.push(
            fieldError(pathAt, 'Invalid', `Invalid value: "${value}": cannot end with '${suffix}'`),
          );
      } else if (value && !value.startsWith('/')) {
        errors.push(fieldError(pathAt, 'Invalid', `Invalid value: "${value}": must be an absolute path`));
      }
      if (p.backend) backend(p.backend, joinPath(at, 'backend'), errors);
    });
  });
}

export const ingressAdmission: KindAdmission<IngressObject> = {
  /** A new Ingress that names no class, by field or annotation, gets the default IngressClass (DefaultIngressClass). */
  default(ingress, ctx) {
    if (ctx.old || !ingress.spec || ingress.spec.ingressClassName !== undefined) return;
    if (ingress.metadata.annotations?.[CLASS_ANNOTATION] !== undefined) return;
    const name = defaultClass(ctx.ingressClasses(), ['ingressclass.kubernetes.io/is-default-class']);
    if (name) ingress.spec.ingressClassName = name;
  },
  validate(ingress, ctx) {
    const errors: FieldError[] = [];
    const spec = ingress.spec;
    if (!spec?.rules?.length && !spec?.defaultBackend) {
      errors.push(fieldError('spec', 'Invalid', 'either `defaultBackend` or `rules` must be specified'));
    }
    if (spec?.defaultBackend) backend(spec.defaultBackend, 'spec.defaultBackend', errors);
    rules(ingress, errors);
    spec?.tls?.forEach((tls, i) => {
      const at = joinPath('spec.tls', i);
      tls.hosts?.forEach((h, j) => host(h, joinPath(joinPath(at, 'hosts'), j), errors));
      if (tls.secretName) v.dns1123Subdomain(tls.secretName, joinPath(at, 'secretName'), errors);
    });
    if (spec?.ingressClassName !== undefined)
      v.dns1123Subdomain(spec.ingressClassName, 'spec.ingressClassName', errors);
    const annotated = ingress.metadata.annotations?.[CLASS_ANNOTATION];
    // Checked on create only: objects stored before may keep both.
    if (
      !ctx.old &&
      annotated !== undefined &&
      spec?.ingressClassName !== undefined &&
      annotated !== spec.ingressClassName
    ) {
      errors.push(
        fieldError(
          joinPath('annotations', CLASS_ANNOTATION),
          'Invalid',
          `Invalid value: "${annotated}": must match \`ingressClassName\` when both are specified`,
        ),
      );
    }
    return errors;
  },
};
