/**
 * The object without `metadata.managedFields`, as kubectl prints and edits objects unless
 * asked (`--show-managed-fields`): the server's record of which manager set which field is
 * long, and what a client sends of it is ignored anyway. A frozen object (as the store
 * hands out) gives a frozen copy, so that what was read-only stays read-only.
 */
export function withoutManagedFields<T extends { metadata?: object }>(obj: T): T {
  if (!obj.metadata || !('managedFields' in obj.metadata)) return obj;
  const { managedFields: _dropped, ...metadata } = obj.metadata as { managedFields?: unknown };
  const copy = { ...obj, metadata };
  if (Object.isFrozen(obj)) {
    Object.freeze(metadata);
    Object.freeze(copy);
  }
  return copy;
}
