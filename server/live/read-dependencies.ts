import type { Resource } from '../../schema/kind.ts';
import { INDEXERS } from '../indexers.ts';
import type { Filter } from '../resources/filter.ts';
import type { ReadRecorder } from '../resources/read-recorder.ts';
import type { StoreEvent } from '../store/event-log.ts';

/** Where a dependency on any kind is filed (a lookup across kinds). */
export const ANY_KIND = '*';

/**
 * What one execution of a live query read, and so which writes can change its result:
 * a write to an object it read (or looked for and did not find), to any object its
 * lists' filters let through before or after the write, or to any object an edge's
 * index value names before or after it. An object that leaves a list or an edge is
 * seen through its previous state, one that joins through its new state.
 */
export class ReadDependencies implements ReadRecorder {
  readonly keys = new Set<string>();
  readonly uids = new Set<string>();
  private readonly lists: Array<{ kind: string; filter: Filter }> = [];
  private readonly lookups: Array<{ kind: string | undefined; index: string; value: string }> = [];
  /** The kinds whose writes may matter, for the registry's index (uids are indexed apart). */
  readonly kinds = new Set<string>();

  object(key: string): void {
    this.keys.add(key);
    this.kinds.add(key.slice(0, key.indexOf('/')));
  }

  uid(uid: string): void {
    this.uids.add(uid);
  }

  list(kind: string, filter: Filter): void {
    this.lists.push({ kind, filter });
    this.kinds.add(kind);
  }

  lookup(index: string, value: string, kind: string | undefined): void {
    this.lookups.push({ kind, index, value });
    this.kinds.add(kind ?? ANY_KIND);
  }

  affectedBy(event: StoreEvent): boolean {
    if (this.keys.has(event.key) || this.uids.has(event.object.metadata.uid!)) return true;
    for (const { kind, filter } of this.lists)
      if (kind === event.kind && (filter(event.object) || (event.prev !== undefined && filter(event.prev))))
        return true;
    for (const { kind, index, value } of this.lookups) {
      if (kind !== undefined && kind !== event.kind) continue;
      if (
        indexed(index, value, event.object) ||
        (event.prev !== undefined && indexed(index, value, event.prev))
      )
        return true;
    }
    return false;
  }
}

function indexed(index: string, value: string, obj: Resource): boolean {
  return INDEXERS[index]?.(obj).includes(value) ?? false;
}
