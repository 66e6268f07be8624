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
 * Decoded once per stored entry list: committed objects are frozen and shared, so the
 * next write of the same object finds its managers here instead of decoding them again.
 */
const decoded = new WeakMap<readonly ManagedFieldsEntry[], Managers>();

/** The stored encoding of a decoded set, for a manager whose fields a write leaves alone. */
const encodings = new WeakMap<FieldSet, unknown>();

/** The managers of an object (none for an object that is not there). A copy the caller may change. */
export function managersOf(obj: Resource | undefined): Managers {
  const entries = obj?.metadata.managedFields;
  if (!entries?.length) return new Map();
  let managers = decoded.get(entries);
  if (!managers) {
    managers = new Map();
    for (const [i, { fieldsV1, fieldsType: _, ...info }] of entries.entries()) {
      const fields = rootFromFieldsV1(fieldsV1 ?? {}, `metadata.managedFields[${i}].fieldsV1`);
      encodings.set(fields, fieldsV1);
      managers.set(managerIdentity(info), { info, fields });
    }
    if (Object.isFrozen(entries)) decoded.set(entries, managers);
  }
  return new Map(managers);
}

/**
 * The entries of `managers` as stored, in Kubernetes' order: appliers first, then by
 * time, manager and subresource. Managers left without fields are dropped.
 */
export function managedFieldsOf(managers: Managers): ManagedFieldsEntry[] {
  const kept = [...managers.values()].filter(({ fields }) => !fields.isEmpty());
  kept.sort(
    (a, b) =>
      compare(a.info.operation, b.info.operation) ||
      compare(a.info.time, b.info.time) ||
      compare(a.info.manager, b.info.manager) ||
      compare(a.info.subresource, b.info.subresource),
  );
  return kept.map(({ info, fields }) => ({
    manager: info.manager,
    operation: info.operation,
    apiVersion: info.apiVersion,
    time: info.time,
    fieldsType: 'FieldsV1',
    fieldsV1: encodings.get(fields) ?? toFieldsV1(fields),
    ...(info.subresource ? { subresource: info.subresource } : {}),
  }));
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
