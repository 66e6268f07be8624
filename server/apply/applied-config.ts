import type { KindDefinition, Resource } from '../../schema/kind.ts';
import { isPlainObject } from '../../schema/shape-check.ts';
import { fieldError } from '../../schema/field-error.ts';
import { ApiError, invalid } from '../errors.ts';
import { handleUnknownFields, type UnknownFieldPolicy } from '../resources/unknown-fields.ts';

/**
 * An apply's configuration, checked as Kubernetes checks an apply patch: an object of the
 * kind, naming its apiVersion and kind, without managedFields, for the object on the URL
 * (`name`; without one, the configuration must name its object).
 * It may be partial (only the fields the applier cares about): required fields are
 * checked on the merged object, not here. Unknown fields go as `policy` says.
 */
export function appliedConfig(
  def: KindDefinition,
  value: unknown,
  namespace: string | undefined,
  name: string | undefined,
  policy: UnknownFieldPolicy,
): Resource {
  if (!isPlainObject(value)) throw badRequest('the apply patch must be an object');
  if (!value.apiVersion) throw badRequest('apiVersion must be set in apply patch');
  if (!value.kind) throw badRequest('kind must be set in apply patch');
  if (value.apiVersion !== def.apiVersion || value.kind !== def.kind) {
    throw badRequest(
      `the apply patch is a ${String(value.kind)} of ${String(value.apiVersion)}, not a ${def.kind} of ${def.apiVersion}`,
    );
  }
  if (value.metadata !== undefined && !isPlainObject(value.metadata))
    throw badRequest('metadata must be an object');
  if (isPlainObject(value.metadata) && value.metadata.managedFields !== undefined)
    throw badRequest('metadata.managedFields must be nil');
  const config = structuredClone(value) as Resource;
  handleUnknownFields(def, def.shape, config, '', policy);
  config.metadata ??= {};
  config.metadata.name ||= name;
  if (!config.metadata.name) {
    throw invalid(def.kind, '', [fieldError('metadata.name', 'Required', 'name is required for apply')]);
  }
  if (name !== undefined && config.metadata.name !== name) {
    throw badRequest(
      `the name of the object (${config.metadata.name}) does not match the name on the URL (${name})`,
    );
  }
  if (def.namespaced) {
    const own = config.metadata.namespace;
    if (own && namespace && own !== namespace)
      throw badRequest(
        'the namespace of the provided object does not match the namespace sent on the request',
      );
    config.metadata.namespace = own || namespace || 'default';
  }
  return config;
}

function badRequest(message: string): ApiError {
  return new ApiError('BAD_REQUEST', message);
}
