import type { ExecutionResult } from 'graphql';
import { MessageType, stringifyMessage } from 'graphql-ws';
import { describe, expect, it } from 'vitest';
import { nextMessage, nextMessageBytes } from '../../server/websocket/next-message.ts';

// A `next` message spliced around a shared result's JSON must be the very bytes
// graphql-ws would have written for that subscriber.
describe('nextMessage', () => {
  const results: Array<[string, ExecutionResult]> = [
    ['a watch event', { data: { watchPods: { type: 'MODIFIED', object: { metadata: { name: 'web-1' } } } } }],
    ['null data', { data: null }],
    ['extensions', { data: { a: 1 }, extensions: { cost: 3 } }],
    ['text needing escapes', { data: { s: 'quote " backslash \\ newline \n tab \t \u0001 é 世界 😀' } }],
    ['undefined values, left out', { data: { a: undefined, b: [undefined, 1] } } as ExecutionResult],
    ['numbers', { data: { n: [0, -1.5, 1e21, Number.MAX_SAFE_INTEGER] } }],
  ];
  const ids = ['1', 'watch-pods', 'quote"id', 'back\\slash', 'ünïcode'];

  for (const [what, result] of results)
    for (const id of ids)
      it(`is JSON.stringify of the whole message: ${what}, id ${JSON.stringify(id)}`, () => {
        const whole = { id, type: MessageType.Next as const, payload: result };
        expect(nextMessage(id, result)).toBe(JSON.stringify(whole));
        expect(nextMessage(id, result)).toBe(stringifyMessage<MessageType.Next>(whole));
        expect(nextMessageBytes(id, result).toString('utf8')).toBe(JSON.stringify(whole));
      });

  it('serializes a result shared by many subscribers once', () => {
    let serialized = 0;
    const result = {
      data: {
        get watch() {
          serialized++;
          return { type: 'ADDED' };
        },
      },
    } as ExecutionResult;
    const messages = Array.from({ length: 1000 }, (_, i) => nextMessage(String(i), result));
    expect(serialized).toBe(1);
    expect(messages[999]).toBe('{"id":"999","type":"next","payload":{"data":{"watch":{"type":"ADDED"}}}}');
  });

  it('encodes the bytes once for subscribers in a row with the same id, and again for another id', () => {
    const result: ExecutionResult = { data: { watch: { type: 'ADDED' } } };
    const first = nextMessageBytes('1', result);
    expect(nextMessageBytes('1', result)).toBe(first);
    const other = nextMessageBytes('2', result);
    expect(other.toString()).toBe('{"id":"2","type":"next","payload":{"data":{"watch":{"type":"ADDED"}}}}');
    expect(nextMessageBytes('1', result).toString()).toBe(first.toString());
  });
});
