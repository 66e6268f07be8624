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
 * Other short strings go through a pool of recent values: ten thousand pods of a few
 * ReplicaSets repeat the same images, node names, reasons and timestamps, each a separate
 * copy as the writer made it. The top-level object keeps its identity (the writer gets it back).
 */
export function freezeSharing<T extends object>(value: T, previous: object | undefined): T {
  share(value, previous);
  return Object.freeze(value);
}

/** `value`'s parts swapped for `previous`'s equal ones; returns `previous` when all of it is equal. */
function share(value: unknown, previous: unknown): unknown {
  if (value === previous || typeof value !== 'object' || value === null) return value;
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
    if (typeof child === 'string') {
      // Assigned even when equal: `===` compares contents, and the point is to drop this copy.
      record[key] = had && child === before ? before : strings.intern(child);
      if (!had || child !== before) same = false;
      continue;
    }
    const kept = share(child, before);
    if (kept !== child) record[key] = kept;
    if (!had || kept !== before) same = false;
  }
  if (same) return old;
  return Object.freeze(value);
}

/** Strings longer than this are mostly unique (messages, annotations): not pooled. */
const POOLED_LENGTH = 64;
/** Values per generation of the pool. */
const POOL_GENERATION = 20_000;

/**
 * Recently seen short strings, one copy each. Two generations: when the current one is
 * full it becomes the previous one and the older is dropped, so unique values (names,
 * uids) pass through without the pool growing, while recurring ones stay.
 */
class StringPool {
  private current = new Map<string, string>();
  private previous = new Map<string, string>();

  intern(value: string): string {
    if (value.length > POOLED_LENGTH) return value;
    const pooled = this.current.get(value);
    if (pooled !== undefined) return pooled;
    const kept = this.previous.get(value) ?? value;
    this.current.set(kept, kept);
    if (this.current.size >= POOL_GENERATION) {
      this.previous = this.current;
      this.current = new Map();
    }
    return kept;
  }
}

const strings = new StringPool();
