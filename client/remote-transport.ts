import { KubeqlError, messageOf } from './errors.ts';
import { SubscriptionSocket } from './socket.ts';
import type { GraphQLResult, Transport } from './types.ts';

export interface RemoteTransportOptions {
  /** The API endpoint, e.g. http://127.0.0.1:8080/graphql; the WebSocket is on the same path. */
  url: string;
  token: string;
  fetch?: typeof globalThis.fetch;
  /** A WebSocket constructor; defaults to the global one, else the `ws` package (Node 20). */
  webSocketImpl?: unknown;
  /** Ping the server this often (ms), default 10 s ... */
  keepAliveMs?: number;
  /** ... and drop the connection when no pong comes back within this (ms), default 5 s. */
  pongTimeoutMs?: number;
}

/**
 * A server over the network: queries and mutations as HTTP POSTs, subscriptions over a
 * graphql-ws connection opened when the first one starts (see SubscriptionSocket for
 * what happens when it drops).
 */
export function remoteTransport(options: RemoteTransportOptions): Transport {
  const authorization = `Bearer ${options.token}`;
  const fetchImpl = options.fetch ?? globalThis.fetch;
  const socket = new SubscriptionSocket({
    url: options.url.replace(/^http/, 'ws'),
    authorization,
    webSocketImpl: options.webSocketImpl,
    keepAliveMs: options.keepAliveMs ?? 10_000,
    pongTimeoutMs: options.pongTimeoutMs ?? 5_000,
  });
  let closed = false;
  // Not UNAVAILABLE: a watch would retry that for ever.
  const closedError = () => new KubeqlError('INTERNAL', 'the transport is closed');

  return {
    async execute<T>(query: string, variables?: Record<string, unknown>): Promise<GraphQLResult<T>> {
      if (closed) throw closedError();
      let response: Response;
      try {
        response = await fetchImpl(options.url, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            accept: 'application/graphql-response+json, application/json',
            authorization,
          },
          body: JSON.stringify({ query, variables }),
        });
      } catch (error) {
        throw new KubeqlError('UNAVAILABLE', `cannot reach ${options.url}: ${messageOf(error)}`, {
          cause: error,
        });
      }
      return readResult<T>(response);
    },

    subscribe(query, variables, sink) {
      if (!closed) return socket.subscribe(query, variables, sink);
      queueMicrotask(() => sink.error(closedError()));
      return () => {};
    },

    async close() {
      closed = true;
      await socket.close(closedError());
    },
  };
}

/** A GraphQL result whatever the status (the API answers errors, even 401, as JSON); else a KubeqlError. */
async function readResult<T>(response: Response): Promise<GraphQLResult<T>> {
  let text: string;
  try {
    text = await response.text();
  } catch (error) {
    throw new KubeqlError('UNAVAILABLE', `the response was cut off: ${messageOf(error)}`, { cause: error });
  }
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  if (typeof body === 'object' && body !== null && ('data' in body || 'errors' in body)) {
    return body as GraphQLResult<T>;
  }
  // A proxy or load balancer in the way, most likely: a 5xx is worth retrying.
  throw new KubeqlError(
    response.status >= 500 ? 'UNAVAILABLE' : 'INTERNAL',
    `unexpected answer from the server: HTTP ${response.status} ${text.slice(0, 200)}`,
  );
}
