/**
 * A queue between a push source (a transport's sink) and a pulling consumer (`for await`).
 * A plain iterator object rather than an async generator: a generator's `return()` waits
 * for the pending `next()` to settle, so a consumer could not stop a quiet subscription;
 * here `return()` settles the pending `next()` and runs `onReturn` at once.
 */
export class Channel<T> implements AsyncIterableIterator<T> {
  private queue: T[] = [];
  private waiting?: { resolve(result: IteratorResult<T>): void; reject(error: unknown): void };
  private failure?: { error: unknown };
  private done = false;

  constructor(private readonly onReturn: () => void = () => {}) {}

  get closed(): boolean {
    return this.done;
  }

  push(value: T): void {
    if (this.done) return;
    if (this.waiting) return this.settle().resolve({ value, done: false });
    this.queue.push(value);
  }

  /** Ends after the queued values: the next pull after them rejects with `error`. */
  fail(error: unknown): void {
    if (this.done) return;
    this.done = true;
    if (this.waiting) this.settle().reject(error);
    else this.failure = { error };
  }

  /** Ends after the queued values. */
  end(): void {
    if (this.done) return;
    this.done = true;
    if (this.waiting) this.settle().resolve({ value: undefined, done: true });
  }

  next(): Promise<IteratorResult<T>> {
    if (this.queue.length > 0) return Promise.resolve({ value: this.queue.shift()!, done: false });
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
}
