import type { KindAdmission } from './admission.ts';
import { configMapAdmission } from './configmap.ts';
import { controllerRevisionAdmission } from './controllerrevision.ts';
import { cronJobAdmission } from './cronjob.ts';
import { customResourceAdmission } from './custom-resource.ts';
import { customResourceDefinitionAdmission } from './customresourcedefinition.ts';
import { daemonSetAdmission } from './daemonset.ts';
import { deploymentAdmission } from './deployment.ts';
import { endpointsAdmission } from './endpoints.ts';
import { endpointSliceAdmission } from './endpointslice.ts';
import { ingressAdmission } from './ingress.ts';
import { ingressClassAdmission } from './ingressclass.ts';
import { limitRangeAdmission } from './limitrange.ts';
import { networkPolicyAdmission } from './networkpolicy.ts';
import { persistentVolumeAdmission } from './persistentvolume.ts';
import { persistentVolumeClaimAdmission } from './persistentvolumeclaim.ts';
import { podDisruptionBudgetAdmission } from './poddisruptionbudget.ts';
import {
  clusterRoleAdmission,
  clusterRoleBindingAdmission,
  roleAdmission,
  roleBindingAdmission,
} from './rbac.ts';
import { replicationControllerAdmission } from './replicationcontroller.ts';
import { resourceQuotaAdmission } from './resourcequota.ts';
import { storageClassAdmission } from './storageclass.ts';
import { eventAdmission } from './event.ts';
import { hpaAdmission } from './hpa.ts';
import { jobAdmission } from './job.ts';
import { leaseAdmission } from './lease.ts';
import { namespaceAdmission } from './namespace.ts';
import { withNamespacePolicy } from './namespace-policy.ts';
import { nodeAdmission } from './node.ts';
import { DEFAULT_POD_SECURITY } from './pod-security/defaults.ts';
import type { Policy } from './pod-security/levels.ts';
import { withPodSecurity } from './pod-security/pod-security-admission.ts';
import { podAdmission } from './pod.ts';
import { replicaSetAdmission } from './replicaset.ts';
import { secretAdmission } from './secret.ts';
import { withServiceAccount } from './service-account.ts';
import { serviceAdmission } from './service.ts';
import { statefulSetAdmission } from './statefulset.ts';

const ADMISSIONS: Record<string, KindAdmission> = {
  Namespace: namespaceAdmission,
  Node: nodeAdmission,
  Lease: leaseAdmission,
  Pod: withServiceAccount(podAdmission),
  ReplicaSet: replicaSetAdmission,
  Deployment: deploymentAdmission,
  StatefulSet: statefulSetAdmission,
  DaemonSet: daemonSetAdmission,
  ControllerRevision: controllerRevisionAdmission,
  Job: jobAdmission,
  CronJob: cronJobAdmission,
  Service: serviceAdmission,
  Endpoints: endpointsAdmission,
  EndpointSlice: endpointSliceAdmission,
  ConfigMap: configMapAdmission,
  Secret: secretAdmission,
  Event: eventAdmission,
  HorizontalPodAutoscaler: hpaAdmission,
  ReplicationController: replicationControllerAdmission,
  Role: roleAdmission,
  ClusterRole: clusterRoleAdmission,
  RoleBinding: roleBindingAdmission,
  ClusterRoleBinding: clusterRoleBindingAdmission,
  PersistentVolume: persistentVolumeAdmission,
  PersistentVolumeClaim: persistentVolumeClaimAdmission,
  StorageClass: storageClassAdmission,
  Ingress: ingressAdmission,
  IngressClass: ingressClassAdmission,
  NetworkPolicy: networkPolicyAdmission,
  LimitRange: limitRangeAdmission,
  ResourceQuota: resourceQuotaAdmission,
  PodDisruptionBudget: podDisruptionBudgetAdmission,
  CustomResourceDefinition: customResourceDefinitionAdmission,
};

export interface AdmissionOptions {
  /** The Pod Security policy of namespaces without its labels (pod-security/defaults.ts). */
  podSecurityDefault?: Policy;
}

/**
 * The admission of each kind (defaults, semantic validation, Pod Security, and the
 * namespace's LimitRanges and ResourceQuotas); every kind has one.
 */
export function admissionsWith(options: AdmissionOptions = {}): (kind: string) => KindAdmission {
  const admitted = new Map<string, KindAdmission>();
  const podSecurity = options.podSecurityDefault ?? DEFAULT_POD_SECURITY;
  return (kind) => {
    let admission = admitted.get(kind);
    if (!admission) {
      admission = withNamespacePolicy(
        withPodSecurity(kind, ADMISSIONS[kind] ?? customResourceAdmission, podSecurity),
      );
      admitted.set(kind, admission);
    }
    return admission;
  };
}
