import type { ReplicationController } from '../../schema/kinds/replicationcontroller.ts';
import type { ControllerFactory } from './controller.ts';
import { ReplicaSetController, type ReplicatedKind } from './replicaset.ts';

/**
 * ReplicationControllers, kept by the ReplicaSet controller's one reconcile loop: their
 * equality-based selector (a map of labels) is a LabelSelector's matchLabels.
 */
export const REPLICATION_CONTROLLER: ReplicatedKind = {
  kind: 'ReplicationController',
  controller: 'replicationcontroller',
  selector(owner) {
    const labels = (owner.spec as ReplicationController['spec'])?.selector;
    return labels && Object.keys(labels).length ? { matchLabels: labels } : undefined;
  },
};

export const replicationControllerController: ControllerFactory = (ctx) =>
  new ReplicaSetController(ctx, {}, REPLICATION_CONTROLLER);
