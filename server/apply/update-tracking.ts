import { timestamp } from '../resources/object-meta.ts';
import type { KindDefinition, Resource } from '../../schema/kind.ts';
import type { ManagedFieldsEntry } from '../../schema/kinds/meta.ts';
import { managedFieldsOf, managerIdentity, managersOf, type ManagerInfo } from './managed-fields.ts';
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
  const managers = managersOf(before);
  const touched = changed.union(removed);
  for (const [identity, managed] of managers)
    managers.set(identity, { ...managed, fields: managed.fields.difference(touched) });
  if (!changed.isEmpty()) {
    const info: ManagerInfo = {
      manager,
      operation: 'Update',
      apiVersion: def.apiVersion,
      ...(recorded ? { subresource: recorded } : {}),
    };
    const identity = managerIdentity(info);
    const previous = managers.get(identity)?.fields;
    managers.set(identity, {
      info: { ...info, time: now },
      fields: previous ? previous.union(changed) : changed,
    });
  }
  return managedFieldsOf(managers);
}
