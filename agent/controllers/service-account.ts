import { type Informer, type Resource } from '../../client/index.ts';
import { isNamespaceRace } from './namespace-races.ts';
import { ReconcilingController, type ControllerContext, type ControllerFactory } from './controller.ts';

/** The ServiceAccount every namespace has, which pods that name none run as. */
export const DEFAULT_SERVICE_ACCOUNT = 'default';

/**
 * Kubernetes' service account controller: every active namespace has a ServiceAccount
 * named `default`, made when the namespace appears and made again when it is deleted.
 */
export class ServiceAccountController extends ReconcilingController {
  private readonly namespaces: Informer;
  private readonly serviceAccounts: Informer;

  constructor(ctx: ControllerContext) {
    super('serviceaccount', ctx);
    this.namespaces = ctx.informers.get('Namespace');
    this.serviceAccounts = ctx.informers.get('ServiceAccount');
  }

  /**
   * Reconciles the namespace `name`: when it exists and is not being deleted, and the
   * cache holds no `default` ServiceAccount in it, creates one. Idempotent: one made
   * meanwhile (ALREADY_EXISTS), or a namespace gone or terminating since (NOT_FOUND,
   * FORBIDDEN), is success; any other failure throws and the key is retried.
   */
  async reconcile(name: string): Promise<void> {
    const ns = this.namespaces.get(name);
    if (!ns || ns.metadata.deletionTimestamp) return;
    if (this.serviceAccounts.get(`${name}/${DEFAULT_SERVICE_ACCOUNT}`)) return;
    try {
      await this.ctx.writer.create({
        apiVersion: 'v1',
        kind: 'ServiceAccount',
        metadata: { name: DEFAULT_SERVICE_ACCOUNT, namespace: name },
      });
    } catch (error) {
      if (!isNamespaceRace(error)) throw error;
    }
  }

  protected register(): void {
    const enqueue = (ns: Resource) => this.loop.enqueue(ns.metadata.name!);
    this.watch(this.namespaces, { onAdd: enqueue, onUpdate: (_old, ns) => enqueue(ns) });
    this.watch(this.serviceAccounts, {
      onDelete: (sa) => {
        if (sa.metadata.name === DEFAULT_SERVICE_ACCOUNT && sa.metadata.namespace)
          this.loop.enqueue(sa.metadata.namespace);
      },
    });
  }
}

export const serviceAccountController: ControllerFactory = (ctx) => new ServiceAccountController(ctx);
