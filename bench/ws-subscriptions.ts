import WebSocket from 'ws';
import type { Server } from './server-process.ts';

/**
 * One message of an operation, as text: `index` is the operation's place in the list
 * given to `subscribeAll`, `type` the graphql-transport-ws message type (`next`,
 * `error`, `complete`).
 */
export type OnMessage = (index: number, type: string, text: string) => void;

const ID_PREFIX = '{"id":"';
const TYPE_PREFIX = ',"type":"';

export interface SubscribeOptions {
  /** Offer permessage-deflate, as browsers do (the default). */
  deflate?: boolean;
  /** Another caller's token than the server's admin one. */
  token?: string;
  /** The address to connect from: the server counts its per-client caps by it. */
  localAddress?: string;
  /** Takes every message after connection_ack as it came, unread, instead of `onMessage`. */
  onFrame?: (frame: Buffer) => void;
}

/**
 * A minimal graphql-transport-ws client holding several operations on one connection.
 * It hands each message over as text, read only as far as its id and type (which the
 * server writes first): the load generator shares the machine, so it spends as little
 * as it can per message.
 */
export function subscribeAll(
  server: Pick<Server, 'url' | 'ca' | 'token'>,
  queries: string[],
  onMessage: OnMessage,
  { deflate = true, token = server.token, localAddress, onFrame }: SubscribeOptions = {},
): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(server.url.href.replace(/^http/, 'ws'), 'graphql-transport-ws', {
      perMessageDeflate: deflate,
      ca: server.ca,
      localAddress,
    });
    ws.on('open', () =>
      ws.send(JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${token}` } })),
    );
    let acknowledged = false;
    ws.on('message', (raw: Buffer) => {
      if (acknowledged && onFrame) return onFrame(raw);
      const text = raw.toString('latin1');
      if (acknowledged) return dispatch(text, onMessage);
      if (JSON.parse(text).type === 'connection_ack') {
        acknowledged = true;
        queries.forEach((query, index) =>
          ws.send(JSON.stringify({ id: String(index), type: 'subscribe', payload: { query } })),
        );
        resolve(ws);
      }
    });
    ws.on('error', reject);
  });
}

function dispatch(text: string, onMessage: OnMessage): void {
  if (!text.startsWith(ID_PREFIX)) return;
  const idEnd = text.indexOf('"', ID_PREFIX.length);
  const typeStart = idEnd + 1 + TYPE_PREFIX.length;
  if (!text.startsWith(TYPE_PREFIX, idEnd + 1)) return;
  const type = text.slice(typeStart, text.indexOf('"', typeStart));
  onMessage(Number(text.slice(ID_PREFIX.length, idEnd)), type, text);
}
