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
import { podReferences } from '../../schema/pod-references.ts';
import type { InformerSource } from '../informers.ts';
import type { PodObject } from '../objects.ts';

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

/** How long `ready` waits for a pod's objects before letting the lookups find them missing. */
const READY_TIMEOUT_MS = 10_000;

/**
 * Where a `ConfigSources` reads from: a client, every ConfigMap and Secret (a caller who may
 * list them all); a process' shared informers (the one-process cluster's hollow nodes); or a
 * node's client and name, only the objects the pods bound to that node name (a node credential).
 */
export type ConfigSourcesFrom =
  KubeqlClient | { informers: InformerSource } | { client: KubeqlClient; nodeName: string };

/** The objects of one kind a `ConfigSources` reads: one informer over all, or one per object. */
interface ConfigCache<T extends Resource> {
  get(namespace: string, name: string): T | undefined;
}

/**
 * The node agent's view of the objects pods take configuration from: ConfigMaps and
 * Secrets (env, envFrom, volumes) and Services (service environment variables). Over a
 * node's own client and name it is the kubelet's watch-based configmap and secret managers:
 * a watch per object its pods name (`metadata.name=X` in the object's namespace, all the Node
 * authorizer lets a node read), started when a pod bound to the node names the object and
 * stopped when none does. Otherwise one informer per kind over all namespaces.
 *
 * Lookups read the caches, so a pod synced before `ready(pod)` or `waitForSync` resolves may
 * see a ConfigMap as missing; `onChange` then tells the agent when it appears. Objects
 * returned are shared with the cache: never mutate them.
 */
export class ConfigSources implements ConfigReader {
  private readonly configMaps: ConfigCache<ConfigMapObject>;
  private readonly secrets: ConfigCache<SecretObject>;
  private readonly serviceInformer: Informer<ServiceObject>;
  private readonly listeners = new Set<ConfigChangeListener>();
  private readonly onError: (error: unknown) => void;
  /** The informers whose first lists `waitForSync` waits for. */
  private readonly informers: Array<Informer<Resource>> = [];
  /** Whether they are this object's to start and stop, or a shared source's (whose owner does). */
  private readonly owned: boolean;
  private readonly referenced?: ReferencedObjects;

  constructor(source: ConfigSourcesFrom, options: { onError?: (error: unknown) => void } = {}) {
    const onError = (this.onError = options.onError ?? ((error) => console.error(messageOf(error))));
    const shared = 'informers' in source ? source.informers : undefined;
    const client = 'informers' in source ? undefined : 'nodeName' in source ? source.client : source;
    this.owned = !shared;
    const informer = <T extends Resource>(kind: string): Informer<T> => {
      const made = shared ? shared.get<T>(kind) : createInformer<T>(client!, kind, {}, { onError });
      this.informers.push(made as unknown as Informer<Resource>);
      return made;
    };
    this.serviceInformer = informer<ServiceObject>('Service');
    if ('nodeName' in source) {
      const pods = createInformer<PodObject>(
        source.client,
        'Pod',
        { fieldSelector: `spec.nodeName=${source.nodeName}` },
        { onError },
      );
      this.informers.push(pods as unknown as Informer<Resource>);
      const referenced = (this.referenced = new ReferencedObjects(source.client, onError, (kind, obj) =>
        this.notify(kind, obj),
      ));
      pods.addEventHandler({
        onAdd: (pod) => referenced.track(pod),
        onUpdate: (_old, pod) => referenced.track(pod),
        onDelete: (pod) => referenced.forget(pod),
      });
      this.configMaps = { get: (namespace, name) => referenced.get('ConfigMap', namespace, name) };
      this.secrets = { get: (namespace, name) => referenced.get('Secret', namespace, name) };
      return;
    }
    const configMaps = informer<ConfigMapObject>('ConfigMap');
    const secrets = informer<SecretObject>('Secret');
    this.tell(configMaps, 'ConfigMap');
    this.tell(secrets, 'Secret');
    this.configMaps = { get: (namespace, name) => configMaps.get(`${namespace}/${name}`) };
    this.secrets = { get: (namespace, name) => secrets.get(`${namespace}/${name}`) };
  }

  start(): this {
    if (this.owned) for (const informer of this.informers) informer.start();
    return this;
  }

  async stop(): Promise<void> {
    if (!this.owned) return;
    await Promise.all([...this.informers.map((informer) => informer.stop()), this.referenced?.stop()]);
  }

  /**
   * Resolves once every cache holds its first list (over a node's name, once its pods' objects
   * are cached too); rejects if stopped first or the signal aborts.
   */
  async waitForSync(signal?: AbortSignal): Promise<void> {
    await Promise.all(this.informers.map((informer) => informer.waitForSync(signal)));
    await this.referenced?.synced();
  }

  /**
   * Resolves once the ConfigMaps and Secrets `pod` names are cached (or after a while, when
   * they cannot be read): before a pod's first start, so that it does not meet them missing
   * only because their watches began with it.
   */
  async ready(pod: PodObject): Promise<void> {
    this.referenced?.track(pod);
    await this.referenced?.synced(pod);
  }

  configMap(namespace: string, name: string): ConfigMapObject | undefined {
    return this.configMaps.get(namespace, name);
  }

  secret(namespace: string, name: string): SecretObject | undefined {
    return this.secrets.get(namespace, name);
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

  private notify(kind: ConfigKind, obj: Resource): void {
    for (const listener of this.listeners) {
      try {
        listener(kind, obj.metadata.namespace!, obj.metadata.name!);
      } catch (error) {
        this.onError(error);
      }
    }
  }

  private tell<T extends Resource>(informer: Informer<T>, kind: ConfigKind): void {
    informer.addEventHandler(changeHandlers((obj) => this.notify(kind, obj)));
  }
}

function changeHandlers<T extends Resource>(notify: (obj: T) => void) {
  return {
    onAdd: notify,
    onUpdate: (old: T, obj: T) => {
      if (old.metadata.resourceVersion !== obj.metadata.resourceVersion) notify(obj);
    },
    onDelete: notify,
  };
}

/**
 * One informer per ConfigMap or Secret the pods of a node name, each counted by the pods
 * naming it: started with the first, stopped with the last.
 */
class ReferencedObjects {
  private readonly watches = new Map<string, { informer: Informer<Resource>; pods: number }>();
  private readonly podRefs = new Map<string, string[]>();
  private stopped = false;

  constructor(
    private readonly client: KubeqlClient,
    private readonly onError: (error: unknown) => void,
    private readonly notify: (kind: ConfigKind, obj: Resource) => void,
  ) {}

  get<T extends Resource>(kind: ConfigKind, namespace: string, name: string): T | undefined {
    return this.watches.get(`${kind}/${namespace}/${name}`)?.informer.get(`${namespace}/${name}`) as
      T | undefined;
  }

  /** Counts what the pod names now, in place of what it named before. */
  track(pod: PodObject): void {
    if (this.stopped) return;
    const namespace = pod.metadata.namespace ?? 'default';
    const refs = podReferences(pod.metadata.name!, pod.spec)
      .filter((ref) => ref.kind === 'ConfigMap' || ref.kind === 'Secret')
      .map((ref) => `${ref.kind}/${namespace}/${ref.name}`);
    const key = `${namespace}/${pod.metadata.name}`;
    const before = this.podRefs.get(key) ?? [];
    this.podRefs.set(key, refs);
    for (const ref of refs) this.retain(ref);
    for (const ref of before) this.release(ref);
  }

  forget(pod: PodObject): void {
    const key = `${pod.metadata.namespace ?? 'default'}/${pod.metadata.name}`;
    for (const ref of this.podRefs.get(key) ?? []) this.release(ref);
    this.podRefs.delete(key);
  }

  /** Resolves once the objects `pod` names (all tracked, without one) are cached, or after READY_TIMEOUT_MS. */
  async synced(pod?: PodObject): Promise<void> {
    const namespace = pod?.metadata.namespace ?? 'default';
    const keys = pod
      ? (this.podRefs.get(`${namespace}/${pod.metadata.name}`) ?? [])
      : [...this.watches.keys()];
    const informers = keys.flatMap((key) => this.watches.get(key)?.informer ?? []);
    const timeout = AbortSignal.timeout(READY_TIMEOUT_MS);
    await Promise.all(informers.map((informer) => informer.waitForSync(timeout).catch(() => {})));
  }

  async stop(): Promise<void> {
    this.stopped = true;
    const informers = [...this.watches.values()].map((watch) => watch.informer);
    this.watches.clear();
    this.podRefs.clear();
    await Promise.all(informers.map((informer) => informer.stop()));
  }

  private retain(ref: string): void {
    const watch = this.watches.get(ref);
    if (watch) {
      watch.pods++;
      return;
    }
    const [kind, namespace, name] = ref.split('/') as [ConfigKind, string, string];
    const informer = createInformer<Resource>(
      this.client,
      kind,
      { namespace, fieldSelector: `metadata.name=${name}` },
      { onError: this.onError },
    );
    informer.addEventHandler(changeHandlers((obj) => this.notify(kind, obj)));
    this.watches.set(ref, { informer, pods: 1 });
    informer.start();
  }

  private release(ref: string): void {
    const watch = this.watches.get(ref);
    if (!watch || --watch.pods > 0) return;
    this.watches.delete(ref);
    void watch.informer.stop().catch(this.onError);
  }
}
