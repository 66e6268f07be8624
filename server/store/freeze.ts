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
