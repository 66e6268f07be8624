import type { Resource } from '../../schema/kind.ts';
import type { ManagedFieldsEntry } from '../../schema/kinds/meta.ts';
import { FieldSet } from './field-set.ts';
import { rootFromFieldsV1, toFieldsV1 } from './fields-v1.ts';

/** What a manager entry is about, without its fields: who, how, at which version, which subresource. */
export type ManagerInfo = Omit<ManagedFieldsEntry, 'fieldsV1' | 'fieldsType'>;

/** One manager's fields. */
export interface Managed {
  info: ManagerInfo;
  fields: FieldSet;
  /** The stored entry this manager was read from, to store again if a write leaves it as it was. */
  stored?: ManagedFieldsEntry;
}

/** Every manager of an object, by identity (`managerIdentity`). */
export type Managers = Map<string, Managed>;

/**
 * Who a manager entry belongs to, as Kubernetes tells entries apart: manager, operation,
 * subresource, and for updates the apiVersion (an applier stays the same applier across
 * versions).
 */
export function managerIdentity(info: ManagerInfo): string {
  const { manager, operation, apiVersion, subresource } = info;
  return JSON.stringify([
    manager ?? '',
    operation ?? '',
    operation === 'Apply' ? '' : (apiVersion ?? ''),
    subresource ?? '',
  ]);
}

/**
 * The managers of an object (none for an object that is not there), in a new map the
 * caller may change. A set decoded from a stored (frozen) value encodes as that very
 * value again (fields-v1.ts), so a manager an apply leaves alone keeps its stored entry.
 */
export function managersOf(obj: Resource | undefined): Managers {
  const managers: Managers = new Map();
  const entries = obj?.metadata.managedFields;
  if (!entries?.length) return managers;
  for (const [i, entry] of entries.entries()) {
    const { fieldsV1, fieldsType: _, ...info } = entry;
    const fields = rootFromFieldsV1(fieldsV1 ?? {}, `metadata.managedFields[${i}].fieldsV1`);
    managers.set(managerIdentity(info), {
      info,
      fields,
      ...(Object.isFrozen(entry) ? { stored: entry } : {}),
    });
  }
  return managers;
}

/**
 * The entries of `managers` as stored, in Kubernetes' order: appliers first, then by
 * time, manager and subresource. Managers left without fields are dropped. A manager
 * whose info and fields a write left alone keeps its stored entry, the very object.
 */
export function managedFieldsOf(managers: Managers): ManagedFieldsEntry[] {
  const kept = [...managers.values()].filter(({ fields }) => !fields.isEmpty());
  kept.sort((a, b) => storedOrder(a.info, b.info));
  return kept.map(({ info, fields, stored }) => {
    const fieldsV1 = toFieldsV1(fields);
    if (stored?.fieldsV1 === fieldsV1 && sameInfo(stored, info)) return stored;
    return {
      manager: info.manager,
      operation: info.operation,
      apiVersion: info.apiVersion,
      time: info.time,
      fieldsType: 'FieldsV1',
      fieldsV1,
      ...(info.subresource ? { subresource: info.subresource } : {}),
    };
  });
}

function sameInfo(entry: ManagedFieldsEntry, info: ManagerInfo): boolean {
  return (
    entry.manager === info.manager &&
    entry.operation === info.operation &&
    entry.apiVersion === info.apiVersion &&
    entry.time === info.time &&
    entry.subresource === info.subresource
  );
}

/** Kubernetes' order of managedFields: appliers first, then by time, manager and subresource. */
export function storedOrder(a: ManagerInfo, b: ManagerInfo): number {
  return (
    compare(a.operation, b.operation) ||
    compare(a.time, b.time) ||
    compare(a.manager, b.manager) ||
    compare(a.subresource, b.subresource)
  );
}

/** Byte order, as Go compares strings. */
function compare(a = '', b = ''): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Every other manager's fields in one set. */
export function othersFields(managers: Managers, except: string): FieldSet {
  let all = new FieldSet();
  for (const [identity, { fields }] of managers) if (identity !== except) all = all.union(fields);
  return all;
}

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
