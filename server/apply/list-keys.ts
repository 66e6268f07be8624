import type { ListShape } from '../../schema/shape.ts';
import { isPlainObject } from '../../schema/shape-check.ts';
import type { PathElement } from './path-element.ts';

/**
 * Key fields that admission defaults, with their defaults: an applied port without a
 * protocol is the stored port with protocol TCP, as Kubernetes' schemas tell
 * structured-merge-diff.
 */
const KEY_DEFAULTS: Record<string, unknown> = { protocol: 'TCP' };

/** The fields that identify an item of a keyed list; none for lists that are atomic. */
export function listKeys(shape: ListShape): readonly string[] | undefined {
  if (shape.of.t !== 'object') return undefined;
  return shape.mapKeys ?? (shape.mergeKey ? [shape.mergeKey] : undefined);
}

/**
 * The items of a keyed list by their path elements, in list order; undefined when the
 * value is not such a list (an item that is no object, a duplicate key), which is then
 * handled as one atomic value.
 */
export function keyedItems(
  keys: readonly string[],
  value: unknown,
): Map<PathElement, Record<string, unknown>> | undefined {
  if (!Array.isArray(value)) return undefined;
  const items = new Map<PathElement, Record<string, unknown>>();
  for (const item of value) {
    if (!isPlainObject(item)) return undefined;
    const element = itemElement(keys, item);
    if (element === undefined || items.has(element)) return undefined;
    items.set(element, item);
  }
  return items;
}

/** A keyed list's key fields in name order, each with its JSON name: the start of every item's element. */
const sortedKeys = new WeakMap<readonly string[], Array<[name: string, json: string]>>();

/**
 * The item's path element, as keyElement writes it (`k:{"name":"web"}`), built here
 * without an object in between: every item of every keyed list is keyed on every write.
 */
function itemElement(keys: readonly string[], item: Record<string, unknown>): PathElement | undefined {
  let sorted = sortedKeys.get(keys);
  if (!sorted) {
    sorted = [...keys].sort().map((name) => [name, JSON.stringify(name)]);
    sortedKeys.set(keys, sorted);
  }
  let element = 'k:{';
  for (const [i, [name, json]] of sorted.entries()) {
    const value = item[name] ?? KEY_DEFAULTS[name];
    if (value === undefined || value === null || typeof value === 'object') return undefined;
    element += `${i > 0 ? ',' : ''}${json}:${JSON.stringify(value)}`;
  }
  return `${element}}`;
}
