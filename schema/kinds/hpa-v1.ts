import { defineKind } from '../kind.ts';
import { required, s, type Infer } from '../shape.ts';
import { ObjectMeta } from './meta.ts';

/**
 * autoscaling/v1's HorizontalPodAutoscaler: CPU utilization only. The store keeps every
 * HorizontalPodAutoscaler as autoscaling/v2 (hpa.ts); this version is served beside it,
 * converted both ways, for the manifests and kubectl versions that still write it. Its shapes
 * are its own (not v2's), so that each version's OpenAPI document names its own types.
 */

const CrossVersionObjectReferenceV1 = s.object('CrossVersionObjectReference', {
  apiVersion: s.string(),
  kind: required(s.string()),
  name: required(s.string()),
});

export const HorizontalPodAutoscalerSpecV1 = s.object('HorizontalPodAutoscalerSpec', {
  scaleTargetRef: required(CrossVersionObjectReferenceV1),
  minReplicas: s.int('Defaults to 1.'),
  maxReplicas: required(s.int('Must be at least minReplicas.')),
  targetCPUUtilizationPercentage: s.int(
    "The target average CPU utilization, as a percentage of what the pods request; the autoscaler's default (80%) when left out.",
  ),
});
export type HorizontalPodAutoscalerSpecV1 = Infer<typeof HorizontalPodAutoscalerSpecV1>;

export const HorizontalPodAutoscalerStatusV1 = s.object('HorizontalPodAutoscalerStatus', {
  observedGeneration: s.int(),
  lastScaleTime: s.string('When the autoscaler last changed the replica count.'),
  // Required in Kubernetes' JSON, but a protobuf body leaves zeros out: read as 0 when absent.
  currentReplicas: s.int(),
  desiredReplicas: s.int(),
  currentCPUUtilizationPercentage: s.int(
    'The average CPU utilization of the pods now, as a percentage of what they request.',
  ),
});
export type HorizontalPodAutoscalerStatusV1 = Infer<typeof HorizontalPodAutoscalerStatusV1>;

const HorizontalPodAutoscalerV1 = s.object(
  'HorizontalPodAutoscaler',
  {
    apiVersion: s.string(),
    kind: s.string(),
    metadata: ObjectMeta,
    spec: HorizontalPodAutoscalerSpecV1,
    status: HorizontalPodAutoscalerStatusV1,
  },
  "Scales a workload's replicas between minReplicas and maxReplicas to keep its pods' CPU utilization at a target.",
);
export type HorizontalPodAutoscalerV1 = Infer<typeof HorizontalPodAutoscalerV1>;

/** Served, never stored: not among KINDS, which are the kinds as the store keeps them. */
export const hpaV1Kind = defineKind({
  kind: 'HorizontalPodAutoscaler',
  apiVersion: 'autoscaling/v1',
  plural: 'horizontalpodautoscalers',
  shortNames: ['hpa'],
  namespaced: true,
  shape: HorizontalPodAutoscalerV1,
  description:
    "Scales a workload's replicas between minReplicas and maxReplicas to keep its pods' CPU utilization at a target.",
});
