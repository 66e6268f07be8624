import type { ExecutionResult } from 'graphql';

/**
 * Results already serialized, by result object. Subscribers of one operation share
 * one result object per event (useSharedEventExecution), so the first of them to send
 * it pays for JSON.stringify and the rest reuse the text; it is gone with the result.
 */
const serialized = new WeakMap<ExecutionResult, string>();

/**
 * The graphql-transport-ws `next` message for operation `id` carrying `result` without
 * errors: the same text JSON.stringify gives of the whole message (graphql-ws writes
 * `id`, `type`, `payload` in that order), made by splicing the shared result's JSON into
 * the envelope instead of serializing the result once per subscriber.
 */
export function nextMessage(id: string, result: ExecutionResult): string {
  let json = serialized.get(result);
  if (json === undefined) serialized.set(result, (json = JSON.stringify(result)));
  return `{"id":${JSON.stringify(id)},"type":"next","payload":${json}}`;
}
