import type { PodObject } from '../../objects.ts';
import { isPodActive } from '../../pod-state.ts';
import type { ControllerContext } from '../controller.ts';
import { replicasOf, type DeploymentObject, type ReplicaSetObject } from '../rollout-math.ts';
import type { DeploymentStatus } from './conditions.ts';

/**
 * The working state of one reconcile of one Deployment (what Kubernetes' syncDeployment
 * and the functions it calls share through their arguments and the controller): a copy
 * of the Deployment whose status is the working status (conditions and collisionCount
 * change on it as the sync goes), the claimed ReplicaSets (each replaced by its updated
 * copy once written), and the status to write at the end. The sync's steps (sync.ts,
 * rolling.ts, recreate.ts, ...) are functions of it.
 */
export class SyncState {
  /** The status to write at the end (set by syncDeploymentStatus / syncRolloutStatus). */
  final?: DeploymentStatus;
  /** The working status: the Deployment's, as this sync changes it. */
  readonly status: DeploymentStatus;

  constructor(
    readonly ctx: ControllerContext,
    readonly d: DeploymentObject,
    readonly rsList: ReplicaSetObject[],
    /** Pods of the deployment's selector by the uid of their controlling ReplicaSet. */
    readonly podMap: Map<string, PodObject[]>,
    readonly lookupReplicaSet: (key: string) => ReplicaSetObject | undefined,
    /** The time of this sync (ctx.clock's), for conditions and the progress deadline. */
    readonly now: number,
    /** The Deployment's resourceVersion: the precondition of its status write. */
    public resourceVersion: string | undefined,
  ) {
    this.status = d.status = structuredClone(d.status ?? {});
  }

  /** The latest copy of a ReplicaSet (after this sync's writes). */
  current(rs: ReplicaSetObject): ReplicaSetObject {
    return this.rsList.find((r) => r.metadata.uid === rs.metadata.uid) ?? rs;
  }

  /** Records a ReplicaSet written (created or patched) by this sync as its latest copy. */
  track(rs: ReplicaSetObject): void {
    const at = this.rsList.findIndex((r) => r.metadata.uid === rs.metadata.uid);
    if (at >= 0) this.rsList[at] = rs;
    else this.rsList.push(rs);
  }

  /** An event on the Deployment. */
  record(reason: string, message: string, type: 'Normal' | 'Warning' = 'Normal'): void {
    this.ctx.events.record(this.d, type, reason, message);
  }

  /**
   * Pods the ReplicaSets hold or will hold: for each, its spec.replicas or, while it
   * still has more active pods than that (a scale-down its controller has not carried
   * out yet), those pods. Kubernetes counts spec.replicas only; counting pods not yet
   * deleted as well keeps the pods that exist within replicas + maxSurge at all times.
   */
  podCount(rss: ReplicaSetObject[]): number {
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
  availableForScaleDown(rss: ReplicaSetObject[]): number {
    return rss.reduce((sum, rs) => sum + Math.min(rs.status?.availableReplicas ?? 0, replicasOf(rs)), 0);
  }

  /** Writes changes to a ReplicaSet's annotations and spec as a merge patch, with its resourceVersion as precondition. */
  async patchReplicaSet(
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
}
