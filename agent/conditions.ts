/** What every kind's status condition has (schema/kinds/meta.ts' conditionShape). */
export interface Condition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  reason?: string;
  message?: string;
  lastTransitionTime?: string;
}

export function findCondition<C extends Condition>(
  conditions: readonly C[] | undefined,
  type: string,
): C | undefined {
  return conditions?.find((condition) => condition.type === type);
}

/**
 * How Kubernetes' controllers set a condition, in its two families:
 * - `apps` (Deployment, ReplicaSet: apps/v1's SetCondition): a condition of the same
 *   status and reason is left as it is, message and all; otherwise the new one goes
 *   last, in place of the old.
 * - `in-place` (Job, HorizontalPodAutoscaler): a condition equal in status, reason and
 *   message is left as it is; otherwise the new one takes the old one's place.
 */
export type ConditionStyle = 'apps' | 'in-place';

/**
 * The conditions with `next` set, as Kubernetes sets them: lastTransitionTime moves only
 * when the status does (the old one's is kept otherwise). Returns `conditions` itself
 * when nothing changes, so `result === conditions` tells a caller there is nothing to write.
 * Never mutates its arguments.
 */
export function setCondition<C extends Condition>(
  conditions: readonly C[] | undefined,
  next: C,
  style: ConditionStyle,
): readonly C[] {
  const list = conditions ?? [];
  const current = findCondition(list, next.type);
  if (current && current.status === next.status && current.reason === next.reason) {
    if (style === 'apps' || current.message === next.message) return list;
  }
  const condition =
    current && current.status === next.status && current.lastTransitionTime
      ? { ...next, lastTransitionTime: current.lastTransitionTime }
      : next;
  if (style === 'apps') return [...list.filter((c) => c.type !== next.type), condition];
  return current ? list.map((c) => (c === current ? condition : c)) : [...list, condition];
}

/** The conditions without the one of `type` (the same array when there is none). */
export function removeCondition<C extends Condition>(
  conditions: readonly C[] | undefined,
  type: string,
): readonly C[] {
  const list = conditions ?? [];
  return list.some((c) => c.type === type) ? list.filter((c) => c.type !== type) : list;
}
