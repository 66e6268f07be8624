import { defaultControllerRateLimiter, type RateLimitOptions, type RateLimiter } from './rate-limiter.ts';

export interface WorkQueueOptions<K> extends RateLimitOptions {
  /** Replaces the default limiter (per-key exponential back-off combined with a token bucket). */
  rateLimiter?: RateLimiter<K>;
}

/**
 * A rate-limited work queue of keys, as client-go's workqueue: controllers enqueue the
 * key of whatever changed and workers reconcile by key, so many changes to one object
 * collapse into one pass over its latest state.
 *
 * - A key is queued at most once: adding a key that is already waiting does nothing.
 * - A key is never handed to two workers at once: adding a key that is being processed
 *   marks it dirty, and `done` queues it again, so the change is not lost.
 * - `addRateLimited` retries after the limiter's delay (by default 5 ms doubling per
 *   failure up to 1000 s, and at most 10 retries per second overall after a burst of
 *   100); `forget` resets the key once it succeeds.
 *
 * Every `get` that returns a key must be followed by `done(key)`, or the key is never
 * handed out again. Delayed adds hold timers that keep the process alive until
 * `shutDown`. Keys are compared as Map keys are (strings by value, objects by identity).
 */
export class WorkQueue<K = string> {
  private readonly queue: K[] = [];
  /** Keys that need processing: those queued plus those re-added while being processed. */
  private readonly dirty = new Set<K>();
  private readonly processing = new Set<K>();
  /** Keys whose delayed add has not fired yet, with when it will. */
  private readonly delayed = new Map<K, { at: number; timer: ReturnType<typeof setTimeout> }>();
  private readonly getters: Array<(key: K | undefined) => void> = [];
  private readonly drainers: Array<() => void> = [];
  private readonly rateLimiter: RateLimiter<K>;
  private shuttingDown = false;

  constructor(options: WorkQueueOptions<K> = {}) {
    this.rateLimiter = options.rateLimiter ?? defaultControllerRateLimiter<K>(options);
  }

  /** Keys waiting to be handed out (not counting those being processed or delayed). */
  get len(): number {
    return this.queue.length;
  }

  get isShuttingDown(): boolean {
    return this.shuttingDown;
  }

  add(key: K): void {
    if (this.shuttingDown || this.dirty.has(key)) return;
    this.dirty.add(key);
    if (this.processing.has(key)) return; // `done` will queue it
    this.queue.push(key);
    this.dispatch();
  }

  /** Adds the key after `ms`; of several pending delays for one key the earliest wins. */
  addAfter(key: K, ms: number): void {
    if (this.shuttingDown) return;
    if (ms <= 0) return this.add(key);
    const at = Date.now() + ms;
    const pending = this.delayed.get(key);
    if (pending) {
      if (pending.at <= at) return;
      clearTimeout(pending.timer);
    }
    // Node fires a longer timer after 1 ms: wake at the limit instead (an early reconcile is harmless).
    const timer = setTimeout(
      () => {
        this.delayed.delete(key);
        this.add(key);
      },
      Math.min(ms, 2 ** 31 - 1),
    );
    this.delayed.set(key, { at, timer });
  }

  /** Adds the key after the rate limiter's delay for it (one more failure). */
  addRateLimited(key: K): void {
    if (this.shuttingDown) return;
    this.addAfter(key, this.rateLimiter.when(key));
  }

  /** Stops tracking the key's failures; call after it is processed successfully. */
  forget(key: K): void {
    this.rateLimiter.forget(key);
  }

  numRequeues(key: K): number {
    return this.rateLimiter.numRequeues(key);
  }

  /**
   * The next key, waiting for one if none is queued; the caller owns it until `done`.
   * Resolves undefined once the queue is shut down (keys still queued are dropped).
   */
  get(): Promise<K | undefined> {
    if (this.shuttingDown) return Promise.resolve(undefined);
    if (this.queue.length > 0) return Promise.resolve(this.take());
    return new Promise((resolve) => this.getters.push(resolve));
  }

  /** Marks the key processed; if it was added meanwhile, it is queued again. */
  done(key: K): void {
    if (!this.processing.delete(key)) return;
    if (this.dirty.has(key) && !this.shuttingDown) {
      this.queue.push(key);
      this.dispatch();
    }
    if (this.processing.size === 0) for (const drained of this.drainers.splice(0)) drained();
  }

  /** Stops handing out keys: waiting and later `get`s resolve undefined, adds are ignored. */
  shutDown(): void {
    if (this.shuttingDown) return;
    this.shuttingDown = true;
    for (const { timer } of this.delayed.values()) clearTimeout(timer);
    this.delayed.clear();
    this.queue.length = 0;
    this.dirty.clear();
    for (const getter of this.getters.splice(0)) getter(undefined);
  }

  /** Shuts down, then resolves once every key handed out has been marked `done`. */
  shutDownWithDrain(): Promise<void> {
    this.shutDown();
    if (this.processing.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.drainers.push(resolve));
  }

  private take(): K {
    const key = this.queue.shift() as K;
    this.dirty.delete(key);
    this.processing.add(key);
    return key;
  }

  /**
   * Hands queued keys to waiting getters. Marking each processing here, synchronously,
   * is what keeps two workers off one key.
   */
  private dispatch(): void {
    while (this.getters.length > 0 && this.queue.length > 0) this.getters.shift()!(this.take());
  }
}
