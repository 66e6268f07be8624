import type { ServerOptions } from 'node:http';
import type { ConnectionLimits } from '../limits/connection-limits.ts';

/**
 * Node's HTTP server options that stop a client from holding a connection without
 * sending a request: the headers must arrive within headersTimeoutMs of the connection
 * opening (or of the previous response, on a kept-alive connection), which closes a
 * socket that never sends a byte too; the whole request, body included, within
 * requestTimeoutMs (a trickled body is answered with 408 and cut off); an idle kept-alive
 * connection lasts keepAliveTimeoutMs. Responses are not limited: a subscription over
 * SSE streams for as long as it lasts, and an upgraded WebSocket leaves these behind.
 */
export function httpTimeouts(limits: ConnectionLimits): ServerOptions {
  const requestTimeout = Math.max(limits.requestTimeoutMs, limits.headersTimeoutMs);
  return {
    headersTimeout: limits.headersTimeoutMs,
    // Node refuses a request timeout shorter than the headers' one.
    requestTimeout,
    keepAliveTimeout: limits.keepAliveTimeoutMs,
    // Node checks the two timeouts above on this period (30 s by default), not when they fall due.
    connectionsCheckingInterval: Math.max(10, Math.min(1000, limits.headersTimeoutMs / 4)),
  };
}
