import type { NodeObject, PodObject } from '../../agent/objects.ts';
import { SharedInformers } from '../../agent/informers.ts';
import { Scheduler, type SchedulerOptions } from '../../agent/scheduler/scheduler.ts';
import type {
  KubeqlClient,
  ListResult,
  Resource,
  ResourceWriter,
  Watch,
  WatchEvent,
} from '../../client/index.ts';
import { Channel } from '../../lib/channel.ts';

// The API as a scheduler's informers and writer see it, in memory: no server, so a test
// or a benchmark drives the scheduler alone (bench/scheduler.ts, scheduler-cycle.test.ts).

class FakeWatch<T extends Resource> extends Channel<WatchEvent<T>> implements Watch<T> {
  readonly resourceVersion = undefined;
}

export interface FakeSchedulerApiOptions {
  /** Waited for before a binding is written (default: the next turn of the event loop). */
  beforeBind?: (key: string) => Promise<void>;
}

/**
 * Lists the Nodes it was given (and nothing else), streams Pods as watch events, and
 * answers a binding as the store would: the pod's MODIFIED event with its node, then
 * one status update (Running, same spec object) as its node agent would write.
 */
export class FakeSchedulerApi {
  /** Pod key → the node it was bound to, in binding order. */
  readonly bound = new Map<string, string>();
  /** Pod key → the status the scheduler wrote last (an Unschedulable condition). */
  readonly statuses = new Map<string, PodObject['status']>();
  onBound?: (key: string) => void;
  private readonly watches = new Map<string, FakeWatch<Resource>>();
  private readonly pods = new Map<string, PodObject>();
  private readonly informers: SharedInformers[] = [];
  private revision = 1_000_000;

  constructor(
    private readonly nodes: NodeObject[],
    private readonly options: FakeSchedulerApiOptions = {},
  ) {}

  /** What an informer needs of a client; nothing else of it is called. */
  readonly client = {
    listAll: async <T extends Resource>(kind: string): Promise<ListResult<T>> => ({
      items: (kind === 'Node' ? this.nodes : []) as unknown as T[],
      resourceVersion: '1',
    }),
    watch: <T extends Resource>(kind: string): Watch<T> => {
      const watch = new FakeWatch<Resource>();
      this.watches.set(kind, watch);
      return watch as unknown as Watch<T>;
    },
  } as unknown as KubeqlClient;

  readonly writer = {
    bind: async (namespace: string, name: string, nodeName: string) => {
      const key = `${namespace}/${name}`;
      await (this.options.beforeBind?.(key) ?? new Promise((resolve) => setImmediate(resolve)));
      if (this.bound.has(key)) throw new Error(`${key} bound twice`);
      this.bound.set(key, nodeName);
      const pod = this.pods.get(key)!;
      const placed = this.modified(pod, { spec: { ...pod.spec!, nodeName } });
      this.modified(placed, { status: { phase: 'Running' } });
      this.onBound?.(key);
      return placed;
    },
    updateStatus: async <T extends Resource>(obj: T, status: unknown) => {
      const key = `${obj.metadata.namespace}/${obj.metadata.name}`;
      this.statuses.set(key, status as PodObject['status']);
      return this.modified(this.pods.get(key)!, { status: status as PodObject['status'] }) as unknown as T;
    },
  } as unknown as ResourceWriter;

  /** A scheduler over this API; stop it, then `close` the API. */
  startScheduler(options: Partial<SchedulerOptions> = {}): Scheduler {
    const informers = new SharedInformers(this.client, (error) => {
      throw error;
    });
    this.informers.push(informers);
    return new Scheduler(this.client, {
      informers,
      writer: this.writer,
      events: { record() {} },
      ...options,
    });
  }

  /** A node joining the cluster, as its ADDED event. */
  addNode(node: NodeObject): void {
    this.watches.get('Node')!.push({ type: 'ADDED', object: node });
  }

  /** A new pending pod, as its ADDED event. */
  add(pod: PodObject): void {
    this.pods.set(`${pod.metadata.namespace}/${pod.metadata.name}`, pod);
    this.watches.get('Pod')!.push({ type: 'ADDED', object: pod });
  }

  /** Stops the schedulers' informers and ends every watch (after the schedulers stopped). */
  async close(): Promise<void> {
    for (const informers of this.informers) await informers.stop();
    for (const watch of this.watches.values()) await watch.return();
  }

  private modified(pod: PodObject, change: Partial<PodObject>): PodObject {
    const next: PodObject = {
      ...pod,
      ...change,
      metadata: { ...pod.metadata, resourceVersion: String(this.revision++) },
    };
    this.pods.set(`${pod.metadata.namespace}/${pod.metadata.name}`, next);
    this.watches.get('Pod')!.push({ type: 'MODIFIED', object: next });
    return next;
  }
}
