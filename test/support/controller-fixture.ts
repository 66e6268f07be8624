import { IndexedCache } from '../../client/cache.ts';
import type { Informer, Resource, ResourceWriter } from '../../client/index.ts';
import { DEFAULT_CONTROLLER_OPTIONS, type ControllerContext } from '../../agent/controllers/controller.ts';
import { systemClock, type Clock } from '../../lib/clock.ts';
import type { EventRecorder } from '../../agent/events.ts';
import type { InformerSource } from '../../agent/informers.ts';

export interface RecordedWrite {
  verb: 'create' | 'replace' | 'patch' | 'delete' | 'updateStatus' | 'bind';
  kind: string;
  name: string;
  namespace?: string;
  /** The object (create, replace), the patch, the status, the options or the node name. */
  body?: unknown;
}

/**
 * A controller context over fixture objects, for unit tests of reconcile: informers
 * are caches preloaded with the fixture (no server), and every write and event is
 * recorded instead of sent, so a test asserts exactly what reconcile decided to do.
 */
export function fixtureContext(objects: Resource[], clock: Clock = systemClock) {
  const caches = new Map<string, IndexedCache>();
  const cacheOf = (kind: string) => {
    let cache = caches.get(kind);
    if (!cache) caches.set(kind, (cache = new IndexedCache()));
    return cache;
  };
  for (const obj of objects) cacheOf(obj.kind).set(obj);
  const informers: InformerSource = {
    get: <T extends Resource>(kind: string) => {
      const cache = cacheOf(kind);
      // Handlers are not driven in unit tests: reconcile is called directly.
      return Object.assign(Object.create(cache), {
        addEventHandler: () => () => {},
        addIndexer: (name: string, fn: (obj: Resource) => string[]) => cache.addIndexer(name, fn),
        hasSynced: () => true,
      }) as unknown as Informer<T>;
    },
  };
  const writes: RecordedWrite[] = [];
  const events: Array<{ kind: string; name?: string; type: string; reason: string; message: string }> = [];
  let counter = 0;
  const stored = <T extends Resource>(obj: T): T => ({
    ...obj,
    metadata: {
      ...obj.metadata,
      name:
        obj.metadata.name ?? `${obj.metadata.generateName ?? ''}${(counter++).toString(36).padStart(5, '0')}`,
      uid: obj.metadata.uid ?? `uid-${counter++}`,
    },
  });
  const writer: ResourceWriter = {
    create: async (obj) => {
      const out = stored(obj);
      writes.push({
        verb: 'create',
        kind: obj.kind,
        name: out.metadata.name!,
        namespace: obj.metadata.namespace,
        body: out,
      });
      return out;
    },
    replace: async (obj) => {
      writes.push({
        verb: 'replace',
        kind: obj.kind,
        name: obj.metadata.name!,
        namespace: obj.metadata.namespace,
        body: obj,
      });
      return obj;
    },
    patch: async (kind, name, namespace, patch) => {
      writes.push({ verb: 'patch', kind, name, namespace, body: patch });
      return { apiVersion: 'v1', kind, metadata: { name, namespace } } as never;
    },
    delete: async (kind, name, namespace, options) => {
      writes.push({ verb: 'delete', kind, name, namespace, body: options });
      return null;
    },
    updateStatus: async (obj, status) => {
      writes.push({
        verb: 'updateStatus',
        kind: obj.kind,
        name: obj.metadata.name!,
        namespace: obj.metadata.namespace,
        body: status,
      });
      return { ...obj, status };
    },
    bind: async (namespace, name, nodeName) => {
      writes.push({ verb: 'bind', kind: 'Pod', name, namespace, body: nodeName });
      return { apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace }, spec: { nodeName } };
    },
  };
  const recorder: EventRecorder = {
    record: (obj, type, reason, message) =>
      events.push({ kind: obj.kind, name: obj.metadata.name, type, reason, message }),
  };
  const ctx: ControllerContext = {
    client: undefined as never,
    writer,
    informers,
    events: recorder,
    options: { ...DEFAULT_CONTROLLER_OPTIONS },
    clock,
    log: () => {},
  };
  return { ctx, writes, events, cache: cacheOf };
}
