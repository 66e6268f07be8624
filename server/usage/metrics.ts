import { fieldError, joinPath, type FieldError } from '../../schema/field-error.ts';
import type { Resource } from '../../schema/kind.ts';
import { kindByName } from '../../schema/kinds/index.ts';
import { parseQuantity } from '../../schema/quantity.ts';
import { invalid, notFound } from '../errors.ts';
import type { ResourceService } from '../resources/service.ts';
import { percentOf, topCpu, topMemory, windowText } from './quantities.ts';
import { usageStoreOf, type PodUsage } from './store.ts';

/** What a node agent reports once per interval (the reportNodeUsage mutation's input). */
export interface NodeUsageReport {
  nodeName: string;
  /** RFC 3339: when the node's sample was taken. */
  timestamp: string;
  windowSeconds: number;
  cpuNanoCores: number;
  memoryWorkingSetBytes: number;
  pods: Array<{
    namespace: string;
    name: string;
    uid: string;
    timestamp: string;
    windowSeconds: number;
    containers: Array<{ name: string; cpuNanoCores: number; memoryWorkingSetBytes: number }>;
  }>;
}

/** CPU (nanocores) and memory (bytes) of a container, a pod or a node; the schema derives the quantities. */
export interface Usage {
  cpuNanoCores: number;
  memoryBytes: number;
}

export interface PodMetricsView {
  metadata: { name: string; namespace: string; labels?: Record<string, string> };
  timestamp: string;
  window: string;
  containers: Array<{ name: string; usage: Usage }>;
  usage: Usage;
  top: { name: string; namespace: string; cpu: string; memory: string };
}

export interface NodeMetricsView {
  metadata: { name: string; labels?: Record<string, string> };
  timestamp: string;
  window: string;
  usage: Usage;
  cpuPercent?: number;
  memoryPercent?: number;
  top: { name: string; cpu: string; cpuPercent: string; memory: string; memoryPercent: string };
}

const POD = () => kindByName('Pod')!;
const NODE = () => kindByName('Node')!;

function checkNumber(value: number, path: string, errors: FieldError[]): void {
  if (!Number.isFinite(value) || value < 0)
    errors.push(fieldError(path, 'Invalid', `Invalid value: ${value}: must be a non-negative number`));
}

function checkTime(value: string, path: string, errors: FieldError[]): number {
  const ms = Date.parse(value);
  if (Number.isNaN(ms))
    errors.push(fieldError(path, 'Invalid', `Invalid value: "${value}": must be an RFC 3339 time`));
  return ms;
}

/**
 * Stores a node's usage report, replacing what the node reported before. The node must
 * be registered (NOT_FOUND otherwise); pods not bound to it as reported (name and uid)
 * are left out, so a node can only speak for its own pods.
 */
export function reportNodeUsage(resources: ResourceService, report: NodeUsageReport): boolean {
  const errors: FieldError[] = [];
  const at = checkTime(report.timestamp, 'timestamp', errors);
  checkNumber(report.windowSeconds, 'windowSeconds', errors);
  checkNumber(report.cpuNanoCores, 'cpuNanoCores', errors);
  checkNumber(report.memoryWorkingSetBytes, 'memoryWorkingSetBytes', errors);
  const pods: Array<[uid: string, usage: PodUsage]> = [];
  report.pods.forEach((pod, i) => {
    const path = joinPath('pods', i);
    const podAt = checkTime(pod.timestamp, joinPath(path, 'timestamp'), errors);
    checkNumber(pod.windowSeconds, joinPath(path, 'windowSeconds'), errors);
    pod.containers.forEach((c, j) => {
      const at = joinPath(joinPath(path, 'containers'), j);
      checkNumber(c.cpuNanoCores, joinPath(at, 'cpuNanoCores'), errors);
      checkNumber(c.memoryWorkingSetBytes, joinPath(at, 'memoryWorkingSetBytes'), errors);
    });
    const stored = resources.get(POD(), pod.namespace, pod.name);
    if (
      stored?.metadata.uid !== pod.uid ||
      (stored.spec as { nodeName?: string })?.nodeName !== report.nodeName
    )
      return;
    pods.push([
      pod.uid,
      {
        namespace: pod.namespace,
        name: pod.name,
        uid: pod.uid,
        timestamp: podAt,
        windowMs: pod.windowSeconds * 1000,
        containers: pod.containers.map((c) => ({
          name: c.name,
          cpuNanoCores: c.cpuNanoCores,
          memoryBytes: c.memoryWorkingSetBytes,
        })),
      },
    ]);
  });
  if (errors.length) throw invalid('NodeUsageReport', report.nodeName, errors);
  if (!resources.get(NODE(), undefined, report.nodeName)) throw notFound('nodes', report.nodeName);
  usageStoreOf(resources).report({
    name: report.nodeName,
    timestamp: at,
    windowMs: report.windowSeconds * 1000,
    cpuNanoCores: report.cpuNanoCores,
    memoryBytes: report.memoryWorkingSetBytes,
    pods: new Map(pods),
  });
  return true;
}

function sum(usages: Usage[]): Usage {
  return {
    cpuNanoCores: usages.reduce((total, u) => total + u.cpuNanoCores, 0),
    memoryBytes: usages.reduce((total, u) => total + u.memoryBytes, 0),
  };
}

/** The metrics of one pod as metrics.k8s.io/v1beta1 serves them, or undefined without fresh usage. */
export function podMetricsOf(resources: ResourceService, pod: Resource): PodMetricsView | undefined {
  const nodeName = (pod.spec as { nodeName?: string } | undefined)?.nodeName;
  const usage = usageStoreOf(resources).pod(nodeName, pod.metadata.uid);
  if (!usage) return undefined;
  const containers = usage.containers.map((c) => ({
    name: c.name,
    usage: { cpuNanoCores: c.cpuNanoCores, memoryBytes: c.memoryBytes },
  }));
  const total = sum(containers.map((c) => c.usage));
  const { name, namespace = 'default', labels } = pod.metadata;
  return {
    metadata: { name: name!, namespace, ...(labels ? { labels } : {}) },
    timestamp: new Date(usage.timestamp).toISOString(),
    window: windowText(usage.windowMs),
    containers,
    usage: total,
    top: { name: name!, namespace, cpu: topCpu(total.cpuNanoCores), memory: topMemory(total.memoryBytes) },
  };
}

/** The metrics of one node, with its usage as a share of its allocatable (`kubectl top node`). */
export function nodeMetricsOf(resources: ResourceService, node: Resource): NodeMetricsView | undefined {
  const usage = usageStoreOf(resources).node(node.metadata.name!);
  if (!usage) return undefined;
  const allocatable = (node.status as { allocatable?: Record<string, string | number> } | undefined)
    ?.allocatable;
  const cores = allocatable?.cpu === undefined ? undefined : parseQuantity(allocatable.cpu);
  const memory = allocatable?.memory === undefined ? undefined : parseQuantity(allocatable.memory);
  // kubectl compares millicores with millicores.
  const cpuPercent = percentOf(
    Math.ceil(usage.cpuNanoCores / 1e6),
    cores === undefined ? undefined : Math.round(cores * 1000),
  );
  const memoryPercent = percentOf(usage.memoryBytes, memory);
  const { name, labels } = node.metadata;
  const percent = (value: number | undefined) => (value === undefined ? '<unknown>' : `${value}%`);
  return {
    metadata: { name: name!, ...(labels ? { labels } : {}) },
    timestamp: new Date(usage.timestamp).toISOString(),
    window: windowText(usage.windowMs),
    usage: { cpuNanoCores: usage.cpuNanoCores, memoryBytes: usage.memoryBytes },
    ...(cpuPercent === undefined ? {} : { cpuPercent }),
    ...(memoryPercent === undefined ? {} : { memoryPercent }),
    top: {
      name: name!,
      cpu: topCpu(usage.cpuNanoCores),
      cpuPercent: percent(cpuPercent),
      memory: topMemory(usage.memoryBytes),
      memoryPercent: percent(memoryPercent),
    },
  };
}

export interface MetricsSelection {
  namespace?: string;
  labelSelector?: string;
  name?: string;
}

/** A name narrows a list as `metadata.name=<name>` does. */
function byName(name: string | undefined): string | undefined {
  return name === undefined ? undefined : `metadata.name=${name}`;
}

/** PodMetrics of the selected pods that have fresh usage, in namespace/name order. */
export function podMetrics(resources: ResourceService, selection: MetricsSelection): PodMetricsView[] {
  const { items } = resources.list(POD(), {
    namespace: selection.namespace,
    labelSelector: selection.labelSelector,
    fieldSelector: byName(selection.name),
  });
  return items.map((pod) => podMetricsOf(resources, pod)).filter((m): m is PodMetricsView => !!m);
}

/** NodeMetrics of the selected nodes that have fresh usage, in name order. */
export function nodeMetrics(
  resources: ResourceService,
  selection: Omit<MetricsSelection, 'namespace'>,
): NodeMetricsView[] {
  const { items } = resources.list(NODE(), {
    labelSelector: selection.labelSelector,
    fieldSelector: byName(selection.name),
  });
  return items.map((node) => nodeMetricsOf(resources, node)).filter((m): m is NodeMetricsView => !!m);
}
