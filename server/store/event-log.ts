import type { Resource } from '../../schema/kind.ts';

export type EventType = 'ADDED' | 'MODIFIED' | 'DELETED';

/** One committed write, as watchers and history reads see it. */
export interface StoreEvent {
  revision: number;
  type: EventType;
  kind: string;
  key: string;
  /** The object after the write; for DELETED, its last state at the deletion's revision. */
  object: Resource;
  /** The object before the write (absent for ADDED). */
  prev?: Resource;
  /** Commit time, ms since the epoch: what age-based compaction looks at. */
  time: number;
  /** The JSON length of `object` and `prev` as stored: what size-based compaction counts. */
  bytes?: number;
}

/**
 * The retained tail of the event log, in memory and in revision order. It holds exactly
 * the events the database still holds (everything after `compacted`), so resuming a
 * watch or reading an older page never needs the database.
 */
export class EventLog {
  private events: StoreEvent[] = [];
  /** Events at or below this revision are gone; reads from there answer EXPIRED. */
  compacted = 0;
  /** The stored size of the events held (their `bytes`). */
  bytes = 0;

  append(events: StoreEvent[]): void {
    for (const event of events) {
      this.events.push(event);
      this.bytes += event.bytes ?? 0;
    }
  }

  get size(): number {
    return this.events.length;
  }

  /** The events after `revision`, oldest first. The caller checks `revision >= compacted`. */
  since(revision: number): StoreEvent[] {
    return this.events.slice(this.indexAfter(revision));
  }

  /** Drops events at or below `revision`. */
  compactTo(revision: number): void {
    if (revision <= this.compacted) return;
    const cut = this.indexAfter(revision);
    for (let i = 0; i < cut; i++) this.bytes -= this.events[i].bytes ?? 0;
    this.events = this.events.slice(cut);
    this.compacted = revision;
  }

  /**
   * The highest revision that keeps at most `count` events of at most `maxBytes` in all,
   * and none older than `before` (ms).
   */
  compactionPoint(count: number, before: number, maxBytes = Infinity): number {
    let cut = Math.max(0, this.events.length - count);
    let bytes = this.bytes;
    for (let i = 0; i < cut; i++) bytes -= this.events[i].bytes ?? 0;
    while (cut < this.events.length && (this.events[cut].time < before || bytes > maxBytes))
      bytes -= this.events[cut++].bytes ?? 0;
    return cut === 0 ? this.compacted : this.events[cut - 1].revision;
  }

  private indexAfter(revision: number): number {
    let lo = 0;
    let hi = this.events.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.events[mid].revision <= revision) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}
