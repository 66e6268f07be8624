import { ApiError } from '../errors.ts';
import { FieldSet } from './field-set.ts';
import { isPathElement } from './path-element.ts';

/** FieldsV1's mark of a node that is itself in the set, beside its children. */
export const SELF = '.';

export type FieldsV1 = { readonly [element: string]: FieldsV1 };

/** A member without children, and the `.` mark: one frozen `{}` for all of them. */
export const LEAF: FieldsV1 = Object.freeze({});

/**
 * A field set in Kubernetes' FieldsV1 encoding: each path element a key, a member with
 * no children `{}`, a member with children also `".": {}`. Keys in order, as stored
 * objects are compared for equality. Frozen, as stored objects are. A set decoded from a
 * frozen value gives that very value back (`FieldSet.encoded`), as do its unchanged
 * subtrees, so a manager whose fields a write leaves alone keeps its stored fieldsV1.
 */
export function toFieldsV1(set: FieldSet): FieldsV1 {
  if (set.encoded) return set.encoded as FieldsV1;
  let out = LEAF;
  if (set.children.size > 0) {
    const encoded: Record<string, FieldsV1> = {};
    if (set.member) encoded[SELF] = LEAF;
    for (const element of [...set.children.keys()].sort())
      encoded[element] = toFieldsV1(set.children.get(element)!);
    out = Object.freeze(encoded);
  }
  set.encoded = out;
  return out;
}

/** The field set a FieldsV1 value encodes; a value that is none is BAD_REQUEST. */
export function fromFieldsV1(value: unknown, where = 'fieldsV1'): FieldSet {
  const set = new FieldSet();
  if (!isRecord(value)) throw badFields(where, 'must be an object');
  const entries = Object.entries(value);
  // `{}` below the root is a member without children: a leaf.
  set.member = entries.length === 0 || Object.hasOwn(value, SELF);
  for (const [element, child] of entries) {
    if (element === SELF) continue;
    if (!isPathElement(element)) throw badFields(where, `invalid path element ${JSON.stringify(element)}`);
    set.children.set(element, fromFieldsV1(child, where));
  }
  // A frozen value cannot change: it stays this node's encoding.
  if (Object.isFrozen(value)) set.encoded = value;
  return set;
}

/** The root of a FieldsV1 value is never a member: `{}` there is the empty set. */
export function rootFromFieldsV1(value: unknown, where?: string): FieldSet {
  const set = fromFieldsV1(value, where);
  if (set.member) {
    // Without its membership, the value no longer encodes this set.
    set.member = false;
    set.encoded = undefined;
  }
  return set;
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function badFields(where: string, problem: string): ApiError {
  return new ApiError('BAD_REQUEST', `${where}: ${problem}`);
}
