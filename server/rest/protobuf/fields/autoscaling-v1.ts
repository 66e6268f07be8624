import type { MessageFields } from '../message-fields.ts';

/**
 * The protobuf field numbers of k8s.io/api autoscaling/v1's HorizontalPodAutoscaler
 * (generated.proto). Its messages share their names with autoscaling/v2's, so they are
 * named here with the version (messageOf maps the envelope's kind to them); the
 * CrossVersionObjectReference is the same message in both.
 */
export const AUTOSCALING_V1_FIELDS: MessageFields = {
  HorizontalPodAutoscalerV1:
    '1 metadata ObjectMeta, 2 spec HorizontalPodAutoscalerSpecV1, 3 status HorizontalPodAutoscalerStatusV1',
  HorizontalPodAutoscalerSpecV1:
    '1 scaleTargetRef CrossVersionObjectReference, 2 minReplicas int32?, 3 maxReplicas int32, 4 targetCPUUtilizationPercentage int32?',
  HorizontalPodAutoscalerStatusV1:
    '1 observedGeneration int64?, 2 lastScaleTime Time, 3 currentReplicas int32, 4 desiredReplicas int32, 5 currentCPUUtilizationPercentage int32?',
};
