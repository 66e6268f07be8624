import type { Resource } from '../../client/index.ts';
import type { Deployment } from '../../schema/kinds/deployment.ts';
import type { ReplicaSet } from '../../schema/kinds/replicaset.ts';

/**
 * The arithmetic of Kubernetes' deployment controller (deploymentutil): fenceposts of a
 * rolling update, how far the new ReplicaSet may grow, and how a resize is shared among
 * the ReplicaSets of a rollout. Pure functions of the objects, for unit tests.
 */

export type DeploymentObject = Resource & { spec?: Deployment['spec']; status?: Deployment['status'] };
export type ReplicaSetObject = Resource & { spec?: ReplicaSet['spec']; status?: ReplicaSet['status'] };

/** The number of desired replicas a ReplicaSet was last sized for. */
export const DESIRED_REPLICAS_ANNOTATION = 'deployment.kubernetes.io/desired-replicas';
/** desired + maxSurge when the ReplicaSet was last sized: the base of proportional scaling. */
export const MAX_REPLICAS_ANNOTATION = 'deployment.kubernetes.io/max-replicas';

/**
 * intstr.GetScaledValueFromIntOrPercent: an int as is, "N%" of `total` rounded up or
 * down. Throws on anything else (validation keeps such values out).
 */
export function scaledValue(value: number | string | undefined, total: number, roundUp: boolean): number {
  if (value === undefined || value === null) return 0;
  if (typeof value === 'number') return value;
  const match = /^(-?\d+)%$/.exec(value.trim());
  if (!match) throw new Error(`invalid value for IntOrString: "${value}" is not a percentage`);
  const scaled = (Number(match[1]) * total) / 100;
  return roundUp ? Math.ceil(scaled) : Math.floor(scaled);
}

export const replicasOf = (obj: { spec?: { replicas?: number } } | undefined): number =>
  obj?.spec?.replicas ?? 0;

export function isRollingUpdate(d: DeploymentObject): boolean {
  return (d.spec?.strategy?.type ?? 'RollingUpdate') === 'RollingUpdate';
}

/**
 * ResolveFenceposts: maxSurge (rounded up) and maxUnavailable (rounded down) for
 * `desired` replicas; when both come to 0 (a small percentage rounded down),
 * maxUnavailable is 1 so that the rollout can proceed.
 */
export function resolveFenceposts(
  d: DeploymentObject,
  desired: number,
): { surge: number; unavailable: number } {
  const update = d.spec?.strategy?.rollingUpdate;
  const surge = scaledValue(update?.maxSurge ?? 0, desired, true);
  let unavailable = scaledValue(update?.maxUnavailable ?? 0, desired, false);
  if (surge === 0 && unavailable === 0) unavailable = 1;
  return { surge, unavailable };
}

/** deploymentutil.MaxUnavailable: 0 for Recreate or no replicas, never more than the replicas. */
export function maxUnavailable(d: DeploymentObject): number {
  const desired = replicasOf(d);
  if (!isRollingUpdate(d) || desired === 0) return 0;
  return Math.min(resolveFenceposts(d, desired).unavailable, desired);
}

/** deploymentutil.MaxSurge: 0 for Recreate. */
export function maxSurge(d: DeploymentObject): number {
  if (!isRollingUpdate(d)) return 0;
  return resolveFenceposts(d, replicasOf(d)).surge;
}

/** Sum of spec.replicas. */
export function specReplicas(rss: ReplicaSetObject[]): number {
  return rss.reduce((sum, rs) => sum + replicasOf(rs), 0);
}

/** Sum of status.replicas. */
export function actualReplicas(rss: ReplicaSetObject[]): number {
  return rss.reduce((sum, rs) => sum + (rs.status?.replicas ?? 0), 0);
}

export function readyReplicas(rss: ReplicaSetObject[]): number {
  return rss.reduce((sum, rs) => sum + (rs.status?.readyReplicas ?? 0), 0);
}

export function availableReplicas(rss: ReplicaSetObject[]): number {
  return rss.reduce((sum, rs) => sum + (rs.status?.availableReplicas ?? 0), 0);
}

/**
 * NewRSNewReplicas: the size the new ReplicaSet may have now. RollingUpdate grows it by
 * what maxSurge leaves room for above spec.replicas (`podCount` is the pods the
 * ReplicaSets hold or will hold), never past spec.replicas; Recreate sizes it at once.
 */
export function newRSNewReplicas(d: DeploymentObject, podCount: number, newRS: ReplicaSetObject): number {
  const desired = replicasOf(d);
  if (!isRollingUpdate(d)) return desired;
  const surge = scaledValue(d.spec?.strategy?.rollingUpdate?.maxSurge ?? 0, desired, true);
  const maxTotal = desired + surge;
  if (podCount >= maxTotal) return replicasOf(newRS);
  const scaleUp = Math.min(maxTotal - podCount, desired - replicasOf(newRS));
  return replicasOf(newRS) + scaleUp;
}

/** A numeric annotation, if present and an integer. */
export function intAnnotation(obj: Resource, name: string): number | undefined {
  const text = obj.metadata.annotations?.[name];
  if (text === undefined || !/^-?\d+$/.test(text)) return undefined;
  return Number(text);
}

/** ReplicasAnnotationsNeedUpdate: whether desired-replicas / max-replicas differ from these. */
export function replicasAnnotationsNeedUpdate(rs: ReplicaSetObject, desired: number, max: number): boolean {
  const annotations = rs.metadata.annotations ?? {};
  return (
    annotations[DESIRED_REPLICAS_ANNOTATION] !== String(desired) ||
    annotations[MAX_REPLICAS_ANNOTATION] !== String(max)
  );
}

/**
 * IsSaturated: the ReplicaSet is sized for the deployment's replicas and all of them
 * are available.
 */
export function isSaturated(d: DeploymentObject, rs: ReplicaSetObject | undefined): boolean {
  if (!rs) return false;
  const desired = intAnnotation(rs, DESIRED_REPLICAS_ANNOTATION);
  if (desired === undefined) return false;
  const replicas = replicasOf(d);
  return (
    replicasOf(rs) === replicas && desired === replicas && (rs.status?.availableReplicas ?? 0) === replicas
  );
}

/** Go's math.Round: halves away from zero. */
function roundHalfAway(x: number): number {
  return x < 0 ? -Math.round(-x) : Math.round(x);
}

/**
 * getReplicaSetFraction: how many replicas this ReplicaSet gains (or loses) when the
 * deployment's maximum size (replicas + maxSurge) goes from what the ReplicaSet's
 * max-replicas annotation recorded to what it is now.
 */
export function replicaSetFraction(rs: ReplicaSetObject, d: DeploymentObject): number {
  if (replicasOf(d) === 0) return -replicasOf(rs);
  const maxNow = replicasOf(d) + maxSurge(d);
  let maxBefore = intAnnotation(rs, MAX_REPLICAS_ANNOTATION);
  if (!maxBefore) maxBefore = d.status?.replicas ?? 0;
  if (!maxBefore) return 0;
  return roundHalfAway((replicasOf(rs) * maxNow) / maxBefore) - replicasOf(rs);
}

/**
 * GetReplicaSetProportion: the share of `toAdd` (negative: to remove) this ReplicaSet
 * takes, bounded by what is left of it after `added`.
 */
export function replicaSetProportion(
  rs: ReplicaSetObject,
  d: DeploymentObject,
  toAdd: number,
  added: number,
): number {
  if (replicasOf(rs) === 0 || toAdd === 0 || toAdd === added) return 0;
  const fraction = replicaSetFraction(rs, d);
  const allowed = toAdd - added;
  return toAdd > 0 ? Math.min(fraction, allowed) : Math.max(fraction, allowed);
}

const created = (obj: Resource) => Date.parse(String(obj.metadata.creationTimestamp ?? '')) || 0;

/** ReplicaSetsByCreationTimestamp: oldest first, then by name. */
export function byCreation(a: Resource, b: Resource): number {
  const diff = created(a) - created(b);
  if (diff !== 0) return diff;
  const an = a.metadata.name ?? '';
  const bn = b.metadata.name ?? '';
  return an < bn ? -1 : an > bn ? 1 : 0;
}

/** ReplicaSetsBySizeOlder: largest first; of equal size, the older first (scaling down). */
export function bySizeOlder(a: ReplicaSetObject, b: ReplicaSetObject): number {
  return replicasOf(b) - replicasOf(a) || byCreation(a, b);
}

/** ReplicaSetsBySizeNewer: largest first; of equal size, the newer first (scaling up). */
export function bySizeNewer(a: ReplicaSetObject, b: ReplicaSetObject): number {
  return replicasOf(b) - replicasOf(a) || byCreation(b, a);
}
