import type { ExecutionResult } from 'graphql';

/** A result's JSON, and its last `next` message as bytes with the operation id it was made for. */
interface Serialized {
  json: string;
  id?: string;
  bytes?: Buffer;
}

/**
 * Results already serialized, by result object. Subscribers of one operation share
 * one result object per event (useSharedEventExecution), so the first of them to send
 * it pays for JSON.stringify and the rest reuse the text; it is gone with the result.
 */
const serialized = new WeakMap<ExecutionResult, Serialized>();

function serializedOf(result: ExecutionResult): Serialized {
  let entry = serialized.get(result);
  if (entry === undefined) serialized.set(result, (entry = { json: JSON.stringify(result) }));
  return entry;
}

/**
 * The graphql-transport-ws `next` message for operation `id` carrying `result` without
 * errors: the same text JSON.stringify gives of the whole message (graphql-ws writes
 * `id`, `type`, `payload` in that order), made by splicing the shared result's JSON into
 * the envelope instead of serializing the result once per subscriber.
 */
export function nextMessage(id: string, result: ExecutionResult): string {
  return `{"id":${JSON.stringify(id)},"type":"next","payload":${serializedOf(result).json}}`;
}

/**
 * nextMessage as UTF-8 bytes, shared by the subscribers that follow one another with the
 * same operation id (a dashboard's first subscription has the same id on each of a
 * thousand connections): encoded once for all of them instead of once per socket.
 */
export function nextMessageBytes(id: string, result: ExecutionResult): Buffer {
  const entry = serializedOf(result);
  if (entry.id !== id || entry.bytes === undefined) {
    entry.id = id;
    entry.bytes = Buffer.from(nextMessage(id, result));
  }
  return entry.bytes;
}
