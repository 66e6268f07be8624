/**
 * A queue between a push source (a transport's sink, a node agent's replies) and a
 * pulling consumer (`for await`). A plain iterator object rather than an async generator:
 * a generator's `return()` waits for the pending `next()` to settle, so a consumer could
 * not stop a quiet subscription; here `return()` settles the pending `next()` and runs
 * `onReturn` at once. `drained` tells a producer that can wait when the consumer has
 * caught up (back-pressure).
 */
export class Channel<T> implements AsyncIterableIterator<T> {
  private queue: T[] = [];
  private waiting?: { resolve(result: IteratorResult<T>): void; reject(error: unknown): void };
  private failure?: { error: unknown };
  private done = false;
  private drainWaiters: Array<{ below: number; resolve(): void }> = [];

  constructor(private readonly onReturn: () => void = () => {}) {}

  get closed(): boolean {
    return this.done;
  }

  get size(): number {
    return this.queue.length;
  }

  push(...values: T[]): void {
    if (this.done) return;
    for (const value of values) {
      if (this.waiting) this.settle().resolve({ value, done: false });
      else this.queue.push(value);
    }
  }

  /**
   * Pushes `value` in place of whatever the consumer has not taken yet: for a state that
   * supersedes the previous one (a live query's result), a slow consumer gets the newest.
   */
  pushLatest(value: T): void {
    if (this.done) return;
    this.queue = [];
    this.push(value);
    this.releaseDrainWaiters(false);
  }

  /** Resolves once fewer than `below` values wait for the consumer, or the channel is closed. */
  drained(below: number): Promise<void> {
    if (this.done || this.queue.length < below) return Promise.resolve();
    return new Promise((resolve) => this.drainWaiters.push({ below, resolve }));
  }

  /** Ends after the queued values: the next pull after them rejects with `error`. */
  fail(error: unknown): void {
    if (this.done) return;
    this.done = true;
    if (this.waiting) this.settle().reject(error);
    else this.failure = { error };
    this.releaseDrainWaiters(true);
  }

  /** Ends after the queued values. */
  end(): void {
    if (this.done) return;
    this.done = true;
    if (this.waiting) this.settle().resolve({ value: undefined, done: true });
    this.releaseDrainWaiters(true);
  }

  next(): Promise<IteratorResult<T>> {
    if (this.queue.length > 0) {
      const value = this.queue.shift()!;
      this.releaseDrainWaiters(false);
      return Promise.resolve({ value, done: false });
    }
    if (this.failure) {
      const { error } = this.failure;
      this.failure = undefined;
      return Promise.reject(error);
    }
    if (this.done) return Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve, reject) => (this.waiting = { resolve, reject }));
  }

  return(): Promise<IteratorResult<T>> {
    const wasDone = this.done;
    this.queue = [];
    this.failure = undefined;
    this.done = true;
    if (this.waiting) this.settle().resolve({ value: undefined, done: true });
    this.releaseDrainWaiters(true);
    if (!wasDone) this.onReturn();
    return Promise.resolve({ value: undefined, done: true });
  }

  [Symbol.asyncIterator](): AsyncIterableIterator<T> {
    return this;
  }

  private settle() {
    const waiting = this.waiting!;
    this.waiting = undefined;
    return waiting;
  }

  private releaseDrainWaiters(all: boolean): void {
    if (this.drainWaiters.length === 0) return;
    const keep: typeof this.drainWaiters = [];
    for (const waiter of this.drainWaiters) {
      if (all || this.queue.length < waiter.below) waiter.resolve();
      else keep.push(waiter);
    }
    this.drainWaiters = keep;
  }
}
