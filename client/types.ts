/**
 * The client SDK's contract: what apps, the CLI, the dashboard and the cluster's own
 * controllers program against. Transports (WebSocket + HTTP to a server, or in-process)
 * sit behind it; informers and work queues are built on it.
 */

/** A stored object of any kind, as the API's `manifest` field returns it. */
export interface Resource {
  apiVersion: string;
  kind: string;
  metadata: {
    name?: string;
    namespace?: string;
    uid?: string;
    resourceVersion?: string;
    generation?: number;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    ownerReferences?: Array<{
      apiVersion: string;
      kind: string;
      name: string;
      uid: string;
      controller?: boolean;
      blockOwnerDeletion?: boolean;
    }>;
    finalizers?: string[];
    deletionTimestamp?: string;
    [field: string]: unknown;
  };
  [field: string]: unknown;
}

/** One GraphQL response, as a transport returns it. */
export interface GraphQLResult<T = unknown> {
  data?: T | null;
  errors?: ReadonlyArray<{
    message: string;
    path?: ReadonlyArray<string | number>;
    extensions?: Record<string, unknown>;
  }>;
}

export interface Sink<T = unknown> {
  next(result: GraphQLResult<T>): void;
  error(error: unknown): void;
  complete(): void;
}

/** How operations reach a server. Everything long-lived returns something to dispose. */
export interface Transport {
  execute<T = unknown>(query: string, variables?: Record<string, unknown>): Promise<GraphQLResult<T>>;
  /** Starts a subscription; the returned function ends it. */
  subscribe<T = unknown>(
    query: string,
    variables: Record<string, unknown> | undefined,
    sink: Sink<T>,
  ): () => void;
  close(): Promise<void>;
}

export interface Selection {
  /** Omit for all namespaces (namespaced kinds only). */
  namespace?: string;
  labelSelector?: string;
  fieldSelector?: string;
}

/** How objects are read: kubectl's `--show-managed-fields` (they are left out by default). */
export interface ReadOptions {
  showManagedFields?: boolean;
}

export interface ListOptions extends Selection, ReadOptions {
  limit?: number;
  continue?: string;
}

export interface ListResult<T extends Resource = Resource> {
  items: T[];
  resourceVersion: string;
  continue?: string;
}

export interface WatchOptions extends Selection {
  /** Start after this revision; omit to receive the current objects first as ADDED. */
  resourceVersion?: string;
  sendInitialEvents?: boolean;
  allowBookmarks?: boolean;
}

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK';

export interface WatchEvent<T extends Resource = Resource> {
  type: WatchEventType;
  object: T;
}
