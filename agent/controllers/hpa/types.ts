import type { Resource } from '../../../client/index.ts';
import type { HorizontalPodAutoscaler } from '../../../schema/kinds/hpa.ts';
import type { LabelSelector } from '../../../schema/kinds/meta.ts';

/** The shapes the HorizontalPodAutoscaler controller reads and writes. */

export type HPAObject = Resource & HorizontalPodAutoscaler;
export type HPAStatus = NonNullable<HorizontalPodAutoscaler['status']>;
export type HPACondition = NonNullable<HPAStatus['conditions']>[number];
export type MetricStatus = NonNullable<HPAStatus['currentMetrics']>[number];
export type MetricValueStatus = NonNullable<MetricStatus['resource']>['current'];

/** What the HPA reads of its target: the replicas and selector of its scale subresource. */
export type ScaleTarget = Resource & { spec?: { replicas?: number; selector?: LabelSelector } };
