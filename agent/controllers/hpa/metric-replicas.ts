import { messageOf } from '../../../client/index.ts';
import type { MetricSpec } from '../../../schema/kinds/hpa.ts';
import type { PodObject } from '../../objects.ts';
import { resourceMetricsOf, type PodUsageSample } from './metrics.ts';
import { milliValue, type PodMetricsInfo, type ReplicaCalculator } from './replica-calculator.ts';
import type { MetricStatus, MetricValueStatus } from './types.ts';

/**
 * What each metric of an HPA proposes (Kubernetes' computeReplicasForMetric and
 * computeReplicasForMetrics): a replica count and the metric's current value, or why it
 * has none. Only resource metrics (Resource, ContainerResource) are served here.
 */

/** Scale milli-units as resource.NewMilliQuantity(v, DecimalSI) prints them: 250 → "250m", 52428800000 → "52428800". */
export function milliQuantity(milli: number): string {
  const n = BigInt(Math.round(milli));
  if (n === 0n) return '0';
  for (const [suffix, unit] of [
    ['T', 10n ** 15n],
    ['G', 10n ** 12n],
    ['M', 10n ** 9n],
    ['k', 10n ** 6n],
    ['', 1000n],
  ] as const) {
    if (n % unit === 0n) return `${n / unit}${suffix}`;
  }
  return `${n}m`;
}

/** A metric that could not be computed, worded for the event, the condition and the summary. */
export class MetricError extends Error {
  constructor(
    message: string,
    readonly reason: string,
    /** What the event and the condition say (the error before its last wrapping). */
    readonly detail: string,
  ) {
    super(message);
  }
}

/** One metric's proposal. */
export interface MetricOutcome {
  replicas: number;
  /** How the rescale reason names the metric ("cpu resource utilization (percentage of request)"). */
  name: string;
  status: MetricStatus;
}

/** What every metric of one evaluation reads. */
export interface MetricInputs {
  namespace: string;
  currentReplicas: number;
  /** The target's pods (those its selector matches). */
  pods: PodObject[];
  /** The pods' usage, fetched once for all the metrics that ask. */
  samples: () => Promise<PodUsageSample[]>;
  calculator: ReplicaCalculator;
}

/** Custom and external metrics: no API serves them in this cluster. */
function unservedMetric(spec: MetricSpec): MetricError {
  const api =
    spec.type === 'External'
      ? 'external metrics API (external.metrics.k8s.io)'
      : 'custom metrics API (custom.metrics.k8s.io)';
  const name = spec.pods?.metric.name ?? spec.object?.metric.name ?? spec.external?.metric.name ?? '';
  const detail = `unable to get metric ${name}: no ${api} is served by this cluster`;
  return new MetricError(
    `failed to get ${spec.type.toLowerCase()} metric value: ${detail}`,
    `FailedGet${spec.type}Metric`,
    detail,
  );
}

/**
 * computeReplicasForMetric for one metric of the spec: its proposal, or why there is
 * none. Never throws: every failure is a MetricError.
 */
export async function replicasForMetric(
  spec: MetricSpec,
  inputs: MetricInputs,
): Promise<MetricOutcome | MetricError> {
  const source = spec.type === 'Resource' ? spec.resource : spec.containerResource;
  if ((spec.type !== 'Resource' && spec.type !== 'ContainerResource') || !source) return unservedMetric(spec);
  const resource = source.name;
  const container = spec.type === 'ContainerResource' ? spec.containerResource?.container : undefined;
  const averageValue = milliValue(source.target.averageValue);
  const utilization = source.target.averageUtilization;
  const fail = (error: unknown): MetricError => {
    const detail = `failed to get ${resource} ${averageValue !== undefined ? 'usage' : 'utilization'}: ${messageOf(error)}`;
    return container === undefined
      ? new MetricError(
          `failed to get ${resource} resource metric value: ${detail}`,
          'FailedGetResourceMetric',
          detail,
        )
      : new MetricError(
          `failed to get ${resource} container metric value: ${detail}`,
          'FailedGetContainerResourceMetric',
          detail,
        );
  };

  let metrics: PodMetricsInfo;
  try {
    let all: PodUsageSample[];
    try {
      all = await inputs.samples();
    } catch (error) {
      throw new Error(`unable to fetch metrics from resource metrics API: ${messageOf(error)}`);
    }
    metrics = resourceMetricsOf(all, inputs.namespace, resource, container);
  } catch (error) {
    return fail(new Error(`unable to get metrics for resource ${resource}: ${messageOf(error)}`));
  }
  const metricStatus = (current: MetricValueStatus): MetricStatus =>
    container === undefined
      ? { type: 'Resource', resource: { name: resource, current } }
      : { type: 'ContainerResource', containerResource: { name: resource, container, current } };
  const { calculator, currentReplicas, pods } = inputs;
  try {
    if (averageValue !== undefined) {
      const { replicas, average } = calculator.rawResourceReplicas(
        currentReplicas,
        averageValue,
        resource,
        pods,
        metrics,
      );
      return {
        replicas,
        name: `${resource} ${container === undefined ? '' : 'container '}resource`,
        status: metricStatus({ averageValue: milliQuantity(average) }),
      };
    }
    if (utilization === undefined)
      throw new Error(
        'invalid resource metric source: neither a utilization target nor a value target was set',
      );
    const result = calculator.resourceReplicas(
      currentReplicas,
      utilization,
      resource,
      pods,
      metrics,
      container,
    );
    return {
      replicas: result.replicas,
      name: `${resource} ${container === undefined ? '' : 'container '}resource utilization (percentage of request)`,
      status: metricStatus({
        averageUtilization: result.utilization,
        averageValue: milliQuantity(result.rawAverage),
      }),
    };
  } catch (error) {
    return fail(error);
  }
}

/** What the metrics propose together. */
export interface MetricsProposal {
  /** The current value of every metric that could be computed. */
  statuses: MetricStatus[];
  /** The largest count proposed (0 when none was), and the metric that proposed it. */
  replicas: number;
  metricName: string;
  /** The metrics that could not be computed, in spec order (a warning event each). */
  errors: MetricError[];
  /** Set when the proposal must not be acted on: none could be computed, or some could not and the rest would scale down. */
  failure?: { error: MetricError; invalid: number };
}

/** computeReplicasForMetrics: the largest count the metrics propose, and their statuses. */
export async function replicasForMetrics(
  specs: MetricSpec[],
  inputs: MetricInputs,
): Promise<MetricsProposal> {
  const statuses: MetricStatus[] = [];
  const errors: MetricError[] = [];
  let replicas = 0;
  let metricName = '';
  for (const metric of specs) {
    const outcome = await replicasForMetric(metric, inputs);
    if (outcome instanceof MetricError) {
      errors.push(outcome);
      continue;
    }
    statuses.push(outcome.status);
    if (replicas === 0 || outcome.replicas > replicas) {
      replicas = outcome.replicas;
      metricName = outcome.name;
    }
  }
  const failed = errors.length > 0 && (errors.length >= specs.length || replicas < inputs.currentReplicas);
  return {
    statuses,
    replicas,
    metricName,
    errors,
    ...(failed ? { failure: { error: errors[0], invalid: errors.length } } : {}),
  };
}
