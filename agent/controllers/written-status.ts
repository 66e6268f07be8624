import { isDeepStrictEqual } from 'node:util';
import { isCode, keyOf, type Resource, type ResourceWriter } from '../../client/index.ts';

/**
 * The last status a controller wrote for each object, until its informer cache shows
 * it. Status writes carry the resourceVersion they were computed from as a
 * precondition, so the write is the very next version of the object: while the cache
 * still holds that base version it is stale, and the status written is the current
 * one; once it holds any other version, that version includes the write. Without this
 * a reconcile right after a status write would start again from the old status (an old
 * `startTime`, counts that go back) and write it back.
 */
export class WrittenStatuses<S> {
  private readonly written = new Map<string, { uid?: string; base?: string; status: S }>();

  /** The status to start from: the one written over `obj`'s version, else `obj`'s own. */
  current(obj: Resource): S | undefined {
    const key = keyOf(obj);
    const entry = this.written.get(key);
    if (entry && entry.uid === obj.metadata.uid && entry.base === obj.metadata.resourceVersion) {
      return entry.status;
    }
    this.written.delete(key);
    return obj.status as S | undefined;
  }

  /**
   * Writes `next` over `obj` when it differs from `current` (both as they are stored:
   * no undefined members, so that the comparison means what it says), with `obj`'s
   * resourceVersion as precondition, and records it.
   */
  async write(writer: ResourceWriter, obj: Resource, current: S, next: S): Promise<void> {
    const status = JSON.parse(JSON.stringify(next)) as S;
    if (isDeepStrictEqual(JSON.parse(JSON.stringify(current)), status)) return;
    await writer.updateStatus(obj, status, obj.metadata.resourceVersion);
    this.written.set(keyOf(obj), { uid: obj.metadata.uid, base: obj.metadata.resourceVersion, status });
  }

  forget(key: string): void {
    this.written.delete(key);
  }
}

/**
 * Writes `status` over `obj` when it differs from the one `obj` has; an object gone
 * meanwhile needs none. Without a version precondition: for a status computed whole
 * from the caches on every reconcile (StatefulSet, DaemonSet), the last write is right.
 */
export async function writeChangedStatus<S>(writer: ResourceWriter, obj: Resource, status: S): Promise<void> {
  if (isDeepStrictEqual(obj.status ?? {}, status)) return;
  try {
    await writer.updateStatus(obj, status);
  } catch (error) {
    if (!isCode(error, 'NOT_FOUND')) throw error;
  }
}
