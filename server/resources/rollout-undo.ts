import { isDeepStrictEqual } from 'node:util';
import type { Resource } from '../../schema/kind.ts';
import type { Deployment } from '../../schema/kinds/deployment.ts';
import { kindByName } from '../../schema/kinds/index.ts';
import type { PodTemplateSpec } from '../../schema/kinds/pod.ts';
import { ApiError } from '../errors.ts';
import { deploymentRevisions, REVISION, type Revision } from './rollout-history.ts';
import type { ResourceService } from './service.ts';
import { updateWithRetry } from './update-retry.ts';

/** The label the Deployment controller adds to each ReplicaSet's template; never part of a Deployment's. */
export const POD_TEMPLATE_HASH = 'pod-template-hash';

/** Annotations a rollback leaves as the Deployment has them instead of taking the ReplicaSet's (kubectl's list). */
const KEEP_ANNOTATIONS = new Set([
  'kubectl.kubernetes.io/last-applied-configuration',
  REVISION,
  'deployment.kubernetes.io/revision-history',
  'deployment.kubernetes.io/desired-replicas',
  'deployment.kubernetes.io/max-replicas',
  'deprecated.deployment.rollback.to',
]);

export interface UndoResult {
  deployment: Resource;
  /** The revision rolled back to. */
  revision: number;
  /** True when the Deployment's template already was that revision's: nothing was written. */
  skipped: boolean;
  message: string;
}

/**
 * `kubectl rollout undo`: puts the pod template of revision `toRevision` (0: the one
 * before the latest) back into the Deployment, without the ReplicaSet's
 * pod-template-hash label, and takes that revision's annotations (change-cause among
 * them) as kubectl does. One compare-and-swap replace, retried on CONFLICT; the
 * Deployment controller then rolls out the old template as a new revision.
 */
export async function rolloutUndo(
  resources: ResourceService,
  namespace: string,
  name: string,
  toRevision = 0,
): Promise<UndoResult> {
  if (!Number.isSafeInteger(toRevision) || toRevision < 0) {
    throw new ApiError('BAD_REQUEST', `revision must be a positive integer: ${toRevision}`);
  }
  const def = kindByName('Deployment')!;
  let target!: Revision;
  const { object, written } = await updateWithRetry(resources, def, namespace, name, (deployment) => {
    const spec = (deployment as Resource & Deployment).spec;
    if (spec?.paused) {
      throw new ApiError(
        'BAD_REQUEST',
        'you cannot rollback a paused deployment; resume it first (resumeDeployment) and try again',
      );
    }
    target = pickRevision(deploymentRevisions(resources, deployment), toRevision, name);
    const template = withoutHash(target.template);
    if (sameTemplate(template, withoutHash(spec?.template))) return false;
    deployment.spec = { ...spec, template };
    deployment.metadata.annotations = rolledBackAnnotations(deployment, target.replicaSet!);
    if (!Object.keys(deployment.metadata.annotations).length) delete deployment.metadata.annotations;
  });
  return {
    deployment: object,
    revision: target.revision,
    skipped: !written,
    message: written
      ? `deployment "${name}" rolled back to revision ${target.revision}`
      : `skipped rollback (current template already matches revision ${target.revision})`,
  };
}

/** The revision asked for, or with 0 the newest but one, as kubectl picks it. */
function pickRevision(revisions: Revision[], toRevision: number, name: string): Revision {
  if (toRevision > 0) {
    const found = revisions.find((r) => r.revision === toRevision);
    if (!found) throw new ApiError('NOT_FOUND', `unable to find specified revision ${toRevision} in history`);
    return found;
  }
  const previous = revisions.at(-2);
  if (!previous) throw new ApiError('NOT_FOUND', `no rollout history found for deployment "${name}"`);
  return previous;
}

/** A copy of a pod template without the pod-template-hash label (and without labels, if that was the only one). */
function withoutHash(template: PodTemplateSpec | undefined): PodTemplateSpec | undefined {
  if (!template) return template;
  const copy = structuredClone(template);
  if (copy.metadata?.labels) {
    delete copy.metadata.labels[POD_TEMPLATE_HASH];
    if (!Object.keys(copy.metadata.labels).length) delete copy.metadata.labels;
  }
  return copy;
}

/** Whether two pod templates are equal as apimachinery's semantic equality sees them. */
export function sameTemplate(a: PodTemplateSpec | undefined, b: PodTemplateSpec | undefined): boolean {
  return isDeepStrictEqual(semantic(a), semantic(b));
}

/** Maps of a pod template (string to string or quantity), where empty means the same as absent. */
const MAP_FIELDS = new Set(['labels', 'annotations', 'nodeSelector', 'limits', 'requests']);

/**
 * A value with what apimachinery's semantic equality ignores left out: nulls, empty
 * lists, and empty maps (but not empty structs such as `emptyDir: {}`, which mean something).
 */
function semantic(value: unknown, key?: string): unknown {
  if (Array.isArray(value)) return value.length ? value.map((item) => semantic(item)) : undefined;
  if (value === null || typeof value !== 'object') return value ?? undefined;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    const member = semantic(v, k);
    if (member !== undefined) out[k] = member;
  }
  return key && MAP_FIELDS.has(key) && !Object.keys(out).length ? undefined : out;
}

/** The revision's annotations, except those that describe the Deployment itself, which it keeps. */
function rolledBackAnnotations(deployment: Resource, rs: Resource): Record<string, string> {
  const annotations: Record<string, string> = {};
  for (const [key, value] of Object.entries(deployment.metadata.annotations ?? {}))
    if (KEEP_ANNOTATIONS.has(key)) annotations[key] = value;
  for (const [key, value] of Object.entries(rs.metadata.annotations ?? {}))
    if (!KEEP_ANNOTATIONS.has(key)) annotations[key] = value;
  return annotations;
}
