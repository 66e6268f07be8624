import { isCode, messageOf, type Resource, type ResourceWriter } from '../client/index.ts';
import { systemClock, type Clock } from '../lib/clock.ts';
import { timestamp } from './timestamps.ts';

export type EventType = 'Normal' | 'Warning';

/** Records Events about objects, for `describe` and the dashboard. */
export interface EventRecorder {
  record(obj: Resource, type: EventType, reason: string, message: string): void;
}

/** Kubernetes' event aggregation: from the 10th distinct message of a kind of event about one object within 10 minutes, one event counts them all. */
const AGGREGATE_AFTER = 10;
const AGGREGATE_WINDOW_MS = 10 * 60 * 1000;
const AGGREGATED_PREFIX = '(combined from similar events): ';

export interface EventRecorderOptions {
  /** Events remembered for counting repeats (client-go's event correlator keeps 4096). */
  maxRemembered: number;
  /** Events waiting to be written beyond which new ones are dropped (client-go's broadcaster queues 1000). */
  maxQueued: number;
  /** Writes in flight at once. */
  concurrency: number;
  /** Where event times and the aggregation window are read. */
  clock: Clock;
}

export const DEFAULT_EVENT_RECORDER_OPTIONS: EventRecorderOptions = {
  maxRemembered: 4096,
  maxQueued: 1000,
  concurrency: 64,
  clock: systemClock,
};

interface Recorded {
  name: string;
  namespace: string;
  count: number;
}

/** The distinct messages of one kind of event (object, type, reason) seen lately. */
interface Similar {
  messages: Set<string>;
  since: number;
}

/** An event waiting to be written, with the repeats recorded meanwhile (the last one's message). */
interface Queued {
  obj: Resource;
  type: EventType;
  reason: string;
  message: string;
  repeats: number;
}

/**
 * Writes Events the way Kubernetes' recorder (its event correlator) does: the same
 * event about the same object (same reason, message and type, from the same
 * component) is not written again but counted, by patching its `count` and
 * `lastTimestamp`; repeats recorded before the first write are folded into it. Similar
 * events (same object, type and reason, other messages: a ReplicaSet's "Created pod:
 * x" for each of its pods) are written one by one up to the 10th distinct message in
 * 10 minutes; from then on one event "(combined from similar events): <latest
 * message>" counts them. Recording never blocks or fails the caller: events are best
 * effort. Memory stays bounded however many objects and events there are: what is
 * remembered for counting is the most recent `maxRemembered` (least recently used
 * forgotten first), and when more than `maxQueued` events wait to be written new ones
 * are dropped, with a log line per burst, as client-go drops them when its queue is full.
 */
export class ApiEventRecorder implements EventRecorder {
  private readonly options: EventRecorderOptions;
  /** Both in least-recently-used order (see `remember`). */
  private readonly seen = new Map<string, Recorded>();
  private readonly similar = new Map<string, Similar>();
  private readonly queued = new Map<string, Queued>();
  private readonly writing = new Set<string>();
  private dropped = 0;
  private idle: Array<() => void> = [];

  constructor(
    private readonly writer: ResourceWriter,
    private readonly component: string,
    private readonly log: (line: string) => void,
    options: Partial<EventRecorderOptions> = {},
  ) {
    this.options = { ...DEFAULT_EVENT_RECORDER_OPTIONS, ...options };
  }

  record(obj: Resource, type: EventType, reason: string, original: string): void {
    const similarKey = [obj.metadata.uid, type, reason].join('\u0000');
    const aggregated = this.aggregates(similarKey, original);
    const key = aggregated ? similarKey : `${similarKey}\u0000${original}`;
    const message = aggregated ? AGGREGATED_PREFIX + original : original;
    const waiting = this.queued.get(key);
    if (waiting) {
      waiting.repeats++;
      waiting.message = message;
      return;
    }
    if (this.queued.size >= this.options.maxQueued) {
      if (this.dropped++ === 0) {
        this.log(`events: ${this.queued.size} waiting to be written, dropping new ones until they are`);
      }
      return;
    }
    this.queued.set(key, { obj, type, reason, message, repeats: 1 });
    this.pump();
  }

  /** Resolves when every event recorded so far has been written or given up (for tests and shutdown). */
  flush(): Promise<void> {
    if (this.queued.size === 0 && this.writing.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.idle.push(resolve));
  }

  /** Starts writes up to the concurrency limit, one at a time per event (its count is read-modify-write). */
  private pump(): void {
    for (const [key, event] of this.queued) {
      if (this.writing.size >= this.options.concurrency) return;
      if (this.writing.has(key)) continue;
      this.queued.delete(key);
      this.writing.add(key);
      void this.write(key, event)
        .catch((error: unknown) =>
          this.log(
            `event ${event.reason} for ${event.obj.kind} ${event.obj.metadata.name}: ${messageOf(error)}`,
          ),
        )
        .finally(() => {
          this.writing.delete(key);
          this.settled();
        });
    }
  }

  private settled(): void {
    if (this.dropped > 0 && this.queued.size < this.options.maxQueued / 2) {
      this.log(`events: dropped ${this.dropped} while behind`);
      this.dropped = 0;
    }
    this.pump();
    if (this.queued.size === 0 && this.writing.size === 0)
      for (const resolve of this.idle.splice(0)) resolve();
  }

  /** EventAggregate: whether this message is past the 10th distinct one of its kind lately. */
  private aggregates(similarKey: string, message: string): boolean {
    const now = this.options.clock.now();
    let similar = this.similar.get(similarKey);
    if (!similar || now - similar.since > AGGREGATE_WINDOW_MS) similar = { messages: new Set(), since: now };
    remember(this.similar, similarKey, similar, this.options.maxRemembered);
    if (similar.messages.has(message)) return false;
    // Kubernetes adds the 10th and pops any one; popping that one keeps the first nine counted on their own.
    if (similar.messages.size >= AGGREGATE_AFTER - 1) return true;
    similar.messages.add(message);
    return false;
  }

  private async write(key: string, { obj, type, reason, message, repeats }: Queued): Promise<void> {
    const now = timestamp(this.options.clock.now());
    const previous = this.seen.get(key);
    if (previous) {
      previous.count += repeats;
      remember(this.seen, key, previous, this.options.maxRemembered);
      try {
        await this.writer.patch('Event', previous.name, previous.namespace, {
          count: previous.count,
          message,
          lastTimestamp: now,
        });
        return;
      } catch (error) {
        // Deleted meanwhile (its namespace went, or it expired): written anew, as client-go does.
        if (!isCode(error, 'NOT_FOUND')) throw error;
        this.seen.delete(key);
      }
    }
    // Events about cluster-scoped objects live in "default", as Kubernetes keeps them.
    const namespace = obj.metadata.namespace ?? 'default';
    const event = await this.writer.create<Resource>({
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { generateName: `${obj.metadata.name}.`, namespace },
      involvedObject: {
        apiVersion: obj.apiVersion,
        kind: obj.kind,
        name: obj.metadata.name,
        namespace: obj.metadata.namespace,
        uid: obj.metadata.uid,
        resourceVersion: obj.metadata.resourceVersion,
      },
      type,
      reason,
      message,
      count: previous?.count ?? repeats,
      firstTimestamp: now,
      lastTimestamp: now,
      source: { component: this.component },
      reportingComponent: this.component,
    });
    remember(
      this.seen,
      key,
      { name: event.metadata.name!, namespace, count: previous?.count ?? repeats },
      this.options.maxRemembered,
    );
  }
}

/** Sets `key` as the most recently used entry of `map` (a Map iterates in insertion order), evicting the least recently used beyond `max`. */
function remember<V>(map: Map<string, V>, key: string, value: V, max: number): void {
  map.delete(key);
  map.set(key, value);
  if (map.size > max) map.delete(map.keys().next().value!);
}
