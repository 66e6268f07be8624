import { runWorkers, WorkQueue, type Workers } from '../../client/index.ts';

/** What a reconcile may ask for besides success: to be called again later (a deadline, a back-off). */
export interface ReconcileResult {
  requeueAfterMs?: number;
}

/** The earlier of two optional delays: what a reconcile waiting on several things asks for. */
export function earliest(a: number | undefined, b: number | undefined): number | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  return Math.min(a, b);
}

/**
 * Brings one object (by `namespace/name` key) to its desired state.
 *
 * Contract, for every controller: it is never called for the same key twice at once
 * (the queue hands a key to one worker), it may be called any number of times for the
 * same key (it is idempotent: it reads the current state from informer caches,
 * compares with what should be, and writes only the difference), and a key whose
 * object is gone still gets a call (to clean up). Throwing retries the key with
 * per-key exponential back-off; returning normally forgets its failures.
 */
export type Reconcile = (key: string) => Promise<ReconcileResult | void>;

export interface ReconcileLoopOptions {
  workers?: number;
  onError?: (key: string, error: unknown) => void;
}

/** The one loop every controller runs: a rate-limited work queue drained by workers calling reconcile. */
export class ReconcileLoop {
  private readonly queue = new WorkQueue<string>();
  private workers?: Workers;

  constructor(
    readonly name: string,
    private readonly reconcile: Reconcile,
    private readonly options: ReconcileLoopOptions = {},
  ) {}

  enqueue(key: string): void {
    this.queue.add(key);
  }

  enqueueAfter(key: string, ms: number): void {
    this.queue.addAfter(key, ms);
  }

  start(): void {
    this.workers = runWorkers(
      this.queue,
      this.options.workers ?? 2,
      async (key) => {
        const result = await this.reconcile(key);
        if (result?.requeueAfterMs !== undefined) this.queue.addAfter(key, result.requeueAfterMs);
      },
      // Without an onError of our own, runWorkers logs failures itself.
      this.options.onError ? { onError: (error, key) => this.options.onError!(key, error) } : {},
    );
  }

  async stop(): Promise<void> {
    await this.workers?.stop();
  }
}
