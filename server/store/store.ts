import { TimeSlices } from '../../lib/time-slices.ts';
import type { Resource } from '../../schema/kind.ts';
import { kindByName } from '../../schema/kinds/index.ts';
import { ApiError, expired } from '../errors.ts';
import { EventLog, type StoreEvent } from './event-log.ts';
import { deepFreeze, freezeSharing } from './freeze.ts';
import { ObjectIndex, type Indexer } from './object-index.ts';
import type { Batch, Persistence } from './persistence.ts';

export function objectKey(kind: string, namespace: string | undefined, name: string): string {
  return `${kind}/${namespace ?? ''}/${name}`;
}

/** What a write may read while it decides: committed state plus earlier writes of the same commit. */
export interface TxView {
  get(key: string): Resource | undefined;
  list(kind: string): Iterable<Resource>;
}

/**
 * The decision of one write, taken against the current object (undefined when absent).
 * `put` stores the given object (which the write owns; the store sets its
 * resourceVersion), `remove` deletes, `keep` changes nothing. Throwing refuses the
 * whole group the write belongs to.
 */
export type WriteOutcome = { put: Resource } | { remove: true } | { keep: true };

export interface WriteOp {
  key: string;
  decide(current: Resource | undefined, tx: TxView): WriteOutcome;
}

interface Pending {
  ops: WriteOp[];
  resolve(results: Array<Resource | undefined>): void;
  reject(error: unknown): void;
}

export interface StoreOptions {
  /** Keep at most this many events for resuming watches and paging old lists. */
  retainEvents: number;
  /**
   * ... of at most this many bytes as stored: each event holds two versions of an object,
   * so a count alone bounds nothing when objects are large.
   */
  retainBytes: number;
  /** Drop events older than this. */
  retainMs: number;
  compactEveryMs: number;
  indexers: Record<string, Indexer>;
  onError(error: unknown): void;
}

export type Listener = (events: StoreEvent[]) => void;

/** How far past retainEvents the log may grow before a compaction is due without waiting for the timer. */
const RETENTION_SLACK = 1.25;

/** Writes folded into one transaction at most: bounds a commit's latency. */
const MAX_OPS_PER_COMMIT = 500;

/**
 * The API server's store: the committed objects in memory (what every read is served
 * from), the retained event log, and the database behind both.
 *
 * Writes are serialized through one queue and committed in groups: every write that
 * arrives while the previous transaction is in flight goes into the next one, so the
 * store reaches thousands of writes per second on SQLite while a lone write still
 * commits at once. Each write decides against the state as it will be at its turn
 * (compare-and-swap happens there), takes the next global revision, and becomes
 * visible to reads and watchers only after its transaction commits. If the
 * transaction fails, every write in it fails and the revision counter does not move.
 */
export class Store {
  readonly objects: ObjectIndex;
  readonly log = new EventLog();
  revision = 0;
  private queue: Pending[] = [];
  private flushing = false;
  private closed = false;
  private compactDue = false;
  private drained?: () => void;
  private readonly listeners = new Set<Listener>();
  private readonly timer: NodeJS.Timeout;
  /** Objects in the database that no configured provider decrypts, with why: reading or writing one fails. */
  private readonly unreadable = new Map<string, string>();
  /** Objects stored under an older provider or key: even an unchanged update rewrites them under the current one. */
  private readonly stale = new Set<string>();

  private constructor(
    private readonly persistence: Persistence,
    private readonly options: StoreOptions,
  ) {
    this.objects = new ObjectIndex(options.indexers);
    this.timer = setInterval(() => this.requestCompaction(), options.compactEveryMs);
    this.timer.unref();
  }

  static async open(persistence: Persistence, options: StoreOptions): Promise<Store> {
    const store = new Store(persistence, options);
    const state = await persistence.load();
    for (const obj of state.objects)
      store.objects.set(objectKey(obj.kind, obj.metadata.namespace, obj.metadata.name!), deepFreeze(obj));
    for (const event of state.events) {
      deepFreeze(event.prev);
      freezeSharing(event.object, event.prev);
    }
    store.log.compacted = state.compacted;
    store.log.append(state.events);
    store.revision = state.revision;
    for (const key of state.stale) store.stale.add(key);
    for (const [key, reason] of state.unreadable) {
      store.unreadable.set(key, reason);
      options.onError(new Error(`cannot decrypt ${key}: ${reason}`));
    }
    if (state.unreadableEvents > 0)
      options.onError(
        new Error(
          `cannot decrypt ${state.unreadableEvents} events of the history: watches from before revision ${state.compacted} list again`,
        ),
      );
    return store;
  }

  /** The committed object; throws (500) for one the configured providers cannot decrypt. */
  get(key: string): Resource | undefined {
    const reason = this.unreadable.get(key);
    if (reason !== undefined) throw undecryptable(key, reason);
    return this.objects.get(key);
  }

  /** Commits the writes atomically (all or none); resolves with each write's resulting object. */
  commit(ops: WriteOp[]): Promise<Array<Resource | undefined>> {
    if (this.closed) return Promise.reject(new Error('the store is shutting down'));
    return new Promise((resolve, reject) => {
      this.queue.push({ ops, resolve, reject });
      this.kick();
    });
  }

  /** Receives every committed batch of events, in revision order. */
  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * The kind's objects as they were at `revision`, in key order: the current objects
   * with every later write undone from the event log. Below the compaction point the
   * answer is EXPIRED, as etcd answers for a compacted revision.
   */
  snapshot(kind: string, revision: number): Array<[string, Resource]> {
    if (revision < this.log.compacted) throw expired(revision, this.log.compacted);
    // As Kubernetes fails a list that meets an object it cannot decrypt.
    for (const [key, reason] of this.unreadable)
      if (key.startsWith(`${kind}/`)) throw undecryptable(key, reason);
    const current = this.objects.ofKind(kind);
    const later = this.log.since(revision).filter((event) => event.kind === kind);
    if (later.length === 0) return this.objects.keysOfKind(kind).map((key) => [key, current.get(key)!]);
    const undone = new Map<string, Resource | undefined>();
    for (const event of later) if (!undone.has(event.key)) undone.set(event.key, event.prev);
    const keys = new Set([...current.keys(), ...undone.keys()]);
    const out: Array<[string, Resource]> = [];
    for (const key of keys) {
      const obj = undone.has(key) ? undone.get(key) : current.get(key);
      if (obj) out.push([key, obj]);
    }
    return out.sort((a, b) => (a[0] < b[0] ? -1 : 1));
  }

  /** Compacts now (tests and shutdown); normally a timer does it. */
  async compact(): Promise<void> {
    this.requestCompaction();
    await new Promise<void>((resolve) => this.whenIdle(resolve));
  }

  /** Refuses new writes, commits the queued ones, then closes the database. */
  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.timer);
    await new Promise<void>((resolve) => this.whenIdle(resolve));
    await this.persistence.close();
  }

  private whenIdle(resolve: () => void): void {
    if (!this.flushing && this.queue.length === 0 && !this.compactDue) resolve();
    else {
      const previous = this.drained;
      this.drained = () => {
        previous?.();
        resolve();
      };
    }
  }

  private requestCompaction(): void {
    this.compactDue = true;
    this.kick();
  }

  private kick(): void {
    if (this.flushing) return;
    this.flushing = true;
    setImmediate(() => void this.drain());
  }

  private async drain(): Promise<void> {
    try {
      while (this.queue.length > 0 || this.compactDue) {
        if (this.queue.length > 0) await this.commitNext();
        else await this.compactLog();
      }
    } finally {
      this.flushing = false;
      const drained = this.drained;
      this.drained = undefined;
      drained?.();
    }
  }

  private async commitNext(): Promise<void> {
    const groups: Pending[] = [];
    let size = 0;
    while (
      this.queue.length > 0 &&
      (groups.length === 0 || size + this.queue[0].ops.length <= MAX_OPS_PER_COMMIT)
    ) {
      const next = this.queue.shift()!;
      size += next.ops.length;
      groups.push(next);
    }
    const overlay = new Map<string, Resource | undefined>();
    const events: StoreEvent[] = [];
    const accepted: Array<{ group: Pending; results: Array<Resource | undefined> }> = [];
    let revision = this.revision;
    const now = Date.now();
    // Deciding is admission for every write (up to 500 and more): done in slices, so the
    // event loop serves reads meanwhile. Safe: nothing is visible before the commit below,
    // and only this loop changes the committed state.
    const slices = new TimeSlices();

    for (const group of groups) {
      const local = new Map<string, Resource | undefined>();
      const localEvents: StoreEvent[] = [];
      const results: Array<Resource | undefined> = [];
      const read = (key: string) =>
        local.has(key) ? local.get(key) : overlay.has(key) ? overlay.get(key) : this.objects.get(key);
      const tx: TxView = { get: read, list: (kind) => this.listWith(kind, overlay, local) };
      const start = revision;
      try {
        for (const op of group.ops) {
          await slices.pause();
          const unreadable = this.unreadable.get(op.key);
          if (unreadable !== undefined) throw undecryptable(op.key, unreadable);
          const current = read(op.key);
          let outcome = op.decide(current, tx);
          // An unchanged update still moves a stale object to the current key: how rotation
          // rewrites every Secret (`kubectl get secrets -A -o json | kubectl replace -f -`).
          if (
            'keep' in outcome &&
            current &&
            this.stale.has(op.key) &&
            !local.has(op.key) &&
            !overlay.has(op.key)
          )
            outcome = { put: structuredClone(current) };
          if ('keep' in outcome) {
            results.push(current);
            continue;
          }
          revision++;
          if ('put' in outcome) {
            const obj = outcome.put;
            obj.metadata.resourceVersion = String(revision);
            local.set(op.key, obj);
            results.push(obj);
            localEvents.push({
              revision,
              type: current ? 'MODIFIED' : 'ADDED',
              kind: obj.kind,
              key: op.key,
              object: obj,
              prev: current,
              time: now,
            });
          } else if (current) {
            const last = { ...current, metadata: { ...current.metadata, resourceVersion: String(revision) } };
            local.set(op.key, undefined);
            results.push(last);
            localEvents.push({
              revision,
              type: 'DELETED',
              kind: current.kind,
              key: op.key,
              object: last,
              prev: current,
              time: now,
            });
          } else {
            revision--;
            results.push(undefined);
          }
        }
      } catch (error) {
        revision = start;
        group.reject(error);
        continue;
      }
      for (const [key, obj] of local) overlay.set(key, obj);
      events.push(...localEvents);
      accepted.push({ group, results });
    }

    if (events.length > 0) {
      const batch: Batch = { upserts: [], deletes: [], events };
      for (const [key, obj] of overlay) {
        if (obj) batch.upserts.push({ key, object: obj, revision: Number(obj.metadata.resourceVersion) });
        else batch.deletes.push(key);
      }
      try {
        await this.persistence.write(batch);
      } catch (error) {
        this.options.onError(error);
        for (const { group } of accepted) group.reject(new Error('the store could not commit the write'));
        return;
      }
      // Committed objects are read-only from here on: reads and watches hand them out uncopied.
      // In revision order, so a key written twice in the batch shares with its first write.
      for (const event of events) freezeSharing(event.object, event.prev);
      for (const [key, obj] of overlay) {
        if (obj) this.objects.set(key, obj);
        else this.objects.remove(key);
        this.stale.delete(key);
      }
      this.revision = revision;
      this.log.append(events);
      // Retention holds between the timer's compactions too: a busy cluster writes thousands
      // of events a second, and each retained one keeps two versions of an object in memory.
      if (
        this.log.size > this.options.retainEvents * RETENTION_SLACK ||
        this.log.bytes > this.options.retainBytes * RETENTION_SLACK
      )
        this.compactDue = true;
    }
    for (const { group, results } of accepted) group.resolve(results);
    if (events.length > 0) for (const listener of this.listeners) listener(events);
  }

  private *listWith(
    kind: string,
    overlay: Map<string, Resource | undefined>,
    local: Map<string, Resource | undefined>,
  ) {
    const seen = new Set<string>();
    for (const layer of [local, overlay]) {
      for (const [key, obj] of layer) {
        if (seen.has(key)) continue;
        seen.add(key);
        if (obj?.kind === kind) yield obj;
      }
    }
    for (const [key, obj] of this.objects.ofKind(kind)) if (!seen.has(key)) yield obj;
  }

  private async compactLog(): Promise<void> {
    this.compactDue = false;
    const point = this.log.compactionPoint(
      this.options.retainEvents,
      Date.now() - this.options.retainMs,
      this.options.retainBytes,
    );
    if (point <= this.log.compacted) return;
    try {
      await this.persistence.compact(point);
      this.log.compactTo(point);
    } catch (error) {
      this.options.onError(error);
    }
  }
}

/** The 500 Kubernetes answers for an object its providers cannot decrypt. */
function undecryptable(key: string, reason: string): ApiError {
  const [kind, namespace, name] = key.split('/');
  const resource = kindByName(kind)?.plural ?? kind;
  const where = namespace ? ` in namespace "${namespace}"` : '';
  return new ApiError(
    'INTERNAL',
    `Internal error occurred: failed to decrypt ${resource} "${name}"${where}: ${reason}`,
  );
}
