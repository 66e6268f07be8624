import type { Clock } from '../../lib/clock.ts';
import type { Resource } from '../../client/index.ts';

interface Pending {
  /** Keys of objects created and not seen yet, with when. */
  creates: Map<string, number>;
  /** Keys of objects whose deletion was asked for and is not seen yet, with when. */
  deletes: Map<string, number>;
}

/** What `settle` needs of a cache: a lookup by key (an Informer, or a fixture's cache). */
export interface KeyLookup {
  get(key: string): Resource | undefined;
}

/**
 * The creations and deletions an owner's reconcile has made and its informer cache does
 * not show yet, object by object (client-go's UIDTrackingControllerExpectations, by key):
 * a reconcile reading a cache that lags its own writes would otherwise count the pods it
 * just created as missing and create them again, or the pods it just deleted as still
 * there.
 *
 * Unlike counting expectations, a write is settled both by the informer's event
 * (`observe`, from the handlers: this catches an object created and deleted before any
 * reconcile saw it) and by looking at the cache (`settle`, at the start of a reconcile:
 * this catches an event that arrived before the write's answer, and works in unit tests
 * whose caches are filled by hand). A write never seen expires after `ttlMs`.
 *
 * Used by the Job and CronJob controllers, which need to know *which* writes are
 * unseen, not just whether any are: a Job counts the pods it created but cannot see
 * yet as active and leaves out of its active pods those whose deletion it asked for;
 * a CronJob keeps a Job it created in status.active until its cache shows it. Counting
 * Expectations cannot answer that, and these semantics (recorded after success,
 * settled from the cache) are not those the ReplicaSet, StatefulSet and DaemonSet
 * controllers rely on, so both stay.
 */
export class PendingWrites {
  private readonly owners = new Map<string, Pending>();

  constructor(
    private readonly clock: Clock,
    private readonly ttlMs = 5 * 60 * 1000,
  ) {}

  /** After a successful create of `key` for `owner`. */
  created(owner: string, key: string): void {
    this.of(owner).creates.set(key, this.clock.now());
  }

  /** After a successful delete request for `key` for `owner`. */
  deleted(owner: string, key: string): void {
    this.of(owner).deletes.set(key, this.clock.now());
  }

  /**
   * From informer handlers: `obj` (of `owner`) was added or updated (`present`), or
   * deleted. An object marked for deletion counts as deleted, as client-go's does.
   */
  observe(owner: string, key: string, obj: Resource | undefined): void {
    const pending = this.owners.get(owner);
    if (!pending) return;
    pending.creates.delete(key);
    if (!obj || obj.metadata.deletionTimestamp) pending.deletes.delete(key);
    this.prune(owner, pending);
  }

  /** Drops every write of `owner` that `cache` reflects or that expired. */
  settle(owner: string, cache: KeyLookup): void {
    const pending = this.owners.get(owner);
    if (!pending) return;
    const expired = this.clock.now() - this.ttlMs;
    for (const [key, at] of pending.creates) {
      if (cache.get(key) || at < expired) pending.creates.delete(key);
    }
    for (const [key, at] of pending.deletes) {
      const obj = cache.get(key);
      if (!obj || obj.metadata.deletionTimestamp || at < expired) pending.deletes.delete(key);
    }
    this.prune(owner, pending);
  }

  /** Whether nothing `owner` wrote is still unseen (call `settle` first). */
  satisfied(owner: string): boolean {
    return !this.owners.has(owner);
  }

  /** Keys created for `owner` that the cache does not show yet. */
  creating(owner: string): string[] {
    return [...(this.owners.get(owner)?.creates.keys() ?? [])];
  }

  /** Whether the deletion of `key` by `owner` is not seen yet. */
  deleting(owner: string, key: string): boolean {
    return this.owners.get(owner)?.deletes.has(key) ?? false;
  }

  /** When the oldest unseen write of `owner` expires (ms from now), for a requeue; undefined if none. */
  expiresInMs(owner: string): number | undefined {
    const pending = this.owners.get(owner);
    if (!pending) return undefined;
    const oldest = Math.min(...pending.creates.values(), ...pending.deletes.values());
    return Math.max(0, oldest + this.ttlMs - this.clock.now());
  }

  forget(owner: string): void {
    this.owners.delete(owner);
  }

  private of(owner: string): Pending {
    let pending = this.owners.get(owner);
    if (!pending) this.owners.set(owner, (pending = { creates: new Map(), deletes: new Map() }));
    return pending;
  }

  private prune(owner: string, pending: Pending): void {
    if (pending.creates.size === 0 && pending.deletes.size === 0) this.owners.delete(owner);
  }
}
