import { fieldError, joinPath, type FieldError } from '../../schema/field-error.ts';
import type { Container, Probe, Volume } from '../../schema/kinds/pod.ts';
import { parseQuantity } from '../../schema/quantity.ts';
import type { Handler, ResourceList } from './pod-spec.ts';
import { validateContainerSecurity } from './security-context-validation.ts';
import * as v from './validation.ts';
import { validateVolumeDevices, validateVolumeMounts } from './volume-mount-validation.ts';

/** Semantic checks of one container of a PodSpec (its context is the pod's). */

const HANDLERS = ['exec', 'httpGet', 'tcpSocket', 'grpc', 'sleep'] as const;
const STANDARD_RESOURCES = new Set(['cpu', 'memory', 'ephemeral-storage', 'pods']);
const ENV_NAME = /^[-._a-zA-Z][-._a-zA-Z0-9]*$/;
const QUANTITY_MESSAGE =
  "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'";

export interface ContainerContext {
  /** Names of the containers seen so far: names are unique across containers and init containers. */
  names: Set<string>;
  volumes: Map<string, Volume>;
  hostNetwork: boolean;
  hostUsers: boolean | undefined;
}

/**
 * An init container with restartPolicy Always is a sidecar: it keeps running beside the
 * containers, so it may have probes and lifecycle hooks as they do.
 */
export function validateContainer(
  container: Container,
  path: string,
  context: ContainerContext,
  type: 'container' | 'init',
  errors: FieldError[],
): void {
  const at = (field: string) => joinPath(path, field);
  const init = type === 'init' && container.restartPolicy !== 'Always';
  validateRestartPolicy(container, at('restartPolicy'), type, errors);
  if (!container.name) errors.push(fieldError(at('name'), 'Required', 'Required value'));
  else {
    v.dns1123Label(container.name, at('name'), errors);
    if (context.names.has(container.name)) {
      errors.push(fieldError(at('name'), 'Duplicate', `Duplicate value: "${container.name}"`));
    }
    context.names.add(container.name);
  }
  if (!container.image) errors.push(fieldError(at('image'), 'Required', 'Required value'));
  else if (container.image !== container.image.trim()) {
    errors.push(fieldError(at('image'), 'Invalid', 'must not have leading or trailing whitespace'));
  }
  validatePorts(container, at('ports'), context.hostNetwork, errors);
  validateEnv(container, path, errors);
  validateResources(container.resources, at('resources'), errors);
  validateResizePolicy(container.resizePolicy, at('resizePolicy'), errors);
  validateVolumeMounts(container, at('volumeMounts'), context.volumes, errors);
  validateVolumeDevices(container, at('volumeDevices'), context.volumes, errors);
  for (const [field, kind] of [
    ['livenessProbe', 'liveness'],
    ['readinessProbe', 'readiness'],
    ['startupProbe', 'startup'],
  ] as const) {
    const probe = container[field];
    if (!probe) continue;
    if (init) errors.push(fieldError(at(field), 'Forbidden', 'may not be set for init containers'));
    else validateProbe(probe, at(field), kind, errors);
  }
  if (container.lifecycle && init) {
    errors.push(fieldError(at('lifecycle'), 'Forbidden', 'may not be set for init containers'));
  } else {
    for (const hook of ['postStart', 'preStop'] as const) {
      const handler = container.lifecycle?.[hook];
      if (handler) validateHandler(handler, joinPath(at('lifecycle'), hook), errors);
    }
  }
  validateContainerSecurity(container.securityContext, context.hostUsers, at('securityContext'), errors);
}

/** Only init containers have a restartPolicy of their own, and only Always (a sidecar). */
function validateRestartPolicy(
  container: Container,
  path: string,
  type: 'container' | 'init',
  errors: FieldError[],
): void {
  const policy = container.restartPolicy;
  if (policy === undefined) return;
  if (type === 'container') {
    errors.push(fieldError(path, 'Forbidden', 'may not be set for non-init containers'));
  } else if (policy !== 'Always') {
    errors.push(
      fieldError(path, 'NotSupported', `Unsupported value: "${policy}": supported values: "Always"`),
    );
  }
}

function validateResizePolicy(policies: Container['resizePolicy'], path: string, errors: FieldError[]): void {
  const seen = new Set<string>();
  policies?.forEach((policy, i) => {
    const at = joinPath(joinPath(path, i), 'resourceName');
    if (policy.resourceName !== 'cpu' && policy.resourceName !== 'memory') {
      errors.push(
        fieldError(
          at,
          'NotSupported',
          `Unsupported value: "${policy.resourceName}": supported values: "cpu", "memory"`,
        ),
      );
    } else if (seen.has(policy.resourceName)) {
      errors.push(fieldError(at, 'Duplicate', `Duplicate value: "${policy.resourceName}"`));
    }
    seen.add(policy.resourceName);
  });
}

function validatePorts(container: Container, path: string, hostNetwork: boolean, errors: FieldError[]): void {
  const names = new Set<string>();
  container.ports?.forEach((port, i) => {
    const at = (field: string) => joinPath(joinPath(path, i), field);
    v.portNumber(port.containerPort, at('containerPort'), errors);
    if (port.hostPort) v.portNumber(port.hostPort, at('hostPort'), errors);
    if (hostNetwork && port.hostPort && port.hostPort !== port.containerPort) {
      errors.push(
        fieldError(at('containerPort'), 'Invalid', 'must match `hostPort` when `hostNetwork` is true'),
      );
    }
    if (port.name === undefined) return;
    v.portNumberOrName(port.name, at('name'), errors);
    if (names.has(port.name))
      errors.push(fieldError(at('name'), 'Duplicate', `Duplicate value: "${port.name}"`));
    names.add(port.name);
  });
}

function envName(name: string | undefined, path: string, errors: FieldError[]): void {
  if (!name) errors.push(fieldError(path, 'Required', 'Required value'));
  else if (!ENV_NAME.test(name)) {
    errors.push(
      fieldError(
        path,
        'Invalid',
        `Invalid value: "${name}": a valid environment variable name must consist of alphabetic characters, digits, '_', '-', or '.', and must not start with a digit`,
      ),
    );
  }
}

function validateEnv(container: Container, path: string, errors: FieldError[]): void {
  container.env?.forEach((env, i) => {
    const at = joinPath(joinPath(path, 'env'), i);
    envName(env.name, joinPath(at, 'name'), errors);
    const from = env.valueFrom;
    if (!from) return;
    const fromPath = joinPath(at, 'valueFrom');
    const sources = (['fieldRef', 'resourceFieldRef', 'configMapKeyRef', 'secretKeyRef'] as const).filter(
      (source) => from[source] !== undefined,
    );
    if (sources.length === 0) {
      errors.push(
        fieldError(
          fromPath,
          'Invalid',
          'must specify one of: `fieldRef`, `resourceFieldRef`, `configMapKeyRef` or `secretKeyRef`',
        ),
      );
    }
    if (sources.length > 1) {
      errors.push(fieldError(fromPath, 'Invalid', 'may not have more than one field specified at a time'));
    }
    if (env.value) {
      errors.push(fieldError(fromPath, 'Invalid', 'may not be specified when `value` is not empty'));
    }
    for (const ref of ['configMapKeyRef', 'secretKeyRef'] as const) {
      const selector = from[ref];
      if (selector) v.configKey(selector.key, joinPath(joinPath(fromPath, ref), 'key'), errors);
    }
  });
  container.envFrom?.forEach((source, i) => {
    const at = joinPath(joinPath(path, 'envFrom'), i);
    if (source.prefix) envName(source.prefix, joinPath(at, 'prefix'), errors);
    const given = [source.configMapRef, source.secretRef].filter((ref) => ref !== undefined).length;
    if (given === 0)
      errors.push(fieldError(at, 'Invalid', 'must specify one of: `configMapRef` or `secretRef`'));
    if (given > 1)
      errors.push(fieldError(at, 'Invalid', 'may not have more than one field specified at a time'));
  });
}

export function validateResources(
  resources: Container['resources'],
  path: string,
  errors: FieldError[],
): void {
  const limits = quantities(resources?.limits, joinPath(path, 'limits'), errors);
  const requests = quantities(resources?.requests, joinPath(path, 'requests'), errors);
  for (const [name, request] of requests) {
    const limit = limits.get(name);
    if (limit === undefined || request <= limit) continue;
    errors.push(
      fieldError(
        `${joinPath(path, 'requests')}[${name}]`,
        'Invalid',
        `Invalid value: "${resources?.requests?.[name]}": must be less than or equal to ${name} limit of ${resources?.limits?.[name]}`,
      ),
    );
  }
}

function quantities(list: ResourceList, path: string, errors: FieldError[]): Map<string, number> {
  const out = new Map<string, number>();
  for (const [name, text] of Object.entries(list ?? {})) {
    const at = `${path}[${name}]`;
    if (!STANDARD_RESOURCES.has(name) && !name.includes('/') && !name.startsWith('hugepages-')) {
      errors.push(
        fieldError(at, 'Invalid', `Invalid value: "${name}": must be a standard resource for containers`),
      );
    }
    const amount = parseQuantity(text);
    if (amount === undefined)
      errors.push(fieldError(at, 'Invalid', `Invalid value: "${text}": ${QUANTITY_MESSAGE}`));
    else if (amount < 0)
      errors.push(fieldError(at, 'Invalid', `Invalid value: "${text}": must be greater than or equal to 0`));
    else out.set(name, amount);
  }
  return out;
}

function validateProbe(
  probe: Probe,
  path: string,
  kind: 'liveness' | 'readiness' | 'startup',
  errors: FieldError[],
): void {
  validateHandler(probe, path, errors);
  const at = (field: string) => joinPath(path, field);
  for (const field of [
    'initialDelaySeconds',
    'timeoutSeconds',
    'periodSeconds',
    'successThreshold',
    'failureThreshold',
  ] as const) {
    v.nonNegative(probe[field], at(field), errors);
  }
  if (kind !== 'readiness' && probe.successThreshold !== undefined && probe.successThreshold !== 1) {
    errors.push(
      fieldError(at('successThreshold'), 'Invalid', `Invalid value: ${probe.successThreshold}: must be 1`),
    );
  }
  if (kind === 'readiness' && probe.terminationGracePeriodSeconds !== undefined) {
    errors.push(
      fieldError(at('terminationGracePeriodSeconds'), 'Invalid', 'must not be set for readinessProbes'),
    );
  } else {
    v.positive(probe.terminationGracePeriodSeconds, at('terminationGracePeriodSeconds'), errors);
  }
}

function validateHandler(handler: Handler, path: string, errors: FieldError[]): void {
  const given = HANDLERS.filter((type) => handler[type] !== undefined);
  if (given.length === 0) errors.push(fieldError(path, 'Required', 'must specify a handler type'));
  for (const type of given.slice(1)) {
    errors.push(fieldError(joinPath(path, type), 'Forbidden', 'may not specify more than 1 handler type'));
  }
  const at = (type: string, field: string) => joinPath(joinPath(path, type), field);
  if (handler.exec && !handler.exec.command?.length) {
    errors.push(fieldError(at('exec', 'command'), 'Required', 'Required value'));
  }
  if (handler.httpGet) v.portNumberOrName(handler.httpGet.port, at('httpGet', 'port'), errors);
  if (handler.tcpSocket) v.portNumberOrName(handler.tcpSocket.port, at('tcpSocket', 'port'), errors);
  if (handler.grpc) v.portNumber(handler.grpc.port, at('grpc', 'port'), errors);
  if (handler.sleep) v.nonNegative(handler.sleep.seconds, at('sleep', 'seconds'), errors);
}
