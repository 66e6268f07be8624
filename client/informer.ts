import { IndexedCache, keyOf, type CacheReader, type IndexFunc } from './cache.ts';
import type { KubeqlClient } from './client.ts';
import { messageOf } from './errors.ts';
import type { Resource, Selection, WatchEvent } from './types.ts';

/** What an informer needs of a client: a KubeqlClient, or a test double of these two. */
export type ListWatchClient = Pick<KubeqlClient, 'listAll' | 'watch'>;

/**
 * Notifications of changes to the cache, after the cache has changed (so a lookup in a
 * handler already sees the new state). They are called synchronously, one at a time, in
 * the order the watch reports the changes (a relist reports what it found missing first,
 * then what is new or changed, in key order); keep them short and non-blocking — typically they
 * enqueue a key (`keyOf(obj)`) in a WorkQueue and return. A handler that throws is
 * reported to `onError` and does not stop the informer or the other handlers; returning
 * a promise does not make the informer wait. Objects are shared with the cache and every
 * other handler: never mutate them.
 */
export interface EventHandlers<T extends Resource = Resource> {
  /** @param isInInitialList true for objects of the first list, also when replayed to a handler before sync. */
  onAdd?(obj: T, isInInitialList: boolean): void;
  /** Also called with old === new for each object on a periodic resync. */
  onUpdate?(oldObj: T, newObj: T): void;
  /**
   * `obj` is the object's last state: as deleted, or as last cached when a relist found
   * the deletion the watch missed.
   */
  onDelete?(obj: T): void;
}

export interface InformerOptions<T extends Resource = Resource> {
  /** Custom indexes besides the built-in owner / node / namespace ones. */
  indexers?: Record<string, IndexFunc<T>>;
  /** Calls onUpdate(obj, obj) for every cached object this often (retries what was dropped). Off by default. */
  resyncPeriodMs?: number;
  /**
   * Told of list and watch failures before each retry (not of EXPIRED, which is routine)
   * and of handler and index exceptions. Default: stderr.
   */
  onError?: (error: unknown) => void;
  /** First delay before retrying a failed list or watch, doubling per failure. Default 800 ms. */
  retryDelayMs?: number;
  /** Default 30 s. */
  maxRetryDelayMs?: number;
  /** Objects per page of a list (see listAll). Default: the server's default page, 500. */
  listPageSize?: number;
}

/**
 * A local, always-converging copy of the objects of one kind matching a selection, as
 * client-go's shared informer: it lists every page (a list answers one page at most,
 * schema/list-limits.ts), then watches from the list's resourceVersion,
 * applying each event to an indexed cache and telling the handlers. When the watch
 * cannot resume (EXPIRED: the server compacted past it) it lists again and diffs the
 * result against the cache, emitting the adds, updates and deletes it missed, so
 * handlers converge on the server's state without ever seeing an event twice for one
 * change. Other failures are retried with back-off, forever, until `stop`.
 */
export class Informer<T extends Resource = Resource> implements CacheReader<T> {
  private readonly store: IndexedCache<T>;
  private readonly handlers = new Set<EventHandlers<T>>();
  private readonly syncWaiters = new Set<{ resolve(): void; reject(error: Error): void }>();
  private readonly onError: (error: unknown) => void;
  private synced = false;
  private stopped = false;
  private running?: Promise<void>;
  private watch?: AsyncIterableIterator<WatchEvent<T>>;
  private wake?: () => void;
  private resync?: ReturnType<typeof setInterval>;
  private failures = 0;
  private revision?: string;
  /** Whether the loop is waiting for a list: the one wait `stop` cannot cut short. */
  private listing = false;

  constructor(
    private readonly client: ListWatchClient,
    readonly kind: string,
    readonly selection: Selection = {},
    private readonly options: InformerOptions<T> = {},
  ) {
    this.onError = options.onError ?? ((error) => console.error(`informer ${kind}: ${messageOf(error)}`));
    this.store = new IndexedCache<T>((error, index, key) =>
      this.onError(new Error(`index "${index}" failed for ${key}`, { cause: error })),
    );
    for (const [name, fn] of Object.entries(options.indexers ?? {})) this.store.addIndexer(name, fn);
  }

  /** Starts listing and watching; idempotent. */
  start(): this {
    if (this.running || this.stopped) return this;
    this.running = this.run();
    const period = this.options.resyncPeriodMs;
    if (period && period > 0) {
      this.resync = setInterval(() => this.resyncAll(), period);
      // Node's timers keep the process alive unless unref'd; a browser's are numbers.
      this.resync.unref?.();
    }
    return this;
  }

  /**
   * Ends the watch and retries; resolves once no handler will be called again. A list in
   * flight is not waited for (requests cannot be cancelled): its answer is dropped. The
   * cache keeps its last state. Stop informers before closing their client.
   */
  async stop(): Promise<void> {
    if (!this.stopped) {
      this.stopped = true;
      clearInterval(this.resync);
      void this.watch?.return?.();
      this.wake?.();
      for (const waiter of this.syncWaiters)
        waiter.reject(new Error(`informer ${this.kind} stopped before it synced`));
      this.syncWaiters.clear();
    }
    if (!this.listing) await this.running;
  }

  /** The revision the cache reflects: of the last list, event or bookmark applied. */
  get lastSyncResourceVersion(): string | undefined {
    return this.revision;
  }

  /** Whether the first list has been applied to the cache (and handlers told). */
  hasSynced(): boolean {
    return this.synced;
  }

  /** Resolves once synced; rejects if the informer stops first or the signal aborts. */
  waitForSync(signal?: AbortSignal): Promise<void> {
    if (this.synced) return Promise.resolve();
    if (this.stopped) return Promise.reject(new Error(`informer ${this.kind} stopped before it synced`));
    return new Promise((resolve, reject) => {
      const waiter = {
        resolve: () => {
          signal?.removeEventListener('abort', abort);
          resolve();
        },
        reject: (error: Error) => {
          signal?.removeEventListener('abort', abort);
          reject(error);
        },
      };
      const abort = () => {
        this.syncWaiters.delete(waiter);
        reject(signal!.reason);
      };
      if (signal?.aborted) return abort();
      signal?.addEventListener('abort', abort, { once: true });
      this.syncWaiters.add(waiter);
    });
  }

  /**
   * Registers handlers; returns a function that unregisters them. Registered after
   * objects are cached, they are first told onAdd for each, as client-go does, so a late
   * handler needs no separate initial pass.
   */
  addEventHandler(handlers: EventHandlers<T>): () => void {
    this.handlers.add(handlers);
    for (const obj of this.store.list()) this.call(handlers, 'onAdd', obj, !this.synced);
    return () => this.handlers.delete(handlers);
  }

  /** Adds an index (also over the objects already cached). */
  addIndexer(name: string, fn: IndexFunc<T>): void {
    this.store.addIndexer(name, fn);
  }

  /** The cache, for code that should only read it (listers). */
  get cache(): CacheReader<T> {
    return this.store;
  }

  get size(): number {
    return this.store.size;
  }
  get(key: string): T | undefined {
    return this.store.get(key);
  }
  keys(): string[] {
    return this.store.keys();
  }
  list(namespace?: string): T[] {
    return this.store.list(namespace);
  }
  byOwner(uid: string): T[] {
    return this.store.byOwner(uid);
  }
  byNode(nodeName: string): T[] {
    return this.store.byNode(nodeName);
  }
  byLabel(selector: string): T[] {
    return this.store.byLabel(selector);
  }
  byIndex(index: string, value: string): T[] {
    return this.store.byIndex(index, value);
  }
  indexValues(index: string): string[] {
    return this.store.indexValues(index);
  }

  private async run(): Promise<void> {
    let listed = false;
    while (!this.stopped) {
      try {
        if (!listed) {
          this.listing = true;
          const selection = { ...this.selection, pageSize: this.options.listPageSize };
          const list = await this.client.listAll<T>(this.kind, selection).finally(() => {
            this.listing = false;
          });
          if (this.stopped) return;
          this.replace(list.items, list.resourceVersion);
          listed = true;
          this.failures = 0;
        }
        await this.watchFrom(this.revision!);
        if (this.stopped) return;
        throw new Error('the watch ended');
      } catch (error) {
        if (this.stopped) return;
        this.failures++;
        const expired = (error as { code?: unknown } | undefined)?.code === 'EXPIRED';
        // EXPIRED means the events since our revision are gone: only a fresh list can
        // tell what changed. Anything else resumes the watch from where it stopped.
        if (expired) listed = false;
        else this.onError(error);
        await this.sleep(expired && this.failures === 1 ? 0 : this.retryDelay());
      }
    }
  }

  private async watchFrom(resourceVersion: string): Promise<void> {
    const watch = this.client.watch<T>(this.kind, {
      ...this.selection,
      resourceVersion,
      allowBookmarks: true,
    });
    this.watch = watch;
    try {
      for await (const event of watch) {
        if (this.stopped) return;
        this.failures = 0;
        this.apply(event);
      }
    } finally {
      this.watch = undefined;
    }
  }

  private apply(event: WatchEvent<T>): void {
    const obj = event.object;
    if (event.type === 'DELETED') {
      this.store.delete(keyOf(obj));
      this.emit('onDelete', obj);
    } else if (event.type !== 'BOOKMARK') {
      const old = this.store.set(obj);
      if (old) this.emit('onUpdate', old, obj);
      else this.emit('onAdd', obj, false);
    }
    this.revision = obj.metadata.resourceVersion ?? this.revision;
  }

  /** Makes the cache equal to a fresh list, telling handlers about each difference. */
  private replace(items: T[], resourceVersion: string): void {
    const initial = !this.synced;
    const listed = new Map(items.map((obj) => [keyOf(obj), obj]));
    for (const key of this.store.keys()) {
      if (listed.has(key)) continue;
      this.emit('onDelete', this.store.delete(key)!);
    }
    for (const [key, obj] of listed) {
      const old = this.store.get(key);
      if (old && old.metadata.uid !== obj.metadata.uid) {
        // Deleted and recreated under the same name while we were not watching.
        this.store.delete(key);
        this.emit('onDelete', old);
        this.store.set(obj);
        this.emit('onAdd', obj, false);
      } else if (!old) {
        this.store.set(obj);
        this.emit('onAdd', obj, initial);
      } else if (old.metadata.resourceVersion !== obj.metadata.resourceVersion) {
        this.store.set(obj);
        this.emit('onUpdate', old, obj);
      }
    }
    this.revision = resourceVersion;
    if (!this.synced) {
      this.synced = true;
      for (const waiter of this.syncWaiters) waiter.resolve();
      this.syncWaiters.clear();
    }
  }

  private resyncAll(): void {
    if (!this.synced || this.stopped) return;
    for (const obj of this.store.list()) this.emit('onUpdate', obj, obj);
  }

  private emit<E extends keyof EventHandlers<T>>(
    event: E,
    ...args: Parameters<NonNullable<EventHandlers<T>[E]>>
  ) {
    // A snapshot: a handler may register or unregister handlers.
    for (const handlers of [...this.handlers]) this.call(handlers, event, ...args);
  }

  private call<E extends keyof EventHandlers<T>>(
    handlers: EventHandlers<T>,
    event: E,
    ...args: Parameters<NonNullable<EventHandlers<T>[E]>>
  ): void {
    try {
      (handlers[event] as ((...a: typeof args) => void) | undefined)?.(...args);
    } catch (error) {
      this.onError(error);
    }
  }

  /** Exponential with equal jitter, so informers restarted together do not retry in step. */
  private retryDelay(): number {
    const base = this.options.retryDelayMs ?? 800;
    const max = this.options.maxRetryDelayMs ?? 30_000;
    const delay = Math.min(max, base * 2 ** Math.min(this.failures - 1, 30));
    return delay / 2 + (Math.random() * delay) / 2;
  }

  /** A delay that `stop` cuts short. */
  private sleep(ms: number): Promise<void> {
    if (ms <= 0 || this.stopped) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.wake = undefined;
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.wake = done;
    });
  }
}

/**
 * An informer for one kind (as the API names it, e.g. 'Pod') and selection. It does
 * nothing until `start()`; register handlers and indexers before or after.
 */
export function createInformer<T extends Resource = Resource>(
  client: ListWatchClient,
  kind: string,
  selection: Selection = {},
  options: InformerOptions<T> = {},
): Informer<T> {
  return new Informer<T>(client, kind, selection, options);
}
