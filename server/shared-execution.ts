import {
  createSourceEventStream,
  execute,
  type DocumentNode,
  type ExecutionArgs,
  type ExecutionResult,
} from 'graphql';
import type { Plugin } from 'graphql-yoga';

/**
 * Executes a subscription's document once per event, not once per subscriber.
 * Watch events are shared objects (one per store event and outcome, see the hub), so
 * when a thousand dashboards watch the same pods with the same query, the result of
 * the first execution serves all of them. Results are remembered per event object in
 * a WeakMap and are gone with the event.
 */
export function useSharedEventExecution(): Plugin {
  const results = new WeakMap<object, Map<string, unknown>>();
  const documentIds = new WeakMap<DocumentNode, number>();
  let nextId = 0;

  // The caller is part of the key: what an event's fields resolve to (edges, usage) is
  // authorized for the caller, so one caller's result must never serve another.
  const keyOf = (args: ExecutionArgs) => {
    let id = documentIds.get(args.document);
    if (id === undefined) documentIds.set(args.document, (id = nextId++));
    const principal = (args.contextValue as { principal?: { name: string; groups: readonly string[] } })
      .principal;
    const caller = JSON.stringify([principal?.name, principal?.groups]);
    return `${id}\u0000${args.operationName ?? ''}\u0000${JSON.stringify(args.variableValues ?? {})}\u0000${caller}`;
  };

  return {
    onSubscribe({ setSubscribeFn }) {
      setSubscribeFn(async (args: ExecutionArgs) => {
        const stream = await createSourceEventStream(args);
        if (!(Symbol.asyncIterator in (stream as object))) return stream as ExecutionResult;
        const source = stream as AsyncIterableIterator<unknown>;
        const key = keyOf(args);
        const run = (payload: unknown) => {
          if (typeof payload !== 'object' || payload === null)
            return execute({ ...args, rootValue: payload });
          let perEvent = results.get(payload);
          if (!perEvent) results.set(payload, (perEvent = new Map()));
          let result = perEvent.get(key);
          if (result === undefined) perEvent.set(key, (result = execute({ ...args, rootValue: payload })));
          return result;
        };
        // A plain iterator, not an async generator: `return` must reach the watch at once,
        // even while it waits for the next event.
        const mapped: AsyncIterableIterator<unknown> = {
          next: async () => {
            const item = await source.next();
            return item.done ? item : { value: await run(item.value), done: false };
          },
          return: async () => (await source.return?.()) ?? { value: undefined, done: true },
          [Symbol.asyncIterator]: () => mapped,
        };
        return mapped as AsyncIterableIterator<ExecutionResult>;
      });
    },
  };
}
