import { backoffDelay, DEFAULT_BACKOFF, type Backoff } from '../lib/backoff.ts';
import { Channel } from '../lib/channel.ts';
import { BOOKMARK_INTERVAL_ANNOTATION } from '../schema/watch-bookmarks.ts';
import { fromGraphQLErrors, KubeqlError, toKubeqlError, type ErrorCode } from './errors.ts';
import { watchOperation } from './operations.ts';
import type {
  GraphQLResult,
  Resource,
  Transport,
  WatchEvent,
  WatchEventType,
  WatchOptions,
} from './types.ts';

/** A watch as an iterator, with the point it has reached. */
export interface Watch<T extends Resource = Resource> extends AsyncIterableIterator<WatchEvent<T>> {
  /**
   * The resourceVersion of the last event `next()` handed out (bookmarks count, even those
   * not shown): a new watch from here misses and repeats nothing. Undefined while the
   * initial ADDED events of a watch without resourceVersion are still coming.
   */
  readonly resourceVersion: string | undefined;
  /** Ends the watch at once, even while a `next()` waits (which then resolves done). */
  return(): Promise<IteratorResult<WatchEvent<T>>>;
}

interface EventData {
  type: WatchEventType;
  object: { manifest: Resource; metadata: { resourceVersion?: string | null } };
}

interface Item<T extends Resource> {
  event: WatchEvent<T>;
  /** A bookmark the consumer did not ask for: it only moves the resume point. */
  hidden: boolean;
  /** The resume point once this item is handed out; none during the initial events. */
  at?: string;
}

/** Worth a resubscription: the connection dropped, or the server shed a watch that fell behind. */
const RESUMABLE = new Set<ErrorCode>(['UNAVAILABLE', 'TOO_MANY_REQUESTS']);

/**
 * Refusals (TOO_MANY_REQUESTS) in a row, with nothing received between them, after which
 * the watch ends with the refusal: retrying it for ever would be a stall nobody sees.
 */
const MAX_REFUSALS = 5;

/**
 * How long a watch may hear nothing, neither events nor bookmarks, before it takes the
 * stream for dead: until the server has said how often it sends bookmarks (it does in
 * the first one, sent as soon as the watch has caught up) ...
 */
export const FIRST_PROGRESS_DEADLINE_MS = 30_000;
/** ... then two of its bookmark intervals and this much more (the server's default is 60 s: 125 s). */
const PROGRESS_SLACK_MS = 5_000;

/** What a transport may set for the watches over it (remoteTransport takes it as an option). */
export interface WatchTuning {
  /** Overrides the progress deadline derived from the server's bookmark interval (ms). */
  readonly watchProgressDeadlineMs?: number;
}

/**
 * A watch that survives dropped connections, server restarts and streams that die
 * without a word. It always asks for bookmarks, so that even a quiet watch knows a
 * recent revision and hears from the server at its bookmark interval; when the stream
 * ends for any reason but an API error, or carries neither events nor bookmarks for
 * longer than the progress deadline, it subscribes again, after a jittered back-off,
 * from the last revision received: the server replays the events after it, so the
 * consumer sees no gap and no repeat. EXPIRED (that revision is compacted away) and
 * every other API error end the iterator with that error, as do MAX_REFUSALS refusals
 * in a row.
 */
export class ResumingWatch<T extends Resource = Resource> implements Watch<T> {
  private readonly out: Channel<Item<T>>;
  private delivered: string | undefined;
  /** Every event up to this revision is in `out`. */
  private received: string | undefined;
  /** Until the bookmark that ends the initial ADDED events there is no revision to resume from. */
  private initial: boolean;
  private attempt = 0;
  private refusals = 0;
  private generation = 0;
  private unsubscribe?: () => void;
  private timer?: ReturnType<typeof setTimeout>;
  /** The progress deadline's timer, and when the current subscription last carried anything. */
  private watchdog?: ReturnType<typeof setTimeout>;
  private heardAt = 0;
  /** The server's bookmark interval, once a bookmark has told it. */
  private bookmarkIntervalMs?: number;

  constructor(
    private readonly transport: Transport,
    private readonly kind: string,
    private readonly options: WatchOptions,
    private readonly onEnd: () => void = () => {},
    private readonly backoff: Backoff = DEFAULT_BACKOFF,
  ) {
    this.out = new Channel(() => this.stop());
    // The server's rule: initial events unless a resourceVersion is given.
    this.initial = options.sendInitialEvents ?? options.resourceVersion === undefined;
    this.received = this.delivered = this.initial ? undefined : options.resourceVersion;
    this.subscribe();
  }

  /** How long the current stream may stay silent before it counts as dead. */
  get progressDeadlineMs(): number {
    const given = (this.transport as Transport & WatchTuning).watchProgressDeadlineMs;
    if (given !== undefined) return given;
    const interval = this.bookmarkIntervalMs;
    return interval === undefined ? FIRST_PROGRESS_DEADLINE_MS : 2 * interval + PROGRESS_SLACK_MS;
  }

  get resourceVersion(): string | undefined {
    return this.delivered;
  }

  async next(): Promise<IteratorResult<WatchEvent<T>>> {
    for (;;) {
      const item = await this.out.next();
      if (item.done) return { value: undefined, done: true };
      if (item.value.at !== undefined) this.delivered = item.value.at;
      if (!item.value.hidden) return { value: item.value.event, done: false };
    }
  }

  async return(): Promise<IteratorResult<WatchEvent<T>>> {
    await this.out.return();
    return { value: undefined, done: true };
  }

  [Symbol.asyncIterator](): Watch<T> {
    return this;
  }

  private subscribe(): void {
    const generation = ++this.generation;
    const { namespace, labelSelector, fieldSelector } = this.options;
    const from =
      generation === 1
        ? { resourceVersion: this.options.resourceVersion, sendInitialEvents: this.options.sendInitialEvents }
        : { resourceVersion: this.received, sendInitialEvents: false };
    const { query, variables, field } = watchOperation(this.kind, {
      namespace,
      labelSelector,
      fieldSelector,
      ...from,
      allowBookmarks: true,
    });
    const current = () => generation === this.generation;
    this.heardAt = Date.now();
    this.armWatchdog(this.progressDeadlineMs);
    this.unsubscribe = this.transport.subscribe<Record<string, EventData>>(query, variables, {
      next: (result) => {
        if (current()) this.receive(result, field);
      },
      error: (error) => {
        if (current()) this.interrupted(toKubeqlError(error));
      },
      // The server ends a watch only when it shuts down.
      complete: () => {
        if (current()) this.interrupted(new KubeqlError('UNAVAILABLE', 'the server ended the watch'));
      },
    });
  }

  private receive(result: GraphQLResult<Record<string, EventData>>, field: string): void {
    if (result.errors?.length) return this.interrupted(fromGraphQLErrors(result.errors));
    const data = result.data?.[field];
    if (!data) return this.interrupted(new KubeqlError('INTERNAL', `no ${field} in a watch result`));
    this.attempt = 0;
    this.refusals = 0;
    this.heardAt = Date.now();
    const { type, object } = data;
    const revision = object.metadata.resourceVersion ?? object.manifest.metadata.resourceVersion;
    if (type === 'BOOKMARK') {
      this.initial = false;
      const interval = Number(object.manifest.metadata.annotations?.[BOOKMARK_INTERVAL_ANNOTATION]);
      if (interval > 0 && interval !== this.bookmarkIntervalMs) {
        this.bookmarkIntervalMs = interval;
        // The deadline armed before the server said its interval may be far off.
        this.armWatchdog(this.progressDeadlineMs);
      }
    }
    if (!this.initial && revision) this.received = revision;
    this.out.push({
      event: { type, object: (type === 'BOOKMARK' ? bookmark(object, revision) : object.manifest) as T },
      hidden: type === 'BOOKMARK' && !this.options.allowBookmarks,
      at: this.initial ? undefined : this.received,
    });
  }

  private interrupted(error: KubeqlError): void {
    this.detach();
    if (this.out.closed) return;
    if (!RESUMABLE.has(error.code)) return this.fail(error);
    if (error.code === 'TOO_MANY_REQUESTS' && ++this.refusals >= MAX_REFUSALS) return this.fail(error);
    if (this.initial || this.received === undefined) {
      // Starting over would repeat the ADDED events already sent, or miss what happened meanwhile.
      return this.fail(
        new KubeqlError(
          'EXPIRED',
          `the watch was cut off before it had a revision to resume from: ${error.message}`,
          {
            cause: error,
          },
        ),
      );
    }
    this.timer = setTimeout(() => this.subscribe(), backoffDelay(this.attempt++, this.backoff));
  }

  private fail(error: KubeqlError): void {
    this.out.fail(error);
    this.onEnd();
  }

  /** The consumer's return(). */
  private stop(): void {
    this.detach();
    this.onEnd();
  }

  /**
   * Takes the stream for dead once it has carried nothing for the deadline. The
   * connection's keepalive notices a dead server or link; this notices a subscription
   * that the server no longer feeds while the connection lives on.
   */
  private armWatchdog(ms: number): void {
    clearTimeout(this.watchdog);
    this.watchdog = setTimeout(() => {
      const deadline = this.progressDeadlineMs;
      const silent = Date.now() - this.heardAt;
      if (silent < deadline) return this.armWatchdog(deadline - silent);
      this.interrupted(
        new KubeqlError('UNAVAILABLE', `the watch carried neither events nor bookmarks for ${silent} ms`),
      );
    }, ms);
  }

  private detach(): void {
    this.generation++;
    clearTimeout(this.timer);
    clearTimeout(this.watchdog);
    const unsubscribe = this.unsubscribe;
    this.unsubscribe = undefined;
    unsubscribe?.();
  }
}

/** A BOOKMARK carries only its revision (and the initial-events-end annotation, when it is that one). */
function bookmark(object: EventData['object'], revision: string | null | undefined): Resource {
  const { apiVersion, kind, metadata } = object.manifest;
  return {
    apiVersion,
    kind,
    metadata: {
      resourceVersion: revision ?? undefined,
      ...(metadata.annotations ? { annotations: metadata.annotations } : {}),
    },
  };
}
