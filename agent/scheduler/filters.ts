import type { Taint } from '../../schema/kinds/node.ts';
import type { NodeSelectorTerm, Toleration } from '../../schema/kinds/pod.ts';
import type { NodeObject, PodObject } from '../objects.ts';
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

/** The taints the node lifecycle controller puts on nodes that are not ready. */
export const TAINT_NOT_READY = 'node.kubernetes.io/not-ready';
export const TAINT_UNSCHEDULABLE = 'node.kubernetes.io/unschedulable';

/** Whether a toleration matches a taint, as Kubernetes' Toleration.ToleratesTaint. */
export function tolerates(toleration: Toleration, taint: Pick<Taint, 'key' | 'value' | 'effect'>): boolean {
  if (toleration.effect && toleration.effect !== taint.effect) return false;
  if (toleration.key && toleration.key !== taint.key) return false;
  if (toleration.operator === 'Exists') return true;
  // Equal (the default): an empty key only goes with Exists, so a key is set here.
  return (toleration.value ?? '') === (taint.value ?? '');
}

export function toleratesAll(tolerations: Toleration[] | undefined, taint: Taint): boolean {
  return (tolerations ?? []).some((toleration) => tolerates(toleration, taint));
}

/** `{key: value}`, as the FailedScheduling message names a taint. */
export function describeTaint(taint: Taint): string {
  return `{${taint.key}: ${taint.value ?? ''}}`;
}

export function isNodeReady(node: NodeObject | undefined): boolean {
  const ready = node?.status?.conditions?.find((condition) => condition.type === 'Ready');
  return ready?.status === 'True';
}

/** A node whose Ready condition is not True (or that reported none yet) takes no pods. */
export const nodeReady: Filter = {
  name: 'NodeReady',
  check(pod, node) {
    if (isNodeReady(node.node)) return;
    const taint: Taint = { key: TAINT_NOT_READY, effect: 'NoSchedule' };
    if (toleratesAll(pod.pod.spec?.tolerations, taint)) return;
    return [REASON_NOT_READY];
  },
};

/** A cordoned node takes only pods that tolerate the unschedulable taint (DaemonSet pods do). */
export const nodeUnschedulable: Filter = {
  name: 'NodeUnschedulable',
  check(pod, node) {
    if (!node.node?.spec?.unschedulable) return;
    const taint: Taint = { key: TAINT_UNSCHEDULABLE, effect: 'NoSchedule' };
    if (toleratesAll(pod.pod.spec?.tolerations, taint)) return;
    return [REASON_UNSCHEDULABLE];
  },
};

/** NoSchedule and NoExecute taints must be tolerated; PreferNoSchedule only weighs in scoring. */
export const taintToleration: Filter = {
  name: 'TaintToleration',
  check(pod, node) {
    const untolerated = (node.node?.spec?.taints ?? []).find(
      (taint) =>
        (taint.effect === 'NoSchedule' || taint.effect === 'NoExecute') &&
        !toleratesAll(pod.pod.spec?.tolerations, taint),
    );
    return untolerated ? [`node(s) had untolerated taint ${describeTaint(untolerated)}`] : undefined;
  },
};

type Requirement = NonNullable<NodeSelectorTerm['matchExpressions']>[number];

/** One requirement of a node selector term against a value (label or field; undefined when absent). */
export function matchesRequirement(requirement: Requirement, value: string | undefined): boolean {
  const values = requirement.values ?? [];
  switch (requirement.operator) {
    case 'In':
      return value !== undefined && values.includes(value);
    case 'NotIn':
      return value === undefined || !values.includes(value);
    case 'Exists':
      return value !== undefined;
    case 'DoesNotExist':
      return value === undefined;
    case 'Gt':
    case 'Lt': {
      if (value === undefined || values.length !== 1) return false;
      const actual = parseInteger(value);
      const bound = parseInteger(values[0]);
      if (actual === undefined || bound === undefined) return false;
      return requirement.operator === 'Gt' ? actual > bound : actual < bound;
    }
    default:
      return false;
  }
}

function parseInteger(text: string): number | undefined {
  return /^[+-]?\d+$/.test(text.trim()) ? Number(text) : undefined;
}

/** The node fields a matchFields requirement may name. */
const NODE_FIELDS: Record<string, (node: NodeObject) => string | undefined> = {
  'metadata.name': (node) => node.metadata.name,
};

/** A term's expressions (labels) and fields, ANDed; a term with neither matches no node. */
export function matchesNodeSelectorTerm(term: NodeSelectorTerm, node: NodeObject): boolean {
  const expressions = term.matchExpressions ?? [];
  const fields = term.matchFields ?? [];
  if (expressions.length === 0 && fields.length === 0) return false;
  const labels = node.metadata.labels ?? {};
  for (const requirement of expressions) {
    if (!matchesRequirement(requirement, labels[requirement.key])) return false;
  }
  for (const requirement of fields) {
    const read = NODE_FIELDS[requirement.key];
    if (!read || !matchesRequirement(requirement, read(node))) return false;
  }
  return true;
}

/** nodeSelector (every label equal) and required node affinity (any term) both hold. */
export function matchesNodeSelectorAndAffinity(pod: PodObject, node: NodeObject): boolean {
  const labels = node.metadata.labels ?? {};
  for (const [key, value] of Object.entries(pod.spec?.nodeSelector ?? {})) {
    if (labels[key] !== value) return false;
  }
  const required = pod.spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution;
  if (!required) return true;
  return (required.nodeSelectorTerms ?? []).some((term) => matchesNodeSelectorTerm(term, node));
}

export const nodeAffinity: Filter = {
  name: 'NodeAffinity',
  check(pod, node) {
    return node.node && matchesNodeSelectorAndAffinity(pod.pod, node.node) ? undefined : [REASON_AFFINITY];
  },
};

export const nodePorts: Filter = {
  name: 'NodePorts',
  check(pod, node) {
    return pod.ports.some((port) => node.portTaken(port)) ? [REASON_PORTS] : undefined;
  },
};

/**
 * Requests against what is left of allocatable: one reason per resource short, as
 * kube-scheduler's NodeResourcesFit. A resource the node does not offer has none left.
 */
export const resourcesFit: Filter = {
  name: 'NodeResourcesFit',
  check(pod, node) {
    const reasons: string[] = [];
    if (node.pods.size + 1 > (node.allocatable.pods ?? 0)) {
      reasons.push(REASON_TOO_MANY_PODS);
    }
    for (const [resource, amount] of Object.entries(pod.requests)) {
      if (amount <= 0 || resource === 'pods') continue;
      const free = (node.allocatable[resource] ?? 0) - (node.requested[resource] ?? 0);
      if (amount > free) reasons.push(`Insufficient ${resource}`);
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
