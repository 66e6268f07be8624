import { defineKind } from '../kind.ts';
import { described, keyedBy, required, s, type Infer } from '../shape.ts';
import { conditionShape, LabelSelector, ObjectMeta } from './meta.ts';

const MetricSourceType = s.enum('MetricSourceType', [
  'Resource',
  'Pods',
  'Object',
  'External',
  'ContainerResource',
]);

export const CrossVersionObjectReference = s.object('CrossVersionObjectReference', {
  apiVersion: s.string(),
  kind: required(s.string()),
  name: required(s.string()),
});
export type CrossVersionObjectReference = Infer<typeof CrossVersionObjectReference>;

export const MetricTarget = s.object(
  'MetricTarget',
  {
    type: required(s.enum('MetricTargetType', ['Utilization', 'Value', 'AverageValue'])),
    value: s.quantity('The target value of the metric as a whole.'),
    averageValue: s.quantity('The target value of the metric averaged over pods.'),
    averageUtilization: s.int(
      'The target average, as a percentage of what the pods request (resource metrics only).',
    ),
  },
  'The value the autoscaler steers a metric towards.',
);
export type MetricTarget = Infer<typeof MetricTarget>;

export const MetricIdentifier = s.object('MetricIdentifier', {
  name: required(s.string()),
  selector: LabelSelector,
});
export type MetricIdentifier = Infer<typeof MetricIdentifier>;

export const ResourceMetricSource = s.object(
  'ResourceMetricSource',
  {
    name: required(s.string('The resource, "cpu" or "memory".')),
    target: required(MetricTarget),
  },
  "A resource's usage across the target's pods, as the metrics pipeline reports it.",
);
export type ResourceMetricSource = Infer<typeof ResourceMetricSource>;

export const ContainerResourceMetricSource = s.object('ContainerResourceMetricSource', {
  name: required(s.string()),
  target: required(MetricTarget),
  container: required(s.string('Only this container of each pod counts.')),
});

export const PodsMetricSource = s.object('PodsMetricSource', {
  metric: required(MetricIdentifier),
  target: required(MetricTarget),
});

export const ObjectMetricSource = s.object('ObjectMetricSource', {
  describedObject: required(CrossVersionObjectReference),
  target: required(MetricTarget),
  metric: required(MetricIdentifier),
});

export const ExternalMetricSource = s.object('ExternalMetricSource', {
  metric: required(MetricIdentifier),
  target: required(MetricTarget),
});

export const MetricSpec = s.object(
  'MetricSpec',
  {
    type: required(
      described(
        MetricSourceType,
        'Which of the fields below describes the metric; exactly that one must be set.',
      ),
    ),
    resource: ResourceMetricSource,
    containerResource: ContainerResourceMetricSource,
    pods: PodsMetricSource,
    object: ObjectMetricSource,
    external: ExternalMetricSource,
  },
  'A metric to scale on; the autoscaler takes the largest replica count any metric asks for.',
);
export type MetricSpec = Infer<typeof MetricSpec>;

export const HPAScalingPolicy = s.object('HPAScalingPolicy', {
  type: required(s.enum('HPAScalingPolicyType', ['Pods', 'Percent'])),
  value: required(s.int('How many pods, or what percentage of the current replicas, may change per period.')),
  periodSeconds: required(s.int('The window the policy holds over: 1-1800 seconds.')),
});

export const HPAScalingRules = s.object(
  'HPAScalingRules',
  {
    stabilizationWindowSeconds: s.int(
      'How far back recommendations are considered, to avoid flapping: 0-3600. Defaults to 0 up, 300 down.',
    ),
    selectPolicy: s.enum(
      'ScalingPolicySelect',
      ['Max', 'Min', 'Disabled'],
      'Which policy wins (default Max); Disabled stops scaling this way.',
    ),
    policies: s.list(HPAScalingPolicy),
  },
  'Limits on how fast the autoscaler scales in one direction.',
);
export type HPAScalingRules = Infer<typeof HPAScalingRules>;

export const HorizontalPodAutoscalerBehavior = s.object('HorizontalPodAutoscalerBehavior', {
  scaleUp: HPAScalingRules,
  scaleDown: HPAScalingRules,
});

export const HorizontalPodAutoscalerSpec = s.object('HorizontalPodAutoscalerSpec', {
  scaleTargetRef: required(CrossVersionObjectReference),
  minReplicas: s.int('Defaults to 1.'),
  maxReplicas: required(s.int('Must be at least minReplicas.')),
  metrics: s.list(MetricSpec, 'Defaults to 80% average CPU utilization.'),
  behavior: HorizontalPodAutoscalerBehavior,
});
export type HorizontalPodAutoscalerSpec = Infer<typeof HorizontalPodAutoscalerSpec>;

export const MetricValueStatus = s.object('MetricValueStatus', {
  value: s.quantity(),
  averageValue: s.quantity(),
  averageUtilization: s.int(),
});

export const ResourceMetricStatus = s.object('ResourceMetricStatus', {
  name: required(s.string()),
  current: required(MetricValueStatus),
});

export const ContainerResourceMetricStatus = s.object('ContainerResourceMetricStatus', {
  name: required(s.string()),
  current: required(MetricValueStatus),
  container: required(s.string()),
});

export const PodsMetricStatus = s.object('PodsMetricStatus', {
  metric: required(MetricIdentifier),
  current: required(MetricValueStatus),
});

export const ObjectMetricStatus = s.object('ObjectMetricStatus', {
  metric: required(MetricIdentifier),
  current: required(MetricValueStatus),
  describedObject: required(CrossVersionObjectReference),
});

export const ExternalMetricStatus = s.object('ExternalMetricStatus', {
  metric: required(MetricIdentifier),
  current: required(MetricValueStatus),
});

export const MetricStatus = s.object('MetricStatus', {
  type: required(MetricSourceType),
  resource: ResourceMetricStatus,
  containerResource: ContainerResourceMetricStatus,
  pods: PodsMetricStatus,
  object: ObjectMetricStatus,
  external: ExternalMetricStatus,
});

export const HorizontalPodAutoscalerStatus = s.object('HorizontalPodAutoscalerStatus', {
  observedGeneration: s.int(),
  lastScaleTime: s.string('When the autoscaler last changed the replica count.'),
  currentReplicas: s.int(),
  desiredReplicas: s.int(),
  currentMetrics: s.list(MetricStatus),
  conditions: keyedBy(s.list(conditionShape('HorizontalPodAutoscalerCondition')), 'type'),
});

export const HorizontalPodAutoscaler = s.object(
  'HorizontalPodAutoscaler',
  {
    apiVersion: s.string(),
    kind: s.string(),
    metadata: ObjectMeta,
    spec: required(HorizontalPodAutoscalerSpec),
    status: HorizontalPodAutoscalerStatus,
  },
  "Scales a workload's replicas between minReplicas and maxReplicas to keep metrics at their targets.",
);
export type HorizontalPodAutoscaler = Infer<typeof HorizontalPodAutoscaler>;

export const hpaKind = defineKind({
  kind: 'HorizontalPodAutoscaler',
  apiVersion: 'autoscaling/v2',
  plural: 'horizontalpodautoscalers',
  shortNames: ['hpa'],
  namespaced: true,
  shape: HorizontalPodAutoscaler,
  description:
    "Scales a workload's replicas between minReplicas and maxReplicas to keep metrics at their targets.",
});
