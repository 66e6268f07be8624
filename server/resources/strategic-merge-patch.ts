import type { ListShape, Shape } from '../../schema/shape.ts';
import { isPlainObject } from '../../schema/shape-check.ts';
import { ApiError } from '../errors.ts';

/**
 * Strategic merge patch, as Kubernetes applies it on the server (apimachinery's
 * strategicpatch, with the merge keys taken from the kind shapes instead of Go struct
 * tags): what `kubectl apply` (client-side), `edit`, `set image` and `rollout restart`
 * send. It is a JSON merge patch except for lists:
 *
 * - a list the shape marks `keyedBy` (containers by `name`, ports by `containerPort`) is
 *   merged item by item by its merge key; an item `{ $patch: delete, <key>: ... }`
 *   removes the item with that key, an item `{ $patch: replace }` makes the patch's items
 *   the whole list;
 * - `$setElementOrder/<field>` orders the merged list; `$deleteFromPrimitiveList/<field>`
 *   removes values from a list of scalars. Kubernetes merges some lists of scalars
 *   (finalizers) as sets; the shapes do not say which, so a list of scalars is merged as a
 *   set exactly when the patch carries one of these two directives for it, which kubectl
 *   sends only for such lists, and replaced otherwise;
 * - every other list is replaced;
 * - `$patch: replace` in an object replaces the object, `$patch: delete` empties it, and
 *   `$retainKeys` clears the fields it does not name (how apply switches a union such as
 *   a Deployment's strategy from RollingUpdate to Recreate).
 *
 * The target is not modified; the result shares with it what the patch leaves alone.
 * Check the patch first (checkMergePatch): this recurses once per level of the patch.
 */
export function strategicMergePatch(
  target: unknown,
  patch: Record<string, unknown>,
  shape: Shape | undefined,
): unknown {
  return mergeObject(isPlainObject(target) ? target : {}, patch, shape);
}

const DIRECTIVE = '$patch';
const RETAIN_KEYS = '$retainKeys';
const SET_ELEMENT_ORDER = '$setElementOrder/';
const DELETE_FROM_PRIMITIVE_LIST = '$deleteFromPrimitiveList/';

/** The parallel directives of one list field. */
interface ListDirectives {
  order?: unknown[];
  deleted?: unknown[];
}

function mergeObject(
  original: Record<string, unknown>,
  patch: Record<string, unknown>,
  shape: Shape | undefined,
): Record<string, unknown> {
  let body = patch;
  if (Object.hasOwn(patch, DIRECTIVE)) {
    const { [DIRECTIVE]: directive, ...rest } = patch;
    if (directive === 'delete') return {};
    if (directive === 'replace') return mergeObject({}, rest, shape);
    if (directive !== 'merge') badPatch(`unknown patch type: ${JSON.stringify(directive)} in map`);
    body = rest;
  }
  const out: Record<string, unknown> = { ...original };
  if (Object.hasOwn(body, RETAIN_KEYS)) retainKeys(out, body);

  const lists = new Map<string, ListDirectives>();
  const directives = (field: string) => lists.get(field) ?? lists.set(field, {}).get(field)!;
  for (const [key, value] of Object.entries(body)) {
    if (key.startsWith(SET_ELEMENT_ORDER))
      directives(fieldOf(key, SET_ELEMENT_ORDER)).order = listOf(key, value);
    else if (key.startsWith(DELETE_FROM_PRIMITIVE_LIST))
      directives(fieldOf(key, DELETE_FROM_PRIMITIVE_LIST)).deleted = listOf(key, value);
  }

  for (const [key, value] of Object.entries(body)) {
    if (
      key === RETAIN_KEYS ||
      key.startsWith(SET_ELEMENT_ORDER) ||
      key.startsWith(DELETE_FROM_PRIMITIVE_LIST)
    )
      continue;
    if (value === null) {
      delete out[key];
      continue;
    }
    const field = fieldShape(shape, key);
    const current = Object.hasOwn(out, key) ? out[key] : undefined;
    define(out, key, mergeValue(current, value, field, lists.get(key) ?? {}));
  }
  // Directives for a list the patch does not otherwise touch: reorder or delete from the stored list.
  for (const [key, list] of lists) {
    if (Object.hasOwn(body, key) || !Array.isArray(out[key])) continue;
    define(out, key, mergeList(out[key] as unknown[], [], fieldShape(shape, key), list));
  }
  return out;
}

function mergeValue(
  original: unknown,
  patch: unknown,
  shape: Shape | undefined,
  list: ListDirectives,
): unknown {
  if (isPlainObject(patch)) return mergeObject(isPlainObject(original) ? original : {}, patch, shape);
  if (Array.isArray(patch)) return mergeList(Array.isArray(original) ? original : [], patch, shape, list);
  return patch;
}

function mergeList(
  original: unknown[],
  patch: unknown[],
  shape: Shape | undefined,
  list: ListDirectives,
): unknown[] {
  const listShape = shape?.t === 'list' ? shape : undefined;
  const itemShape = listShape?.of;
  if (listShape?.mergeKey) return mergeKeyedList(original, patch, listShape, list);
  const scalars = [...original, ...patch].every((item) => !isPlainObject(item) && !Array.isArray(item));
  if (scalars && (list.order || list.deleted)) {
    const deleted = list.deleted ?? [];
    const merged = [...new Set([...original, ...patch])].filter((item) => !deleted.includes(item));
    return ordered(merged, list.order ?? patch, original, (item) => item);
  }
  return patch
    .filter((item) => !isDirectiveItem(item))
    .map((item) => (isPlainObject(item) ? mergeObject({}, item, itemShape) : item));
}

/** A list merged item by item by its merge key (Kubernetes' patchStrategy "merge"). */
function mergeKeyedList(
  original: unknown[],
  patch: unknown[],
  shape: ListShape,
  list: ListDirectives,
): unknown[] {
  const key = shape.mergeKey!;
  const itemShape = shape.of;
  const keyOf = (item: unknown) => (isPlainObject(item) ? item[key] : undefined);
  let merged = [...original];
  const items: Record<string, unknown>[] = [];
  let replace = false;
  for (const item of patch) {
    if (!isPlainObject(item)) badPatch(`list items merged by "${key}" must be objects`);
    if (!Object.hasOwn(item, DIRECTIVE)) {
      if (item[key] === undefined)
        badPatch(`map: ${JSON.stringify(item)} does not contain declared merge key: ${key}`);
      items.push(item);
      continue;
    }
    const directive = item[DIRECTIVE];
    if (directive === 'replace') replace = true;
    else if (directive === 'delete') {
      if (item[key] === undefined)
        badPatch(`map: ${JSON.stringify(item)} does not contain declared merge key: ${key}`);
      merged = merged.filter((existing) => keyOf(existing) !== item[key]);
    } else if (directive !== 'merge') {
      badPatch(`unknown patch type: ${JSON.stringify(directive)} in list`);
    }
  }
  if (replace) return items.map((item) => mergeObject({}, item, itemShape));
  for (const item of items) {
    const at = merged.findIndex((existing) => keyOf(existing) === item[key]);
    if (at >= 0) merged[at] = mergeObject(merged[at] as Record<string, unknown>, item, itemShape);
    else merged.push(mergeObject({}, item, itemShape));
  }
  return ordered(merged, list.order ?? items, original, keyOf);
}

/**
 * Kubernetes' order for a merged list: the items the patch (or its $setElementOrder) names
 * in that order, with the items only the server has kept where they were relative to them.
 */
function ordered(
  merged: unknown[],
  order: unknown[],
  original: unknown[],
  identity: (item: unknown) => unknown,
): unknown[] {
  const indexIn = (list: unknown[], item: unknown) => list.findIndex((x) => identity(x) === identity(item));
  const named = merged.filter((item) => indexIn(order, item) >= 0);
  const serverOnly = merged.filter((item) => indexIn(order, item) < 0);
  named.sort((a, b) => indexIn(order, a) - indexIn(order, b));
  const out: unknown[] = [];
  let i = 0;
  let j = 0;
  while (i < serverOnly.length || j < named.length) {
    if (i >= serverOnly.length) out.push(named[j++]);
    else if (j >= named.length) out.push(serverOnly[i++]);
    else {
      const left = indexIn(original, serverOnly[i]);
      const right = indexIn(original, named[j]);
      out.push(left >= 0 && right >= 0 && left < right ? serverOnly[i++] : named[j++]);
    }
  }
  return out;
}

function retainKeys(out: Record<string, unknown>, patch: Record<string, unknown>): void {
  const keep = patch[RETAIN_KEYS];
  if (!Array.isArray(keep) || !keep.every((k) => typeof k === 'string'))
    badPatch('invalid patch: the $retainKeys directive must be a list of field names');
  for (const [key, value] of Object.entries(patch)) {
    if (value === null || key.startsWith('$')) continue;
    if (!keep.includes(key)) {
      throw new ApiError(
        'INVALID',
        `the patch has fields that are not in the $retainKeys directive: ${JSON.stringify(key)}`,
      );
    }
  }
  for (const key of Object.keys(out)) if (!keep.includes(key)) delete out[key];
}

function fieldShape(shape: Shape | undefined, key: string): Shape | undefined {
  return shape?.t === 'object' && Object.hasOwn(shape.fields, key) ? shape.fields[key] : undefined;
}

function isDirectiveItem(item: unknown): boolean {
  return isPlainObject(item) && Object.hasOwn(item, DIRECTIVE);
}

function fieldOf(key: string, prefix: string): string {
  const field = key.slice(prefix.length);
  if (!field) badPatch(`invalid patch: "${key}" names no field`);
  return field;
}

function listOf(key: string, value: unknown): unknown[] {
  if (!Array.isArray(value)) badPatch(`invalid patch: the value of "${key}" must be a list`);
  return value;
}

/** Defined, not assigned: assigning `__proto__` would replace the prototype instead. */
function define(obj: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
}

function badPatch(message: string): never {
  throw new ApiError('BAD_REQUEST', message);
}
