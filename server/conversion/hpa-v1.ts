import type { Resource } from '../../schema/kind.ts';
import type { HorizontalPodAutoscaler, MetricSpec } from '../../schema/kinds/hpa.ts';
import type { HorizontalPodAutoscalerV1 } from '../../schema/kinds/hpa-v1.ts';
import { fieldError } from '../../schema/field-error.ts';
import { invalid } from '../errors.ts';

type HPAv2 = HorizontalPodAutoscaler & Resource;
type HPAv1 = HorizontalPodAutoscalerV1 & Resource;
type MetricStatus = NonNullable<NonNullable<HPAv2['status']>['currentMetrics']>[number];
type Json = Record<string, unknown>;

/**
 * What autoscaling/v1 cannot say travels in annotations, under Kubernetes' names, so that
 * an object read at v1 and written back (kubectl edit, a PUT) loses nothing of its v2 self.
 */
export const METRICS_ANNOTATION = 'autoscaling.alpha.kubernetes.io/metrics';
export const CURRENT_METRICS_ANNOTATION = 'autoscaling.alpha.kubernetes.io/current-metrics';
export const CONDITIONS_ANNOTATION = 'autoscaling.alpha.kubernetes.io/conditions';
export const BEHAVIOR_ANNOTATION = 'autoscaling.alpha.kubernetes.io/behavior';

/** What a v1 HorizontalPodAutoscaler without a CPU target and other metrics scales on. */
const DEFAULT_CPU_UTILIZATION = 80;

/**
 * A stored (autoscaling/v2) HorizontalPodAutoscaler as autoscaling/v1 shows it, as Kubernetes
 * converts it: the first CPU resource metric's utilization target becomes
 * targetCPUUtilizationPercentage; every other metric (in v1's older, flat form), the current
 * metrics, the conditions and the behavior go to annotations.
 */
export function hpaToV1(hpa: HPAv2): HPAv1 {
  const metrics = hpa.spec?.metrics ?? [];
  const cpu = metrics.find((m) => m.type === 'Resource' && m.resource?.name === 'cpu');
  const others = metrics.filter((m) => !isCpuUtilization(m));
  const status = hpa.status;
  const annotations: Record<string, string> = { ...hpa.metadata.annotations };
  if (others.length) annotations[METRICS_ANNOTATION] = JSON.stringify(others.map(metricSpecToV1));
  if (status?.currentMetrics?.length)
    annotations[CURRENT_METRICS_ANNOTATION] = JSON.stringify(status.currentMetrics.map(metricStatusToV1));
  if (status?.conditions?.length) annotations[CONDITIONS_ANNOTATION] = JSON.stringify(status.conditions);
  if (hpa.spec?.behavior) annotations[BEHAVIOR_ANNOTATION] = JSON.stringify(hpa.spec.behavior);
  const currentCpu = status?.currentMetrics?.findLast(
    (m) =>
      m.type === 'Resource' &&
      m.resource?.name === 'cpu' &&
      m.resource.current.averageUtilization !== undefined,
  )?.resource?.current.averageUtilization;
  const { metadata } = hpa;
  return {
    apiVersion: 'autoscaling/v1',
    kind: 'HorizontalPodAutoscaler',
    metadata: Object.keys(annotations).length ? { ...metadata, annotations } : metadata,
    spec: hpa.spec && {
      scaleTargetRef: hpa.spec.scaleTargetRef,
      ...defined('minReplicas', hpa.spec.minReplicas),
      maxReplicas: hpa.spec.maxReplicas,
      ...defined('targetCPUUtilizationPercentage', cpu?.resource?.target.averageUtilization),
    },
    // Kubernetes always writes v1's status, with its replica counts at zero before the first sync.
    status: {
      ...defined('observedGeneration', status?.observedGeneration),
      ...defined('lastScaleTime', status?.lastScaleTime),
      currentReplicas: status?.currentReplicas ?? 0,
      desiredReplicas: status?.desiredReplicas ?? 0,
      ...defined('currentCPUUtilizationPercentage', currentCpu),
    },
  };
}

/**
 * An autoscaling/v1 HorizontalPodAutoscaler as the store keeps it (autoscaling/v2): the inverse
 * of hpaToV1, taking back what the annotations carry and removing them. Without a CPU target
 * or other metrics it scales on 80% CPU, as v1 always has. A malformed annotation is INVALID.
 */
export function hpaFromV1(hpa: HPAv1): HPAv2 {
  const annotations = { ...hpa.metadata?.annotations };
  const taken = <T>(key: string, convert: (value: Json) => T): T[] | undefined => {
    const text = annotations[key];
    if (text === undefined) return undefined;
    delete annotations[key];
    return parsedList(hpa, key, text).map(convert);
  };
  const others = taken(METRICS_ANNOTATION, metricSpecFromV1) ?? [];
  const currentMetrics = taken(CURRENT_METRICS_ANNOTATION, metricStatusFromV1);
  const conditions = taken(CONDITIONS_ANNOTATION, (c) => c);
  const behaviorText = annotations[BEHAVIOR_ANNOTATION];
  delete annotations[BEHAVIOR_ANNOTATION];
  const spec = hpa.spec;
  const target = spec?.targetCPUUtilizationPercentage;
  const metrics = [...(others as MetricSpec[]), ...(target !== undefined ? [cpuMetric(target)] : [])];
  const status = hpa.status;
  const currentCpu = status?.currentCPUUtilizationPercentage;
  const metadata: HPAv2['metadata'] = { ...hpa.metadata, annotations };
  if (!Object.keys(annotations).length) delete metadata.annotations;
  return {
    apiVersion: 'autoscaling/v2',
    kind: 'HorizontalPodAutoscaler',
    metadata,
    ...(spec
      ? {
          spec: {
            scaleTargetRef: spec.scaleTargetRef,
            ...defined('minReplicas', spec.minReplicas),
            maxReplicas: spec.maxReplicas,
            metrics: metrics.length ? metrics : [cpuMetric(DEFAULT_CPU_UTILIZATION)],
            ...(behaviorText !== undefined
              ? { behavior: parsed(hpa, BEHAVIOR_ANNOTATION, behaviorText) }
              : {}),
          },
        }
      : {}),
    ...(status
      ? {
          status: {
            ...defined('observedGeneration', status.observedGeneration),
            ...defined('lastScaleTime', status.lastScaleTime),
            ...defined('currentReplicas', status.currentReplicas),
            ...defined('desiredReplicas', status.desiredReplicas),
            ...defined(
              'currentMetrics',
              currentMetrics ??
                (currentCpu !== undefined
                  ? [
                      {
                        type: 'Resource',
                        resource: { name: 'cpu', current: { averageUtilization: currentCpu } },
                      },
                    ]
                  : undefined),
            ),
            ...defined('conditions', conditions),
          },
        }
      : {}),
  } as HPAv2;
}

function isCpuUtilization(m: MetricSpec): boolean {
  return (
    m.type === 'Resource' && m.resource?.name === 'cpu' && m.resource.target.averageUtilization !== undefined
  );
}

function cpuMetric(averageUtilization: number): MetricSpec {
  return { type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization } } };
}

/** A v2 metric in the flat form of the v1 annotation (v2beta1's), field for field as Kubernetes writes it. */
function metricSpecToV1(m: MetricSpec): Json {
  const out: Json = { type: m.type };
  if (m.resource) {
    out.resource = compact({
      name: m.resource.name,
      targetAverageUtilization: m.resource.target.averageUtilization,
      targetAverageValue: m.resource.target.averageValue,
    });
  }
  if (m.containerResource) {
    out.containerResource = compact({
      name: m.containerResource.name,
      container: m.containerResource.container,
      targetAverageUtilization: m.containerResource.target.averageUtilization,
      targetAverageValue: m.containerResource.target.averageValue,
    });
  }
  if (m.pods) {
    out.pods = compact({
      metricName: m.pods.metric.name,
      targetAverageValue: m.pods.target.averageValue ?? '0',
      selector: m.pods.metric.selector,
    });
  }
  if (m.object) {
    out.object = compact({
      target: m.object.describedObject,
      metricName: m.object.metric.name,
      targetValue: m.object.target.value ?? '0',
      selector: m.object.metric.selector,
      averageValue: m.object.target.averageValue,
    });
  }
  if (m.external) {
    out.external = compact({
      metricName: m.external.metric.name,
      metricSelector: m.external.metric.selector,
      targetValue: m.external.target.value,
      targetAverageValue: m.external.target.averageValue,
    });
  }
  return out;
}

function metricSpecFromV1(m: Json): Json {
  const out: Json = { type: m.type };
  const resourceTarget = (source: Json) =>
    compact({
      type: source.targetAverageUtilization === undefined ? 'AverageValue' : 'Utilization',
      averageUtilization: source.targetAverageUtilization,
      averageValue: source.targetAverageValue,
    });
  const resource = objectAt(m, 'resource');
  if (resource) out.resource = { name: resource.name, target: resourceTarget(resource) };
  const container = objectAt(m, 'containerResource');
  if (container) {
    out.containerResource = {
      name: container.name,
      container: container.container,
      target: resourceTarget(container),
    };
  }
  const pods = objectAt(m, 'pods');
  if (pods) {
    out.pods = {
      metric: identifier(pods.metricName, pods.selector),
      target: { type: 'AverageValue', averageValue: pods.targetAverageValue },
    };
  }
  const object = objectAt(m, 'object');
  if (object) {
    out.object = {
      describedObject: object.target,
      metric: identifier(object.metricName, object.selector),
      target: compact({
        type: object.averageValue === undefined ? 'Value' : 'AverageValue',
        value: object.targetValue,
        averageValue: object.averageValue,
      }),
    };
  }
  const external = objectAt(m, 'external');
  if (external) {
    out.external = {
      metric: identifier(external.metricName, external.metricSelector),
      target: compact({
        type: external.targetValue === undefined ? 'AverageValue' : 'Value',
        value: external.targetValue,
        averageValue: external.targetAverageValue,
      }),
    };
  }
  return out;
}

function metricStatusToV1(m: MetricStatus): Json {
  const out: Json = { type: m.type };
  if (m.resource) {
    out.resource = compact({
      name: m.resource.name,
      currentAverageUtilization: m.resource.current.averageUtilization,
      currentAverageValue: m.resource.current.averageValue ?? '0',
    });
  }
  if (m.containerResource) {
    out.containerResource = compact({
      name: m.containerResource.name,
      container: m.containerResource.container,
      currentAverageUtilization: m.containerResource.current.averageUtilization,
      currentAverageValue: m.containerResource.current.averageValue ?? '0',
    });
  }
  if (m.pods) {
    out.pods = compact({
      metricName: m.pods.metric.name,
      currentAverageValue: m.pods.current.averageValue ?? '0',
      selector: m.pods.metric.selector,
    });
  }
  if (m.object) {
    out.object = compact({
      target: m.object.describedObject,
      metricName: m.object.metric.name,
      currentValue: m.object.current.value ?? '0',
      selector: m.object.metric.selector,
      averageValue: m.object.current.averageValue,
    });
  }
  if (m.external) {
    out.external = compact({
      metricName: m.external.metric.name,
      metricSelector: m.external.metric.selector,
      currentValue: m.external.current.value ?? '0',
      currentAverageValue: m.external.current.averageValue,
    });
  }
  return out;
}

function metricStatusFromV1(m: Json): Json {
  const out: Json = { type: m.type };
  const resourceCurrent = (source: Json) =>
    compact({
      averageUtilization: source.currentAverageUtilization,
      averageValue: source.currentAverageValue,
    });
  const resource = objectAt(m, 'resource');
  if (resource) out.resource = { name: resource.name, current: resourceCurrent(resource) };
  const container = objectAt(m, 'containerResource');
  if (container) {
    out.containerResource = {
      name: container.name,
      container: container.container,
      current: resourceCurrent(container),
    };
  }
  const pods = objectAt(m, 'pods');
  if (pods) {
    out.pods = {
      metric: identifier(pods.metricName, pods.selector),
      current: compact({ averageValue: pods.currentAverageValue }),
    };
  }
  const object = objectAt(m, 'object');
  if (object) {
    out.object = {
      describedObject: object.target,
      metric: identifier(object.metricName, object.selector),
      current: compact({ value: object.currentValue, averageValue: object.averageValue }),
    };
  }
  const external = objectAt(m, 'external');
  if (external) {
    out.external = {
      metric: identifier(external.metricName, external.metricSelector),
      current: compact({ value: external.currentValue, averageValue: external.currentAverageValue }),
    };
  }
  return out;
}

function identifier(name: unknown, selector: unknown): Json {
  return compact({ name, selector });
}

function objectAt(m: Json, field: string): Json | undefined {
  const value = m[field];
  return value && typeof value === 'object' && !Array.isArray(value) ? (value as Json) : undefined;
}

function parsed(hpa: HPAv1, key: string, text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw annotationError(hpa, key, 'must be JSON');
  }
}

function parsedList(hpa: HPAv1, key: string, text: string): Json[] {
  const value = parsed(hpa, key, text);
  if (
    !Array.isArray(value) ||
    !value.every((item) => item && typeof item === 'object' && !Array.isArray(item))
  )
    throw annotationError(hpa, key, 'must be a JSON list of objects');
  return value as Json[];
}

function annotationError(hpa: HPAv1, key: string, why: string) {
  return invalid('HorizontalPodAutoscaler', hpa.metadata?.name ?? '', [
    fieldError(`metadata.annotations[${key}]`, 'Invalid', `Invalid value: ${why}`),
  ]);
}

/** The object without its undefined fields, as JSON would write it. */
function compact<T extends Json>(obj: T): T {
  return Object.fromEntries(Object.entries(obj).filter(([, value]) => value !== undefined)) as T;
}

function defined<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}
