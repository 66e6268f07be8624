import { isDeepStrictEqual } from 'node:util';
import { keyOf, type Informer, type Resource } from '../../client/index.ts';
import { exponentialDelay, type Backoff } from '../../lib/backoff.ts';
import type { DaemonSet } from '../../schema/kinds/daemonset.ts';
import type { PodSpec, Toleration } from '../../schema/kinds/pod.ts';
import { selectorMatches } from '../../schema/label-selector.ts';
import { NOT_READY_TAINT, UNREACHABLE_TAINT, UNSCHEDULABLE_TAINT } from '../node-eligibility.ts';
import type { NodeObject, PodObject } from '../objects.ts';
import { isPodFinished, isPodReady, isPodTerminating, msUntilAvailable } from '../pod-state.ts';
import { ReconcilingController, type ControllerContext, type ControllerFactory } from './controller.ts';
import {
  CONTROLLER_REVISION_HASH_LABEL,
  ControllerHistory,
  revisionName,
  type ControllerRevisionObject,
} from './controller-revision.ts';
import { claimObjects, ownedObjectHandlers } from './controller-ref.ts';
import { daemonPlacement, targetNodeName } from './daemon-placement.ts';
import { Expectations } from './expectations.ts';
import { podFromTemplate, writePods } from './pod-control.ts';
import { earliest, type ReconcileResult } from './reconcile-loop.ts';
import { writeChangedStatus } from './written-status.ts';

export type DaemonSetObject = Resource & { spec?: DaemonSet['spec']; status?: DaemonSet['status'] };
type DaemonSetStatus = NonNullable<DaemonSet['status']>;
type Affinity = NonNullable<PodSpec['affinity']>;

/** How soon a set is looked at again while the ControllerRevision cache is still listing. */
const HISTORY_SYNC_WAIT_MS = 100;

/** The template generation a daemon pod was created from (deprecated in Kubernetes, still set). */
export const POD_TEMPLATE_GENERATION_LABEL = 'pod-template-generation';

/**
 * The tolerations Kubernetes gives every DaemonSet pod (AddOrUpdateDaemonPodTolerations),
 * so daemons keep running on nodes that are not ready, unreachable, under pressure or
 * cordoned; a host-network pod also tolerates network-unavailable.
 */
export const DAEMON_POD_TOLERATIONS: readonly Toleration[] = [
  { key: NOT_READY_TAINT, operator: 'Exists', effect: 'NoExecute' },
  { key: UNREACHABLE_TAINT, operator: 'Exists', effect: 'NoExecute' },
  { key: 'node.kubernetes.io/disk-pressure', operator: 'Exists', effect: 'NoSchedule' },
  { key: 'node.kubernetes.io/memory-pressure', operator: 'Exists', effect: 'NoSchedule' },
  { key: 'node.kubernetes.io/pid-pressure', operator: 'Exists', effect: 'NoSchedule' },
  { key: UNSCHEDULABLE_TAINT, operator: 'Exists', effect: 'NoSchedule' },
];
const NETWORK_UNAVAILABLE: Toleration = {
  key: 'node.kubernetes.io/network-unavailable',
  operator: 'Exists',
  effect: 'NoSchedule',
};

/** The template's tolerations plus the automatic ones it does not already have. */
export function daemonPodTolerations(spec: PodSpec | undefined): Toleration[] {
  const out = [...(spec?.tolerations ?? [])];
  const automatic = spec?.hostNetwork
    ? [...DAEMON_POD_TOLERATIONS, NETWORK_UNAVAILABLE]
    : DAEMON_POD_TOLERATIONS;
  for (const toleration of automatic) {
    const present = out.some(
      (t) =>
        t.key === toleration.key &&
        (t.operator ?? 'Equal') === toleration.operator &&
        (t.value ?? '') === '' &&
        t.effect === toleration.effect,
    );
    if (!present) out.push({ ...toleration });
  }
  return out;
}

/**
 * ReplaceDaemonSetPodNodeNameNodeAffinity: the pod's required node affinity becomes the
 * single term `metadata.name In [node]` (the template's own terms were already checked
 * against the node); preferred terms and pod (anti-)affinity are kept.
 */
export function affinityForNode(affinity: Affinity | undefined, nodeName: string): Affinity {
  return {
    ...affinity,
    nodeAffinity: {
      ...affinity?.nodeAffinity,
      requiredDuringSchedulingIgnoredDuringExecution: {
        nodeSelectorTerms: [{ matchFields: [{ key: 'metadata.name', operator: 'In', values: [nodeName] }] }],
      },
    },
  };
}

/** A daemon pod for one node: the template with the automatic tolerations and that node's affinity. */
export function newDaemonPod(ds: DaemonSetObject, nodeName: string, hash: string): PodObject {
  const generation = ds.metadata.generation;
  const pod = podFromTemplate(ds, ds.spec!.template, {
    labels: {
      [CONTROLLER_REVISION_HASH_LABEL]: hash,
      ...(generation !== undefined ? { [POD_TEMPLATE_GENERATION_LABEL]: String(generation) } : {}),
    },
  });
  pod.spec.tolerations = daemonPodTolerations(pod.spec);
  pod.spec.affinity = affinityForNode(pod.spec.affinity, nodeName);
  return pod;
}

/** The spec the eligibility checks simulate: the template with the automatic tolerations. */
function simulatedSpec(ds: DaemonSetObject): PodSpec {
  const spec = ds.spec?.template.spec ?? { containers: [] };
  return { ...spec, tolerations: daemonPodTolerations(spec) };
}

/** Whether a pod runs the DaemonSet's current template (IsPodUpdated, by hash). */
export function isDaemonPodUpdated(pod: Resource, hash: string): boolean {
  return pod.metadata.labels?.[CONTROLLER_REVISION_HASH_LABEL] === hash;
}

/**
 * The daemon pods by the node they are for (bound, or named by their node affinity),
 * leaving out pods with no node and finished pods already being deleted.
 */
export function podsByNode(pods: PodObject[]): Map<string, PodObject[]> {
  const byNode = new Map<string, PodObject[]>();
  for (const pod of pods) {
    if (isPodFinished(pod) && isPodTerminating(pod)) continue;
    const node = targetNodeName(pod.spec);
    if (!node) continue;
    let list = byNode.get(node);
    if (!list) byNode.set(node, (list = []));
    list.push(pod);
  }
  return byNode;
}

/** podByCreationTimestampAndPhase: bound pods first, then the oldest, then by name. */
function oldestFirst(a: PodObject, b: PodObject): number {
  const boundA = !!a.spec?.nodeName;
  const boundB = !!b.spec?.nodeName;
  if (boundA !== boundB) return boundA ? -1 : 1;
  const createdA = String(a.metadata.creationTimestamp ?? '');
  const createdB = String(b.metadata.creationTimestamp ?? '');
  if (createdA !== createdB) return createdA < createdB ? -1 : 1;
  return (a.metadata.name ?? '') < (b.metadata.name ?? '') ? -1 : 1;
}

/** An int, or a percentage of `total` rounded up (GetScaledValueFromIntOrPercent). */
export function scaledValue(value: number | string | undefined, total: number, fallback: number): number {
  if (value === undefined || value === '') return fallback;
  if (typeof value === 'number') return value;
  const percent = /^(\d+)%$/.exec(value);
  if (percent) return Math.ceil((Number(percent[1]) * total) / 100);
  const number = Number(value);
  return Number.isInteger(number) ? number : fallback;
}

/**
 * Back-off for deleting failed daemon pods per node (1 s doubling to 15 min), so a pod
 * that fails at once is not recreated in a hot loop: client-go's flowcontrol.Backoff
 * as the DaemonSet controller uses it. A key quiet for more than twice the maximum
 * starts over from the initial delay.
 */
export class FailedPodBackoff {
  /** Per key: how many deletions the back-off has grown over, and when the last one was. */
  private readonly entries = new Map<string, { attempt: number; at: number }>();
  private readonly backoff: Backoff;

  constructor(
    initialMs = 1000,
    private readonly maxMs = 15 * 60_000,
  ) {
    this.backoff = { baseMs: initialMs, factor: 2, capMs: maxMs };
  }

  /**
   * Undefined when a failed pod under `key` may be deleted at `now` (the back-off then
   * grows); else the ms to wait.
   */
  next(key: string, now: number): number | undefined {
    const entry = this.entries.get(key);
    if (entry) {
      const delayMs = exponentialDelay(entry.attempt, this.backoff);
      if (now - entry.at < delayMs) return delayMs - (now - entry.at);
    }
    const expired = !entry || now - entry.at > 2 * this.maxMs;
    // Past the cap the delay stays the cap: the attempt need not grow further.
    const capped = !expired && exponentialDelay(entry.attempt, this.backoff) >= this.maxMs;
    this.entries.set(key, { attempt: expired ? 0 : capped ? entry.attempt : entry.attempt + 1, at: now });
    return undefined;
  }

  forget(prefix: string): void {
    for (const key of this.entries.keys()) if (key.startsWith(prefix)) this.entries.delete(key);
  }
}

export interface DaemonSetPlan {
  /** Nodes to create a daemon pod for. */
  create: string[];
  /** Pods to delete; `force` (grace period 0) for pods of nodes that no longer exist, which no node agent will finish. */
  delete: Array<{ pod: PodObject; force: boolean }>;
  /** Failed pods found (a FailedDaemonPod warning each). */
  failed: Array<{ pod: PodObject; node: string }>;
  /** When to look again: a failed pod's back-off ends, or a pod becomes available. */
  requeueAfterMs?: number;
}

/** What a plan pass reads and adds to. */
interface Pass {
  ds: DaemonSetObject;
  spec: PodSpec;
  nodes: Map<string, NodeObject>;
  byNode: Map<string, PodObject[]>;
  hash: string;
  now: number;
  plan: DaemonSetPlan;
  /** Pods this plan already deletes. */
  doomed: Set<PodObject>;
  remove(pod: PodObject, force?: boolean): void;
  /** Available now (else, if it will be by waiting, the plan is requeued for then). */
  available(pod: PodObject): boolean;
}

/**
 * Kubernetes' DaemonSet manage + rollingUpdate, as a decision on a snapshot.
 *
 * For each node (daemonPlacement): one that should run a daemon pod and has none gets
 * one; one where a pod may continue running has its Failed pods deleted (each node's
 * after a growing back-off), its Succeeded ones, and all but the oldest of several (with
 * maxSurge: all but the oldest old and the oldest updated one, and the old one once the
 * updated one is available or if it is not ready); one where none may run (being
 * deleted, nodeSelector or required affinity no longer matching, an untolerated
 * NoExecute taint) has its pods deleted. Pods of nodes that no longer exist are deleted
 * with grace period 0 (the pod garbage collector's job in Kubernetes; there is none here).
 *
 * Then RollingUpdate replaces pods not of the current template: without maxSurge by
 * deleting old pods (the next pass creates their replacements) so that at most
 * maxUnavailable (default 1; a percentage of the desired number, rounded up) nodes lack
 * an available pod, old pods that are unavailable anyway being replaced at once; with
 * maxSurge by creating up to that many updated pods next to available old ones (at once
 * next to unavailable ones), the old pod going when its replacement is available.
 * OnDelete replaces only the pods the user deletes. Back-offs and availability are
 * judged as of `now`.
 */
export function planDaemonSet(
  ds: DaemonSetObject,
  nodes: NodeObject[],
  pods: PodObject[],
  hash: string,
  backoff: FailedPodBackoff,
  now: number,
): DaemonSetPlan {
  const plan: DaemonSetPlan = { create: [], delete: [], failed: [] };
  const doomed = new Set<PodObject>();
  const minReadySeconds = ds.spec?.minReadySeconds ?? 0;
  const pass: Pass = {
    ds,
    spec: simulatedSpec(ds),
    nodes: new Map(nodes.map((node) => [node.metadata.name!, node])),
    byNode: podsByNode(pods),
    hash,
    now,
    plan,
    doomed,
    remove(pod, force = false) {
      if (doomed.has(pod)) return;
      doomed.add(pod);
      plan.delete.push({ pod, force });
    },
    available(pod) {
      const left = msUntilAvailable(pod, minReadySeconds, now);
      if (left !== undefined && left > 0) plan.requeueAfterMs = earliest(plan.requeueAfterMs, left);
      return left === 0;
    },
  };
  const strategy = ds.spec?.updateStrategy;
  const rolling = strategy?.type !== 'OnDelete';
  const surge = rolling && scaledValue(strategy?.rollingUpdate?.maxSurge, 1, 0) > 0;
  const desired = manage(pass, backoff, surge);
  if (!rolling) return plan;
  const maxSurge = surge ? scaledValue(strategy?.rollingUpdate?.maxSurge, desired, 0) : 0;
  let maxUnavailable = scaledValue(strategy?.rollingUpdate?.maxUnavailable, desired, 1);
  if (desired > 0 && maxUnavailable <= 0 && maxSurge <= 0) maxUnavailable = 1;
  if (surge) surgeUpdate(pass, maxSurge, desired);
  else replaceUpdate(pass, maxUnavailable);
  return plan;
}

/** The manage pass; returns the desired number of daemon pods. */
function manage(pass: Pass, backoff: FailedPodBackoff, surge: boolean): number {
  const { ds, spec, byNode, plan, remove } = pass;
  const key = keyOf(ds);
  let desired = 0;
  for (const nodeName of [...pass.nodes.keys()].sort()) {
    const { shouldRun, shouldContinueRunning } = daemonPlacement(spec, pass.nodes.get(nodeName)!);
    if (shouldRun) desired++;
    const here = byNode.get(nodeName) ?? [];
    if (shouldRun && here.length === 0) {
      plan.create.push(nodeName);
    } else if (shouldContinueRunning) {
      const running: PodObject[] = [];
      for (const pod of here) {
        if (isPodTerminating(pod)) continue;
        if (pod.status?.phase === 'Failed') {
          const wait = backoff.next(`${key}/${nodeName}`, pass.now);
          if (wait !== undefined) {
            plan.requeueAfterMs = earliest(plan.requeueAfterMs, wait);
            continue;
          }
          plan.failed.push({ pod, node: nodeName });
          remove(pod);
        } else if (pod.status?.phase === 'Succeeded') {
          remove(pod);
        } else {
          running.push(pod);
        }
      }
      running.sort(oldestFirst);
      if (!surge) {
        for (const extra of running.slice(1)) remove(extra);
        continue;
      }
      let oldestUpdated: PodObject | undefined;
      let oldestOld: PodObject | undefined;
      for (const pod of running) {
        if (isDaemonPodUpdated(pod, pass.hash)) {
          if (oldestUpdated) remove(pod);
          else oldestUpdated = pod;
        } else if (oldestOld) remove(pod);
        else oldestOld = pod;
      }
      if (oldestUpdated && oldestOld && (!isPodReady(oldestOld) || pass.available(oldestUpdated))) {
        remove(oldestOld);
      }
    } else {
      for (const pod of here) if (!isPodTerminating(pod)) remove(pod);
    }
  }
  for (const [nodeName, here] of byNode) {
    if (pass.nodes.has(nodeName)) continue;
    for (const pod of here) remove(pod, true);
  }
  return desired;
}

/** findUpdatedPodsOnNode: the node's live pods (not terminating, not being deleted by this plan). */
function podsOnNode(pass: Pass, nodeName: string) {
  let updated: PodObject | undefined;
  let old: PodObject | undefined;
  let excess = false;
  for (const pod of pass.byNode.get(nodeName) ?? []) {
    if (isPodTerminating(pod) || pass.doomed.has(pod)) continue;
    if (isDaemonPodUpdated(pod, pass.hash)) {
      excess ||= !!updated;
      updated = pod;
    } else {
      excess ||= !!old;
      old = pod;
    }
  }
  return { updated, old, excess };
}

/** rollingUpdate without surge: delete old pods within the maxUnavailable budget. */
function replaceUpdate(pass: Pass, maxUnavailable: number): void {
  let unavailable = 0;
  const replaceAnyway: PodObject[] = [];
  const candidates: PodObject[] = [];
  for (const nodeName of [...pass.byNode.keys()].sort()) {
    if (!pass.nodes.has(nodeName)) continue;
    const { updated, old, excess } = podsOnNode(pass, nodeName);
    if (excess || !old === !updated) {
      // Several pods, none or both: the manage pass sees to it; the node counts as unavailable.
      unavailable++;
    } else if (updated) {
      if (!pass.available(updated)) unavailable++;
    } else if (!pass.available(old!)) {
      replaceAnyway.push(old!);
      unavailable++;
    } else if (unavailable < maxUnavailable) {
      candidates.push(old!);
    }
  }
  const room = Math.min(Math.max(maxUnavailable - unavailable, 0), candidates.length);
  for (const pod of [...replaceAnyway, ...candidates.slice(0, room)]) pass.remove(pod);
}

/** rollingUpdate with surge: create updated pods next to old ones within the maxSurge budget. */
function surgeUpdate(pass: Pass, maxSurge: number, desired: number): void {
  let surging = 0;
  let available = 0;
  const allowedNodes: string[] = [];
  const candidateNodes: string[] = [];
  const misplaced: PodObject[] = [];
  for (const nodeName of [...pass.byNode.keys()].sort()) {
    const node = pass.nodes.get(nodeName);
    if (!node) continue;
    const { updated, old, excess } = podsOnNode(pass, nodeName);
    if (excess) {
      surging++;
      continue;
    }
    if (old ? pass.available(old) : updated && pass.available(updated)) available++;
    if (!old) continue;
    if (updated) {
      if (pass.available(updated)) pass.remove(old);
      else surging++;
      continue;
    }
    const { shouldRun } = daemonPlacement(pass.spec, node);
    if (!pass.available(old)) {
      if (shouldRun) allowedNodes.push(nodeName);
      else pass.remove(old);
    } else if (!shouldRun) {
      misplaced.push(old);
    } else if (surging < maxSurge) {
      candidateNodes.push(nodeName);
    }
  }
  // A pod on a node it no longer belongs on goes only once enough others are available.
  for (const pod of misplaced.slice(0, Math.max(available - desired, 0))) pass.remove(pod);
  const room = Math.min(Math.max(maxSurge - surging, 0), candidateNodes.length);
  pass.plan.create.push(...allowedNodes, ...candidateNodes.slice(0, room));
}

/**
 * updateDaemonSetStatus: over the nodes that should run a daemon pod (desired), those
 * that have one (current), whose oldest pod is ready (ready), available for
 * minReadySeconds (available) and of the current template (updated); nodes that have
 * one but should not are misscheduled. Availability is judged as of `now`.
 */
export function daemonSetStatus(
  ds: DaemonSetObject,
  nodes: NodeObject[],
  pods: PodObject[],
  hash: string,
  now: number,
): { status: DaemonSetStatus; requeueAfterMs?: number } {
  const spec = simulatedSpec(ds);
  const byNode = podsByNode(pods);
  const minReadySeconds = ds.spec?.minReadySeconds ?? 0;
  let desired = 0;
  let current = 0;
  let misscheduled = 0;
  let ready = 0;
  let available = 0;
  let updated = 0;
  let requeueAfterMs: number | undefined;
  for (const node of nodes) {
    const { shouldRun } = daemonPlacement(spec, node);
    const here = byNode.get(node.metadata.name!) ?? [];
    if (!shouldRun) {
      if (here.length) misscheduled++;
      continue;
    }
    desired++;
    if (!here.length) continue;
    current++;
    const pod = [...here].sort(oldestFirst)[0];
    if (isPodReady(pod)) {
      ready++;
      const left = msUntilAvailable(pod, minReadySeconds, now);
      if (left === 0) available++;
      else if (left !== undefined) requeueAfterMs = earliest(requeueAfterMs, left);
    }
    if (isDaemonPodUpdated(pod, hash)) updated++;
  }
  const status: DaemonSetStatus = {
    ...ds.status,
    desiredNumberScheduled: desired,
    currentNumberScheduled: current,
    numberMisscheduled: misscheduled,
    numberReady: ready,
    numberAvailable: available,
    numberUnavailable: desired - available,
    updatedNumberScheduled: updated,
  };
  if (ds.metadata.generation !== undefined) status.observedGeneration = ds.metadata.generation;
  return { status, requeueAfterMs };
}

/** A change to a node that can change where daemon pods belong (not its status heartbeats). */
function placementChanged(old: NodeObject, node: NodeObject): boolean {
  return (
    !isDeepStrictEqual(old.metadata.labels, node.metadata.labels) ||
    !isDeepStrictEqual(old.spec?.taints, node.spec?.taints) ||
    old.spec?.unschedulable !== node.spec?.unschedulable ||
    old.metadata.deletionTimestamp !== node.metadata.deletionTimestamp
  );
}

/**
 * Kubernetes' DaemonSet controller: one pod per eligible node (see planDaemonSet), each
 * pinned to its node by a required node affinity `metadata.name In [node]` and bound by
 * the scheduler, as Kubernetes ≥ 1.12 does. Watches Nodes, so a node that joins gets a
 * pod and one that leaves or stops matching loses it. Each template is a
 * ControllerRevision `<set>-<hash>` (see ControllerHistory); pods carry the hash in their
 * `controller-revision-hash` label.
 */
export class DaemonSetController extends ReconcilingController {
  private readonly sets: Informer<DaemonSetObject>;
  private readonly pods: Informer<PodObject>;
  private readonly nodes: Informer<NodeObject>;
  private readonly expectations = new Expectations(this.ctx.clock);
  private readonly backoff = new FailedPodBackoff();
  private readonly history: ControllerHistory;

  constructor(ctx: ControllerContext) {
    super('daemonset', ctx);
    this.sets = ctx.informers.get<DaemonSetObject>('DaemonSet');
    this.pods = ctx.informers.get<PodObject>('Pod');
    this.nodes = ctx.informers.get<NodeObject>('Node');
    this.history = new ControllerHistory(
      ctx.writer,
      ctx.informers.get<ControllerRevisionObject>('ControllerRevision'),
    );
  }

  /**
   * Brings the DaemonSet `namespace/name` to its spec: a set being deleted is left
   * alone; otherwise it makes its template's ControllerRevision the newest (adopting
   * orphan revisions its selector matches; a name taken by other data raises
   * status.collisionCount, see ControllerHistory.sync), claims its pods (adopting matching orphans, releasing its own
   * that no longer match), then — unless earlier creations and deletions are not yet in
   * the cache — makes the writes planDaemonSet decides (creations in slow-start
   * batches), recording SuccessfulCreate / SuccessfulDelete events (FailedDaemonPod for
   * each failed pod it deletes), writes the status when it changed, and trims its history
   * to revisionHistoryLimit, keeping every revision a pod runs. A set that is
   * gone only has its bookkeeping forgotten: its pods are the garbage collector's.
   *
   * Contract: idempotent, from the caches (the expectations keep it from acting twice
   * on writes its cache has not seen yet), except that deleting a failed pod grows that
   * node's back-off; not reentrant (never called for one key twice at once). Time is
   * `ctx.clock`'s, read once per call. On a failed pod write it records FailedCreate /
   * FailedDelete and throws, as does a failed claim or status write: the key is retried
   * with back-off. Returns a requeue for a failed pod's back-off or a pod becoming
   * available.
   */
  async reconcile(key: string): Promise<ReconcileResult | void> {
    const ds = this.sets.get(key);
    if (!ds?.spec) {
      this.expectations.forget(key);
      this.backoff.forget(`${key}/`);
      return;
    }
    if (ds.metadata.deletionTimestamp) return;
    if (!this.history.hasSynced()) return { requeueAfterMs: HISTORY_SYNC_WAIT_MS };
    const pods = await this.claimPods(ds);
    const nodes = this.nodes.list();
    const {
      revisions: history,
      hash,
      collisionCount,
    } = await this.history.sync(ds, ds.spec.template, ds.status?.collisionCount ?? undefined);
    const now = this.ctx.clock.now();

    let requeueAfterMs: number | undefined;
    if (this.expectations.satisfied(key)) {
      const plan = planDaemonSet(ds, nodes, pods, hash, this.backoff, now);
      requeueAfterMs = plan.requeueAfterMs;
      for (const { pod, node } of plan.failed) {
        this.ctx.events.record(
          ds,
          'Warning',
          'FailedDaemonPod',
          `Found failed daemon pod ${pod.metadata.namespace}/${pod.metadata.name} on node ${node}, will try to kill it`,
        );
      }
      await writePods(this.ctx, ds, key, this.expectations, {
        create: plan.create.map((node) => newDaemonPod(ds, node, hash)),
        delete: plan.delete.map(({ pod, force }) => ({
          pod,
          options: force ? { gracePeriodSeconds: 0 } : undefined,
        })),
      });
    }
    const computed = daemonSetStatus(ds, nodes, pods, hash, now);
    if (collisionCount !== undefined) computed.status.collisionCount = collisionCount;
    await writeChangedStatus(this.ctx.writer, ds, computed.status);
    const live = new Set(
      [hash, ...pods.map((pod) => pod.metadata.labels?.[CONTROLLER_REVISION_HASH_LABEL] ?? '')].map((h) =>
        revisionName(ds.metadata.name!, h),
      ),
    );
    await this.history.truncate(ds, history, live, ds.spec.revisionHistoryLimit);
    requeueAfterMs = earliest(requeueAfterMs, computed.requeueAfterMs);
    return requeueAfterMs === undefined ? undefined : { requeueAfterMs };
  }

  protected register(): void {
    const enqueue = (obj: Resource) => this.loop.enqueue(keyOf(obj));
    const enqueueAll = () => {
      for (const ds of this.sets.list()) enqueue(ds);
    };
    this.watch(this.sets, { onAdd: enqueue, onUpdate: (_old, ds) => enqueue(ds), onDelete: enqueue });
    this.watch(this.nodes, {
      onAdd: enqueueAll,
      onUpdate: (old, node) => {
        if (placementChanged(old, node)) enqueueAll();
      },
      onDelete: enqueueAll,
    });
    this.watch(
      this.pods,
      ownedObjectHandlers({
        ownerKind: 'DaemonSet',
        owners: this.sets,
        enqueue: (key) => this.loop.enqueue(key),
        expectations: this.expectations,
      }),
    );
  }

  private claimPods(ds: DaemonSetObject): Promise<PodObject[]> {
    return claimObjects(this.ctx.writer, ds, this.pods.list(ds.metadata.namespace), (pod) =>
      selectorMatches(ds.spec?.selector, pod.metadata.labels),
    );
  }
}

export const daemonSetController: ControllerFactory = (ctx) => new DaemonSetController(ctx);
