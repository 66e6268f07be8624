import type { ObjectRef } from '@pothos/core';
import {
  nodeMetrics,
  nodeMetricsOf,
  podMetrics,
  podMetricsOf,
  reportNodeUsage,
  type NodeMetricsView,
  type PodMetricsView,
  type Usage,
} from '../usage/metrics.ts';
import { cpuQuantity, memoryQuantity, millicores } from '../usage/quantities.ts';
import { builder, type Context, type Types } from './builder.ts';
import { nodeAgent, requires } from './field-access.ts';
import type { Request } from '../auth/access-control.ts';
import type { Resource } from '../../schema/kind.ts';

type Refs = Record<string, ObjectRef<Types, Resource>>;

const METRICS_API_VERSION = 'metrics.k8s.io/v1beta1';

const ResourceUsageRef = builder.objectRef<Usage>('ResourceUsage').implement({
  description:
    'CPU and memory in use, as metrics-server serves them (`cpu`, `memory`) and as numbers for tools.',
  fields: (t) => ({
    cpu: t.field({
      type: 'Quantity',
      nullable: false,
      description:
        'Cores in use over the window, canonical as metrics-server writes it: "250m", "12345678n".',
      resolve: (u) => cpuQuantity(u.cpuNanoCores),
    }),
    memory: t.field({
      type: 'Quantity',
      nullable: false,
      description: 'Working set, canonical binary: "64Mi", "1516924Ki".',
      resolve: (u) => memoryQuantity(u.memoryBytes),
    }),
    cpuNanoCores: t.float({ nullable: false, resolve: (u) => u.cpuNanoCores }),
    cpuMillicores: t.int({
      nullable: false,
      description: 'Rounded up, as `kubectl top` shows it.',
      resolve: (u) => millicores(u.cpuNanoCores),
    }),
    memoryBytes: t.float({ nullable: false, resolve: (u) => u.memoryBytes }),
  }),
});

const MetricsMetaRef = builder
  .objectRef<{ name: string; namespace?: string; labels?: Record<string, string> }>('MetricsMeta')
  .implement({
    description: 'The measured object: its name, namespace and labels.',
    fields: (t) => ({
      name: t.exposeString('name', { nullable: false }),
      namespace: t.exposeString('namespace'),
      labels: t.field({ type: 'StringMap', resolve: (m) => m.labels }),
    }),
  });

const ContainerMetricsRef = builder
  .objectRef<PodMetricsView['containers'][number]>('ContainerMetrics')
  .implement({
    fields: (t) => ({
      name: t.exposeString('name', { nullable: false }),
      usage: t.field({ type: ResourceUsageRef, nullable: false, resolve: (c) => c.usage }),
    }),
  });

const PodTopRowRef = builder.objectRef<PodMetricsView['top']>('PodTopRow').implement({
  description: 'A row of `kubectl top pods`: NAME CPU(cores) MEMORY(bytes), formatted as kubectl prints it.',
  fields: (t) => ({
    name: t.exposeString('name', { nullable: false }),
    namespace: t.exposeString('namespace', { nullable: false }),
    cpu: t.exposeString('cpu', { nullable: false, description: 'Millicores, rounded up: "250m".' }),
    memory: t.exposeString('memory', { nullable: false, description: 'Whole MiB, rounded down: "12Mi".' }),
  }),
});

const NodeTopRowRef = builder.objectRef<NodeMetricsView['top']>('NodeTopRow').implement({
  description:
    'A row of `kubectl top nodes`: NAME CPU(cores) CPU% MEMORY(bytes) MEMORY%, formatted as kubectl prints it.',
  fields: (t) => ({
    name: t.exposeString('name', { nullable: false }),
    cpu: t.exposeString('cpu', { nullable: false }),
    cpuPercent: t.exposeString('cpuPercent', {
      nullable: false,
      description: 'Of the allocatable CPU: "6%", or "<unknown>".',
    }),
    memory: t.exposeString('memory', { nullable: false }),
    memoryPercent: t.exposeString('memoryPercent', { nullable: false }),
  }),
});

const PodMetricsRef = builder.objectRef<PodMetricsView>('PodMetrics').implement({
  description:
    "A pod's latest resource usage, as metrics.k8s.io/v1beta1 PodMetrics: per container, over `window` ending at `timestamp`.",
  fields: (t) => ({
    apiVersion: t.string({ nullable: false, resolve: () => METRICS_API_VERSION }),
    kind: t.string({ nullable: false, resolve: () => 'PodMetrics' }),
    metadata: t.field({ type: MetricsMetaRef, nullable: false, resolve: (m) => m.metadata }),
    timestamp: t.exposeString('timestamp', { nullable: false }),
    window: t.exposeString('window', { nullable: false, description: 'A duration: "10s".' }),
    containers: t.field({ type: [ContainerMetricsRef], nullable: false, resolve: (m) => m.containers }),
    usage: t.field({
      type: ResourceUsageRef,
      nullable: false,
      description: 'The sum over the containers.',
      resolve: (m) => m.usage,
    }),
    top: t.field({ type: PodTopRowRef, nullable: false, resolve: (m) => m.top }),
  }),
});

const NodeMetricsRef = builder.objectRef<NodeMetricsView>('NodeMetrics').implement({
  description: "A node's latest resource usage, as metrics.k8s.io/v1beta1 NodeMetrics.",
  fields: (t) => ({
    apiVersion: t.string({ nullable: false, resolve: () => METRICS_API_VERSION }),
    kind: t.string({ nullable: false, resolve: () => 'NodeMetrics' }),
    metadata: t.field({ type: MetricsMetaRef, nullable: false, resolve: (m) => m.metadata }),
    timestamp: t.exposeString('timestamp', { nullable: false }),
    window: t.exposeString('window', { nullable: false }),
    usage: t.field({ type: ResourceUsageRef, nullable: false, resolve: (m) => m.usage }),
    cpuPercent: t.exposeInt('cpuPercent', {
      description: "Usage as a percentage of the node's allocatable CPU (floored); null when unknown.",
    }),
    memoryPercent: t.exposeInt('memoryPercent'),
    top: t.field({ type: NodeTopRowRef, nullable: false, resolve: (m) => m.top }),
  }),
});

const ContainerUsageInputRef = builder.inputType('ContainerUsageInput', {
  fields: (t) => ({
    name: t.string({ required: true }),
    cpuNanoCores: t.float({ required: true, description: 'The CPU rate over the window.' }),
    memoryWorkingSetBytes: t.float({ required: true }),
  }),
});

const PodUsageInputRef = builder.inputType('PodUsageInput', {
  fields: (t) => ({
    namespace: t.string({ required: true }),
    name: t.string({ required: true }),
    uid: t.string({ required: true }),
    timestamp: t.string({ required: true, description: 'RFC 3339: when the later sample was taken.' }),
    windowSeconds: t.float({ required: true, description: 'The time between the two samples.' }),
    containers: t.field({ type: [ContainerUsageInputRef], required: true }),
  }),
});

const NodeUsageReportInputRef = builder.inputType('NodeUsageReportInput', {
  description: "A node agent's usage report: the node's own usage and that of every running pod on it.",
  fields: (t) => ({
    nodeName: t.string({ required: true }),
    timestamp: t.string({ required: true }),
    windowSeconds: t.float({ required: true }),
    cpuNanoCores: t.float({ required: true }),
    memoryWorkingSetBytes: t.float({ required: true }),
    pods: t.field({ type: [PodUsageInputRef], required: true }),
  }),
});

/**
 * The resource metrics API (kubeql's metrics.k8s.io): node agents report usage, and
 * `kubectl top`, the dashboard and the HorizontalPodAutoscaler read it. Usage lives in
 * the API server's memory only (server/usage), as metrics-server keeps it.
 */
export function registerUsage(refs: Refs): void {
  builder.queryFields((t) => ({
    podMetrics: t.field({
      type: [PodMetricsRef],
      nullable: false,
      description:
        'The latest usage of the selected pods (`kubectl top pods`); pods without fresh usage are left out.',
      args: {
        namespace: t.arg.string({ description: 'Omit for every namespace.' }),
        labelSelector: t.arg.string(),
        name: t.arg.string(),
      },
      ...requires((args: { namespace?: string | null; name?: string | null }) =>
        metricsOf('pods', args.namespace, args.name),
      ),
      resolve: (_root, args, ctx: Context) =>
        podMetrics(ctx.resources.unguarded(), {
          namespace: args.namespace ?? undefined,
          labelSelector: args.labelSelector ?? undefined,
          name: args.name ?? undefined,
        }),
    }),
    nodeMetrics: t.field({
      type: [NodeMetricsRef],
      nullable: false,
      description:
        'The latest usage of the selected nodes (`kubectl top nodes`); nodes without fresh usage are left out.',
      args: { name: t.arg.string(), labelSelector: t.arg.string() },
      ...requires((args: { name?: string | null }) => metricsOf('nodes', undefined, args.name)),
      resolve: (_root, args, ctx: Context) =>
        nodeMetrics(ctx.resources.unguarded(), {
          name: args.name ?? undefined,
          labelSelector: args.labelSelector ?? undefined,
        }),
    }),
  }));

  builder.mutationField('reportNodeUsage', (t) =>
    t.boolean({
      nullable: false,
      description:
        "For node agents: replaces the node's usage and its pods' with this report (one per interval).",
      args: { report: t.arg({ type: NodeUsageReportInputRef, required: true }) },
      ...requires((args: { report: { nodeName: string } }) => nodeAgent(args.report.nodeName)),
      resolve: (_root, args, ctx: Context) => reportNodeUsage(ctx.resources, args.report),
    }),
  );

  builder.objectField(refs.Pod, 'usage', (t) =>
    t.field({
      type: PodMetricsRef,
      description: "The pod's latest resource usage, or null without fresh usage.",
      ...requires((_args, pod: Resource) => metricsOf('pods', pod.metadata.namespace, pod.metadata.name)),
      resolve: (pod, _args, ctx) => podMetricsOf(ctx.resources.unguarded(), pod),
    }),
  );
  builder.objectField(refs.Node, 'usage', (t) =>
    t.field({
      type: NodeMetricsRef,
      description: "The node's latest resource usage, or null without fresh usage.",
      ...requires((_args, node: Resource) => metricsOf('nodes', undefined, node.metadata.name)),
      resolve: (node, _args, ctx) => nodeMetricsOf(ctx.resources.unguarded(), node),
    }),
  );
}

/**
 * Reading usage is reading the metrics.k8s.io resource of the same name, as `kubectl top`
 * does against metrics-server: `get` of one object, else `list` (across namespaces without one).
 * That alone: the resolvers read the pods and nodes measured unguarded.
 */
function metricsOf(resource: 'pods' | 'nodes', namespace?: string | null, name?: string | null): Request {
  return {
    verb: name ? 'get' : 'list',
    apiGroup: 'metrics.k8s.io',
    resource,
    namespace: namespace ?? undefined,
    name: name ?? undefined,
  };
}
