import { DEFAULT_LIST_LIMIT } from '../schema/list-limits.ts';
import { fromGraphQLErrors, isCode, KubeqlError } from './errors.ts';
import { getOperation, listOperation, type Operation } from './operations.ts';
import { remoteTransport, type RemoteTransportOptions } from './remote-transport.ts';
import { subscription, type Subscription } from './subscription.ts';
import type {
  ListOptions,
  ListResult,
  ReadOptions,
  Resource,
  Selection,
  Transport,
  WatchOptions,
} from './types.ts';
import { ResumingWatch, type Watch } from './watch.ts';

export type ClientOptions = RemoteTransportOptions | { transport: Transport };

export interface KubeqlClient {
  readonly transport: Transport;
  /** Runs a query or mutation: its data, or a KubeqlError. */
  request<T = unknown>(query: string, variables?: Record<string, unknown>): Promise<T>;
  /** Runs a subscription: its data as an iterator; `return()` ends it at once. */
  subscribe<T = unknown>(query: string, variables?: Record<string, unknown>): Subscription<T>;
  /** One object, or null when there is none. Namespaced kinds default to "default". */
  get<T extends Resource = Resource>(
    kind: string,
    name: string,
    namespace?: string,
    options?: ReadOptions,
  ): Promise<T | null>;
  /**
   * One page: at most `limit` objects (the server's default page, DEFAULT_LIST_LIMIT,
   * without one; never more than MAX_LIST_LIMIT), and `continue` when more match. Use
   * listAll, or an informer, for every object.
   */
  list<T extends Resource = Resource>(kind: string, options?: ListOptions): Promise<ListResult<T>>;
  /**
   * Every object: follows `continue` page after page (`pageSize` objects each, the
   * server's default page unless given), all at the first page's resourceVersion.
   */
  listAll<T extends Resource = Resource>(
    kind: string,
    selection?: Selection & ReadOptions & { pageSize?: number },
  ): Promise<ListResult<T>>;
  /** Changes as full objects, resumed across dropped connections and server restarts (see ResumingWatch). */
  watch<T extends Resource = Resource>(kind: string, options?: WatchOptions): Watch<T>;
  /** Ends every subscription and watch of this client and closes its transport. */
  close(): Promise<void>;
}

interface ListData {
  metadata: { resourceVersion: string; continue?: string | null };
  items: Array<{ manifest: Resource }>;
}

/** How often listAll starts over when its snapshot is compacted away between pages. */
const LIST_ALL_ATTEMPTS = 3;

/**
 * The SDK's entry point: `createClient({ url, token })` for a server over the network,
 * `createClient({ transport })` for any other (in-process, a test double). Operations
 * for a kind are built from its API names and select `manifest`, so one client serves
 * every kind, present and future.
 */
export function createClient(options: ClientOptions): KubeqlClient {
  const transport = 'transport' in options ? options.transport : remoteTransport(options);
  const open = new Set<AsyncIterator<unknown>>();
  // Registers an iterator until it ends, so that close() can end it.
  const track = <I extends AsyncIterator<unknown>>(make: (onEnd: () => void) => I): I => {
    const iterator: I = make(() => open.delete(iterator));
    open.add(iterator);
    return iterator;
  };

  const request = async <T>(query: string, variables?: Record<string, unknown>): Promise<T> => {
    const result = await transport.execute<T>(query, variables);
    if (result.errors?.length) throw fromGraphQLErrors(result.errors);
    if (result.data == null) throw new KubeqlError('INTERNAL', 'the server answered without data');
    return result.data;
  };
  const run = async <T>({ query, variables, field }: Operation): Promise<T> =>
    (await request<Record<string, T>>(query, variables))[field];

  const list = async <T extends Resource>(
    kind: string,
    options: ListOptions = {},
  ): Promise<ListResult<T>> => {
    const { namespace, labelSelector, fieldSelector, limit } = options;
    const page = await run<ListData>(
      listOperation(
        kind,
        { namespace, labelSelector, fieldSelector, limit, continue: options.continue },
        options.showManagedFields,
      ),
    );
    return {
      items: page.items.map((item) => item.manifest as T),
      resourceVersion: page.metadata.resourceVersion,
      ...(page.metadata.continue ? { continue: page.metadata.continue } : {}),
    };
  };

  return {
    transport,
    request,

    subscribe: <T>(query: string, variables?: Record<string, unknown>) =>
      track((onEnd) => subscription<T>(transport, query, variables, onEnd)),

    get: async <T extends Resource>(
      kind: string,
      name: string,
      namespace?: string,
      options: ReadOptions = {},
    ) => {
      const found = await run<{ manifest: Resource } | null>(
        getOperation(kind, name, namespace, options.showManagedFields),
      );
      return (found?.manifest as T | undefined) ?? null;
    },

    list,

    async listAll<T extends Resource>(
      kind: string,
      selection: Selection & ReadOptions & { pageSize?: number } = {},
    ) {
      const { pageSize = DEFAULT_LIST_LIMIT, ...filter } = selection;
      for (let attempt = 1; ; attempt++) {
        try {
          const first = await list<T>(kind, { ...filter, limit: pageSize });
          const items = first.items;
          // The continue token carries the first page's revision: every page is of one snapshot.
          for (let token = first.continue; token;) {
            const page = await list<T>(kind, { ...filter, limit: pageSize, continue: token });
            items.push(...page.items);
            token = page.continue;
          }
          return { items, resourceVersion: first.resourceVersion };
        } catch (error) {
          // That snapshot was compacted away between pages: a fresh one is as good.
          if (!isCode(error, 'EXPIRED') || attempt >= LIST_ALL_ATTEMPTS) throw error;
        }
      }
    },

    watch: <T extends Resource>(kind: string, options: WatchOptions = {}) =>
      track((onEnd) => new ResumingWatch<T>(transport, kind, options, onEnd)),

    async close() {
      await Promise.all([...open].map((iterator) => iterator.return?.()));
      await transport.close();
    },
  };
}
