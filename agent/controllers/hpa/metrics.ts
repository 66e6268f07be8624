import { execute, operations, type KubeqlClient } from '../../../client/index.ts';
import type { LabelSelector } from '../../../schema/kinds/meta.ts';
import type { PodMetricsInfo } from './replica-calculator.ts';

/** One pod's latest usage as the resource metrics API serves it. */
export interface PodUsageSample {
  name: string;
  /** ms since the epoch */
  timestamp: number;
  windowMs: number;
  containers: Array<{ name: string; cpuNanoCores: number; memoryBytes: number }>;
}

/** The resource metrics API as the autoscaler reads it: the usage of a namespace's pods matching a selector. */
export type ResourceMetricsClient = (namespace: string, labelSelector: string) => Promise<PodUsageSample[]>;

/** "10s", "0.205s" as a Duration is written. */
function durationMs(text: string): number {
  const match = /^(\d+(?:\.\d+)?)s$/.exec(text);
  return match ? Number(match[1]) * 1000 : 0;
}

/** The podMetrics query of this cluster's API. */
export function apiResourceMetrics(client: Pick<KubeqlClient, 'request'>): ResourceMetricsClient {
  return async (namespace, labelSelector) => {
    const data = await execute(client, operations.AutoscalerPodMetricsDocument, { namespace, labelSelector });
    return data.podMetrics.map((m) => ({
      name: m.metadata.name,
      timestamp: Date.parse(m.timestamp),
      windowMs: durationMs(m.window),
      containers: m.containers.map((c) => ({
        name: c.name,
        cpuNanoCores: c.usage.cpuNanoCores,
        memoryBytes: c.usage.memoryBytes,
      })),
    }));
  };
}

/** A structured selector in the string syntax the API's labelSelector takes. */
export function selectorText(selector: LabelSelector | undefined): string {
  const parts = Object.entries(selector?.matchLabels ?? {}).map(([key, value]) => `${key}=${value}`);
  for (const e of selector?.matchExpressions ?? []) {
    if (e.operator === 'In') parts.push(`${e.key} in (${(e.values ?? []).join(',')})`);
    else if (e.operator === 'NotIn') parts.push(`${e.key} notin (${(e.values ?? []).join(',')})`);
    else if (e.operator === 'Exists') parts.push(e.key);
    else parts.push(`!${e.key}`);
  }
  return parts.join(',');
}

/**
 * A resource's usage per pod in milli-units, as Kubernetes' metrics client reads it:
 * CPU is each container's Quantity.MilliValue (millicores, rounded up), memory its
 * bytes in thousandths. With `container`, only that container counts, and a pod without
 * it is an error; without, every container counts.
 */
export function resourceMetricsOf(
  samples: PodUsageSample[],
  namespace: string,
  resource: string,
  container?: string,
): PodMetricsInfo {
  if (samples.length === 0) throw new Error('no metrics returned from resource metrics API');
  const value = (c: PodUsageSample['containers'][number]) =>
    resource === 'cpu' ? Math.ceil(c.cpuNanoCores / 1e6) : c.memoryBytes * 1000;
  const info: PodMetricsInfo = new Map();
  for (const sample of samples) {
    if (resource !== 'cpu' && resource !== 'memory') continue;
    const containers =
      container === undefined ? sample.containers : sample.containers.filter((c) => c.name === container);
    if (container !== undefined && containers.length === 0)
      throw new Error(`container ${container} not present in metrics for pod ${namespace}/${sample.name}`);
    const total = containers.reduce((sum, c) => sum + value(c), 0);
    info.set(sample.name, { timestamp: sample.timestamp, windowMs: sample.windowMs, value: total });
  }
  return info;
}
