import { isCode, type Informer, type Resource } from '../../client/index.ts';
import { KINDS } from '../../schema/kinds/index.ts';
import { ReconcilingController, type ControllerContext, type ControllerFactory } from './controller.ts';
import type { ReconcileResult } from './reconcile-loop.ts';

/** The finalizer the API server puts on every Namespace; this controller takes it off. */
export const NAMESPACE_FINALIZER = 'kubernetes';

/** Every kind whose objects live in a namespace: what a namespace's deletion must empty. */
export const NAMESPACED_KINDS = KINDS.filter((def) => def.namespaced).map((def) => def.kind);

/**
 * How long to wait before looking again at a namespace whose content is still going
 * (pods in their grace period, objects held by finalizers). Each of those deletions
 * brings the namespace back sooner; this is only the safety net.
 */
const RECHECK_MS = 5_000;
/** When the API still lists content the caches have not seen yet. */
const CACHE_LAG_RETRY_MS = 250;

const isTerminating = (ns: Resource | undefined) => !!ns?.metadata.deletionTimestamp;

/**
 * Kubernetes' namespace controller: a deleted Namespace (Terminating) has everything in
 * it deleted, and is released (its `kubernetes` finalizer removed from spec.finalizers)
 * once nothing is left, which lets the API server remove it.
 */
export class NamespaceController extends ReconcilingController {
  private readonly namespaces: Informer;
  private readonly contents: Array<[kind: string, informer: Informer]>;

  constructor(ctx: ControllerContext) {
    super('namespace', ctx);
    this.namespaces = ctx.informers.get('Namespace');
    this.contents = NAMESPACED_KINDS.map((kind) => [kind, ctx.informers.get(kind)]);
  }

  /**
   * Reconciles the Namespace `name`.
   *
   * - Gone, not being deleted, or no longer holding the `kubernetes` finalizer: nothing.
   * - Terminating: deletes every cached object of every namespaced kind in it that is
   *   not already marked for deletion (default propagation, so the garbage collector
   *   cascades as usual; NOT_FOUND is success). Pods bound to a node are only marked by
   *   that delete; their node agent finishes them and the namespace waits, as in
   *   Kubernetes.
   * - While anything is left (marked objects included), asks to be called again; the
   *   deletion of each object also queues the namespace.
   * - Once the caches hold nothing, checks the API itself (a cache may not have seen an
   *   object created just before the namespace was deleted), then removes `kubernetes`
   *   from spec.finalizers with a merge patch carrying the cached resourceVersion
   *   (other finalizers stay: the namespace goes when they are gone too).
   *
   * Idempotent; a failed write throws and the key is retried with back-off.
   */
  async reconcile(name: string): Promise<ReconcileResult | void> {
    const ns = this.namespaces.get(name);
    if (!ns || !isTerminating(ns)) return;
    const finalizers: string[] = (ns.spec as { finalizers?: string[] } | undefined)?.finalizers ?? [];
    if (!finalizers.includes(NAMESPACE_FINALIZER)) return;
    if (!this.contents.every(([, informer]) => informer.hasSynced()))
      return { requeueAfterMs: CACHE_LAG_RETRY_MS };

    let remaining = 0;
    for (const [kind, informer] of this.contents) {
      for (const obj of informer.list(name)) {
        remaining++;
        if (obj.metadata.deletionTimestamp) continue;
        try {
          await this.ctx.writer.delete(kind, obj.metadata.name!, name);
        } catch (error) {
          if (!isCode(error, 'NOT_FOUND')) throw error;
        }
      }
    }
    if (remaining) return { requeueAfterMs: RECHECK_MS };
    if (await this.anythingLeft(name)) return { requeueAfterMs: CACHE_LAG_RETRY_MS };

    await this.ctx.writer.patch('Namespace', name, undefined, {
      metadata: { resourceVersion: ns.metadata.resourceVersion },
      spec: { finalizers: finalizers.filter((f) => f !== NAMESPACE_FINALIZER) },
    });
  }

  protected register(): void {
    /** Content appearing or going in a terminating namespace may be what it waits for. */
    const enqueueIfTerminating = (obj: Resource) => {
      const namespace = obj.metadata.namespace;
      if (namespace && isTerminating(this.namespaces.get(namespace))) this.loop.enqueue(namespace);
    };
    this.watch(this.namespaces, {
      onAdd: (ns) => this.loop.enqueue(ns.metadata.name!),
      onUpdate: (_old, ns) => this.loop.enqueue(ns.metadata.name!),
    });
    for (const [, informer] of this.contents) {
      this.watch(informer, { onAdd: enqueueIfTerminating, onDelete: enqueueIfTerminating });
    }
  }

  /** Whether the API (not a cache) still has anything in the namespace. */
  private async anythingLeft(namespace: string): Promise<boolean> {
    if (!this.ctx.client) return false;
    for (const [kind] of this.contents) {
      const { items } = await this.ctx.client.list(kind, { namespace, limit: 1 });
      if (items.length) return true;
    }
    return false;
  }
}

export const namespaceController: ControllerFactory = (ctx) => new NamespaceController(ctx);
