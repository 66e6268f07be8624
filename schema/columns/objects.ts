import type { Resource } from '../kind.ts';
import type { ConfigMap } from '../kinds/configmap.ts';
import type { ControllerRevision } from '../kinds/controllerrevision.ts';
import type { CronJob } from '../kinds/cronjob.ts';
import type { CustomResourceDefinition } from '../kinds/customresourcedefinition.ts';
import type { DaemonSet } from '../kinds/daemonset.ts';
import type { Deployment } from '../kinds/deployment.ts';
import type { Endpoints } from '../kinds/endpoints.ts';
import type { EndpointSlice } from '../kinds/endpointslice.ts';
import type { Event } from '../kinds/event.ts';
import type { HorizontalPodAutoscaler } from '../kinds/hpa.ts';
import type { Job } from '../kinds/job.ts';
import type { Lease } from '../kinds/lease.ts';
import type { Namespace } from '../kinds/namespace.ts';
import type { Node } from '../kinds/node.ts';
import type { Pod, PodStatus } from '../kinds/pod.ts';
import type { ReplicaSet } from '../kinds/replicaset.ts';
import type { Secret } from '../kinds/secret.ts';
import type { Service } from '../kinds/service.ts';
import type { StatefulSet } from '../kinds/statefulset.ts';
import type { ClusterRole } from '../kinds/clusterrole.ts';
import type { ClusterRoleBinding } from '../kinds/clusterrolebinding.ts';
import type { Ingress } from '../kinds/ingress.ts';
import type { IngressClass } from '../kinds/ingressclass.ts';
import type { LimitRange } from '../kinds/limitrange.ts';
import type { NetworkPolicy } from '../kinds/networkpolicy.ts';
import type { PersistentVolume } from '../kinds/persistentvolume.ts';
import type { PersistentVolumeClaim } from '../kinds/persistentvolumeclaim.ts';
import type { PodDisruptionBudget } from '../kinds/poddisruptionbudget.ts';
import type { ReplicationController } from '../kinds/replicationcontroller.ts';
import type { ResourceQuota } from '../kinds/resourcequota.ts';
import type { Role } from '../kinds/role.ts';
import type { RoleBinding } from '../kinds/rolebinding.ts';
import type { ServiceAccount } from '../kinds/serviceaccount.ts';
import type { StorageClass } from '../kinds/storageclass.ts';

/** An object of one kind as the API returns it: a Resource, typed by its kind's schema. */
export type KindObject<T> = Resource & T;

export type PodObject = KindObject<Pod>;
export type DeploymentObject = KindObject<Deployment>;
export type ReplicaSetObject = KindObject<ReplicaSet>;
export type StatefulSetObject = KindObject<StatefulSet>;
export type DaemonSetObject = KindObject<DaemonSet>;
export type JobObject = KindObject<Job>;
export type ServiceObject = KindObject<Service>;
export type EndpointsObject = KindObject<Endpoints>;
export type NodeObject = KindObject<Node>;
export type NamespaceObject = KindObject<Namespace>;
export type ConfigMapObject = KindObject<ConfigMap>;
export type SecretObject = KindObject<Secret>;
export type EventObject = KindObject<Event>;

/** The kinds kq prints (table columns) or describes in their own way, by kind name. */
export interface KindObjects {
  Pod: PodObject;
  Deployment: DeploymentObject;
  ReplicaSet: ReplicaSetObject;
  StatefulSet: StatefulSetObject;
  DaemonSet: DaemonSetObject;
  ControllerRevision: KindObject<ControllerRevision>;
  Job: JobObject;
  CronJob: KindObject<CronJob>;
  Service: ServiceObject;
  Endpoints: EndpointsObject;
  EndpointSlice: KindObject<EndpointSlice>;
  Node: NodeObject;
  Namespace: NamespaceObject;
  ConfigMap: ConfigMapObject;
  Secret: SecretObject;
  Event: EventObject;
  Lease: KindObject<Lease>;
  HorizontalPodAutoscaler: KindObject<HorizontalPodAutoscaler>;
  ReplicationController: KindObject<ReplicationController>;
  ServiceAccount: KindObject<ServiceAccount>;
  Role: KindObject<Role>;
  ClusterRole: KindObject<ClusterRole>;
  RoleBinding: KindObject<RoleBinding>;
  ClusterRoleBinding: KindObject<ClusterRoleBinding>;
  PersistentVolume: KindObject<PersistentVolume>;
  PersistentVolumeClaim: KindObject<PersistentVolumeClaim>;
  StorageClass: KindObject<StorageClass>;
  Ingress: KindObject<Ingress>;
  IngressClass: KindObject<IngressClass>;
  NetworkPolicy: KindObject<NetworkPolicy>;
  LimitRange: KindObject<LimitRange>;
  ResourceQuota: KindObject<ResourceQuota>;
  PodDisruptionBudget: KindObject<PodDisruptionBudget>;
  CustomResourceDefinition: KindObject<CustomResourceDefinition>;
}

/** A condition, as every kind's status lists them. */
export type Condition = NonNullable<PodStatus['conditions']>[number];
export type ContainerStatus = NonNullable<PodStatus['containerStatuses']>[number];

/** An object's creation time: a Resource's metadata does not promise one, so only a string counts. */
export function creationTimestamp(obj: Resource): string | undefined {
  const value = obj.metadata.creationTimestamp;
  return typeof value === 'string' ? value : undefined;
}

/**
 * The value at a dotted path (`spec.selector.matchLabels`) of an object whose shape is
 * not known; undefined where a step is missing or not an object.
 */
export function field(value: unknown, path: string): unknown {
  let at = value;
  for (const key of path.split('.')) {
    if (!isObject(at)) return undefined;
    at = at[key];
  }
  return at;
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null;

/** Whether an object is of one of these kinds, as its `kind` says: then it has that kind's shape. */
export function isKind<K extends keyof KindObjects>(obj: Resource, ...kinds: K[]): obj is KindObjects[K] {
  return kinds.some((kind) => kind === obj.kind);
}
