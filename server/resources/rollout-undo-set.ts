import type { Resource } from '../../schema/kind.ts';
import { kindByName } from '../../schema/kinds/index.ts';
import type { PodTemplateSpec } from '../../schema/kinds/pod.ts';
import { ApiError } from '../errors.ts';
import { setRevisions, type Revision } from './rollout-history.ts';
import { sameTemplate } from './rollout-undo.ts';
import type { ResourceService } from './service.ts';
import { updateWithRetry } from './update-retry.ts';

/** The kinds whose history is in ControllerRevisions. */
export type SetKind = 'StatefulSet' | 'DaemonSet';

export interface SetUndoResult {
  /** The set, as stored after the rollback (or as it was, when skipped). */
  object: Resource;
  /** The revision rolled back to. */
  revision: number;
  /** True when the set's template already was that revision's: nothing was written. */
  skipped: boolean;
  message: string;
}

/**
 * `kubectl rollout undo` of a StatefulSet or DaemonSet: puts the pod template of
 * ControllerRevision `toRevision` (0: the one before the newest) back into the set, as
 * kubectl's patch of the revision's data does. One compare-and-swap replace, retried on
 * CONFLICT; the set's controller then renumbers that revision as the newest and rolls
 * its pods over to it.
 */
export async function rolloutUndoSet(
  resources: ResourceService,
  kind: SetKind,
  namespace: string,
  name: string,
  toRevision = 0,
): Promise<SetUndoResult> {
  if (!Number.isSafeInteger(toRevision) || toRevision < 0) {
    throw new ApiError('BAD_REQUEST', `revision must be a positive integer: ${toRevision}`);
  }
  const def = kindByName(kind)!;
  let target!: Revision;
  const { object, written } = await updateWithRetry(resources, def, namespace, name, (set) => {
    const spec = (set as Resource & { spec?: { template?: PodTemplateSpec } }).spec;
    target = pickSetRevision(setRevisions(resources, set), toRevision, kind, name);
    if (!target.template) {
      throw new ApiError('INVALID', `revision ${target.revision} of ${kind} "${name}" holds no pod template`);
    }
    if (sameTemplate(withoutEmptyResources(target.template), withoutEmptyResources(spec?.template)))
      return false;
    set.spec = { ...spec, template: target.template };
  });
  return {
    object,
    revision: target.revision,
    skipped: !written,
    message: written
      ? `${kind.toLowerCase()} "${name}" rolled back to revision ${target.revision}`
      : `skipped rollback (current template already matches revision ${target.revision})`,
  };
}

/** The revision asked for, or with 0 the newest but one, as kubectl picks it. */
function pickSetRevision(revisions: Revision[], toRevision: number, kind: SetKind, name: string): Revision {
  if (toRevision > 0) {
    const found = revisions.find((r) => r.revision === toRevision);
    if (!found) throw new ApiError('NOT_FOUND', `unable to find specified revision ${toRevision} in history`);
    return found;
  }
  const previous = revisions.at(-2);
  if (!previous)
    throw new ApiError('NOT_FOUND', `no rollout history found for ${kind.toLowerCase()} "${name}"`);
  return previous;
}

/**
 * The template without containers' empty `resources`, which a revision's data carries for
 * Go's encoding's sake (see the controllers' revisionData) and which means no resources.
 */
function withoutEmptyResources(template: PodTemplateSpec | undefined): PodTemplateSpec | undefined {
  if (!template?.spec) return template;
  const strip = <C extends { resources?: object }>(container: C): C => {
    if (!container.resources || Object.keys(container.resources).length) return container;
    const { resources: _empty, ...rest } = container;
    return rest as C;
  };
  return {
    ...template,
    spec: {
      ...template.spec,
      containers: template.spec.containers.map(strip),
      ...(template.spec.initContainers ? { initContainers: template.spec.initContainers.map(strip) } : {}),
    },
  };
}
