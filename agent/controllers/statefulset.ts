import { keyOf, messageOf, type Informer, type Resource } from '../../client/index.ts';
import type { PodSpec, PodTemplateSpec } from '../../schema/kinds/pod.ts';
import type { StatefulSet } from '../../schema/kinds/statefulset.ts';
import { selectorMatches } from '../../schema/label-selector.ts';
import type { PodObject } from '../objects.ts';
import { isPodFinished, isPodRunningAndReady, isPodTerminating, msUntilAvailable } from '../pod-state.ts';
import { ReconcilingController, type ControllerContext, type ControllerFactory } from './controller.ts';
import {
  CONTROLLER_REVISION_HASH_LABEL,
  ControllerHistory,
  revisionName,
  revisionTemplate,
  type ControllerRevisionObject,
} from './controller-revision.ts';
import { claimObjects, ownedObjectHandlers } from './controller-ref.ts';
import { Expectations } from './expectations.ts';
import type { ClaimObject } from './persistent-volume/storage-objects.ts';
import { podFromTemplate, writePods, type PodWriteMessages } from './pod-control.ts';
import { earliest, type ReconcileResult } from './reconcile-loop.ts';
import { StatefulSetClaims } from './statefulset-claims.ts';
import { claimName, ordinalOf, type StatefulSetObject } from './statefulset-names.ts';
import { templateHash } from './template-hash.ts';
import { writeChangedStatus } from './written-status.ts';

type StatefulSetStatus = NonNullable<StatefulSet['status']>;

/** How soon a set is looked at again while the ControllerRevision cache is still listing. */
const HISTORY_SYNC_WAIT_MS = 100;

/** The label naming a StatefulSet pod (a Service may select one pod with it). */
export const POD_NAME_LABEL = 'statefulset.kubernetes.io/pod-name';
/** The label holding a StatefulSet pod's ordinal. */
export const POD_INDEX_LABEL = 'apps.kubernetes.io/pod-index';

/** The revision a pod was created at (its `controller-revision-hash` label). */
export function podRevision(pod: Resource): string | undefined {
  return pod.metadata.labels?.[CONTROLLER_REVISION_HASH_LABEL];
}

/**
 * A member pod as Kubernetes' newStatefulSetPod makes it: the template's labels,
 * annotations and spec, named `<set>-<ordinal>` with the pod-name and pod-index labels,
 * hostname = its name and subdomain = the governing Service, the revision label, and the
 * set as controller.
 */
export function newStatefulSetPod(
  set: StatefulSetObject,
  ordinal: number,
  template: PodTemplateSpec,
  revision: string,
): PodObject {
  const name = `${set.metadata.name}-${ordinal}`;
  const pod = podFromTemplate(set, template, {
    name,
    labels: {
      [POD_NAME_LABEL]: name,
      [POD_INDEX_LABEL]: String(ordinal),
      [CONTROLLER_REVISION_HASH_LABEL]: revision,
    },
  });
  pod.spec.hostname = name;
  if (set.spec?.serviceName) pod.spec.subdomain = set.spec.serviceName;
  addClaimVolumes(set, ordinal, pod);
  return pod;
}

/**
 * As Kubernetes' updateStorage: a volume per claim template, named as the template and
 * mounting the pod's own claim, in place of any template volume of that name.
 */
function addClaimVolumes(set: StatefulSetObject, ordinal: number, pod: { spec: PodSpec }): void {
  const templates = (set.spec?.volumeClaimTemplates ?? []).map((claim) => claim.metadata?.name ?? '');
  if (templates.length === 0) return;
  const others = (pod.spec.volumes ?? []).filter((volume) => !templates.includes(volume.name));
  pod.spec.volumes = [
    ...templates.map((template) => ({
      name: template,
      persistentVolumeClaim: { claimName: claimName(set, template, ordinal) },
    })),
    ...others,
  ];
}

/** The two revisions of a set: the one its older pods run, and the one of its template now. */
export interface Revisions {
  current: string;
  update: string;
  /** The template of `current`, when its ControllerRevision is known. */
  currentTemplate?: PodTemplateSpec;
  /** status.collisionCount, once a revision name was found taken. */
  collisionCount?: number;
}

/** What one reconcile decided: at most one write in OrderedReady, any number in Parallel. */
export interface StatefulSetPlan {
  create: PodObject[];
  delete: PodObject[];
  /** When a pod waited for will have been ready for minReadySeconds. */
  requeueAfterMs?: number;
}

/**
 * Kubernetes' updateStatefulSet, as a decision on a snapshot of the set's pods (owned,
 * named as members). Three passes, each of which in OrderedReady stops at the first pod
 * it writes or must wait for:
 * 1. ordinals start..start+replicas-1, ascending: a Failed or Succeeded pod is deleted
 *    (it is recreated once gone), a missing one is created — at the current revision
 *    below the rolling-update partition, at the update revision otherwise; OrderedReady
 *    then waits for each to be Running, Ready, available for minReadySeconds and not
 *    terminating before going on.
 * 2. pods beyond the range, highest ordinal first: deleted — in OrderedReady one at a
 *    time, each only once every lower pod is healthy (or it is the first unhealthy one)
 *    and after the previous one is gone.
 * 3. RollingUpdate: from the highest ordinal down to the partition, the first pod not at
 *    the update revision is deleted (pass 1 recreates it), one at a time, each only
 *    once the pods above it are healthy and available. OnDelete: nothing; only pods the
 *    user deletes are recreated, at the update revision.
 * Parallel creates and deletes without waiting in passes 1 and 2; updates stay one at a time.
 * Availability (minReadySeconds) is judged as of `now`.
 */
export function planStatefulSet(
  set: StatefulSetObject,
  pods: PodObject[],
  revisions: Revisions,
  now: number,
): StatefulSetPlan {
  const spec = set.spec!;
  const setName = set.metadata.name!;
  const monotonic = spec.podManagementPolicy !== 'Parallel';
  const start = spec.ordinals?.start ?? 0;
  const replicas = spec.replicas ?? 1;
  const minReadySeconds = spec.minReadySeconds ?? 0;
  const strategy = spec.updateStrategy ?? { type: 'RollingUpdate' };
  const plan: StatefulSetPlan = { create: [], delete: [] };
  const wait = (ms?: number) => {
    plan.requeueAfterMs = earliest(plan.requeueAfterMs, ms);
    return plan;
  };

  const members = new Map<number, PodObject>();
  const condemned: PodObject[] = [];
  for (const pod of pods) {
    const ordinal = ordinalOf(setName, pod.metadata.name);
    if (ordinal === undefined) continue;
    if (ordinal >= start && ordinal < start + replicas) members.set(ordinal, pod);
    else condemned.push(pod);
  }
  condemned.sort((a, b) => ordinalOf(setName, b.metadata.name)! - ordinalOf(setName, a.metadata.name)!);
  const slots = Array.from({ length: replicas }, (_, index) => ({
    index,
    ordinal: start + index,
    pod: members.get(start + index),
  }));

  const healthy = (pod: PodObject) => isPodRunningAndReady(pod) && !isPodTerminating(pod);
  /** undefined: available; a number: available in that many ms; 'never': not ready (or since when unknown). */
  const availableIn = (pod: PodObject) => msUntilAvailable(pod, minReadySeconds, now) ?? 'never';
  // The first pod, members before condemned, that is missing or not healthy: the one
  // condemned pod OrderedReady may delete while it is unhealthy.
  const firstUnhealthySlot = slots.find((slot) => !slot.pod || !healthy(slot.pod));
  const firstUnhealthy = firstUnhealthySlot ? firstUnhealthySlot.pod : condemned.find((pod) => !healthy(pod));

  // Below the partition (or, with no rollingUpdate, below currentReplicas) a recreated
  // pod keeps the current revision, as far as its template is known.
  const rolling = strategy.type !== 'OnDelete';
  const currentBelow = !rolling
    ? 0
    : strategy.rollingUpdate
      ? (strategy.rollingUpdate.partition ?? 0)
      : (set.status?.currentReplicas ?? 0);
  const newPod = (index: number, ordinal: number) =>
    index < currentBelow && revisions.currentTemplate
      ? newStatefulSetPod(set, ordinal, revisions.currentTemplate, revisions.current)
      : newStatefulSetPod(set, ordinal, spec.template, revisions.update);

  for (const { index, ordinal, pod } of slots) {
    if (pod && isPodFinished(pod)) {
      if (!isPodTerminating(pod)) plan.delete.push(pod);
      if (monotonic) return plan;
      continue;
    }
    if (!pod) {
      plan.create.push(newPod(index, ordinal));
      if (monotonic) return plan;
      continue;
    }
    if (!monotonic) continue;
    if (!healthy(pod)) return plan;
    const left = availableIn(pod);
    if (left === 'never') return plan;
    if (left > 0) return wait(left);
  }

  for (const pod of condemned) {
    if (isPodTerminating(pod)) {
      if (monotonic) return plan;
      continue;
    }
    if (monotonic && pod !== firstUnhealthy) {
      if (!isPodRunningAndReady(pod)) return plan;
      const left = availableIn(pod);
      if (left === 'never') return plan;
      if (left > 0) return wait(left);
    }
    plan.delete.push(pod);
    if (monotonic) return plan;
  }

  if (!rolling) return plan;
  const partition = strategy.rollingUpdate?.partition ?? 0;
  for (let index = slots.length - 1; index >= partition; index--) {
    const pod = slots[index].pod;
    // Created or deleted in this very pass (Parallel): not healthy yet.
    if (!pod || plan.delete.includes(pod)) return plan;
    if (podRevision(pod) !== revisions.update && !isPodTerminating(pod)) {
      plan.delete.push(pod);
      return plan;
    }
    if (!healthy(pod)) return plan;
    const left = availableIn(pod);
    if (left === 'never') return plan;
    if (left > 0) return wait(left);
  }
  return plan;
}

/**
 * The status Kubernetes computes from the set's pods: replicas (every pod it created
 * and still has), readyReplicas (Running and Ready), availableReplicas (ready for
 * minReadySeconds), currentReplicas and updatedReplicas (pods not terminating at each
 * revision). Once every pod is updated and ready the rollout is complete: the update
 * revision becomes current (for OnDelete too, where Kubernetes leaves it behind).
 * Availability is judged as of `now`.
 */
export function statefulSetStatus(
  set: StatefulSetObject,
  pods: PodObject[],
  revisions: Revisions,
  now: number,
): { status: StatefulSetStatus; requeueAfterMs?: number } {
  const minReadySeconds = set.spec?.minReadySeconds ?? 0;
  let ready = 0;
  let available = 0;
  let current = 0;
  let updated = 0;
  let requeueAfterMs: number | undefined;
  for (const pod of pods) {
    if (isPodRunningAndReady(pod)) {
      ready++;
      const left = msUntilAvailable(pod, minReadySeconds, now);
      if (left === 0) available++;
      else if (left !== undefined) requeueAfterMs = earliest(requeueAfterMs, left);
    }
    if (isPodTerminating(pod)) continue;
    const revision = podRevision(pod);
    if (revision === revisions.current) current++;
    if (revision === revisions.update) updated++;
  }
  let currentRevision = revisions.current;
  if (updated === pods.length && ready === pods.length) {
    currentRevision = revisions.update;
    current = updated;
  }
  const status: StatefulSetStatus = {
    ...set.status,
    replicas: pods.length,
    readyReplicas: ready,
    currentReplicas: current,
    updatedReplicas: updated,
    availableReplicas: available,
    currentRevision,
    updateRevision: revisions.update,
  };
  if (revisions.collisionCount !== undefined) status.collisionCount = revisions.collisionCount;
  if (set.metadata.generation !== undefined) status.observedGeneration = set.metadata.generation;
  return { status, requeueAfterMs };
}

/**
 * Kubernetes' StatefulSet controller: pods with stable names `<set>-<ordinal>`, created,
 * scaled and updated in order (see planStatefulSet). Each template is a ControllerRevision
 * `<set>-<hash>` (see ControllerHistory), which pods name in their revision label and
 * which pods below a partition are recreated from.
 */
export class StatefulSetController extends ReconcilingController {
  private readonly sets: Informer<StatefulSetObject>;
  private readonly pods: Informer<PodObject>;
  private readonly expectations = new Expectations(this.ctx.clock);
  private readonly history: ControllerHistory;
  private readonly claims: StatefulSetClaims;

  constructor(ctx: ControllerContext) {
    super('statefulset', ctx);
    this.sets = ctx.informers.get<StatefulSetObject>('StatefulSet');
    this.pods = ctx.informers.get<PodObject>('Pod');
    this.history = new ControllerHistory(
      ctx.writer,
      ctx.informers.get<ControllerRevisionObject>('ControllerRevision'),
    );
    this.claims = new StatefulSetClaims(ctx, ctx.informers.get<ClaimObject>('PersistentVolumeClaim'));
  }

  /**
   * Brings the StatefulSet `namespace/name` to its spec: makes its template's
   * ControllerRevision the newest (unless it is being deleted; adopting orphan revisions
   * its selector matches, and raising status.collisionCount when the name is taken by
   * other data, see ControllerHistory.sync), claims its pods (adopting
   * matching orphans named as members, releasing its own that no longer match), then —
   * unless it is being deleted or earlier creations and deletions are not yet in the
   * cache — makes the writes planStatefulSet decides (at most one in OrderedReady),
   * recording SuccessfulCreate / SuccessfulDelete events, writes the status when it
   * changed, and trims its history to revisionHistoryLimit, keeping every revision a pod runs. A set that is gone only has its bookkeeping forgotten: its pods are the
   * garbage collector's.
   *
   * Contract: idempotent, from the caches (the expectations keep it from acting twice
   * on writes its cache has not seen yet); not reentrant (never called for one key
   * twice at once). Time is `ctx.clock`'s, read once per call. On a failed pod write it
   * records FailedCreate / FailedDelete and throws, as does a failed claim or status
   * write: the key is retried with back-off. A pod's claims (volumeClaimTemplates) are
   * made before it, and a failure there throws before any pod write (see
   * StatefulSetClaims). Returns a requeue when a pod becomes available later
   * (minReadySeconds).
   */
  async reconcile(key: string): Promise<ReconcileResult | void> {
    const set = this.sets.get(key);
    if (!set?.spec) {
      this.expectations.forget(key);
      return;
    }
    if (!this.history.hasSynced()) return { requeueAfterMs: HISTORY_SYNC_WAIT_MS };
    const pods = await this.claimPods(set);
    const now = this.ctx.clock.now();
    const { revisions, history } = await this.syncRevisions(set);

    let requeueAfterMs: number | undefined;
    if (!set.metadata.deletionTimestamp && this.expectations.satisfied(key)) {
      const plan = planStatefulSet(set, pods, revisions, now);
      requeueAfterMs = plan.requeueAfterMs;
      for (const pod of plan.create) await this.claims.ensureFor(set, pod);
      for (const pod of plan.delete) await this.claims.condemn(set, pod);
      await writePods(
        this.ctx,
        set,
        key,
        this.expectations,
        { create: plan.create, delete: plan.delete.map((pod) => ({ pod })) },
        statefulPodMessages(set),
      );
    }
    const computed = statefulSetStatus(set, pods, revisions, now);
    await writeChangedStatus(this.ctx.writer, set, computed.status);
    if (history && !set.metadata.deletionTimestamp) {
      const live = new Set([
        revisions.current,
        revisions.update,
        ...pods.map((pod) => podRevision(pod) ?? ''),
      ]);
      await this.history.truncate(set, history, live, set.spec.revisionHistoryLimit);
    }
    requeueAfterMs = earliest(requeueAfterMs, computed.requeueAfterMs);
    return requeueAfterMs === undefined ? undefined : { requeueAfterMs };
  }

  protected register(): void {
    this.watch(this.sets, {
      onAdd: (set) => this.loop.enqueue(keyOf(set)),
      onUpdate: (_old, set) => this.loop.enqueue(keyOf(set)),
      onDelete: (set) => this.loop.enqueue(keyOf(set)),
    });
    this.watch(
      this.pods,
      ownedObjectHandlers({
        ownerKind: 'StatefulSet',
        owners: this.sets,
        enqueue: (key) => this.loop.enqueue(key),
        expectations: this.expectations,
      }),
    );
  }

  /**
   * The set's current and update revisions from its ControllerRevisions, the update one
   * made or renumbered first (see ControllerHistory.sync). A set being deleted gets no new
   * revision: its update revision is named from its template, and `history` is undefined.
   */
  private async syncRevisions(
    set: StatefulSetObject,
  ): Promise<{ revisions: Revisions; history?: ControllerRevisionObject[] }> {
    const spec = set.spec!;
    const collisionCount = set.status?.collisionCount ?? undefined;
    if (set.metadata.deletionTimestamp) {
      const owned = this.history.owned(set);
      const update = revisionName(set.metadata.name!, templateHash(spec.template, collisionCount));
      const current = set.status?.currentRevision || update;
      const currentTemplate = revisionTemplate(owned.find((r) => r.metadata.name === current));
      return { revisions: { current, update, currentTemplate } };
    }
    const synced = await this.history.sync(set, spec.template, collisionCount);
    const { update, revisions: history } = synced;
    // A current revision whose object is gone (deleted by hand) still names the pods that
    // run it; only its template is unknown, so pods recreated below a partition take the update's.
    const current = set.status?.currentRevision || update.metadata.name!;
    const currentRevision = history.find((revision) => revision.metadata.name === current);
    return {
      revisions: {
        current,
        update: update.metadata.name!,
        currentTemplate: revisionTemplate(currentRevision),
        collisionCount: synced.collisionCount,
      },
      history,
    };
  }

  private claimPods(set: StatefulSetObject): Promise<PodObject[]> {
    const setName = set.metadata.name!;
    return claimObjects(
      this.ctx.writer,
      set,
      this.pods.list(set.metadata.namespace),
      (pod) =>
        selectorMatches(set.spec?.selector, pod.metadata.labels) &&
        ordinalOf(setName, pod.metadata.name) !== undefined,
    );
  }
}

/** StatefulPodControl's wording: `create Pod web-0 in StatefulSet web successful`. */
function statefulPodMessages(set: StatefulSetObject): PodWriteMessages {
  const what = (pod: PodObject) => `Pod ${pod.metadata.name} in StatefulSet ${set.metadata.name}`;
  return {
    created: (pod) => `create ${what(pod)} successful`,
    createFailed: (pod, error) => `create ${what(pod)} failed error: ${messageOf(error)}`,
    deleted: (pod) => `delete ${what(pod)} successful`,
    deleteFailed: (pod, error) => `delete ${what(pod)} failed error: ${messageOf(error)}`,
  };
}

export const statefulSetController: ControllerFactory = (ctx) => new StatefulSetController(ctx);
