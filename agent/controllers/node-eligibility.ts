import type { Taint } from '../../schema/kinds/node.ts';
import type { NodeSelectorTerm, PodSpec, Toleration } from '../../schema/kinds/pod.ts';

/**
 * Whether a pod may run on a node as far as the node's labels, name and taints go:
 * Kubernetes' Toleration.ToleratesTaint, nodeSelector, required node affinity
 * (component-helpers' nodeaffinity) and the DaemonSet controller's
 * NodeShouldRunDaemonPod predicates. Pure: plain objects in, answers out, no I/O and no
 * controller imports, so the scheduler can share it.
 */

/** What these checks read of a Node. */
export interface NodeFacts {
  metadata: { name?: string; labels?: Record<string, string>; deletionTimestamp?: string };
  spec?: { taints?: Taint[]; unschedulable?: boolean };
}

/** What these checks read of a pod spec. */
export type PodPlacement = Pick<PodSpec, 'nodeName' | 'nodeSelector' | 'affinity' | 'tolerations'>;

export type NodeSelectorRequirement = NonNullable<NodeSelectorTerm['matchExpressions']>[number];

/** The taint the node lifecycle controller mirrors `spec.unschedulable` (a cordon) into. */
export const TAINT_UNSCHEDULABLE = 'node.kubernetes.io/unschedulable';

/** Toleration.ToleratesTaint: effect (empty: any), key (empty: any), then Exists or equal values. */
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

export const executionTaint = (taint: Taint): boolean => taint.effect === 'NoExecute';

/** FindMatchingUntoleratedTaint: the first taint passing `filter` that no toleration tolerates. */
export function untoleratedTaint(
  taints: Taint[] | undefined,
  tolerations: Toleration[] | undefined,
  filter: (taint: Taint) => boolean = schedulingTaint,
): Taint | undefined {
  return (taints ?? []).find((taint) => filter(taint) && !tolerationsTolerateTaint(tolerations, taint));
}

/** One node selector requirement against a value (a label, or a field); undefined when absent. */
export function requirementMatches(requirement: NodeSelectorRequirement, value: string | undefined): boolean {
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
const NODE_FIELDS: Record<string, (node: NodeFacts) => string | undefined> = {
  'metadata.name': (node) => node.metadata.name,
};

/** A term's label expressions and field requirements, ANDed; a term with neither matches no node. */
export function nodeSelectorTermMatches(term: NodeSelectorTerm, node: NodeFacts): boolean {
  const expressions = term.matchExpressions ?? [];
  const fields = term.matchFields ?? [];
  if (expressions.length === 0 && fields.length === 0) return false;
  const labels = node.metadata.labels ?? {};
  for (const requirement of expressions) {
    if (!requirementMatches(requirement, labels[requirement.key])) return false;
  }
  for (const requirement of fields) {
    const read = NODE_FIELDS[requirement.key];
    if (!read || !requirementMatches(requirement, read(node))) return false;
  }
  return true;
}

/** Terms are ORed; no term matches no node. */
export function nodeSelectorTermsMatch(terms: NodeSelectorTerm[] | undefined, node: NodeFacts): boolean {
  return (terms ?? []).some((term) => nodeSelectorTermMatches(term, node));
}

/** Every nodeSelector label equal on the node, and (when given) a required node affinity term matching. */
export function nodeSelectorAndAffinityMatch(spec: PodPlacement | undefined, node: NodeFacts): boolean {
  const labels = node.metadata.labels ?? {};
  for (const [key, value] of Object.entries(spec?.nodeSelector ?? {})) {
    if (labels[key] !== value) return false;
  }
  const required = spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution;
  return !required || nodeSelectorTermsMatch(required.nodeSelectorTerms, node);
}

/** A pod already bound (or pinned by spec.nodeName) fits only its own node. */
export function nodeNameMatches(spec: PodPlacement | undefined, node: NodeFacts): boolean {
  return !spec?.nodeName || spec.nodeName === node.metadata.name;
}

/** A cordoned node takes only pods tolerating `node.kubernetes.io/unschedulable:NoSchedule`. */
export function unschedulableTolerated(spec: PodPlacement | undefined, node: NodeFacts): boolean {
  if (!node.spec?.unschedulable) return true;
  return tolerationsTolerateTaint(spec?.tolerations, { key: TAINT_UNSCHEDULABLE, effect: 'NoSchedule' });
}

/**
 * The node a pod is meant for without being bound yet: the single value of a
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
export function daemonPlacement(spec: PodPlacement | undefined, node: NodeFacts): DaemonPlacement {
  if (node.metadata.deletionTimestamp) return { shouldRun: false, shouldContinueRunning: false };
  if (!nodeNameMatches(spec, node) || !nodeSelectorAndAffinityMatch(spec, node)) {
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
