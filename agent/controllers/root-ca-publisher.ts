import { parse } from 'yaml';
import { type Informer, type Resource } from '../../client/index.ts';
import type { ConfigMap } from '../../schema/kinds/configmap.ts';
import { isNamespaceRace } from './namespace-races.ts';
import { ReconcilingController, type ControllerContext, type ControllerFactory } from './controller.ts';

/** The ConfigMap every namespace gets, and the key pods' API access volumes read. */
export const ROOT_CA_CONFIG_MAP = 'kube-root-ca.crt';
const CA_KEY = 'ca.crt';
const DESCRIPTION_ANNOTATION = 'kubernetes.io/description';
const DESCRIPTION =
  'Contains a CA bundle that can be used to verify the kube-apiserver when using internal endpoints such as the internal service IP or kubernetes.default.svc. No other usage is guaranteed across distributions of Kubernetes clusters.';
/** Where the API server publishes its kubeconfig, CA included (kubeadm's discovery ConfigMap). */
const CLUSTER_INFO = 'kube-public/cluster-info';

type ConfigMapObject = Resource & Pick<ConfigMap, 'data'>;

interface ClusterInfoKubeconfig {
  clusters?: Array<{ cluster?: { 'certificate-authority-data'?: string } }>;
}

/**
 * The cluster CA as `kube-public/cluster-info` states it (PEM); empty when the server
 * serves plain HTTP or a certificate of the user's, undefined while it is not published.
 */
export function clusterCa(clusterInfo: ConfigMapObject | undefined): string | undefined {
  const kubeconfig = clusterInfo?.data?.kubeconfig;
  if (kubeconfig === undefined) return undefined;
  try {
    const data = (parse(kubeconfig) as ClusterInfoKubeconfig | null)?.clusters?.[0]?.cluster?.[
      'certificate-authority-data'
    ];
    return data ? Buffer.from(data, 'base64').toString('utf8') : '';
  } catch {
    return '';
  }
}

/**
 * kube-controller-manager's root-ca-cert-publisher: every active namespace has a ConfigMap
 * `kube-root-ca.crt` whose `ca.crt` is the cluster CA, which pods' API access volumes
 * mount next to their token. The CA is read from `kube-public/cluster-info`, which the
 * API server writes at start; over plain HTTP it is empty (the key is there, so pods
 * still mount it).
 */
export class RootCaPublisher extends ReconcilingController {
  private readonly namespaces: Informer;
  private readonly configMaps: Informer<ConfigMapObject>;

  constructor(ctx: ControllerContext) {
    super('root-ca-cert-publisher', ctx);
    this.namespaces = ctx.informers.get('Namespace');
    this.configMaps = ctx.informers.get<ConfigMapObject>('ConfigMap');
  }

  /**
   * Reconciles the namespace `name`: when it exists, is not being deleted and the CA is
   * published, creates its `kube-root-ca.crt` or puts back the CA and description an
   * edit changed. Idempotent: a namespace gone or terminating meanwhile (NOT_FOUND,
   * FORBIDDEN) or a ConfigMap made meanwhile (ALREADY_EXISTS, then seen in the cache
   * and checked again) is success; other failures throw and the key is retried.
   */
  async reconcile(name: string): Promise<void> {
    const ns = this.namespaces.get(name);
    if (!ns || ns.metadata.deletionTimestamp) return;
    const ca = clusterCa(this.configMaps.get(CLUSTER_INFO));
    if (ca === undefined) return;
    const data = { [CA_KEY]: ca };
    const current = this.configMaps.get(`${name}/${ROOT_CA_CONFIG_MAP}`);
    try {
      if (!current) {
        await this.ctx.writer.create({
          apiVersion: 'v1',
          kind: 'ConfigMap',
          metadata: {
            name: ROOT_CA_CONFIG_MAP,
            namespace: name,
            annotations: { [DESCRIPTION_ANNOTATION]: DESCRIPTION },
          },
          data,
        });
        return;
      }
      const described = current.metadata.annotations?.[DESCRIPTION_ANNOTATION];
      const sameData = Object.keys(current.data ?? {}).length === 1 && current.data?.[CA_KEY] === ca;
      if (sameData && described) return;
      await this.ctx.writer.replace({
        ...current,
        metadata: {
          ...current.metadata,
          annotations: { ...current.metadata.annotations, [DESCRIPTION_ANNOTATION]: DESCRIPTION },
        },
        data,
      });
    } catch (error) {
      if (!isNamespaceRace(error)) throw error;
    }
  }

  protected register(): void {
    const enqueue = (ns: Resource) => this.loop.enqueue(ns.metadata.name!);
    this.watch(this.namespaces, { onAdd: enqueue, onUpdate: (_old, ns) => enqueue(ns) });
    const changed = (cm: ConfigMapObject) => {
      const key = `${cm.metadata.namespace}/${cm.metadata.name}`;
      if (key === CLUSTER_INFO) for (const ns of this.namespaces.list()) enqueue(ns);
      else if (cm.metadata.name === ROOT_CA_CONFIG_MAP && cm.metadata.namespace)
        this.loop.enqueue(cm.metadata.namespace);
    };
    this.watch(this.configMaps, {
      onAdd: (cm) => {
        if (`${cm.metadata.namespace}/${cm.metadata.name}` === CLUSTER_INFO) changed(cm);
      },
      onUpdate: (_old, cm) => changed(cm),
      onDelete: changed,
    });
  }
}

export const rootCaPublisher: ControllerFactory = (ctx) => new RootCaPublisher(ctx);
