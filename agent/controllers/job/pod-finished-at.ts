import type { PodObject } from '../../objects.ts';

/**
 * When a pod ended, as Kubernetes reads it: its containers' last finish, else its
 * Ready=False transition, else its deletion; `fallback` when it shows none.
 */
export function podFinishedAt(pod: PodObject, fallback: number): number {
  const statuses = [...(pod.status?.containerStatuses ?? []), ...(pod.status?.initContainerStatuses ?? [])];
  const finishes = statuses
    .map((s) => Date.parse(s.state?.terminated?.finishedAt ?? ''))
    .filter((t) => !Number.isNaN(t));
  if (finishes.length) return Math.max(...finishes);
  const notReady = pod.status?.conditions?.find((c) => c.type === 'Ready' && c.status === 'False');
  const time = Date.parse(notReady?.lastTransitionTime ?? pod.metadata.deletionTimestamp ?? '');
  return Number.isNaN(time) ? fallback : time;
}
