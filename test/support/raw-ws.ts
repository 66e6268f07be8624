import WebSocket, { type ClientOptions } from 'ws';
import type { GraphQLErrorBody, Untyped } from './harness.ts';

/** One graphql-transport-ws message as the server sent it. */
export interface Message {
  id?: string;
  type: string;
  payload?: Untyped;
}

/** What one operation received: its `next` payloads, then its `error` or `complete`. */
export interface Operation {
  messages: Message[];
  /** The errors of its `error` message, if it ended with one. */
  readonly errors: GraphQLErrorBody[] | undefined;
  /** Resolves once it has ended (error or complete). */
  ended: Promise<void>;
  /** Resolves once `predicate` holds for its messages, or rejects after `ms`. */
  until(predicate: (messages: Message[]) => boolean, ms?: number): Promise<void>;
}

/**
 * A graphql-transport-ws connection driven by hand, for the cases a client library
 * would not produce or would hide: what exactly the server sent, on which connection,
 * and how that connection ended.
 */
export interface RawSession {
  ws: WebSocket;
  /** Resolves with how the connection ended. */
  closed: Promise<{ code: number; reason: string }>;
  readonly isOpen: boolean;
  send(message: object): void;
  /** Sends connection_init with the token and waits for connection_ack. */
  init(token: string): Promise<void>;
  subscribe(
    id: string,
    query: string,
    variables?: Record<string, unknown>,
    operationName?: string,
  ): Operation;
}

/** Opens a connection (it may be closed right after, which `closed` tells). */
export function openRaw(url: string, options: ClientOptions = {}): Promise<RawSession> {
  const ws = new WebSocket(url, 'graphql-transport-ws', options);
  const listeners = new Set<(message: Message) => void>();
  ws.on('message', (data) => {
    const message = JSON.parse(String(data)) as Message;
    for (const listener of [...listeners]) listener(message);
  });
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    ws.on('close', (code, reason) => resolve({ code, reason: reason.toString() })),
  );
  const session: RawSession = {
    ws,
    closed,
    get isOpen() {
      return ws.readyState === WebSocket.OPEN;
    },
    send: (message) => ws.send(JSON.stringify(message)),
    init: (token) =>
      new Promise<void>((resolve, reject) => {
        const onAck = (message: Message) => {
          if (message.type !== 'connection_ack') return;
          listeners.delete(onAck);
          resolve();
        };
        listeners.add(onAck);
        void closed.then(({ code, reason }) => reject(new Error(`closed with ${code} ${reason}`)));
        session.send({ type: 'connection_init', payload: { authorization: `Bearer ${token}` } });
      }),
    subscribe(id, query, variables, operationName) {
      const messages: Message[] = [];
      const waiters = new Set<() => void>();
      let errors: GraphQLErrorBody[] | undefined;
      let end!: () => void;
      const ended = new Promise<void>((resolve) => (end = resolve));
      const listener = (message: Message) => {
        if (message.id !== id) return;
        messages.push(message);
        if (message.type === 'error') errors = message.payload as GraphQLErrorBody[];
        if (message.type === 'error' || message.type === 'complete') {
          listeners.delete(listener);
          end();
        }
        for (const waiter of [...waiters]) waiter();
      };
      listeners.add(listener);
      session.send({ id, type: 'subscribe', payload: { query, variables, operationName } });
      return {
        messages,
        get errors() {
          return errors;
        },
        ended,
        until(predicate, ms = 5000) {
          return new Promise<void>((resolve, reject) => {
            const check = () => {
              if (!predicate(messages)) return;
              clearTimeout(timer);
              waiters.delete(check);
              resolve();
            };
            const timer = setTimeout(() => {
              waiters.delete(check);
              reject(new Error(`timed out; have ${JSON.stringify(messages).slice(0, 500)}`));
            }, ms);
            waiters.add(check);
            check();
          });
        },
      };
    },
  };
  return new Promise((resolve, reject) => {
    // An error after opening (the server dropping the socket) is told by `closed`.
    let opened = false;
    ws.on('error', (error) => {
      if (!opened) reject(error);
    });
    ws.once('open', () => {
      opened = true;
      resolve(session);
    });
  });
}
