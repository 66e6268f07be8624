import type { Resource } from '../../schema/kind.ts';
import type { ControllerRevision } from '../../schema/kinds/controllerrevision.ts';
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
  /**
   * The pod template of the revision: as a Deployment's ReplicaSet stores it (with
   * pod-template-hash), or as a set's ControllerRevision holds it.
   */
  template: PodTemplateSpec | undefined;
  /** A Deployment's revision: the ReplicaSet holding it. */
  replicaSet?: Resource;
  /** A StatefulSet's or DaemonSet's revision: the ControllerRevision holding it. */
  controllerRevision?: Resource;
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

/** The ControllerRevisions a StatefulSet or DaemonSet controls, oldest revision first. */
export function setRevisions(resources: ResourceService, owner: Resource): Revision[] {
  const uid = owner.metadata.uid!;
  const revisions: Revision[] = [];
  for (const found of resources.lookup('owner', uid, 'ControllerRevision')) {
    if (!found.metadata.ownerReferences?.some((ref) => ref.uid === uid && ref.controller)) continue;
    const cr = found as Resource & ControllerRevision;
    revisions.push({
      revision: cr.revision,
      changeCause: cr.metadata.annotations?.[CHANGE_CAUSE],
      template: controllerRevisionTemplate(cr),
      controllerRevision: cr,
    });
  }
  return revisions.sort((a, b) => a.revision - b.revision);
}

/**
 * The pod template a ControllerRevision's data holds (`{"spec":{"template":{...}}}`, as
 * the controllers write it), without the patch directive and the null creationTimestamp
 * Go's encoding adds; undefined when it holds none.
 */
export function controllerRevisionTemplate(cr: ControllerRevision): PodTemplateSpec | undefined {
  const template = (cr.data as { spec?: { template?: unknown } } | undefined)?.spec?.template;
  if (!template || typeof template !== 'object' || Array.isArray(template)) return undefined;
  const { $patch: _directive, ...rest } = template as PodTemplateSpec & { $patch?: unknown };
  if (rest.metadata?.creationTimestamp === null) {
    const { creationTimestamp: _unset, ...metadata } = rest.metadata;
    return { ...rest, metadata };
  }
  return rest;
}

/** An object's `deployment.kubernetes.io/revision`, when it is a whole non-negative number. */
export function revisionOf(obj: Resource): number | undefined {
  const text = obj.metadata.annotations?.[REVISION];
  if (text === undefined || !/^\d+$/.test(text)) return undefined;
  const revision = Number(text);
  return Number.isSafeInteger(revision) ? revision : undefined;
}

/**
 * `kubectl rollout history`: a Deployment's revisions from its ReplicaSets, a
 * StatefulSet's or DaemonSet's from its ControllerRevisions.
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
  return kind === 'Deployment' ? deploymentRevisions(resources, obj) : setRevisions(resources, obj);
}
