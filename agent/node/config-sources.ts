import {
  createInformer,
  messageOf,
  type Informer,
  type KubeqlClient,
  type Resource,
} from '../../client/index.ts';
import type { ConfigMap } from '../../schema/kinds/configmap.ts';
import type { Secret } from '../../schema/kinds/secret.ts';
import type { ServiceSpec } from '../../schema/kinds/service.ts';
import type { InformerSource } from '../informers.ts';

export type ConfigMapObject = Resource & Pick<ConfigMap, 'data' | 'binaryData' | 'immutable'>;
/** As stored: `data` values are base64 (stringData is folded into data on write and never kept). */
export type SecretObject = Resource & Pick<Secret, 'data' | 'type' | 'immutable'>;
export type ServiceObject = Resource & { spec?: ServiceSpec };

export type ConfigKind = 'ConfigMap' | 'Secret';
export type ConfigChangeListener = (kind: ConfigKind, namespace: string, name: string) => void;

/** What pods' environment and volumes are built from: the getters of `ConfigSources`. */
export interface ConfigReader {
  configMap(namespace: string, name: string): ConfigMapObject | undefined;
  secret(namespace: string, name: string): SecretObject | undefined;
}

/**
 * The node agent's view of the objects pods take configuration from: ConfigMaps and
 * Secrets (env, envFrom, volumes) and Services (service environment variables), each
 * an informer over all namespaces — the kubelet's watch-based configmap and secret
 * managers, simplified to one watch per kind instead of one per referenced object.
 *
 * Lookups read the caches, so a pod synced before `waitForSync` resolves may see a
 * ConfigMap as missing; `onChange` then tells the agent when it appears. Objects
 * returned are shared with the cache: never mutate them.
 */
export class ConfigSources implements ConfigReader {
  private readonly configMaps: Informer<ConfigMapObject>;
  private readonly secrets: Informer<SecretObject>;
  private readonly serviceInformer: Informer<ServiceObject>;
  private readonly listeners = new Set<ConfigChangeListener>();
  private readonly onError: (error: unknown) => void;
  /** Whether the informers are this object's own, to start and stop, or a shared source's. */
  private readonly owned: boolean;

  /**
   * Over informers of its own (a node agent), or over a process' shared informers (the
   * hollow nodes of one process, which then cost no watch or cache each; their owner
   * starts and stops them).
   */
  constructor(
    source: KubeqlClient | { informers: InformerSource },
    options: { onError?: (error: unknown) => void } = {},
  ) {
    const onError = (this.onError = options.onError ?? ((error) => console.error(messageOf(error))));
    this.owned = !('informers' in source);
    const informer = <T extends Resource>(kind: string): Informer<T> =>
      'informers' in source
        ? source.informers.get<T>(kind)
        : createInformer<T>(source, kind, {}, { onError });
    this.configMaps = informer<ConfigMapObject>('ConfigMap');
    this.secrets = informer<SecretObject>('Secret');
    this.serviceInformer = informer<ServiceObject>('Service');
    this.tell(this.configMaps, 'ConfigMap');
    this.tell(this.secrets, 'Secret');
  }

  start(): this {
    if (!this.owned) return this;
    this.configMaps.start();
    this.secrets.start();
    this.serviceInformer.start();
    return this;
  }

  async stop(): Promise<void> {
    if (!this.owned) return;
    await Promise.all([this.configMaps.stop(), this.secrets.stop(), this.serviceInformer.stop()]);
  }

  /** Resolves once every cache holds its first list; rejects if stopped first or the signal aborts. */
  async waitForSync(signal?: AbortSignal): Promise<void> {
    await Promise.all([
      this.configMaps.waitForSync(signal),
      this.secrets.waitForSync(signal),
      this.serviceInformer.waitForSync(signal),
    ]);
  }

  configMap(namespace: string, name: string): ConfigMapObject | undefined {
    return this.configMaps.get(`${namespace}/${name}`);
  }

  secret(namespace: string, name: string): SecretObject | undefined {
    return this.secrets.get(`${namespace}/${name}`);
  }

  /** The Services of a namespace (for service environment variables). */
  services(namespace: string): ServiceObject[] {
    return this.serviceInformer.list(namespace);
  }

  /**
   * Calls `listener` after a ConfigMap or Secret was added, changed or deleted (the cache
   * already shows it), so the agent can resync the pods that use it; also for each object
   * of the first list, and of a relist that found it new. Not called for periodic
   * resyncs. Keep listeners short: they run inside the informer's event delivery; one
   * that throws is reported to `onError` and the others still run. Returns the function
   * that unregisters the listener.
   */
  onChange(listener: ConfigChangeListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private tell<T extends Resource>(informer: Informer<T>, kind: ConfigKind): void {
    const notify = (obj: T) => {
      for (const listener of this.listeners) {
        try {
          listener(kind, obj.metadata.namespace!, obj.metadata.name!);
        } catch (error) {
          this.onError(error);
        }
      }
    };
    informer.addEventHandler({
      onAdd: notify,
      onUpdate: (old, obj) => {
        if (old.metadata.resourceVersion !== obj.metadata.resourceVersion) notify(obj);
      },
      onDelete: notify,
    });
  }
}
