import type { KindAdmission } from './admission.ts';
import { configMapAdmission } from './configmap.ts';
import { cronJobAdmission } from './cronjob.ts';
import { daemonSetAdmission } from './daemonset.ts';
import { deploymentAdmission } from './deployment.ts';
import { endpointsAdmission } from './endpoints.ts';
import { eventAdmission } from './event.ts';
import { hpaAdmission } from './hpa.ts';
import { jobAdmission } from './job.ts';
import { leaseAdmission } from './lease.ts';
import { namespaceAdmission } from './namespace.ts';
import { nodeAdmission } from './node.ts';
import { podAdmission } from './pod.ts';
import { replicaSetAdmission } from './replicaset.ts';
import { secretAdmission } from './secret.ts';
import { serviceAdmission } from './service.ts';
import { statefulSetAdmission } from './statefulset.ts';

const ADMISSIONS: Record<string, KindAdmission> = {
  Namespace: namespaceAdmission,
  Node: nodeAdmission,
  Lease: leaseAdmission,
  Pod: podAdmission,
  ReplicaSet: replicaSetAdmission,
  Deployment: deploymentAdmission,
  StatefulSet: statefulSetAdmission,
  DaemonSet: daemonSetAdmission,
  Job: jobAdmission,
  CronJob: cronJobAdmission,
  Service: serviceAdmission,
  Endpoints: endpointsAdmission,
  ConfigMap: configMapAdmission,
  Secret: secretAdmission,
  Event: eventAdmission,
  HorizontalPodAutoscaler: hpaAdmission,
};

/** The admission (defaults and semantic validation) of a kind; every kind has one. */
export function admissionFor(kind: string): KindAdmission {
  return ADMISSIONS[kind] ?? {};
}
