import {
  execute as executeDocument,
  parse,
  subscribe as subscribeDocument,
  validate,
  type DocumentNode,
  type ExecutionResult,
  type GraphQLError,
  type GraphQLSchema,
} from 'graphql';
import { KubeqlError, toKubeqlError } from './errors.ts';
import type { GraphQLResult, Sink, Transport } from './types.ts';

type MaybePromise<T> = T | Promise<T>;
type Variables = Record<string, unknown> | undefined;

export interface InProcessOptions<C = unknown> {
  execute(query: string, variables: Variables, contextValue: C): MaybePromise<GraphQLResult>;
  /** A stream of results, or one result (the errors that kept the subscription from starting). */
  subscribe(
    query: string,
    variables: Variables,
    contextValue: C,
  ): MaybePromise<AsyncIterable<GraphQLResult> | GraphQLResult>;
  /** Passed to every operation; a function is called once per operation to make it. */
  contextValue?: C | (() => MaybePromise<C>);
}

/**
 * Operations run by the process that embeds the API server (its controllers), with no
 * socket and no serialisation in between. The SDK does not import the server: the
 * embedding process hands over functions bound to its schema, or the schema itself
 * through `inProcessTransport.fromSchema`.
 *
 * Results are passed on uncopied: a `manifest` is the server's stored object itself,
 * shared by every reader and watcher, which kubeql's store deep-freezes when it commits
 * it. Consumers treat what they receive as read-only (as informer caches require
 * anyway) and copy before changing; copying here instead cost a structuredClone per
 * result and per watch event per subscriber, most of a hollow cluster's garbage.
 */
export function inProcessTransport<C>(options: InProcessOptions<C>): Transport {
  const open = new Set<() => void>();
  let closed = false;
  const context = async (): Promise<C> => {
    const value = options.contextValue;
    return (typeof value === 'function' ? await (value as () => MaybePromise<C>)() : value) as C;
  };
  // Not UNAVAILABLE: a watch would retry that for ever.
  const closedError = () => new KubeqlError('INTERNAL', 'the transport is closed');

  return {
    async execute<T>(query: string, variables?: Record<string, unknown>) {
      if (closed) throw closedError();
      return (await options.execute(query, variables, await context())) as GraphQLResult<T>;
    },

    subscribe<T>(query: string, variables: Variables, sink: Sink<T>) {
      let iterator: AsyncIterator<GraphQLResult> | undefined;
      let ended = false;
      const end = () => {
        if (ended) return;
        ended = true;
        open.delete(end);
        void iterator?.return?.();
      };
      const finish = (report: () => void) => {
        if (ended) return;
        end();
        report();
      };
      if (closed) {
        queueMicrotask(() => sink.error(closedError()));
        return () => {};
      }
      open.add(end);
      void (async () => {
        try {
          const source = await options.subscribe(query, variables, await context());
          if (ended) return void closeStream(source);
          if (!isAsyncIterable(source)) {
            sink.next(source as GraphQLResult<T>);
            return finish(() => sink.complete());
          }
          iterator = source[Symbol.asyncIterator]();
          for (;;) {
            const item = await iterator.next();
            if (ended) return;
            if (item.done) return finish(() => sink.complete());
            sink.next(item.value as GraphQLResult<T>);
          }
        } catch (error) {
          finish(() => sink.error(toKubeqlError(error)));
        }
      })();
      return end;
    },

    async close() {
      closed = true;
      for (const end of [...open]) end();
    },
  };
}

/**
 * The transport for a GraphQLSchema in this process: parse, validate, then graphql's own
 * execute and subscribe. `contextFactory` makes each operation's context (for kubeql's
 * schema: `{ principal, resources }`). A function for `schema` gives the schema of the
 * moment to each operation (kubeql's changes with the custom resources served).
 */
inProcessTransport.fromSchema = function fromSchema<C>(
  schemaOf: GraphQLSchema | (() => GraphQLSchema),
  contextFactory: () => MaybePromise<C>,
): Transport {
  // Operations repeat (the SDK builds them per kind), so parse and validate each text once per schema.
  const documents = new Map<string, DocumentNode | ExecutionResult>();
  let validatedAgainst: GraphQLSchema | undefined;
  const prepare = (query: string) => {
    const schema = typeof schemaOf === 'function' ? schemaOf() : schemaOf;
    if (schema !== validatedAgainst) {
      documents.clear();
      validatedAgainst = schema;
    }
    let document = documents.get(query);
    if (!document) {
      try {
        const parsed = parse(query);
        const errors = validate(schema, parsed);
        document = errors.length > 0 ? { errors } : parsed;
      } catch (error) {
        document = { errors: [error as GraphQLError] };
      }
      if (documents.size < 1000) documents.set(query, document);
    }
    return { schema, document };
  };
  const isDocument = (prepared: DocumentNode | ExecutionResult): prepared is DocumentNode =>
    'kind' in prepared;

  return inProcessTransport<C>({
    contextValue: contextFactory,
    execute: async (query, variables, contextValue) => {
      const { schema, document } = prepare(query);
      if (!isDocument(document)) return document;
      return executeDocument({ schema, document, variableValues: variables, contextValue });
    },
    subscribe: async (query, variables, contextValue) => {
      const { schema, document } = prepare(query);
      if (!isDocument(document)) return document;
      return subscribeDocument({ schema, document, variableValues: variables, contextValue });
    },
  });
};

function isAsyncIterable(value: unknown): value is AsyncIterable<GraphQLResult> {
  return typeof value === 'object' && value !== null && Symbol.asyncIterator in value;
}

function closeStream(source: AsyncIterable<GraphQLResult> | GraphQLResult): void {
  if (isAsyncIterable(source)) void source[Symbol.asyncIterator]().return?.();
}
