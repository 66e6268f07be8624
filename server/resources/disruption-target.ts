import type { Resource } from '../../schema/kind.ts';
import { kindByName } from '../../schema/kinds/index.ts';
import { timestamp } from './object-meta.ts';
import type { ResourceService } from './service.ts';
import { updateWithRetry } from './update-retry.ts';

interface PodCondition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
  lastTransitionTime?: string;
}

/**
 * Marks a pod about to be deleted for a disruption with the condition `DisruptionTarget`
 * (True), as Kubernetes does before it deletes: the pod's last state then says why it
 * went, so a Job's podFailurePolicy `onPodConditions: [{type: DisruptionTarget}]` can
 * tell an eviction from a failure of its own. A pod already being deleted keeps its state.
 */
export async function markDisruptionTarget(
  resources: ResourceService,
  namespace: string,
  name: string,
  reason: string,
  message: string,
): Promise<void> {
  await updateWithRetry(
    resources,
    kindByName('Pod')!,
    namespace,
    name,
    (pod: Resource) => {
      if (pod.metadata.deletionTimestamp) return false;
      const status = (pod.status ??= {}) as { conditions?: PodCondition[] };
      const others = (status.conditions ?? []).filter((c) => c.type !== 'DisruptionTarget');
      status.conditions = [
        ...others,
        { type: 'DisruptionTarget', status: 'True', reason, message, lastTransitionTime: timestamp() },
      ];
    },
    'status',
  );
}
