import { messageOf, type Resource, type ResourceWriter } from '../client/index.ts';
import { timestamp } from './timestamps.ts';

export type EventType = 'Normal' | 'Warning';

/** Records Events about objects, for `describe` and the dashboard. */
export interface EventRecorder {
  record(obj: Resource, type: EventType, reason: string, message: string): void;
}

interface Recorded {
  name: string;
  namespace: string;
  count: number;
}

/**
 * Writes Events the way Kubernetes' recorder does: the same event about the same
 * object (same reason, message and type, from the same component) is not written
 * again but counted, by patching its `count` and `lastTimestamp`. Recording never
 * blocks or fails the caller: events are best effort, a lost one is logged.
 */
export class ApiEventRecorder implements EventRecorder {
  private readonly seen = new Map<string, Recorded>();
  private chain: Promise<void> = Promise.resolve();

  constructor(
    private readonly writer: ResourceWriter,
    private readonly component: string,
    private readonly log: (line: string) => void,
  ) {}

  record(obj: Resource, type: EventType, reason: string, message: string): void {
    this.chain = this.chain
      .then(() => this.write(obj, type, reason, message))
      .catch((error: unknown) =>
        this.log(`event ${reason} for ${obj.kind} ${obj.metadata.name}: ${messageOf(error)}`),
      );
  }

  /** Resolves when every event recorded so far has been written (for tests and shutdown). */
  flush(): Promise<void> {
    return this.chain;
  }

  private async write(obj: Resource, type: EventType, reason: string, message: string): Promise<void> {
    const key = [obj.metadata.uid, type, reason, message].join('\u0000');
    const now = timestamp();
    const previous = this.seen.get(key);
    if (previous) {
      previous.count++;
      await this.writer.patch('Event', previous.name, previous.namespace, {
        count: previous.count,
        lastTimestamp: now,
      });
      return;
    }
    // Events about cluster-scoped objects live in "default", as Kubernetes keeps them.
    const namespace = obj.metadata.namespace ?? 'default';
    const event = await this.writer.create<Resource>({
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { generateName: `${obj.metadata.name}.`, namespace },
      involvedObject: {
        apiVersion: obj.apiVersion,
        kind: obj.kind,
        name: obj.metadata.name,
        namespace: obj.metadata.namespace,
        uid: obj.metadata.uid,
        resourceVersion: obj.metadata.resourceVersion,
      },
      type,
      reason,
      message,
      count: 1,
      firstTimestamp: now,
      lastTimestamp: now,
      source: { component: this.component },
      reportingComponent: this.component,
    });
    this.seen.set(key, { name: event.metadata.name!, namespace, count: 1 });
  }
}
