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
  | { by: 'items'; keys: readonly string[]; item: Granularity }
  | { by: 'whole' };

const WHOLE: Granularity = { by: 'whole' };
const KEYS: Granularity = { by: 'keys' };

/** Worked out once per shape: every write walks its object with the same few shapes. */
const granularities = new WeakMap<Shape, Granularity>();

function granularity(shape: Shape | undefined): Granularity {
  if (!shape) return WHOLE;
  let known = granularities.get(shape);
  if (!known) granularities.set(shape, (known = granularityOf(shape)));
  return known;
}

function granularityOf(shape: Shape): Granularity {
  if (shape.t === 'object') return { by: 'fields', shape };
  if (shape.t === 'scalar')
    return shape.scalar === 'StringMap' || shape.scalar === 'ResourceList' ? KEYS : WHOLE;
  const keys = listKeys(shape);
  return keys && shape.of.t === 'object' ? { by: 'items', keys, item: granularity(shape.of) } : WHOLE;
}

/** The granularity of a field of an object or map owned field by field. */
function childGranularity(of: Granularity, name: string): Granularity {
  return of.by === 'fields' ? granularity(of.shape.fields[name]) : WHOLE;
}

/** The fields `value` sets, walked with its shape (an applied configuration's, or an object's). */
export function fieldsOf(shape: Shape | undefined, value: unknown): FieldSet {
  const set = new FieldSet();
  collect(granularity(shape), value, set);
  return set;
}

/** Adds the fields `value` sets to `node`, the node of the value's own path. */
function collect(of: Granularity, value: unknown, node: FieldSet): void {
  if (value === undefined) return;
  if ((of.by === 'fields' || of.by === 'keys') && isPlainObject(value)) {
    for (const name of Object.keys(value)) {
      const field = value[name];
      if (field === undefined) continue;
      const child = new FieldSet();
      collect(childGranularity(of, name), field, child);
      node.attach(fieldElement(name), child);
    }
    return;
  }
  const items = of.by === 'items' ? keyedItems(of.keys, value) : undefined;
  if (of.by === 'items' && items) {
    for (const [element, entry] of items) {
      const child = new FieldSet();
      child.member = true;
      collect(of.item, entry, child);
      node.attach(element, child);
    }
    return;
  }
  node.member = true;
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

/**
 * Walks both versions together. Changes are few and far down (a condition's time, a
 * replica count), so they are inserted by path; a value added or removed whole is
 * collected as a subtree and put in place in one step.
 */
function compare(
  of: Granularity,
  before: unknown,
  after: unknown,
  path: PathElement[],
  out: Comparison,
): void {
  if (before === after) return;
  if (before === undefined) return graft(out.added, path, of, after);
  if (after === undefined) return graft(out.removed, path, of, before);
  if ((of.by === 'fields' || of.by === 'keys') && isPlainObject(before) && isPlainObject(after)) {
    for (const name of Object.keys(before)) {
      path.push(fieldElement(name));
      compare(
        childGranularity(of, name),
        before[name],
        Object.hasOwn(after, name) ? after[name] : undefined,
        path,
        out,
      );
      path.pop();
    }
    for (const name of Object.keys(after)) {
      if (Object.hasOwn(before, name)) continue;
      path.push(fieldElement(name));
      compare(childGranularity(of, name), undefined, after[name], path, out);
      path.pop();
    }
    return;
  }
  if (of.by === 'items') {
    const old = keyedItems(of.keys, before);
    const now = old && keyedItems(of.keys, after);
    if (old && now) {
      for (const [element, was] of old) {
        path.push(element);
        const is = now.get(element);
        if (!is) out.removed.insert(path);
        compare(of.item, was, is, path, out);
        path.pop();
      }
      for (const [element, is] of now) {
        if (old.has(element)) continue;
        path.push(element);
        out.added.insert(path);
        compare(of.item, undefined, is, path, out);
        path.pop();
      }
      return;
    }
  }
  if (typeof before !== 'object' || typeof after !== 'object' || !isDeepStrictEqual(before, after))
    out.modified.insert(path);
}

/** Adds the fields `value` sets, at `path`, to `set`. */
function graft(set: FieldSet, path: readonly PathElement[], of: Granularity, value: unknown): void {
  if (path.length === 0) return collect(of, value, set);
  const node = new FieldSet();
  collect(of, value, node);
  if (node.isEmpty()) return;
  let parent = set;
  for (const element of path.slice(0, -1)) {
    let next = parent.children.get(element);
    if (!next) parent.children.set(element, (next = new FieldSet()));
    parent = next;
  }
  const at = path[path.length - 1];
  const existing = parent.children.get(at);
  parent.children.set(at, existing ? existing.union(node) : node);
}
