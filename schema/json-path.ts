import { isPlainObject } from './shape-check.ts';

/** The steps of a simple JSONPath (`.spec.replicas`, `.status.conditions[0].type`). */
function stepsOf(jsonPath: string): string[] {
  return jsonPath
    .replace(/^\{?\$?/, '')
    .replace(/\}$/, '')
    .split(/\.|\[(\d+)\]/)
    .filter((step) => step !== undefined && step !== '');
}

/** The value at a simple JSONPath, as printer columns and the scale subresource read them. */
export function valueAt(obj: unknown, jsonPath: string): unknown {
  let at = obj;
  for (const step of stepsOf(jsonPath)) {
    if (Array.isArray(at) && /^\d+$/.test(step)) at = at[Number(step)];
    else if (isPlainObject(at)) at = at[step];
    else return undefined;
  }
  return at;
}

/**
 * A copy of `obj` with `value` at a field path (`.spec.replicas`), the objects on the way
 * created when missing, as Kubernetes writes a custom resource's scale.
 */
export function withValueAt<T>(obj: T, fieldPath: string, value: unknown): T {
  const copy = structuredClone(obj) as Record<string, unknown>;
  const steps = stepsOf(fieldPath);
  let at = copy;
  for (const step of steps.slice(0, -1)) {
    if (!isPlainObject(at[step])) at[step] = {};
    at = at[step] as Record<string, unknown>;
  }
  at[steps[steps.length - 1]] = value;
  return copy as T;
}
