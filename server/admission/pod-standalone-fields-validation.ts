import net from 'node:net';
import { fieldError, joinPath, type FieldError } from '../../schema/field-error.ts';
import type { PodSpec } from '../../schema/kinds/pod.ts';
import * as v from './validation.ts';

/**
 * The PodSpec fields that depend on no other: host aliases, readiness gates, the runtime
 * class. Each is checked as Kubernetes checks it.
 */
export function validateStandaloneFields(spec: PodSpec, path: string, errors: FieldError[]): void {
  const at = (field: string) => joinPath(path, field);
  spec.hostAliases?.forEach((alias, i) => {
    const aliasPath = joinPath(at('hostAliases'), i);
    if (!net.isIP(alias.ip)) {
      errors.push(
        fieldError(
          joinPath(aliasPath, 'ip'),
          'Invalid',
          `Invalid value: "${alias.ip}": must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)`,
        ),
      );
    }
    alias.hostnames?.forEach((hostname, j) =>
      v.dns1123Subdomain(hostname, joinPath(joinPath(aliasPath, 'hostnames'), j), errors),
    );
  });
  spec.readinessGates?.forEach((gate, i) =>
    v.qualifiedName(gate.conditionType, joinPath(joinPath(at('readinessGates'), i), 'conditionType'), errors),
  );
  if (spec.runtimeClassName !== undefined)
    v.dns1123Subdomain(spec.runtimeClassName, at('runtimeClassName'), errors);
}
