import { isCode, keyOf, type Informer } from '../../client/index.ts';
import type { Node, Taint } from '../../schema/kinds/node.ts';
import { enqueueSelf } from '../informers.ts';
import { NODE_LEASE_NAMESPACE } from '../node/agent.ts';
import { NOT_READY_TAINT, toleratesTaint, UNREACHABLE_TAINT } from '../node-eligibility.ts';
import type { Condition as PodCondition, LeaseObject, NodeObject, PodObject } from '../objects.ts';
import { isPodReady } from '../pod-state.ts';
import { timeOf, timestamp } from '../timestamps.ts';
import { ReconcilingController, type ControllerContext, type ControllerFactory } from './controller.ts';
import { controllerRef } from './controller-ref.ts';
import type { ReconcileResult } from './reconcile-loop.ts';

type Condition = NonNullable<NonNullable<Node['status']>['conditions']>[number];

/** Conditions the node agent reports that turn Unknown with Ready when it goes silent. */
const REPORTED_CONDITIONS = ['Ready', 'MemoryPressure', 'DiskPressure', 'PIDPressure'];
const UNSYNCED_RETRY_MS = 100;

const isNodeTaint = (taint: Taint) =>
  (taint.key === UNREACHABLE_TAINT || taint.key === NOT_READY_TAINT) && taint.effect === 'NoExecute';

/**
 * How long a pod may stay after a NoExecute taint is added: the pod eviction timeout
 * when it does not tolerate the taint, the smallest tolerationSeconds of the
 * tolerations that match, or forever when they all match without a time limit.
 */
function stayMs(pod: PodObject, taint: Taint, evictionTimeoutMs: number): number {
  const matching = (pod.spec?.tolerations ?? []).filter((t) => toleratesTaint(t, taint));
  if (matching.length === 0) return evictionTimeoutMs;
  const limits = matching.flatMap((t) => (t.tolerationSeconds === undefined ? [] : [t.tolerationSeconds]));
  if (limits.length === 0) return Infinity;
  return Math.max(0, Math.min(...limits)) * 1000;
}

const ownedByDaemonSet = (pod: PodObject) => controllerRef(pod)?.kind === 'DaemonSet';

/**
 * Conditions with the node's reported ones turned Unknown, as Kubernetes does when the
 * node agent stops posting (or never posted); undefined when they already are.
 */
function unknownConditions(node: NodeObject, now: number): Condition[] | undefined {
  const conditions = node.status?.conditions ?? [];
  let changed = false;
  const next = conditions.map((condition) => {
    if (!REPORTED_CONDITIONS.includes(condition.type) || condition.status === 'Unknown') return condition;
    changed = true;
    return {
      ...condition,
      status: 'Unknown' as const,
      reason: 'NodeStatusUnknown',
      message: 'Kubelet stopped posting node status.',
      lastTransitionTime: timestamp(now),
    };
  });
  if (!conditions.some((c) => c.type === 'Ready')) {
    changed = true;
    next.push({
      type: 'Ready',
      status: 'Unknown',
      reason: 'NodeStatusNeverUpdated',
      message: 'Kubelet never posted node status.',
      lastHeartbeatTime: node.metadata.creationTimestamp as string | undefined,
      lastTransitionTime: timestamp(now),
    });
  }
  return changed ? next : undefined;
}

/**
 * The taints a Ready status calls for: every other taint kept, the wanted NoExecute one
 * kept with its timeAdded (the eviction clock) or added with the current time, in
 * milliseconds (still RFC 3339) so that eviction deadlines are exact.
 */
function desiredTaints(taints: Taint[], ready: string, now: number): Taint[] {
  const wanted = ready === 'Unknown' ? UNREACHABLE_TAINT : ready === 'False' ? NOT_READY_TAINT : undefined;
  const next = taints.filter((taint) => !isNodeTaint(taint) || (taint.key === wanted && !!taint.timeAdded));
  if (wanted && !next.some(isNodeTaint)) {
    next.push({ key: wanted, effect: 'NoExecute', timeAdded: new Date(now).toISOString() });
  }
  return next;
}

/**
 * Kubernetes' node lifecycle controller: watches node heartbeats (Leases in
 * kube-node-lease, and the Ready condition's lastHeartbeatTime), marks a silent node's
 * conditions Unknown, keeps the NoExecute taints in step with its Ready condition, and
 * evicts the pods of a node that stayed NotReady or Unknown too long.
 */
export class NodeLifecycleController extends ReconcilingController {
  private readonly nodes: Informer<NodeObject>;
  private readonly leases: Informer<LeaseObject>;
  private readonly pods: Informer<PodObject>;
  /** When this controller first saw a node: the heartbeat of a node that never sent one. */
  private readonly firstSeen = new Map<string, number>();

  constructor(ctx: ControllerContext) {
    super('node-lifecycle', ctx);
    this.nodes = ctx.informers.get<NodeObject>('Node');
    this.leases = ctx.informers.get<LeaseObject>('Lease');
    this.pods = ctx.informers.get<PodObject>('Pod');
  }

  /**
   * Reconciles the Node `name`.
   *
   * 1. Heartbeat: the newest of its Lease's renewTime (kube-node-lease/<name>), its
   *    Ready condition's lastHeartbeatTime and its creation (or when first seen). Older
   *    than nodeMonitorGracePeriodMs: Ready and the pressure conditions become Unknown
   *    (reason NodeStatusUnknown; NodeStatusNeverUpdated when there was no Ready) through
   *    the status subresource with the cached resourceVersion, with a NodeNotReady event
   *    when it was Ready. Ready is never set back here: the node agent does that.
   * 2. Taints, from Ready: Unknown → `node.kubernetes.io/unreachable:NoExecute`, False →
   *    `node.kubernetes.io/not-ready:NoExecute`, True → neither (no Ready condition:
   *    unchanged); a kept taint keeps its timeAdded. Written only when they change, as
   *    a merge patch of spec.taints carrying the node's resourceVersion.
   * 3. On a node with one of those taints, each pod's Ready condition turns False (a
   *    NodeNotReady warning), and each pod is evicted podEvictionTimeoutMs after the
   *    taint's timeAdded (after the smallest tolerationSeconds of its tolerations that
   *    match the taint; never when they match without one). DaemonSet pods are never
   *    evicted. Eviction marks the pod DisruptionTarget (reason DeletionByTaintManager,
   *    at the cached resourceVersion), records TaintManagerEviction and deletes with
   *    gracePeriodSeconds 0: the node cannot run the termination.
   *
   * Returns a requeue for the next moment something falls due (the heartbeat going
   * stale, an eviction). Idempotent; reads only the caches, once all three have synced;
   * a failed write throws and the key is retried with back-off.
   */
  async reconcile(name: string): Promise<ReconcileResult | void> {
    if (![this.nodes, this.leases, this.pods].every((informer) => informer.hasSynced()))
      return { requeueAfterMs: UNSYNCED_RETRY_MS };
    let node = this.nodes.get(name);
    if (!node) {
      this.firstSeen.delete(name);
      return;
    }
    const now = this.ctx.clock.now();
    if (!this.firstSeen.has(name)) this.firstSeen.set(name, now);
    const due: number[] = [];

    const lease = this.leases.get(`${NODE_LEASE_NAMESPACE}/${name}`);
    const ready = node.status?.conditions?.find((c) => c.type === 'Ready');
    const heartbeats = [
      timeOf(lease?.spec?.renewTime),
      timeOf(ready?.lastHeartbeatTime),
      timeOf(node.metadata.creationTimestamp as string | undefined),
    ].filter((t) => t !== undefined);
    const heartbeat = heartbeats.length ? Math.max(...heartbeats) : this.firstSeen.get(name)!;
    const staleAt = heartbeat + this.ctx.options.nodeMonitorGracePeriodMs;

    let readyStatus = ready?.status;
    if (now >= staleAt) {
      const conditions = unknownConditions(node, now);
      if (conditions) {
        node = await this.ctx.writer.updateStatus(
          node,
          { ...node.status, conditions },
          node.metadata.resourceVersion,
        );
        if (ready?.status === 'True')
          this.ctx.events.record(node, 'Normal', 'NodeNotReady', `Node ${name} status is now: NodeNotReady`);
      }
      readyStatus = 'Unknown';
    } else {
      due.push(staleAt);
    }

    const taints = node.spec?.taints ?? [];
    const nextTaints = readyStatus ? desiredTaints(taints, readyStatus, now) : taints;
    if (nextTaints.length !== taints.length || nextTaints.some((taint, i) => taint !== taints[i])) {
      await this.ctx.writer.patch('Node', name, undefined, {
        metadata: { resourceVersion: node.metadata.resourceVersion },
        spec: { taints: nextTaints.length ? nextTaints : null },
      });
    }

    const taint = nextTaints.find(isNodeTaint);
    if (taint && (readyStatus === 'Unknown' || readyStatus === 'False')) {
      const since = timeOf(taint.timeAdded) ?? now;
      for (const pod of this.pods.byNode(name)) {
        // Already force-deleted and held only by finalizers: nothing more to do here.
        if (pod.metadata.deletionTimestamp && pod.metadata.deletionGracePeriodSeconds === 0) continue;
        const evictAt = ownedByDaemonSet(pod)
          ? Infinity
          : since + stayMs(pod, taint, this.ctx.options.podEvictionTimeoutMs);
        if (now >= evictAt) {
          await this.evict(pod, now);
          continue;
        }
        if (Number.isFinite(evictAt)) due.push(evictAt);
        if (isPodReady(pod)) await this.markNotReady(pod, now);
      }
    }

    if (due.length) return { requeueAfterMs: Math.max(1, Math.min(...due) - now) };
  }

  protected register(): void {
    const enqueueNodeOf = (pod: PodObject) => {
      if (pod.spec?.nodeName) this.loop.enqueue(pod.spec.nodeName);
    };
    const enqueueLease = (lease: LeaseObject) => {
      if (lease.metadata.namespace === NODE_LEASE_NAMESPACE) this.loop.enqueue(lease.metadata.name!);
    };
    this.watch(
      this.nodes,
      enqueueSelf((node) => this.loop.enqueue(keyOf(node))),
    );
    this.watch(this.leases, { onAdd: enqueueLease, onUpdate: (_old, lease) => enqueueLease(lease) });
    // A pod landing on a tainted node has its own eviction clock.
    this.watch(this.pods, {
      onAdd: enqueueNodeOf,
      onUpdate: (old, pod) => {
        if (old.spec?.nodeName !== pod.spec?.nodeName) enqueueNodeOf(pod);
      },
    });
  }

  private async markNotReady(pod: PodObject, now: number): Promise<void> {
    const conditions: PodCondition[] = (pod.status?.conditions ?? []).map((c) =>
      c.type === 'Ready' ? { ...c, status: 'False', lastTransitionTime: timestamp(now) } : c,
    );
    try {
      await this.ctx.writer.updateStatus(pod, { ...pod.status, conditions }, pod.metadata.resourceVersion);
    } catch (error) {
      if (isCode(error, 'NOT_FOUND')) return;
      throw error;
    }
    this.ctx.events.record(pod, 'Warning', 'NodeNotReady', 'Node is not ready');
  }

  private async evict(pod: PodObject, now: number): Promise<void> {
    const { name, namespace } = pod.metadata;
    if (!pod.metadata.deletionTimestamp) {
      const conditions: PodCondition[] = [
        ...(pod.status?.conditions ?? []).filter((c) => c.type !== 'DisruptionTarget'),
        {
          type: 'DisruptionTarget',
          status: 'True',
          reason: 'DeletionByTaintManager',
          message: 'Taint manager: deleting due to NoExecute taint',
          lastTransitionTime: timestamp(now),
        },
      ];
      try {
        await this.ctx.writer.updateStatus(pod, { ...pod.status, conditions }, pod.metadata.resourceVersion);
      } catch (error) {
        if (isCode(error, 'NOT_FOUND')) return;
        throw error;
      }
    }
    this.ctx.events.record(
      pod,
      'Normal',
      'TaintManagerEviction',
      `Marking for deletion Pod ${namespace}/${name}`,
    );
    try {
      await this.ctx.writer.delete('Pod', name!, namespace, { gracePeriodSeconds: 0 });
    } catch (error) {
      if (!isCode(error, 'NOT_FOUND')) throw error;
    }
  }
}

export const nodeLifecycleController: ControllerFactory = (ctx) => new NodeLifecycleController(ctx);
