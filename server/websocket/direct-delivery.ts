import type { ExecutionResult } from 'graphql';

/**
 * A subscription's results sent by `send` as they come, handed to graphql-ws as a
 * stream that yields nothing: graphql-ws would serialize every result once per
 * subscriber, where `send` splices the shared serialization into the envelope
 * (next-message.ts). graphql-ws still owns the operation: it ends it through
 * `return` (a client's `complete`, the connection's close), and sends `complete`, or
 * the error the stream threw, when the stream ends.
 */
export function deliverDirectly(
  source: AsyncIterator<ExecutionResult>,
  send: (result: ExecutionResult) => Promise<void> | void,
): AsyncIterableIterator<ExecutionResult> {
  const delivering: AsyncIterableIterator<ExecutionResult> = {
    next: async () => {
      for (;;) {
        const item = await source.next();
        if (item.done) return item;
        await send(item.value);
      }
    },
    return: async () => (await source.return?.()) ?? { value: undefined, done: true },
    [Symbol.asyncIterator]: () => delivering,
  };
  return delivering;
}
