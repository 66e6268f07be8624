import { isCode, type Resource, type ResourceWriter } from '../../client/index.ts';

/**
 * Controller references and claiming, as client-go's ControllerRefManager: a
 * ReplicaSet claims Pods, a Deployment claims ReplicaSets, by selector and controller
 * reference.
 */

export type OwnerReference = NonNullable<Resource['metadata']['ownerReferences']>[number] & {
  blockOwnerDeletion?: boolean;
};

/** The ownerReference with controller: true, if any (metav1.GetControllerOf). */
export function controllerRefOf(obj: Resource): OwnerReference | undefined {
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

/** The key (`namespace/name`) of `obj`'s controller when it is of `kind` and `lookup` finds it with that uid. */
export function resolveControllerKey(
  obj: Resource,
  kind: string,
  lookup: (key: string) => Resource | undefined,
): string | undefined {
  const ref = controllerRefOf(obj);
  if (!ref || ref.kind !== kind) return undefined;
  const key = `${obj.metadata.namespace}/${ref.name}`;
  return lookup(key)?.metadata.uid === ref.uid ? key : undefined;
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
 * match stay claimed; those that no longer match are released (their controller
 * reference removed); matching orphans not being deleted are adopted (the owner's
 * controller reference added). An owner being deleted neither adopts nor releases.
 * The patches replace the whole ownerReferences list, with the object's uid and
 * resourceVersion as preconditions, so a concurrent change makes them fail rather than
 * be lost. Returns the claimed objects (as given, not re-read); an object gone
 * meanwhile is skipped; any other failure throws once every candidate was tried.
 */
export async function claimObjects<T extends Resource>(
  writer: ResourceWriter,
  owner: Resource,
  candidates: T[],
  matches: (obj: T) => boolean,
): Promise<T[]> {
  const deleting = !!owner.metadata.deletionTimestamp;
  const claimed: T[] = [];
  const writes: Array<Promise<void>> = [];
  const patch = (obj: T, refs: OwnerReference[], onSuccess?: () => void) =>
    writes.push(
      writer
        .patch(obj.kind, obj.metadata.name!, obj.metadata.namespace, {
          metadata: { ownerReferences: refs.length ? refs : null, ...preconditions(obj) },
        })
        .then(
          () => onSuccess?.(),
          (error: unknown) => {
            if (!isCode(error, 'NOT_FOUND')) throw error;
          },
        ),
    );
  for (const obj of candidates) {
    if (obj.metadata.namespace !== owner.metadata.namespace) continue;
    const refs = (obj.metadata.ownerReferences ?? []) as OwnerReference[];
    const ref = controllerRefOf(obj);
    if (ref) {
      if (ref.uid !== owner.metadata.uid) continue;
      if (matches(obj)) claimed.push(obj);
      else if (!deleting)
        patch(
          obj,
          refs.filter((r) => r.uid !== owner.metadata.uid),
        );
      continue;
    }
    if (deleting || !matches(obj) || obj.metadata.deletionTimestamp) continue;
    patch(obj, [...refs.filter((r) => r.uid !== owner.metadata.uid), newControllerRef(owner)], () =>
      claimed.push(obj),
    );
  }
  const results = await Promise.allSettled(writes);
  const failed = results.find((result) => result.status === 'rejected');
  if (failed) throw (failed as PromiseRejectedResult).reason;
  return claimed;
}
