import {
  executionTaint,
  matchesNodeName,
  matchesNodeSelectorAndAffinity,
  schedulingTaint,
  untoleratedTaint,
  type PodPlacement,
} from '../node-eligibility.ts';
import type { NodeObject } from '../objects.ts';

/** Whether a daemon pod should be started on a node, and whether one already there may stay. */
export interface DaemonPlacement {
  shouldRun: boolean;
  shouldContinueRunning: boolean;
}

/**
 * Kubernetes' NodeShouldRunDaemonPod for a daemon pod's spec (tolerations already
 * including the automatic ones): a node being deleted, of another name than the
 * template's spec.nodeName, or failing its nodeSelector or required node affinity gets
 * none and keeps none; a node with an untolerated NoSchedule/NoExecute taint gets none
 * but keeps one unless a NoExecute taint is untolerated (a NoSchedule taint added later
 * does not evict).
 */
export function daemonPlacement(spec: PodPlacement | undefined, node: NodeObject): DaemonPlacement {
  if (node.metadata.deletionTimestamp) return { shouldRun: false, shouldContinueRunning: false };
  if (!matchesNodeName(spec, node) || !matchesNodeSelectorAndAffinity(spec, node)) {
    return { shouldRun: false, shouldContinueRunning: false };
  }
  const taints = node.spec?.taints;
  if (untoleratedTaint(taints, spec?.tolerations, schedulingTaint)) {
    return {
      shouldRun: false,
      shouldContinueRunning: !untoleratedTaint(taints, spec?.tolerations, executionTaint),
    };
  }
  return { shouldRun: true, shouldContinueRunning: true };
}

/**
 * The node a daemon pod is meant for without being bound yet: the single value of a
 * `metadata.name In [node]` field requirement of its required node affinity (what the
 * DaemonSet controller sets); Kubernetes' GetTargetNodeName takes spec.nodeName first.
 */
export function targetNodeName(spec: PodPlacement | undefined): string | undefined {
  if (spec?.nodeName) return spec.nodeName;
  const terms =
    spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms ?? [];
  for (const term of terms) {
    for (const field of term.matchFields ?? []) {
      if (field.key === 'metadata.name' && field.operator === 'In' && field.values?.length === 1) {
        return field.values[0];
      }
    }
  }
  return undefined;
}
