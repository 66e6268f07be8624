import type { Clock } from '../../../lib/clock.ts';
import { parseQuantity } from '../../../schema/quantity.ts';
import type { PodObject } from '../../objects.ts';
import { timeOf } from '../../timestamps.ts';

/**
 * Kubernetes' HPA replica calculator (replica_calculator.go) for resource metrics, pure
 * but for the clock: given the target's pods, their usage and requests, how many
 * replicas bring the average to the target. Values are in milli-units as Kubernetes computes them
 * (millicores; memory in thousandths of a byte).
 */

/** One pod's usage of one resource. */
export interface PodMetric {
  /** When it was measured (ms) and over how long (ms). */
  timestamp: number;
  windowMs: number;
  /** Milli-units. */
  value: number;
}

/** Usage by pod name. */
export type PodMetricsInfo = Map<string, PodMetric>;

export interface ReplicaCalculatorOptions {
  /** A usage ratio this close to 1 changes nothing (0.1). */
  tolerance: number;
  /** After a pod starts, CPU samples taken while it was not ready are ignored for this long (5 min). */
  cpuInitializationPeriodMs: number;
  /** A pod not ready this soon after it started is taken as still starting (30 s). */
  delayOfInitialReadinessStatusMs: number;
}

export const DEFAULT_REPLICA_CALCULATOR_OPTIONS: ReplicaCalculatorOptions = {
  tolerance: 0.1,
  cpuInitializationPeriodMs: 5 * 60_000,
  delayOfInitialReadinessStatusMs: 30_000,
};

/** Quantity.MilliValue: the quantity in thousandths, rounded up. */
export function milliValue(quantity: string | number | undefined): number | undefined {
  if (quantity === undefined) return undefined;
  const value = parseQuantity(quantity);
  return value === undefined ? undefined : Math.ceil(value * 1000 - 1e-6);
}

interface PodGroups {
  readyPodCount: number;
  unready: Set<string>;
  missing: Set<string>;
  ignored: Set<string>;
}

/**
 * groupPods: pods being deleted or failed are ignored; pending pods are unready; pods
 * without a metric are missing; for CPU, a pod counts as unready while it has never
 * been ready, or within its initialization period while not ready or with a sample
 * that does not postdate its readiness by a whole window (the start-up burst), as of `now`.
 */
export function groupPods(
  pods: PodObject[],
  metrics: PodMetricsInfo,
  resource: string,
  options: ReplicaCalculatorOptions,
  now: number,
): PodGroups {
  const groups: PodGroups = { readyPodCount: 0, unready: new Set(), missing: new Set(), ignored: new Set() };
  for (const pod of pods) {
    const name = pod.metadata.name!;
    if (pod.metadata.deletionTimestamp || pod.status?.phase === 'Failed') {
      groups.ignored.add(name);
      continue;
    }
    if (pod.status?.phase === 'Pending') {
      groups.unready.add(name);
      continue;
    }
    const metric = metrics.get(name);
    if (!metric) {
      groups.missing.add(name);
      continue;
    }
    if (resource === 'cpu') {
      const condition = pod.status?.conditions?.find((c) => c.type === 'Ready');
      const started = timeOf(pod.status?.startTime);
      let unready: boolean;
      if (!condition || started === undefined) {
        unready = true;
      } else {
        const transition = timeOf(condition.lastTransitionTime) ?? 0;
        if (started + options.cpuInitializationPeriodMs > now) {
          unready = condition.status === 'False' || metric.timestamp < transition + metric.windowMs;
        } else {
          unready =
            condition.status === 'False' && started + options.delayOfInitialReadinessStatusMs > transition;
        }
      }
      if (unready) {
        groups.unready.add(name);
        continue;
      }
    }
    groups.readyPodCount++;
  }
  return groups;
}

/** calculatePodRequests: the pods' summed requests of the resource (of `container` only, when given). */
export function podRequests(pods: PodObject[], resource: string, container?: string): Map<string, number> {
  const requests = new Map<string, number>();
  for (const pod of pods) {
    let sum = 0;
    for (const c of pod.spec?.containers ?? []) {
      if (container !== undefined && c.name !== container) continue;
      const request = milliValue(c.resources?.requests?.[resource]);
      if (request === undefined)
        throw new Error(`missing request for ${resource} in container ${c.name} of Pod ${pod.metadata.name}`);
      sum += request;
    }
    requests.set(pod.metadata.name!, sum);
  }
  return requests;
}

/** GetResourceUtilizationRatio: usage over requests of the pods that have both, in whole percent. */
export function utilizationRatio(
  metrics: PodMetricsInfo,
  requests: Map<string, number>,
  targetUtilization: number,
): { ratio: number; utilization: number; rawAverage: number } {
  let usage = 0;
  let requested = 0;
  let entries = 0;
  for (const [name, metric] of metrics) {
    const request = requests.get(name);
    if (request === undefined) continue;
    usage += metric.value;
    requested += request;
    entries++;
  }
  if (requested === 0) throw new Error('no metrics returned matched known pods');
  const utilization = Math.trunc((usage * 100) / requested);
  return { ratio: utilization / targetUtilization, utilization, rawAverage: Math.trunc(usage / entries) };
}

function usageRatio(metrics: PodMetricsInfo, target: number): { ratio: number; average: number } {
  let usage = 0;
  for (const metric of metrics.values()) usage += metric.value;
  const average = Math.trunc(usage / metrics.size);
  return { ratio: average / target, average };
}

/**
 * What both calculations share once the first ratio is known: with pods missing metrics
 * or unready pods on a scale up, assume the conservative value for them (missing: the
 * target's worth on a scale down, nothing on a scale up; unready: nothing) and keep the
 * current count when that flips the direction or lands within tolerance.
 */
function conservative(
  currentReplicas: number,
  readyPodCount: number,
  ratio: number,
  groups: PodGroups,
  metrics: PodMetricsInfo,
  assumeOnScaleDown: (name: string) => number,
  recompute: () => number,
  options: Pick<ReplicaCalculatorOptions, 'tolerance'>,
): number {
  const scaleUpWithUnready = groups.unready.size > 0 && ratio > 1;
  if (!scaleUpWithUnready && groups.missing.size === 0) {
    if (Math.abs(1 - ratio) <= options.tolerance) return currentReplicas;
    return Math.ceil(ratio * readyPodCount);
  }
  const assumed = (value: number) => ({ timestamp: 0, windowMs: 0, value });
  if (ratio < 1) for (const name of groups.missing) metrics.set(name, assumed(assumeOnScaleDown(name)));
  else if (ratio > 1) for (const name of groups.missing) metrics.set(name, assumed(0));
  if (scaleUpWithUnready) for (const name of groups.unready) metrics.set(name, assumed(0));
  const newRatio = recompute();
  if (
    Math.abs(1 - newRatio) <= options.tolerance ||
    (ratio < 1 && newRatio > 1) ||
    (ratio > 1 && newRatio < 1)
  )
    return currentReplicas;
  const replicas = Math.ceil(newRatio * metrics.size);
  if ((newRatio < 1 && replicas > currentReplicas) || (newRatio > 1 && replicas < currentReplicas))
    return currentReplicas;
  return replicas;
}

/**
 * Kubernetes' ReplicaCalculator: the two calculations for resource metrics, with the
 * tunables and the clock (which pods are still starting depends on the time) they share.
 */
export class ReplicaCalculator {
  constructor(
    private readonly clock: Clock,
    private readonly options: ReplicaCalculatorOptions = DEFAULT_REPLICA_CALCULATOR_OPTIONS,
  ) {}

  /**
   * GetResourceReplicas: the replicas that bring the average utilization (usage as a
   * percentage of requests) to `targetUtilization`.
   */
  resourceReplicas(
    currentReplicas: number,
    targetUtilization: number,
    resource: string,
    pods: PodObject[],
    podMetrics: PodMetricsInfo,
    container?: string,
  ): { replicas: number; utilization: number; rawAverage: number } {
    const { groups, metrics } = this.usablePods(pods, podMetrics, resource);
    const requests = podRequests(pods, resource, container);
    const { ratio, utilization, rawAverage } = utilizationRatio(metrics, requests, targetUtilization);
    const fallback = Math.max(100, targetUtilization);
    const replicas = conservative(
      currentReplicas,
      groups.readyPodCount,
      ratio,
      groups,
      metrics,
      (name) => ((requests.get(name) ?? 0) * fallback) / 100,
      () => utilizationRatio(metrics, requests, targetUtilization).ratio,
      this.options,
    );
    return { replicas, utilization, rawAverage };
  }

  /** GetRawResourceReplicas: the replicas that bring the average usage per pod to `targetAverage` (milli-units). */
  rawResourceReplicas(
    currentReplicas: number,
    targetAverage: number,
    resource: string,
    pods: PodObject[],
    podMetrics: PodMetricsInfo,
  ): { replicas: number; average: number } {
    const { groups, metrics } = this.usablePods(pods, podMetrics, resource);
    const { ratio, average } = usageRatio(metrics, targetAverage);
    const replicas = conservative(
      currentReplicas,
      groups.readyPodCount,
      ratio,
      groups,
      metrics,
      () => targetAverage,
      () => usageRatio(metrics, targetAverage).ratio,
      this.options,
    );
    return { replicas, average };
  }

  /** The pods grouped as of now, and the metrics of those that count (neither ignored nor unready). */
  private usablePods(
    pods: PodObject[],
    metrics: PodMetricsInfo,
    resource: string,
  ): { groups: PodGroups; metrics: PodMetricsInfo } {
    if (pods.length === 0) throw new Error('no pods returned by selector while calculating replica count');
    const groups = groupPods(pods, metrics, resource, this.options, this.clock.now());
    const usable = new Map(metrics);
    for (const name of [...groups.ignored, ...groups.unready]) usable.delete(name);
    if (usable.size === 0)
      throw new Error('did not receive metrics for targeted pods (pods might be unready)');
    return { groups, metrics: usable };
  }
}
