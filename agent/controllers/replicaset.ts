import { isDeepStrictEqual } from 'node:util';
import { keyOf, messageOf, type Informer, type Resource } from '../../client/index.ts';
import type { LabelSelector } from '../../schema/kinds/meta.ts';
import type { ReplicaSet } from '../../schema/kinds/replicaset.ts';
import { selectorMatches } from '../../schema/label-selector.ts';
import { findCondition, removeCondition, setCondition } from '../conditions.ts';
import type { PodObject } from '../objects.ts';
import { isPodActive, isPodAvailable, isPodReady, msUntilAvailable, podReadySince } from '../pod-state.ts';
import { timeOf, timestamp } from '../timestamps.ts';
import { ReconcilingController, type ControllerContext, type ControllerFactory } from './controller.ts';
import { claimObjects, controllerKey, controllerRef, ownedObjectHandlers } from './controller-ref.ts';
import { Expectations } from './expectations.ts';
import { podFromTemplate, writePods } from './pod-control.ts';
import type { ReconcileResult } from './reconcile-loop.ts';
import type { ReplicaSetObject } from './rollout-math.ts';

/** The Pod index of uncontrolled pods by namespace. */
const ORPHANS = 'orphansByNamespace';

export type { ReplicaSetObject } from './rollout-math.ts';

type ReplicaSetStatus = NonNullable<ReplicaSet['status']>;
type ReplicaSetCondition = NonNullable<ReplicaSetStatus['conditions']>[number];

/** Most pods created or deleted by one reconcile (Kubernetes' burstReplicas). */
export const BURST_REPLICAS = 500;
/**
 * How long a pod update that changes none of what a ReplicaSet counts or decides on
 * waits before its ReplicaSet is synced. Each pod is updated three or four times as it
 * starts (bound, container creating, running) and every sync walks all the ReplicaSet's
 * pods: syncing on each update costs O(pods²) per ReplicaSet in a burst, while
 * coalescing them costs one pass per window.
 */
export const POD_UPDATE_COALESCE_MS = 250;

const sameJson = (a: unknown, b: unknown) => a === b || isDeepStrictEqual(a, b);

/**
 * Whether a pod update can change the ReplicaSet's decisions or status right away: what
 * makes a pod active, ready (and since when, for availability), claimed or matched.
 * Binding, container statuses and IPs do not; they only rank pods for a scale-down,
 * which reads the cache when it happens.
 */
export function podUpdateMatters(old: PodObject, pod: PodObject): boolean {
  return (
    isPodActive(old) !== isPodActive(pod) ||
    isPodReady(old) !== isPodReady(pod) ||
    podReadySince(old) !== podReadySince(pod) ||
    !sameJson(old.metadata.labels, pod.metadata.labels) ||
    !sameJson(old.metadata.ownerReferences, pod.metadata.ownerReferences)
  );
}

/** Lower deletes first, as Kubernetes' PodDeletionCost. */
export const POD_DELETION_COST_ANNOTATION = 'controller.kubernetes.io/pod-deletion-cost';

const PHASE_ORDER: Record<string, number> = { Pending: 0, Unknown: 1, Running: 2 };

function deletionCost(pod: PodObject): number {
  const text = pod.metadata.annotations?.[POD_DELETION_COST_ANNOTATION];
  const cost = text === undefined ? 0 : Number(text);
  return Number.isInteger(cost) ? cost : 0;
}

function maxRestarts(pod: PodObject): number {
  return Math.max(0, ...(pod.status?.containerStatuses ?? []).map((s) => s.restartCount ?? 0));
}

/** afterOrZero: a missing time first, then the later time first. */
function laterFirst(a: number | undefined, b: number | undefined): number {
  if (a === undefined || b === undefined) return (a === undefined ? 0 : 1) - (b === undefined ? 0 : 1);
  return b - a;
}

/**
 * The pods to delete when a ReplicaSet has `count` too many, in Kubernetes' order
 * (ActivePodsWithRanks): unscheduled before scheduled, Pending before Unknown before
 * Running, not ready before ready, lower pod-deletion-cost first, pods doubled up on a
 * node with more related pods (`related`: the pods of the ReplicaSets sharing this
 * one's controller) first, the most recently ready first, more restarts first, the
 * newest first.
 */
export function podsToDelete(pods: PodObject[], related: PodObject[], count: number): PodObject[] {
  if (count >= pods.length) return [...pods];
  const onNode = new Map<string, number>();
  for (const pod of related) {
    if (!isPodActive(pod)) continue;
    const node = pod.spec?.nodeName ?? '';
    onNode.set(node, (onNode.get(node) ?? 0) + 1);
  }
  const rank = (pod: PodObject) => onNode.get(pod.spec?.nodeName ?? '') ?? 0;
  const ranked = [...pods].sort((a, b) => {
    const aNode = a.spec?.nodeName ?? '';
    const bNode = b.spec?.nodeName ?? '';
    if (aNode !== bNode && (!aNode || !bNode)) return aNode ? 1 : -1;
    const phase = (PHASE_ORDER[a.status?.phase ?? ''] ?? 0) - (PHASE_ORDER[b.status?.phase ?? ''] ?? 0);
    if (phase) return phase;
    if (isPodReady(a) !== isPodReady(b)) return isPodReady(a) ? 1 : -1;
    const cost = deletionCost(a) - deletionCost(b);
    if (cost) return cost;
    const doubled = rank(b) - rank(a);
    if (doubled) return doubled;
    if (isPodReady(a) && isPodReady(b)) {
      const ready = laterFirst(podReadySince(a), podReadySince(b));
      if (ready) return ready;
    }
    const restarts = maxRestarts(b) - maxRestarts(a);
    if (restarts) return restarts;
    return laterFirst(
      timeOf(a.metadata.creationTimestamp as string | undefined),
      timeOf(b.metadata.creationTimestamp as string | undefined),
    );
  });
  return ranked.slice(0, count);
}

/**
 * calculateStatus: counts over the ReplicaSet's active pods, and the ReplicaFailure
 * condition set when managing replicas failed (FailedCreate when short of pods,
 * FailedDelete when over) and removed once it succeeds.
 */
export function replicaSetStatus(
  rs: ReplicaSetObject,
  pods: PodObject[],
  manageError: unknown,
  now: number,
): ReplicaSetStatus {
  const minReadySeconds = rs.spec?.minReadySeconds ?? 0;
  const templateLabels = rs.spec?.template?.metadata?.labels ?? {};
  let fullyLabeled = 0;
  let ready = 0;
  let available = 0;
  for (const pod of pods) {
    const labels = pod.metadata.labels ?? {};
    if (Object.entries(templateLabels).every(([k, v]) => labels[k] === v)) fullyLabeled++;
    if (isPodReady(pod)) {
      ready++;
      if (isPodAvailable(pod, minReadySeconds, now)) available++;
    }
  }
  let conditions: readonly ReplicaSetCondition[] = rs.status?.conditions ?? [];
  const failure = findCondition(conditions, 'ReplicaFailure');
  if (manageError !== undefined && !failure) {
    const diff = pods.length - (rs.spec?.replicas ?? 1);
    const reason = diff < 0 ? 'FailedCreate' : diff > 0 ? 'FailedDelete' : '';
    conditions = setCondition(
      conditions,
      {
        type: 'ReplicaFailure',
        status: 'True',
        ...(reason ? { reason } : {}),
        message: messageOf(manageError),
        lastTransitionTime: timestamp(now),
      },
      'apps',
    );
  } else if (manageError === undefined && failure) {
    conditions = removeCondition(conditions, 'ReplicaFailure');
  }
  return {
    replicas: pods.length,
    fullyLabeledReplicas: fullyLabeled,
    readyReplicas: ready,
    availableReplicas: available,
    observedGeneration: rs.metadata.generation ?? 1,
    ...(conditions.length ? { conditions: [...conditions] } : {}),
  };
}

/** A status with absent counts as 0 and no empty condition list, to compare. */
function normalized(status: ReplicaSetStatus | undefined) {
  return {
    replicas: status?.replicas ?? 0,
    fullyLabeledReplicas: status?.fullyLabeledReplicas ?? 0,
    readyReplicas: status?.readyReplicas ?? 0,
    availableReplicas: status?.availableReplicas ?? 0,
    observedGeneration: status?.observedGeneration ?? 0,
    conditions: status?.conditions?.length ? status.conditions : [],
  };
}

/**
 * A kind whose objects this controller keeps replicas of. As in Kubernetes, whose
 * replication manager is the ReplicaSet controller behind an adapter, a
 * ReplicationController differs from a ReplicaSet only in its kind and in how its
 * selector is written; everything else (spec, status, conditions) has the same shape.
 */
export interface ReplicatedKind {
  kind: string;
  /** The controller's name, for its work queue and log lines. */
  controller: string;
  /** The object's selector as a LabelSelector; nothing is selected without one. */
  selector(owner: ReplicaSetObject): LabelSelector | undefined;
}

export const REPLICA_SET: ReplicatedKind = {
  kind: 'ReplicaSet',
  controller: 'replicaset',
  selector: (rs) => rs.spec?.selector,
};

export interface ReplicaSetControllerOptions {
  /** Most pods created or deleted by one reconcile; BURST_REPLICAS by default. */
  burstReplicas?: number;
}

/**
 * Kubernetes' ReplicaSet controller: keeps spec.replicas pods of each ReplicaSet's
 * template running. Pod events go to the pod's controlling ReplicaSet (and count toward
 * its expectations), or for an orphan to every ReplicaSet whose selector matches it.
 * Given another ReplicatedKind it does the same for that kind (ReplicationControllers).
 */
export class ReplicaSetController extends ReconcilingController {
  /** The creations and deletions asked for and not yet seen, fed by the pod handlers. */
  readonly expectations: Expectations;
  private readonly replicaSets: Informer<ReplicaSetObject>;
  private readonly pods: Informer<PodObject>;
  private readonly burst: number;

  constructor(
    ctx: ControllerContext,
    options: ReplicaSetControllerOptions = {},
    private readonly replicated: ReplicatedKind = REPLICA_SET,
  ) {
    super(replicated.controller, ctx);
    this.expectations = new Expectations(ctx.clock);
    // Typed as ReplicaSets: of another kind only the selector differs, read through `replicated`.
    this.replicaSets = ctx.informers.get<ReplicaSetObject>(replicated.kind);
    this.pods = ctx.informers.get<PodObject>('Pod');
    this.burst = options.burstReplicas ?? BURST_REPLICAS;
    // Pods nobody controls, by namespace: with byOwner, what a ReplicaSet may own, without scanning the namespace.
    try {
      this.pods.addIndexer(ORPHANS, (pod) => (controllerRef(pod) ? [] : [pod.metadata.namespace ?? '']));
    } catch {
      // Already registered on these shared informers by another ReplicaSet controller.
    }
  }

  /** Pods of the ReplicaSets controlled by the same owner as `rs` (getIndirectlyRelatedPods). */
  private relatedPods(rs: ReplicaSetObject): PodObject[] {
    const owner = controllerRef(rs);
    if (!owner) return [];
    const seen = new Map<string, PodObject>();
    for (const sibling of this.replicaSets.list(rs.metadata.namespace)) {
      if (controllerRef(sibling)?.uid !== owner.uid) continue;
      for (const pod of this.pods.list(rs.metadata.namespace)) {
        if (this.selects(sibling, pod)) seen.set(keyOf(pod), pod);
      }
    }
    return [...seen.values()];
  }

  /** manageReplicas: creates (in slow-start batches) or deletes the difference, at most `burst` at once. */
  private async manageReplicas(key: string, rs: ReplicaSetObject, owned: PodObject[]): Promise<void> {
    const diff = owned.length - (rs.spec?.replicas ?? 1);
    if (diff < 0) {
      const create = Array.from({ length: Math.min(-diff, this.burst) }, () =>
        podFromTemplate(rs, rs.spec?.template),
      );
      await writePods(this.ctx, rs, key, this.expectations, { create, delete: [] });
    } else if (diff > 0) {
      const victims = podsToDelete(owned, this.relatedPods(rs), Math.min(diff, this.burst));
      await writePods(this.ctx, rs, key, this.expectations, {
        create: [],
        delete: victims.map((pod) => ({ pod })),
      });
    }
  }

  /**
   * Brings the ReplicaSet `key` to spec.replicas active pods matching its template, as
   * Kubernetes' syncReplicaSet.
   *
   * 1. Claims the namespace's active pods (neither Succeeded/Failed nor being deleted):
   *    adopts matching orphans, releases owned pods that no longer match.
   * 2. If the expectations are satisfied (the cache shows every create and delete asked
   *    for before) and the ReplicaSet is not being deleted, creates the missing pods
   *    (named `<rs>-<5 random chars>` by the server, labels and spec from the template,
   *    a controller reference blocking owner deletion) in slow-start batches, or deletes
   *    the surplus in deletion order (`podsToDelete`), recording events.
   * 3. Writes the status last (counts, observedGeneration, ReplicaFailure) and only when
   *    it changed, with the cached resourceVersion as precondition.
   *
   * Contract: idempotent (reads only caches and writes only the difference); never
   * called for the same key twice at once (not reentrant per key); a ReplicaSet gone
   * only drops its expectations (the garbage collector deletes its pods). A failed
   * write throws (after the status, with ReplicaFailure, is written) and the key is
   * retried with back-off. Returns a requeue for the time left before a ready pod
   * counts as available (minReadySeconds), by ctx.clock.
   */
  async reconcile(key: string): Promise<ReconcileResult | void> {
    const rs = this.replicaSets.get(key);
    if (!rs) {
      this.expectations.forget(key);
      return;
    }
    const needsSync = this.expectations.satisfied(key);
    const candidates = [
      ...this.pods.byOwner(rs.metadata.uid!),
      ...this.pods.byIndex(ORPHANS, rs.metadata.namespace ?? ''),
    ];
    const active = candidates.filter(isPodActive);
    const owned = await claimObjects(this.ctx.writer, rs, active, (pod) => this.selects(rs, pod));

    let manageError: unknown;
    if (needsSync && !rs.metadata.deletionTimestamp) {
      try {
        await this.manageReplicas(key, rs, owned);
      } catch (error) {
        manageError = error;
      }
    }

    const at = this.ctx.clock.now();
    const status = replicaSetStatus(rs, owned, manageError, at);
    if (!isDeepStrictEqual(normalized(rs.status), normalized(status))) {
      await this.ctx.writer.updateStatus(rs, status, rs.metadata.resourceVersion);
    }
    if (manageError !== undefined) throw manageError;

    const minReadySeconds = rs.spec?.minReadySeconds ?? 0;
    const waits = owned
      .map((pod) => msUntilAvailable(pod, minReadySeconds, at))
      .filter((ms): ms is number => ms !== undefined && ms > 0);
    if (waits.length) return { requeueAfterMs: Math.min(...waits) };
  }

  /** Whether `owner` selects `obj`; an owner without a selector selects nothing. */
  private selects(owner: ReplicaSetObject, obj: Resource): boolean {
    const selector = this.replicated.selector(owner);
    return selector !== undefined && selectorMatches(selector, obj.metadata.labels);
  }

  protected register(): void {
    const enqueue = (key: string) => this.loop.enqueue(key);
    this.watch(this.replicaSets, {
      onAdd: (rs) => enqueue(keyOf(rs)),
      onUpdate: (_old, rs) => enqueue(keyOf(rs)),
      onDelete: (rs) => {
        this.expectations.forget(keyOf(rs));
        enqueue(keyOf(rs));
      },
    });
    const podHandlers = ownedObjectHandlers({
      ownerKind: this.replicated.kind,
      owners: this.replicaSets,
      selects: (owner, pod) => this.selects(owner, pod),
      enqueue,
      expectations: this.expectations,
    });
    this.watch(this.pods, {
      ...podHandlers,
      onUpdate: (old, pod) => {
        const key = controllerKey(pod, this.replicated.kind, this.replicaSets);
        const coalesce =
          key !== undefined &&
          old.metadata.resourceVersion !== pod.metadata.resourceVersion &&
          key === controllerKey(old, this.replicated.kind, this.replicaSets) &&
          !podUpdateMatters(old, pod);
        if (coalesce) {
          this.loop.enqueueAfter(key, POD_UPDATE_COALESCE_MS);
        } else podHandlers.onUpdate?.(old, pod);
      },
    });
  }
}

export const replicaSetController: ControllerFactory = (ctx) => new ReplicaSetController(ctx);
