import { fieldError, joinPath, type FieldError } from '../../schema/field-error.ts';
import type { Resource } from '../../schema/kind.ts';
import type * as kinds from '../../schema/kinds/pod.ts';
import { parseQuantity } from '../../schema/quantity.ts';
import type { KindAdmission } from './admission.ts';
import * as v from './validation.ts';

type Pod = kinds.Pod;
type PodSpec = kinds.PodSpec;
type Container = kinds.Container;
type Probe = kinds.Probe;
type LifecycleHandler = kinds.LifecycleHandler;
type Volume = kinds.Volume;
type ResourceList = Record<string, string | number> | undefined;
type Handler = Pick<Probe, 'exec' | 'httpGet' | 'tcpSocket' | 'grpc'> & Pick<LifecycleHandler, 'sleep'>;
type Toleration = kinds.Toleration;
type NodeSelectorTerm = kinds.NodeSelectorTerm;
type PodAffinity = NonNullable<NonNullable<PodSpec['affinity']>['podAffinity']>;

const HANDLERS = ['exec', 'httpGet', 'tcpSocket', 'grpc', 'sleep'] as const;
const VOLUME_SOURCES = ['emptyDir', 'configMap', 'secret', 'hostPath', 'persistentVolumeClaim'] as const;
const STANDARD_RESOURCES = new Set(['cpu', 'memory', 'ephemeral-storage', 'pods']);
const ENV_NAME = /^[-._a-zA-Z][-._a-zA-Z0-9]*$/;
const QUANTITY_MESSAGE =
  "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'";
const UPDATE_MESSAGE =
  'pod updates may not change fields other than `spec.containers[*].image`, `spec.initContainers[*].image`, `spec.activeDeadlineSeconds`, `spec.tolerations` (only additions to existing tolerations)';

function allContainers(spec: PodSpec): Container[] {
  return [...(spec.containers ?? []), ...(spec.initContainers ?? [])];
}

/**
 * The defaults Kubernetes gives every PodSpec, templates included. Kubernetes keeps a
 * few Pod-only defaults (requests from limits, enableServiceLinks, host ports) out of
 * templates so that they never change a template's hash; podAdmission adds those.
 */
export function defaultPodSpec(spec: PodSpec): void {
  spec.dnsPolicy ??= 'ClusterFirst';
  spec.restartPolicy ??= 'Always';
  spec.securityContext ??= {};
  spec.terminationGracePeriodSeconds ??= 30;
  spec.schedulerName ||= 'default-scheduler';
  for (const container of allContainers(spec)) defaultContainer(container);
  for (const volume of spec.volumes ?? []) defaultVolume(volume);
}

function defaultContainer(container: Container): void {
  container.imagePullPolicy ??= imageTag(container.image ?? '') === 'latest' ? 'Always' : 'IfNotPresent';
  container.terminationMessagePath ||= '/dev/termination-log';
  container.terminationMessagePolicy ??= 'File';
  for (const port of container.ports ?? []) port.protocol ??= 'TCP';
  for (const env of container.env ?? []) {
    if (env.valueFrom?.fieldRef) env.valueFrom.fieldRef.apiVersion ||= 'v1';
  }
  for (const probe of [container.livenessProbe, container.readinessProbe, container.startupProbe]) {
    if (!probe) continue;
    // Zero means unset for these (non-pointer ints in Kubernetes).
    probe.timeoutSeconds ||= 1;
    probe.periodSeconds ||= 10;
    probe.successThreshold ||= 1;
    probe.failureThreshold ||= 3;
    defaultHandler(probe);
  }
  defaultHandler(container.lifecycle?.postStart);
  defaultHandler(container.lifecycle?.preStop);
}

function defaultHandler(handler: Handler | undefined): void {
  if (!handler?.httpGet) return;
  handler.httpGet.path ||= '/';
  handler.httpGet.scheme ??= 'HTTP';
}

/** The tag as Kubernetes' image parser sees it: "latest" when neither a tag nor a digest is given. */
function imageTag(image: string): string {
  const at = image.indexOf('@');
  const name = at >= 0 ? image.slice(0, at) : image;
  const colon = name.lastIndexOf(':');
  if (colon > name.lastIndexOf('/')) return name.slice(colon + 1);
  return at >= 0 ? '' : 'latest';
}

function defaultVolume(volume: Volume): void {
  if (VOLUME_SOURCES.every((source) => volume[source] === undefined)) volume.emptyDir = {};
  if (volume.configMap) volume.configMap.defaultMode ??= 0o644;
  if (volume.secret) volume.secret.defaultMode ??= 0o644;
  if (volume.hostPath) volume.hostPath.type ??= '';
}

function defaultPodOnly(spec: PodSpec): void {
  for (const container of allContainers(spec)) {
    const resources = container.resources;
    if (resources?.limits) resources.requests = { ...resources.limits, ...resources.requests };
    if (!spec.hostNetwork) continue;
    for (const port of container.ports ?? []) port.hostPort ||= port.containerPort;
  }
  spec.enableServiceLinks ??= true;
}

/** Kubernetes' QoS class: only cpu and memory count, and only positive amounts. */
function qosClass(spec: PodSpec | undefined): 'Guaranteed' | 'Burstable' | 'BestEffort' {
  const requests = new Map<string, number>();
  const limits = new Map<string, number>();
  let guaranteed = true;
  for (const container of spec ? allContainers(spec) : []) {
    addPositive(requests, container.resources?.requests);
    const found = addPositive(limits, container.resources?.limits);
    if (!found.has('cpu') || !found.has('memory')) guaranteed = false;
  }
  if (requests.size === 0 && limits.size === 0) return 'BestEffort';
  const equal = (a: number, b: number | undefined) =>
    b !== undefined && Math.abs(a - b) <= 1e-9 * Math.max(Math.abs(a), Math.abs(b));
  const matching = [...requests].every(([name, amount]) => equal(amount, limits.get(name)));
  return guaranteed && matching && requests.size === limits.size ? 'Guaranteed' : 'Burstable';
}

function addPositive(totals: Map<string, number>, list: ResourceList): Set<string> {
  const found = new Set<string>();
  for (const name of ['cpu', 'memory']) {
    const amount = list?.[name] === undefined ? undefined : parseQuantity(list[name]);
    if (amount === undefined || amount <= 0) continue;
    found.add(name);
    totals.set(name, (totals.get(name) ?? 0) + amount);
  }
  return found;
}

/** Semantic checks of a PodSpec, for Pods and for the templates of workloads. */
export function validatePodSpec(spec: PodSpec | undefined, path: string, errors: FieldError[]): void {
  const at = (field: string) => joinPath(path, field);
  if (!spec?.containers?.length) errors.push(fieldError(at('containers'), 'Required', 'Required value'));
  if (!spec) return;
  const volumes = validateVolumes(spec.volumes ?? [], at('volumes'), errors);
  const names = new Set<string>();
  const context = { names, volumes, hostNetwork: spec.hostNetwork === true };
  spec.containers?.forEach((c, i) =>
    validateContainer(c, joinPath(at('containers'), i), context, false, errors),
  );
  spec.initContainers?.forEach((c, i) =>
    validateContainer(c, joinPath(at('initContainers'), i), context, true, errors),
  );
  v.nonNegative(spec.terminationGracePeriodSeconds, at('terminationGracePeriodSeconds'), errors);
  v.positive(spec.activeDeadlineSeconds, at('activeDeadlineSeconds'), errors);
  if (spec.dnsPolicy === 'None' && !spec.dnsConfig) {
    errors.push(fieldError(at('dnsConfig'), 'Required', 'must provide `dnsConfig` when `dnsPolicy` is None'));
  }
  v.labels(spec.nodeSelector, at('nodeSelector'), errors);
  if (spec.nodeName) v.dns1123Subdomain(spec.nodeName, at('nodeName'), errors);
  if (spec.serviceAccountName) v.dns1123Subdomain(spec.serviceAccountName, at('serviceAccountName'), errors);
  if (spec.hostname) v.dns1123Label(spec.hostname, at('hostname'), errors);
  if (spec.subdomain) v.dns1123Label(spec.subdomain, at('subdomain'), errors);
  for (const field of ['runAsUser', 'runAsGroup', 'fsGroup'] as const) {
    v.nonNegative(spec.securityContext?.[field], joinPath(at('securityContext'), field), errors);
  }
  validateAffinity(spec.affinity, at('affinity'), errors);
  spec.tolerations?.forEach((t, i) => validateToleration(t, joinPath(at('tolerations'), i), errors));
}

interface ContainerContext {
  /** Names of the containers seen so far: names are unique across containers and init containers. */
  names: Set<string>;
  volumes: Set<string>;
  hostNetwork: boolean;
}

function validateContainer(
  container: Container,
  path: string,
  context: ContainerContext,
  init: boolean,
  errors: FieldError[],
): void {
  const at = (field: string) => joinPath(path, field);
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
  validateVolumeMounts(container, at('volumeMounts'), context.volumes, errors);
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
  const security = container.securityContext;
  if (security?.privileged && security.allowPrivilegeEscalation === false) {
    errors.push(
      fieldError(
        joinPath(at('securityContext'), 'allowPrivilegeEscalation'),
        'Invalid',
        'cannot set `allowPrivilegeEscalation` to false and `privileged` to true',
      ),
    );
  }
  for (const field of ['runAsUser', 'runAsGroup'] as const) {
    v.nonNegative(security?.[field], joinPath(at('securityContext'), field), errors);
  }
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

function validateResources(resources: Container['resources'], path: string, errors: FieldError[]): void {
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

function validateVolumeMounts(
  container: Container,
  path: string,
  volumes: Set<string>,
  errors: FieldError[],
): void {
  const mountPaths = new Set<string>();
  container.volumeMounts?.forEach((mount, i) => {
    const at = (field: string) => joinPath(joinPath(path, i), field);
    if (!mount.name) errors.push(fieldError(at('name'), 'Required', 'Required value'));
    else if (!volumes.has(mount.name))
      errors.push(fieldError(at('name'), 'Invalid', `Not found: "${mount.name}"`));
    if (!mount.mountPath) errors.push(fieldError(at('mountPath'), 'Required', 'Required value'));
    else if (mountPaths.has(mount.mountPath))
      errors.push(fieldError(at('mountPath'), 'Invalid', 'must be unique'));
    mountPaths.add(mount.mountPath);
    if (mount.subPath) localPath(mount.subPath, at('subPath'), errors);
  });
}

/** A path that must stay inside the volume (subPath, projected file paths). */
function localPath(value: string, path: string, errors: FieldError[]): void {
  if (value.startsWith('/'))
    errors.push(fieldError(path, 'Invalid', `Invalid value: "${value}": must be a relative path`));
  if (value.split(/[\\/]/).includes('..')) {
    errors.push(fieldError(path, 'Invalid', `Invalid value: "${value}": must not contain '..'`));
  }
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

function validateVolumes(volumes: Volume[], path: string, errors: FieldError[]): Set<string> {
  const names = new Set<string>();
  volumes.forEach((volume, i) => {
    const at = (...fields: string[]) => fields.reduce(joinPath, joinPath(path, i));
    if (!volume.name) errors.push(fieldError(at('name'), 'Required', 'Required value'));
    else {
      v.dns1123Label(volume.name, at('name'), errors);
      if (names.has(volume.name))
        errors.push(fieldError(at('name'), 'Duplicate', `Duplicate value: "${volume.name}"`));
      names.add(volume.name);
    }
    const sources = VOLUME_SOURCES.filter((source) => volume[source] !== undefined);
    if (sources.length === 0) errors.push(fieldError(at(), 'Required', 'must specify a volume type'));
    for (const source of sources.slice(1)) {
      errors.push(fieldError(at(source), 'Forbidden', 'may not specify more than 1 volume type'));
    }
    const required = (value: string | undefined, fieldPath: string) => {
      if (!value) errors.push(fieldError(fieldPath, 'Required', 'Required value'));
    };
    if (volume.configMap) required(volume.configMap.name, at('configMap', 'name'));
    if (volume.secret) required(volume.secret.secretName, at('secret', 'secretName'));
    for (const source of ['configMap', 'secret'] as const) {
      const projected = volume[source];
      if (!projected) continue;
      fileMode(projected.defaultMode, at(source, 'defaultMode'), errors);
      projected.items?.forEach((item, j) => {
        const itemPath = (field: string) => joinPath(joinPath(at(source, 'items'), j), field);
        required(item.key, itemPath('key'));
        required(item.path, itemPath('path'));
        if (item.path) localPath(item.path, itemPath('path'), errors);
        fileMode(item.mode, itemPath('mode'), errors);
      });
    }
    if (volume.hostPath) required(volume.hostPath.path, at('hostPath', 'path'));
    if (volume.persistentVolumeClaim)
      required(volume.persistentVolumeClaim.claimName, at('persistentVolumeClaim', 'claimName'));
  });
  return names;
}

function fileMode(mode: number | undefined, path: string, errors: FieldError[]): void {
  if (mode !== undefined && (mode < 0 || mode > 0o777)) {
    errors.push(
      fieldError(
        path,
        'Invalid',
        `Invalid value: ${mode}: must be a number between 0 and 0777 (octal), both inclusive`,
      ),
    );
  }
}

function validateAffinity(affinity: PodSpec['affinity'], path: string, errors: FieldError[]): void {
  const node = affinity?.nodeAffinity;
  const nodePath = joinPath(path, 'nodeAffinity');
  const requiredTerms = node?.requiredDuringSchedulingIgnoredDuringExecution;
  if (requiredTerms) {
    const termsPath = joinPath(
      joinPath(nodePath, 'requiredDuringSchedulingIgnoredDuringExecution'),
      'nodeSelectorTerms',
    );
    if (requiredTerms.nodeSelectorTerms.length === 0) {
      errors.push(fieldError(termsPath, 'Required', 'must have at least one node selector term'));
    }
    requiredTerms.nodeSelectorTerms.forEach((term, i) =>
      validateNodeSelectorTerm(term, joinPath(termsPath, i), errors),
    );
  }
  node?.preferredDuringSchedulingIgnoredDuringExecution?.forEach((preferred, i) => {
    const at = joinPath(joinPath(nodePath, 'preferredDuringSchedulingIgnoredDuringExecution'), i);
    weight(preferred.weight, joinPath(at, 'weight'), errors);
    validateNodeSelectorTerm(preferred.preference, joinPath(at, 'preference'), errors);
  });
  for (const kind of ['podAffinity', 'podAntiAffinity'] as const) {
    validatePodAffinity(affinity?.[kind], joinPath(path, kind), errors);
  }
}

function validateNodeSelectorTerm(term: NodeSelectorTerm, path: string, errors: FieldError[]): void {
  for (const list of ['matchExpressions', 'matchFields'] as const) {
    term[list]?.forEach((req, i) => {
      const at = joinPath(joinPath(path, list), i);
      if (list === 'matchExpressions') v.qualifiedName(req.key, joinPath(at, 'key'), errors);
      else if (req.key !== 'metadata.name') {
        errors.push(
          fieldError(
            joinPath(at, 'key'),
            'NotSupported',
            `Unsupported value: "${req.key}": supported values: "metadata.name"`,
          ),
        );
      }
      const count = req.values?.length ?? 0;
      const valuesPath = joinPath(at, 'values');
      if ((req.operator === 'In' || req.operator === 'NotIn') && count === 0) {
        errors.push(
          fieldError(valuesPath, 'Required', "must be specified when `operator` is 'In' or 'NotIn'"),
        );
      }
      if ((req.operator === 'Exists' || req.operator === 'DoesNotExist') && count > 0) {
        errors.push(
          fieldError(
            valuesPath,
            'Forbidden',
            "may not be specified when `operator` is 'Exists' or 'DoesNotExist'",
          ),
        );
      }
      if (
        (req.operator === 'Gt' || req.operator === 'Lt') &&
        (count !== 1 || !/^-?\d+$/.test(req.values?.[0] ?? ''))
      ) {
        errors.push(
          fieldError(
            valuesPath,
            'Required',
            "must be specified single integer value when `operator` is 'Lt' or 'Gt'",
          ),
        );
      }
    });
  }
}

function validatePodAffinity(affinity: PodAffinity | undefined, path: string, errors: FieldError[]): void {
  const term = (t: kinds.PodAffinityTerm, at: string) => {
    v.labelSelector(t.labelSelector, joinPath(at, 'labelSelector'), errors);
    if (!t.topologyKey) errors.push(fieldError(joinPath(at, 'topologyKey'), 'Required', 'can not be empty'));
    else v.qualifiedName(t.topologyKey, joinPath(at, 'topologyKey'), errors);
    t.namespaces?.forEach((ns, i) => v.dns1123Label(ns, joinPath(joinPath(at, 'namespaces'), i), errors));
  };
  affinity?.requiredDuringSchedulingIgnoredDuringExecution?.forEach((t, i) =>
    term(t, joinPath(joinPath(path, 'requiredDuringSchedulingIgnoredDuringExecution'), i)),
  );
  affinity?.preferredDuringSchedulingIgnoredDuringExecution?.forEach((weighted, i) => {
    const at = joinPath(joinPath(path, 'preferredDuringSchedulingIgnoredDuringExecution'), i);
    weight(weighted.weight, joinPath(at, 'weight'), errors);
    term(weighted.podAffinityTerm, joinPath(at, 'podAffinityTerm'));
  });
}

function weight(value: number, path: string, errors: FieldError[]): void {
  if (value < 1 || value > 100) {
    errors.push(fieldError(path, 'Invalid', `Invalid value: ${value}: must be in the range 1-100`));
  }
}

function validateToleration(toleration: Toleration, path: string, errors: FieldError[]): void {
  const at = (field: string) => joinPath(path, field);
  if (toleration.key) v.qualifiedName(toleration.key, at('key'), errors);
  else if (toleration.operator !== 'Exists') {
    errors.push(
      fieldError(
        at('operator'),
        'Invalid',
        'operator must be Exists when `key` is empty, which means "match all values and all keys"',
      ),
    );
  }
  if (toleration.tolerationSeconds !== undefined && toleration.effect !== 'NoExecute') {
    errors.push(
      fieldError(at('effect'), 'Invalid', "effect must be 'NoExecute' when `tolerationSeconds` is set"),
    );
  }
  if (toleration.operator === 'Exists' && toleration.value) {
    errors.push(fieldError(at('operator'), 'Invalid', "value must be empty when `operator` is 'Exists'"));
  } else if (toleration.value) {
    v.labelValue(toleration.value, at('value'), errors);
  }
}

/** Equality of decoded JSON values, ignoring key order and keys whose value is undefined. */

function validatePodUpdate(spec: PodSpec, old: PodSpec, errors: FieldError[]): void {
  if (old.activeDeadlineSeconds !== undefined) {
    if (spec.activeDeadlineSeconds === undefined) {
      errors.push(
        fieldError(
          'spec.activeDeadlineSeconds',
          'Invalid',
          'must not update from a positive integer to nil value',
        ),
      );
    } else if (spec.activeDeadlineSeconds > old.activeDeadlineSeconds) {
      errors.push(
        fieldError(
          'spec.activeDeadlineSeconds',
          'Invalid',
          `Invalid value: ${spec.activeDeadlineSeconds}: must be less than or equal to previous value`,
        ),
      );
    }
  }
  const kept = (o: Toleration) =>
    spec.tolerations?.some((n) => v.equivalent({ ...o, tolerationSeconds: n.tolerationSeconds }, n));
  if (!(old.tolerations ?? []).every(kept)) {
    errors.push(
      fieldError(
        'spec.tolerations',
        'Forbidden',
        'existing toleration can not be modified except its tolerationSeconds',
      ),
    );
  }
  // The mutable fields take their old values; whatever still differs is a forbidden change.
  const munged: PodSpec = {
    ...spec,
    containers: spec.containers?.map((c, i) => ({ ...c, image: old.containers?.[i]?.image })),
    initContainers: spec.initContainers?.map((c, i) => ({ ...c, image: old.initContainers?.[i]?.image })),
    activeDeadlineSeconds: old.activeDeadlineSeconds,
    tolerations: old.tolerations,
  };
  if (!v.equivalent(munged, old)) errors.push(fieldError('spec', 'Forbidden', UPDATE_MESSAGE));
}

export const podAdmission: KindAdmission<Pod & Resource> = {
  default(pod, ctx) {
    const spec: PodSpec | undefined = pod.spec;
    if (spec) {
      defaultPodSpec(spec);
      defaultPodOnly(spec);
    }
    if (!ctx.old) pod.status = { phase: 'Pending', qosClass: qosClass(spec) };
  },
  validate(pod, ctx) {
    const errors: FieldError[] = [];
    const spec: PodSpec | undefined = pod.spec;
    validatePodSpec(spec, 'spec', errors);
    const old: PodSpec | undefined = ctx.old?.spec;
    if (spec && old) validatePodUpdate(spec, old, errors);
    return errors;
  },
};
