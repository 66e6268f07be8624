import type { Request } from '../auth/access-control.ts';
import type { ResourceService } from '../resources/service.ts';
import { cpuQuantity, memoryQuantity } from '../usage/quantities.ts';
import {
  nodeMetrics,
  podMetrics,
  type NodeMetricsView,
  type PodMetricsView,
  type Usage,
} from '../usage/metrics.ts';

/**
 * metrics.k8s.io/v1beta1 as metrics-server serves it, from the usage the node agents report:
 * what `kubectl top node|pod` and the HPA's resource metrics read. Read-only (get, list),
 * and not stored: discovery lists it beside the stored kinds.
 */
export const METRICS_GROUP = 'metrics.k8s.io';
export const METRICS_VERSION = 'v1beta1';

const RESOURCES = [
  { name: 'nodes', kind: 'NodeMetrics', namespaced: false },
  { name: 'pods', kind: 'PodMetrics', namespaced: true },
] as const;

/** `/apis/metrics.k8s.io/v1beta1`. */
export function metricsResourceList() {
  return {
    kind: 'APIResourceList',
    apiVersion: 'v1',
    groupVersion: `${METRICS_GROUP}/${METRICS_VERSION}`,
    resources: RESOURCES.map(({ name, kind, namespaced }) => ({
      name,
      singularName: '',
      namespaced,
      kind,
      verbs: ['get', 'list'],
    })),
  };
}

/** What a path under `/apis/metrics.k8s.io/v1beta1/` names. */
export interface MetricsTarget {
  resource: 'nodes' | 'pods';
  namespace?: string;
  name?: string;
}

/** `nodes[/{name}]`, `pods`, `namespaces/{ns}/pods[/{name}]`; undefined for anything else. */
export function metricsTargetOf(
  group: string,
  version: string,
  rest: readonly string[],
): MetricsTarget | undefined {
  if (group !== METRICS_GROUP || version !== METRICS_VERSION) return undefined;
  const [first, second, third, fourth, ...more] = rest;
  if (more.length) return undefined;
  if (first === 'nodes' && third === undefined) return { resource: 'nodes', name: second };
  if (first === 'pods' && second === undefined) return { resource: 'pods' };
  if (first === 'namespaces' && second && third === 'pods')
    return { resource: 'pods', namespace: second, name: fourth };
  return undefined;
}

/** The RBAC request a read of metrics makes: `get` or `list` of `pods`/`nodes` in metrics.k8s.io. */
export function metricsRequest(target: MetricsTarget): Request {
  return {
    verb: target.name === undefined ? 'list' : 'get',
    apiGroup: METRICS_GROUP,
    resource: target.resource,
    namespace: target.namespace,
    name: target.name,
  };
}

/**
 * The answer to a GET: a NodeMetricsList/PodMetricsList (a `labelSelector` narrows it), or
 * one item; undefined when the object has no fresh usage (a 404, as metrics-server answers
 * for a pod it has not scraped yet).
 */
export function metricsAnswer(
  resources: ResourceService,
  target: MetricsTarget,
  labelSelector: string | undefined,
): unknown {
  const selection = { namespace: target.namespace, name: target.name, labelSelector };
  const items =
    target.resource === 'nodes'
      ? nodeMetrics(resources, selection).map(nodeItem)
      : podMetrics(resources, selection).map(podItem);
  if (target.name !== undefined) return items[0];
  const kind = target.resource === 'nodes' ? 'NodeMetricsList' : 'PodMetricsList';
  return { kind, apiVersion: `${METRICS_GROUP}/${METRICS_VERSION}`, metadata: {}, items };
}

function nodeItem(view: NodeMetricsView) {
  return {
    kind: 'NodeMetrics',
    apiVersion: `${METRICS_GROUP}/${METRICS_VERSION}`,
    metadata: view.metadata,
    timestamp: view.timestamp,
    window: view.window,
    usage: quantities(view.usage),
  };
}

function podItem(view: PodMetricsView) {
  return {
    kind: 'PodMetrics',
    apiVersion: `${METRICS_GROUP}/${METRICS_VERSION}`,
    metadata: view.metadata,
    timestamp: view.timestamp,
    window: view.window,
    containers: view.containers.map(({ name, usage }) => ({ name, usage: quantities(usage) })),
  };
}

function quantities(usage: Usage) {
  return { cpu: cpuQuantity(usage.cpuNanoCores), memory: memoryQuantity(usage.memoryBytes) };
}
