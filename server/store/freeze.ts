/**
 * Deep-freezes a stored object so it can be handed out without copying: every read and
 * every watch event shares it (the in-process transport passes it to the controllers,
 * scheduler and node agents of the same process as is), and a consumer that changed it
 * in place would change the store. Stops at objects already frozen: a write usually
 * keeps most of the previous version's (frozen) parts, so only its new parts are walked.
 */
export function deepFreeze<T>(value: T): T {
  if (typeof value !== 'object' || value === null || Object.isFrozen(value)) return value;
  Object.freeze(value);
  for (const key of Object.keys(value)) deepFreeze((value as Record<string, unknown>)[key]);
  return value;
}

/**
 * Deep-freezes a new version of an object, sharing with the previous version every part
 * that did not change: a subtree equal to the previous one at the same place is replaced
 * by it (already frozen), and so is an equal string. The event log keeps each retained
 * version of an object, and most writes change a few fields (a pod's status, a lease's
 * renew time), so the versions then cost their changes only, not a whole object each.
 * The top-level object keeps its identity (the writer gets it back).
 */
export function freezeSharing<T extends object>(value: T, previous: object | undefined): T {
  if (previous === undefined) return deepFreeze(value);
  share(value, previous);
  return Object.freeze(value);
}

/** `value`'s parts swapped for `previous`'s equal ones; returns `previous` when all of it is equal. */
function share(value: unknown, previous: unknown): unknown {
  if (value === previous || typeof value !== 'object' || value === null) return value === previous ? previous : value;
  if (Object.isFrozen(value)) return value;
  const record = value as Record<string, unknown>;
  const keys = Object.keys(record);
  const old =
    typeof previous === 'object' && previous !== null && Array.isArray(previous) === Array.isArray(value)
      ? (previous as Record<string, unknown>)
      : undefined;
  let same = old !== undefined && Object.isFrozen(old) && Object.keys(old).length === keys.length;
  for (const key of keys) {
    const child = record[key];
    const had = old !== undefined && Object.hasOwn(old, key);
    const before = had ? old[key] : undefined;
    const kept = share(child, before);
    // An equal string is a different copy unless assigned: `===` compares contents.
    if (typeof child === 'string' ? had && child === before : kept !== child) record[key] = kept;
    if (!had || kept !== before) same = false;
  }
  if (same) return old;
  return Object.freeze(value);
}
