import type { Resource } from '../../schema/kind.ts';
import type { Container } from '../../schema/kinds/container.ts';
import type { Pod } from '../../schema/kinds/pod.ts';
import type { ResourceQuota } from '../../schema/kinds/resourcequota.ts';
import { formatMilli, isBinary, toMilli } from '../../schema/quantity-format.ts';
import { quotaCovers, quotaUsage, type Usage } from '../../schema/quota-usage.ts';
import type { AdmissionContext } from './admission.ts';

/**
 * Kubernetes' ResourceQuota admission plugin: a write that would take its namespace past
 * a quota's `spec.hard` is refused with Kubernetes' message. Usage is summed from the
 * namespace's stored objects inside the store's serialized commit, so concurrent creates
 * cannot overshoot; a namespace without quotas costs one empty lookup.
 */

type QuotaObject = Resource & ResourceQuota;

/** The resources a quota on which makes every container of a pod state it explicitly. */
const EXPLICIT = ['cpu', 'memory', 'requests.cpu', 'requests.memory', 'limits.cpu', 'limits.memory'];

/** Kubernetes' "must specify limits.cpu for: a,b; requests.memory for: a" for a pod's containers. */
function missingCompute(pod: Resource & Pod, hard: Record<string, string | number>): string | undefined {
  const required = EXPLICIT.filter((r) => hard[r] !== undefined);
  if (!required.length) return undefined;
  const missing = new Map<string, Set<string>>();
  const containers = [...(pod.spec?.containers ?? []), ...(pod.spec?.initContainers ?? [])] as Container[];
  for (const c of containers) {
    const has = (r: string) => {
      const [side, name] = r.includes('.') ? r.split('.') : ['requests', r];
      return c.resources?.[side as 'requests' | 'limits']?.[name] !== undefined;
    };
    for (const r of required.filter((r) => !has(r))) {
      if (!missing.has(r)) missing.set(r, new Set());
      missing.get(r)!.add(c.name);
    }
  }
  if (!missing.size) return undefined;
  const parts = [...missing.keys()].sort().map((r) => `${r} for: ${[...missing.get(r)!].sort().join(',')}`);
  return `must specify ${parts.join('; ')}`;
}

/** "requests.cpu=500m,requests.memory=1Gi": Kubernetes' print of a resource list. */
function printed(resources: string[], amounts: Usage, hard: Record<string, string | number>): string {
  return resources.map((r) => `${r}=${formatMilli(amounts[r] ?? 0, isBinary(hard[r]))}`).join(',');
}

/**
 * Usage of stored objects, which are never mutated: a create in a namespace with a quota
 * sums over every object of its kind, and parsing each one's quantities again each time
 * would make that the cost of the write. Only objects not being deleted, whose usage does
 * not depend on the time.
 */
const STORED_USAGE = new WeakMap<Resource, Usage>();

function storedUsage(obj: Resource, now: number): Usage {
  if (obj.metadata.deletionTimestamp) return quotaUsage(obj, now);
  let usage = STORED_USAGE.get(obj);
  if (!usage) STORED_USAGE.set(obj, (usage = quotaUsage(obj, now)));
  return usage;
}

/** What the namespace's objects of `kind` covered by `quota` use of `resources` now. */
function usedBy(
  ctx: AdmissionContext,
  quota: QuotaObject,
  kind: string,
  resources: string[],
  now: number,
): Usage {
  const used: Usage = Object.fromEntries(resources.map((r) => [r, 0]));
  for (const other of ctx.objects(kind, quota.metadata.namespace!)) {
    if (!quotaCovers(quota, other)) continue;
    const usage = storedUsage(other, now);
    for (const r of resources) used[r] += usage[r] ?? 0;
  }
  return used;
}

/** Why the namespace's quotas refuse this write, or undefined when they allow it. */
export function quotaRefusal(obj: Resource, ctx: AdmissionContext): string | undefined {
  const namespace = obj.metadata.namespace;
  if (!namespace) return undefined;
  const quotas = [...ctx.objects('ResourceQuota', namespace)] as QuotaObject[];
  if (!quotas.length) return undefined;
  quotas.sort((a, b) => a.metadata.name!.localeCompare(b.metadata.name!));

  const now = Date.parse(ctx.now);
  const usage = quotaUsage(obj, now);
  const before = ctx.old ? quotaUsage(ctx.old, now) : {};
  // An update is charged only what it adds (Kubernetes charges the non-negative delta).
  const delta: Usage = {};
  for (const [r, amount] of Object.entries(usage)) {
    const added = amount - (before[r] ?? 0);
    if (added > 0) delta[r] = added;
  }

  for (const quota of quotas) {
    if (!quotaCovers(quota, obj)) continue;
    const hard = quota.spec?.hard ?? {};
    if (obj.kind === 'Pod' && !ctx.old) {
      const missing = missingCompute(obj as Resource & Pod, hard);
      if (missing) return `failed quota: ${quota.metadata.name}: ${missing}`;
    }
    const requested = Object.keys(delta)
      .filter((r) => hard[r] !== undefined)
      .sort();
    if (!requested.length) continue;
    const used = usedBy(ctx, quota, obj.kind, requested, now);
    const exceeded = requested.filter((r) => used[r] + delta[r] > toMilli(hard[r]));
    if (!exceeded.length) continue;
    const limited = Object.fromEntries(exceeded.map((r) => [r, toMilli(hard[r])]));
    return (
      `exceeded quota: ${quota.metadata.name}, requested: ${printed(exceeded, delta, hard)}, ` +
      `used: ${printed(exceeded, used, hard)}, limited: ${printed(exceeded, limited, hard)}`
    );
  }
  return undefined;
}
