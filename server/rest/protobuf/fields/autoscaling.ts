import type { MessageFields } from '../message-fields.ts';

/** The protobuf field numbers of k8s.io/api autoscaling/v2 (generated.proto), as message-fields.ts reads them. */
export const AUTOSCALING_FIELDS: MessageFields = {
  ContainerResourceMetricSource: '1 name, 2 target MetricTarget, 3 container',
  ContainerResourceMetricStatus: '1 name, 2 current MetricValueStatus, 3 container',
  CrossVersionObjectReference: '1 kind, 2 name, 3 apiVersion',
  ExternalMetricSource: '1 metric MetricIdentifier, 2 target MetricTarget',
  ExternalMetricStatus: '1 metric MetricIdentifier, 2 current MetricValueStatus',
  HPAScalingPolicy: '1 type, 2 value int32, 3 periodSeconds int32',
  HPAScalingRules:
    '1 selectPolicy string?, 2 policies []HPAScalingPolicy, 3 stabilizationWindowSeconds int32?',
  HorizontalPodAutoscaler:
    '1 metadata ObjectMeta, 2 spec HorizontalPodAutoscalerSpec, 3 status HorizontalPodAutoscalerStatus',
  HorizontalPodAutoscalerBehavior: '1 scaleUp HPAScalingRules, 2 scaleDown HPAScalingRules',
  HorizontalPodAutoscalerCondition: '1 type, 2 status, 3 lastTransitionTime Time, 4 reason, 5 message',
  HorizontalPodAutoscalerSpec:
    '1 scaleTargetRef CrossVersionObjectReference, 2 minReplicas int32?, 3 maxReplicas int32, 4 metrics []MetricSpec, 5 behavior HorizontalPodAutoscalerBehavior',
  HorizontalPodAutoscalerStatus:
    '1 observedGeneration int64?, 2 lastScaleTime Time, 3 currentReplicas int32, 4 desiredReplicas int32, 5 currentMetrics []MetricStatus, 6 conditions []HorizontalPodAutoscalerCondition',
  MetricIdentifier: '1 name, 2 selector LabelSelector',
  MetricSpec:
    '1 type, 2 object ObjectMetricSource, 3 pods PodsMetricSource, 4 resource ResourceMetricSource, 5 external ExternalMetricSource, 7 containerResource ContainerResourceMetricSource',
  MetricStatus:
    '1 type, 2 object ObjectMetricStatus, 3 pods PodsMetricStatus, 4 resource ResourceMetricStatus, 5 external ExternalMetricStatus, 7 containerResource ContainerResourceMetricStatus',
  MetricTarget: '1 type, 2 value Quantity, 3 averageValue Quantity, 4 averageUtilization int32?',
  MetricValueStatus: '1 value Quantity, 2 averageValue Quantity, 3 averageUtilization int32?',
  ObjectMetricSource:
    '1 describedObject CrossVersionObjectReference, 2 target MetricTarget, 3 metric MetricIdentifier',
  ObjectMetricStatus:
    '1 metric MetricIdentifier, 2 current MetricValueStatus, 3 describedObject CrossVersionObjectReference',
  PodsMetricSource: '1 metric MetricIdentifier, 2 target MetricTarget',
  PodsMetricStatus: '1 metric MetricIdentifier, 2 current MetricValueStatus',
  ResourceMetricSource: '1 name, 2 target MetricTarget',
  ResourceMetricStatus: '1 name, 2 current MetricValueStatus',
};
