import type { Resource } from '../../schema/kind.ts';
import { BOOKMARK_INTERVAL_ANNOTATION } from '../../schema/watch-bookmarks.ts';
import { ApiError, expired } from '../errors.ts';
import type { Filter } from '../resources/filter.ts';
import type { StoreEvent } from '../store/event-log.ts';
import type { Store } from '../store/store.ts';

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK';

export interface WatchEvent {
  type: WatchEventType;
  object: Resource;
}

/**
 * What a watch yields: an event, or last of all the error that ended it. Ending with an
 * item rather than a rejected promise lets the transport report the error on this
 * subscription alone (a `next` with errors, then `complete`) instead of failing the
 * whole connection.
 */
export type WatchItem = WatchEvent | { type: 'ERROR'; error: ApiError };

/**
 * What a watch's direct taker did with an event offered to it: `sent` it on, wants it
 * again `later` (once what it waits for has settled, in a moment), or `refused` it, and
 * the event goes to the watch's consumer as any other.
 */
export type Offer = 'sent' | 'later' | 'refused';

/** Takes a watch's live events synchronously, as they happen (see Watcher.offerTo). */
export type DirectTaker = (event: WatchEvent) => Offer;

export interface WatchRequest {
  kind: string;
  apiVersion: string;
  filter: Filter;
  /** Start after this revision; absent means "now". */
  resourceVersion?: string;
  /** Send the current state as ADDED events first (the default when no resourceVersion is given). */
  sendInitialEvents?: boolean;
  allowBookmarks?: boolean;
  /** For Pod watches whose field selector requires `spec.nodeName=<node>`: that node. */
  nodeName?: string;
}

export interface HubOptions {
  /**
   * How often a watch that asked for bookmarks receives one (the server's default is 60 s,
   * `startServer({ bookmarkEveryMs })`). Each periodic bookmark says so in the annotation
   * BOOKMARK_INTERVAL_ANNOTATION, so that a client can tell a quiet watch from a dead one.
   */
  bookmarkEveryMs: number;
  /**
   * A watcher with this many live events queued (sent to the socket more slowly than
   * they happen) is closed; it resumes from its last resourceVersion. What a watch
   * replays when it starts (the initial ADDED events, the retained log after its
   * resourceVersion) does not count: it is read from the snapshot or the log as the
   * subscriber pulls, so a watch however far behind can always catch up.
   */
  maxBacklog: number;
}

/**
 * Fans committed events out to watches. A watch replays the retained log after its
 * resourceVersion and joins the live stream in the same synchronous step, so no event
 * can fall between the two: each watcher receives exactly the events after its start,
 * in revision order, once. Selectors are applied per watcher against both the new and
 * the previous object, so an object that stops matching arrives as DELETED and one
 * that starts matching as ADDED, as Kubernetes' watch cache does.
 */
export class WatchHub {
  private readonly watchers = new Map<string, Set<Watcher>>();
  /**
   * Pod watches selecting one node (`spec.nodeName=x`), by node: with a thousand node
   * agents, each Pod event then reaches the agents it concerns, not all of them.
   */
  private readonly nodeWatchers = new Map<string, Set<Watcher>>();
  private readonly unsubscribe: () => void;

  constructor(
    private readonly store: Store,
    private readonly options: HubOptions,
  ) {
    this.unsubscribe = store.subscribe((events) => this.publish(events));
  }

  get size(): number {
    let n = 0;
    for (const set of [...this.watchers.values(), ...this.nodeWatchers.values()]) n += set.size;
    return n;
  }

  watch(request: WatchRequest): AsyncIterableIterator<WatchItem> {
    const from = request.resourceVersion ? parseRevision(request.resourceVersion) : undefined;
    const initial = request.sendInitialEvents ?? from === undefined;
    if (from !== undefined && !initial && from < this.store.log.compacted)
      throw expired(from, this.store.log.compacted);

    const nodeName = request.kind === 'Pod' ? request.nodeName : undefined;
    const watchers = nodeName ? this.nodeWatchers : this.watchers;
    const group = nodeName ?? request.kind;
    const watcher: Watcher = new Watcher(request, this.options, from ?? 0, () =>
      watchers.get(group)?.delete(watcher),
    );
    // Everything up to `joined` is replayed from the snapshot or the log, everything after
    // it arrives through publish: both taken in this synchronous step, so none is missed.
    const joined = this.store.revision;
    if (initial) {
      watcher.replay(initialEvents(this.store.snapshot(request.kind, joined), watcher, joined));
    } else {
      const replayed = from === undefined ? [] : this.store.log.since(from);
      watcher.replay(loggedEvents(replayed, watcher, joined));
    }
    let set = watchers.get(group);
    if (!set) watchers.set(group, (set = new Set()));
    set.add(watcher);
    if (request.allowBookmarks) watcher.startBookmarks(() => this.store.revision);
    return watcher;
  }

  /** Ends every watch cleanly (server shutdown): clients see the subscription complete. */
  close(): void {
    this.unsubscribe();
    for (const set of [...this.watchers.values(), ...this.nodeWatchers.values()])
      for (const watcher of set) watcher.end();
    this.watchers.clear();
    this.nodeWatchers.clear();
  }

  private publish(events: StoreEvent[]): void {
    for (const event of events) {
      const views = new EventViews(event);
      for (const watcher of this.watchers.get(event.kind) ?? []) watcher.deliver(views);
      if (event.kind !== 'Pod') continue;
      // A node agent's watch sees only its node's pods: reach it through the node names involved.
      const now = nodeNameOf(event.object);
      const before = event.prev ? nodeNameOf(event.prev) : undefined;
      if (now) for (const watcher of this.nodeWatchers.get(now) ?? []) watcher.deliver(views);
      if (before && before !== now)
        for (const watcher of this.nodeWatchers.get(before) ?? []) watcher.deliver(views);
    }
  }
}

/** Watchers holding events their taker wants again once this turn's promises have settled. */
const retrying = new Set<Watcher>();

function retryLater(watcher: Watcher): void {
  if (retrying.size === 0) setImmediate(retryAll);
  retrying.add(watcher);
}

function retryAll(): void {
  const watchers = [...retrying];
  retrying.clear();
  for (const watcher of watchers) watcher.retry();
}

function nodeNameOf(obj: Resource): string | undefined {
  return (obj.spec as { nodeName?: string } | undefined)?.nodeName || undefined;
}

function parseRevision(text: string): number {
  const revision = Number(text);
  if (!Number.isSafeInteger(revision) || revision < 0) {
    throw new ApiError('BAD_REQUEST', `invalid resource version: "${text}"`);
  }
  return revision;
}

/**
 * The watch events one store event becomes, made once and shared by every watcher that
 * receives the same one: the transport can then execute each subscription document
 * once per event instead of once per subscriber (see useSharedEventExecution).
 */
class EventViews {
  private readonly made = new Map<string, WatchEvent>();

  constructor(readonly event: StoreEvent) {}

  as(type: 'ADDED' | 'MODIFIED' | 'DELETED'): WatchEvent {
    let view = this.made.get(type);
    if (!view) this.made.set(type, (view = { type, object: this.event.object }));
    return view;
  }

  /** DELETED for a watcher the object no longer matches: its previous state at this revision. */
  leaving(): WatchEvent {
    let view = this.made.get('leaving');
    if (!view) {
      const prev = this.event.prev!;
      const object = {
        ...prev,
        metadata: { ...prev.metadata, resourceVersion: String(this.event.revision) },
      };
      this.made.set('leaving', (view = { type: 'DELETED', object }));
    }
    return view;
  }
}

/**
 * The initial ADDED events of a watch, then (with bookmarks) the bookmark that ends them,
 * and a periodic one at once: the first says where the initial events end, as Kubernetes
 * shapes it, the second when the next bookmarks are due.
 */
function* initialEvents(
  snapshot: Array<[string, Resource]>,
  watcher: Watcher,
  revision: number,
): Generator<WatchEvent> {
  for (const [, obj] of snapshot) if (watcher.matches(obj)) yield { type: 'ADDED', object: obj };
  if (!watcher.bookmarks) return;
  yield watcher.bookmarkAt(revision, true);
  yield watcher.bookmarkAt(revision);
}

/**
 * The retained events a resumed watch missed, as this watcher sees them; then, with
 * bookmarks, one at `upTo`: it tells the client at once that the watch is live, where it
 * stands (even when nothing it selects has changed) and when the next bookmarks are due.
 */
function* loggedEvents(events: StoreEvent[], watcher: Watcher, upTo: number): Generator<WatchEvent> {
  for (const event of events) {
    if (event.kind !== watcher.kind) continue;
    const view = watcher.select(new EventViews(event));
    if (view) yield view;
  }
  if (watcher.bookmarks) yield watcher.bookmarkAt(upTo);
}

/**
 * One watch: what it replays (pulled lazily), then a queue between the hub's synchronous
 * pushes of live events and the subscriber's pulls.
 */
class Watcher implements AsyncIterableIterator<WatchItem> {
  private replaying?: Iterator<WatchEvent>;
  private queue: WatchItem[] = [];
  private waiting?: (result: IteratorResult<WatchItem>) => void;
  private done = false;
  private timer?: NodeJS.Timeout;
  private taker?: DirectTaker;

  constructor(
    private readonly request: WatchRequest,
    private readonly options: HubOptions,
    /** The revision the watch started after: no bookmark says less (it would move the client back). */
    private readonly floor: number,
    private readonly detach: () => void,
  ) {}

  get kind(): string {
    return this.request.kind;
  }

  /** Sends these first, before any live event; set once, before the watcher joins the hub. */
  replay(events: Iterator<WatchEvent>): void {
    this.replaying = events;
  }

  deliver(views: EventViews): void {
    const view = this.select(views);
    if (view) this.push(view);
  }

  /** What this watcher sees of a store event, if anything. */
  select(views: EventViews): WatchEvent | undefined {
    const { event } = views;
    const now = this.request.filter(event.object);
    const before = event.prev !== undefined && this.request.filter(event.prev);
    if (event.type === 'DELETED') return before ? views.as('DELETED') : undefined;
    if (now) return views.as(before ? 'MODIFIED' : 'ADDED');
    return before ? views.leaving() : undefined;
  }

  get bookmarks(): boolean {
    return this.request.allowBookmarks === true;
  }

  matches(obj: Resource): boolean {
    return this.request.filter(obj);
  }

  /** A periodic bookmark, which says when the next one is due; or the one that ends the initial events. */
  bookmarkAt(revision: number, initialEventsEnd = false): WatchEvent {
    const annotations: Record<string, string> = initialEventsEnd
      ? { 'k8s.io/initial-events-end': 'true' }
      : { [BOOKMARK_INTERVAL_ANNOTATION]: String(this.options.bookmarkEveryMs) };
    return {
      type: 'BOOKMARK',
      object: {
        apiVersion: this.request.apiVersion,
        kind: this.request.kind,
        metadata: { resourceVersion: String(Math.max(revision, this.floor)), annotations },
      },
    };
  }

  startBookmarks(revision: () => number): void {
    this.timer = setInterval(() => this.push(this.bookmarkAt(revision())), this.options.bookmarkEveryMs);
    this.timer.unref();
  }

  /**
   * Offers each live event to `taker` first, while the consumer waits for the next one
   * with nothing queued before it: then nothing of this watch is on its way through the
   * consumer, and an event the taker sends cannot overtake one. A watched event that
   * reaches a thousand subscribers this way costs a call each, not a chain of promises.
   */
  offerTo(taker: DirectTaker): void {
    this.taker = taker;
  }

  push(event: WatchEvent): void {
    if (this.done) return;
    if (this.waiting && this.queue.length === 0 && !this.replaying) {
      const offer = this.offer(event);
      if (offer === 'sent') return;
      if (offer === 'refused') return this.resolveWaiting(event);
    }
    this.queue.push(event);
    if (this.waiting) retryLater(this);
    if (this.queue.length > this.options.maxBacklog) {
      this.fail(
        new ApiError(
          'TOO_MANY_REQUESTS',
          'the watch fell too far behind; resume from the last resourceVersion received',
        ),
      );
    }
  }

  /** Offers the queued events again (queued as `later`), while the consumer still waits. */
  retry(): void {
    while (this.waiting && this.queue.length > 0) {
      const item = this.queue[0];
      if (item.type !== 'ERROR' && this.offer(item) === 'sent') this.queue.shift();
      // What cannot go directly now goes the ordinary way, and what follows it after it.
      else this.resolveWaiting(this.queue.shift()!);
    }
  }

  end(): void {
    if (this.done) return;
    this.done = true;
    clearInterval(this.timer);
    this.detach();
    // A consumer waiting with events queued (offered for later) receives them, then the end.
    if (this.waiting && this.queue.length > 0) this.resolveWaiting(this.queue.shift()!);
    if (this.waiting) this.resolveWaiting(undefined);
  }

  next(): Promise<IteratorResult<WatchItem>> {
    if (this.replaying) {
      const replayed = this.replaying.next();
      if (!replayed.done) return Promise.resolve({ value: replayed.value, done: false });
      this.replaying = undefined;
    }
    const event = this.queue.shift();
    if (event) return Promise.resolve({ value: event, done: false });
    if (this.done) return Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve) => (this.waiting = resolve));
  }

  return(): Promise<IteratorResult<WatchItem>> {
    this.replaying = undefined;
    this.queue = [];
    this.end();
    return Promise.resolve({ value: undefined, done: true });
  }

  [Symbol.asyncIterator](): AsyncIterableIterator<WatchItem> {
    return this;
  }

  private offer(event: WatchEvent): Offer {
    if (!this.taker) return 'refused';
    try {
      return this.taker(event);
    } catch {
      // What the taker could not do, the consumer does again, and reports.
      return 'refused';
    }
  }

  private resolveWaiting(item: WatchItem | undefined): void {
    const resolve = this.waiting!;
    this.waiting = undefined;
    resolve(item === undefined ? { value: undefined, done: true } : { value: item, done: false });
  }

  private fail(error: ApiError): void {
    // What was queued is dropped with the replay: the client resumes from the last
    // event it received, and the log replays the rest.
    this.replaying = undefined;
    this.queue = [{ type: 'ERROR', error }];
    this.end();
  }
}
