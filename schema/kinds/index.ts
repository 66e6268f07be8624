import type { KindDefinition } from '../kind.ts';
import { clusterRoleKind } from './clusterrole.ts';
import { clusterRoleBindingKind } from './clusterrolebinding.ts';
import { ingressKind } from './ingress.ts';
import { ingressClassKind } from './ingressclass.ts';
import { limitRangeKind } from './limitrange.ts';
import { networkPolicyKind } from './networkpolicy.ts';
import { persistentVolumeKind } from './persistentvolume.ts';
import { persistentVolumeClaimKind } from './persistentvolumeclaim.ts';
import { podDisruptionBudgetKind } from './poddisruptionbudget.ts';
import { replicationControllerKind } from './replicationcontroller.ts';
import { resourceQuotaKind } from './resourcequota.ts';
import { roleKind } from './role.ts';
import { roleBindingKind } from './rolebinding.ts';
import { serviceAccountKind } from './serviceaccount.ts';
import { storageClassKind } from './storageclass.ts';
import { configMapKind } from './configmap.ts';
import { controllerRevisionKind } from './controllerrevision.ts';
import { cronJobKind } from './cronjob.ts';
import { customResourceDefinitionKind } from './customresourcedefinition.ts';
import { daemonSetKind } from './daemonset.ts';
import { deploymentKind } from './deployment.ts';
import { dynamicKind } from './dynamic-kinds.ts';
import { endpointsKind } from './endpoints.ts';
import { endpointSliceKind } from './endpointslice.ts';
import { eventKind } from './event.ts';
import { hpaKind } from './hpa.ts';
import { hpaV1Kind } from './hpa-v1.ts';
import { jobKind } from './job.ts';
import { leaseKind } from './lease.ts';
import { namespaceKind } from './namespace.ts';
import { nodeKind } from './node.ts';
import { podKind } from './pod.ts';
import { replicaSetKind } from './replicaset.ts';
import { secretKind } from './secret.ts';
import { serviceKind } from './service.ts';
import { statefulSetKind } from './statefulset.ts';

/** Every kind the cluster serves. */
export const KINDS: KindDefinition[] = [
  namespaceKind,
  nodeKind,
  leaseKind,
  podKind,
  replicaSetKind,
  deploymentKind,
  statefulSetKind,
  daemonSetKind,
  controllerRevisionKind,
  jobKind,
  cronJobKind,
  serviceKind,
  endpointsKind,
  endpointSliceKind,
  configMapKind,
  secretKind,
  eventKind,
  hpaKind,
  replicationControllerKind,
  serviceAccountKind,
  roleKind,
  clusterRoleKind,
  roleBindingKind,
  clusterRoleBindingKind,
  persistentVolumeKind,
  persistentVolumeClaimKind,
  storageClassKind,
  ingressKind,
  ingressClassKind,
  networkPolicyKind,
  limitRangeKind,
  resourceQuotaKind,
  podDisruptionBudgetKind,
  customResourceDefinitionKind,
] as KindDefinition[];

/**
 * Kinds also served at a version other than the stored one: the server converts what is
 * read and written at it (server/conversion/). Not stored, so not among KINDS.
 */
export const CONVERTED_KINDS: KindDefinition[] = [hpaV1Kind] as KindDefinition[];

/** Whether a manifest of `kind` at `apiVersion` is taken, at the stored version or a converted one. */
export function isServedVersion(kind: string, apiVersion: string): boolean {
  return [...KINDS, ...CONVERTED_KINDS].some((def) => def.kind === kind && def.apiVersion === apiVersion);
}

const byName = new Map(KINDS.map((def) => [def.kind, def]));

/** A static kind, or else a custom resource served while the server runs (dynamic-kinds.ts). */
export function kindByName(kind: string): KindDefinition | undefined {
  return byName.get(kind) ?? dynamicKind(kind);
}
