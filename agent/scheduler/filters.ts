import type { Taint } from '../../schema/kinds/node.ts';
import {
  matchesNodeSelectorAndAffinity,
  NOT_READY_TAINT,
  schedulingTaint,
  tolerationsTolerateTaint,
  toleratesUnschedulable,
  untoleratedTaint,
} from '../node-eligibility.ts';
import type { NodeInfo, PodInfo } from './node-info.ts';

/**
 * The scheduler's filters, as kube-scheduler's filter plugins: each says why a node
 * cannot take a pod (the reasons of the FailedScheduling message) or nothing when it
 * can. They are pure: a pod's precomputed requests and a node's running totals in,
 * reasons out, in constant time for a node (plus the pod's own ports and terms).
 */
export interface Filter {
  name: string;
  /** Why the node cannot take the pod; empty or undefined when it can. */
  check(pod: PodInfo, node: NodeInfo): string[] | undefined;
}

export const REASON_NOT_READY = 'node(s) were not ready';
export const REASON_UNSCHEDULABLE = 'node(s) were unschedulable';
export const REASON_AFFINITY = "node(s) didn't match Pod's node affinity/selector";
export const REASON_PORTS = "node(s) didn't have free ports for the requested pod ports";
export const REASON_TOO_MANY_PODS = 'Too many pods';

/** `{key: value}`, as the FailedScheduling message names a taint. */
export function describeTaint(taint: Taint): string {
  return `{${taint.key}: ${taint.value ?? ''}}`;
}

/** A node whose Ready condition is not True (or that reported none yet) takes no pods. */
export const nodeReady: Filter = {
  name: 'NodeReady',
  check(pod, node) {
    if (node.ready) return;
    const taint: Taint = { key: NOT_READY_TAINT, effect: 'NoSchedule' };
    if (tolerationsTolerateTaint(pod.pod.spec?.tolerations, taint)) return;
    return [REASON_NOT_READY];
  },
};

/** A cordoned node takes only pods that tolerate the unschedulable taint (DaemonSet pods do). */
export const nodeUnschedulable: Filter = {
  name: 'NodeUnschedulable',
  check(pod, node) {
    if (!node.node || toleratesUnschedulable(pod.pod.spec, node.node)) return;
    return [REASON_UNSCHEDULABLE];
  },
};

/** NoSchedule and NoExecute taints must be tolerated; PreferNoSchedule only weighs in scoring. */
export const taintToleration: Filter = {
  name: 'TaintToleration',
  check(pod, node) {
    const taints = node.node?.spec?.taints;
    if (!taints?.length) return;
    const untolerated = untoleratedTaint(taints, pod.pod.spec?.tolerations, schedulingTaint);
    return untolerated ? [`node(s) had untolerated taint ${describeTaint(untolerated)}`] : undefined;
  },
};

export const nodeAffinity: Filter = {
  name: 'NodeAffinity',
  check(pod, node) {
    const spec = pod.pod.spec;
    // Most pods constrain nothing: no need to read the node's labels.
    const constrained =
      spec?.nodeSelector || spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution;
    return node.node && (!constrained || matchesNodeSelectorAndAffinity(spec, node.node))
      ? undefined
      : [REASON_AFFINITY];
  },
};

export const nodePorts: Filter = {
  name: 'NodePorts',
  check(pod, node) {
    if (pod.ports.length === 0) return;
    return pod.ports.some((port) => node.portTaken(port)) ? [REASON_PORTS] : undefined;
  },
};

/**
 * Requests against what is left of allocatable: one reason per resource short, as
 * kube-scheduler's NodeResourcesFit. A resource the node does not offer has none left.
 * Runs for hundreds of nodes per decision, so a node that fits costs no allocation.
 */
export const resourcesFit: Filter = {
  name: 'NodeResourcesFit',
  check(pod, node) {
    const { allocatable, requested } = node;
    let reasons: string[] | undefined;
    if (node.pods.size + 1 > (allocatable.pods ?? 0)) reasons = [REASON_TOO_MANY_PODS];
    for (const [resource, amount] of pod.fitRequests) {
      if (amount > (allocatable[resource] ?? 0) - (requested[resource] ?? 0)) {
        (reasons ??= []).push(`Insufficient ${resource}`);
      }
    }
    return reasons;
  },
};

/** In kube-scheduler's order: the cheap, most selective checks first. */
export const DEFAULT_FILTERS: Filter[] = [
  nodeReady,
  nodeUnschedulable,
  taintToleration,
  nodeAffinity,
  nodePorts,
  resourcesFit,
];

/** The first failing filter's reasons, or undefined when the node fits. */
export function runFilters(
  pod: PodInfo,
  node: NodeInfo,
  filters: Filter[] = DEFAULT_FILTERS,
): string[] | undefined {
  for (const filter of filters) {
    const reasons = filter.check(pod, node);
    if (reasons && reasons.length > 0) return reasons;
  }
  return undefined;
}

/**
 * Kubernetes' FitError message: "0/3 nodes are available: 1 Insufficient cpu, 2 node(s)
 * had untolerated taint {dedicated: gpu}." — each reason with how many nodes gave it,
 * sorted as text.
 */
export function unschedulableMessage(nodeCount: number, reasons: Map<string, number>): string {
  if (nodeCount === 0) return 'no nodes available to schedule pods';
  const parts = [...reasons].map(([reason, count]) => `${count} ${reason}`).sort();
  return `0/${nodeCount} nodes are available: ${parts.join(', ')}.`;
}
