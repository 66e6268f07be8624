import type { Clock } from '../../lib/clock.ts';

/**
 * How many creations and deletions a controller has asked for and not yet seen in its
 * cache, per owner key (client-go's ControllerExpectations). A fast reconcile loop
 * reads a cache that lags its own writes; without this it would count the pods it just
 * created as missing and create them again. Expectations expire after a while, so a
 * write that never shows up (lost event) cannot block the owner forever.
 *
 * Used by the ReplicaSet, StatefulSet and DaemonSet controllers, which only ask "has
 * the cache caught up?" before acting. It is kept apart from PendingWrites (the Job and
 * CronJob controllers') because the two mean different things: a count is set before
 * the writes (so it holds while they are in flight, and covers pods whose generated
 * names are not known yet), is lowered only by informer events (or by the controller
 * for a write that failed), and expires as a whole; PendingWrites records each write
 * by object key once it succeeded, is also settled by what the cache shows, and expires
 * write by write. Swapping one for the other would change when these controllers act.
 */
export class Expectations {
  private readonly pending = new Map<string, { adds: number; deletes: number; at: number }>();

  /**
   * `clock` is the controller's (ctx.clock), which dates each expectation for its expiry;
   * the system clock is the default only for callers not yet given one.
   */
  constructor(
    private readonly clock: Clock,
    private readonly ttlMs = 5 * 60 * 1000,
  ) {}

  /** Before writing: the number of creations and deletions about to be made for `key`. */
  expect(key: string, adds: number, deletes: number): void {
    this.pending.set(key, { adds, deletes, at: this.clock.now() });
  }

  /** An informer saw one of the creations (or the create failed and will not be seen). */
  observedAdd(key: string): void {
    const entry = this.pending.get(key);
    if (entry) entry.adds--;
  }

  observedDelete(key: string): void {
    const entry = this.pending.get(key);
    if (entry) entry.deletes--;
  }

  /** Whether the cache has caught up with every write asked for (or the wait expired). */
  satisfied(key: string): boolean {
    const entry = this.pending.get(key);
    if (!entry) return true;
    if ((entry.adds <= 0 && entry.deletes <= 0) || this.clock.now() - entry.at > this.ttlMs) {
      this.pending.delete(key);
      return true;
    }
    return false;
  }

  forget(key: string): void {
    this.pending.delete(key);
  }
}
