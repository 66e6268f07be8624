import { matchesNodeSelectorTerm, tolerationsTolerateTaint } from '../node-eligibility.ts';
import type { NodeInfo, PodInfo } from './node-info.ts';

export const MAX_NODE_SCORE = 100;

/**
 * The scheduler's scores, as kube-scheduler's score plugins: each rates every feasible
 * node 0..100 for a pod (higher is better), and the node with the highest weighted sum
 * wins. A score that needs the other nodes to be fair (spreading, preferences) rates
 * raw values first and normalizes them over the feasible nodes.
 */
export interface Score {
  name: string;
  weight: number;
  /** A 0..100 score per node, in the order given. */
  score(pod: PodInfo, nodes: NodeInfo[]): number[];
}

/** (allocatable − requested) / allocatable of one resource after placing the pod, 0..100. */
function leastAllocatedOf(requested: number, allocatable: number): number {
  if (allocatable <= 0 || requested > allocatable) return 0;
  return ((allocatable - requested) * MAX_NODE_SCORE) / allocatable;
}

// What the node's pods and this one request of cpu and memory (with the non-zero
// defaults), from the node's hot figures: these run for hundreds of nodes per decision.
const cpuAfter = (pod: PodInfo, node: NodeInfo) => node.nonZeroCpu + (pod.nonZero.cpu ?? 0);
const memoryAfter = (pod: PodInfo, node: NodeInfo) => node.nonZeroMemory + (pod.nonZero.memory ?? 0);

/** The emptier the node (cpu and memory, equally weighted) once the pod is on it, the better. */
export function leastAllocated(pod: PodInfo, node: NodeInfo): number {
  const cpu = leastAllocatedOf(cpuAfter(pod, node), node.allocatableCpu);
  const memory = leastAllocatedOf(memoryAfter(pod, node), node.allocatableMemory);
  return (cpu + memory) / 2;
}

/** The fraction of a resource requested once the pod is on the node, at most 1 (1 when it has none). */
function fractionOf(requested: number, allocatable: number): number {
  return allocatable <= 0 ? 1 : Math.min(1, requested / allocatable);
}

/**
 * The closer the node's cpu and memory fractions once the pod is on it, the better
 * (BalancedAllocation). The scores run for hundreds of nodes per decision: no closures
 * made per node here (running under tsx, a named one costs a defineProperty each time).
 */
export function balancedAllocation(pod: PodInfo, node: NodeInfo): number {
  const cpu = fractionOf(cpuAfter(pod, node), node.allocatableCpu);
  const memory = fractionOf(memoryAfter(pod, node), node.allocatableMemory);
  // The standard deviation of two fractions is half their difference.
  return (1 - Math.abs(cpu - memory) / 2) * MAX_NODE_SCORE;
}

/** Scales raw values so the best node gets 100; `reverse` when fewer is better. */
export function normalize(raw: number[], reverse = false): number[] {
  let max = 0;
  for (const value of raw) if (value > max) max = value;
  if (max === 0) return raw.map(() => (reverse ? MAX_NODE_SCORE : 0));
  return raw.map((value) => {
    const scaled = (value * MAX_NODE_SCORE) / max;
    return reverse ? MAX_NODE_SCORE - scaled : scaled;
  });
}

/** How many pods of the pod's controller each node already runs (fewest is best). */
export function ownerSpreadRaw(pod: PodInfo, nodes: NodeInfo[]): number[] {
  return nodes.map((node) => (pod.owner ? node.ownerCount(pod.owner) : 0));
}

/** Sum of the weights of the preferred node affinity terms each node matches. */
export function preferredAffinityRaw(pod: PodInfo, nodes: NodeInfo[]): number[] {
  const terms = pod.pod.spec?.affinity?.nodeAffinity?.preferredDuringSchedulingIgnoredDuringExecution ?? [];
  if (terms.length === 0) return new Array<number>(nodes.length).fill(0);
  return nodes.map((node) =>
    terms.reduce(
      (sum, term) =>
        node.node && term.weight > 0 && matchesNodeSelectorTerm(term.preference, node.node)
          ? sum + term.weight
          : sum,
      0,
    ),
  );
}

/** How many PreferNoSchedule taints of each node the pod does not tolerate. */
export function intolerablePreferNoScheduleRaw(pod: PodInfo, nodes: NodeInfo[]): number[] {
  const tolerations = (pod.pod.spec?.tolerations ?? []).filter(
    (toleration) => !toleration.effect || toleration.effect === 'PreferNoSchedule',
  );
  return nodes.map(({ preferNoScheduleTaints: taints }) =>
    taints.length === 0 ? 0 : taints.filter((taint) => !tolerationsTolerateTaint(tolerations, taint)).length,
  );
}

/** kube-scheduler's default weights, with owner spreading standing in for PodTopologySpread. */
export const DEFAULT_SCORES: Score[] = [
  {
    name: 'NodeResourcesLeastAllocated',
    weight: 1,
    score: (pod, nodes) => nodes.map((node) => leastAllocated(pod, node)),
  },
  {
    name: 'NodeResourcesBalancedAllocation',
    weight: 1,
    score: (pod, nodes) => nodes.map((node) => balancedAllocation(pod, node)),
  },
  {
    name: 'OwnerSpread',
    weight: 2,
    score: (pod, nodes) => normalize(ownerSpreadRaw(pod, nodes), true),
  },
  {
    name: 'NodeAffinity',
    weight: 2,
    score: (pod, nodes) => normalize(preferredAffinityRaw(pod, nodes)),
  },
  {
    name: 'TaintToleration',
    weight: 3,
    score: (pod, nodes) => normalize(intolerablePreferNoScheduleRaw(pod, nodes), true),
  },
];

/** The weighted total of every score, per node. */
export function scoreNodes(pod: PodInfo, nodes: NodeInfo[], scores: Score[] = DEFAULT_SCORES): number[] {
  const totals = new Array<number>(nodes.length).fill(0);
  for (const { weight, score } of scores) {
    const values = score(pod, nodes);
    for (let i = 0; i < values.length; i++) totals[i] += weight * values[i];
  }
  return totals;
}

/** The index of the highest total; ties are broken at random so equal nodes share the load. */
export function pickBest(totals: number[], random: () => number = Math.random): number {
  let best = -1;
  let ties = 0;
  totals.forEach((total, i) => {
    if (best < 0 || total > totals[best] + 1e-9) {
      best = i;
      ties = 1;
    } else if (Math.abs(total - totals[best]) <= 1e-9 && random() * ++ties < 1) {
      // Reservoir sampling: each of the tied nodes is kept with equal probability.
      best = i;
    }
  });
  return best;
}
