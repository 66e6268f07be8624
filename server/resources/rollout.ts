import type { Resource } from '../../schema/kind.ts';
import { kindByName } from '../../schema/kinds/index.ts';
import { ApiError } from '../errors.ts';
import { timestamp } from './object-meta.ts';
import { ROLLOUT_KINDS, type RolloutKind } from './rollout-history.ts';
import type { ResourceService } from './service.ts';
import { updateWithRetry } from './update-retry.ts';

/** The pod template annotation whose change makes `kubectl rollout restart` replace every pod. */
export const RESTARTED_AT = 'kubectl.kubernetes.io/restartedAt';

/**
 * `kubectl rollout pause`: sets spec.paused, so template changes no longer start a
 * rollout. Pausing a paused Deployment changes nothing.
 */
export async function pauseDeployment(
  resources: ResourceService,
  namespace: string,
  name: string,
): Promise<Resource> {
  return (await resources.patch(kindByName('Deployment')!, namespace, name, { spec: { paused: true } }))!;
}

/**
 * `kubectl rollout resume`: clears spec.paused (removes it, as Kubernetes stores false),
 * so the changes made while paused roll out. Resuming a running Deployment changes nothing.
 */
export async function resumeDeployment(
  resources: ResourceService,
  namespace: string,
  name: string,
): Promise<Resource> {
  return (await resources.patch(kindByName('Deployment')!, namespace, name, { spec: { paused: null } }))!;
}

/** What a restart reads and writes of a Deployment, StatefulSet or DaemonSet (only Deployments pause). */
type Restartable = Resource & {
  spec?: { paused?: boolean; template?: { metadata?: { annotations?: Record<string, string> } } };
};

/**
 * `kubectl rollout restart`: stamps the pod template with the time (RFC 3339), a
 * template change that replaces every pod by the kind's update strategy. A paused
 * Deployment is refused, as kubectl refuses it: the restart would not happen.
 */
export async function rolloutRestart(
  resources: ResourceService,
  kind: RolloutKind,
  namespace: string,
  name: string,
): Promise<Resource> {
  const def = kindByName(kind);
  if (!def || !ROLLOUT_KINDS.includes(kind)) {
    throw new ApiError(
      'BAD_REQUEST',
      `cannot restart kind "${kind}": not one of ${ROLLOUT_KINDS.join(', ')}`,
    );
  }
  const now = timestamp();
  const { object } = await updateWithRetry(resources, def, namespace, name, (found) => {
    const obj = found as Restartable;
    if (kind === 'Deployment' && obj.spec?.paused) {
      throw new ApiError('BAD_REQUEST', `can't restart paused deployment "${name}" (resume it first)`);
    }
    const template = ((obj.spec ??= {}).template ??= {});
    const metadata = (template.metadata ??= {});
    metadata.annotations = { ...metadata.annotations, [RESTARTED_AT]: now };
  });
  return object;
}
