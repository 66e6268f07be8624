import {
  createInformer,
  keyOf,
  type EventHandlers,
  type Informer,
  type KubeqlClient,
  type Resource,
} from '../../client/index.ts';
import type { InformerSource } from '../informers.ts';
import type { NodeObject, PodObject } from '../objects.ts';

/**
 * What a node agent reads of one kind: a cache of the objects that concern it (its pods,
 * its Node) and their changes. Like an informer it tells nothing before `start`, then
 * onAdd for what it holds, then every change.
 */
export interface NodeSource<T extends Resource> {
  get(key: string): T | undefined;
  keys(): string[];
  list(): T[];
  addEventHandler(handlers: EventHandlers<T>): () => void;
  start(): void;
  waitForSync(): Promise<void>;
  stop(): Promise<void>;
}

/** Where a node agent gets the pods bound to it and its own Node. */
export interface NodeSources {
  pods(nodeName: string): NodeSource<PodObject>;
  node(nodeName: string): NodeSource<NodeObject>;
}

/** A node agent's own informers, field-selected, as the kubelet's: what a standalone agent uses. */
export function informerSources(client: KubeqlClient, onError: (error: unknown) => void): NodeSources {
  return {
    pods: (nodeName) =>
      createInformer<PodObject>(client, 'Pod', { fieldSelector: `spec.nodeName=${nodeName}` }, { onError }),
    node: (nodeName) =>
      createInformer<NodeObject>(client, 'Node', { fieldSelector: `metadata.name=${nodeName}` }, { onError }),
  };
}

/**
 * For a process running many nodes (the one-process cluster's hollow nodes): every node
 * reads the process's one Pod informer and one Node informer, which the controllers and
 * the scheduler hold anyway, instead of two watches and two caches of its own. Changes
 * are routed to the node they concern through a map, so an event costs the same with
 * 10 nodes or 1,000.
 */
export class SharedNodeSources implements NodeSources {
  private readonly podRouter: Router<PodObject>;
  private readonly nodeRouter: Router<NodeObject>;

  constructor(informers: InformerSource, onError: (error: unknown) => void) {
    this.podRouter = new Router(
      informers.get<PodObject>('Pod'),
      (pod) => pod.spec?.nodeName || undefined,
      (informer, nodeName) => informer.byNode(nodeName),
      onError,
    );
    this.nodeRouter = new Router(
      informers.get<NodeObject>('Node'),
      (node) => node.metadata.name,
      (informer, name) => {
        const node = informer.get(name);
        return node ? [node] : [];
      },
      onError,
    );
  }

  pods(nodeName: string): NodeSource<PodObject> {
    return new ScopedSource(this.podRouter, nodeName);
  }

  node(nodeName: string): NodeSource<NodeObject> {
    return new ScopedSource(this.nodeRouter, nodeName);
  }
}

/** One handler on a shared informer that passes each change on to the sources of the node it concerns. */
class Router<T extends Resource> {
  private readonly listeners = new Map<string, Set<EventHandlers<T>>>();

  constructor(
    readonly informer: Informer<T>,
    /** The node an object concerns (undefined: none, such as a pod not yet scheduled). */
    readonly scopeOf: (obj: T) => string | undefined,
    readonly listOf: (informer: Informer<T>, scope: string) => T[],
    private readonly onError: (error: unknown) => void,
  ) {
    informer.addEventHandler({
      onAdd: (obj, initial) => this.tell(this.scopeOf(obj), (h) => h.onAdd?.(obj, initial)),
      onUpdate: (oldObj, newObj) => {
        const before = this.scopeOf(oldObj);
        const after = this.scopeOf(newObj);
        if (before === after) return this.tell(after, (h) => h.onUpdate?.(oldObj, newObj));
        // Entering or leaving a node's selection, as a field-selected watch reports it (a pod being bound).
        this.tell(before, (h) => h.onDelete?.(oldObj));
        this.tell(after, (h) => h.onAdd?.(newObj, false));
      },
      onDelete: (obj) => this.tell(this.scopeOf(obj), (h) => h.onDelete?.(obj)),
    });
  }

  listen(scope: string, handlers: EventHandlers<T>): () => void {
    let set = this.listeners.get(scope);
    if (!set) this.listeners.set(scope, (set = new Set()));
    set.add(handlers);
    return () => {
      set.delete(handlers);
      if (set.size === 0 && this.listeners.get(scope) === set) this.listeners.delete(scope);
    };
  }

  private tell(scope: string | undefined, call: (handlers: EventHandlers<T>) => void): void {
    if (scope === undefined) return;
    for (const handlers of this.listeners.get(scope) ?? []) {
      // One node's failing handler must not keep the change from the others.
      try {
        call(handlers);
      } catch (error) {
        this.onError(error);
      }
    }
  }
}

/** One node's view of a shared informer: only the objects that concern it. */
class ScopedSource<T extends Resource> implements NodeSource<T> {
  private readonly handlers = new Set<EventHandlers<T>>();
  private unlisten?: () => void;
  private stopped = false;

  constructor(
    private readonly router: Router<T>,
    private readonly scope: string,
  ) {}

  get(key: string): T | undefined {
    const obj = this.router.informer.get(key);
    return obj && this.router.scopeOf(obj) === this.scope ? obj : undefined;
  }

  keys(): string[] {
    return this.list().map(keyOf);
  }

  list(): T[] {
    return this.router.listOf(this.router.informer, this.scope);
  }

  addEventHandler(handlers: EventHandlers<T>): () => void {
    this.handlers.add(handlers);
    return () => this.handlers.delete(handlers);
  }

  /** From now on the handlers hear of this node's objects: first of those cached, as an informer's first list. */
  start(): void {
    if (this.unlisten || this.stopped) return;
    const add = (obj: T, initial: boolean) => this.each((h) => h.onAdd?.(obj, initial));
    const relay: EventHandlers<T> = {
      onAdd: add,
      onUpdate: (oldObj, newObj) => this.each((h) => h.onUpdate?.(oldObj, newObj)),
      onDelete: (obj) => this.each((h) => h.onDelete?.(obj)),
    };
    this.unlisten = this.router.listen(this.scope, relay);
    const initial = !this.router.informer.hasSynced();
    for (const obj of this.list()) add(obj, initial);
  }

  waitForSync(): Promise<void> {
    return this.router.informer.waitForSync();
  }

  /** The shared informer runs on (its owner stops it); this node hears nothing more. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.unlisten?.();
  }

  private each(call: (handlers: EventHandlers<T>) => void): void {
    for (const handlers of this.handlers) call(handlers);
  }
}
