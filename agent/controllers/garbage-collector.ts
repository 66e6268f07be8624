import { isCode, keyOf, type Informer, type PropagationPolicy, type Resource } from '../../client/index.ts';
import { kindByName } from '../../schema/kinds/index.ts';
import { ReconcilingController, type ControllerContext, type ControllerFactory } from './controller.ts';
import type { OwnerReference } from './controller-ref.ts';
import type { ReconcileResult } from './reconcile-loop.ts';

/** The kinds watched from the start: every kind that owns or is owned in practice. */
export const GC_KINDS = [
  'ReplicaSet',
  'Deployment',
  'StatefulSet',
  'DaemonSet',
  'Job',
  'CronJob',
  'Pod',
  'Service',
  'Endpoints',
  'EndpointSlice',
  'ConfigMap',
  'Secret',
  'PersistentVolumeClaim',
  'ControllerRevision',
];

export const ORPHAN_FINALIZER = 'orphan';
export const FOREGROUND_FINALIZER = 'foregroundDeletion';

type OwnerState = 'solid' | 'dangling' | 'waiting' | 'unsynced';

/** How many owners confirmed gone are remembered, to spare their other dependents a lookup. */
const ABSENT_OWNERS_REMEMBERED = 1000;
const UNSYNCED_RETRY_MS = 100;

const refsOf = (obj: Resource) => (obj.metadata.ownerReferences ?? []) as OwnerReference[];
const hasFinalizer = (obj: Resource, finalizer: string) =>
  obj.metadata.finalizers?.includes(finalizer) ?? false;
/** Being deleted with a propagation policy the collector carries out. */
const deletingWithPolicy = (obj: Resource) =>
  !!obj.metadata.deletionTimestamp &&
  (hasFinalizer(obj, ORPHAN_FINALIZER) || hasFinalizer(obj, FOREGROUND_FINALIZER));
/** An owner in foreground deletion: it waits for its dependents to go first. */
const waitingForDependents = (obj: Resource) =>
  !!obj.metadata.deletionTimestamp && hasFinalizer(obj, FOREGROUND_FINALIZER);

/**
 * The queue key of the owner a reference names, when its kind is one the API serves. A
 * cluster-scoped dependent cannot have a namespaced owner (unresolvable, as in
 * Kubernetes 1.20+).
 */
function ownerKey(ref: OwnerReference, dependent: Resource): string | undefined {
  const def = kindByName(ref.kind);
  if (!def) return undefined;
  if (!def.namespaced) return `${ref.kind}/${ref.name}`;
  const namespace = dependent.metadata.namespace;
  return namespace ? `${ref.kind}/${namespace}/${ref.name}` : undefined;
}

/** Queue keys carry the kind: `Kind/namespace/name`, or `Kind/name` for cluster-scoped kinds. */
const queueKey = (kind: string, obj: Resource) => `${kind}/${keyOf(obj)}`;

function parseKey(key: string): { kind: string; objectKey: string; namespace?: string; name: string } {
  const [kind, ...rest] = key.split('/');
  const name = rest.pop()!;
  return { kind, objectKey: rest.length ? `${rest[0]}/${name}` : name, namespace: rest[0], name };
}

const ignoringNotFound = async (write: Promise<unknown>): Promise<void> => {
  try {
    await write;
  } catch (error) {
    if (!isCode(error, 'NOT_FOUND')) throw error;
  }
};

/**
 * Kubernetes' garbage collector, driven by ownerReferences across kinds: dependents
 * whose owners are all gone are deleted, and owners deleted with the Orphan or
 * Foreground policy (the `orphan` / `foregroundDeletion` finalizers the API server
 * adds) are finished: dependents released, or deleted first.
 */
export class GarbageCollector extends ReconcilingController {
  private readonly informers = new Map<string, Informer>();
  /** Owner uids confirmed gone (a uid never comes back), oldest first. */
  private readonly absentOwners = new Set<string>();
  private started = false;

  constructor(ctx: ControllerContext) {
    super('garbage-collector', ctx);
    for (const kind of GC_KINDS) this.informers.set(kind, ctx.informers.get(kind));
  }

  /**
   * Processes one object, by key `Kind/namespace/name` (`Kind/name` when cluster-scoped).
   *
   * - Gone: nothing (its deletion already queued its dependents and its owners).
   * - Marked for deletion with `orphan`: removes its ownerReference from every cached
   *   dependent (a merge patch of ownerReferences with the dependent's resourceVersion),
   *   then the `orphan` finalizer from it.
   * - Marked with `foregroundDeletion`: queues its dependents, which delete themselves
   *   in their own pass; once no dependent with blockOwnerDeletion is cached, removes
   *   the finalizer.
   * - Otherwise, with ownerReferences, classifies each owner: alive, gone (no object
   *   with that uid: missing from the cache and then from the API, which is asked
   *   because caches of different kinds lag each other), or in foreground deletion.
   *   With an owner alive, drops only the references to the others. With none, deletes
   *   the object: Foreground if an owner waits for it and it has dependents of its own,
   *   else by its own finalizers, Background by default. A reference whose kind the API
   *   does not serve counts as alive: it never gets anything collected.
   *
   * Idempotent. Writes carry the cached resourceVersion, so a stale cache fails with
   * CONFLICT and the key is retried with back-off; NOT_FOUND means the work is done. A
   * kind whose cache has not synced yet is retried shortly.
   */
  async reconcile(key: string): Promise<ReconcileResult | void> {
    const { kind, objectKey } = parseKey(key);
    const informer = this.informerOf(kind);
    if (!informer.hasSynced()) return { requeueAfterMs: UNSYNCED_RETRY_MS };
    const obj = informer.get(objectKey);
    if (!obj) return;
    if (obj.metadata.deletionTimestamp) {
      if (hasFinalizer(obj, ORPHAN_FINALIZER)) return this.orphanDependents(kind, obj);
      if (hasFinalizer(obj, FOREGROUND_FINALIZER)) return this.deleteDependents(kind, obj);
      return;
    }
    if (refsOf(obj).length) return this.collect(kind, obj);
  }

  protected register(): void {
    this.started = true;
    for (const [kind, informer] of this.informers) this.handle(kind, informer);
  }

  /**
   * The informer of a kind. Kinds beyond GC_KINDS (an owner that is a Node, say) are
   * watched from their first use on, with this collector's handlers once started.
   */
  private informerOf(kind: string): Informer {
    let informer = this.informers.get(kind);
    if (informer) return informer;
    informer = this.ctx.informers.get(kind);
    this.informers.set(kind, informer);
    if (this.started) this.handle(kind, informer);
    return informer;
  }

  private handle(kind: string, informer: Informer): void {
    const interesting = (obj: Resource) => refsOf(obj).length > 0 || deletingWithPolicy(obj);
    this.watch(informer, {
      onAdd: (obj) => {
        if (interesting(obj)) this.loop.enqueue(queueKey(kind, obj));
      },
      onUpdate: (old, obj) => {
        if (interesting(obj)) this.loop.enqueue(queueKey(kind, obj));
        // A reference dropped or unblocked may be what an owner in foreground deletion waits for.
        for (const ref of refsOf(old)) {
          const now = refsOf(obj).find((r) => r.uid === ref.uid);
          if (!now || (ref.blockOwnerDeletion && !now.blockOwnerDeletion)) this.enqueueOwner(ref, obj);
        }
      },
      onDelete: (obj) => {
        for (const [depKind, dep] of this.dependentsOf(obj.metadata.uid))
          this.loop.enqueue(queueKey(depKind, dep));
        for (const ref of refsOf(obj)) this.enqueueOwner(ref, obj);
      },
    });
  }

  private enqueueOwner(ref: OwnerReference, dependent: Resource): void {
    const key = ownerKey(ref, dependent);
    if (key) this.loop.enqueue(key);
  }

  /** Cached objects of every watched kind with an ownerReference to this uid. */
  private dependentsOf(uid: string | undefined): Array<[kind: string, obj: Resource]> {
    if (!uid) return [];
    const out: Array<[string, Resource]> = [];
    for (const [kind, informer] of this.informers)
      for (const obj of informer.byOwner(uid)) out.push([kind, obj]);
    return out;
  }

  /**
   * Where an owner reference stands: `solid` (the owner exists and is not in foreground
   * deletion, or the reference cannot be resolved), `waiting` (in foreground deletion),
   * `dangling` (no object with that uid, in the cache nor then in the API) or
   * `unsynced` (its kind's cache is not ready yet).
   */
  private async ownerState(ref: OwnerReference, dependent: Resource): Promise<OwnerState> {
    if (this.absentOwners.has(ref.uid)) return 'dangling';
    const key = ownerKey(ref, dependent);
    if (!key) return 'solid';
    const informer = this.informerOf(ref.kind);
    if (!informer.hasSynced()) return 'unsynced';
    const { objectKey, namespace, name } = parseKey(key);
    let owner = informer.get(objectKey);
    if (!owner || owner.metadata.uid !== ref.uid) {
      owner = (this.ctx.client ? await this.ctx.client.get(ref.kind, name, namespace) : null) ?? undefined;
      if (!owner || owner.metadata.uid !== ref.uid) {
        this.absentOwners.add(ref.uid);
        if (this.absentOwners.size > ABSENT_OWNERS_REMEMBERED)
          this.absentOwners.delete(this.absentOwners.values().next().value!);
        return 'dangling';
      }
    }
    return waitingForDependents(owner) ? 'waiting' : 'solid';
  }

  /** A dependent's pass (Kubernetes' attemptToDeleteItem). */
  private async collect(kind: string, obj: Resource): Promise<ReconcileResult | void> {
    const refs = refsOf(obj);
    const stale = new Set<OwnerReference>();
    let solid = 0;
    let waiting = false;
    for (const ref of refs) {
      const state = await this.ownerState(ref, obj);
      if (state === 'unsynced') return { requeueAfterMs: UNSYNCED_RETRY_MS };
      if (state === 'solid') solid++;
      else stale.add(ref);
      if (state === 'waiting') waiting = true;
    }
    if (solid) {
      // Kept alive by another owner: drop only the references to the gone or going ones.
      if (stale.size)
        await this.setOwnerReferences(
          kind,
          obj,
          refs.filter((ref) => !stale.has(ref)),
        );
      return;
    }
    // An owner waits for this one, which has dependents of its own: cascade in the foreground.
    if (waiting && this.dependentsOf(obj.metadata.uid).length) return this.remove(kind, obj, 'Foreground');
    const policy: PropagationPolicy = hasFinalizer(obj, ORPHAN_FINALIZER)
      ? 'Orphan'
      : hasFinalizer(obj, FOREGROUND_FINALIZER)
        ? 'Foreground'
        : 'Background';
    return this.remove(kind, obj, policy);
  }

  /** Orphan policy: every dependent loses its reference to the owner, then the owner goes. */
  private async orphanDependents(kind: string, owner: Resource): Promise<void> {
    for (const [depKind, dep] of this.dependentsOf(owner.metadata.uid)) {
      const refs = refsOf(dep).filter((ref) => ref.uid !== owner.metadata.uid);
      await this.setOwnerReferences(depKind, dep, refs);
    }
    await this.removeFinalizer(kind, owner, ORPHAN_FINALIZER);
  }

  /**
   * Foreground policy: the dependents are queued to be deleted (each decides how in its
   * own pass: it may have another owner), and the owner goes once no dependent with
   * blockOwnerDeletion is left; their deletions bring the owner back here.
   */
  private async deleteDependents(kind: string, owner: Resource): Promise<void> {
    const dependents = this.dependentsOf(owner.metadata.uid);
    const blocking = dependents.filter(
      ([, dep]) => refsOf(dep).find((ref) => ref.uid === owner.metadata.uid)?.blockOwnerDeletion,
    );
    if (blocking.length === 0) return this.removeFinalizer(kind, owner, FOREGROUND_FINALIZER);
    for (const [depKind, dep] of dependents) this.loop.enqueue(queueKey(depKind, dep));
  }

  private removeFinalizer(kind: string, obj: Resource, finalizer: string): Promise<void> {
    const finalizers = (obj.metadata.finalizers ?? []).filter((f) => f !== finalizer);
    return ignoringNotFound(
      this.ctx.writer.patch(kind, obj.metadata.name!, obj.metadata.namespace, {
        metadata: {
          finalizers: finalizers.length ? finalizers : null,
          resourceVersion: obj.metadata.resourceVersion,
        },
      }),
    );
  }

  private setOwnerReferences(kind: string, obj: Resource, refs: OwnerReference[]): Promise<void> {
    return ignoringNotFound(
      this.ctx.writer.patch(kind, obj.metadata.name!, obj.metadata.namespace, {
        metadata: {
          ownerReferences: refs.length ? refs : null,
          resourceVersion: obj.metadata.resourceVersion,
        },
      }),
    );
  }

  private remove(kind: string, obj: Resource, propagationPolicy: PropagationPolicy): Promise<void> {
    return ignoringNotFound(
      this.ctx.writer.delete(kind, obj.metadata.name!, obj.metadata.namespace, {
        propagationPolicy,
        resourceVersion: obj.metadata.resourceVersion,
      }),
    );
  }
}

export const garbageCollector: ControllerFactory = (ctx) => new GarbageCollector(ctx);
