import type { Resource } from '../../client/index.ts';
import type { PodSpec, PodStatus } from '../../schema/kinds/pod.ts';

/** A Pod as the client delivers it, typed by its schema. */
export type PodObject = Resource & { spec?: PodSpec; status?: PodStatus };

/** A time field as epoch ms; undefined when absent or unparsable. */
export function timeOf(text: string | undefined): number | undefined {
  if (!text) return undefined;
  const ms = Date.parse(text);
  return Number.isNaN(ms) ? undefined : ms;
}

/** controller.IsPodActive: neither finished (Succeeded, Failed) nor being deleted. */
export function isPodActive(pod: PodObject): boolean {
  const phase = pod.status?.phase;
  return phase !== 'Succeeded' && phase !== 'Failed' && !pod.metadata.deletionTimestamp;
}

export function readyCondition(pod: PodObject) {
  return pod.status?.conditions?.find((c) => c.type === 'Ready');
}

/** podutil.IsPodReady: the Ready condition is True. */
export function isPodReady(pod: PodObject): boolean {
  return readyCondition(pod)?.status === 'True';
}

/** When the pod became ready (its Ready condition's lastTransitionTime), if it is ready. */
export function podReadySince(pod: PodObject): number | undefined {
  const condition = readyCondition(pod);
  return condition?.status === 'True' ? timeOf(condition.lastTransitionTime) : undefined;
}

/**
 * podutil.IsPodAvailable: ready, and for more than minReadySeconds. A ready pod whose
 * condition has no transition time is available only when minReadySeconds is 0.
 */
export function isPodAvailable(pod: PodObject, minReadySeconds: number, now: number): boolean {
  if (!isPodReady(pod)) return false;
  if (!minReadySeconds) return true;
  const since = podReadySince(pod);
  return since !== undefined && since + minReadySeconds * 1000 < now;
}

/**
 * How long until a ready pod becomes available (ms, at least 1), or undefined when it
 * is already available, is not ready, or never will be by waiting alone.
 */
export function msUntilAvailable(pod: PodObject, minReadySeconds: number, now: number): number | undefined {
  if (!minReadySeconds || !isPodReady(pod) || isPodAvailable(pod, minReadySeconds, now)) return undefined;
  const since = podReadySince(pod);
  if (since === undefined) return undefined;
  return Math.max(1, since + minReadySeconds * 1000 - now + 1);
}
