import { timestamp } from '../resources/object-meta.ts';
import type { KindDefinition, Resource } from '../../schema/kind.ts';
import type { ManagedFieldsEntry } from '../../schema/kinds/meta.ts';
import type { FieldsV1 } from './fields-v1.ts';
import { EMPTY_FIELDS, isEmptyFields, withFields, withoutFields } from './fields-v1-edits.ts';
import { managerIdentity, storedOrder, type ManagerInfo } from './managed-fields.ts';
import { DEFAULT_FIELD_MANAGER, type FieldOwner } from './field-manager.ts';
import { compareFields } from './object-fields.ts';
import { trackedPart, type Subresource } from './tracked-fields.ts';

/** The managedFields of an object a write is about to store, from the object before and after it. */
export type Ownership = (before: Resource | undefined, after: Resource) => ManagedFieldsEntry[] | undefined;

/** How a write that is not an apply changes managedFields (`trackUpdate`), for its owner. */
export function updateOwnership(def: KindDefinition, owner: FieldOwner, subresource: Subresource): Ownership {
  const manager = owner.fieldManager ?? DEFAULT_FIELD_MANAGER;
  const recorded = owner.subresource ?? subresource;
  return (before, after) => trackUpdate(def, before, after, manager, subresource, recorded, timestamp());
}

/**
 * The managedFields after a write that is not an apply (create, replace, a patch, a
 * controller's status update): `manager`'s Update entry gains the fields the write
 * added or changed and loses those it removed, and every other manager loses all three,
 * as structured-merge-diff's Update does. A write that changes no tracked field leaves
 * the entries as they were, time included, so an unchanged object stays unchanged.
 * `subresource` says which part of the object the write may change, `recorded` which
 * subresource the entry names (a scale write changes the object, and is recorded as `scale`).
 */
export function trackUpdate(
  def: KindDefinition,
  before: Resource | undefined,
  after: Resource,
  manager: string,
  subresource: Subresource,
  recorded: string,
  now: string,
): ManagedFieldsEntry[] | undefined {
  const { added, modified, removed } = compareFields(
    def.shape,
    trackedPart(def, before, subresource),
    trackedPart(def, after, subresource),
  );
  const changed = added.union(modified);
  if (changed.isEmpty() && removed.isEmpty()) return before?.metadata.managedFields;
  const info: ManagerInfo = {
    manager,
    operation: 'Update',
    apiVersion: def.apiVersion,
    ...(recorded ? { subresource: recorded } : {}),
  };
  const identity = managerIdentity(info);
  const touched = changed.union(removed);
  const entries: ManagedFieldsEntry[] = [];
  let own: FieldsV1 = EMPTY_FIELDS;
  let ownWhere = '';
  for (const [i, entry] of (before?.metadata.managedFields ?? []).entries()) {
    const where = `metadata.managedFields[${i}].fieldsV1`;
    const stored = (entry.fieldsV1 ?? EMPTY_FIELDS) as FieldsV1;
    if (managerIdentity(entry) !== identity) keep(entries, entry, withoutFields(stored, touched, where));
    else if (changed.isEmpty()) keep(entries, entry, withoutFields(stored, removed, where));
    else [own, ownWhere] = [stored, where];
  }
  if (!changed.isEmpty()) {
    // (previous − touched) ∪ changed, worked out as (previous − removed) ∪ changed: the
    // same set, and the very stored one when the write keeps its manager's paths (a
    // status write by the status's owner), which then only gets a new time.
    entries.push({
      manager,
      operation: 'Update',
      apiVersion: def.apiVersion,
      time: now,
      fieldsType: 'FieldsV1',
      fieldsV1: withFields(withoutFields(own, removed, ownWhere), changed, ownWhere),
      ...(recorded ? { subresource: recorded } : {}),
    });
  }
  return entries.sort(storedOrder);
}

/** `entry` with `fieldsV1`, the very entry when they are its own; nothing when they are empty. */
function keep(entries: ManagedFieldsEntry[], entry: ManagedFieldsEntry, fieldsV1: FieldsV1): void {
  if (isEmptyFields(fieldsV1)) return;
  entries.push(fieldsV1 === entry.fieldsV1 ? entry : { ...entry, fieldsV1 });
}
