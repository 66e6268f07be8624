import type { PodObject } from '../../objects.ts';
import { completionIndex } from './completion-index.ts';
import { deletionOrder } from './deletion-order.ts';
import type { JobSpec } from './job-status.ts';

/** What to change among a running Job's pods. */
export interface PodPlan {
  /** Active pods to delete. */
  toDelete: PodObject[];
  /** Pods to create: one per entry, its completion index (Indexed Jobs) or undefined. */
  toCreate: Array<number | undefined>;
  /** When to look again: the back-off holds back creations until then. */
  requeueAfterMs?: number;
}

export interface PodPlanInput {
  spec: JobSpec;
  /** Active pods not being deleted already. */
  active: PodObject[];
  succeeded: number;
  /** The completed indexes: given for an Indexed Job (with completions), only. */
  completed?: Set<number>;
  /** An Indexed Job's failed indexes (backoffLimitPerIndex): never run again. */
  failed?: Set<number>;
  /** How long the failure back-off still holds back creations (0: not at all). */
  backoffWaitMs: number;
  /** With backoffLimitPerIndex, the back-off is per index instead: how long this one must still wait. */
  indexBackoffMs?: (index: number) => number;
}

/**
 * How to bring a running Job's active pods to what it wants (Kubernetes' manageJob):
 * up to `parallelism` (1) of them while fewer than `completions` succeeded; without
 * completions (a work queue) none are added once one succeeded. An Indexed Job has one
 * pod per index neither completed nor failed, the lowest indexes first: a pod without a
 * valid index, of a completed or failed index or a duplicate of another is deleted. The
 * least useful pods go first (deletionOrder); nothing is created during the back-off.
 * With a per-index back-off, of the lowest pending indexes those whose back-off has
 * passed are created, and the plan looks again when the next of the others ends.
 */
export function planPods({
  spec,
  active,
  succeeded,
  completed,
  failed = new Set(),
  backoffWaitMs,
  indexBackoffMs,
}: PodPlanInput): PodPlan {
  const parallelism = spec.parallelism ?? 1;
  const plan: PodPlan = { toDelete: [], toCreate: [] };
  /** Creates `count` pods (their indexes from `indexes`) unless the back-off holds them back. */
  const create = (count: number, indexes: () => Array<number | undefined>) => {
    if (count <= 0) return;
    if (backoffWaitMs > 0) plan.requeueAfterMs = backoffWaitMs;
    else plan.toCreate = indexes();
  };

  if (completed) {
    const completions = spec.completions!;
    const byIndex = new Map<number, PodObject[]>();
    for (const pod of active) {
      const index = completionIndex(pod, completions);
      if (index === undefined || completed.has(index) || failed.has(index)) plan.toDelete.push(pod);
      else byIndex.set(index, [...(byIndex.get(index) ?? []), pod]);
    }
    // One pod per index: the most useful stays.
    for (const group of byIndex.values()) {
      plan.toDelete.push(...group.sort(deletionOrder).slice(0, group.length - 1));
    }
    const want = Math.max(0, Math.min(parallelism, completions - completed.size));
    const keep = [...byIndex.values()].map((group) => group[group.length - 1]).sort(deletionOrder);
    if (keep.length > want) plan.toDelete.push(...keep.slice(0, keep.length - want));
    else {
      create(want - keep.length, () => {
        const indexes: number[] = [];
        for (let index = 0; index < completions && indexes.length < want - keep.length; index++) {
          if (!completed.has(index) && !failed.has(index) && !byIndex.has(index)) indexes.push(index);
        }
        return indexes;
      });
    }
    if (indexBackoffMs && plan.toCreate.length > 0) {
      const waits = plan.toCreate.map((index) => indexBackoffMs(index!));
      const waiting = waits.filter((ms) => ms > 0);
      if (waiting.length > 0) plan.requeueAfterMs = Math.min(...waiting);
      plan.toCreate = plan.toCreate.filter((_, i) => waits[i] === 0);
    }
    return plan;
  }

  // A work queue (no completions): once one pod succeeded the others finish on their own.
  const want =
    spec.completions !== undefined
      ? Math.max(0, Math.min(parallelism, spec.completions - succeeded))
      : succeeded > 0
        ? active.length
        : parallelism;
  if (active.length > want) {
    plan.toDelete.push(...[...active].sort(deletionOrder).slice(0, active.length - want));
  } else {
    create(want - active.length, () => Array.from({ length: want - active.length }, () => undefined));
  }
  return plan;
}
