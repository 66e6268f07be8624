import type { Container } from '../../schema/kinds/pod.ts';
import { mapEntry } from '../../schema/string-map.ts';
import type { PodObject } from '../objects.ts';
import type { ConfigMapObject, ConfigReader, SecretObject } from './config-sources.ts';
import { ContainerConfigError } from './container-config-error.ts';
import { podFieldValue, resourceFieldValue, type PodAddresses } from './downward-api.ts';
import { expand } from './env-expansion.ts';

export interface EnvVar {
  name: string;
  value: string;
}

export interface ContainerEnvOptions extends PodAddresses {
  /** spec.nodeName when the pod does not say (it always does once bound). */
  nodeName?: string;
  /** Service environment variables ({SVC}_SERVICE_HOST, ...) for the pod's namespace; none when enableServiceLinks is off. */
  serviceEnv?: Record<string, string>;
  /** The node's allocatable resources: what resourceFieldRef reports for a limit the container does not set. */
  allocatable?: Record<string, string | number>;
  /** Told of what the kubelet records as Warning events (InvalidEnvironmentVariableNames). */
  warn?: (reason: string, message: string) => void;
}

/** What the kubelet accepts as a variable name from envFrom (IsEnvVarName). */
const ENV_VAR_NAME = /^[-._a-zA-Z][-._a-zA-Z0-9]*$/;

/**
 * A container's environment, as the kubelet builds it (makeEnvironmentVariables):
 * the service variables, then every key of each envFrom source (with its prefix, later
 * sources winning), then `env` in order — a value with its `$(VAR)` references to the
 * variables defined before it expanded, or the value of its valueFrom source. A name
 * defined again takes its last value and place.
 *
 * A ConfigMap, Secret or key that is missing and not optional throws
 * ContainerConfigError with the kubelet's message; optional ones add nothing. Keys of
 * an envFrom source that are not valid variable names are skipped and `warn`ed about.
 * Secret values are decoded from their stored base64.
 */
export function containerEnv(
  pod: PodObject,
  container: Container,
  sources: ConfigReader,
  options: ContainerEnvOptions = {},
): EnvVar[] {
  const namespace = pod.metadata.namespace ?? 'default';
  const env = new Map<string, string>(Object.entries(options.serviceEnv ?? {}));
  const define = (name: string, value: string) => {
    env.delete(name);
    env.set(name, value);
  };

  const configMap = (
    name: string | undefined,
    optional: boolean | undefined,
  ): ConfigMapObject | undefined => {
    const found = sources.configMap(namespace, name ?? '');
    if (!found && !optional) throw new ContainerConfigError(`configmap "${name}" not found`);
    return found;
  };
  const secret = (name: string | undefined, optional: boolean | undefined): SecretObject | undefined => {
    const found = sources.secret(namespace, name ?? '');
    if (!found && !optional) throw new ContainerConfigError(`secret "${name}" not found`);
    return found;
  };

  for (const from of container.envFrom ?? []) {
    let entries: Array<[string, string]>;
    let source: string;
    if (from.configMapRef) {
      const found = configMap(from.configMapRef.name, from.configMapRef.optional);
      if (!found) continue;
      entries = Object.entries(found.data ?? {});
      source = `configMap ${namespace}/${from.configMapRef.name}`;
    } else if (from.secretRef) {
      const found = secret(from.secretRef.name, from.secretRef.optional);
      if (!found) continue;
      entries = Object.entries(found.data ?? {}).map(([key, value]) => [key, decode(value)]);
      source = `secret ${namespace}/${from.secretRef.name}`;
    } else continue;
    const invalid: string[] = [];
    for (const [key, value] of entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
      const name = (from.prefix ?? '') + key;
      if (ENV_VAR_NAME.test(name)) define(name, value);
      else invalid.push(name);
    }
    if (invalid.length > 0) {
      options.warn?.(
        'InvalidEnvironmentVariableNames',
        `Keys [${invalid.join(', ')}] from the EnvFrom ${source} were skipped since they are considered invalid environment variable names.`,
      );
    }
  }

  const addresses: PodAddresses = options;
  const forField =
    options.nodeName && !pod.spec?.nodeName
      ? { ...pod, spec: { ...pod.spec!, nodeName: options.nodeName } }
      : pod;
  for (const variable of container.env ?? []) {
    const from = variable.valueFrom;
    let value: string | undefined = variable.value ?? '';
    if (value !== '') {
      value = expand(value, (name) => env.get(name));
    } else if (from?.fieldRef) {
      value = podFieldValue(forField, from.fieldRef, addresses);
    } else if (from?.resourceFieldRef) {
      value = resourceFieldValue(pod, container, from.resourceFieldRef, options.allocatable);
    } else if (from?.configMapKeyRef) {
      const { name, key, optional } = from.configMapKeyRef;
      const found = configMap(name, optional);
      value = mapEntry(found?.data, key);
      if (found && value === undefined && !optional) {
        throw new ContainerConfigError(`couldn't find key ${key} in ConfigMap ${namespace}/${name}`);
      }
    } else if (from?.secretKeyRef) {
      const { name, key, optional } = from.secretKeyRef;
      const found = secret(name, optional);
      const encoded = mapEntry(found?.data, key);
      if (found && encoded === undefined && !optional) {
        throw new ContainerConfigError(`couldn't find key ${key} in Secret ${namespace}/${name}`);
      }
      value = encoded === undefined ? undefined : decode(encoded);
    }
    // An optional source that is missing defines nothing (an earlier value stays).
    if (value !== undefined) define(variable.name, value);
  }
  return [...env].map(([name, value]) => ({ name, value }));
}

/** A Secret value as the container sees it: the stored base64 decoded (as UTF-8). */
function decode(base64: string): string {
  return Buffer.from(base64, 'base64').toString('utf8');
}
