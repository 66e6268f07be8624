import type { KindDefinition, Resource } from '../../schema/kind.ts';

/** Where a write goes: the object itself, or its status subresource. */
export type Subresource = '' | 'status';

/**
 * The part of an object whose fields have owners: not apiVersion and kind, not the
 * metadata the server sets (Kubernetes' stripped fields), and only what the write's
 * endpoint may change — the status through the status subresource, the rest through the
 * object (its status is reset there, as Kubernetes' strategies' reset fields).
 */
export function trackedPart(
  def: KindDefinition,
  obj: Resource | undefined,
  subresource: Subresource,
): unknown {
  if (!obj) return undefined;
  if (subresource === 'status') return obj.status === undefined ? {} : { status: obj.status };
  const { apiVersion: _v, kind: _k, metadata, ...rest } = obj;
  if (def.hasStatus) delete rest.status;
  const {
    name: _name,
    namespace: _namespace,
    uid: _uid,
    resourceVersion: _resourceVersion,
    generation: _generation,
    creationTimestamp: _creationTimestamp,
    deletionTimestamp: _deletionTimestamp,
    deletionGracePeriodSeconds: _deletionGracePeriodSeconds,
    managedFields: _managedFields,
    ...meta
  } = metadata ?? {};
  return { ...rest, metadata: meta };
}
