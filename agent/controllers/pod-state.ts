import type { Resource } from '../../client/index.ts';
import type { PodSpec, PodStatus } from '../../schema/kinds/pod.ts';

/**
 * Pod states as the StatefulSet and DaemonSet controllers read them (Kubernetes'
 * podutil and their own helpers): ready, running and ready, available after
 * minReadySeconds, terminating, finished. Pure.
 */

export type PodObject = Resource & { spec?: PodSpec; status?: PodStatus };

export function readyCondition(pod: PodObject) {
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

export function isPodTerminating(pod: PodObject): boolean {
  return !!pod.metadata.deletionTimestamp;
}

/** Succeeded or Failed: its containers will not run again. */
export function isPodFinished(pod: PodObject): boolean {
  return pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed';
}

/**
 * How long until a pod counts as available (podutil.IsPodAvailable): 0 when it is, the
 * milliseconds left of minReadySeconds when it will be, undefined when it is not ready
 * (or, with minReadySeconds, ready since an unknown time: never available, as in Kubernetes).
 */
export function msUntilAvailable(pod: PodObject, minReadySeconds = 0, now = Date.now()): number | undefined {
  const ready = readyCondition(pod);
  if (ready?.status !== 'True') return undefined;
  if (minReadySeconds <= 0) return 0;
  const since = ready.lastTransitionTime ? Date.parse(ready.lastTransitionTime) : NaN;
  if (Number.isNaN(since)) return undefined;
  return Math.max(0, since + minReadySeconds * 1000 - now);
}

export function isPodAvailable(pod: PodObject, minReadySeconds = 0, now = Date.now()): boolean {
  return msUntilAvailable(pod, minReadySeconds, now) === 0;
}

/** The earlier of two optional delays (for `requeueAfterMs`). */
export function earliest(a: number | undefined, b: number | undefined): number | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  return Math.min(a, b);
}
