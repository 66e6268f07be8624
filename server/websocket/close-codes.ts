import { CloseCode } from 'graphql-ws';

/**
 * Every code the server closes a WebSocket with, and its one reason. The reason is
 * fixed per code, whatever caused the close: internal messages never reach a client.
 * One failed operation never closes the connection (it gets an `error` message with
 * `extensions.code` for its id); these are for the connection as a whole.
 *
 * | code | reason                                 | when                                                                      |
 * | ---- | -------------------------------------- | ------------------------------------------------------------------------- |
 * | 1001 | Going away                             | the server is shutting down                                               |
 * | 1008 | Too many connections from this client  | the client (remote address) holds maxConnectionsPerClient already         |
 * | 1013 | Server connection limit reached        | the server holds maxConnections already: try again later                  |
 * | 4001 | Slow consumer: resume from the last... | over maxBufferedBytes unsent for slowConsumerMs                           |
 * | 4002 | Token expired: connect again with a... | the ServiceAccount token that opened the connection expired               |
 * | 4003 | Token revoked: its ServiceAccount ...  | the ServiceAccount the connection's token is bound to was deleted         |
 * | 4400 | Invalid message received               | a message that is not graphql-transport-ws                                |
 * | 4401 | Unauthorized                           | subscribe before connection_ack                                           |
 * | 4403 | Forbidden: connection_init has no ...  | connection_init without a valid token                                     |
 * | 4406 | Subprotocol not acceptable             | not the graphql-transport-ws subprotocol                                  |
 * | 4408 | Connection initialisation timeout      | no connection_init within connectionInitTimeoutMs                         |
 * | 4409 | Subscriber already exists              | subscribe with the id of an operation still running                       |
 * | 4429 | Too many initialisation requests       | a second connection_init                                                  |
 * | 4500 | Internal server error                  | a bug in the server (logged there)                                        |
 *
 * 1006 (no close frame) is what a client sees when the server drops a connection that
 * stopped answering pings. After 1001, 1006, 1013, 4001 and 4500 a client may connect
 * again (after a while, for 1013) and resume each watch from the last resourceVersion it
 * received; after 4002 it may do the same with a new token. The others point at the client itself.
 */
export const CLOSE = {
  goingAway: 1001,
  clientConnectionLimit: 1008,
  serverConnectionLimit: 1013,
  slowConsumer: 4001,
  tokenExpired: 4002,
  tokenRevoked: 4003,
  badRequest: CloseCode.BadRequest,
  internal: CloseCode.InternalServerError,
} as const;

const REASONS: Record<number, string> = {
  1001: 'Going away',
  1008: 'Too many connections from this client',
  1013: 'Server connection limit reached',
  // Says what to do: the client's watches resume from the last resourceVersion each received.
  4001: 'Slow consumer: resume from the last resourceVersion received',
  4002: 'Token expired: connect again with a new token',
  4003: 'Token revoked: its ServiceAccount was deleted',
  [CloseCode.BadRequest]: 'Invalid message received',
  [CloseCode.Unauthorized]: 'Unauthorized',
  // Says what was missing and how to send it: the one close a person at a playground meets first.
  [CloseCode.Forbidden]:
    'Forbidden: connection_init has no valid token ({"authorization": "Bearer <token>"})',
  [CloseCode.SubprotocolNotAcceptable]: 'Subprotocol not acceptable',
  [CloseCode.ConnectionInitialisationTimeout]: 'Connection initialisation timeout',
  [CloseCode.SubscriberAlreadyExists]: 'Subscriber already exists',
  [CloseCode.TooManyInitialisationRequests]: 'Too many initialisation requests',
  [CloseCode.InternalServerError]: 'Internal server error',
};

/** The documented reason for `code`; a code missing from the table gets none. */
export function closeReason(code: number): string {
  return REASONS[code] ?? '';
}
