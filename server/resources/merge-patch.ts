import { isPlainObject } from '../../schema/shape-check.ts';

/**
 * JSON merge patch (RFC 7386), what `kubectl patch --type merge` sends: objects merge
 * key by key, null removes a key, anything else (lists included) replaces. Returns a
 * new value; the target is not modified.
 */
export function mergePatch(target: unknown, patch: unknown): unknown {
  if (!isPlainObject(patch)) return structuredClone(patch);
  const out: Record<string, unknown> = isPlainObject(target) ? { ...target } : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete out[key];
    else out[key] = mergePatch(out[key], value);
  }
  return out;
}
