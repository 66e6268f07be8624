import { created, createdAt, name, type Columns } from './cells.ts';
import type { KindObjects } from './objects.ts';

/** kubectl's columns of LimitRanges, ResourceQuotas and PodDisruptionBudgets. */

type PolicyKind = 'LimitRange' | 'ResourceQuota' | 'PodDisruptionBudget';
type Quantities = Record<string, string | number> | undefined;

/** REQUEST or LIMIT of a quota: "pods: 1/10, requests.cpu: 500m/2" over the resources of that side. */
function quotaUsage(hard: Quantities, used: Quantities, limits: boolean): string {
  return Object.keys(hard ?? {})
    .filter((resource) => resource.startsWith('limits.') === limits)
    .sort()
    .map((resource) => `${resource}: ${used?.[resource] ?? 0}/${hard![resource]}`)
    .join(', ');
}

const intOrString = (value: number | string | undefined) => (value === undefined ? 'N/A' : String(value));

export const POLICY_COLUMNS: { [K in PolicyKind]: Columns<KindObjects[K]> } = {
  LimitRange: {
    headers: ['NAME', 'CREATED AT'],
    row: (lr) => [name(lr), createdAt(lr)],
  },
  ResourceQuota: {
    headers: ['NAME', 'AGE', 'REQUEST', 'LIMIT'],
    row: (quota, now) => [
      name(quota),
      created(quota, now),
      quotaUsage(quota.status?.hard, quota.status?.used, false),
      quotaUsage(quota.status?.hard, quota.status?.used, true),
    ],
  },
  PodDisruptionBudget: {
    headers: ['NAME', 'MIN AVAILABLE', 'MAX UNAVAILABLE', 'ALLOWED DISRUPTIONS', 'AGE'],
    row: (pdb, now) => [
      name(pdb),
      intOrString(pdb.spec?.minAvailable),
      intOrString(pdb.spec?.maxUnavailable),
      String(pdb.status?.disruptionsAllowed ?? 0),
      created(pdb, now),
    ],
  },
};
