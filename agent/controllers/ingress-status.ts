import { isCode, keyOf, type Informer, type Resource } from '../../client/index.ts';
import { KUBEQL_INGRESS_CONTROLLER } from '../../schema/kinds/ingressclass.ts';
import { INGRESS_READY_LABEL, servedIngresses } from '../ingress/ingress-class.ts';
import type { IngressObject } from '../ingress/routes.ts';
import type { NodeObject } from '../objects.ts';
import { ReconcilingController, type ControllerContext, type ControllerFactory } from './controller.ts';

/**
 * The status side of kubeql's ingress controller: every Ingress its IngressClass serves
 * shows, in status.loadBalancer.ingress, the InternalIP of each Ready node that runs the
 * ingress proxy (labelled `ingress-ready=true`), sorted — where `kubectl get ingress`
 * finds its ADDRESS. Ingresses of other classes are left to their controllers.
 */
export class IngressStatusController extends ReconcilingController {
  private readonly ingresses: Informer<IngressObject>;
  private readonly classes: Informer;
  private readonly nodes: Informer<NodeObject>;
  private addresses = '';

  constructor(ctx: ControllerContext) {
    super('ingress-status', ctx);
    this.ingresses = ctx.informers.get<IngressObject>('Ingress');
    this.classes = ctx.informers.get('IngressClass');
    this.nodes = ctx.informers.get<NodeObject>('Node');
  }

  /**
   * Reconciles the Ingress `namespace/name`: when this controller's class serves it and
   * its addresses differ from the proxy nodes', writes them to its status. Idempotent;
   * an Ingress gone or changed meanwhile (NOT_FOUND, CONFLICT) is left to its next
   * event; any other failure throws and the key is retried.
   */
  async reconcile(key: string): Promise<void> {
    const ingress = this.ingresses.get(key);
    if (!ingress) return;
    const [served] = servedIngresses([ingress], this.classes.list(), KUBEQL_INGRESS_CONTROLLER);
    if (!served) return;
    const wanted = this.proxyAddresses().map((ip) => ({ ip }));
    const current = (ingress.status?.loadBalancer?.ingress ?? []).map((entry) => ({ ip: entry.ip }));
    if (JSON.stringify(current) === JSON.stringify(wanted)) return;
    try {
      await this.ctx.writer.updateStatus(
        ingress,
        { ...ingress.status, loadBalancer: { ingress: wanted } },
        ingress.metadata.resourceVersion,
      );
    } catch (error) {
      if (!isCode(error, 'NOT_FOUND') && !isCode(error, 'CONFLICT')) throw error;
    }
  }

  private proxyAddresses(): string[] {
    return this.nodes
      .list()
      .filter(
        (node) =>
          node.metadata.labels?.[INGRESS_READY_LABEL] === 'true' &&
          node.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'),
      )
      .flatMap(
        (node) => node.status?.addresses?.filter((a) => a.type === 'InternalIP').map((a) => a.address) ?? [],
      )
      .sort();
  }

  protected register(): void {
    const enqueue = (ingress: Resource) => this.loop.enqueue(keyOf(ingress));
    const enqueueAll = () => {
      for (const ingress of this.ingresses.list()) enqueue(ingress);
    };
    this.watch(this.ingresses, { onAdd: enqueue, onUpdate: (_old, ingress) => enqueue(ingress) });
    this.watch(this.classes, { onAdd: enqueueAll, onUpdate: enqueueAll, onDelete: enqueueAll });
    // Node heartbeats change nodes all the time: only a change of the proxies' addresses matters,
    // and only a node labelled as a proxy (before or after) can change them.
    const proxy = (node: NodeObject) => node.metadata.labels?.[INGRESS_READY_LABEL] === 'true';
    const nodeChanged = (versions: NodeObject[]) => {
      if (!versions.some(proxy)) return;
      const addresses = this.proxyAddresses().join(',');
      if (addresses === this.addresses) return;
      this.addresses = addresses;
      enqueueAll();
    };
    this.watch(this.nodes, {
      onAdd: (node) => nodeChanged([node]),
      onUpdate: (old, node) => nodeChanged([old, node]),
      onDelete: (node) => nodeChanged([node]),
    });
  }
}

export const ingressStatusController: ControllerFactory = (ctx) => new IngressStatusController(ctx);
