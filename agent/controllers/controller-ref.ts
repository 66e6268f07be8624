import {
  isCode,
  keyOf,
  type CacheReader,
  type EventHandlers,
  type Resource,
  type ResourceWriter,
} from '../../client/index.ts';
import type { Expectations } from './expectations.ts';

/**
 * Controller references between a workload and its pods, as client-go's
 * controller_ref_manager: who controls a pod, the reference a controller puts on what it
 * creates, which pods it adopts (orphans its selector matches) and releases (its own
 * that no longer match), and the pod event handlers that route a pod's changes to its
 * controller's key.
 */

export type OwnerReference = NonNullable<Resource['metadata']['ownerReferences']>[number] & {
  blockOwnerDeletion?: boolean;
};

/** The ownerReference with controller: true, if any. */
export function controllerRef(obj: Resource): OwnerReference | undefined {
  return obj.metadata.ownerReferences?.find((ref) => ref.controller);
}

/** What a controller puts on the objects it creates (metav1.NewControllerRef). */
export function controllerReference(owner: Resource): OwnerReference {
  return {
    apiVersion: owner.apiVersion,
    kind: owner.kind,
    name: owner.metadata.name!,
    uid: owner.metadata.uid!,
    controller: true,
    blockOwnerDeletion: true,
  };
}

export interface Claims<T extends Resource> {
  /** Controlled by the owner and matching (adopted ones included). */
  owned: T[];
  /** Orphans to adopt. */
  adopt: T[];
  /** Controlled by the owner but no longer matching: to release. */
  release: T[];
}

/**
 * ClaimObject's decisions for each candidate (objects of the owner's namespace): its own
 * matching ones are owned, its own that no longer match are released, matching orphans
 * not being deleted are adopted; an owner being deleted neither adopts nor releases.
 */
export function claim<T extends Resource>(
  owner: Resource,
  candidates: T[],
  matches: (obj: T) => boolean,
): Claims<T> {
  const claims: Claims<T> = { owned: [], adopt: [], release: [] };
  const deleting = !!owner.metadata.deletionTimestamp;
  for (const obj of candidates) {
    if (obj.metadata.namespace !== owner.metadata.namespace) continue;
    const ref = controllerRef(obj);
    if (ref) {
      if (ref.uid !== owner.metadata.uid) continue;
      if (matches(obj)) claims.owned.push(obj);
      else if (!deleting) claims.release.push(obj);
    } else if (!deleting && !obj.metadata.deletionTimestamp && matches(obj)) {
      claims.adopt.push(obj);
    }
  }
  return claims;
}

/**
 * Writes the adoptions and releases of `claims` (merge patches of ownerReferences with
 * the object's uid and resourceVersion as preconditions) and returns the objects the
 * owner now controls. An object gone meanwhile is skipped; any other failure throws, so
 * the reconcile is retried.
 */
export async function applyClaims<T extends Resource>(
  writer: ResourceWriter,
  owner: Resource,
  claims: Claims<T>,
): Promise<T[]> {
  const owned = [...claims.owned];
  const patch = async (obj: T, ownerReferences: OwnerReference[]) => {
    try {
      await writer.patch(obj.kind, obj.metadata.name!, obj.metadata.namespace, {
        metadata: {
          uid: obj.metadata.uid,
          resourceVersion: obj.metadata.resourceVersion,
          ownerReferences: ownerReferences.length ? ownerReferences : null,
        },
      });
      return true;
    } catch (error) {
      if (isCode(error, 'NOT_FOUND')) return false;
      throw error;
    }
  };
  for (const obj of claims.adopt) {
    const refs = [...(obj.metadata.ownerReferences ?? []), controllerReference(owner)];
    if (await patch(obj, refs)) owned.push({ ...obj, metadata: { ...obj.metadata, ownerReferences: refs } });
  }
  for (const obj of claims.release) {
    await patch(
      obj,
      (obj.metadata.ownerReferences ?? []).filter((ref) => ref.uid !== owner.metadata.uid),
    );
  }
  return owned;
}

export interface OwnedPodHandlerOptions<O extends Resource> {
  /** The owner kind whose controller references count (StatefulSet, DaemonSet, ...). */
  ownerKind: string;
  owners: CacheReader<O>;
  /** Whether the owner's selector matches a pod's labels (to find who might adopt an orphan). */
  selects(owner: O, pod: Resource): boolean;
  enqueue(key: string): void;
  expectations: Expectations;
}

/**
 * Pod handlers of a workload controller (the addPod/updatePod/deletePod of Kubernetes'
 * ReplicaSet, StatefulSet and DaemonSet controllers): a pod's change enqueues its
 * controller, or, for an orphan, every owner whose selector matches it (one of them may
 * adopt it). A pod seen created lowers the owner's expected creations; a pod seen
 * deleted, or marked for deletion, its expected deletions.
 */
export function ownedPodHandlers<O extends Resource>(options: OwnedPodHandlerOptions<O>): EventHandlers {
  const { ownerKind, owners, selects, enqueue, expectations } = options;
  const ownerOf = (pod: Resource): string | undefined => {
    const ref = controllerRef(pod);
    if (!ref || ref.kind !== ownerKind || !pod.metadata.namespace) return undefined;
    const key = `${pod.metadata.namespace}/${ref.name}`;
    return owners.get(key)?.metadata.uid === ref.uid ? key : undefined;
  };
  const enqueueMatching = (pod: Resource) => {
    for (const owner of owners.list(pod.metadata.namespace)) {
      if (selects(owner, pod)) enqueue(keyOf(owner));
    }
  };
  const deleted = (pod: Resource) => {
    const key = ownerOf(pod);
    if (!key) return;
    expectations.observedDelete(key);
    enqueue(key);
  };
  return {
    onAdd(pod) {
      if (pod.metadata.deletionTimestamp) return deleted(pod);
      const key = ownerOf(pod);
      if (key) {
        expectations.observedAdd(key);
        enqueue(key);
      } else if (!controllerRef(pod)) enqueueMatching(pod);
    },
    onUpdate(old, pod) {
      if (old.metadata.resourceVersion === pod.metadata.resourceVersion) return;
      const oldKey = ownerOf(old);
      const key = ownerOf(pod);
      if (pod.metadata.deletionTimestamp && !old.metadata.deletionTimestamp && key) {
        expectations.observedDelete(key);
      }
      if (oldKey && oldKey !== key) enqueue(oldKey);
      if (key) enqueue(key);
      else if (!controllerRef(pod)) {
        const relabelled = JSON.stringify(old.metadata.labels) !== JSON.stringify(pod.metadata.labels);
        if (relabelled || controllerRef(old)) enqueueMatching(pod);
      }
    },
    onDelete: deleted,
  };
}
