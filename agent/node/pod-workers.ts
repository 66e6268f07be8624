import { backoffDelay } from '../../client/index.ts';
import { systemClock, type Clock } from '../../lib/clock.ts';

export interface SyncResult {
  /** Sync again after this long (a back-off ends, a deadline passes). */
  retryAfterMs?: number;
}

/**
 * One serial worker per pod, as the kubelet's pod workers: `update(key)` runs
 * `sync(key)` at once unless a sync of that pod is in flight, in which case one more
 * sync follows it (however many updates arrived meanwhile). Pods never wait for each
 * other, so a slow runtime call for one pod holds up no other. A sync that throws is
 * retried with exponential back-off (up to 30 s).
 */
export class PodWorkers {
  private readonly running = new Map<string, Promise<void>>();
  private readonly dirty = new Set<string>();
  private readonly failures = new Map<string, number>();
  private readonly timers = new Map<string, { at: number; timer: ReturnType<typeof setTimeout> }>();
  private stopped = false;

  constructor(
    private readonly sync: (key: string) => Promise<SyncResult | void>,
    private readonly onError: (key: string, error: unknown) => void,
    private readonly clock: Clock = systemClock,
  ) {}

  update(key: string): void {
    if (this.stopped) return;
    if (this.running.has(key)) {
      this.dirty.add(key);
      return;
    }
    // Registered before the sync starts, so an update it causes itself only marks the pod dirty.
    const run = Promise.resolve()
      .then(() => this.run(key))
      .finally(() => {
        this.running.delete(key);
        if (this.dirty.has(key)) this.update(key);
      });
    this.running.set(key, run);
  }

  /** Syncs the pod after `ms`; of several pending delays the earliest wins. */
  updateAfter(key: string, ms: number): void {
    if (this.stopped) return;
    const at = this.clock.now() + ms;
    const pending = this.timers.get(key);
    if (pending && pending.at <= at) return;
    if (pending) clearTimeout(pending.timer);
    const timer = setTimeout(() => {
      this.timers.delete(key);
      this.update(key);
    }, ms);
    this.timers.set(key, { at, timer });
  }

  /** The pods with a sync in flight. */
  get busy(): number {
    return this.running.size;
  }

  /** No more syncs start; resolves once those in flight are done. */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const { timer } of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
    await Promise.all([...this.running.values()]);
    this.dirty.clear();
  }

  private async run(key: string): Promise<void> {
    do {
      this.dirty.delete(key);
      try {
        const result = await this.sync(key);
        this.failures.delete(key);
        if (result?.retryAfterMs !== undefined) this.updateAfter(key, Math.max(0, result.retryAfterMs));
      } catch (error) {
        const failures = this.failures.get(key) ?? 0;
        this.failures.set(key, failures + 1);
        this.onError(key, error);
        this.updateAfter(key, 200 + backoffDelay(failures, { baseMs: 400, factor: 2, capMs: 30_000 }));
      }
    } while (this.dirty.has(key) && !this.stopped);
  }
}
