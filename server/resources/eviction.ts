import type { Resource } from '../../schema/kind.ts';
import { kindByName } from '../../schema/kinds/index.ts';
import type { PodDisruptionBudget as PodDisruptionBudgetShape } from '../../schema/kinds/poddisruptionbudget.ts';
import { selectorMatches } from '../../schema/label-selector.ts';
import { ApiError, notFound, tooManyRequests } from '../errors.ts';
import { markDisruptionTarget } from './disruption-target.ts';
import { timestamp } from './object-meta.ts';
import type { ResourceService, WriteOptions } from './service.ts';
import { updateWithRetry } from './update-retry.ts';
import type { DeleteOptions } from './writes.ts';

type PodDisruptionBudget = PodDisruptionBudgetShape & Resource;

const POD = () => kindByName('Pod')!;
const PDB = () => kindByName('PodDisruptionBudget')!;

/** How long kubectl drain waits before asking again when a budget refuses (Kubernetes' 429 carries none). */
const RETRY_AFTER_SECONDS = 5;

/**
 * Evicts a pod as Kubernetes' `pods/eviction` subresource does: a deletion that respects
 * the PodDisruptionBudget covering the pod. Without a budget, or for a pod that is not
 * running (pending, finished, already being deleted), the pod is deleted. With one, the
 * eviction is refused (TOO_MANY_REQUESTS, which kubectl drain retries) unless the budget's
 * `disruptionsAllowed` is above zero; when it is, the budget records the pod in
 * `status.disruptedPods` and its allowance goes down by one before the pod is deleted, so
 * concurrent evictions cannot both spend the last disruption (the budget's update is a
 * compare-and-swap). A pod that is running but not ready may go when the budget is
 * healthy, or always under `unhealthyPodEvictionPolicy: AlwaysAllow`, without spending one.
 * More than one budget over the pod is refused, as in Kubernetes. An evicted pod gets the
 * condition DisruptionTarget (reason EvictionByEvictionAPI) just before its deletion.
 */
export async function evictPod(
  resources: ResourceService,
  namespace: string,
  name: string,
  options: DeleteOptions & WriteOptions,
): Promise<void> {
  const pod = resources.get(POD(), namespace, name);
  if (!pod) throw notFound('pods', name);
  const phase = (pod.status as { phase?: string } | undefined)?.phase;
  const budgets = coveringBudgets(resources, pod);
  if (pod.metadata.deletionTimestamp || phase !== 'Running' || budgets.length === 0) {
    await markAndDelete(resources, namespace, name, options);
    return;
  }
  if (budgets.length > 1) {
    // Kubernetes answers 500 here; a request the server will never grant is the client's to change.
    throw new ApiError(
      'BAD_REQUEST',
      'This pod has more than one PodDisruptionBudget, which the eviction subresource does not support.',
    );
  }
  const budget = budgets[0];
  const status = budget.status ?? {};
  const healthy = (status.currentHealthy ?? 0) >= (status.desiredHealthy ?? 0);
  const alwaysAllow = budget.spec?.unhealthyPodEvictionPolicy === 'AlwaysAllow';
  if (!isReady(pod) && (alwaysAllow || healthy)) {
    await markAndDelete(resources, namespace, name, options);
    return;
  }
  if (!options.dryRun) await spendDisruption(resources, budget, name);
  else refuseUnlessAllowed(budget);
  await markAndDelete(resources, namespace, name, options);
}

/** The pod's DisruptionTarget condition first, then its deletion, as Kubernetes' eviction writes them. */
async function markAndDelete(
  resources: ResourceService,
  namespace: string,
  name: string,
  options: DeleteOptions & WriteOptions,
): Promise<void> {
  if (!options.dryRun)
    await markDisruptionTarget(resources, namespace, name, 'EvictionByEvictionAPI', 'Eviction API: evicting');
  await resources.delete(POD(), namespace, name, options);
}

function coveringBudgets(resources: ResourceService, pod: Resource): PodDisruptionBudget[] {
  const { items } = resources.list(PDB(), { namespace: pod.metadata.namespace });
  return (items as PodDisruptionBudget[]).filter(
    (pdb) => pdb.spec?.selector && selectorMatches(pdb.spec.selector, pod.metadata.labels ?? {}),
  );
}

/** Spends one disruption, at the version of the budget read: a concurrent eviction makes it a CONFLICT, and it is read again. */
async function spendDisruption(resources: ResourceService, budget: PodDisruptionBudget, pod: string) {
  const { namespace, name } = budget.metadata;
  await updateWithRetry(
    resources,
    PDB(),
    namespace!,
    name!,
    (obj) => {
      const current = obj as PodDisruptionBudget;
      refuseUnlessAllowed(current);
      const status = (current.status ??= {});
      status.disruptionsAllowed = status.disruptionsAllowed! - 1;
      status.disruptedPods = { ...status.disruptedPods, [pod]: timestamp() };
    },
    'status',
  );
}

function refuseUnlessAllowed(budget: PodDisruptionBudget): void {
  const status = budget.status ?? {};
  const processed = (status.observedGeneration ?? 0) >= (budget.metadata.generation ?? 1);
  if (!processed) {
    throw tooManyRequests(
      `Cannot evict pod as it would violate the pod's disruption budget. The disruption budget ${budget.metadata.name} is still being processed by the server.`,
      RETRY_AFTER_SECONDS,
    );
  }
  if ((status.disruptionsAllowed ?? 0) <= 0) {
    throw tooManyRequests(
      `Cannot evict pod as it would violate the pod's disruption budget. The disruption budget ${budget.metadata.name} needs ${status.desiredHealthy ?? 0} healthy pods and has ${status.currentHealthy ?? 0} currently`,
      RETRY_AFTER_SECONDS,
    );
  }
}

function isReady(pod: Resource): boolean {
  const conditions = (pod.status as { conditions?: Array<{ type: string; status: string }> } | undefined)
    ?.conditions;
  return conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
}
