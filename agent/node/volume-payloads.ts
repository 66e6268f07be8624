import type { Volume } from '../../schema/kinds/pod.ts';
import type { PodObject } from '../objects.ts';
import type { FileProjection } from './atomic-writer.ts';
import type { ConfigMapObject, ConfigReader, SecretObject } from './config-sources.ts';
import { metadataFieldValue, resourceFieldValue } from './downward-api.ts';
import type { ProjectedTokens } from './service-account-token.ts';

/** ConfigMap and Secret volumes' files default to rw-r--r-- (the API's defaultMode default). */
export const DEFAULT_MODE = 0o644;

type ConfigMapSource = Pick<NonNullable<Volume['configMap']>, 'items' | 'defaultMode' | 'optional'>;
type SecretSource = Pick<NonNullable<Volume['secret']>, 'items' | 'defaultMode' | 'optional'>;
type DownwardAPIFile = NonNullable<NonNullable<Volume['downwardAPI']>['items']>[number];
type ProjectedSource = NonNullable<Volume['projected']>;

/**
 * The files of a ConfigMap volume (the kubelet's configmap.MakePayload): every key of
 * data and binaryData, or only the `items` given, at their paths and modes. A missing
 * key of `items` is an error unless the volume is optional. `configMap` undefined means
 * missing and optional: the volume is empty.
 */
export function configMapPayload(
  source: ConfigMapSource,
  configMap: ConfigMapObject | undefined,
): Record<string, FileProjection> {
  const data = configMap?.data ?? {};
  const binary = configMap?.binaryData ?? {};
  const lookup = (key: string): Buffer | undefined => {
    if (Object.hasOwn(data, key)) return Buffer.from(data[key], 'utf8');
    if (Object.hasOwn(binary, key)) return Buffer.from(binary[key], 'base64');
    return undefined;
  };
  const keys = [...Object.keys(data), ...Object.keys(binary)];
  return project(source, keys, lookup, (key) => `configmap references non-existent config key: ${key}`);
}

/** The files of a Secret volume (secret.MakePayload): as for ConfigMaps, from the stored base64 data. */
export function secretPayload(
  source: SecretSource,
  secret: SecretObject | undefined,
): Record<string, FileProjection> {
  const data = secret?.data ?? {};
  const lookup = (key: string) => (Object.hasOwn(data, key) ? Buffer.from(data[key], 'base64') : undefined);
  return project(source, Object.keys(data), lookup, (key) => `references non-existent secret key: ${key}`);
}

function project(
  source: ConfigMapSource | SecretSource,
  keys: string[],
  lookup: (key: string) => Buffer | undefined,
  missing: (key: string) => string,
): Record<string, FileProjection> {
  const defaultMode = source.defaultMode ?? DEFAULT_MODE;
  const payload: Record<string, FileProjection> = {};
  if (!source.items?.length) {
    for (const key of keys) payload[key] = { data: lookup(key)!, mode: defaultMode };
    return payload;
  }
  for (const item of source.items) {
    const data = lookup(item.key);
    if (!data) {
      if (source.optional) continue;
      throw new Error(missing(item.key));
    }
    payload[item.path] = { data, mode: item.mode ?? defaultMode };
  }
  return payload;
}

/**
 * The files of a downward API volume (downwardapi.CollectData): each item's pod field
 * (metadata only) or container resource, without a trailing newline. Every item is
 * tried; the errors are reported together.
 */
export function downwardAPIPayload(
  items: DownwardAPIFile[] | undefined,
  defaultMode: number | undefined,
  pod: PodObject,
  allocatable: Record<string, string | number> | undefined,
): Record<string, FileProjection> {
  const payload: Record<string, FileProjection> = {};
  const errors: unknown[] = [];
  for (const item of items ?? []) {
    try {
      const value = item.fieldRef
        ? metadataFieldValue(pod, item.fieldRef)
        : item.resourceFieldRef
          ? resourceFieldValue(pod, undefined, item.resourceFieldRef, allocatable)
          : '';
      payload[item.path] = {
        data: Buffer.from(value, 'utf8'),
        mode: item.mode ?? defaultMode ?? DEFAULT_MODE,
      };
    } catch (error) {
      errors.push(error);
    }
  }
  if (errors.length > 0) throw aggregate(errors);
  return payload;
}

/**
 * The files of a projected volume (projected.collectData): those of each source merged
 * into one directory, a later source winning a path. A missing ConfigMap or Secret that
 * is not optional is an error; every source is tried and the errors reported together.
 * ServiceAccount tokens come from `tokens` (the node's token manager asked for them);
 * without it, as when a hollow node only checks what a pod names, they are left out.
 */
export function projectedPayload(
  source: ProjectedSource,
  pod: PodObject,
  sources: ConfigReader,
  allocatable: Record<string, string | number> | undefined,
  tokens?: ProjectedTokens,
): Record<string, FileProjection> {
  const namespace = pod.metadata.namespace ?? 'default';
  const defaultMode = source.defaultMode ?? DEFAULT_MODE;
  const payload: Record<string, FileProjection> = {};
  const errors: unknown[] = [];
  for (const projection of source.sources ?? []) {
    try {
      if (projection.configMap) {
        const { name, items, optional } = projection.configMap;
        Object.assign(payload, configMapFiles(sources, namespace, name, { items, optional, defaultMode }));
      } else if (projection.secret) {
        const { name, items, optional } = projection.secret;
        Object.assign(payload, secretFiles(sources, namespace, name, { items, optional, defaultMode }));
      } else if (projection.downwardAPI) {
        Object.assign(
          payload,
          downwardAPIPayload(projection.downwardAPI.items, defaultMode, pod, allocatable),
        );
      } else if (projection.serviceAccountToken && tokens) {
        const token = tokens.get(projection.serviceAccountToken);
        if (token === undefined) throw new Error('failed to fetch token: no token was asked for');
        payload[projection.serviceAccountToken.path] = {
          data: Buffer.from(token, 'utf8'),
          mode: defaultMode,
        };
      }
    } catch (error) {
      errors.push(error);
    }
  }
  if (errors.length > 0) throw aggregate(errors);
  return payload;
}

/**
 * The files of a volume whose content comes from the API (configMap, secret,
 * downwardAPI, projected, its tokens given); undefined for any other source. Throws the kubelet's words
 * when a ConfigMap, Secret or key it needs is missing and not optional: what a node
 * checks before it starts the pod's containers, whether it writes the files or not.
 */
export function apiVolumePayload(
  volume: Volume,
  pod: PodObject,
  sources: ConfigReader,
  allocatable: Record<string, string | number> | undefined,
  tokens?: ProjectedTokens,
): Record<string, FileProjection> | undefined {
  const namespace = pod.metadata.namespace ?? 'default';
  if (volume.configMap) return configMapFiles(sources, namespace, volume.configMap.name, volume.configMap);
  if (volume.secret) return secretFiles(sources, namespace, volume.secret.secretName, volume.secret);
  if (volume.downwardAPI)
    return downwardAPIPayload(volume.downwardAPI.items, volume.downwardAPI.defaultMode, pod, allocatable);
  if (volume.projected) return projectedPayload(volume.projected, pod, sources, allocatable, tokens);
  return undefined;
}

function configMapFiles(
  sources: ConfigReader,
  namespace: string,
  name: string | undefined,
  source: ConfigMapSource,
): Record<string, FileProjection> {
  const configMap = sources.configMap(namespace, name ?? '');
  if (!configMap && !source.optional) throw new Error(`configmap "${name}" not found`);
  return configMapPayload(source, configMap);
}

function secretFiles(
  sources: ConfigReader,
  namespace: string,
  name: string | undefined,
  source: SecretSource,
): Record<string, FileProjection> {
  const secret = sources.secret(namespace, name ?? '');
  if (!secret && !source.optional) throw new Error(`secret "${name}" not found`);
  return secretPayload(source, secret);
}

/** Several errors as one, the way Kubernetes' utilerrors.NewAggregate prints them. */
function aggregate(errors: unknown[]): Error {
  const messages = errors.map((error) => (error instanceof Error ? error.message : String(error)));
  return new Error(messages.length === 1 ? messages[0] : `[${messages.join(', ')}]`);
}
