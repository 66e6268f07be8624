import type { KindAdmission } from './admission.ts';
import { configMapAdmission } from './configmap.ts';
import { endpointsAdmission } from './endpoints.ts';
import { eventAdmission } from './event.ts';
import { hpaAdmission } from './hpa.ts';
import { leaseAdmission } from './lease.ts';
import { namespaceAdmission } from './namespace.ts';
import { nodeAdmission } from './node.ts';
import { podAdmission } from './pod.ts';
import { secretAdmission } from './secret.ts';
import { serviceAdmission } from './service.ts';
import {
  cronJobAdmission,
  daemonSetAdmission,
  deploymentAdmission,
  jobAdmission,
  replicaSetAdmission,
  statefulSetAdmission,
} from './workloads.ts';

const ADMISSIONS: Record<string, KindAdmission<any>> = {
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
