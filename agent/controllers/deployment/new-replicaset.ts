import { isCode, messageOf } from '../../../client/index.ts';
import { controllerRef, newControllerRef } from '../controller-ref.ts';
import { equalIgnoreHash, POD_TEMPLATE_HASH_LABEL } from '../pod-template-hash.ts';
import {
  byCreation,
  newRSNewReplicas,
  type DeploymentObject,
  type ReplicaSetObject,
} from '../rollout-math.ts';
import { templateHash } from '../template-hash.ts';
import { getDeploymentCondition, newCondition, REASONS, setDeploymentCondition } from './conditions.ts';
import { hasProgressDeadline } from './progress.ts';
import {
  maxRevision,
  REVISION_ANNOTATION,
  setDeploymentRevision,
  setNewReplicaSetAnnotations,
} from './revision.ts';
import type { SyncState } from './sync-state.ts';

/**
 * The new ReplicaSet of a Deployment (Kubernetes' sync.go getNewReplicaSet): the one of
 * its current template, found, brought up to date, or created; the others are old.
 */

/** FindNewReplicaSet: the oldest ReplicaSet whose template is the deployment's (hash label aside). */
export function findNewReplicaSet(
  d: DeploymentObject,
  rss: ReplicaSetObject[],
): ReplicaSetObject | undefined {
  return [...rss].sort(byCreation).find((rs) => equalIgnoreHash(rs.spec?.template, d.spec?.template));
}

/** The ReplicaSet getNewReplicaSet creates for the template: `<deployment>-<pod-template-hash>`, size 0. */
function newReplicaSetFor(d: DeploymentObject): ReplicaSetObject {
  const hash = templateHash(d.spec?.template, d.status?.collisionCount ?? undefined);
  const template = structuredClone(d.spec!.template);
  template.metadata = {
    ...template.metadata,
    labels: { ...template.metadata?.labels, [POD_TEMPLATE_HASH_LABEL]: hash },
  };
  const selector = structuredClone(d.spec!.selector);
  selector.matchLabels = { ...selector.matchLabels, [POD_TEMPLATE_HASH_LABEL]: hash };
  return {
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: {
      name: `${d.metadata.name}-${hash}`,
      namespace: d.metadata.namespace,
      labels: { ...template.metadata.labels },
      ownerReferences: [newControllerRef(d)],
    },
    spec: {
      replicas: 0,
      ...(d.spec?.minReadySeconds !== undefined ? { minReadySeconds: d.spec.minReadySeconds } : {}),
      selector,
      template,
    },
  };
}

/**
 * getNewReplicaSet: the ReplicaSet of the current template with its annotations and
 * minReadySeconds brought up to date, or (with `create`) a new one named
 * `<deployment>-<pod-template-hash>`, sized by newRSNewReplicas. A name taken by a
 * ReplicaSet of another template is a hash collision: collisionCount goes up (written
 * at once) and the reconcile is retried with the next hash.
 */
async function getNewReplicaSet(
  s: SyncState,
  oldRSs: ReplicaSetObject[],
  create: boolean,
): Promise<ReplicaSetObject | undefined> {
  const d = s.d;
  const existing = findNewReplicaSet(d, s.rsList);
  const newRevision = maxRevision(oldRSs) + 1;
  if (existing) {
    const copy: ReplicaSetObject = { ...existing, metadata: { ...existing.metadata } };
    const annotationsChanged = setNewReplicaSetAnnotations(d, copy, newRevision, true);
    const minReadySeconds = d.spec?.minReadySeconds ?? 0;
    const minReadyChanged = (existing.spec?.minReadySeconds ?? 0) !== minReadySeconds;
    if (annotationsChanged || minReadyChanged) {
      const changes: Record<string, string> = {};
      for (const [k, v] of Object.entries(copy.metadata.annotations ?? {}))
        if (existing.metadata.annotations?.[k] !== v) changes[k] = v;
      return s.patchReplicaSet(existing, changes, minReadyChanged ? { minReadySeconds } : {});
    }
    await setDeploymentRevision(s, copy.metadata.annotations?.[REVISION_ANNOTATION]);
    if (hasProgressDeadline(d) && !getDeploymentCondition(s.status, 'Progressing')) {
      setDeploymentCondition(
        s.status,
        newCondition(
          'Progressing',
          'True',
          REASONS.foundNewRS,
          `Found new replica set "${copy.metadata.name}"`,
          s.now,
        ),
      );
    }
    return existing;
  }
  if (!create) return undefined;

  const newRS = newReplicaSetFor(d);
  const replicas = newRSNewReplicas(d, s.podCount(oldRSs), newRS);
  newRS.spec!.replicas = replicas;
  setNewReplicaSetAnnotations(d, newRS, newRevision, false);

  let created: ReplicaSetObject;
  let alreadyExists = false;
  try {
    created = await s.ctx.writer.create(newRS);
  } catch (error) {
    if (isCode(error, 'ALREADY_EXISTS')) {
      const found = s.lookupReplicaSet(`${d.metadata.namespace}/${newRS.metadata.name}`);
      if (!found) throw error;
      if (
        controllerRef(found)?.uid === d.metadata.uid &&
        equalIgnoreHash(d.spec?.template, found.spec?.template)
      ) {
        created = found;
        alreadyExists = true;
      } else {
        // A hash collision: the next reconcile tries the next hash.
        s.status.collisionCount = (s.status.collisionCount ?? 0) + 1;
        await s.ctx.writer.updateStatus(d, s.status, s.resourceVersion);
        throw error;
      }
    } else {
      if (isCode(error, 'FORBIDDEN') && /being terminated/.test(messageOf(error))) throw error;
      const message = `Failed to create new replica set "${newRS.metadata.name}": ${messageOf(error)}`;
      if (hasProgressDeadline(d)) {
        setDeploymentCondition(
          s.status,
          newCondition('Progressing', 'False', REASONS.failedRSCreate, message, s.now),
        );
        await s.ctx.writer.updateStatus(d, s.status, s.resourceVersion).catch(() => undefined);
      }
      s.record(REASONS.failedRSCreate, message, 'Warning');
      throw error;
    }
  }
  s.track(created);
  if (!alreadyExists && replicas > 0) {
    s.record('ScalingReplicaSet', `Scaled up replica set ${created.metadata.name} to ${replicas}`);
  }
  await setDeploymentRevision(s, String(newRevision));
  if (!alreadyExists && hasProgressDeadline(d)) {
    setDeploymentCondition(
      s.status,
      newCondition(
        'Progressing',
        'True',
        REASONS.newRSCreated,
        `Created new replica set "${created.metadata.name}"`,
        s.now,
      ),
    );
  }
  return created;
}

/** getAllReplicaSetsAndSyncRevision: the new ReplicaSet (created if asked) and all the others. */
export async function getAllReplicaSetsAndSyncRevision(s: SyncState, create: boolean) {
  const found = findNewReplicaSet(s.d, s.rsList);
  const oldRSs = s.rsList.filter((rs) => rs.metadata.uid !== found?.metadata.uid);
  const newRS = await getNewReplicaSet(s, oldRSs, create);
  return { newRS, oldRSs: oldRSs.map((rs) => s.current(rs)) };
}
