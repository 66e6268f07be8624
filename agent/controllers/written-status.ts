import { keyOf, type Resource } from '../../client/index.ts';

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

  /** After `status` was written over `obj` (with its resourceVersion as precondition). */
  record(obj: Resource, status: S): void {
    this.written.set(keyOf(obj), { uid: obj.metadata.uid, base: obj.metadata.resourceVersion, status });
  }

  forget(key: string): void {
    this.written.delete(key);
  }
}
