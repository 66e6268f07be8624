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
import { daemonSetKind } from './daemonset.ts';
import { deploymentKind } from './deployment.ts';
import { endpointsKind } from './endpoints.ts';
import { eventKind } from './event.ts';
import { hpaKind } from './hpa.ts';
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
] as KindDefinition[];

const byName = new Map(KINDS.map((def) => [def.kind, def]));

export function kindByName(kind: string): KindDefinition | undefined {
  return byName.get(kind);
}
