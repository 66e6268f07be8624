import type { KindDefinition, Resource } from '../../schema/kind.ts';
import { timestamp } from '../resources/object-meta.ts';
import { ApplyConflict, type FieldConflict } from './apply-conflict.ts';
import { DEFAULT_FIELD_MANAGER } from './field-manager.ts';
import { FieldSet } from './field-set.ts';
import {
  managedFieldsOf,
  managerIdentity,
  managersOf,
  othersFields,
  type ManagerInfo,
} from './managed-fields.ts';
import { mergeApplied, removeFields } from './merge.ts';
import { compareFields, fieldsOf } from './object-fields.ts';
import type { PathElement } from './path-element.ts';
import { trackedPart } from './tracked-fields.ts';
import type { Ownership } from './update-tracking.ts';

export interface ApplyOptions {
  fieldManager?: string;
  /** Take the fields other managers own instead of failing with a conflict. */
  force?: boolean;
}

/** An apply worked out against the live object: what to admit, and how ownership follows. */
export interface PreparedApply {
  /** The live object with the configuration merged in and the fields the applier let go removed. */
  merged: Resource;
  /** The managedFields of the admitted object; throws ApplyConflict unless forced. */
  ownership: Ownership;
}

/**
 * Server-side apply, as Kubernetes does it with structured-merge-diff: the applier comes
 * to own exactly the fields of its configuration. Merged into the live object (merge.ts);
 * fields it owned before and applies no more are removed unless another manager owns
 * them; a change to a field another manager owns is a conflict (ApplyConflict), unless
 * forced, when the applier takes the field from it.
 */
export function prepareApply(
  def: KindDefinition,
  live: Resource | undefined,
  config: Resource,
  options: ApplyOptions,
): PreparedApply {
  const info: ManagerInfo = {
    manager: options.fieldManager ?? DEFAULT_FIELD_MANAGER,
    operation: 'Apply',
    apiVersion: def.apiVersion,
  };
  const identity = managerIdentity(info);
  const managers = managersOf(live);
  const applied = fieldsOf(def.shape, trackedPart(def, config, ''));
  const previous = managers.get(identity);
  const released = (previous?.fields ?? new FieldSet()).difference(applied);
  const kept = othersFields(managers, identity).union(applied);
  const merged = live
    ? (removeFields(
        def.shape,
        mergeApplied(def.shape, structuredClone(live), config),
        unheld(released, kept),
      ) as Resource)
    : structuredClone(config);

  const ownership: Ownership = (before, after) => {
    const { added, modified, removed } = compareFields(
      def.shape,
      trackedPart(def, before, ''),
      trackedPart(def, after, ''),
    );
    const changed = added.union(modified);
    const conflicts: FieldConflict[] = [];
    for (const [other, managed] of managers) {
      if (other === identity) continue;
      for (const path of managed.fields.intersection(changed).paths())
        conflicts.push({ manager: managed.info, path });
      managers.set(other, { ...managed, fields: managed.fields.difference(changed).difference(removed) });
    }
    if (conflicts.length > 0 && !options.force) throw new ApplyConflict(conflicts);
    const objectChanged = !changed.isEmpty() || !removed.isEmpty();
    const time = objectChanged || !previous ? timestamp() : previous.info.time;
    // An applier that applies the fields it owns keeps its stored set, and its encoding.
    const fields = previous?.fields.equals(applied) ? previous.fields : applied;
    managers.set(identity, { info: { ...info, time }, fields, stored: previous?.stored });
    return managedFieldsOf(managers);
  };
  return { merged, ownership };
}

/**
 * The paths of `released` that nobody in `kept` holds: neither the path itself nor
 * anything under it (a field whose subfields another manager owns stays).
 */
function unheld(released: FieldSet, kept: FieldSet): FieldSet {
  const out = new FieldSet();
  const walk = (node: FieldSet, held: FieldSet | undefined, path: PathElement[]) => {
    if (node.member && !held) out.insert(path);
    for (const [element, child] of node.children) {
      path.push(element);
      walk(child, held?.children.get(element), path);
      path.pop();
    }
  };
  walk(released, kept, []);
  return out;
}
