import { fieldError, joinPath, type FieldError } from '../../schema/field-error.ts';
import type { PodSpec, Volume } from '../../schema/kinds/pod.ts';
import { validateContainer, validateResources } from './container-validation.ts';
import { validateStandaloneFields } from './pod-standalone-fields-validation.ts';
import {
  validateAffinity,
  validateSchedulingGates,
  validateToleration,
  validateTopologySpread,
} from './pod-scheduling-validation.ts';
import { VOLUME_SOURCES } from './pod-spec.ts';
import { validatePodSecurity } from './security-context-validation.ts';
import * as v from './validation.ts';
import { fileMode, localPath, validateApiDataVolume, validateOtherSources } from './volume-validation.ts';

/**
 * Semantic checks of a PodSpec, for Pods and for the templates of workloads.
 * `claimTemplates` names the volumes a StatefulSet adds to its pods from its claim templates.
 */
export function validatePodSpec(
  spec: PodSpec | undefined,
  path: string,
  errors: FieldError[],
  claimTemplates: readonly string[] = [],
): void {
  const at = (field: string) => joinPath(path, field);
  if (!spec?.containers?.length) errors.push(fieldError(at('containers'), 'Required', 'Required value'));
  if (!spec) return;
  const volumes = validateVolumes(spec.volumes ?? [], at('volumes'), errors);
  for (const name of claimTemplates) volumes.set(name, { name, persistentVolumeClaim: { claimName: name } });
  const names = new Set<string>();
  const context = { names, volumes, hostNetwork: spec.hostNetwork === true, hostUsers: spec.hostUsers };
  spec.containers?.forEach((c, i) =>
    validateContainer(c, joinPath(at('containers'), i), context, 'container', errors),
  );
  spec.initContainers?.forEach((c, i) =>
    validateContainer(c, joinPath(at('initContainers'), i), context, 'init', errors),
  );
  if (spec.ephemeralContainers?.length) {
    errors.push(fieldError(at('ephemeralContainers'), 'Forbidden', 'cannot be set on create'));
  }
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
  validatePodSecurity(spec, path, errors);
  validateAffinity(spec.affinity, at('affinity'), errors);
  spec.tolerations?.forEach((t, i) => validateToleration(t, joinPath(at('tolerations'), i), errors));
  validateTopologySpread(spec.topologySpreadConstraints, at('topologySpreadConstraints'), errors);
  validateSchedulingGates(spec.schedulingGates, at('schedulingGates'), errors);
  validateStandaloneFields(spec, path, errors);
  if (spec.resources) validatePodResources(spec.resources, at('resources'), errors);
}

/** Pod-level resources: cpu, memory and huge pages only, requests within limits. */
function validatePodResources(
  resources: NonNullable<PodSpec['resources']>,
  path: string,
  errors: FieldError[],
): void {
  for (const list of ['limits', 'requests'] as const) {
    for (const name of Object.keys(resources[list] ?? {})) {
      if (name === 'cpu' || name === 'memory' || name.startsWith('hugepages-')) continue;
      errors.push(
        fieldError(
          `${joinPath(path, list)}[${name}]`,
          'NotSupported',
          `Unsupported value: "${name}": supported values: "cpu", "memory"`,
        ),
      );
    }
  }
  validateResources(resources, path, errors);
}

function validateVolumes(volumes: Volume[], path: string, errors: FieldError[]): Map<string, Volume> {
  const names = new Map<string, Volume>();
  volumes.forEach((volume, i) => {
    const at = (...fields: string[]) => fields.reduce(joinPath, joinPath(path, i));
    if (!volume.name) errors.push(fieldError(at('name'), 'Required', 'Required value'));
    else {
      v.dns1123Label(volume.name, at('name'), errors);
      if (names.has(volume.name))
        errors.push(fieldError(at('name'), 'Duplicate', `Duplicate value: "${volume.name}"`));
      names.set(volume.name, volume);
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
    validateApiDataVolume(volume, at, errors);
    validateOtherSources(volume, at, errors);
  });
  return names;
}
