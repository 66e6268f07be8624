import { isDeepStrictEqual } from 'node:util';
import { isCode, keyOf, messageOf, type KubeqlClient, type Resource } from '../../client/index.ts';
import type { HorizontalPodAutoscaler, MetricSpec } from '../../schema/kinds/hpa.ts';
import type { LabelSelector } from '../../schema/kinds/meta.ts';
import { selectorMatches } from '../../schema/label-selector.ts';
import type { PodObject } from '../objects.ts';
import { timestamp } from '../timestamps.ts';
import type { ControllerContext, ControllerFactory } from './controller.ts';
import {
  apiResourceMetrics,
  resourceMetricsOf,
  selectorText,
  type PodUsageSample,
  type ResourceMetricsClient,
} from './hpa-metrics.ts';
import {
  DEFAULT_REPLICA_CALCULATOR_OPTIONS,
  milliValue,
  rawResourceReplicas,
  resourceReplicas,
  type PodMetricsInfo,
  type ReplicaCalculatorOptions,
} from './hpa-replica-calculator.ts';
import { normalizeDesiredReplicas, ScalingHistory } from './hpa-scaling.ts';
import { ReconcileLoop, type Reconcile } from './reconcile-loop.ts';

export type HPAObject = Resource & HorizontalPodAutoscaler;
type HPAStatus = NonNullable<HorizontalPodAutoscaler['status']>;
type HPACondition = NonNullable<HPAStatus['conditions']>[number];
type MetricStatus = NonNullable<HPAStatus['currentMetrics']>[number];
type MetricValueStatus = NonNullable<MetricStatus['resource']>['current'];
type ScaleTarget = Resource & { spec?: { replicas?: number; selector?: LabelSelector } };

/** Writes a new replica count through the target's scale subresource. */
export type ScaleClient = (kind: string, namespace: string, name: string, replicas: number) => Promise<void>;

/** The kinds with a scale subresource, by the resource name Kubernetes' errors use. */
const SCALABLE: Record<string, string> = {
  Deployment: 'deployments.apps',
  ReplicaSet: 'replicasets.apps',
  StatefulSet: 'statefulsets.apps',
};

/** The `scale<Kind>` mutations of this cluster's API. */
export function apiScaleClient(client: Pick<KubeqlClient, 'request'>): ScaleClient {
  return async (kind, namespace, name, replicas) => {
    await client.request(
      `mutation($namespace: String, $name: String!, $replicas: Int!) { scale${kind}(namespace: $namespace, name: $name, replicas: $replicas) { metadata { resourceVersion } } }`,
      { namespace, name, replicas },
    );
  };
}

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

/** setCondition: a changed status moves lastTransitionTime; reason and message always follow. */
function setCondition(
  conditions: HPACondition[],
  type: string,
  status: 'True' | 'False',
  reason: string,
  message: string,
  now: number,
): HPACondition[] {
  const existing = conditions.find((c) => c.type === type);
  const lastTransitionTime =
    existing && existing.status === status && existing.lastTransitionTime
      ? existing.lastTransitionTime
      : timestamp(now);
  const condition = { type, status, reason, message, lastTransitionTime };
  return existing ? conditions.map((c) => (c === existing ? condition : c)) : [...conditions, condition];
}

export interface HPAReconcilerOptions extends Partial<Omit<ReplicaCalculatorOptions, 'now'>> {
  metrics?: ResourceMetricsClient;
  scale?: ScaleClient;
  history?: ScalingHistory;
  now?: () => number;
}

interface MetricOutcome {
  replicas: number;
  name: string;
  status: MetricStatus;
}

class MetricError extends Error {
  constructor(
    message: string,
    readonly reason: string,
    /** What the event and the condition say (the error before its last wrapping). */
    readonly detail: string,
  ) {
    super(message);
  }
}

/**
 * The HorizontalPodAutoscaler controller's reconcile over a context, as Kubernetes'
 * reconcileAutoscaler (autoscaling/v2, resource metrics).
 *
 * 1. Reads the target's scale (spec.replicas and selector of a Deployment, ReplicaSet or
 *    StatefulSet, from the cache); without it: AbleToScale False FailedGetScale.
 * 2. A target at 0 replicas is left alone (ScalingActive False ScalingDisabled); one
 *    outside [minReplicas, maxReplicas] is brought back inside. Otherwise every metric
 *    proposes a count (resourceReplicas: ceil(current × utilization / target) over the
 *    ready pods with metrics, 10 % tolerance, missing and unready pods taken
 *    conservatively) and the largest wins; if all metrics fail, or some fail and the
 *    rest would scale down, nothing changes (ScalingActive False, with the reason).
 * 3. The proposal is stabilized and limited (hpa-scaling.ts: scale-down stabilization
 *    window, rate policies, min/max) and written through the scale subresource, with a
 *    SuccessfulRescale event ("New size: 4; reason: cpu resource utilization (percentage
 *    of request) above target").
 * 4. Writes the status last (currentReplicas, desiredReplicas, currentMetrics,
 *    lastScaleTime when it scaled, conditions) and only when it changed.
 *
 * Contract: never called for the same key twice at once. Idempotent in its writes: it
 * scales only to a count different from the current one and writes only a changed
 * status; each call adds one recommendation to the HPA's in-memory history, which is
 * what the stabilization window reads (as in Kubernetes, where every sync does the
 * same). An HPA gone drops its history. Failures to read scale or metrics, or to scale,
 * are reported in status and events, not thrown; a failed status write throws (retried
 * with back-off). Returns a requeue after the sync period: HPAs are evaluated
 * periodically, usage changes without any event.
 */
export function hpaReconciler(ctx: ControllerContext, options: HPAReconcilerOptions = {}): Reconcile {
  const hpas = ctx.informers.get<HPAObject>('HorizontalPodAutoscaler');
  const pods = ctx.informers.get<PodObject>('Pod');
  const targets = Object.fromEntries(
    Object.keys(SCALABLE).map((kind) => [kind, ctx.informers.get<ScaleTarget>(kind)]),
  );
  const metricsClient = options.metrics ?? apiResourceMetrics(ctx.client);
  const scaleClient = options.scale ?? apiScaleClient(ctx.client);
  const history = options.history ?? new ScalingHistory();
  const clock = options.now ?? Date.now;
  const calculator = { ...DEFAULT_REPLICA_CALCULATOR_OPTIONS, ...options };
  const syncPeriodMs = ctx.options.hpaSyncPeriodMs;

  const readScale = (hpa: HPAObject): ScaleTarget => {
    const ref = hpa.spec.scaleTargetRef;
    const resource = SCALABLE[ref.kind];
    if (!resource) throw new Error(`no scale subresource for kind "${ref.kind}" (${ref.apiVersion ?? ''})`);
    const target = targets[ref.kind].get(`${hpa.metadata.namespace}/${ref.name}`);
    if (!target) throw new Error(`${resource} "${ref.name}" not found`);
    return target;
  };

  /** computeReplicasForMetric, for one metric of the spec: its proposal, or why there is none. */
  const replicasForMetric = async (
    hpa: HPAObject,
    spec: MetricSpec,
    currentReplicas: number,
    selected: PodObject[],
    samples: () => Promise<PodUsageSample[]>,
  ): Promise<MetricOutcome | MetricError> => {
    const source = spec.type === 'Resource' ? spec.resource : spec.containerResource;
    if ((spec.type !== 'Resource' && spec.type !== 'ContainerResource') || !source) {
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
    const namespace = hpa.metadata.namespace!;
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
        all = await samples();
      } catch (error) {
        throw new Error(`unable to fetch metrics from resource metrics API: ${messageOf(error)}`);
      }
      metrics = resourceMetricsOf(all, namespace, resource, container);
    } catch (error) {
      return fail(new Error(`unable to get metrics for resource ${resource}: ${messageOf(error)}`));
    }
    const metricStatus = (current: MetricValueStatus): MetricStatus =>
      container === undefined
        ? { type: 'Resource', resource: { name: resource, current } }
        : { type: 'ContainerResource', containerResource: { name: resource, container, current } };
    const at = { ...calculator, now: clock() };
    try {
      if (averageValue !== undefined) {
        const { replicas, average } = rawResourceReplicas(
          currentReplicas,
          averageValue,
          resource,
          selected,
          metrics,
          at,
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
      const result = resourceReplicas(
        currentReplicas,
        utilization,
        resource,
        selected,
        metrics,
        at,
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
  };

  /**
   * computeReplicasForMetrics: the largest count the metrics propose, and their statuses.
   * A metric that cannot be computed is reported as an event; the outcome is a failure
   * when none could be, or when some could not and the others would scale down.
   */
  const replicasForMetrics = async (
    hpa: HPAObject,
    currentReplicas: number,
    selector: LabelSelector,
  ): Promise<{
    statuses: MetricStatus[];
    replicas: number;
    metricName: string;
    failure?: { error: MetricError; invalid: number };
  }> => {
    const namespace = hpa.metadata.namespace!;
    const selected = pods.list(namespace).filter((pod) => selectorMatches(selector, pod.metadata.labels));
    let fetched: Promise<PodUsageSample[]> | undefined;
    const samples = () => (fetched ??= metricsClient(namespace, selectorText(selector)));
    const specs = hpa.spec.metrics ?? [];
    const statuses: MetricStatus[] = [];
    let replicas = 0;
    let metricName = '';
    let firstError: MetricError | undefined;
    let invalid = 0;
    for (const metric of specs) {
      const outcome = await replicasForMetric(hpa, metric, currentReplicas, selected, samples);
      if (outcome instanceof MetricError) {
        ctx.events.record(hpa, 'Warning', outcome.reason, outcome.detail);
        firstError ??= outcome;
        invalid++;
        continue;
      }
      statuses.push(outcome.status);
      if (replicas === 0 || outcome.replicas > replicas) {
        replicas = outcome.replicas;
        metricName = outcome.name;
      }
    }
    const failed = firstError && (invalid >= specs.length || replicas < currentReplicas);
    return {
      statuses,
      replicas,
      metricName,
      ...(failed ? { failure: { error: firstError!, invalid } } : {}),
    };
  };

  return async (key) => {
    const hpa = hpas.get(key);
    if (!hpa) {
      history.forget(key);
      return;
    }
    const now = clock();
    const spec = hpa.spec;
    let conditions: HPACondition[] = [...(hpa.status?.conditions ?? [])];
    const condition = (type: string, status: 'True' | 'False', reason: string, message: string) => {
      conditions = setCondition(conditions, type, status, reason, message, now);
    };
    const requeue = { requeueAfterMs: syncPeriodMs };
    const writeStatus = async (status: HPAStatus) => {
      const next = JSON.parse(JSON.stringify({ ...status, conditions }));
      if (isDeepStrictEqual(next, JSON.parse(JSON.stringify(hpa.status ?? {})))) return;
      await ctx.writer.updateStatus(hpa, next, hpa.metadata.resourceVersion);
    };

    let target: ScaleTarget;
    try {
      target = readScale(hpa);
    } catch (error) {
      ctx.events.record(hpa, 'Warning', 'FailedGetScale', messageOf(error));
      condition(
        'AbleToScale',
        'False',
        'FailedGetScale',
        `the HPA controller was unable to get the target's current scale: ${messageOf(error)}`,
      );
      await writeStatus({ ...hpa.status });
      return requeue;
    }
    condition(
      'AbleToScale',
      'True',
      'SucceededGetScale',
      "the HPA controller was able to get the target's current scale",
    );

    const currentReplicas = target.spec?.replicas ?? 1;
    history.recordInitial(key, currentReplicas, now);
    const minReplicas = spec.minReplicas ?? 1;
    let desiredReplicas = 0;
    let rescale = true;
    let reason = '';
    let metricStatuses: MetricStatus[] | undefined;

    if (currentReplicas === 0 && minReplicas !== 0) {
      rescale = false;
      condition(
        'ScalingActive',
        'False',
        'ScalingDisabled',
        'scaling is disabled since the replica count of the target is zero',
      );
    } else if (currentReplicas > spec.maxReplicas) {
      reason = 'Current number of replicas above Spec.MaxReplicas';
      desiredReplicas = spec.maxReplicas;
    } else if (currentReplicas < minReplicas) {
      reason = 'Current number of replicas below Spec.MinReplicas';
      desiredReplicas = minReplicas;
    } else {
      const selector = target.spec?.selector;
      if (
        !selector ||
        (!Object.keys(selector.matchLabels ?? {}).length && !selector.matchExpressions?.length)
      ) {
        ctx.events.record(hpa, 'Warning', 'SelectorRequired', 'selector is required');
        condition(
          'ScalingActive',
          'False',
          'InvalidSelector',
          "the HPA target's scale is missing a selector",
        );
        await writeStatus({ ...hpa.status, currentReplicas });
        return requeue;
      }
      const {
        statuses,
        replicas: proposed,
        metricName,
        failure,
      } = await replicasForMetrics(hpa, currentReplicas, selector);
      metricStatuses = statuses;
      if (failure) {
        condition(
          'ScalingActive',
          'False',
          failure.error.reason,
          `the HPA was unable to compute the replica count: ${failure.error.detail}`,
        );
        const count = spec.metrics?.length ?? 0;
        const message = `invalid metrics (${failure.invalid} invalid out of ${count}), first error is: ${failure.error.message}`;
        ctx.events.record(hpa, 'Warning', 'FailedComputeMetricsReplicas', message);
        await writeStatus({ ...hpa.status, currentReplicas, currentMetrics: metricStatuses });
        return requeue;
      }
      condition(
        'ScalingActive',
        'True',
        'ValidMetricFound',
        `the HPA was able to successfully calculate a replica count from ${metricName}`,
      );

      desiredReplicas = proposed;
      if (desiredReplicas > currentReplicas) reason = `${metricName} above target`;
      if (desiredReplicas < currentReplicas) reason = 'All metrics below target';
      const normalized = normalizeDesiredReplicas(history, {
        key,
        currentReplicas,
        desiredReplicas,
        minReplicas,
        maxReplicas: spec.maxReplicas,
        behavior: spec.behavior,
        downscaleStabilizationMs: ctx.options.hpaDownscaleStabilizationMs,
        now,
      });
      for (const c of normalized.conditions) condition(c.type, c.status, c.reason, c.message);
      desiredReplicas = normalized.replicas;
      rescale = desiredReplicas !== currentReplicas;
    }

    let lastScaleTime = hpa.status?.lastScaleTime;
    if (rescale) {
      const ref = spec.scaleTargetRef;
      try {
        await scaleClient(ref.kind, hpa.metadata.namespace!, ref.name, desiredReplicas);
      } catch (error) {
        ctx.events.record(
          hpa,
          'Warning',
          'FailedRescale',
          `New size: ${desiredReplicas}; reason: ${reason}; error: ${messageOf(error)}`,
        );
        condition(
          'AbleToScale',
          'False',
          'FailedUpdateScale',
          `the HPA controller was unable to update the target scale: ${messageOf(error)}`,
        );
        await writeStatus({ ...hpa.status, currentReplicas, currentMetrics: metricStatuses });
        return requeue;
      }
      condition(
        'AbleToScale',
        'True',
        'SucceededRescale',
        `the HPA controller was able to update the target scale to ${desiredReplicas}`,
      );
      ctx.events.record(
        hpa,
        'Normal',
        'SuccessfulRescale',
        `New size: ${desiredReplicas}; reason: ${reason}`,
      );
      history.recordScale(key, currentReplicas, desiredReplicas, now, spec.behavior);
      lastScaleTime = timestamp(now);
    } else {
      desiredReplicas = currentReplicas;
    }
    await writeStatus({
      ...(hpa.status?.observedGeneration !== undefined
        ? { observedGeneration: hpa.status.observedGeneration }
        : {}),
      ...(lastScaleTime ? { lastScaleTime } : {}),
      currentReplicas,
      desiredReplicas,
      ...(metricStatuses ? { currentMetrics: metricStatuses } : {}),
    });
    return requeue;
  };
}

/**
 * Kubernetes' horizontal pod autoscaler: every sync period (and whenever an HPA's spec
 * changes) it reads the usage of each HPA's target pods from the resource metrics API
 * and scales the target through its scale subresource.
 */
export const horizontalPodAutoscalerController: ControllerFactory = (ctx) => {
  const hpas = ctx.informers.get<HPAObject>('HorizontalPodAutoscaler');
  const history = new ScalingHistory();
  const loop = new ReconcileLoop('horizontal-pod-autoscaler', hpaReconciler(ctx, { history }), {
    onError: (key, error) => {
      if (!isCode(error, 'CONFLICT')) ctx.log(`horizontal-pod-autoscaler ${key}: ${messageOf(error)}`);
    },
  });
  return {
    name: 'horizontal-pod-autoscaler',
    start() {
      hpas.addEventHandler({
        onAdd: (hpa) => loop.enqueue(keyOf(hpa)),
        // Its own status writes do not change the generation: only spec changes call for an early sync.
        onUpdate: (old, hpa) => {
          if (old.metadata.generation !== hpa.metadata.generation) loop.enqueue(keyOf(hpa));
        },
        onDelete: (hpa) => {
          history.forget(keyOf(hpa));
          loop.enqueue(keyOf(hpa));
        },
      });
      loop.start();
    },
    stop: () => loop.stop(),
  };
};
