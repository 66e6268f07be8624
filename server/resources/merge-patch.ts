import { joinPath, type FieldError } from '../../schema/field-error.ts';
import { isPlainObject, MAP_RESERVED_KEYS, reservedKey } from '../../schema/shape-check.ts';
import { ApiError, invalid } from '../errors.ts';

/**
 * JSON merge patch (RFC 7386), what `kubectl patch --type merge` sends: objects merge
 * key by key, null removes a key, anything else (lists included) replaces. Returns a
 * new value; the target is not modified. Check the patch first (checkMergePatch): this
 * recurses once per level of the patch.
 */
export function mergePatch(target: unknown, patch: unknown): unknown {
  if (!isPlainObject(patch)) return structuredClone(patch);
  const out: Record<string, unknown> = isPlainObject(target) ? { ...target } : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete out[key];
    // Defined, not assigned: assigning `__proto__` would replace the prototype instead.
    else
      Object.defineProperty(out, key, {
        value: mergePatch(out[key], value),
        enumerable: true,
        writable: true,
        configurable: true,
      });
  }
  return out;
}

/**
 * Refuses, before anything walks it by recursion, a patch nested deeper than `maxDepth`
 * (BAD_REQUEST) or carrying `__proto__` anywhere, even to delete it (INVALID, with the
 * key's path): such a key is never stored, and a patch of nothing else would otherwise
 * look like a change. `constructor` and `prototype` may be keys of a string map (a
 * ConfigMap's data), so they pass here; the shape check of the patched object refuses
 * them where they do not belong.
 */
export function checkMergePatch(kind: string, name: string, patch: unknown, maxDepth: number): void {
  const reserved: FieldError[] = [];
  const pending: Array<[unknown, string, number]> = [[patch, '', 1]];
  while (pending.length > 0) {
    const [value, path, depth] = pending.pop()!;
    if (typeof value !== 'object' || value === null) continue;
    if (depth > maxDepth) {
      throw new ApiError(
        'BAD_REQUEST',
        `the patch exceeds max depth of ${maxDepth} nested objects and lists (at ${path || 'the top'})`,
      );
    }
    for (const [key, child] of Object.entries(value)) {
      if (!Array.isArray(value) && MAP_RESERVED_KEYS.has(key)) reserved.push(reservedKey(path, key));
      else pending.push([child, joinPath(path, Array.isArray(value) ? Number(key) : key), depth + 1]);
    }
  }
  if (reserved.length) throw invalid(kind, name, reserved);
}
