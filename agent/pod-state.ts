import type { PodObject } from './objects.ts';
import { timeOf } from './timestamps.ts';

/**
 * What a pod's state means to the components that read it, as Kubernetes' podutil and
 * controller helpers define it: finished, terminating, active, ready, and available
 * once ready for minReadySeconds. Pure.
 */

/** Succeeded or Failed: its containers will not run again. */
export function isPodFinished(pod: PodObject): boolean {
  return pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed';
}

export function isPodTerminating(pod: PodObject): boolean {
  return !!pod.metadata.deletionTimestamp;
}

/** controller.IsPodActive: neither finished nor being deleted. */
export function isPodActive(pod: PodObject): boolean {
  return !isPodFinished(pod) && !isPodTerminating(pod);
}

function readyCondition(pod: PodObject) {
  return pod.status?.conditions?.find((condition) => condition.type === 'Ready');
}

/** podutil.IsPodReady: the Ready condition is True. */
export function isPodReady(pod: PodObject): boolean {
  return readyCondition(pod)?.status === 'True';
}

/** Running and Ready: what a StatefulSet waits for. */
export function isPodRunningAndReady(pod: PodObject): boolean {
  return pod.status?.phase === 'Running' && isPodReady(pod);
}

/** When the pod became ready (its Ready condition's lastTransitionTime), if it is ready. */
export function podReadySince(pod: PodObject): number | undefined {
  const condition = readyCondition(pod);
  return condition?.status === 'True' ? timeOf(condition.lastTransitionTime) : undefined;
}

/**
 * How long until a pod counts as available (podutil.IsPodAvailable: ready for more
 * than minReadySeconds): 0 when it is, the milliseconds until the first moment it is
 * when waiting will do, undefined when it is not ready (or, with minReadySeconds, ready
 * since an unknown time: never available, as in Kubernetes).
 */
export function msUntilAvailable(pod: PodObject, minReadySeconds: number, now: number): number | undefined {
  if (!isPodReady(pod)) return undefined;
  if (minReadySeconds <= 0) return 0;
  const since = podReadySince(pod);
  if (since === undefined) return undefined;
  const left = since + minReadySeconds * 1000 - now;
  return left < 0 ? 0 : left + 1;
}

export function isPodAvailable(pod: PodObject, minReadySeconds: number, now: number): boolean {
  return msUntilAvailable(pod, minReadySeconds, now) === 0;
}
