import { keyOf, type Informer, type Resource } from '../../../client/index.ts';
import { selectorMatches } from '../../../schema/label-selector.ts';
import { enqueueSelf } from '../../informers.ts';
import type { PodObject } from '../../objects.ts';
import { ReconcilingController, type ControllerContext, type ControllerFactory } from '../controller.ts';
import { claimObjects, controllerKey, controllerRef, ownedObjectHandlers } from '../controller-ref.ts';
import type { ReconcileResult } from '../reconcile-loop.ts';
import { isRollingUpdate, type DeploymentObject, type ReplicaSetObject } from '../rollout-math.ts';
import { requeueStuckDeployment } from './progress.ts';
import { rolloutRecreate } from './recreate.ts';
import { rolloutRolling } from './rolling.ts';
import { isScalingEvent } from './scale.ts';
import { statusChanged } from './status.ts';
import { checkPausedConditions, sync, syncStatusOnly } from './sync.ts';
import { SyncState } from './sync-state.ts';

/**
 * Kubernetes' deployment controller: rolls Deployments out through ReplicaSets.
 * ReplicaSet events go to the controlling Deployment (orphans: to every Deployment
 * whose selector matches them); a pod going away wakes the Deployment of its
 * ReplicaSet (Recreate waits for old pods to be gone; a rolling update for old pods to
 * be deleted before it surges again).
 */
export class DeploymentController extends ReconcilingController {
  private readonly deployments: Informer<DeploymentObject>;
  private readonly replicaSets: Informer<ReplicaSetObject>;
  private readonly pods: Informer<PodObject>;

  constructor(ctx: ControllerContext) {
    super('deployment', ctx);
    this.deployments = ctx.informers.get<DeploymentObject>('Deployment');
    this.replicaSets = ctx.informers.get<ReplicaSetObject>('ReplicaSet');
    this.pods = ctx.informers.get<PodObject>('Pod');
  }

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
   * failed write throws and the key is retried with back-off (a hash collision writes
   * the raised collisionCount first). Time is ctx.clock's, read once per call. Returns
   * a requeue at the progress deadline while a rollout is under way.
   */
  async reconcile(key: string): Promise<ReconcileResult | void> {
    const { ctx } = this;
    const cached = this.deployments.get(key);
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
    const rsList = await claimObjects(ctx.writer, d, this.replicaSets.list(namespace), (rs) =>
      selectorMatches(selector, rs.metadata.labels),
    );
    const podMap = new Map<string, PodObject[]>(rsList.map((rs) => [rs.metadata.uid!, []]));
    for (const rs of rsList) {
      for (const pod of this.pods.byOwner(rs.metadata.uid!)) {
        if (!selectorMatches(selector, pod.metadata.labels)) continue;
        const uid = controllerRef(pod)?.uid;
        if (uid) podMap.get(uid)?.push(pod);
      }
    }

    const stored = cached.status;
    const s = new SyncState(
      ctx,
      d,
      [...rsList],
      podMap,
      (rsKey) => this.replicaSets.get(rsKey),
      ctx.clock.now(),
      d.metadata.resourceVersion,
    );
    if (d.metadata.deletionTimestamp) {
      await syncStatusOnly(s);
    } else {
      checkPausedConditions(s);
      if (d.spec?.paused || (await isScalingEvent(s))) await sync(s);
      else if (isRollingUpdate(d)) await rolloutRolling(s);
      else await rolloutRecreate(s);
    }
    if (statusChanged(s, stored)) await ctx.writer.updateStatus(d, s.final, s.resourceVersion);
    return requeueStuckDeployment(s);
  }

  protected register(): void {
    const enqueue = (key: string) => this.loop.enqueue(key);
    /** The Deployment controlling the ReplicaSet that controls the pod. */
    const enqueueForPod = (pod: Resource) => {
      const rsKey = controllerKey(pod, 'ReplicaSet', this.replicaSets);
      const rs = rsKey && this.replicaSets.get(rsKey);
      const key = rs && controllerKey(rs, 'Deployment', this.deployments);
      if (key) enqueue(key);
    };

    this.watch(
      this.deployments,
      enqueueSelf((d) => enqueue(keyOf(d))),
    );
    this.watch(
      this.replicaSets,
      ownedObjectHandlers({ ownerKind: 'Deployment', owners: this.deployments, enqueue }),
    );
    this.watch(this.pods, {
      onUpdate: (old, pod) => {
        if (pod.metadata.deletionTimestamp && !old.metadata.deletionTimestamp) enqueueForPod(pod);
      },
      onDelete: (pod) => enqueueForPod(pod),
    });
  }
}

export const deploymentController: ControllerFactory = (ctx) => new DeploymentController(ctx);
