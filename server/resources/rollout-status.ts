import type { Resource } from '../../schema/kind.ts';
import type { Deployment } from '../../schema/kinds/deployment.ts';

/** The Progressing condition's reason once a rollout made no progress for progressDeadlineSeconds. */
export const PROGRESS_DEADLINE_EXCEEDED = 'ProgressDeadlineExceeded';

export interface RolloutStatus {
  message: string;
  /** The rollout finished: every replica updated and available, no old one left. */
  done: boolean;
  /** The rollout stopped making progress (ProgressDeadlineExceeded): it will not finish by itself. */
  failed: boolean;
  generation: number;
  observedGeneration?: number;
  /** spec.replicas: how many pods the rollout is done with. */
  desiredReplicas?: number;
  replicas: number;
  updatedReplicas: number;
  availableReplicas: number;
}

/**
 * Where a Deployment's rollout stands, computed as `kubectl rollout status` does from
 * its generation, status counts and Progressing condition, with kubectl's messages.
 */
export function deploymentRolloutStatus(deployment: Resource): RolloutStatus {
  const { spec, status: observed } = deployment as Resource & Deployment;
  const status: NonNullable<Deployment['status']> = observed ?? {};
  const name = deployment.metadata.name;
  const desired = spec?.replicas;
  const counts = {
    generation: deployment.metadata.generation ?? 1,
    observedGeneration: status.observedGeneration,
    desiredReplicas: desired,
    replicas: status.replicas ?? 0,
    updatedReplicas: status.updatedReplicas ?? 0,
    availableReplicas: status.availableReplicas ?? 0,
  };
  const waiting = (message: string): RolloutStatus => ({ message, done: false, failed: false, ...counts });
  const rolling = (detail: string) =>
    waiting(`Waiting for deployment "${name}" rollout to finish: ${detail}`);

  if (counts.generation > (counts.observedGeneration ?? 0)) {
    return waiting('Waiting for deployment spec update to be observed...');
  }
  const progressing = (status.conditions ?? []).find((c) => c.type === 'Progressing');
  if (progressing?.reason === PROGRESS_DEADLINE_EXCEEDED) {
    return {
      message: `deployment "${name}" exceeded its progress deadline`,
      done: false,
      failed: true,
      ...counts,
    };
  }
  const { replicas, updatedReplicas, availableReplicas } = counts;
  if (desired !== undefined && updatedReplicas < desired) {
    return rolling(`${updatedReplicas} out of ${desired} new replicas have been updated...`);
  }
  if (replicas > updatedReplicas) {
    return rolling(`${replicas - updatedReplicas} old replicas are pending termination...`);
  }
  if (availableReplicas < updatedReplicas) {
    return rolling(`${availableReplicas} of ${updatedReplicas} updated replicas are available...`);
  }
  return { message: `deployment "${name}" successfully rolled out`, done: true, failed: false, ...counts };
}
