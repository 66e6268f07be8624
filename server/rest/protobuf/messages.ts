import { APIEXTENSIONS_FIELDS } from './fields/apiextensions.ts';
import { APPS_FIELDS } from './fields/apps.ts';
import { AUTOSCALING_FIELDS } from './fields/autoscaling.ts';
import { AUTOSCALING_V1_FIELDS } from './fields/autoscaling-v1.ts';
import { BATCH_FIELDS } from './fields/batch.ts';
import { COORDINATION_FIELDS } from './fields/coordination.ts';
import { CORE_VOLUMES_FIELDS } from './fields/core-volumes.ts';
import { CORE_FIELDS } from './fields/core.ts';
import { DISCOVERY_FIELDS } from './fields/discovery.ts';
import { META_FIELDS } from './fields/meta.ts';
import { NETWORKING_FIELDS } from './fields/networking.ts';
import { POLICY_FIELDS } from './fields/policy.ts';
import { RBAC_FIELDS } from './fields/rbac.ts';
import { REVIEWS_FIELDS } from './fields/reviews.ts';
import { STORAGE_FIELDS } from './fields/storage.ts';
import { parseFields, type Field, type MessageFields } from './message-fields.ts';

/** Every message table; no message name is in two of them. */
export const TABLES: readonly MessageFields[] = [
  META_FIELDS,
  CORE_FIELDS,
  CORE_VOLUMES_FIELDS,
  APPS_FIELDS,
  BATCH_FIELDS,
  AUTOSCALING_FIELDS,
  AUTOSCALING_V1_FIELDS,
  NETWORKING_FIELDS,
  DISCOVERY_FIELDS,
  RBAC_FIELDS,
  STORAGE_FIELDS,
  POLICY_FIELDS,
  COORDINATION_FIELDS,
  REVIEWS_FIELDS,
  APIEXTENSIONS_FIELDS,
];

/**
 * The objects a protobuf body may hold, by group-version: the kinds the server serves and
 * the requests it answers at once. A message's name is its kind.
 */
export const PROTOBUF_KINDS: Readonly<Record<string, readonly string[]>> = {
  v1: [
    'Namespace',
    'Node',
    'Pod',
    'Service',
    'Endpoints',
    'ConfigMap',
    'Secret',
    'Event',
    'ReplicationController',
    'ServiceAccount',
    'PersistentVolume',
    'PersistentVolumeClaim',
    'LimitRange',
    'ResourceQuota',
  ],
  'apps/v1': ['ReplicaSet', 'Deployment', 'StatefulSet', 'DaemonSet', 'ControllerRevision'],
  'batch/v1': ['Job', 'CronJob'],
  'autoscaling/v2': ['HorizontalPodAutoscaler'],
  'autoscaling/v1': ['HorizontalPodAutoscaler'],
  'rbac.authorization.k8s.io/v1': ['Role', 'ClusterRole', 'RoleBinding', 'ClusterRoleBinding'],
  'storage.k8s.io/v1': ['StorageClass'],
  'networking.k8s.io/v1': ['Ingress', 'IngressClass', 'NetworkPolicy'],
  'discovery.k8s.io/v1': ['EndpointSlice'],
  'policy/v1': ['PodDisruptionBudget', 'Eviction'],
  'coordination.k8s.io/v1': ['Lease'],
  'apiextensions.k8s.io/v1': ['CustomResourceDefinition'],
  'authentication.k8s.io/v1': ['TokenRequest', 'SelfSubjectReview'],
  'authorization.k8s.io/v1': ['SelfSubjectAccessReview', 'SelfSubjectRulesReview'],
};

const lines = new Map(TABLES.flatMap((table) => Object.entries(table)));
const parsed = new Map<string, Map<number, Field>>();

/** A message's fields by number; undefined for a message no table has. */
export function messageFields(name: string): Map<number, Field> | undefined {
  let fields = parsed.get(name);
  if (!fields) {
    const line = lines.get(name);
    if (line === undefined) return undefined;
    fields = parseFields(line);
    parsed.set(name, fields);
  }
  return fields;
}

/** Messages named apart from their kind: a kind served at two versions has a message for each. */
const VERSIONED_MESSAGES: Readonly<Record<string, string>> = {
  'autoscaling/v1 HorizontalPodAutoscaler': 'HorizontalPodAutoscalerV1',
};

/** The message a protobuf body of this group-version and kind holds. */
export function messageOf(apiVersion: string, kind: string): string {
  return VERSIONED_MESSAGES[`${apiVersion} ${kind}`] ?? kind;
}

/** Whether a protobuf body of this group-version and kind can be decoded. */
export function isProtobufKind(apiVersion: string, kind: string): boolean {
  // Every group-version takes DeleteOptions (a DELETE's body), as Kubernetes registers it in each.
  if (kind === 'DeleteOptions') return apiVersion in PROTOBUF_KINDS;
  return PROTOBUF_KINDS[apiVersion]?.includes(kind) ?? false;
}
