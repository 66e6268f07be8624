/**
 * A queue between a pushing producer (a node agent's replies) and a pulling consumer (a
 * subscription), that tells the producer when the consumer has caught up. A plain
 * iterator rather than an async generator: `return()` (the client unsubscribing) must
 * settle a pending `next()` and run `onReturn` at once, even while nothing arrives.
 */
export class Queue<T> implements AsyncIterableIterator<T> {
  private items: T[] = [];
  private waiting?: { resolve(result: IteratorResult<T>): void; reject(error: unknown): void };
  private failure?: { error: unknown };
  private done = false;
  private drainWaiters: Array<{ below: number; resolve(): void }> = [];

  constructor(private readonly onReturn: () => void = () => {}) {}

  get closed(): boolean {
    return this.done;
  }

  get size(): number {
    return this.items.length;
  }

  push(...values: T[]): void {
    if (this.done) return;
    for (const value of values) {
      if (this.waiting) this.settle().resolve({ value, done: false });
      else this.items.push(value);
    }
  }

  /** Ends after the queued values with `error`. */
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

  /** Resolves once fewer than `below` values wait for the consumer, or the queue is closed. */
  drained(below: number): Promise<void> {
    if (this.done || this.items.length < below) return Promise.resolve();
    return new Promise((resolve) => this.drainWaiters.push({ below, resolve }));
  }

  next(): Promise<IteratorResult<T>> {
    if (this.items.length > 0) {
      const value = this.items.shift()!;
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
    this.items = [];
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
      if (all || this.items.length < waiter.below) waiter.resolve();
      else keep.push(waiter);
    }
    this.drainWaiters = keep;
  }
}
