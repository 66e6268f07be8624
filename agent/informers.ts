import {
  createInformer,
  type EventHandlers,
  type Informer,
  type KubeqlClient,
  type Resource,
} from '../client/index.ts';

/** What a controller reads and watches: one shared informer per kind. */
export interface InformerSource {
  /** The informer of a kind (all namespaces), created on first use and shared. */
  get<T extends Resource = Resource>(kind: string): Informer<T>;
}

/**
 * One informer per kind for every controller of a process, as client-go's
 * SharedInformerFactory: a hundred controllers watching Pods cost one watch and one
 * cache. Informers asked for after `start` start at once.
 */
export class SharedInformers implements InformerSource {
  private readonly informers = new Map<string, Informer>();
  private started = false;

  constructor(
    private readonly client: KubeqlClient,
    private readonly onError: (error: unknown) => void,
  ) {}

  get<T extends Resource = Resource>(kind: string): Informer<T> {
    let informer = this.informers.get(kind);
    if (!informer) {
      informer = createInformer(this.client, kind, {}, { onError: this.onError });
      this.informers.set(kind, informer);
      if (this.started) informer.start();
    }
    return informer as unknown as Informer<T>;
  }

  /** Starts every informer asked for so far; later calls do nothing (several components may share these). */
  start(): void {
    if (this.started) return;
    this.started = true;
    for (const informer of this.informers.values()) informer.start();
  }

  async waitForSync(): Promise<void> {
    await Promise.all([...this.informers.values()].map((informer) => informer.waitForSync()));
  }

  async stop(): Promise<void> {
    await Promise.all([...this.informers.values()].map((informer) => informer.stop()));
  }
}

/** Handlers that enqueue the object's own key: what most controllers register. */
export function enqueueSelf(enqueue: (obj: Resource) => void): EventHandlers {
  return { onAdd: enqueue, onUpdate: (_old, obj) => enqueue(obj), onDelete: enqueue };
}
