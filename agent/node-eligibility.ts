import type { Taint } from '../schema/kinds/node.ts';
import type { NodeSelectorTerm, PodSpec, Toleration } from '../schema/kinds/pod.ts';
import type { NodeObject } from './objects.ts';

/**
 * Whether a pod may run on a node as far as the node's labels, name and taints go:
 * Kubernetes' Toleration.ToleratesTaint, nodeSelector and node affinity terms
 * (component-helpers' nodeaffinity). The scheduler's filters and scores and the
 * DaemonSet controller (which simulates them to decide where daemon pods belong) both
 * ask here, so they never disagree. Pure: plain objects in, answers out.
 */

/** What these checks read of a pod spec. */
export type PodPlacement = Pick<PodSpec, 'nodeName' | 'nodeSelector' | 'affinity' | 'tolerations'>;

export type NodeSelectorRequirement = NonNullable<NodeSelectorTerm['matchExpressions']>[number];

/** The taints the node lifecycle controller mirrors a node's Ready condition and cordon into. */
export const NOT_READY_TAINT = 'node.kubernetes.io/not-ready';
export const UNREACHABLE_TAINT = 'node.kubernetes.io/unreachable';
export const UNSCHEDULABLE_TAINT = 'node.kubernetes.io/unschedulable';

/**
 * Toleration.ToleratesTaint: effect (empty: any), key (empty: any), then Exists or
 * equal values. An empty key with Equal never reaches here: admission requires Exists.
 */
export function toleratesTaint(
  toleration: Toleration,
  taint: Pick<Taint, 'key' | 'value' | 'effect'>,
): boolean {
  if (toleration.effect && toleration.effect !== taint.effect) return false;
  if (toleration.key && toleration.key !== taint.key) return false;
  switch (toleration.operator ?? 'Equal') {
    case 'Exists':
      return true;
    case 'Equal':
      return (toleration.value ?? '') === (taint.value ?? '');
    default:
      return false;
  }
}

export function tolerationsTolerateTaint(
  tolerations: Toleration[] | undefined,
  taint: Pick<Taint, 'key' | 'value' | 'effect'>,
): boolean {
  return (tolerations ?? []).some((toleration) => toleratesTaint(toleration, taint));
}

/** The NoSchedule and NoExecute taints: the ones that keep a pod off a node. */
export const schedulingTaint = (taint: Taint): boolean =>
  taint.effect === 'NoSchedule' || taint.effect === 'NoExecute';

/** The NoExecute taints: the ones that also evict a pod already there. */
export const executionTaint = (taint: Taint): boolean => taint.effect === 'NoExecute';

/** FindMatchingUntoleratedTaint: the first taint passing `filter` that no toleration tolerates. */
export function untoleratedTaint(
  taints: Taint[] | undefined,
  tolerations: Toleration[] | undefined,
  filter: (taint: Taint) => boolean,
): Taint | undefined {
  return (taints ?? []).find((taint) => filter(taint) && !tolerationsTolerateTaint(tolerations, taint));
}

/** One node selector requirement against a value (a label, or a field); undefined when absent. */
export function matchesRequirement(requirement: NodeSelectorRequirement, value: string | undefined): boolean {
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
      const actual = integer(value);
      const bound = integer(values[0]);
      if (actual === undefined || bound === undefined) return false;
      return requirement.operator === 'Gt' ? actual > bound : actual < bound;
    }
    default:
      return false;
  }
}

function integer(text: string): number | undefined {
  return /^[+-]?\d+$/.test(text.trim()) ? Number(text) : undefined;
}

/** The node fields matchFields may name (Kubernetes supports only metadata.name). */
const NODE_FIELDS: Record<string, (node: NodeObject) => string | undefined> = {
  'metadata.name': (node) => node.metadata.name,
};

/** A term's label expressions and field requirements, ANDed; a term with neither matches no node. */
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

/** Every nodeSelector label equal on the node, and (when given) a required node affinity term (ORed) matching. */
export function matchesNodeSelectorAndAffinity(spec: PodPlacement | undefined, node: NodeObject): boolean {
  const labels = node.metadata.labels ?? {};
  for (const [key, value] of Object.entries(spec?.nodeSelector ?? {})) {
    if (labels[key] !== value) return false;
  }
  const required = spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution;
  return !required || (required.nodeSelectorTerms ?? []).some((term) => matchesNodeSelectorTerm(term, node));
}

/** A pod pinned by spec.nodeName fits only that node. */
export function matchesNodeName(spec: PodPlacement | undefined, node: NodeObject): boolean {
  return !spec?.nodeName || spec.nodeName === node.metadata.name;
}

/** A cordoned node takes only pods tolerating `node.kubernetes.io/unschedulable:NoSchedule`. */
export function toleratesUnschedulable(spec: PodPlacement | undefined, node: NodeObject): boolean {
  if (!node.spec?.unschedulable) return true;
  return tolerationsTolerateTaint(spec?.tolerations, { key: UNSCHEDULABLE_TAINT, effect: 'NoSchedule' });
}

/** Whether the node's Ready condition is True (a node that reported none yet is not ready). */
export function isNodeReady(node: NodeObject | undefined): boolean {
  const ready = node?.status?.conditions?.find((condition) => condition.type === 'Ready');
  return ready?.status === 'True';
}
