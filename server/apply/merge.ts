import type { Shape } from '../../schema/shape.ts';
import { isPlainObject } from '../../schema/shape-check.ts';
import type { FieldSet } from './field-set.ts';
import { keyedItems, listKeys } from './list-keys.ts';

/**
 * An applied configuration merged into the live object, as server-side apply merges:
 * objects and maps field by field, keyed lists item by item (live order, new items
 * after), anything else replaced by the configuration's value. Neither input is modified.
 */
export function mergeApplied(shape: Shape | undefined, live: unknown, config: unknown): unknown {
  if (config === undefined) return live;
  if (isPlainObject(config) && isPlainObject(live) && (!shape || shape.t !== 'list')) {
    const out: Record<string, unknown> = { ...live };
    for (const [name, value] of Object.entries(config)) {
      const field = shape?.t === 'object' ? shape.fields[name] : undefined;
      // Defined, not assigned: a `__proto__` key stays a key.
      Object.defineProperty(out, name, {
        value: mergeApplied(field, live[name], value),
        enumerable: true,
        writable: true,
        configurable: true,
      });
    }
    return out;
  }
  const keys = shape?.t === 'list' ? listKeys(shape) : undefined;
  const liveItems = keys && keyedItems(keys, live);
  const configItems = liveItems && keyedItems(keys, config);
  if (shape?.t === 'list' && liveItems && configItems) {
    const merged = [...liveItems].map(([element, item]) =>
      configItems.has(element) ? mergeApplied(shape.of, item, configItems.get(element)) : item,
    );
    for (const [element, item] of configItems)
      if (!liveItems.has(element)) merged.push(structuredClone(item));
    return merged;
  }
  return structuredClone(config);
}

/**
 * The value without the paths of `remove`: a member path goes with everything under it,
 * a keyed list's item member takes the item out. The value is not modified.
 */
export function removeFields(shape: Shape | undefined, value: unknown, remove: FieldSet): unknown {
  if (remove.children.size === 0) return value;
  if (isPlainObject(value)) {
    const out: Record<string, unknown> = { ...value };
    for (const [element, child] of remove.children) {
      if (!element.startsWith('f:')) continue;
      const name = element.slice(2);
      if (!Object.hasOwn(out, name)) continue;
      if (child.member) delete out[name];
      else out[name] = removeFields(shape?.t === 'object' ? shape.fields[name] : undefined, out[name], child);
    }
    return out;
  }
  const keys = shape?.t === 'list' ? listKeys(shape) : undefined;
  const items = keys && keyedItems(keys, value);
  if (shape?.t === 'list' && items) {
    const kept: unknown[] = [];
    for (const [element, item] of items) {
      const child = remove.children.get(element);
      if (!child) kept.push(item);
      else if (!child.member) kept.push(removeFields(shape.of, item, child));
    }
    return kept;
  }
  return value;
}
