import type { PodObject } from '../../objects.ts';
import { isPodReady } from '../../pod-state.ts';

const PHASE_RANK: Record<string, number> = { Pending: 0, Unknown: 1, Running: 2 };
const created = (pod: PodObject) => Date.parse(String(pod.metadata.creationTimestamp ?? '')) || 0;
const restarts = (pod: PodObject) =>
  (pod.status?.containerStatuses ?? []).reduce((sum, s) => sum + (s.restartCount ?? 0), 0);

/**
 * The order in which to delete active pods, the least useful first (Kubernetes'
 * ActivePods): unscheduled before scheduled, pending before running, not ready before
 * ready, more restarts first, newer before older.
 */
export function deletionOrder(a: PodObject, b: PodObject): number {
  return (
    Number(!!a.spec?.nodeName) - Number(!!b.spec?.nodeName) ||
    (PHASE_RANK[a.status?.phase ?? 'Pending'] ?? 0) - (PHASE_RANK[b.status?.phase ?? 'Pending'] ?? 0) ||
    Number(isPodReady(a)) - Number(isPodReady(b)) ||
    restarts(b) - restarts(a) ||
    created(b) - created(a)
  );
}
