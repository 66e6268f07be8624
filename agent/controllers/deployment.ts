import { isDeepStrictEqual } from 'node:util';
import { isCode, keyOf, messageOf, type Resource } from '../../client/index.ts';
import type { Deployment } from '../../schema/kinds/deployment.ts';
import { selectorMatches } from '../../schema/label-selector.ts';
import type { PodObject } from '../objects.ts';
import { isPodActive, isPodFinished } from '../pod-state.ts';
import { timestamp } from '../timestamps.ts';
import type { ControllerContext, ControllerFactory } from './controller.ts';
import {
  claimObjects,
  controllerKey,
  controllerRef,
  newControllerRef,
  ownedObjectHandlers,
} from './controller-ref.ts';
import { equalIgnoreHash, POD_TEMPLATE_HASH_LABEL } from './pod-template-hash.ts';
import { ReconcileLoop, type Reconcile, type ReconcileResult } from './reconcile-loop.ts';
import {
  actualReplicas,
  availableReplicas,
  byCreation,
  bySizeNewer,
  bySizeOlder,
  DESIRED_REPLICAS_ANNOTATION,
  intAnnotation,
  isRollingUpdate,
  isSaturated,
  MAX_REPLICAS_ANNOTATION,
  maxSurge,
  maxUnavailable,
  newRSNewReplicas,
  readyReplicas,
  replicaSetProportion,
  replicasAnnotationsNeedUpdate,
  replicasOf,
  specReplicas,
  type DeploymentObject,
  type ReplicaSetObject,
} from './rollout-math.ts';
import { templateHash } from './template-hash.ts';

export type { DeploymentObject, ReplicaSetObject } from './rollout-math.ts';
type DeploymentStatus = NonNullable<Deployment['status']>;
export type DeploymentCondition = NonNullable<DeploymentStatus['conditions']>[number];

/** The revision of a ReplicaSet (and of its Deployment: the newest one's). */
export const REVISION_ANNOTATION = 'deployment.kubernetes.io/revision';
/** Earlier revisions a ReplicaSet had, when a rollback brought it back. */
export const REVISION_HISTORY_ANNOTATION = 'deployment.kubernetes.io/revision-history';
const MAX_REVISION_HISTORY_CHARS = 2000;
/** Deployment annotations that are not copied to its ReplicaSets. */
const ANNOTATIONS_NOT_COPIED = new Set([
  'kubectl.kubernetes.io/last-applied-configuration',
  REVISION_ANNOTATION,
  REVISION_HISTORY_ANNOTATION,
  DESIRED_REPLICAS_ANNOTATION,
  MAX_REPLICAS_ANNOTATION,
  'deprecated.deployment.rollback.to',
]);

/** Condition reasons, as Kubernetes' deploymentutil names them. */
export const REASONS = {
  newRSCreated: 'NewReplicaSetCreated',
  foundNewRS: 'FoundNewReplicaSet',
  replicaSetUpdated: 'ReplicaSetUpdated',
  newRSAvailable: 'NewReplicaSetAvailable',
  timedOut: 'ProgressDeadlineExceeded',
  paused: 'DeploymentPaused',
  resumed: 'DeploymentResumed',
  failedRSCreate: 'ReplicaSetCreateError',
  minimumAvailable: 'MinimumReplicasAvailable',
  minimumUnavailable: 'MinimumReplicasUnavailable',
} as const;

/** The revision annotation as a number: 0 when absent, undefined when not a number. */
export function revisionOf(obj: Resource): number | undefined {
  const text = obj.metadata.annotations?.[REVISION_ANNOTATION];
  if (text === undefined) return 0;
  return /^\d+$/.test(text) ? Number(text) : undefined;
}

function maxRevision(rss: ReplicaSetObject[]): number {
  return Math.max(0, ...rss.map((rs) => revisionOf(rs) ?? 0));
}

/** FindNewReplicaSet: the oldest ReplicaSet whose template is the deployment's (hash label aside). */
export function findNewReplicaSet(
  d: DeploymentObject,
  rss: ReplicaSetObject[],
): ReplicaSetObject | undefined {
  return [...rss].sort(byCreation).find((rs) => equalIgnoreHash(rs.spec?.template, d.spec?.template));
}

/** Whether a progress deadline applies (progressDeadlineSeconds set and not "forever"). */
function hasProgressDeadline(d: DeploymentObject): boolean {
  const seconds = d.spec?.progressDeadlineSeconds;
  return seconds !== undefined && seconds !== null && seconds !== 2147483647;
}

function getCondition(status: DeploymentStatus | undefined, type: string): DeploymentCondition | undefined {
  return status?.conditions?.find((c) => c.type === type);
}

function newCondition(
  type: string,
  status: DeploymentCondition['status'],
  reason: string,
  message: string,
  now: number,
): DeploymentCondition {
  const at = timestamp(now);
  return { type, status, lastUpdateTime: at, lastTransitionTime: at, reason, message };
}

/**
 * SetDeploymentCondition: a condition of the same status and reason is left as is;
 * otherwise it replaces the old one (keeping its transition time if the status is the
 * same), moved to the end.
 */
function setCondition(status: DeploymentStatus, condition: DeploymentCondition): void {
  const current = getCondition(status, condition.type);
  if (current && current.status === condition.status && current.reason === condition.reason) return;
  if (current && current.status === condition.status)
    condition.lastTransitionTime = current.lastTransitionTime;
  status.conditions = [...(status.conditions ?? []).filter((c) => c.type !== condition.type), condition];
}

function removeCondition(status: DeploymentStatus, type: string): void {
  if (!status.conditions) return;
  status.conditions = status.conditions.filter((c) => c.type !== type);
}

/** DeploymentComplete: every replica updated and available, and the spec observed. */
export function deploymentComplete(d: DeploymentObject, status: DeploymentStatus): boolean {
  const replicas = replicasOf(d);
  return (
    (status.updatedReplicas ?? 0) === replicas &&
    (status.replicas ?? 0) === replicas &&
    (status.availableReplicas ?? 0) === replicas &&
    (status.observedGeneration ?? 0) >= (d.metadata.generation ?? 1)
  );
}

/** DeploymentProgressing: more updated, fewer old, more ready or more available replicas. */
function deploymentProgressing(d: DeploymentObject, status: DeploymentStatus): boolean {
  const old = d.status ?? {};
  const oldOld = (old.replicas ?? 0) - (old.updatedReplicas ?? 0);
  const newOld = (status.replicas ?? 0) - (status.updatedReplicas ?? 0);
  return (
    (status.updatedReplicas ?? 0) > (old.updatedReplicas ?? 0) ||
    newOld < oldOld ||
    (status.readyReplicas ?? 0) > (old.readyReplicas ?? 0) ||
    (status.availableReplicas ?? 0) > (old.availableReplicas ?? 0)
  );
}

/** DeploymentTimedOut: no progress reported for progressDeadlineSeconds. */
function deploymentTimedOut(d: DeploymentObject, status: DeploymentStatus, now: number): boolean {
  if (!hasProgressDeadline(d)) return false;
  const condition = getCondition(status, 'Progressing');
  if (!condition) return false;
  if (condition.reason === REASONS.newRSAvailable) return false;
  if (condition.reason === REASONS.timedOut) return true;
  const from = Date.parse(condition.lastUpdateTime ?? '');
  if (Number.isNaN(from)) return false;
  return from + d.spec!.progressDeadlineSeconds! * 1000 < now;
}

/** A status with absent counts as 0 and no empty condition list, to compare. */
function normalized(status: DeploymentStatus | undefined) {
  return {
    observedGeneration: status?.observedGeneration ?? 0,
    replicas: status?.replicas ?? 0,
    updatedReplicas: status?.updatedReplicas ?? 0,
    readyReplicas: status?.readyReplicas ?? 0,
    availableReplicas: status?.availableReplicas ?? 0,
    unavailableReplicas: status?.unavailableReplicas ?? 0,
    conditions: status?.conditions?.length ? status.conditions : [],
    collisionCount: status?.collisionCount ?? null,
  };
}

export interface DeploymentReconcilerOptions {
  /** The clock (ms), for the progress deadline; Date.now by default. */
  now?: () => number;
}

/**
 * One reconcile of one Deployment: Kubernetes' syncDeployment and the functions it
 * calls, over a copy of the Deployment whose status is the working status (conditions
 * and collisionCount change on it as the sync goes) and the claimed ReplicaSets (each
 * replaced by its updated copy once written).
 */
class DeploymentSync {
  /** The status to write at the end (set by syncDeploymentStatus / syncRolloutStatus). */
  final?: DeploymentStatus;
  private readonly status: DeploymentStatus;

  constructor(
    private readonly ctx: ControllerContext,
    private readonly d: DeploymentObject,
    private readonly rsList: ReplicaSetObject[],
    /** Pods of the deployment's selector by the uid of their controlling ReplicaSet. */
    private readonly podMap: Map<string, PodObject[]>,
    private readonly lookupReplicaSet: (key: string) => ReplicaSetObject | undefined,
    readonly now: number,
    /** The Deployment's resourceVersion: the precondition of its status write. */
    public resourceVersion: string | undefined,
  ) {
    this.status = d.status = structuredClone(d.status ?? {});
  }

  /** The latest copy of a ReplicaSet (after this sync's writes). */
  private current(rs: ReplicaSetObject): ReplicaSetObject {
    return this.rsList.find((r) => r.metadata.uid === rs.metadata.uid) ?? rs;
  }

  private track(rs: ReplicaSetObject): void {
    const at = this.rsList.findIndex((r) => r.metadata.uid === rs.metadata.uid);
    if (at >= 0) this.rsList[at] = rs;
    else this.rsList.push(rs);
  }

  private record(reason: string, message: string, type: 'Normal' | 'Warning' = 'Normal'): void {
    this.ctx.events.record(this.d, type, reason, message);
  }

  /**
   * Pods the ReplicaSets hold or will hold: for each, its spec.replicas or, while it
   * still has more active pods than that (a scale-down its controller has not carried
   * out yet), those pods. Kubernetes counts spec.replicas only; counting pods not yet
   * deleted as well keeps the pods that exist within replicas + maxSurge at all times.
   */
  private podCount(rss: ReplicaSetObject[]): number {
    return rss.reduce((sum, rs) => {
      const active = (this.podMap.get(rs.metadata.uid!) ?? []).filter(isPodActive).length;
      return sum + Math.max(replicasOf(rs), active);
    }, 0);
  }

  /**
   * Available replicas for scaling down: each ReplicaSet's status.availableReplicas, but
   * no more than its spec.replicas (a ReplicaSet just scaled down has not deleted its
   * surplus yet, and its status still counts them; it deletes not-ready pods first, so
   * what stays available is at most its new size).
   */
  private availableForScaleDown(rss: ReplicaSetObject[]): number {
    return rss.reduce((sum, rs) => sum + Math.min(rs.status?.availableReplicas ?? 0, replicasOf(rs)), 0);
  }

  // ----- revisions and the new ReplicaSet -----

  /**
   * SetNewReplicaSetAnnotations: copies the deployment's annotations (but its own),
   * raises the revision to `newRevision` if lower (keeping the revisions it had in
   * revision-history: a ReplicaSet brought back by a rollback), and on a new
   * ReplicaSet sets desired-replicas / max-replicas. Changes `rs` (a copy); returns
   * whether anything changed.
   */
  private setNewReplicaSetAnnotations(rs: ReplicaSetObject, newRevision: number, exists: boolean): boolean {
    const annotations = (rs.metadata.annotations = { ...rs.metadata.annotations });
    let changed = false;
    for (const [k, v] of Object.entries(this.d.metadata.annotations ?? {})) {
      if (ANNOTATIONS_NOT_COPIED.has(k) || annotations[k] === v) continue;
      annotations[k] = v;
      changed = true;
    }
    const oldText = annotations[REVISION_ANNOTATION];
    let oldRevision = 0;
    if (oldText !== undefined && oldText !== '') {
      if (!/^\d+$/.test(oldText)) return changed;
      oldRevision = Number(oldText);
    }
    if (oldRevision < newRevision) {
      annotations[REVISION_ANNOTATION] = String(newRevision);
      changed = true;
      if (oldText !== undefined) {
        const history = annotations[REVISION_HISTORY_ANNOTATION] ?? '';
        if (!history) annotations[REVISION_HISTORY_ANNOTATION] = oldText;
        else {
          const revisions = history.split(',');
          let total = history.length + oldText.length + 1;
          let start = 0;
          while (total > MAX_REVISION_HISTORY_CHARS && start < revisions.length) {
            total -= revisions[start].length + 1;
            start++;
          }
          if (total <= MAX_REVISION_HISTORY_CHARS)
            annotations[REVISION_HISTORY_ANNOTATION] = [...revisions.slice(start), oldText].join(',');
        }
      }
    }
    if (!exists) {
      const desired = replicasOf(this.d);
      const max = desired + maxSurge(this.d);
      if (replicasAnnotationsNeedUpdate(rs, desired, max)) {
        annotations[DESIRED_REPLICAS_ANNOTATION] = String(desired);
        annotations[MAX_REPLICAS_ANNOTATION] = String(max);
        changed = true;
      }
    }
    return changed;
  }

  /** SetDeploymentRevision, written at once as a patch of the Deployment's annotation. */
  private async setDeploymentRevision(revision: string | undefined): Promise<void> {
    if (revision === undefined || this.d.metadata.annotations?.[REVISION_ANNOTATION] === revision) return;
    const written = await this.ctx.writer.patch(
      'Deployment',
      this.d.metadata.name!,
      this.d.metadata.namespace,
      {
        metadata: {
          annotations: { [REVISION_ANNOTATION]: revision },
          ...(this.resourceVersion ? { resourceVersion: this.resourceVersion } : {}),
        },
      },
    );
    this.d.metadata.annotations = { ...this.d.metadata.annotations, [REVISION_ANNOTATION]: revision };
    this.resourceVersion = written?.metadata?.resourceVersion ?? this.resourceVersion;
  }

  /** Writes changes to a ReplicaSet's annotations and spec as a merge patch, with its resourceVersion as precondition. */
  private async patchReplicaSet(
    rs: ReplicaSetObject,
    annotations: Record<string, string>,
    spec: Record<string, unknown>,
  ): Promise<ReplicaSetObject> {
    const written = await this.ctx.writer.patch<ReplicaSetObject>(
      'ReplicaSet',
      rs.metadata.name!,
      rs.metadata.namespace,
      {
        metadata: {
          ...(Object.keys(annotations).length ? { annotations } : {}),
          ...(rs.metadata.resourceVersion ? { resourceVersion: rs.metadata.resourceVersion } : {}),
        },
        ...(Object.keys(spec).length ? { spec } : {}),
      },
    );
    const updated: ReplicaSetObject = {
      ...rs,
      metadata: {
        ...rs.metadata,
        annotations: { ...rs.metadata.annotations, ...annotations },
        resourceVersion: written?.metadata?.resourceVersion ?? rs.metadata.resourceVersion,
      },
      spec: { ...rs.spec!, ...spec },
    };
    this.track(updated);
    return updated;
  }

  /**
   * getNewReplicaSet: the ReplicaSet of the current template with its annotations and
   * minReadySeconds brought up to date, or (with `create`) a new one named
   * `<deployment>-<pod-template-hash>`, sized by newRSNewReplicas. A name taken by a
   * ReplicaSet of another template is a hash collision: collisionCount goes up (written
   * at once) and the reconcile is retried with the next hash.
   */
  private async getNewReplicaSet(oldRSs: ReplicaSetObject[], create: boolean) {
    const d = this.d;
    const existing = findNewReplicaSet(d, this.rsList);
    const newRevision = maxRevision(oldRSs) + 1;
    if (existing) {
      const copy: ReplicaSetObject = { ...existing, metadata: { ...existing.metadata } };
      const annotationsChanged = this.setNewReplicaSetAnnotations(copy, newRevision, true);
      const minReadySeconds = d.spec?.minReadySeconds ?? 0;
      const minReadyChanged = (existing.spec?.minReadySeconds ?? 0) !== minReadySeconds;
      if (annotationsChanged || minReadyChanged) {
        const changes: Record<string, string> = {};
        for (const [k, v] of Object.entries(copy.metadata.annotations ?? {}))
          if (existing.metadata.annotations?.[k] !== v) changes[k] = v;
        return this.patchReplicaSet(existing, changes, minReadyChanged ? { minReadySeconds } : {});
      }
      await this.setDeploymentRevision(copy.metadata.annotations?.[REVISION_ANNOTATION]);
      if (hasProgressDeadline(d) && !getCondition(this.status, 'Progressing')) {
        setCondition(
          this.status,
          newCondition(
            'Progressing',
            'True',
            REASONS.foundNewRS,
            `Found new replica set "${copy.metadata.name}"`,
            this.now,
          ),
        );
      }
      return existing;
    }
    if (!create) return undefined;

    const hash = templateHash(d.spec?.template, d.status?.collisionCount ?? undefined);
    const template = structuredClone(d.spec!.template);
    template.metadata = {
      ...template.metadata,
      labels: { ...template.metadata?.labels, [POD_TEMPLATE_HASH_LABEL]: hash },
    };
    const selector = structuredClone(d.spec!.selector);
    selector.matchLabels = { ...selector.matchLabels, [POD_TEMPLATE_HASH_LABEL]: hash };
    const newRS: ReplicaSetObject = {
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
    const replicas = newRSNewReplicas(d, this.podCount(oldRSs), newRS);
    newRS.spec!.replicas = replicas;
    this.setNewReplicaSetAnnotations(newRS, newRevision, false);

    let created: ReplicaSetObject;
    let alreadyExists = false;
    try {
      created = await this.ctx.writer.create(newRS);
    } catch (error) {
      if (isCode(error, 'ALREADY_EXISTS')) {
        const found = this.lookupReplicaSet(`${d.metadata.namespace}/${newRS.metadata.name}`);
        if (!found) throw error;
        if (
          controllerRef(found)?.uid === d.metadata.uid &&
          equalIgnoreHash(d.spec?.template, found.spec?.template)
        ) {
          created = found;
          alreadyExists = true;
        } else {
          // A hash collision: the next reconcile tries the next hash.
          this.status.collisionCount = (this.status.collisionCount ?? 0) + 1;
          await this.ctx.writer.updateStatus(d, this.status, this.resourceVersion);
          throw error;
        }
      } else {
        if (isCode(error, 'FORBIDDEN') && /being terminated/.test(messageOf(error))) throw error;
        const message = `Failed to create new replica set "${newRS.metadata.name}": ${messageOf(error)}`;
        if (hasProgressDeadline(d)) {
          setCondition(
            this.status,
            newCondition('Progressing', 'False', REASONS.failedRSCreate, message, this.now),
          );
          await this.ctx.writer.updateStatus(d, this.status, this.resourceVersion).catch(() => undefined);
        }
        this.record(REASONS.failedRSCreate, message, 'Warning');
        throw error;
      }
    }
    this.track(created);
    if (!alreadyExists && replicas > 0) {
      this.record('ScalingReplicaSet', `Scaled up replica set ${created.metadata.name} to ${replicas}`);
    }
    await this.setDeploymentRevision(String(newRevision));
    if (!alreadyExists && hasProgressDeadline(d)) {
      setCondition(
        this.status,
        newCondition(
          'Progressing',
          'True',
          REASONS.newRSCreated,
          `Created new replica set "${created.metadata.name}"`,
          this.now,
        ),
      );
    }
    return created;
  }

  /** getAllReplicaSetsAndSyncRevision: the new ReplicaSet (created if asked) and all the others. */
  async getAllReplicaSetsAndSyncRevision(create: boolean) {
    const found = findNewReplicaSet(this.d, this.rsList);
    const oldRSs = this.rsList.filter((rs) => rs.metadata.uid !== found?.metadata.uid);
    const newRS = await this.getNewReplicaSet(oldRSs, create);
    return { newRS, oldRSs: oldRSs.map((rs) => this.current(rs)) };
  }

  // ----- scaling -----

  /**
   * scaleReplicaSet: sets spec.replicas and the desired-replicas / max-replicas
   * annotations (a patch with the ReplicaSet's resourceVersion as precondition), and
   * records ScalingReplicaSet when the size changed.
   */
  private async scaleReplicaSet(rs: ReplicaSetObject, newScale: number) {
    rs = this.current(rs);
    const sizeChanged = replicasOf(rs) !== newScale;
    const desired = replicasOf(this.d);
    const max = desired + maxSurge(this.d);
    if (!sizeChanged && !replicasAnnotationsNeedUpdate(rs, desired, max)) return { scaled: false, rs };
    const oldScale = replicasOf(rs);
    const updated = await this.patchReplicaSet(
      rs,
      { [DESIRED_REPLICAS_ANNOTATION]: String(desired), [MAX_REPLICAS_ANNOTATION]: String(max) },
      sizeChanged ? { replicas: newScale } : {},
    );
    if (sizeChanged) {
      const direction = newScale > oldScale ? 'up' : 'down';
      this.record('ScalingReplicaSet', `Scaled ${direction} replica set ${rs.metadata.name} to ${newScale}`);
    }
    return { scaled: sizeChanged, rs: updated };
  }

  /** scaleReplicaSetAndRecordEvent: nothing when the size is already right. */
  private async scaleReplicaSetAndRecordEvent(rs: ReplicaSetObject, newScale: number) {
    rs = this.current(rs);
    if (replicasOf(rs) === newScale) return { scaled: false, rs };
    return this.scaleReplicaSet(rs, newScale);
  }

  /**
   * scale: a resize of the deployment (or a saturated new ReplicaSet, or an adopted
   * one). One active ReplicaSet (or none: the newest) takes spec.replicas; a saturated
   * new one leaves the old ones at 0; otherwise, during a rolling update, the
   * difference to replicas + maxSurge is shared in proportion to each active
   * ReplicaSet's size, the leftover to the largest.
   */
  private async scale(newRS: ReplicaSetObject | undefined, oldRSs: ReplicaSetObject[]): Promise<void> {
    const d = this.d;
    const activeOrLatest = findActiveOrLatest(newRS, oldRSs);
    if (activeOrLatest) {
      if (replicasOf(activeOrLatest) === replicasOf(d)) return;
      await this.scaleReplicaSetAndRecordEvent(activeOrLatest, replicasOf(d));
      return;
    }
    if (isSaturated(d, newRS)) {
      for (const old of oldRSs.filter((rs) => replicasOf(rs) > 0))
        await this.scaleReplicaSetAndRecordEvent(old, 0);
      return;
    }
    if (!isRollingUpdate(d)) return;
    const all = [...oldRSs, ...(newRS ? [newRS] : [])].filter((rs) => replicasOf(rs) > 0);
    const allowed = replicasOf(d) > 0 ? replicasOf(d) + maxSurge(d) : 0;
    const toAdd = allowed - specReplicas(all);
    if (toAdd > 0) all.sort(bySizeNewer);
    else if (toAdd < 0) all.sort(bySizeOlder);
    let added = 0;
    const sizes = new Map<string, number>();
    for (const rs of all) {
      if (toAdd !== 0) {
        const proportion = replicaSetProportion(rs, d, toAdd, added);
        sizes.set(rs.metadata.uid!, replicasOf(rs) + proportion);
        added += proportion;
      } else {
        sizes.set(rs.metadata.uid!, replicasOf(rs));
      }
    }
    for (const [i, rs] of all.entries()) {
      let size = sizes.get(rs.metadata.uid!)!;
      if (i === 0 && toAdd !== 0) size = Math.max(0, size + toAdd - added);
      await this.scaleReplicaSet(rs, size);
    }
  }

  /** isScalingEvent: an active ReplicaSet was sized for another spec.replicas. */
  async isScalingEvent(): Promise<boolean> {
    const { newRS, oldRSs } = await this.getAllReplicaSetsAndSyncRevision(false);
    const all = [...oldRSs, ...(newRS ? [this.current(newRS)] : [])];
    return all.some((rs) => {
      if (replicasOf(rs) === 0) return false;
      const desired = intAnnotation(rs, DESIRED_REPLICAS_ANNOTATION);
      return desired !== undefined && desired !== replicasOf(this.d);
    });
  }

  // ----- cleanup -----

  /**
   * cleanupDeployment: deletes the oldest revisions beyond revisionHistoryLimit, only
   * ReplicaSets with no replicas (spec and status) whose status is up to date.
   */
  private async cleanupDeployment(oldRSs: ReplicaSetObject[]): Promise<void> {
    const limit = this.d.spec?.revisionHistoryLimit;
    if (limit === undefined || limit === null || limit === 2147483647) return;
    const cleanable = oldRSs.map((rs) => this.current(rs)).filter((rs) => !rs.metadata.deletionTimestamp);
    const diff = cleanable.length - limit;
    if (diff <= 0) return;
    cleanable.sort((a, b) => (revisionOf(a) ?? 0) - (revisionOf(b) ?? 0) || byCreation(a, b));
    for (const rs of cleanable.slice(0, diff)) {
      if (
        (rs.status?.replicas ?? 0) !== 0 ||
        replicasOf(rs) !== 0 ||
        (rs.metadata.generation ?? 1) > (rs.status?.observedGeneration ?? 0)
      ) {
        continue;
      }
      try {
        await this.ctx.writer.delete('ReplicaSet', rs.metadata.name!, rs.metadata.namespace);
      } catch (error) {
        if (!isCode(error, 'NOT_FOUND')) throw error;
      }
    }
  }

  // ----- status -----

  /** calculateStatus: counts over the ReplicaSets, and the Available condition. */
  private calculateStatus(allRSs: ReplicaSetObject[], newRS: ReplicaSetObject | undefined): DeploymentStatus {
    const d = this.d;
    const rss = allRSs.map((rs) => this.current(rs));
    const available = availableReplicas(rss);
    const status: DeploymentStatus = {
      observedGeneration: d.metadata.generation ?? 1,
      replicas: actualReplicas(rss),
      updatedReplicas: newRS ? (this.current(newRS).status?.replicas ?? 0) : 0,
      readyReplicas: readyReplicas(rss),
      availableReplicas: available,
      unavailableReplicas: Math.max(0, specReplicas(rss) - available),
      ...(this.status.collisionCount !== undefined && this.status.collisionCount !== null
        ? { collisionCount: this.status.collisionCount }
        : {}),
      conditions: [...(this.status.conditions ?? [])],
    };
    if (available >= replicasOf(d) - maxUnavailable(d)) {
      setCondition(
        status,
        newCondition(
          'Available',
          'True',
          REASONS.minimumAvailable,
          'Deployment has minimum availability.',
          this.now,
        ),
      );
    } else {
      setCondition(
        status,
        newCondition(
          'Available',
          'False',
          REASONS.minimumUnavailable,
          'Deployment does not have minimum availability.',
          this.now,
        ),
      );
    }
    return status;
  }

  /** syncDeploymentStatus: counts and Available only (scaling, paused, deleted). */
  private syncDeploymentStatus(allRSs: ReplicaSetObject[], newRS: ReplicaSetObject | undefined): void {
    this.final = this.calculateStatus(allRSs, newRS);
  }

  /**
   * syncRolloutStatus: counts, Available, and while a rollout is under way the
   * Progressing condition: NewReplicaSetAvailable once complete, ReplicaSetUpdated
   * (a fresh lastUpdateTime) on any progress, ProgressDeadlineExceeded (False) after
   * progressDeadlineSeconds without; and the ReplicaSets' ReplicaFailure.
   */
  private syncRolloutStatus(allRSs: ReplicaSetObject[], newRS: ReplicaSetObject | undefined): void {
    const d = this.d;
    const status = this.calculateStatus(allRSs, newRS);
    if (!hasProgressDeadline(d)) removeCondition(status, 'Progressing');
    const currentCond = getCondition(this.status, 'Progressing');
    const complete =
      status.replicas === status.updatedReplicas && currentCond?.reason === REASONS.newRSAvailable;
    if (hasProgressDeadline(d) && !complete) {
      const name = newRS ? `ReplicaSet "${newRS.metadata.name}"` : `Deployment "${d.metadata.name}"`;
      if (deploymentComplete(d, status)) {
        setCondition(
          status,
          newCondition(
            'Progressing',
            'True',
            REASONS.newRSAvailable,
            `${name} has successfully progressed.`,
            this.now,
          ),
        );
      } else if (deploymentProgressing(d, status)) {
        const condition = newCondition(
          'Progressing',
          'True',
          REASONS.replicaSetUpdated,
          `${name} is progressing.`,
          this.now,
        );
        if (currentCond) {
          if (currentCond.status === 'True') condition.lastTransitionTime = currentCond.lastTransitionTime;
          removeCondition(status, 'Progressing');
        }
        setCondition(status, condition);
      } else if (deploymentTimedOut(d, status, this.now)) {
        setCondition(
          status,
          newCondition(
            'Progressing',
            'False',
            REASONS.timedOut,
            `${name} has timed out progressing.`,
            this.now,
          ),
        );
      }
    }
    const failure = allRSs
      .map((rs) => this.current(rs).status?.conditions?.find((c) => c.type === 'ReplicaFailure'))
      .find((c) => c !== undefined);
    if (failure) setCondition(status, { ...failure } as DeploymentCondition);
    else removeCondition(status, 'ReplicaFailure');
    this.final = status;
  }

  /**
   * requeueStuckDeployment: while a rollout is neither complete nor timed out, when the
   * progress deadline falls (lastUpdateTime of Progressing + progressDeadlineSeconds).
   */
  requeue(): ReconcileResult | undefined {
    const d = this.d;
    const status = this.final;
    if (!status) return undefined;
    const condition = getCondition(status, 'Progressing');
    if (!hasProgressDeadline(d) || !condition) return undefined;
    if (deploymentComplete(d, status) || condition.reason === REASONS.timedOut) return undefined;
    const from = Date.parse(condition.lastUpdateTime ?? '');
    if (Number.isNaN(from)) return undefined;
    const after = from + d.spec!.progressDeadlineSeconds! * 1000 - this.now;
    return { requeueAfterMs: Math.max(0, after) + 1000 };
  }

  /** Whether the status to write differs from the stored one. */
  changed(stored: DeploymentStatus | undefined): boolean {
    return this.final !== undefined && !isDeepStrictEqual(normalized(stored), normalized(this.final));
  }

  // ----- the paths of syncDeployment -----

  /** checkPausedConditions: Progressing Unknown DeploymentPaused / DeploymentResumed (never over a timeout). */
  checkPausedConditions(): void {
    const d = this.d;
    if (!hasProgressDeadline(d)) return;
    const condition = getCondition(this.status, 'Progressing');
    if (condition?.reason === REASONS.timedOut) return;
    const pausedShown = condition?.reason === REASONS.paused;
    if (d.spec?.paused && !pausedShown) {
      setCondition(
        this.status,
        newCondition('Progressing', 'Unknown', REASONS.paused, 'Deployment is paused', this.now),
      );
    } else if (!d.spec?.paused && pausedShown) {
      setCondition(
        this.status,
        newCondition('Progressing', 'Unknown', REASONS.resumed, 'Deployment is resumed', this.now),
      );
    }
  }

  /** syncStatusOnly: a Deployment being deleted only reports. */
  async syncStatusOnly(): Promise<void> {
    const { newRS, oldRSs } = await this.getAllReplicaSetsAndSyncRevision(false);
    this.syncDeploymentStatus([...oldRSs, ...(newRS ? [newRS] : [])], newRS);
  }

  /** sync: scaling (and, when paused, history cleanup) without rollout progress. */
  async sync(): Promise<void> {
    const { newRS, oldRSs } = await this.getAllReplicaSetsAndSyncRevision(false);
    await this.scale(newRS && this.current(newRS), oldRSs);
    if (this.d.spec?.paused) await this.cleanupDeployment(oldRSs);
    this.syncDeploymentStatus([...oldRSs, ...(newRS ? [newRS] : [])], newRS);
  }

  /**
   * rolloutRolling: creates the new ReplicaSet if needed, then either grows it
   * (reconcileNewReplicaSet) or shrinks the old ones (reconcileOldReplicaSets), and
   * once complete cleans up old revisions.
   */
  async rolloutRolling(): Promise<void> {
    const { newRS, oldRSs } = await this.getAllReplicaSetsAndSyncRevision(true);
    const all = () => [...oldRSs, newRS!].map((rs) => this.current(rs));
    if (await this.reconcileNewReplicaSet(all(), this.current(newRS!))) {
      return this.syncRolloutStatus(all(), newRS);
    }
    const activeOld = oldRSs.map((rs) => this.current(rs)).filter((rs) => replicasOf(rs) > 0);
    if (await this.reconcileOldReplicaSets(all(), activeOld, this.current(newRS!))) {
      return this.syncRolloutStatus(all(), newRS);
    }
    if (deploymentComplete(this.d, this.status)) await this.cleanupDeployment(oldRSs);
    this.syncRolloutStatus(all(), newRS);
  }

  /** reconcileNewReplicaSet: down to spec.replicas if above, else up as far as maxSurge allows. */
  private async reconcileNewReplicaSet(
    allRSs: ReplicaSetObject[],
    newRS: ReplicaSetObject,
  ): Promise<boolean> {
    const desired = replicasOf(this.d);
    if (replicasOf(newRS) === desired) return false;
    if (replicasOf(newRS) > desired) return (await this.scaleReplicaSetAndRecordEvent(newRS, desired)).scaled;
    const target = newRSNewReplicas(this.d, this.podCount(allRSs), newRS);
    return (await this.scaleReplicaSetAndRecordEvent(newRS, target)).scaled;
  }

  /**
   * reconcileOldReplicaSets: how far the old ReplicaSets may shrink without going
   * below replicas − maxUnavailable available (counting the new ReplicaSet's
   * unavailable pods against it); unhealthy old replicas go first, then available
   * ones, oldest ReplicaSet first.
   */
  private async reconcileOldReplicaSets(
    allRSs: ReplicaSetObject[],
    oldRSs: ReplicaSetObject[],
    newRS: ReplicaSetObject,
  ): Promise<boolean> {
    if (specReplicas(oldRSs) === 0) return false;
    const allPods = specReplicas(allRSs);
    const minAvailable = replicasOf(this.d) - maxUnavailable(this.d);
    const newUnavailable = replicasOf(newRS) - (newRS.status?.availableReplicas ?? 0);
    const maxScaledDown = allPods - minAvailable - newUnavailable;
    if (maxScaledDown <= 0) return false;
    const cleaned = await this.cleanupUnhealthyReplicas(oldRSs, maxScaledDown);
    const scaledDown = await this.scaleDownOldReplicaSetsForRollingUpdate(
      [...oldRSs, newRS].map((rs) => this.current(rs)),
      oldRSs.map((rs) => this.current(rs)),
    );
    return cleaned + scaledDown > 0;
  }

  /** cleanupUnhealthyReplicas: scales old ReplicaSets down by their unavailable replicas, up to `max`. */
  private async cleanupUnhealthyReplicas(oldRSs: ReplicaSetObject[], max: number): Promise<number> {
    let total = 0;
    for (const rs of [...oldRSs].sort(byCreation)) {
      if (total >= max) break;
      const replicas = replicasOf(rs);
      const available = rs.status?.availableReplicas ?? 0;
      if (replicas === 0 || replicas === available) continue;
      const count = Math.min(max - total, replicas - available);
      if (count <= 0) continue;
      await this.scaleReplicaSetAndRecordEvent(rs, replicas - count);
      total += count;
    }
    return total;
  }

  /** scaleDownOldReplicaSetsForRollingUpdate: what is available above replicas − maxUnavailable, oldest first. */
  private async scaleDownOldReplicaSetsForRollingUpdate(
    allRSs: ReplicaSetObject[],
    oldRSs: ReplicaSetObject[],
  ): Promise<number> {
    const minAvailable = replicasOf(this.d) - maxUnavailable(this.d);
    const available = this.availableForScaleDown(allRSs);
    if (available <= minAvailable) return 0;
    const toScale = available - minAvailable;
    let total = 0;
    for (const rs of [...oldRSs].sort(byCreation)) {
      if (total >= toScale) break;
      if (replicasOf(rs) === 0) continue;
      const count = Math.min(replicasOf(rs), toScale - total);
      await this.scaleReplicaSetAndRecordEvent(rs, replicasOf(rs) - count);
      total += count;
    }
    return total;
  }

  /**
   * rolloutRecreate: scales every old ReplicaSet to 0, waits until none of their pods
   * is left running, then creates (or finds) the new ReplicaSet at full size.
   */
  async rolloutRecreate(): Promise<void> {
    let { newRS, oldRSs } = await this.getAllReplicaSetsAndSyncRevision(false);
    const all = () => [...oldRSs, ...(newRS ? [newRS] : [])].map((rs) => this.current(rs));
    let scaledDown = false;
    for (const rs of oldRSs.filter((r) => replicasOf(r) > 0)) {
      if ((await this.scaleReplicaSetAndRecordEvent(rs, 0)).scaled) scaledDown = true;
    }
    if (scaledDown) return this.syncRolloutStatus(all(), newRS);
    if (this.oldPodsRunning(newRS, oldRSs)) return this.syncRolloutStatus(all(), newRS);
    if (!newRS) ({ newRS, oldRSs } = await this.getAllReplicaSetsAndSyncRevision(true));
    await this.scaleReplicaSetAndRecordEvent(newRS!, replicasOf(this.d));
    if (deploymentComplete(this.d, this.status)) await this.cleanupDeployment(oldRSs);
    this.syncRolloutStatus(all(), newRS);
  }

  /** oldPodsRunning: old ReplicaSets report pods, or pods of theirs are not finished. */
  private oldPodsRunning(newRS: ReplicaSetObject | undefined, oldRSs: ReplicaSetObject[]): boolean {
    if (actualReplicas(oldRSs.map((rs) => this.current(rs))) > 0) return true;
    for (const [uid, pods] of this.podMap) {
      if (newRS && uid === newRS.metadata.uid) continue;
      if (pods.some((pod) => !isPodFinished(pod))) return true;
    }
    return false;
  }
}

/** FindActiveOrLatest: the one active ReplicaSet, or with none the newest; undefined with several. */
function findActiveOrLatest(
  newRS: ReplicaSetObject | undefined,
  oldRSs: ReplicaSetObject[],
): ReplicaSetObject | undefined {
  if (!newRS && oldRSs.length === 0) return undefined;
  const newestFirst = [...oldRSs].sort((a, b) => byCreation(b, a));
  const active = [...newestFirst, ...(newRS ? [newRS] : [])].filter((rs) => replicasOf(rs) > 0);
  if (active.length === 0) return newRS ?? newestFirst[0];
  if (active.length === 1) return active[0];
  return undefined;
}

/**
 * The deployment controller's reconcile over a context (for the controller and for
 * unit tests).
 */
export function deploymentReconciler(
  ctx: ControllerContext,
  options: DeploymentReconcilerOptions = {},
): Reconcile {
  const deployments = ctx.informers.get<DeploymentObject>('Deployment');
  const replicaSets = ctx.informers.get<ReplicaSetObject>('ReplicaSet');
  const pods = ctx.informers.get<PodObject>('Pod');
  const now = options.now ?? Date.now;

  /**
   * Brings the Deployment `key` to its desired state through ReplicaSets, as
   * Kubernetes' syncDeployment:
   *
   * - claims the namespace's ReplicaSets by selector and controller reference (adopts
   *   matching orphans, releases its own that no longer match);
   * - being deleted: only reports status;
   * - reports DeploymentPaused / DeploymentResumed; paused, or resized (an active
   *   ReplicaSet sized for another spec.replicas): scales proportionally, no rollout;
   * - otherwise rolls out: RollingUpdate within maxSurge / maxUnavailable, or Recreate;
   *   the new ReplicaSet is `<name>-<pod-template-hash>` with the next revision;
   *   revisions beyond revisionHistoryLimit are deleted once the rollout is complete;
   * - writes the status (counts, observedGeneration, Available and Progressing as
   *   Kubernetes reports them) last, once, and only when it changed, with the cached
   *   resourceVersion (or that of its own annotation patch) as precondition.
   *
   * Contract: idempotent (reads caches, writes only differences; every ReplicaSet write
   * carries its cached resourceVersion, so a decision on a stale cache fails instead of
   * applying); never called for the same key twice at once (not reentrant per key); a
   * Deployment gone needs nothing (the garbage collector deletes its ReplicaSets). Any
   * failed write throws and the key is retried with back-off. Returns a requeue at the
   * progress deadline while a rollout is under way.
   */
  return async (key) => {
    const cached = deployments.get(key);
    if (!cached) return;
    const d: DeploymentObject = { ...cached, metadata: { ...cached.metadata }, spec: cached.spec };
    const selector = d.spec?.selector;
    if (!Object.keys(selector?.matchLabels ?? {}).length && !selector?.matchExpressions?.length) {
      ctx.events.record(
        d,
        'Warning',
        'SelectingAll',
        'This deployment is selecting all pods. A non-empty selector is required.',
      );
      if ((d.status?.observedGeneration ?? 0) < (d.metadata.generation ?? 1)) {
        await ctx.writer.updateStatus(
          d,
          { ...d.status, observedGeneration: d.metadata.generation ?? 1 },
          d.metadata.resourceVersion,
        );
      }
      return;
    }
    const namespace = d.metadata.namespace;
    const rsList = await claimObjects(ctx.writer, d, replicaSets.list(namespace), (rs) =>
      selectorMatches(selector, rs.metadata.labels),
    );
    const podMap = new Map<string, PodObject[]>(rsList.map((rs) => [rs.metadata.uid!, []]));
    for (const rs of rsList) {
      for (const pod of pods.byOwner(rs.metadata.uid!)) {
        if (!selectorMatches(selector, pod.metadata.labels)) continue;
        const uid = controllerRef(pod)?.uid;
        if (uid) podMap.get(uid)?.push(pod);
      }
    }

    const stored = cached.status;
    const sync = new DeploymentSync(
      ctx,
      d,
      [...rsList],
      podMap,
      (rsKey) => replicaSets.get(rsKey),
      now(),
      d.metadata.resourceVersion,
    );
    if (d.metadata.deletionTimestamp) {
      await sync.syncStatusOnly();
    } else {
      sync.checkPausedConditions();
      if (d.spec?.paused || (await sync.isScalingEvent())) await sync.sync();
      else if (isRollingUpdate(d)) await sync.rolloutRolling();
      else await sync.rolloutRecreate();
    }
    if (sync.changed(stored)) await ctx.writer.updateStatus(d, sync.final, sync.resourceVersion);
    return sync.requeue();
  };
}

/**
 * Kubernetes' deployment controller: rolls Deployments out through ReplicaSets.
 * ReplicaSet events go to the controlling Deployment (orphans: to every Deployment
 * whose selector matches them); a pod going away wakes the Deployment of its
 * ReplicaSet (Recreate waits for old pods to be gone; a rolling update for old pods to
 * be deleted before it surges again).
 */
export const deploymentController: ControllerFactory = (ctx) => {
  const deployments = ctx.informers.get<DeploymentObject>('Deployment');
  const replicaSets = ctx.informers.get<ReplicaSetObject>('ReplicaSet');
  const pods = ctx.informers.get<PodObject>('Pod');
  const loop = new ReconcileLoop('deployment', deploymentReconciler(ctx), {
    onError: (key, error) => {
      if (!isCode(error, 'CONFLICT')) ctx.log(`deployment ${key}: ${messageOf(error)}`);
    },
  });

  /** The Deployment controlling the ReplicaSet that controls the pod. */
  const enqueueForPod = (pod: Resource) => {
    const rsKey = controllerKey(pod, 'ReplicaSet', replicaSets);
    const rs = rsKey && replicaSets.get(rsKey);
    const key = rs && controllerKey(rs, 'Deployment', deployments);
    if (key) loop.enqueue(key);
  };

  return {
    name: 'deployment',
    start() {
      deployments.addEventHandler({
        onAdd: (d) => loop.enqueue(keyOf(d)),
        onUpdate: (_old, d) => loop.enqueue(keyOf(d)),
        onDelete: (d) => loop.enqueue(keyOf(d)),
      });
      replicaSets.addEventHandler(
        ownedObjectHandlers({
          ownerKind: 'Deployment',
          owners: deployments,
          enqueue: (key) => loop.enqueue(key),
        }),
      );
      pods.addEventHandler({
        onUpdate: (old, pod) => {
          if (pod.metadata.deletionTimestamp && !old.metadata.deletionTimestamp) enqueueForPod(pod);
        },
        onDelete: (pod) => enqueueForPod(pod),
      });
      loop.start();
    },
    stop: () => loop.stop(),
  };
};
