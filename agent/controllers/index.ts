import { clusterRoleAggregationController } from './cluster-role-aggregation.ts';
import type { ControllerFactory } from './controller.ts';
import { cronJobController } from './cronjob.ts';
import { daemonSetController } from './daemonset.ts';
import { deploymentController } from './deployment/controller.ts';
import { disruptionController } from './disruption.ts';
import { endpointSliceController } from './endpoint-slices.ts';
import { endpointsController } from './endpoints.ts';
import { garbageCollector } from './garbage-collector.ts';
import { horizontalPodAutoscalerController } from './horizontal-pod-autoscaler.ts';
import { ingressStatusController } from './ingress-status.ts';
import { jobController } from './job.ts';
import { namespaceController } from './namespace.ts';
import { nodeLifecycleController } from './node-lifecycle.ts';
import { persistentVolumeController } from './persistent-volume/binder.ts';
import { storageProtectionController } from './persistent-volume/protection.ts';
import { replicaSetController } from './replicaset.ts';
import { replicationControllerController } from './replicationcontroller.ts';
import { resourceQuotaController } from './resource-quota.ts';
import { rootCaPublisher } from './root-ca-publisher.ts';
import { serviceAccountController } from './service-account.ts';
import { statefulSetController } from './statefulset.ts';

/** Every controller kube-controller-manager runs here, in the order they start. */
export const ALL_CONTROLLERS: ControllerFactory[] = [
  namespaceController,
  serviceAccountController,
  rootCaPublisher,
  clusterRoleAggregationController,
  garbageCollector,
  nodeLifecycleController,
  replicaSetController,
  replicationControllerController,
  deploymentController,
  statefulSetController,
  persistentVolumeController,
  storageProtectionController,
  daemonSetController,
  jobController,
  cronJobController,
  endpointsController,
  endpointSliceController,
  ingressStatusController,
  disruptionController,
  horizontalPodAutoscalerController,
  resourceQuotaController,
];
