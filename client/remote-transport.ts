import { KubeqlError, messageOf } from './errors.ts';
import type { Fetch } from './node-tls.ts';
import { SubscriptionSocket } from './socket.ts';
import { untrustedServer } from './untrusted-server.ts';
import type { GraphQLResult, Transport } from './types.ts';
import type { WatchTuning } from './watch.ts';

export interface RemoteTransportOptions {
  /** The API endpoint, e.g. http://127.0.0.1:8080/graphql; the WebSocket is on the same path. */
  url: string;
  token: string;
  /**
   * In Node: the certificate authority (PEM) to trust for an https:// server instead of the
   * system's, as a kubeconfig's certificate-authority-data (kq's config carries the
   * cluster's; `kq server` writes it to <data>/tls/ca.crt). A server whose certificate it
   * did not sign is refused with UNTRUSTED. Node only: a browser trusts its own store.
   */
  ca?: string;
  fetch?: typeof globalThis.fetch;
  /** A WebSocket constructor; defaults to the global one, else the `ws` package (Node 20). */
  webSocketImpl?: unknown;
  /** Ping the server this often (ms), default 10 s ... */
  keepAliveMs?: number;
  /** ... and drop the connection when no pong comes back within this (ms), default 5 s. */
  pongTimeoutMs?: number;
  /**
   * Give up on a query or mutation the server has not answered within this (ms), default
   * 60 s: a stopped or hung server keeps the TCP connection open, and an informer's list
   * would otherwise wait for it for ever. The request fails with UNAVAILABLE (a mutation
   * may still have been applied, as when the connection drops).
   */
  requestTimeoutMs?: number;
  /** Give up on a connection the server has not acknowledged within this (ms), default 10 s. */
  connectTimeoutMs?: number;
  /**
   * A watch that hears neither events nor bookmarks for this long (ms) resubscribes from
   * its last resourceVersion. Default: two of the server's bookmark intervals plus 5 s
   * (125 s against the server's default of 60 s), 30 s until the first bookmark says it.
   */
  watchProgressDeadlineMs?: number;
}

/**
 * A server over the network: queries and mutations as HTTP POSTs, subscriptions over a
 * graphql-ws connection opened when the first one starts (see SubscriptionSocket for
 * what happens when it drops).
 */
export function remoteTransport(options: RemoteTransportOptions): Transport & WatchTuning {
  const authorization = `Bearer ${options.token}`;
  const ca = /^https:/i.test(options.url) ? options.ca : undefined;
  // Node's TLS, loaded only when a CA is given, so that browsers never load it.
  let trusting: Promise<{ fetch: Fetch; close(): void }> | undefined;
  const fetchImpl: Fetch =
    options.fetch ??
    (ca
      ? async (url, init) =>
          (await (trusting ??= import('./node-tls.ts').then((tls) => tls.trustingFetch(ca)))).fetch(url, init)
      : globalThis.fetch);
  const socket = new SubscriptionSocket({
    url: options.url.replace(/^http/, 'ws'),
    authorization,
    ca,
    webSocketImpl: options.webSocketImpl,
    keepAliveMs: options.keepAliveMs ?? 10_000,
    pongTimeoutMs: options.pongTimeoutMs ?? 5_000,
    connectTimeoutMs: options.connectTimeoutMs ?? 10_000,
  });
  const requestTimeoutMs = options.requestTimeoutMs ?? 60_000;
  let closed = false;
  // Not UNAVAILABLE: a watch would retry that for ever.
  const closedError = () => new KubeqlError('INTERNAL', 'the transport is closed');

  return {
    watchProgressDeadlineMs: options.watchProgressDeadlineMs,

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
          signal: AbortSignal.timeout(requestTimeoutMs),
        });
      } catch (error) {
        const untrusted = untrustedServer(error, options.url);
        if (untrusted) throw untrusted;
        throw new KubeqlError(
          'UNAVAILABLE',
          `cannot reach ${options.url}: ${whyFailed(error, requestTimeoutMs)}`,
          {
            cause: error,
          },
        );
      }
      return readResult<T>(response, requestTimeoutMs);
    },

    subscribe(query, variables, sink) {
      if (!closed) return socket.subscribe(query, variables, sink);
      queueMicrotask(() => sink.error(closedError()));
      return () => {};
    },

    async close() {
      closed = true;
      await socket.close(closedError());
      (await trusting)?.close();
    },
  };
}

/** A GraphQL result whatever the status (the API answers errors, even 401, as JSON); else a KubeqlError. */
async function readResult<T>(response: Response, timeoutMs: number): Promise<GraphQLResult<T>> {
  let text: string;
  try {
    text = await response.text();
  } catch (error) {
    throw new KubeqlError('UNAVAILABLE', `the response was cut off: ${whyFailed(error, timeoutMs)}`, {
      cause: error,
    });
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

/** A fetch failure in words; the timeout's own ("The operation was aborted due to timeout") says too little. */
function whyFailed(error: unknown, timeoutMs: number): string {
  const name = (error as { name?: unknown } | null)?.name;
  return name === 'TimeoutError' ? `no answer within ${timeoutMs} ms` : messageOf(error);
}
