import type { FieldSet } from './field-set.ts';
import { LEAF, SELF, badFields, isRecord, toFieldsV1, type FieldsV1 } from './fields-v1.ts';
import type { PathElement } from './path-element.ts';

/**
 * A stored manager's fields changed in their FieldsV1 encoding, without decoding them:
 * every write takes the paths it touched from every manager and gives its own manager
 * the paths it changed, and those are a few paths of sets of dozens. Only the nodes on
 * the touched paths are copied; the rest, and a set the write leaves alone, stay the
 * very (frozen) objects stored, which costs nothing to keep and nothing for the store to
 * compare with the previous version.
 *
 * Values are roots (`{}` is the empty set); a node is a member when it is `{}` or has
 * `"."`, and a node that is neither a member nor has children is not kept.
 */

/** `value`'s paths without those of `set` (exact paths, as FieldSet.difference). */
export function withoutFields(value: FieldsV1, set: FieldSet, where: string): FieldsV1 {
  return without(value, set, true, where) ?? EMPTY_FIELDS;
}

/** `value`'s paths and those of `set`. */
export function withFields(value: FieldsV1, set: FieldSet, where: string): FieldsV1 {
  return withSet(value, set, true, where);
}

export function isEmptyFields(value: FieldsV1): boolean {
  for (const _ in value) return false;
  return true;
}

/** The empty set, as a root. */
export const EMPTY_FIELDS: FieldsV1 = LEAF;

/** `value` without `set`'s paths; undefined when nothing is left of the node. */
function without(value: FieldsV1, set: FieldSet, root: boolean, where: string): FieldsV1 | undefined {
  if (!isRecord(value)) throw badFields(where, 'must be an object');
  const member = isMember(value, root);
  if (set.isEmpty()) return value;
  let out: Record<PathElement, FieldsV1> | undefined;
  for (const [element, child] of set.children) {
    if (element === SELF || !Object.hasOwn(value, element)) continue;
    const mine = value[element];
    const rest = without(mine, child, false, where);
    if (rest === mine) continue;
    out ??= { ...value };
    if (rest) out[element] = rest;
    else delete out[element];
  }
  const stays = member && !set.member;
  if (!out && stays === member) return value;
  return node(out ?? { ...value }, stays, root);
}

/** `value` with `set`'s paths. */
function withSet(value: FieldsV1 | undefined, set: FieldSet, root: boolean, where: string): FieldsV1 {
  if (value === undefined) return toFieldsV1(set);
  if (!isRecord(value)) throw badFields(where, 'must be an object');
  if (set.isEmpty()) return value;
  const member = isMember(value, root);
  let out: Record<PathElement, FieldsV1> | undefined;
  let added = false;
  for (const [element, child] of set.children) {
    const mine = Object.hasOwn(value, element) ? value[element] : undefined;
    const next = withSet(mine, child, false, where);
    if (next === mine) continue;
    out ??= { ...value };
    out[element] = next;
    added ||= mine === undefined;
  }
  const becomes = member || (set.member && !root);
  if (!out && becomes === member) return value;
  out ??= { ...value };
  // New keys go in order, as an encoded set has them.
  // Not empty: it has the paths of `set`, which is not.
  return node(added ? sorted(out) : out, becomes, root)!;
}

function isMember(value: FieldsV1, root: boolean): boolean {
  return !root && (Object.hasOwn(value, SELF) || isEmptyFields(value));
}

/** A node of `children` (and maybe `.`), made a member or not, frozen; undefined when empty. */
function node(children: Record<PathElement, FieldsV1>, member: boolean, root: boolean): FieldsV1 | undefined {
  delete children[SELF];
  if (isEmptyFields(children)) return member ? LEAF : root ? EMPTY_FIELDS : undefined;
  return Object.freeze(member ? { [SELF]: LEAF, ...children } : children);
}

function sorted(children: Record<PathElement, FieldsV1>): Record<PathElement, FieldsV1> {
  const out: Record<PathElement, FieldsV1> = {};
  for (const element of Object.keys(children).sort()) out[element] = children[element];
  return out;
}
