import type { Resource } from '../../client/types.ts';
import type * as G from '../../client/generated/graphql.ts';

/** Each kind's GraphQL object type, generated from the committed SDL (schema/schema.graphql). */
export interface KindTypes {
  Pod: G.Pod;
  Deployment: G.Deployment;
  ReplicaSet: G.ReplicaSet;
  StatefulSet: G.StatefulSet;
  DaemonSet: G.DaemonSet;
  Job: G.Job;
  CronJob: G.CronJob;
  HorizontalPodAutoscaler: G.HorizontalPodAutoscaler;
  Service: G.Service;
  Endpoints: G.Endpoints;
  ConfigMap: G.ConfigMap;
  Secret: G.Secret;
  Node: G.Node;
  Namespace: G.Namespace;
  Event: G.Event;
  Lease: G.Lease;
}
export type KindName = keyof KindTypes;

/** The graph edges GraphQL adds to an object; `manifest` (what informers hold) has none of them. */
type Edges =
  '__typename' | 'manifest' | 'events' | 'owner' | 'pods' | 'replicaSets' | 'node' | 'endpoints' | 'jobs';

/** An object of kind K as the SDK's informers and `manifest` return it. */
export type Manifest<K extends KindName> = Omit<KindTypes[K], Edges> & Resource;

export interface KindInfo {
  kind: KindName;
  /** The URL segment and the sidebar label: /deployments. */
  plural: string;
  namespaced: boolean;
  /** The API group RBAC rules name it by ('' is the core group). */
  apiGroup: string;
  group: 'Workloads' | 'Network' | 'Config' | 'Cluster';
}

/** Every kind the API serves, in the order the sidebar shows them. */
export const KINDS: KindInfo[] = [
  { kind: 'Pod', plural: 'pods', namespaced: true, apiGroup: '', group: 'Workloads' },
  { kind: 'Deployment', plural: 'deployments', namespaced: true, apiGroup: 'apps', group: 'Workloads' },
  { kind: 'ReplicaSet', plural: 'replicasets', namespaced: true, apiGroup: 'apps', group: 'Workloads' },
  { kind: 'StatefulSet', plural: 'statefulsets', namespaced: true, apiGroup: 'apps', group: 'Workloads' },
  { kind: 'DaemonSet', plural: 'daemonsets', namespaced: true, apiGroup: 'apps', group: 'Workloads' },
  { kind: 'Job', plural: 'jobs', namespaced: true, apiGroup: 'batch', group: 'Workloads' },
  { kind: 'CronJob', plural: 'cronjobs', namespaced: true, apiGroup: 'batch', group: 'Workloads' },
  {
    kind: 'HorizontalPodAutoscaler',
    plural: 'horizontalpodautoscalers',
    namespaced: true,
    apiGroup: 'autoscaling',
    group: 'Workloads',
  },
  { kind: 'Service', plural: 'services', namespaced: true, apiGroup: '', group: 'Network' },
  { kind: 'Endpoints', plural: 'endpoints', namespaced: true, apiGroup: '', group: 'Network' },
  { kind: 'ConfigMap', plural: 'configmaps', namespaced: true, apiGroup: '', group: 'Config' },
  { kind: 'Secret', plural: 'secrets', namespaced: true, apiGroup: '', group: 'Config' },
  { kind: 'Node', plural: 'nodes', namespaced: false, apiGroup: '', group: 'Cluster' },
  { kind: 'Namespace', plural: 'namespaces', namespaced: false, apiGroup: '', group: 'Cluster' },
  { kind: 'Event', plural: 'events', namespaced: true, apiGroup: '', group: 'Cluster' },
  { kind: 'Lease', plural: 'leases', namespaced: true, apiGroup: 'coordination.k8s.io', group: 'Cluster' },
];

export function kindInfo(kind: string): KindInfo | undefined {
  return KINDS.find((info) => info.kind === kind);
}

export function kindByPlural(plural: string): KindInfo | undefined {
  return KINDS.find((info) => info.plural === plural);
}

/** The dashboard's address of an object: /pods/default/web-1, /nodes/hollow-1. */
export function pathOf(kind: string, name: string, namespace?: string | null): string {
  const info = kindInfo(kind);
  if (!info) return '/';
  const parts = [info.plural, ...(info.namespaced && namespace ? [namespace] : []), name];
  return '/' + parts.map(encodeURIComponent).join('/');
}
