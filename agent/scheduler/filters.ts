import type { Taint } from '../../schema/kinds/node.ts';
import {
  matchesNodeSelectorTerm,
  NOT_READY_TAINT,
  schedulingTaint,
  tolerationsTolerateTaint,
  UNSCHEDULABLE_TAINT,
  untoleratedTaint,
} from '../node-eligibility.ts';
import type { NodeInfo, PodInfo } from './node-info.ts';

/** Why a node cannot take the pod a check was prepared for; undefined when it can. */
export type NodeCheck = (node: NodeInfo) => readonly string[] | undefined;

/**
 * The scheduler's filters, as kube-scheduler's filter plugins: each says why a node
 * cannot take a pod (the reasons of the FailedScheduling message) or nothing when it
 * can. A decision looks at hundreds of nodes, so each filter has kube-scheduler's
 * PreFilter step: what it needs of the pod is worked out once per decision into a check
 * of one node, which reads the node's running totals in constant time (plus the pod's
 * own ports and terms), and a filter no node can fail for this pod is skipped.
 */
export interface Filter {
  name: string;
  /** PreFilter: the check of one node for this pod, or undefined when every node passes (Skip). */
  prepare(pod: PodInfo): NodeCheck | undefined;
  /** Why the node cannot take the pod; empty or undefined when it can. */
  check(pod: PodInfo, node: NodeInfo): readonly string[] | undefined;
}

/** A filter from its PreFilter step; `check` prepares for one node, for callers that look at one. */
export function filter(name: string, prepare: (pod: PodInfo) => NodeCheck | undefined): Filter {
  return { name, prepare, check: (pod, node) => prepare(pod)?.(node) };
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

const NOT_READY: Taint = { key: NOT_READY_TAINT, effect: 'NoSchedule' };
const CORDONED: Taint = { key: UNSCHEDULABLE_TAINT, effect: 'NoSchedule' };
// Shared by every node that fails for the same reason, so failing costs no allocation either.
const notReady = Object.freeze([REASON_NOT_READY]);
const unschedulable = Object.freeze([REASON_UNSCHEDULABLE]);
const mismatched = Object.freeze([REASON_AFFINITY]);
const portsTaken = Object.freeze([REASON_PORTS]);

/** A node whose Ready condition is not True (or that reported none yet) takes no pods. */
export const nodeReady = filter('NodeReady', (pod) =>
  tolerationsTolerateTaint(pod.pod.spec?.tolerations, NOT_READY)
    ? undefined
    : (node) => (node.ready ? undefined : notReady),
);

/** A cordoned node takes only pods that tolerate the unschedulable taint (DaemonSet pods do). */
export const nodeUnschedulable = filter('NodeUnschedulable', (pod) =>
  tolerationsTolerateTaint(pod.pod.spec?.tolerations, CORDONED)
    ? undefined
    : (node) => (node.cordoned ? unschedulable : undefined),
);

/** NoSchedule and NoExecute taints must be tolerated; PreferNoSchedule only weighs in scoring. */
export const taintToleration = filter('TaintToleration', (pod) => {
  const tolerations = pod.pod.spec?.tolerations;
  return (node) => {
    if (node.schedulingTaints.length === 0) return;
    const untolerated = untoleratedTaint(node.schedulingTaints, tolerations, schedulingTaint);
    return untolerated ? [`node(s) had untolerated taint ${describeTaint(untolerated)}`] : undefined;
  };
});

/** The pod's nodeSelector labels must all be on the node, and one required affinity term (if any) match. */
export const nodeAffinity = filter('NodeAffinity', (pod) => {
  const spec = pod.pod.spec;
  const selector = Object.entries(spec?.nodeSelector ?? {});
  const required = spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution;
  // Most pods constrain nothing: no need to read any node's labels.
  if (selector.length === 0 && !required) return undefined;
  const terms = required?.nodeSelectorTerms ?? [];
  return ({ node }) => {
    if (!node) return mismatched;
    const labels = node.metadata.labels ?? {};
    for (const [key, value] of selector) if (labels[key] !== value) return mismatched;
    return !required || terms.some((term) => matchesNodeSelectorTerm(term, node)) ? undefined : mismatched;
  };
});

export const nodePorts = filter('NodePorts', ({ ports }) =>
  ports.length === 0
    ? undefined
    : (node) => (ports.some((port) => node.portTaken(port)) ? portsTaken : undefined),
);

/**
 * Requests against what is left of allocatable: one reason per resource short, as
 * kube-scheduler's NodeResourcesFit. A resource the node does not offer has none left.
 * Nearly every node looked at fits: that answer reads the node's hot figures and
 * allocates nothing; only a node that falls short is asked which resources it lacks.
 */
export const resourcesFit = filter('NodeResourcesFit', ({ fitRequests }) => {
  let cpu = 0;
  let memory = 0;
  const others: typeof fitRequests = [];
  for (const request of fitRequests) {
    if (request[0] === 'cpu') cpu = request[1];
    else if (request[0] === 'memory') memory = request[1];
    else others.push(request);
  }
  const short = (node: NodeInfo, [resource, amount]: (typeof fitRequests)[number]) =>
    amount > (node.allocatable[resource] ?? 0) - (node.requested[resource] ?? 0);
  return (node) => {
    if (
      node.podCount < node.allocatablePods &&
      cpu <= node.allocatableCpu - node.requestedCpu &&
      memory <= node.allocatableMemory - node.requestedMemory &&
      (others.length === 0 || !others.some((request) => short(node, request)))
    )
      return undefined;
    const reasons: string[] = [];
    if (node.podCount >= node.allocatablePods) reasons.push(REASON_TOO_MANY_PODS);
    for (const request of fitRequests) if (short(node, request)) reasons.push(`Insufficient ${request[0]}`);
    return reasons;
  };
});

/** In kube-scheduler's order: the cheap, most selective checks first. */
export const DEFAULT_FILTERS: Filter[] = [
  nodeReady,
  nodeUnschedulable,
  taintToleration,
  nodeAffinity,
  nodePorts,
  resourcesFit,
];

/** The PreFilter step of every filter: the checks to run on each node for this pod, in order. */
export function prepareFilters(pod: PodInfo, filters: Filter[] = DEFAULT_FILTERS): NodeCheck[] {
  const checks: NodeCheck[] = [];
  for (const { prepare } of filters) {
    const check = prepare(pod);
    if (check) checks.push(check);
  }
  return checks;
}

/** The first failing check's reasons, or undefined when the node fits. */
export function firstFailure(checks: NodeCheck[], node: NodeInfo): readonly string[] | undefined {
  for (const check of checks) {
    const reasons = check(node);
    if (reasons && reasons.length > 0) return reasons;
  }
  return undefined;
}

/** The first failing filter's reasons, or undefined when the node fits. */
export function runFilters(
  pod: PodInfo,
  node: NodeInfo,
  filters: Filter[] = DEFAULT_FILTERS,
): readonly string[] | undefined {
  return firstFailure(prepareFilters(pod, filters), node);
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
