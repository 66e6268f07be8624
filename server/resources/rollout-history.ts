import type { Resource } from '../../schema/kind.ts';
import { kindByName } from '../../schema/kinds/index.ts';
import type { PodTemplateSpec } from '../../schema/kinds/pod.ts';
import type { ReplicaSet } from '../../schema/kinds/replicaset.ts';
import { ApiError, notFound } from '../errors.ts';
import { CHANGE_CAUSE } from './set-image.ts';
import type { ResourceService } from './service.ts';

/** The revision number the Deployment controller writes on the Deployment and on each ReplicaSet. */
export const REVISION = 'deployment.kubernetes.io/revision';

/** The kinds that roll out: `rolloutHistory` and `rolloutRestart` take these. */
export const ROLLOUT_KINDS = ['Deployment', 'StatefulSet', 'DaemonSet'] as const;
export type RolloutKind = (typeof ROLLOUT_KINDS)[number];

export interface Revision {
  revision: number;
  changeCause?: string;
  /** The pod template of the revision, as its ReplicaSet stores it (with pod-template-hash). */
  template: PodTemplateSpec | undefined;
  replicaSet: Resource;
}

/** The ReplicaSets a Deployment controls that carry a revision number, oldest revision first. */
export function deploymentRevisions(resources: ResourceService, deployment: Resource): Revision[] {
  const uid = deployment.metadata.uid!;
  const revisions: Revision[] = [];
  for (const rs of resources.lookup('owner', uid, 'ReplicaSet')) {
    if (!rs.metadata.ownerReferences?.some((ref) => ref.uid === uid && ref.controller)) continue;
    const revision = revisionOf(rs);
    if (revision === undefined) continue;
    revisions.push({
      revision,
      changeCause: rs.metadata.annotations?.[CHANGE_CAUSE],
      template: (rs as Resource & ReplicaSet).spec?.template,
      replicaSet: rs,
    });
  }
  return revisions.sort((a, b) => a.revision - b.revision);
}

/** An object's `deployment.kubernetes.io/revision`, when it is a whole non-negative number. */
export function revisionOf(obj: Resource): number | undefined {
  const text = obj.metadata.annotations?.[REVISION];
  if (text === undefined || !/^\d+$/.test(text)) return undefined;
  const revision = Number(text);
  return Number.isSafeInteger(revision) ? revision : undefined;
}

/**
 * `kubectl rollout history`: a Deployment's revisions from its ReplicaSets. StatefulSet
 * and DaemonSet keep their history in ControllerRevisions, a kind this cluster does not
 * serve, so for them the history is always empty (the object must still exist).
 */
export function rolloutHistory(
  resources: ResourceService,
  kind: RolloutKind,
  namespace: string,
  name: string,
): Revision[] {
  const def = kindByName(kind);
  if (!def || !ROLLOUT_KINDS.includes(kind)) {
    throw new ApiError(
      'BAD_REQUEST',
      `no rollout history for kind "${kind}": not one of ${ROLLOUT_KINDS.join(', ')}`,
    );
  }
  const obj = resources.get(def, namespace, name);
  if (!obj) throw notFound(def.plural, name);
  return kind === 'Deployment' ? deploymentRevisions(resources, obj) : [];
}
