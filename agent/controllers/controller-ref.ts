import { isDeepStrictEqual } from 'node:util';
import {
  isCode,
  keyOf,
  type CacheReader,
  type EventHandlers,
  type Resource,
  type ResourceWriter,
} from '../../client/index.ts';
import type { LabelSelector } from '../../schema/kinds/meta.ts';
import { selectorMatches } from '../../schema/label-selector.ts';
import type { Expectations } from './expectations.ts';

/**
 * Controller references, as client-go's controller_ref_manager: who controls an object,
 * the reference a controller puts on what it creates, which objects it adopts (orphans
 * its selector matches) and releases (its own that no longer match), and the event
 * handlers that route an owned object's changes to its controller's key.
 */

export type OwnerReference = NonNullable<Resource['metadata']['ownerReferences']>[number] & {
  blockOwnerDeletion?: boolean;
};

/** metav1.GetControllerOf: the ownerReference with controller: true, if any. */
export function controllerRef(obj: Resource): OwnerReference | undefined {
  return obj.metadata.ownerReferences?.find((ref) => ref.controller);
}

/** metav1.NewControllerRef: what a controller puts on the objects it creates or adopts. */
export function newControllerRef(owner: Resource): OwnerReference {
  return {
    apiVersion: owner.apiVersion,
    kind: owner.kind,
    name: owner.metadata.name!,
    uid: owner.metadata.uid!,
    controller: true,
    blockOwnerDeletion: true,
  };
}

/**
 * The key (`namespace/name`) of `obj`'s controller when it is of `kind` and `owners`
 * holds it with that uid (not a namesake created since).
 */
export function controllerKey(
  obj: Resource,
  kind: string,
  owners: Pick<CacheReader<Resource>, 'get'>,
): string | undefined {
  const ref = controllerRef(obj);
  if (!ref || ref.kind !== kind || !obj.metadata.namespace) return undefined;
  const key = `${obj.metadata.namespace}/${ref.name}`;
  return owners.get(key)?.metadata.uid === ref.uid ? key : undefined;
}

/** The merge patch's preconditions: the object is still this one, at this version. */
function preconditions(obj: Resource) {
  return {
    ...(obj.metadata.uid ? { uid: obj.metadata.uid } : {}),
    ...(obj.metadata.resourceVersion ? { resourceVersion: obj.metadata.resourceVersion } : {}),
  };
}

/**
 * ClaimObject over `candidates` (the owner's namespace): objects the owner controls that
 * match stay claimed; those that no longer match are released (its controller
 * reference removed); matching orphans not being deleted are adopted (its controller
 * reference added). An owner being deleted neither adopts nor releases. The patches
 * replace the whole ownerReferences list, with the object's uid and resourceVersion as
 * preconditions, so a concurrent change makes them fail rather than be lost; they are
 * made at once. Returns the claimed objects, its own first, then the adopted ones with
 * their new reference; an object gone meanwhile is skipped; any other failure throws
 * once every write was tried.
 */
export async function claimObjects<T extends Resource>(
  writer: ResourceWriter,
  owner: Resource,
  candidates: T[],
  matches: (obj: T) => boolean,
): Promise<T[]> {
  const deleting = !!owner.metadata.deletionTimestamp;
  const owned: T[] = [];
  const writes: Array<Promise<T | undefined>> = [];
  const patch = (obj: T, refs: OwnerReference[]): Promise<T | undefined> =>
    writer
      .patch(obj.kind, obj.metadata.name!, obj.metadata.namespace, {
        metadata: { ownerReferences: refs.length ? refs : null, ...preconditions(obj) },
      })
      .then(
        () => ({ ...obj, metadata: { ...obj.metadata, ownerReferences: refs } }),
        (error: unknown) => {
          if (!isCode(error, 'NOT_FOUND')) throw error;
          return undefined;
        },
      );
  for (const obj of candidates) {
    if (obj.metadata.namespace !== owner.metadata.namespace) continue;
    const ref = controllerRef(obj);
    // Another controller's object: nothing to do, and the common case, so decided before any allocation.
    if (ref && ref.uid !== owner.metadata.uid) continue;
    const others = ((obj.metadata.ownerReferences ?? []) as OwnerReference[]).filter(
      (ref) => ref.uid !== owner.metadata.uid,
    );
    if (ref) {
      if (matches(obj)) owned.push(obj);
      else if (!deleting) writes.push(patch(obj, others).then(() => undefined));
    } else if (!deleting && !obj.metadata.deletionTimestamp && matches(obj)) {
      writes.push(patch(obj, [...others, newControllerRef(owner)]));
    }
  }
  const results = await Promise.allSettled(writes);
  const failed = results.find((result) => result.status === 'rejected');
  if (failed) throw (failed as PromiseRejectedResult).reason;
  const adopted = results.flatMap((result) =>
    result.status === 'fulfilled' && result.value ? [result.value] : [],
  );
  return [...owned, ...adopted];
}

/** A workload: it selects what it owns by spec.selector. */
type SelectingOwner = Resource & { spec?: { selector?: LabelSelector } };

export interface OwnedObjectHandlerOptions<O extends SelectingOwner> {
  /** The owner kind whose controller references count (ReplicaSet, Deployment, ...). */
  ownerKind: string;
  owners: CacheReader<O>;
  enqueue(key: string): void;
  /** The owner's expected creations and deletions, lowered as they are seen. */
  expectations?: Expectations;
  /** Whether an owner selects an object; by its spec.selector (a LabelSelector) unless given. */
  selects?(owner: O, obj: Resource): boolean;
}

/**
 * Event handlers for the objects a workload controller owns (the addPod/updatePod/
 * deletePod of Kubernetes' ReplicaSet, StatefulSet and DaemonSet controllers, and the
 * Deployment controller's ReplicaSet handlers): a change enqueues the object's
 * controller, or, for an orphan, every owner whose spec.selector matches its labels
 * (one of them may adopt it). An object seen created lowers the owner's expected creations; one seen
 * marked for deletion, or deleted without having been seen marked, its expected
 * deletions (each deletion counts once).
 */
export function ownedObjectHandlers<O extends SelectingOwner>(
  options: OwnedObjectHandlerOptions<O>,
): EventHandlers {
  const { ownerKind, owners, enqueue, expectations } = options;
  const selects =
    options.selects ??
    ((owner: O, obj: Resource) => selectorMatches(owner.spec?.selector, obj.metadata.labels));
  const ownerOf = (obj: Resource) => controllerKey(obj, ownerKind, owners);
  const enqueueMatching = (obj: Resource) => {
    for (const owner of owners.list(obj.metadata.namespace)) {
      if (selects(owner, obj)) enqueue(keyOf(owner));
    }
  };
  const deletionSeen = (obj: Resource) => {
    const key = ownerOf(obj);
    if (!key) return;
    expectations?.observedDelete(key);
    enqueue(key);
  };
  return {
    onAdd(obj) {
      // Already being deleted when first seen (a relist): a deletion, never a creation.
      if (obj.metadata.deletionTimestamp) return deletionSeen(obj);
      const key = ownerOf(obj);
      if (key) {
        expectations?.observedAdd(key);
        enqueue(key);
      } else if (!controllerRef(obj)) enqueueMatching(obj);
    },
    onUpdate(old, obj) {
      if (old.metadata.resourceVersion === obj.metadata.resourceVersion) return;
      const oldKey = ownerOf(old);
      const key = ownerOf(obj);
      if (key && obj.metadata.deletionTimestamp && !old.metadata.deletionTimestamp) {
        expectations?.observedDelete(key);
      }
      if (oldKey && oldKey !== key) enqueue(oldKey);
      if (key) enqueue(key);
      else if (!controllerRef(obj)) {
        const relabelled = !isDeepStrictEqual(old.metadata.labels, obj.metadata.labels);
        if (relabelled || controllerRef(old)) enqueueMatching(obj);
      }
    },
    onDelete(obj) {
      // Marked for deletion before: counted when that was seen.
      if (!obj.metadata.deletionTimestamp) return deletionSeen(obj);
      const key = ownerOf(obj);
      if (key) enqueue(key);
    },
  };
}
