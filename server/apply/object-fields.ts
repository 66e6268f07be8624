import { isDeepStrictEqual } from 'node:util';
import type { ObjectShape, Shape } from '../../schema/shape.ts';
import { isPlainObject } from '../../schema/shape-check.ts';
import { FieldSet } from './field-set.ts';
import { keyedItems, listKeys } from './list-keys.ts';
import { fieldElement, type PathElement } from './path-element.ts';

/**
 * How a value is owned, as structured-merge-diff sees the kind's schema: an object's
 * fields and a map's keys one by one, a keyed list's items one by one (the item itself
 * and its fields), anything else — scalars, other lists, free-form JSON — as one value.
 */
type Granularity =
  | { by: 'fields'; shape: ObjectShape }
  | { by: 'keys' }
  | { by: 'items'; keys: readonly string[]; item: ObjectShape }
  | { by: 'whole' };

const WHOLE: Granularity = { by: 'whole' };
const KEYS: Granularity = { by: 'keys' };

function granularity(shape: Shape | undefined): Granularity {
  if (!shape) return WHOLE;
  if (shape.t === 'object') return { by: 'fields', shape };
  if (shape.t === 'scalar')
    return shape.scalar === 'StringMap' || shape.scalar === 'ResourceList' ? KEYS : WHOLE;
  const keys = listKeys(shape);
  return keys && shape.of.t === 'object' ? { by: 'items', keys, item: shape.of } : WHOLE;
}

/** The shape of a field of an object or map owned field by field. */
function childShape(of: Granularity, name: string): Shape | undefined {
  return of.by === 'fields' ? of.shape.fields[name] : undefined;
}

/** The fields `value` sets, walked with its shape (an applied configuration's, or an object's). */
export function fieldsOf(shape: Shape | undefined, value: unknown): FieldSet {
  const set = new FieldSet();
  collect(granularity(shape), value, [], set);
  return set;
}

function collect(of: Granularity, value: unknown, path: PathElement[], into: FieldSet): void {
  if (value === undefined) return;
  if ((of.by === 'fields' || of.by === 'keys') && isPlainObject(value)) {
    for (const [name, field] of Object.entries(value)) {
      if (field === undefined) continue;
      path.push(fieldElement(name));
      collect(granularity(childShape(of, name)), field, path, into);
      path.pop();
    }
    return;
  }
  const items = of.by === 'items' ? keyedItems(of.keys, value) : undefined;
  if (of.by === 'items' && items) {
    const item = { by: 'fields', shape: of.item } as const;
    for (const [element, entry] of items) {
      path.push(element);
      into.insert(path);
      collect(item, entry, path, into);
      path.pop();
    }
    return;
  }
  into.insert(path);
}

/** What changed between two versions of a value, by path, as structured-merge-diff compares them. */
export interface Comparison {
  added: FieldSet;
  modified: FieldSet;
  removed: FieldSet;
}

export function compareFields(shape: Shape | undefined, before: unknown, after: unknown): Comparison {
  const out = { added: new FieldSet(), modified: new FieldSet(), removed: new FieldSet() };
  compare(granularity(shape), before, after, [], out);
  return out;
}

function compare(
  of: Granularity,
  before: unknown,
  after: unknown,
  path: PathElement[],
  out: Comparison,
): void {
  if (before === after) return;
  if (before === undefined) return collect(of, after, path, out.added);
  if (after === undefined) return collect(of, before, path, out.removed);
  if ((of.by === 'fields' || of.by === 'keys') && isPlainObject(before) && isPlainObject(after)) {
    for (const name of new Set([...Object.keys(before), ...Object.keys(after)])) {
      path.push(fieldElement(name));
      compare(granularity(childShape(of, name)), before[name], after[name], path, out);
      path.pop();
    }
    return;
  }
  if (of.by === 'items') {
    const old = keyedItems(of.keys, before);
    const now = old && keyedItems(of.keys, after);
    if (old && now) {
      const item = { by: 'fields', shape: of.item } as const;
      for (const element of new Set([...old.keys(), ...now.keys()])) {
        path.push(element);
        const was = old.get(element);
        const is = now.get(element);
        if (!was) out.added.insert(path);
        if (!is) out.removed.insert(path);
        compare(item, was, is, path, out);
        path.pop();
      }
      return;
    }
  }
  if (!isDeepStrictEqual(before, after)) out.modified.insert(path);
}
