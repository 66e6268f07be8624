import { keyOf, type Informer, type Resource } from '../../client/index.ts';
import type { ResourceQuota } from '../../schema/kinds/resourcequota.ts';
import { formatMilli, isBinary } from '../../schema/quantity-format.ts';
import { kindsCountedBy, quotaCovers, quotaUsage } from '../../schema/quota-usage.ts';
import { ReconcilingController, type ControllerContext, type ControllerFactory } from './controller.ts';
import type { ReconcileResult } from './reconcile-loop.ts';
import { WrittenStatuses } from './written-status.ts';

type QuotaObject = Resource & ResourceQuota;
type QuotaStatus = NonNullable<QuotaObject['status']>;

/**
 * Kubernetes' resource quota controller: each ResourceQuota's `status.hard` is its
 * `spec.hard` and `status.used` what the objects of its namespace use of it, kept up to
 * date as they come, change and go. Admission enforces the quota on its own (exactly,
 * inside the store's commit); this status is what `kubectl describe quota` shows.
 */
export class ResourceQuotaController extends ReconcilingController {
  private readonly quotas: Informer<QuotaObject>;
  /** The kinds followed so far: only those some quota counts, so a cluster without quotas watches nothing more. */
  private readonly followed = new Set<string>();
  private readonly written = new WrittenStatuses<QuotaStatus>();

  constructor(ctx: ControllerContext) {
    super('resourcequota', ctx);
    this.quotas = ctx.informers.get<QuotaObject>('ResourceQuota');
  }

  /**
   * Reconciles the quota `namespace/name`: sums the usage of every object of the kinds
   * its hard resources count, in its namespace and scopes, and writes status when it
   * differs. Idempotent; a quota gone is nothing to do; a failed write throws and is
   * retried. A pod being deleted stops counting at its deletion time, so it asks to be
   * called again then.
   */
  async reconcile(key: string): Promise<ReconcileResult | void> {
    const quota = this.quotas.get(key);
    if (!quota) {
      this.written.forget(key);
      return;
    }
    const hard = quota.spec?.hard ?? {};
    const resources = Object.keys(hard).sort();
    const kinds = [...new Set(resources.flatMap(kindsCountedBy))];
    for (const kind of kinds) await this.follow(kind);
    const now = this.ctx.clock.now();
    const used: Record<string, number> = Object.fromEntries(resources.map((r) => [r, 0]));
    let recheckAt: number | undefined;
    for (const kind of kinds) {
      for (const obj of this.ctx.informers.get(kind).list(quota.metadata.namespace)) {
        if (!quotaCovers(quota, obj)) continue;
        const usage = quotaUsage(obj, now);
        for (const r of resources) used[r] += usage[r] ?? 0;
        const deletion = obj.metadata.deletionTimestamp ? Date.parse(obj.metadata.deletionTimestamp) : NaN;
        if (deletion > now) recheckAt = Math.min(recheckAt ?? deletion, deletion);
      }
    }
    const next: QuotaStatus = {
      hard: { ...hard },
      used: Object.fromEntries(resources.map((r) => [r, formatMilli(used[r], isBinary(hard[r]))])),
    };
    await this.written.write(this.ctx.writer, quota, this.written.current(quota) ?? {}, next);
    if (recheckAt !== undefined) return { requeueAfterMs: recheckAt - now + 10 };
  }

  /** Starts following a kind some quota counts: its changes re-count the quotas of their namespace. */
  private async follow(kind: string): Promise<void> {
    const informer = this.ctx.informers.get(kind);
    if (!this.followed.has(kind)) {
      this.followed.add(kind);
      const recount = (obj: Resource) => this.enqueueNamespace(obj.metadata.namespace);
      this.watch(informer, {
        onAdd: recount,
        onUpdate: (old, obj) => {
          if (usageChanged(old, obj, this.ctx.clock.now())) recount(obj);
        },
        onDelete: recount,
      });
    }
    await informer.waitForSync();
  }

  private enqueueNamespace(namespace: string | undefined): void {
    if (!namespace) return;
    for (const quota of this.quotas.list(namespace)) this.loop.enqueue(keyOf(quota));
  }

  protected register(): void {
    const enqueue = (quota: QuotaObject) => this.loop.enqueue(keyOf(quota));
    this.watch(this.quotas, { onAdd: enqueue, onUpdate: (_old, quota) => enqueue(quota), onDelete: enqueue });
  }
}

/** Whether an update changes what the object charges (most pod updates, status reports, do not). */
function usageChanged(old: Resource, obj: Resource, now: number): boolean {
  const a = quotaUsage(old, now);
  const b = quotaUsage(obj, now);
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  if ([...keys].some((k) => a[k] !== b[k])) return true;
  // Scopes may depend on fields usage does not show (activeDeadlineSeconds).
  return old.metadata.generation !== obj.metadata.generation;
}

export const resourceQuotaController: ControllerFactory = (ctx) => new ResourceQuotaController(ctx);
